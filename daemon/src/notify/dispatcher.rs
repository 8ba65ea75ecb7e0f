//! The dispatcher: claims due alerts under a lease, re-checks and renders each one, sends
//! it, and records the attempt. No database transaction is open while a message is sent.
//!
//! Three stages run together: the claimer takes batches and renders them (one query for
//! their events, one for their recipients), the senders send `dispatch.concurrency`
//! messages at a time, and the recorder commits each group of finished attempts in one
//! transaction as soon as they come in, so the state of every alert is durable moments
//! after its send ends.
//!
//! Delivery is at-least-once: a dispatcher that dies mid-send leaves the alert `sending`
//! until its lease runs out and another takes it; the Message-ID is derived from the
//! alert's id, so a duplicate after a crash is recognisable.

use crate::app::App;
use crate::config::TenantConfig;
use crate::notify::schedule::{self, Window};
use crate::notify::SendError;
use crate::ops::health::Trouble;
use crate::store::{
    AlertState, ClaimedAlert, EventRow, Finish, Finished, RecipientRow, StoreError, DIGEST,
};
use futures::StreamExt;
use hlidac_adapters::Receivable;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::Message;
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
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
    /// Waiting for quiet hours to end or for their digest.
    pub deferred: usize,
}

impl DispatchReport {
    fn count(&mut self, finish: &Finish) {
        match finish.state {
            AlertState::Queued if !finish.counts => self.deferred += 1,
            AlertState::Held => self.deferred += 1,
            AlertState::Sent | AlertState::Delivered => self.sent += 1,
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

/// A rendered message, ready for its channel.
enum Outgoing {
    Email(Box<Message>),
    Sms {
        from: String,
        to: String,
        text: String,
    },
}

enum Done {
    /// With the in-doubt permit its send held, given back once the record is written.
    Finished(Box<Finished>, Option<OwnedSemaphorePermit>),
    /// Claimed but not sent (shutdown, the database failing): give it back as if never
    /// claimed.
    Release(ClaimedAlert),
    /// Its lease was taken back by another dispatcher: nothing to record.
    Lost,
    End,
}

/// Sends alerts due now until none are left or `stop` is cancelled; a message being sent
/// when `stop` fires is finished, the rest of the claimed ones are released.
///
/// When the database fails, the round ends with the error, but only after everything it
/// claimed is recorded or released: the recorder retries until the database takes it (or
/// shortly after `stop`), and while it cannot write, no new message is started and no
/// end of data is sent beyond the in-doubt bound.
pub async fn dispatch_pending_until(
    app: &App,
    stop: &CancellationToken,
) -> Result<DispatchReport, StoreError> {
    let cfg = &app.config.dispatch;
    let now = app.clock.now_ms();
    app.store.requeue_expired_leases(now).await?;
    app.store.gather_digests(now).await?;
    let lease_ms = (cfg.lease_secs as i64) * 1000;
    let (work_tx, mut work_rx) = mpsc::channel::<(ClaimedAlert, Outgoing)>(cfg.batch_size as usize);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    // Set while the recorder cannot write: claim nothing more, start no send.
    let blocked = AtomicBool::new(false);

    let claim = async {
        let result: Result<(), StoreError> = async {
            while !stop.is_cancelled() && !blocked.load(Ordering::Acquire) {
                let lease_until = app.clock.now_ms() + lease_ms;
                let batch = tokio::select! {
                    biased;
                    _ = stop.cancelled() => break,
                    b = app.store.claim_due(now, lease_until, cfg.batch_size) => b?,
                };
                let full = batch.len() as u32 == cfg.batch_size;
                let prepared = match prepare_batch(app, batch.clone()).await {
                    Ok(p) => p,
                    Err(e) => {
                        for alert in batch {
                            let _ = done_tx.send(Done::Release(alert));
                        }
                        return Err(e);
                    }
                };
                for (alert, prepared) in prepared {
                    match prepared {
                        Ok(out) => {
                            if let Err(mpsc::error::SendError((alert, _))) =
                                work_tx.send((alert, out)).await
                            {
                                let _ = done_tx.send(Done::Release(alert));
                            }
                        }
                        Err(finish) => {
                            let _ = done_tx.send(Done::Finished(
                                Box::new(Finished {
                                    alert,
                                    finish,
                                    started_at: app.clock.now_ms(),
                                }),
                                None,
                            ));
                        }
                    }
                }
                if !full {
                    break;
                }
            }
            Ok(())
        }
        .await;
        drop(work_tx);
        result
    };

    let in_doubt = Arc::new(Semaphore::new(cfg.in_doubt() as usize));
    let send = async {
        let jobs = futures::stream::poll_fn(|cx| work_rx.poll_recv(cx));
        jobs.for_each_concurrent(cfg.concurrency as usize, |(alert, out)| {
            let done_tx = &done_tx;
            let in_doubt = &in_doubt;
            let blocked = &blocked;
            async move {
                if stop.is_cancelled() || blocked.load(Ordering::Acquire) {
                    let _ = done_tx.send(Done::Release(alert));
                    return;
                }
                let _ = done_tx.send(send_one(app, alert, out, in_doubt).await);
            }
        })
        .await;
    };

    let record = async {
        let mut report = DispatchReport::default();
        let mut open = true;
        while open {
            let Some(first) = done_rx.recv().await else {
                break;
            };
            let mut finished = Vec::new();
            let mut released = Vec::new();
            let mut permits = Vec::new();
            let mut next = Some(first);
            while let Some(item) = next.take() {
                match item {
                    Done::Finished(f, permit) => {
                        finished.push(*f);
                        permits.extend(permit);
                    }
                    Done::Release(a) => released.push(a),
                    Done::Lost => {}
                    Done::End => open = false,
                }
                if finished.len() + released.len() < 1000 {
                    next = done_rx.try_recv().ok();
                }
            }
            for f in &finished {
                report.count(&f.finish);
                if matches!(f.finish.state, AlertState::Dead | AlertState::Failed) {
                    tracing::warn!(alert = %f.alert.id, tenant = %f.alert.tenant_id,
                        kind = %f.alert.kind, channel = %f.alert.channel,
                        state = f.finish.state.as_str(), detail = ?f.finish.detail,
                        "alert not delivered");
                }
            }
            if let Err(e) = write_until_done(app, stop, &blocked, &finished, &released).await {
                // Given up at shutdown: whatever waits at the gate must not complete its
                // message now, or more would be in doubt than the bound allows.
                in_doubt.close();
                return Err(e);
            }
            // Written: these messages are no longer in doubt.
            drop(permits);
        }
        Ok::<_, StoreError>(report)
    };

    let produce = async {
        let (claimed, ()) = tokio::join!(claim, send);
        let _ = done_tx.send(Done::End);
        claimed
    };
    let (claimed, recorded) = tokio::join!(produce, record);
    let report = recorded?;
    claimed?;
    Ok(report)
}

/// Records finished attempts and gives back unsent claims, retrying with backoff while the
/// database refuses; `blocked` is set meanwhile. After `stop` it tries a few more times,
/// then gives up (what it held is in doubt or comes back when its lease runs out).
async fn write_until_done(
    app: &App,
    stop: &CancellationToken,
    blocked: &AtomicBool,
    finished: &[Finished],
    released: &[ClaimedAlert],
) -> Result<(), StoreError> {
    let mut wait = std::time::Duration::from_millis(50);
    let mut tries_after_stop = 0;
    // What is written is not written again (its attempt rows would be doubled).
    let (mut finished, mut released) = (finished, released);
    loop {
        // After `stop`, each try is bounded, so that shutdown keeps its grace period.
        let limit = if stop.is_cancelled() {
            std::time::Duration::from_secs(1)
        } else {
            std::time::Duration::MAX
        };
        let written = async {
            if !finished.is_empty() {
                app.store
                    .finish_alerts(finished, app.clock.now_ms())
                    .await?;
                finished = &[];
            }
            if !released.is_empty() {
                app.store.release(released).await?;
                released = &[];
            }
            Ok::<_, StoreError>(())
        };
        let written = match tokio::time::timeout(limit, written).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Db(sqlx::Error::PoolTimedOut)),
        };
        match written {
            Ok(()) => {
                app.health.ok(Trouble::Unwritable);
                blocked.store(false, Ordering::Release);
                app.heartbeats.dispatcher();
                return Ok(());
            }
            Err(e) => {
                app.health.write_failed(&e);
                blocked.store(true, Ordering::Release);
                if stop.is_cancelled() {
                    tries_after_stop += 1;
                    if tries_after_stop > 2 {
                        tracing::error!(error = %e, finished = finished.len(),
                            released = released.len(),
                            "stopping with attempts unrecorded: their alerts go out again after their lease");
                        return Err(e);
                    }
                }
                // Waiting on the database is not a wedged dispatcher: readiness tells it.
                app.heartbeats.dispatcher();
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(2));
            }
        }
    }
}

