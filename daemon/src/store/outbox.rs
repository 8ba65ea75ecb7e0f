//! The outbox: alerts waiting to be sent, claimed under a lease, finished with a record of
//! each attempt.

use super::{new_id, Backend, Result, Store};
use sqlx::Row;

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AlertState {
    Queued,
    Sending,
    Sent,
    /// Refused for good (a 5xx from SMTP, an address that does not exist).
    Failed,
    /// Temporary failures until the attempt limit.
    Dead,
    /// Its reason went away before sending (paid in the meantime, citizen left).
    Suppressed,
    /// Too late to be useful (a reminder for a date that passed).
    Expired,
    /// Rendered in a dry run and deliberately not sent.
    WouldSend,
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        match self {
            AlertState::Queued => "queued",
            AlertState::Sending => "sending",
            AlertState::Sent => "sent",
            AlertState::Failed => "failed",
            AlertState::Dead => "dead",
            AlertState::Suppressed => "suppressed",
            AlertState::Expired => "expired",
            AlertState::WouldSend => "would_send",
        }
    }
}

/// An alert claimed for sending, with what is needed to render and address it.
#[derive(Clone, Debug)]
pub struct ClaimedAlert {
    pub id: String,
    pub event_id: String,
    pub tenant_id: String,
    pub citizen_id: String,
    pub channel: String,
    pub kind: String,
    pub attempts: i64,
    pub expires_at: Option<i64>,
    pub dry_run: bool,
    /// When it became due (its `next_attempt_at` when claimed).
    pub due_at: i64,
}

