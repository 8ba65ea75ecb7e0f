//! The dispatcher: claims due alerts under a lease, re-checks each one, renders and sends
//! it, and records the attempt. No database transaction is open while a message is sent.
//!
//! Delivery is at-least-once: a dispatcher that dies mid-send leaves the alert `sending`
//! until its lease runs out and another takes it; the Message-ID is derived from the
//! alert's id, so a duplicate after a crash is recognisable.

use crate::app::App;
use crate::store::{AlertState, ClaimedAlert, Finish, StoreError};
use hlidac_adapters::Receivable;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use rand::Rng;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub dead: usize,
    pub suppressed: usize,
    pub expired: usize,
    pub would_send: usize,
}

impl DispatchReport {
    fn count(&mut self, state: AlertState) {
        match state {
            AlertState::Sent => self.sent += 1,
            AlertState::Queued => self.retried += 1,
            AlertState::Failed => self.failed += 1,
            AlertState::Dead => self.dead += 1,
            AlertState::Suppressed => self.suppressed += 1,
            AlertState::Expired => self.expired += 1,
            AlertState::WouldSend => self.would_send += 1,
            AlertState::Sending => {}
        }
    }
}

/// Sends every alert due now; for tests and one-shot runs.
pub async fn dispatch_pending(app: &App) -> Result<DispatchReport, StoreError> {
    dispatch_pending_until(app, &CancellationToken::new()).await
}

/// Sends alerts due now until none are left or `stop` is cancelled; an alert being sent
/// when `stop` fires is finished, the rest of the claimed batch is released.
pub async fn dispatch_pending_until(
    app: &App,
    stop: &CancellationToken,
) -> Result<DispatchReport, StoreError> {
    let cfg = &app.config.dispatch;
    let mut report = DispatchReport::default();
    let now = app.clock.now_ms();
    app.store.requeue_expired_leases(now).await?;
    loop {
        let lease_until = now + (cfg.lease_secs as i64) * 1000;
        let batch = app
            .store
            .claim_due(now, lease_until, cfg.batch_size)
            .await?;
        let full = batch.len() as u32 == cfg.batch_size;
        let mut rest = batch.into_iter();
        for alert in rest.by_ref() {
            let lease_until = app.clock.now_ms() + (cfg.lease_secs as i64) * 1000;
            if !app.store.renew_lease(&alert, lease_until).await? {
                tracing::warn!(alert = %alert.id, "lease ran out before sending; another dispatcher has it");
                continue;
            }
            let started = app.clock.now_ms();
            let timer = std::time::Instant::now();
            let finish = deliver(app, &alert).await;
            app.heartbeats.dispatcher();
            let due_for = (finish.state == AlertState::Sent).then(|| {
                std::time::Duration::from_millis((app.clock.now_ms() - alert.due_at).max(0) as u64)
            });
            app.metrics.alert_finished(
                &alert.channel,
                finish.state.as_str(),
                timer.elapsed(),
                due_for,
            );
            report.count(finish.state);
            if matches!(finish.state, AlertState::Dead | AlertState::Failed) {
                tracing::warn!(alert = %alert.id, tenant = %alert.tenant_id, kind = %alert.kind,
                    state = finish.state.as_str(), detail = ?finish.detail, "alert not delivered");
            }
            app.store
                .finish_alert(&alert, &finish, started, app.clock.now_ms())
                .await?;
            if stop.is_cancelled() {
                break;
            }
        }
        let unsent: Vec<ClaimedAlert> = rest.collect();
        if !unsent.is_empty() {
            app.store.release(&unsent).await?;
            return Ok(report);
        }
        if !full || stop.is_cancelled() {
            return Ok(report);
        }
    }
}

fn finish(state: AlertState, detail: impl Into<Option<String>>) -> Finish {
    Finish {
        state,
        next_attempt_at: None,
        detail: detail.into(),
    }
}

async fn deliver(app: &App, alert: &ClaimedAlert) -> Finish {
    match prepare(app, alert).await {
        Ok(Ok(_)) if alert.dry_run => finish(AlertState::WouldSend, "dry run".to_string()),
        Ok(Ok(message)) => match app.mailer.send(&message, &alert.id).await {
            Ok(()) => finish(AlertState::Sent, None),
            Err(crate::notify::SendError::Permanent(d)) => finish(AlertState::Failed, d),
            Err(crate::notify::SendError::Temporary(d)) => retry(app, alert, d),
        },
        Ok(Err(done)) => done,
        Err(e) => retry(app, alert, format!("store: {e}")),
    }
}

/// Schedules another attempt with exponential backoff and jitter, or dead-letters.
fn retry(app: &App, alert: &ClaimedAlert, detail: String) -> Finish {
    let cfg = &app.config.dispatch;
    if alert.attempts >= i64::from(cfg.max_attempts) {
        return finish(
            AlertState::Dead,
            format!("{detail} (after {} attempts)", alert.attempts),
        );
    }
    let exp = (alert.attempts.max(1) - 1).min(30) as u32;
    let base = cfg
        .backoff_initial_secs
        .saturating_mul(2u64.saturating_pow(exp))
        .min(cfg.backoff_max_secs) as f64;
    let jittered = base * rand::thread_rng().gen_range(0.8..=1.2);
    Finish {
        state: AlertState::Queued,
        next_attempt_at: Some(app.clock.now_ms() + (jittered * 1000.0) as i64),
        detail: Some(detail),
    }
}