/// Sends one rendered alert. It is released unsent when its lease was lost (another
/// dispatcher has it) or cannot be renewed; the in-doubt permit, if the send took one,
/// comes back with the result.
async fn send_one(
    app: &App,
    mut alert: ClaimedAlert,
    out: Outgoing,
    in_doubt: &Arc<Semaphore>,
) -> Done {
    let lease_ms = (app.config.dispatch.lease_secs as i64) * 1000;
    let started = app.clock.now_ms();
    if alert.lease_until - started < lease_ms / 2 {
        let until = started + lease_ms;
        match app.store.renew_lease(&alert, until).await {
            Ok(true) => alert.lease_until = until,
            Ok(false) => {
                tracing::warn!(alert = %alert.id, "lease ran out before sending; another dispatcher has it");
                return Done::Lost;
            }
            Err(e) => {
                tracing::warn!(alert = %alert.id, "lease not renewed: {e}");
                return Done::Release(alert);
            }
        }
    }
    let timer = std::time::Instant::now();
    let mut permit = None;
    let finish = match out {
        Outgoing::Email(message) => {
            if let Some(bucket) = &app.limits.email {
                bucket.take(1.0).await;
            }
            let sent = app
                .mailer
                .send_gated(&message, &alert.id, Some(in_doubt))
                .await;
            match &sent {
                Ok(_) | Err(SendError::Permanent(_)) => app.health.ok(Trouble::Smtp),
                // A send cut short while the database fails says nothing of the relay.
                Err(SendError::Temporary(d)) if app.health.not_ready().is_none() => {
                    app.health.failed(Trouble::Smtp, d)
                }
                Err(SendError::Temporary(_)) => {}
            }
            match sent {
                Ok(p) => {
                    permit = p;
                    Finish::new(AlertState::Sent, None)
                }
                Err(SendError::Permanent(d)) => Finish::new(AlertState::Dead, d),
                Err(SendError::Temporary(d)) => retry(app, &alert, d),
            }
        }
        Outgoing::Sms { from, to, text } => match &app.sms {
            None => Finish::new(
                AlertState::Dead,
                "no SMS provider is configured ([sms])".to_string(),
            ),
            Some(sms) => {
                let parts = crate::notify::sms::plan(&text).parts as i64;
                if let Some(bucket) = &app.limits.sms {
                    bucket.take(parts as f64).await;
                }
                permit = match in_doubt.clone().acquire_owned().await {
                    Ok(p) => Some(p),
                    // The recorder gave up (shutdown): submit nothing more.
                    Err(_) => return Done::Release(alert),
                };
                match sms.send(&alert.id, &from, &to, &text).await {
                    Ok(ids) => Finish {
                        parts: Some(parts),
                        refs: ids
                            .into_iter()
                            .map(|id| (sms.provider().to_string(), id))
                            .collect(),
                        ..Finish::new(AlertState::Sent, None)
                    },
                    Err(SendError::Permanent(d)) => Finish {
                        parts: Some(parts),
                        ..Finish::new(AlertState::Dead, d)
                    },
                    Err(SendError::Temporary(d)) => retry(app, &alert, d),
                }
            }
        },
    };
    let due_for = (finish.state == AlertState::Sent).then(|| {
        std::time::Duration::from_millis((app.clock.now_ms() - alert.due_at).max(0) as u64)
    });
    app.metrics.alert_finished(
        &alert.channel,
        finish.state.as_str(),
        timer.elapsed(),
        due_for,
    );
    Done::Finished(
        Box::new(Finished {
            alert,
            finish,
            started_at: started,
        }),
        permit,
    )
}

