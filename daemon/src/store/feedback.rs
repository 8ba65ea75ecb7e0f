//! Bounces and complaints applied: the alert marked, the contact made undeliverable (a
//! permanent failure, or `soft_limit` temporary ones since it was last confirmed; it then
//! needs confirming again, which the contacts page offers), the address unsubscribed
//! from the municipality's e-mails (a complaint), and each report recorded for the
//! reports and metrics.

use super::outbox::{claimed_alert, CLAIMED_COLUMNS};
use super::{args, new_id, run_in, Result, Store};
use sqlx::Row;

/// What a report changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedbackApplied {
    pub tenant_id: String,
    pub citizen_id: String,
    /// The contact is undeliverable now.
    pub undeliverable: bool,
    /// The alert's SMS was queued in its place (the tenant's fallback).
    pub fallback: bool,
    /// The SMS telling the citizen their address bounces was queued.
    pub told: bool,
    /// The same report came moments ago: nothing was changed again.
    pub repeated: bool,
}

/// A report about one e-mail alert, as read.
pub struct FeedbackIn<'a> {
    pub alert_id: &'a str,
    /// bounce, soft_bounce or complaint.
    pub kind: &'a str,
    pub status: Option<&'a str>,
    /// The keyed hash of the address it concerns (none: the citizen's first confirmed).
    pub address_hash: Option<&'a str>,
    /// Temporary failures that make the address undeliverable (the tenant's).
    pub soft_limit: i64,
    /// The same report (alert, kind, status) received this recently is a repetition and
    /// changes nothing (the webhook's signature window; 0 for mail, which is not replayed).
    pub repeat_window_ms: i64,
}