/// Builds the message, or says why the alert ends without one.
async fn prepare(app: &App, alert: &ClaimedAlert) -> Result<Result<Message, Finish>, StoreError> {
    let now = app.clock.now_ms();
    if alert.expires_at.is_some_and(|t| t <= now) {
        return Ok(Err(finish(
            AlertState::Expired,
            "its date has passed".to_string(),
        )));
    }
    let Some(tenant) = app.config.tenant(&alert.tenant_id) else {
        return Ok(Err(finish(
            AlertState::Suppressed,
            "tenant no longer configured".to_string(),
        )));
    };
    let Some(event) = app.store.event(&alert.event_id).await? else {
        return Ok(Err(finish(
            AlertState::Failed,
            "its event is missing".to_string(),
        )));
    };
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    if matches!(
        event.kind.as_str(),
        "receivable.reminder" | "receivable.overdue"
    ) {
        if let Some(reason) = settled_since(app, &alert.tenant_id, &event, &payload).await? {
            return Ok(Err(finish(AlertState::Suppressed, reason)));
        }
    }
    let Some((locale, address_enc)) = app
        .store
        .recipient(&alert.citizen_id, &alert.channel)
        .await?
    else {
        return Ok(Err(finish(
            AlertState::Suppressed,
            "no verified contact".to_string(),
        )));
    };
    let Ok(address) = app.crypto.open(&address_enc) else {
        return Ok(Err(finish(
            AlertState::Failed,
            "contact cannot be decrypted".to_string(),
        )));
    };
    let locale = locale.unwrap_or_else(|| tenant.locale.clone());
    let base = app.config.web.public_url();
    let unsubscribe = |topic| {
        let token = crate::web::unsubscribe::token(&app.crypto, &alert.citizen_id, topic);
        format!("{base}/unsubscribe/{token}")
    };
    let ctx = serde_json::json!({
        "tenant": {"id": tenant.id, "name": tenant.name, "web": tenant.branding.web},
        "alert": payload,
        "unsubscribe_url": unsubscribe(None),
    });
    let mut rendered = match app.templates.render(&tenant.id, &locale, &event.kind, &ctx) {
        Ok(r) => r,
        Err(e) => return Ok(Err(finish(AlertState::Failed, e.to_string()))),
    };
    if let Some(footer) = &tenant.branding.footer {
        rendered.body = format!("{}\n\n-- \n{}\n", rendered.body.trim_end(), footer.trim());
    }
    let from = Mailbox::new(
        Some(
            tenant
                .sender
                .name
                .clone()
                .unwrap_or_else(|| tenant.name.clone()),
        ),
        match tenant.sender.email.parse() {
            Ok(a) => a,
            Err(_) => {
                return Ok(Err(finish(
                    AlertState::Failed,
                    "bad sender address".to_string(),
                )))
            }
        },
    );
    let to: Mailbox = match address.parse() {
        Ok(m) => m,
        Err(_) => {
            return Ok(Err(finish(
                AlertState::Failed,
                "bad recipient address".to_string(),
            )))
        }
    };
    let domain = tenant
        .sender
        .email
        .rsplit('@')
        .next()
        .unwrap_or("hlidac.invalid");
    let date =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(now.max(0) as u64);
    let html = crate::notify::templates::to_html(
        &rendered.subject,
        &rendered.body,
        &tenant.name,
        tenant.branding.color.as_deref(),
    );
    // RFC 8058 one-click: this topic only; the footer's link stops everything.
    let list_unsubscribe = format!(
        "<{}>",
        unsubscribe(Some(crate::store::topic_of(&event.kind)))
    );
    let message = Message::builder()
        .from(from)
        .to(to)
        .subject(rendered.subject)
        .message_id(Some(format!("<{}@{}>", alert.id, domain)))
        .date(date)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            list_unsubscribe,
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
            "List-Unsubscribe=One-Click".into(),
        ))
        .multipart(MultiPart::alternative_plain_html(rendered.body, html));
    match message {
        Ok(mut m) => {
            if let Some(dkim) = app.dkim(&tenant.id) {
                m.sign(dkim);
            }
            Ok(Ok(m))
        }
        Err(e) => Ok(Err(finish(
            AlertState::Failed,
            format!("cannot build the message: {e}"),
        ))),
    }
}

/// Re-checks a reminder's condition at send time: says why it no longer applies, if so.
async fn settled_since(
    app: &App,
    tenant: &str,
    event: &crate::store::EventRow,
    payload: &serde_json::Value,
) -> Result<Option<String>, StoreError> {
    let obs = app
        .store
        .observation(tenant, &event.source_id, "receivable", &event.record_key)
        .await?;
    let Some(obs) = obs else {
        return Ok(Some("the receivable is no longer known".into()));
    };
    let Ok(r) = serde_json::from_str::<Receivable>(&obs.data) else {
        return Ok(Some("the stored receivable does not parse".into()));
    };
    let still_open = if event.kind == "receivable.discount_ending" {
        r.open_discount().is_some()
    } else {
        let due = payload["due_date"].as_str().and_then(|d| d.parse().ok());
        r.unpaid_instalments().any(|i| Some(i.due_date) == due)
    };
    Ok((!still_open).then(|| "settled in the meantime".into()))
}