/// Schedules another attempt with exponential backoff and jitter, or dead-letters.
fn retry(app: &App, alert: &ClaimedAlert, detail: String) -> Finish {
    let cfg = &app.config.dispatch;
    if alert.attempts >= i64::from(cfg.max_attempts) {
        return Finish::new(
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
        next_attempt_at: Some(app.clock.now_ms() + (jittered * 1000.0) as i64),
        ..Finish::new(AlertState::Queued, detail)
    }
}

type Prepared = Result<Outgoing, Finish>;

/// Loads what a batch needs in two queries, then renders each alert or says why it ends
/// (or waits) without a message.
async fn prepare_batch(
    app: &App,
    alerts: Vec<ClaimedAlert>,
) -> Result<Vec<(ClaimedAlert, Prepared)>, StoreError> {
    let mut event_ids: Vec<String> = alerts.iter().map(|a| a.event_id.clone()).collect();
    event_ids.sort();
    event_ids.dedup();
    let events = app.store.events_by_id(&event_ids).await?;
    let pairs: Vec<(String, String)> = alerts
        .iter()
        .map(|a| (a.citizen_id.clone(), a.channel.clone()))
        .collect();
    let recipients = app.store.recipients(&pairs).await?;
    let mut out = Vec::with_capacity(alerts.len());
    for alert in alerts {
        let recipient = recipients.get(&(alert.citizen_id.clone(), alert.channel.clone()));
        let prepared = prepare(app, &alert, events.get(&alert.event_id), recipient).await?;
        out.push((alert, prepared));
    }
    Ok(out)
}

/// What an alert says: subject and text (one event's, or a digest of several).
struct Content {
    subject: String,
    body: String,
    /// The topic its one-click unsubscribe stops (`None`: everything).
    topic: Option<&'static str>,
    dropped: Vec<(String, AlertState, String)>,
}

async fn prepare(
    app: &App,
    alert: &ClaimedAlert,
    event: Option<&EventRow>,
    recipient: Option<&RecipientRow>,
) -> Result<Prepared, StoreError> {
    let now = app.clock.now_ms();
    if alert.expires_at.is_some_and(|t| t <= now) {
        return Ok(Err(Finish::new(
            AlertState::Expired,
            "its date has passed".to_string(),
        )));
    }
    let Some(tenant) = app.config.tenant(&alert.tenant_id) else {
        return Ok(Err(Finish::new(
            AlertState::Suppressed,
            "tenant no longer configured".to_string(),
        )));
    };
    let Some(recipient) = recipient else {
        return Ok(Err(Finish::new(
            AlertState::Suppressed,
            "no verified contact".to_string(),
        )));
    };
    if alert.kind != DIGEST && recipient.delivery.as_deref() == Some("daily") {
        let minute = schedule::parse_hhmm(&tenant.digest_time).unwrap_or(420);
        let slot = schedule::next_local(tenant.tz(), now, minute);
        return Ok(Err(Finish {
            next_attempt_at: Some(slot),
            digest_key: Some(format!("{}:{}:{slot}", alert.citizen_id, alert.channel)),
            counts: false,
            ..Finish::new(AlertState::Held, "held for the daily digest".to_string())
        }));
    }
    if alert.channel == "sms" {
        let quiet = recipient
            .quiet_hours
            .as_deref()
            .and_then(Window::parse)
            .or_else(|| Window::parse(&tenant.quiet_hours));
        if let Some(end) = quiet.and_then(|w| w.end_if_inside(tenant.tz(), now)) {
            return Ok(Err(Finish::later(end, "quiet hours".to_string())));
        }
    }
    let locale = recipient
        .locale
        .clone()
        .unwrap_or_else(|| tenant.locale.clone());
    let content = if alert.kind == DIGEST {
        match digest_content(app, alert, tenant, &locale).await? {
            Ok(c) => c,
            Err(done) => return Ok(Err(done)),
        }
    } else {
        let Some(event) = event else {
            return Ok(Err(Finish::new(
                AlertState::Failed,
                "its event is missing".to_string(),
            )));
        };
        match event_content(app, alert, tenant, &locale, event).await? {
            Ok(c) => c,
            Err(done) => return Ok(Err(done)),
        }
    };
    let Ok(address) = app.crypto.open(&recipient.address_enc) else {
        return Ok(Err(Finish::new(
            AlertState::Failed,
            "contact cannot be decrypted".to_string(),
        )));
    };
    let dropped = content.dropped.clone();
    let with_dropped = |f: Finish| Finish { dropped, ..f };
    if alert.dry_run {
        return Ok(Err(with_dropped(Finish::new(
            AlertState::WouldSend,
            "dry run".to_string(),
        ))));
    }
    match alert.channel.as_str() {
        "email" => Ok(email(app, alert, tenant, &address, content)
            .map_err(|why| with_dropped(Finish::new(AlertState::Failed, why)))),
        "sms" => {
            let (from, text) = crate::notify::sms::outgoing(&app.config, tenant, content.subject);
            Ok(Ok(Outgoing::Sms {
                from,
                to: address,
                text,
            }))
        }
        other => Ok(Err(Finish::new(
            AlertState::Dead,
            format!("unknown channel {other}"),
        ))),
    }
}

fn template_context(app: &App, alert: &ClaimedAlert, tenant: &TenantConfig) -> serde_json::Value {
    serde_json::json!({
        "tenant": {"id": tenant.id, "name": tenant.name, "web": tenant.branding.web},
        "unsubscribe_url": unsubscribe_url(app, &alert.citizen_id, None),
    })
}

fn unsubscribe_url(app: &App, citizen: &str, topic: Option<&str>) -> String {
    let token = crate::web::unsubscribe::token(&app.crypto, citizen, topic);
    format!("{}/unsubscribe/{token}", app.config.web.public_url())
}

/// One event's message, unless the reason for it went away.
async fn event_content(
    app: &App,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    locale: &str,
    event: &EventRow,
) -> Result<Result<Content, Finish>, StoreError> {
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    if let Some(reason) = settled_since(app, &alert.tenant_id, event, &payload).await? {
        return Ok(Err(Finish::new(AlertState::Suppressed, reason)));
    }
    let mut payload = payload;
    // A citizen's own note travels sealed; it is opened only to be sent to them.
    if let Some(sealed) = payload
        .get("note_enc")
        .and_then(|v| v.as_str())
        .map(str::to_string)
    {
        let note = app.crypto.open(&sealed).unwrap_or_default();
        if let Some(o) = payload.as_object_mut() {
            o.remove("note_enc");
            o.insert("note".into(), note.into());
        }
    }
    let mut ctx = template_context(app, alert, tenant);
    ctx["alert"] = payload;
    match app.templates.render(&tenant.id, locale, &event.kind, &ctx) {
        Ok(r) => Ok(Ok(Content {
            subject: r.subject,
            body: r.body,
            topic: Some(crate::store::topic_of(&event.kind)),
            dropped: Vec::new(),
        })),
        Err(e) => Ok(Err(Finish::new(AlertState::Failed, e.to_string()))),
    }
}

/// A digest: each member still worth telling, rendered, under one subject. Members that
/// expired or were settled meanwhile are left out and end with their own reason.
async fn digest_content(
    app: &App,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    locale: &str,
) -> Result<Result<Content, Finish>, StoreError> {
    let now = app.clock.now_ms();
    let members = app.store.digest_members(&alert.id).await?;
    let ids: Vec<String> = members.iter().map(|m| m.event_id.clone()).collect();
    let events = app.store.events_by_id(&ids).await?;
    let mut items = Vec::new();
    let mut dropped = Vec::new();
    for m in &members {
        if m.expires_at.is_some_and(|t| t <= now) {
            dropped.push((
                m.id.clone(),
                AlertState::Expired,
                "its date has passed".to_string(),
            ));
            continue;
        }
        let Some(event) = events.get(&m.event_id) else {
            dropped.push((
                m.id.clone(),
                AlertState::Failed,
                "its event is missing".to_string(),
            ));
            continue;
        };
        match event_content(app, alert, tenant, locale, event).await? {
            Ok(c) => {
                // The item without its own footer: the digest has one.
                let body = c.body.split("\n--\n").next().unwrap_or_default();
                items.push(serde_json::json!({"subject": c.subject, "body": body.trim_end()}));
            }
            Err(f) => dropped.push((m.id.clone(), f.state, f.detail.unwrap_or_default())),
        }
    }
    if items.is_empty() {
        return Ok(Err(Finish {
            dropped,
            ..Finish::new(AlertState::Suppressed, "nothing left to tell".to_string())
        }));
    }
    let mut ctx = template_context(app, alert, tenant);
    ctx["count"] = items.len().into();
    ctx["items"] = items.into();
    match app.templates.render(&tenant.id, locale, DIGEST, &ctx) {
        Ok(r) => Ok(Ok(Content {
            subject: r.subject,
            body: r.body,
            topic: None,
            dropped,
        })),
        Err(e) => Ok(Err(Finish {
            dropped,
            ..Finish::new(AlertState::Failed, e.to_string())
        })),
    }
}

/// Builds the e-mail: text and HTML from one template, the municipality's footer,
/// one-click unsubscribe, a Message-ID derived from the alert, DKIM when configured.
fn email(
    app: &App,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    address: &str,
    content: Content,
) -> Result<Outgoing, String> {
    let failed = |why: &str| why.to_string();
    let mut body = content.body;
    if let Some(footer) = &tenant.branding.footer {
        body = format!("{}\n\n-- \n{}\n", body.trim_end(), footer.trim());
    }
    let sender_name = tenant
        .sender
        .name
        .clone()
        .unwrap_or_else(|| tenant.name.clone());
    let from = Mailbox::new(
        Some(sender_name),
        tenant
            .sender
            .email
            .parse()
            .map_err(|_| failed("bad sender address"))?,
    );
    let to: Mailbox = address
        .parse()
        .map_err(|_| failed("bad recipient address"))?;
    let domain = tenant
        .sender
        .email
        .rsplit('@')
        .next()
        .unwrap_or("hlidac.invalid");
    let now = app.clock.now_ms();
    let date =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(now.max(0) as u64);
    let html = crate::notify::templates::to_html(
        &content.subject,
        &body,
        &tenant.name,
        tenant.branding.color.as_deref(),
    );
    // RFC 8058 one-click: this topic only; the footer's link stops everything.
    let list_unsubscribe = format!(
        "<{}>",
        unsubscribe_url(app, &alert.citizen_id, content.topic)
    );
    let mut message = Message::builder()
        .from(from)
        .to(to)
        .subject(content.subject)
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
        .multipart(MultiPart::alternative_plain_html(body, html))
        .map_err(|e| failed(&format!("cannot build the message: {e}")))?;
    if let Some(dkim) = app.dkim(&tenant.id) {
        message.sign(dkim);
    }
    Ok(Outgoing::Email(Box::new(message)))
}

/// Re-checks a reminder's condition at send time: says why it no longer applies, if so.
async fn settled_since(
    app: &App,
    tenant: &str,
    event: &EventRow,
    payload: &serde_json::Value,
) -> Result<Option<String>, StoreError> {
    if !matches!(
        event.kind.as_str(),
        "receivable.reminder" | "receivable.overdue" | "receivable.discount_ending"
    ) {
        return Ok(None);
    }
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