impl Store {
    /// Applies a report to its alert and to the contact it concerns. In the same
    /// transaction, a permanent failure queues the alert's SMS when `falls_back` says its
    /// kind does, and a contact that has just become undeliverable the SMS that tells the
    /// citizen. `None`: no such e-mail alert.
    pub async fn apply_feedback(
        &self,
        report: &FeedbackIn<'_>,
        falls_back: impl Fn(&str) -> bool,
        now: i64,
    ) -> Result<Option<FeedbackApplied>> {
        let FeedbackIn {
            alert_id,
            kind,
            status,
            address_hash,
            soft_limit,
            repeat_window_ms,
        } = *report;
        let mut tx = self.pool.begin().await?;
        let Some(row) = sqlx::query(&format!(
            "SELECT {CLAIMED_COLUMNS} FROM outbox WHERE id = $1 AND channel = 'email'"
        ))
        .bind(alert_id)
        .fetch_optional(&mut *tx)
        .await?
        else {
            return Ok(None);
        };
        let alert = claimed_alert(&row, 0)?;
        let tenant_id = alert.tenant_id.clone();
        let citizen_id = alert.citizen_id.clone();
        // The same report again within the window (a webhook call replayed, or retried
        // after a failure part-way) is not counted twice.
        let seen = sqlx::query(
            "SELECT 1 FROM mail_feedback WHERE outbox_id = $1 AND kind = $2
               AND COALESCE(status, '') = $3 AND received_at > $4 AND $5 > 0",
        )
        .bind(alert_id)
        .bind(kind)
        .bind(status.unwrap_or(""))
        .bind(now - repeat_window_ms)
        .bind(repeat_window_ms)
        .fetch_optional(&mut *tx)
        .await?;
        if seen.is_some() {
            return Ok(Some(FeedbackApplied {
                tenant_id,
                citizen_id,
                undeliverable: false,
                fallback: false,
                told: false,
                repeated: true,
            }));
        }
        run_in(
            &mut tx,
            "INSERT INTO mail_feedback (id, tenant_id, outbox_id, citizen_id, kind, status, received_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            args![new_id(), &tenant_id, alert_id, &citizen_id, kind, status, now],
        )
        .await?;
        let contact: Option<String> = sqlx::query(
            "SELECT id FROM contacts WHERE citizen_id = $1 AND channel = 'email'
               AND ($2 = '' OR address_hash = $2) AND verified_at IS NOT NULL
             ORDER BY created_at, id",
        )
        .bind(&citizen_id)
        .bind(address_hash.unwrap_or(""))
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| r.try_get("id"))
        .transpose()?;
        let mut undeliverable = false;
        match kind {
            "bounce" | "soft_bounce" => {
                // A permanent failure ends the alert as bounced; a temporary one only counts.
                let error = format!("{kind} {}", status.unwrap_or(""));
                run_in(
                    &mut tx,
                    "UPDATE outbox SET state = 'bounced', last_error = $2, updated_at = $3
                     WHERE id = $1 AND $4 = 'bounce'",
                    args![alert_id, error.trim_end().to_string(), now, kind],
                )
                .await?;
                if let Some(contact) = &contact {
                    run_in(
                        &mut tx,
                        "UPDATE contacts SET soft_bounces = soft_bounces + 1 WHERE id = $1",
                        args![contact],
                    )
                    .await?;
                    undeliverable = run_in(
                        &mut tx,
                        "UPDATE contacts SET undeliverable_at = $2, verified_at = NULL
                         WHERE id = $1 AND undeliverable_at IS NULL
                           AND ($3 = 'bounce' OR soft_bounces >= $4)",
                        args![contact, now, kind, soft_limit],
                    )
                    .await?
                        > 0;
                }
            }
            _ => {
                // A complaint: no more e-mail from this municipality to this citizen.
                run_in(
                    &mut tx,
                    "DELETE FROM subscriptions WHERE citizen_id = $1 AND channel = 'email'",
                    args![&citizen_id],
                )
                .await?;
                run_in(
                    &mut tx,
                    "UPDATE outbox SET state = 'suppressed', last_error = 'complaint', updated_at = $2
                     WHERE citizen_id = $1 AND channel = 'email' AND state IN ('queued', 'held')",
                    args![&citizen_id, now],
                )
                .await?;
            }
        }
        let fallback = kind == "bounce"
            && alert.kind != super::DIGEST
            && falls_back(&alert.kind)
            && super::fallback::queue_in(&mut tx, &alert, now).await?;
        let told = undeliverable && super::fallback::notice_in(&mut tx, &alert, now).await?;
        tx.commit().await?;
        Ok(Some(FeedbackApplied {
            tenant_id,
            citizen_id,
            undeliverable,
            fallback,
            told,
            repeated: false,
        }))
    }

    /// The municipality of an e-mail alert, if it is held here.
    pub async fn alert_tenant(&self, alert_id: &str) -> Result<Option<String>> {
        self.optional_value(
            "SELECT tenant_id FROM outbox WHERE id = $1 AND channel = 'email'",
            args![alert_id],
        )
        .await
    }

    /// The reports about a citizen's e-mails, for their export: kind, status and when.
    pub async fn feedback_about(
        &self,
        citizen_id: &str,
    ) -> Result<Vec<(String, Option<String>, i64)>> {
        self.all(
            "SELECT kind, status, received_at FROM mail_feedback
             WHERE citizen_id = $1 ORDER BY received_at, id",
            args![citizen_id],
        )
        .await
    }

    /// Every report received, per tenant and kind (bounce, soft_bounce, complaint).
    pub async fn feedback_totals(&self) -> Result<Vec<(String, String, i64)>> {
        self.all(
            "SELECT tenant_id, kind, COUNT(*) AS n FROM mail_feedback
             GROUP BY tenant_id, kind ORDER BY tenant_id, kind",
            args![],
        )
        .await
    }

    /// Reports received per kind for a tenant, in a period.
    pub async fn feedback_counts(
        &self,
        tenant_id: &str,
        from: i64,
        to: i64,
    ) -> Result<Vec<(String, i64)>> {
        self.all(
            "SELECT kind, COUNT(*) AS n FROM mail_feedback
             WHERE tenant_id = $1 AND received_at >= $2 AND received_at < $3
             GROUP BY kind ORDER BY kind",
            args![tenant_id, from, to],
        )
        .await
    }
}
