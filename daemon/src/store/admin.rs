//! What the admin API and CLI read and change: paused sources, the outbox, suppressed
//! contacts, reports and the audit log.

use super::{args, new_id, run_in, Result, Store};

/// One line of the outbox as an operator sees it: no address, no body.
#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct OutboxEntry {
    pub id: String,
    pub tenant_id: String,
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    /// For an SMS sent in place of an e-mail that could not be delivered: that alert.
    pub fallback_of: Option<String>,
}

/// Alerts of one kind on one channel that ended in one state.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct ReportRow {
    pub kind: String,
    pub channel: String,
    pub state: String,
    #[sqlx(rename = "n")]
    pub count: i64,
}

#[derive(Clone, Debug, serde::Serialize, sqlx::FromRow)]
pub struct AuditEntry {
    pub at: i64,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub target: String,
    pub outcome: String,
}

impl Store {
    pub async fn source_paused(&self, tenant: &str, source: &str) -> Result<bool> {
        let paused: Option<i64> = self
            .optional_value(
                "SELECT paused FROM sources WHERE tenant_id = $1 AND source_id = $2",
                args![tenant, source],
            )
            .await?;
        Ok(paused.is_some_and(|p| p != 0))
    }

    /// Pauses or resumes polling a source; false when there is no such source.
    pub async fn set_source_paused(
        &self,
        tenant: &str,
        source: &str,
        paused: bool,
    ) -> Result<bool> {
        self.run(
            "UPDATE sources SET paused = $3 WHERE tenant_id = $1 AND source_id = $2",
            args![tenant, source, i64::from(paused)],
        )
        .await
        .map(|changed| changed == 1)
    }

    pub async fn outbox_entries(
        &self,
        tenant: Option<&str>,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>> {
        self.all(
            "SELECT id, tenant_id, kind, channel, state, attempts, last_error, created_at, updated_at,
                fallback_of
             FROM outbox WHERE ($1 = '' OR tenant_id = $1) AND ($2 = '' OR state = $2)
             ORDER BY created_at DESC, id LIMIT $3",
            args![tenant.unwrap_or(""), state.unwrap_or(""), limit],
        )
        .await
    }

    /// Queues a dead or failed alert again with a fresh attempt count.
    pub async fn resend(&self, id: &str, now: i64) -> Result<bool> {
        self.run(
            "UPDATE outbox SET state = 'queued', attempts = 0, next_attempt_at = $2,
                lease_until = NULL, last_error = NULL, updated_at = $2
             WHERE id = $1 AND state IN ('dead', 'failed')",
            args![id, now],
        )
        .await
        .map(|queued| queued == 1)
    }

    /// Stops all alerts to an address in a tenant (by its keyed hash); returns how many
    /// contacts it covered.
    pub async fn suppress_contact(
        &self,
        tenant: &str,
        address_hash: &str,
        now: i64,
    ) -> Result<u64> {
        self.run(
            "UPDATE contacts SET suppressed_at = $3
             WHERE address_hash = $2 AND suppressed_at IS NULL
               AND citizen_id IN (SELECT id FROM citizens WHERE tenant_id = $1)",
            args![tenant, address_hash, now],
        )
        .await
    }

    /// Alerts created in `[from, to)` by kind, channel and state.
    pub async fn report_rows(&self, tenant: &str, from: i64, to: i64) -> Result<Vec<ReportRow>> {
        self.all(
            "SELECT kind, channel, state, COUNT(*) AS n FROM outbox
             WHERE tenant_id = $1 AND created_at >= $2 AND created_at < $3
             GROUP BY kind, channel, state ORDER BY kind, channel, state",
            args![tenant, from, to],
        )
        .await
    }

    /// Citizens with at least one subscription on a verified, unsuppressed contact.
    pub async fn subscribed_citizens(&self, tenant: &str) -> Result<i64> {
        self.value(
            "SELECT COUNT(DISTINCT c.id) AS n FROM citizens c
             JOIN subscriptions s ON s.citizen_id = c.id
             JOIN contacts k ON k.citizen_id = c.id AND k.channel = s.channel
             WHERE c.tenant_id = $1 AND k.verified_at IS NOT NULL AND k.suppressed_at IS NULL",
            args![tenant],
        )
        .await
    }

    pub async fn audit(
        &self,
        actor: &str,
        role: &str,
        action: &str,
        target: &str,
        outcome: &str,
        now: i64,
    ) -> Result<()> {
        self.run(
            "INSERT INTO audit_log (id, at, actor, role, action, target, outcome)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![new_id(), now, actor, role, action, target, outcome],
        )
        .await?;
        Ok(())
    }

    pub async fn audit_entries(&self, limit: i64) -> Result<Vec<AuditEntry>> {
        self.all(
            "SELECT at, actor, role, action, target, outcome FROM audit_log
             ORDER BY at DESC, id LIMIT $1",
            args![limit],
        )
        .await
    }
}

impl Store {
    /// Claims one cron tick of a source for `holder`; true for exactly one caller per tick,
    /// however many instances share the database.
    pub async fn claim_tick(
        &self,
        tenant: &str,
        source: &str,
        tick_at: i64,
        holder: &str,
        now: i64,
    ) -> Result<bool> {
        self.run(
            "INSERT INTO tick_claims (tenant_id, source_id, tick_at, holder, claimed_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
            args![tenant, source, tick_at, holder, now],
        )
        .await
        .map(|claimed| claimed == 1)
    }

