//! The outbox: alerts waiting to be sent, claimed under a lease, finished with a record of
//! each attempt.

use super::{args, marks, new_id, run_in, value_rows, Backend, Result, Store, BATCH};
use sqlx::Row;
use std::collections::HashMap;

/// Where an alert stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
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
    /// A delivery receipt said it reached the phone.
    Delivered,
    /// Waiting for its digest (`digest_key`), sent with it.
    Held,
}

impl AlertState {
    /// States after which nothing more is attempted.
    pub fn is_final(self) -> bool {
        !matches!(
            self,
            AlertState::Queued | AlertState::Sending | AlertState::Held
        )
    }
}

impl AlertState {
    pub fn as_str(self) -> &'static str {
        self.into()
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
    /// Until when this dispatcher holds it.
    pub lease_until: i64,
}

/// The columns [`claimed_alert`] reads.
pub(super) const CLAIMED_COLUMNS: &str =
    "id, event_id, tenant_id, citizen_id, channel, kind, attempts, expires_at, dry_run, next_attempt_at";

/// An outbox row (of [`CLAIMED_COLUMNS`]) as a dispatcher holds it until `lease_until`.
pub(super) fn claimed_alert(
    r: &sqlx::any::AnyRow,
    lease_until: i64,
) -> std::result::Result<ClaimedAlert, sqlx::Error> {
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
        lease_until,
    })
}

/// How one attempt ended.
#[derive(Clone, Debug)]
pub struct Finish {
    pub state: AlertState,
    /// For a queued (retry) or held outcome: when to try again.
    pub next_attempt_at: Option<i64>,
    pub detail: Option<String>,
    /// False when nothing was attempted (quiet hours, held for a digest): the attempt is
    /// given back and no attempt is recorded.
    pub counts: bool,
    /// SMS parts the text took.
    pub parts: Option<i64>,
    /// (provider, its id for the message), one per part, for matching delivery receipts.
    pub refs: Vec<(String, String)>,
    /// Held for the digest with this key (state `held`).
    pub digest_key: Option<String>,
    /// For a digest: the members left out at send time and why (expired, settled).
    pub dropped: Vec<(String, AlertState, String)>,
    /// A dead e-mail alert whose tenant falls back: its SMS is queued with this record.
    pub fallback: bool,
}

impl Finish {
    pub fn new(state: AlertState, detail: impl Into<Option<String>>) -> Finish {
        Finish {
            state,
            next_attempt_at: None,
            detail: detail.into(),
            counts: true,
            parts: None,
            refs: Vec::new(),
            digest_key: None,
            dropped: Vec::new(),
            fallback: false,
        }
    }

    /// Not attempted now; back in the queue until `at`, the attempt not counted.
    pub fn later(at: i64, why: String) -> Finish {
        Finish {
            next_attempt_at: Some(at),
            counts: false,
            ..Finish::new(AlertState::Queued, why)
        }
    }
}

