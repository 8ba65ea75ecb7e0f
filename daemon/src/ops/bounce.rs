//! `hlidac bounce`: one report from the mail system (a DSN or an ARF complaint, as Postfix's
//! `pipe` transport or an alias delivers it on standard input) applied to the alert its
//! VERP return path names. A report whose address does not verify, or that names no alert
//! of hlidac's, changes nothing and is logged; so is anything that is not a report. Logs
//! name the alert and the outcome, never an address or the message.

use crate::config::Config;
use crate::crypto::Crypto;
use crate::notify::feedback::{self, Outcome, ReportError};
use crate::store::{FeedbackIn, Store};

/// What became of one report.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// Applied to an alert; the contact is undeliverable now when `undeliverable`.
    Applied {
        alert: String,
        outcome: Outcome,
        undeliverable: bool,
    },
    /// Not a report hlidac acts on (a delivery notice, a message that is no report).
    Ignored(ReportError),
    /// No address in it verifies: forged, or not hlidac's.
    Unverified,
    /// Its address verifies but names no e-mail alert held here.
    UnknownAlert(String),
}

/// Reads `raw` and applies it. `recipient` is the address the mail system delivered it to
/// (Postfix's `${recipient}`), checked first.
pub async fn take(
    config: &Config,
    store: &Store,
    crypto: &Crypto,
    raw: &[u8],
    recipient: Option<&str>,
    now: i64,
) -> Result<Taken, crate::store::StoreError> {
    let report = match feedback::read(raw) {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(reason = %e, "a message to the bounce address was not a report");
            return Ok(Taken::Ignored(e));
        }
    };
    apply(config, store, crypto, report, recipient, None, now).await
}

/// What the webhook's reports are held against: the same report again within its
/// signature window (a replayed or retried call) changes nothing.
pub const WEBHOOK_REPEAT_MS: i64 = 300_000;

/// Applies one report, read from a message or from the feedback webhook. `recipient`: the
/// address it came to, checked first; `tenant`: the only municipality whose alerts it may
/// concern (the webhook's, whose repeated reports are then not applied twice), any when
/// `None`.
pub async fn apply(
    config: &Config,
    store: &Store,
    crypto: &Crypto,
    report: feedback::Report,
    recipient: Option<&str>,
    tenant: Option<&str>,
    now: i64,
) -> Result<Taken, crate::store::StoreError> {
    let alert = recipient
        .into_iter()
        .map(str::to_string)
        .chain(report.verp.iter().cloned())
        .find_map(|a| feedback::verp_alert(crypto, &a));
    let Some(alert) = alert else {
        tracing::warn!(
            outcome = report.outcome.as_str(),
            "a report with no valid return path changed nothing (forged, or not ours)"
        );
        return Ok(Taken::Unverified);
    };
    let address_hash = report
        .recipient
        .as_deref()
        .map(|r| crypto.contact_hash("email", r));
    // The soft limit is the alert's municipality's; the store finds the municipality.
    let limit = |tenant: &str| {
        config
            .tenant(tenant)
            .map(|t| i64::from(t.bounce_soft_limit.max(1)))
            .unwrap_or(3)
    };
    let repeat_window_ms = if tenant.is_some() {
        WEBHOOK_REPEAT_MS
    } else {
        0
    };
    let held_by = store
        .alert_tenant(&alert)
        .await?
        .filter(|t| tenant.is_none_or(|only| only == t));
    let applied = match held_by {
        Some(t) => {
            store
                .apply_feedback(
                    &FeedbackIn {
                        alert_id: &alert,
                        kind: report.outcome.as_str(),
                        status: report.status.as_deref(),
                        address_hash: address_hash.as_deref(),
                        soft_limit: limit(&t),
                        repeat_window_ms,
                    },
                    |kind| config.tenant(&t).is_some_and(|c| c.falls_back(kind)),
                    now,
                )
                .await?
        }
        None => None,
    };
    let Some(applied) = applied else {
        tracing::warn!(alert = %alert, "a report for an alert not held here changed nothing");
        return Ok(Taken::UnknownAlert(alert));
    };
    tracing::info!(
        alert = %alert,
        tenant = %applied.tenant_id,
        fallback_sms = applied.fallback,
        citizen_told_by_sms = applied.told,
        repeated = applied.repeated,
        outcome = report.outcome.as_str(),
        status = report.status.as_deref().unwrap_or(""),
        undeliverable = applied.undeliverable,
        "a delivery report was applied"
    );
    Ok(Taken::Applied {
        alert,
        outcome: report.outcome,
        undeliverable: applied.undeliverable,
    })
}