    /// Forgets tick claims older than `before`.
    pub async fn prune_ticks(&self, before: i64) -> Result<u64> {
        self.run("DELETE FROM tick_claims WHERE tick_at < $1", args![before])
            .await
    }
}

/// Logins through one identity provider that ended one way.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, sqlx::FromRow)]
pub struct LoginRow {
    pub idp: String,
    pub outcome: String,
    #[sqlx(rename = "n")]
    pub count: i64,
}

impl Store {
    /// Counts a login attempt in its minute (the identity stage calls this; nothing
    /// personal is kept, and a burst of attempts adds no rows).
    pub async fn record_login(
        &self,
        tenant: &str,
        idp: &str,
        outcome: &str,
        now: i64,
    ) -> Result<()> {
        self.run(
            "INSERT INTO login_counts (tenant_id, idp, outcome, at, n) VALUES ($1, $2, $3, $4, 1)
             ON CONFLICT (tenant_id, idp, outcome, at) DO UPDATE SET n = login_counts.n + 1",
            args![tenant, idp, outcome, now - now.rem_euclid(60_000)],
        )
        .await?;
        Ok(())
    }

    /// Logins whose minute began in `[from, to)`, by IdP and outcome; all tenants when
    /// `tenant` is `None`.
    pub async fn login_rows(
        &self,
        tenant: Option<&str>,
        from: i64,
        to: i64,
    ) -> Result<Vec<LoginRow>> {
        self.all(
            "SELECT idp, outcome, CAST(SUM(n) AS BIGINT) AS n FROM login_counts
             WHERE ($1 = '' OR tenant_id = $1) AND at >= $2 AND at < $3
             GROUP BY idp, outcome ORDER BY idp, outcome",
            args![tenant.unwrap_or(""), from, to],
        )
        .await
    }
}

impl Store {
    /// Ends a citizen's e-mail subscription to `topic` (all topics when `None`) and
    /// suppresses the alerts of that topic still waiting. Returns the subscriptions ended.
    pub async fn unsubscribe(
        &self,
        citizen_id: &str,
        topic: Option<&str>,
        now: i64,
    ) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let ended = run_in(
            &mut tx,
            "DELETE FROM subscriptions WHERE citizen_id = $1 AND channel = 'email'
               AND ($2 = '' OR topic = $2)",
            args![citizen_id, topic.unwrap_or("")],
        )
        .await?;
        let kinds = match topic {
            Some("receivables") => "receivable.%",
            Some("submissions") => "submission.%",
            Some("documents") => "document.%",
            Some("reminders") => "personal.%",
            _ => "%",
        };
        run_in(
            &mut tx,
            "UPDATE outbox SET state = 'suppressed', last_error = 'unsubscribed', updated_at = $3
             WHERE citizen_id = $1 AND channel = 'email' AND state IN ('queued', 'held')
               AND kind LIKE $2",
            args![citizen_id, kinds, now],
        )
        .await?;
        tx.commit().await?;
        Ok(ended)
    }
}