/// How one attempt ended.
#[derive(Clone, Debug)]
pub struct Finish {
    pub state: AlertState,
    /// For a queued (retry) outcome: when to try again.
    pub next_attempt_at: Option<i64>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct AlertRow {
    pub id: String,
    pub event_id: String,
    pub tenant_id: String,
    pub citizen_id: String,
    pub kind: String,
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub source_id: String,
    pub kind: String,
    pub record_key: String,
    pub payload: String,
}

impl Store {
    /// Claims up to `limit` due alerts for `lease_until`; other dispatchers skip them.
    pub async fn claim_due(
        &self,
        now: i64,
        lease_until: i64,
        limit: u32,
    ) -> Result<Vec<ClaimedAlert>> {
        let lock = match self.backend {
            Backend::Postgres => "FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE outbox SET state = 'sending', lease_until = $1, attempts = attempts + 1,
                updated_at = $2
             WHERE id IN (SELECT id FROM outbox WHERE state = 'queued' AND next_attempt_at <= $2
                          ORDER BY next_attempt_at, id LIMIT $3 {lock})
             RETURNING id, event_id, tenant_id, citizen_id, channel, kind, attempts, expires_at, dry_run,
                next_attempt_at"
        );
        let rows = sqlx::query(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows
            .iter()
            .map(|r| {
                Ok(ClaimedAlert {
                    id: r.try_get("id")?,
                    event_id: r.try_get("event_id")?,
                    tenant_id: r.try_get("tenant_id")?,
                    citizen_id: r.try_get("citizen_id")?,
                    channel: r.try_get("channel")?,
                    kind: r.try_get("kind")?,
                    attempts: r.try_get("attempts")?,
                    expires_at: r.try_get("expires_at")?,
                    dry_run: r.try_get::<i64, _>("dry_run")? != 0,
                    due_at: r.try_get("next_attempt_at")?,
                })
            })
            .collect::<std::result::Result<Vec<_>, sqlx::Error>>()?;
        out.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(out)
    }

    /// Records the end of an attempt and moves the alert on, if this dispatcher still
    /// holds it. Returns false when the lease had been taken back meanwhile.
    pub async fn finish_alert(
        &self,
        alert: &ClaimedAlert,
        finish: &Finish,
        started_at: i64,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let sent_at = (finish.state == AlertState::Sent).then_some(now);
        let updated = sqlx::query(
            "UPDATE outbox SET state = $2, next_attempt_at = COALESCE($3, next_attempt_at),
                lease_until = NULL, last_error = $4, sent_at = COALESCE($5, sent_at),
                updated_at = $6
             WHERE id = $1 AND state = 'sending' AND attempts = $7",
        )
        .bind(&alert.id)
        .bind(finish.state.as_str())
        .bind(finish.next_attempt_at)
        .bind(finish.detail.clone())
        .bind(sent_at)
        .bind(now)
        .bind(alert.attempts)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "INSERT INTO delivery_attempts (id, outbox_id, attempt, started_at, finished_at, outcome, detail)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(new_id())
        .bind(&alert.id)
        .bind(alert.attempts)
        .bind(started_at)
        .bind(now)
        .bind(finish.state.as_str())
        .bind(finish.detail.clone())
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(updated == 1)
    }

    /// Extends this dispatcher's lease on an alert just before sending it; false when the
    /// lease ran out and the alert was taken back (then it must not be sent from here).
    pub async fn renew_lease(&self, alert: &ClaimedAlert, lease_until: i64) -> Result<bool> {
        Ok(sqlx::query(
            "UPDATE outbox SET lease_until = $2
             WHERE id = $1 AND state = 'sending' AND attempts = $3",
        )
        .bind(&alert.id)
        .bind(lease_until)
        .bind(alert.attempts)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Puts alerts whose lease ran out (their dispatcher died mid-send) back in the queue.
    pub async fn requeue_expired_leases(&self, now: i64) -> Result<u64> {
        Ok(sqlx::query(
            "UPDATE outbox SET state = 'queued', lease_until = NULL, updated_at = $1
             WHERE state = 'sending' AND lease_until < $1",
        )
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    pub async fn event(&self, id: &str) -> Result<Option<EventRow>> {
        Ok(sqlx::query_as::<_, EventRow>(
            "SELECT source_id, kind, record_key, payload FROM events WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?)
    }

    /// The citizen's locale and sealed verified address on a channel, if both still exist.
    pub async fn recipient(
        &self,
        citizen_id: &str,
        channel: &str,
    ) -> Result<Option<(Option<String>, String)>> {
        let row = sqlx::query(
            "SELECT c.locale, k.address_enc FROM citizens c JOIN contacts k ON k.citizen_id = c.id
             WHERE c.id = $1 AND k.channel = $2 AND k.verified_at IS NOT NULL
               AND k.suppressed_at IS NULL
             ORDER BY k.created_at LIMIT 1",
        )
        .bind(citizen_id)
        .bind(channel)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("locale")?, r.try_get("address_enc")?)))
            .transpose()
    }

    pub async fn alerts(&self) -> Result<Vec<AlertRow>> {
        Ok(sqlx::query_as::<_, AlertRow>(
            "SELECT id, event_id, tenant_id, citizen_id, kind, state, attempts, last_error
             FROM outbox ORDER BY created_at, id",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// Alerts per (channel, state), for metrics.
    pub async fn alert_counts_by_channel(&self) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as::<_, (String, String, i64)>(
            "SELECT channel, state, COUNT(*) AS n FROM outbox GROUP BY channel, state ORDER BY channel, state",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    /// When the oldest alert still waiting to be sent became due, if any.
    pub async fn oldest_pending_due(&self) -> Result<Option<i64>> {
        Ok(sqlx::query(
            "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE state IN ('queued', 'sending')",
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("t")?)
    }

    /// Alerts per state, for metrics.
    pub async fn alert_counts(&self) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as::<_, (String, i64)>(
            "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state ORDER BY state",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    pub async fn attempts_of(&self, alert_id: &str) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as::<_, (i64, String)>(
            "SELECT attempt, outcome FROM delivery_attempts WHERE outbox_id = $1 ORDER BY attempt",
        )
        .bind(alert_id)
        .fetch_all(&self.pool)
        .await?)
    }
}

impl Store {
    /// Gives claimed alerts back unsent (on shutdown), as if never claimed.
    pub async fn release(&self, alerts: &[ClaimedAlert]) -> Result<()> {
        for a in alerts {
            sqlx::query(
                "UPDATE outbox SET state = 'queued', lease_until = NULL, attempts = attempts - 1
                 WHERE id = $1 AND state = 'sending' AND attempts = $2",
            )
            .bind(&a.id)
            .bind(a.attempts)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }
}