/// An attempt's end as the dispatcher hands it to the store.
#[derive(Clone, Debug)]
pub struct Finished {
    pub alert: ClaimedAlert,
    pub finish: Finish,
    pub started_at: i64,
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

/// The kind of a digest alert: it carries other alerts (its members).
pub const DIGEST: &str = "digest";

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct DigestMember {
    pub id: String,
    pub event_id: String,
    pub kind: String,
    pub expires_at: Option<i64>,
}

/// Where and how a citizen is told on one channel.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RecipientRow {
    pub citizen_id: String,
    pub channel: String,
    pub locale: Option<String>,
    pub address_enc: String,
    pub quiet_hours: Option<String>,
    pub delivery: Option<String>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct EventRow {
    pub id: String,
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
             RETURNING {CLAIMED_COLUMNS}"
        );
        let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
        let rows = sqlx::query(&sql)
            .bind(lease_until)
            .bind(now)
            .bind(i64::from(limit))
            .fetch_all(&self.pool)
            .await?;
        let mut out = rows
            .iter()
            .map(|r| claimed_alert(r, lease_until))
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
        let one = Finished {
            alert: alert.clone(),
            finish: finish.clone(),
            started_at,
        };
        Ok(self.finish_alerts(std::slice::from_ref(&one), now).await? == 1)
    }

    /// Records the end of many attempts in one transaction: each alert moves on if its
    /// dispatcher still holds it (same state and attempt count), every counted attempt is
    /// kept, a provider's message ids are kept for its receipts, and a finished digest
    /// takes its members along. Returns how many alerts moved.
    pub async fn finish_alerts(&self, done: &[Finished], now: i64) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut moved = 0;
        for chunk in done.chunks(BATCH) {
            let sql = format!(
                "UPDATE outbox SET state = v.column2,
                    next_attempt_at = COALESCE(v.column3, outbox.next_attempt_at),
                    lease_until = NULL, last_error = v.column4,
                    sent_at = COALESCE(v.column5, outbox.sent_at),
                    parts = COALESCE(v.column6, outbox.parts),
                    attempts = outbox.attempts - v.column7,
                    digest_key = COALESCE(v.column8, outbox.digest_key), updated_at = v.column9,
                    first_due_at = CASE WHEN v.column7 = 1 THEN NULL
                        WHEN v.column2 = 'queued' THEN COALESCE(outbox.first_due_at, v.column11)
                        ELSE outbox.first_due_at END
                 FROM (VALUES {}) AS v
                 WHERE outbox.id = v.column1 AND outbox.state = 'sending'
                   AND outbox.attempts = v.column10
                 RETURNING id",
                value_rows(chunk.len(), 11)
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query(&sql);
            for f in chunk {
                let sent = matches!(f.finish.state, AlertState::Sent);
                q = q
                    .bind(&f.alert.id)
                    .bind(f.finish.state.as_str())
                    .bind(f.finish.next_attempt_at)
                    .bind(f.finish.detail.clone())
                    .bind(sent.then_some(now))
                    .bind(f.finish.parts)
                    .bind(i64::from(!f.finish.counts))
                    .bind(f.finish.digest_key.clone())
                    .bind(now)
                    .bind(f.alert.attempts)
                    .bind(f.alert.due_at);
            }
            // Only the alerts this dispatcher still held move on (and have a fallback).
            let moved_ids: std::collections::HashSet<String> = q
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>(0))
                .collect::<std::result::Result<_, _>>()?;
            moved += moved_ids.len() as u64;
            // An alert this dispatcher no longer held may have been deleted meanwhile (its
            // citizen erased): its attempt and message ids have no row to belong to.
            let mut gone = std::collections::HashSet::new();
            for f in chunk.iter().filter(|f| !moved_ids.contains(&f.alert.id)) {
                let stands = sqlx::query("SELECT 1 FROM outbox WHERE id = $1")
                    .bind(&f.alert.id)
                    .fetch_optional(&mut *tx)
                    .await?
                    .is_some();
                if !stands {
                    gone.insert(f.alert.id.as_str());
                }
            }
            let chunk: Vec<&Finished> = chunk
                .iter()
                .filter(|f| !gone.contains(f.alert.id.as_str()))
                .collect();
            let counted: Vec<&Finished> =
                chunk.iter().copied().filter(|f| f.finish.counts).collect();
            if !counted.is_empty() {
                let sql = format!(
                    "INSERT INTO delivery_attempts (id, outbox_id, attempt, started_at,
                        finished_at, outcome, detail) VALUES {}",
                    value_rows(counted.len(), 7)
                );
                let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
                let mut q = sqlx::query(&sql);
                for f in &counted {
                    q = q
                        .bind(new_id())
                        .bind(&f.alert.id)
                        .bind(f.alert.attempts)
                        .bind(f.started_at)
                        .bind(now)
                        .bind(f.finish.state.as_str())
                        .bind(f.finish.detail.clone());
                }
                q.execute(&mut *tx).await?;
            }
            let refs: Vec<(&str, &(String, String))> = chunk
                .iter()
                .flat_map(|f| f.finish.refs.iter().map(|r| (f.alert.id.as_str(), r)))
                .collect();
            for part in refs.chunks(BATCH) {
                let sql = format!(
                    "INSERT INTO provider_refs (outbox_id, provider, ref, status, updated_at)
                     VALUES {} ON CONFLICT (provider, ref) DO NOTHING",
                    value_rows(part.len(), 5)
                );
                let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
                let mut q = sqlx::query(&sql);
                for (id, (provider, r)) in part {
                    q = q.bind(*id).bind(provider).bind(r).bind("sent").bind(now);
                }
                q.execute(&mut *tx).await?;
            }
            for f in chunk.iter().filter(|f| {
                f.finish.fallback
                    && f.finish.state == AlertState::Dead
                    && moved_ids.contains(&f.alert.id)
            }) {
                super::fallback::queue_in(&mut tx, &f.alert, now).await?;
            }
            for f in chunk.iter().filter(|f| f.alert.kind == DIGEST) {
                if !f.finish.state.is_final() {
                    continue;
                }
                for (member, state, why) in &f.finish.dropped {
                    run_in(
                        &mut tx,
                        "UPDATE outbox SET state = $2, last_error = $3, updated_at = $4
                         WHERE id = $1 AND state = 'digested'",
                        args![member, state.as_str(), why, now],
                    )
                    .await?;
                }
                let sent = matches!(f.finish.state, AlertState::Sent);
                run_in(
                    &mut tx,
                    "UPDATE outbox SET state = $2, last_error = $3, sent_at = $4, updated_at = $5
                     WHERE digest_id = $1 AND state = 'digested'",
                    args![
                        &f.alert.id,
                        f.finish.state.as_str(),
                        f.finish.detail.clone(),
                        sent.then_some(now),
                        now
                    ],
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(moved)
    }

    /// Gathers held alerts whose digest is due into one digest alert per key. Race-free:
    /// the members move in one statement that only takes alerts still `held`, so an alert
    /// held after it ran waits for the next gathering and none is in two digests. Returns
    /// how many digests were made.
    pub async fn gather_digests(&self, now: i64) -> Result<usize> {
        let keys: Vec<(String,)> = self
            .all(
                "SELECT DISTINCT digest_key FROM outbox
                 WHERE state = 'held' AND next_attempt_at <= $1 AND digest_key IS NOT NULL
                 LIMIT 1000",
                args![now],
            )
            .await?;
        let mut made = 0;
        for (key,) in keys {
            let id = new_id();
            let mut tx = self.pool.begin().await?;
            let members = sqlx::query(
                "UPDATE outbox SET state = 'digested', digest_id = $2, updated_at = $3
                 WHERE digest_key = $1 AND state = 'held' AND next_attempt_at <= $3
                 RETURNING event_id, tenant_id, citizen_id, channel, dry_run",
            )
            .bind(&key)
            .bind(&id)
            .bind(now)
            .fetch_all(&mut *tx)
            .await?;
            let Some(first) = members.first() else {
                tx.rollback().await?;
                continue;
            };
            run_in(
                &mut tx,
                "INSERT INTO outbox (id, dedupe_key, event_id, tenant_id, citizen_id, channel,
                    kind, state, next_attempt_at, created_at, updated_at, dry_run)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $8, $8, $9)",
                args![
                    &id,
                    format!("digest:{id}"),
                    first.try_get::<String, _>("event_id")?,
                    first.try_get::<String, _>("tenant_id")?,
                    first.try_get::<String, _>("citizen_id")?,
                    first.try_get::<String, _>("channel")?,
                    DIGEST,
                    now,
                    first.try_get::<i64, _>("dry_run")?
                ],
            )
            .await?;
            tx.commit().await?;
            made += 1;
        }
        Ok(made)
    }

    /// The alerts a digest carries: (id, event id, expiry), oldest first.
    pub async fn digest_members(&self, digest_id: &str) -> Result<Vec<DigestMember>> {
        self.all(
            "SELECT id, event_id, kind, expires_at FROM outbox WHERE digest_id = $1
             ORDER BY created_at, id",
            args![digest_id],
        )
        .await
    }

    /// Applies a delivery receipt: the part's status is kept; the alert becomes
    /// `delivered` once every part is delivered, `failed` as soon as one is not.
    /// Returns false for a receipt about a message this store does not know.
    pub async fn record_receipt(
        &self,
        provider: &str,
        reference: &str,
        delivered: bool,
        detail: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let row: Option<(String,)> = sqlx::query_as(
            "UPDATE provider_refs SET status = $3, updated_at = $4
             WHERE provider = $1 AND ref = $2 RETURNING outbox_id",
        )
        .bind(provider)
        .bind(reference)
        .bind(if delivered { "delivered" } else { "failed" })
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some((outbox_id,)) = row else {
            tx.rollback().await?;
            return Ok(false);
        };
        if delivered {
            run_in(
                &mut tx,
                "UPDATE outbox SET state = 'delivered', delivered_at = $2, updated_at = $2
                 WHERE id = $1 AND state = 'sent'
                   AND NOT EXISTS (SELECT 1 FROM provider_refs p WHERE p.outbox_id = $1
                                   AND p.status <> 'delivered')",
                args![&outbox_id, now],
            )
            .await?;
        } else {
            run_in(
                &mut tx,
                "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = $3
                 WHERE id = $1 AND state IN ('sent', 'delivered')",
                args![&outbox_id, format!("delivery receipt: {detail}"), now],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Extends this dispatcher's lease on an alert just before sending it; false when the
    /// lease ran out and the alert was taken back (then it must not be sent from here).
    pub async fn renew_lease(&self, alert: &ClaimedAlert, lease_until: i64) -> Result<bool> {
        self.run(
            "UPDATE outbox SET lease_until = $2
             WHERE id = $1 AND state = 'sending' AND attempts = $3",
            args![&alert.id, lease_until, alert.attempts],
        )
        .await
        .map(|renewed| renewed == 1)
    }

    /// Puts alerts whose lease ran out (their dispatcher died mid-send) back in the queue.
    pub async fn requeue_expired_leases(&self, now: i64) -> Result<u64> {
        self.run(
            "UPDATE outbox SET state = 'queued', lease_until = NULL, updated_at = $1
             WHERE state = 'sending' AND lease_until < $1",
            args![now],
        )
        .await
    }

    pub async fn event(&self, id: &str) -> Result<Option<EventRow>> {
        Ok(self.events_by_id(&[id.to_string()]).await?.remove(id))
    }

    /// Events by id, a batch per statement.
    pub async fn events_by_id(&self, ids: &[String]) -> Result<HashMap<String, EventRow>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(BATCH) {
            let sql = format!(
                "SELECT id, source_id, kind, record_key, payload FROM events WHERE id IN ({})",
                marks(1, chunk.len())
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query_as::<_, EventRow>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            for e in q.fetch_all(&self.pool).await? {
                out.insert(e.id.clone(), e);
            }
        }
        Ok(out)
    }

    /// The citizen's locale and sealed verified address on a channel, if both still exist.
    pub async fn recipient(
        &self,
        citizen_id: &str,
        channel: &str,
    ) -> Result<Option<(Option<String>, String)>> {
        let key = (citizen_id.to_string(), channel.to_string());
        Ok(self
            .recipients(std::slice::from_ref(&key))
            .await?
            .remove(&key)
            .map(|r| (r.locale, r.address_enc)))
    }

    /// For each (citizen, channel): the citizen's preferences and their first verified,
    /// unsuppressed contact on that channel; pairs without one are left out.
    pub async fn recipients(
        &self,
        pairs: &[(String, String)],
    ) -> Result<HashMap<(String, String), RecipientRow>> {
        let mut out = HashMap::new();
        let citizens: Vec<&String> = {
            let mut c: Vec<&String> = pairs.iter().map(|(c, _)| c).collect();
            c.sort();
            c.dedup();
            c
        };
        for chunk in citizens.chunks(BATCH) {
            let sql = format!(
                "SELECT c.id AS citizen_id, k.channel, c.locale, k.address_enc, c.quiet_hours,
                    c.delivery
                 FROM citizens c JOIN contacts k ON k.citizen_id = c.id
                 WHERE c.id IN ({}) AND k.verified_at IS NOT NULL AND k.suppressed_at IS NULL AND k.undeliverable_at IS NULL
                 ORDER BY k.created_at, k.id",
                marks(1, chunk.len())
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query_as::<_, RecipientRow>(&sql);
            for c in chunk {
                q = q.bind(*c);
            }
            for r in q.fetch_all(&self.pool).await? {
                out.entry((r.citizen_id.clone(), r.channel.clone()))
                    .or_insert(r);
            }
        }
        let wanted: std::collections::HashSet<&(String, String)> = pairs.iter().collect();
        out.retain(|k, _| wanted.contains(k));
        Ok(out)
    }

    pub async fn alerts(&self) -> Result<Vec<AlertRow>> {
        self.all(
            "SELECT id, event_id, tenant_id, citizen_id, kind, state, attempts, last_error
             FROM outbox ORDER BY created_at, id",
            args![],
        )
        .await
    }

    /// Alerts per (channel, state), for metrics.
    pub async fn alert_counts_by_channel(&self) -> Result<Vec<(String, String, i64)>> {
        self.all(
            "SELECT channel, state, COUNT(*) AS n FROM outbox GROUP BY channel, state ORDER BY channel, state",
            args![],
        )
        .await
    }

    /// When the oldest alert still waiting to be sent became due, if any.
    pub async fn oldest_pending_due(&self) -> Result<Option<i64>> {
        self.value(
            "SELECT MIN(COALESCE(first_due_at, next_attempt_at)) AS t FROM outbox
             WHERE state IN ('queued', 'sending')",
            args![],
        )
        .await
    }

    /// Alerts per state, for metrics.
    pub async fn alert_counts(&self) -> Result<Vec<(String, i64)>> {
        self.all(
            "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state ORDER BY state",
            args![],
        )
        .await
    }

    pub async fn attempts_of(&self, alert_id: &str) -> Result<Vec<(i64, String)>> {
        self.all(
            "SELECT attempt, outcome FROM delivery_attempts WHERE outbox_id = $1 ORDER BY attempt",
            args![alert_id],
        )
        .await
    }
}

impl Store {
    /// Gives claimed alerts back unsent (on shutdown), as if never claimed.
    pub async fn release(&self, alerts: &[ClaimedAlert]) -> Result<()> {
        for chunk in alerts.chunks(BATCH) {
            let sql = format!(
                "UPDATE outbox SET state = 'queued', lease_until = NULL,
                    attempts = outbox.attempts - 1
                 FROM (VALUES {}) AS v
                 WHERE outbox.id = v.column1 AND outbox.state = 'sending'
                   AND outbox.attempts = v.column2",
                value_rows(chunk.len(), 2)
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query(&sql);
            for a in chunk {
                q = q.bind(&a.id).bind(a.attempts);
            }
            q.execute(&self.pool).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::AlertState;
    use strum::VariantArray;

    /// The states are stored and compared in SQL by these names: renaming a variant must
    /// not rename what stored alerts say.
    #[test]
    fn alert_states_keep_their_stored_names() {
        let names: Vec<&str> = AlertState::VARIANTS.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "queued",
                "sending",
                "sent",
                "failed",
                "dead",
                "suppressed",
                "expired",
                "would_send",
                "delivered",
                "held"
            ]
        );
    }
}
