//! Rendering a claimed alert: the checks that may end or defer it without a message
//! (expired, no contact, held for a digest, quiet hours, settled since), then the e-mail
//! (text and HTML from one template, footer, one-click unsubscribe, DKIM) or the SMS text.
//! A batch's events and recipients are loaded in two queries.

use super::Dispatch;
use crate::config::TenantConfig;
use crate::notify::schedule::{self, Window};
use crate::store::{
    AlertState, ClaimedAlert, EventRow, Finish, RecipientRow, StoreError, DIGEST,
    UNDELIVERABLE_NOTICE,
};
use hlidac_adapters::Receivable;
use lettre::message::header::ContentType;
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::Message;

/// A rendered message, ready for its channel.
pub(crate) enum Outgoing {
    Email(Box<Message>),
    Sms {
        from: String,
        to: String,
        text: String,
    },
}

type Prepared = Result<Outgoing, Finish>;

/// Loads what a batch needs in two queries, then renders each alert or says why it ends
/// (or waits) without a message.
pub(crate) async fn prepare_batch(
    dispatch: &Dispatch,
    alerts: Vec<ClaimedAlert>,
) -> Result<Vec<(ClaimedAlert, Prepared)>, StoreError> {
    let mut event_ids: Vec<String> = alerts.iter().map(|a| a.event_id.clone()).collect();
    event_ids.sort();
    event_ids.dedup();
    let events = dispatch.store.events_by_id(&event_ids).await?;
    let pairs: Vec<(String, String)> = alerts
        .iter()
        .map(|a| (a.citizen_id.clone(), a.channel.clone()))
        .collect();
    let recipients = dispatch.store.recipients(&pairs).await?;
    let mut out = Vec::with_capacity(alerts.len());
    for alert in alerts {
        let recipient = recipients.get(&(alert.citizen_id.clone(), alert.channel.clone()));
        let prepared = prepare(dispatch, &alert, events.get(&alert.event_id), recipient).await?;
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
    /// The payment code of what the alert asks to be paid, drawn into the HTML part.
    qr: Option<String>,
    /// The payment details an SMS adds to the subject (the short form).
    sms_tail: Option<String>,
}

async fn prepare(
    dispatch: &Dispatch,
    alert: &ClaimedAlert,
    event: Option<&EventRow>,
    recipient: Option<&RecipientRow>,
) -> Result<Prepared, StoreError> {
    let now = dispatch.clock.now_ms();
    if alert.expires_at.is_some_and(|t| t <= now) {
        return Ok(Err(Finish::new(
            AlertState::Expired,
            "its date has passed".to_string(),
        )));
    }
    let Some(tenant) = dispatch.config.tenant(&alert.tenant_id) else {
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
    // The notice of a bouncing address is about now, not for the digest.
    let own = alert.kind == DIGEST || alert.kind == UNDELIVERABLE_NOTICE;
    if !own && recipient.delivery.as_deref() == Some("daily") {
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
    let content = if alert.kind == UNDELIVERABLE_NOTICE {
        let text = crate::i18n::t(
            &locale,
            "sms-undeliverable",
            &[("tenant", tenant.name.as_str().into())],
        );
        Content {
            subject: text.clone(),
            body: text,
            topic: None,
            dropped: Vec::new(),
            qr: None,
            sms_tail: None,
        }
    } else if alert.kind == DIGEST {
        match digest_content(dispatch, alert, tenant, &locale).await? {
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
        match event_content(dispatch, alert, tenant, &locale, event).await? {
            Ok(c) => c,
            Err(done) => return Ok(Err(done)),
        }
    };
    let Ok(address) = dispatch.crypto.open(&recipient.address_enc) else {
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
        "email" => Ok(email(dispatch, alert, tenant, &address, content, &locale)
            .map_err(|why| with_dropped(Finish::new(AlertState::Failed, why)))),
        "sms" => {
            let ctx = template_context(dispatch, &alert.citizen_id, tenant, None);
            let text = sms_text(content.subject, content.sms_tail, &ctx);
            let (from, text) = crate::notify::sms::outgoing(&dispatch.config, tenant, text);
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

fn template_context(
    dispatch: &Dispatch,
    citizen_id: &str,
    tenant: &TenantConfig,
    topic: Option<&str>,
) -> serde_json::Value {
    let web = dispatch.config.web.public_url();
    let contact = tenant.contact_line();
    serde_json::json!({
        "tenant": {"id": tenant.id, "name": tenant.name, "web": tenant.branding.web, "contact": contact},
        "topic": topic,
        "overview_url": format!("{web}/t/{}/me", tenant.id),
        "settings_url": format!("{web}/t/{}/settings", tenant.id),
        "unsubscribe_url": unsubscribe_url(dispatch, citizen_id, None),
        "topic_unsubscribe_url": topic.map(|t| unsubscribe_url(dispatch, citizen_id, Some(t))),
    })
}

/// An SMS: the subject (what, how much, by when), the payment details' short form when
/// it asks for a payment, and the link to the overview.
pub(crate) fn sms_text(subject: String, tail: Option<String>, ctx: &serde_json::Value) -> String {
    let link = ctx["overview_url"].as_str().unwrap_or_default();
    // A subject that ends in an abbreviation ("31.05.2026 г.") has its full stop already.
    let stop = if subject.ends_with('.') { " " } else { ". " };
    crate::notify::sms::plain_punctuation(&match tail {
        Some(tail) => format!("{subject}{stop}{tail}. {link}"),
        None => format!("{subject}{stop}{link}"),
    })
}

/// An alert that asks the citizen to pay: it carries the payment code and details.
fn asks_payment(kind: &str) -> bool {
    matches!(
        kind,
        "receivable.new"
            | "receivable.reminder"
            | "receivable.overdue"
            | "receivable.discount_ending"
    )
}

/// The short form of the payment details an SMS adds after its subject.
fn sms_tail(kind: &str, locale: &str, payload: &serde_json::Value) -> Option<String> {
    if !asks_payment(kind) {
        return None;
    }
    let payment = serde_json::from_value(payload.get("payment")?.clone()).ok()?;
    crate::pay::short_form(locale, &payment)
}

/// What an event would say to a citizen, for `hlidac preview`: the subject and body of
/// the e-mail, or for `sms` the text as sent (in `subject`, the body empty). Nothing is
/// stored or sent.
pub(crate) fn preview_message(
    dispatch: &Dispatch,
    tenant: &TenantConfig,
    citizen_id: &str,
    locale: &str,
    channel: &str,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<crate::notify::templates::Rendered, crate::notify::templates::TemplateError> {
    let mut ctx = template_context(
        dispatch,
        citizen_id,
        tenant,
        Some(crate::store::topic_of(kind)),
    );
    ctx["alert"] = payload.clone();
    let r = dispatch.templates.render(&tenant.id, locale, kind, &ctx)?;
    if channel == "sms" {
        let text = sms_text(r.subject, sms_tail(kind, locale, payload), &ctx);
        let (_, text) = crate::notify::sms::outgoing(&dispatch.config, tenant, text);
        return Ok(crate::notify::templates::Rendered {
            subject: text,
            body: String::new(),
        });
    }
    Ok(r)
}

/// Whom the municipality's e-mails come from: its sender name (else its own name) and
/// address.
pub(crate) fn sender(tenant: &TenantConfig) -> Result<Mailbox, String> {
    let name = (tenant.sender.name.clone()).unwrap_or_else(|| tenant.name.clone());
    let address = (tenant.sender.email.parse()).map_err(|_| "bad sender address")?;
    Ok(Mailbox::new(Some(name), address))
}

fn unsubscribe_url(dispatch: &Dispatch, citizen: &str, topic: Option<&str>) -> String {
    let token = super::unsubscribe::token(&dispatch.crypto, citizen, topic);
    format!("{}/unsubscribe/{token}", dispatch.config.web.public_url())
}

/// One event's message, unless the reason for it went away.
async fn event_content(
    dispatch: &Dispatch,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    locale: &str,
    event: &EventRow,
) -> Result<Result<Content, Finish>, StoreError> {
    let payload: serde_json::Value = serde_json::from_str(&event.payload).unwrap_or_default();
    if let Some(reason) = settled_since(dispatch, &alert.tenant_id, event, &payload).await? {
        return Ok(Err(Finish::new(AlertState::Suppressed, reason)));
    }
    let mut payload = payload;
    // A citizen's own note travels sealed; it is opened only to be sent to them.
    if let Some(sealed) = payload
        .get("note_enc")
        .and_then(|v| v.as_str())
        .map(str::to_string)
    {
        let note = dispatch.crypto.open(&sealed).unwrap_or_default();
        if let Some(o) = payload.as_object_mut() {
            o.remove("note_enc");
            o.insert("note".into(), note.into());
        }
    }
    // A fee to pay gets its country's payment QR code, captioned in the text.
    let qr = asks_payment(&event.kind)
        .then(|| crate::pay::alert_code(&payload, &tenant.name))
        .flatten();
    if let (Some((_, caption)), Some(o)) = (&qr, payload.as_object_mut()) {
        o.insert("qr_caption".into(), (*caption).into());
    }
    let sms_tail = sms_tail(&event.kind, locale, &payload);
    let topic = crate::store::topic_of(&event.kind);
    let mut ctx = template_context(dispatch, &alert.citizen_id, tenant, Some(topic));
    ctx["alert"] = payload;
    match dispatch
        .templates
        .render(&tenant.id, locale, &event.kind, &ctx)
    {
        Ok(r) => Ok(Ok(Content {
            subject: r.subject,
            body: r.body,
            topic: Some(topic),
            dropped: Vec::new(),
            qr: qr.map(|(code, _)| code),
            sms_tail,
        })),
        Err(e) => Ok(Err(Finish::new(AlertState::Failed, e.to_string()))),
    }
}

/// A digest: each member still worth telling, rendered, under one subject. Members that
/// expired or were settled meanwhile are left out and end with their own reason.
async fn digest_content(
    dispatch: &Dispatch,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    locale: &str,
) -> Result<Result<Content, Finish>, StoreError> {
    let now = dispatch.clock.now_ms();
    let members = dispatch.store.digest_members(&alert.id).await?;
    let ids: Vec<String> = members.iter().map(|m| m.event_id.clone()).collect();
    let events = dispatch.store.events_by_id(&ids).await?;
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
        match event_content(dispatch, alert, tenant, locale, event).await? {
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
    let mut ctx = template_context(dispatch, &alert.citizen_id, tenant, None);
    ctx["count"] = items.len().into();
    ctx["items"] = items.into();
    match dispatch.templates.render(&tenant.id, locale, DIGEST, &ctx) {
        Ok(r) => Ok(Ok(Content {
            subject: r.subject,
            body: r.body,
            topic: None,
            dropped,
            qr: None,
            sms_tail: None,
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
    dispatch: &Dispatch,
    alert: &ClaimedAlert,
    tenant: &TenantConfig,
    address: &str,
    content: Content,
    lang: &str,
) -> Result<Outgoing, String> {
    let failed = |why: &str| why.to_string();
    let mut body = content.body;
    if let Some(footer) = &tenant.branding.footer {
        body = format!("{}\n\n-- \n{}\n", body.trim_end(), footer.trim());
    }
    let from = sender(tenant)?;
    let to: Mailbox = address
        .parse()
        .map_err(|_| failed("bad recipient address"))?;
    let domain = tenant.sender_domain();
    let now = dispatch.clock.now_ms();
    let date =
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_millis(now.max(0) as u64);
    let html = crate::notify::templates::to_html(
        &content.subject,
        &body,
        &tenant.name,
        tenant.branding.color.as_deref(),
        lang,
    );
    // The payment QR code, inline in the HTML part (a phone's mail app shows it; another
    // phone's banking app scans it).
    let qr = content
        .qr
        .as_deref()
        .and_then(|code| crate::pay::qr_png(code, 4));
    let html = match &qr {
        Some(_) => html.replace(
            "</body>",
            "<p><img src=\"cid:payment-qr\" alt=\"QR\" width=\"196\" height=\"196\"></p>\n</body>",
        ),
        None => html,
    };
    let parts = match qr {
        Some(png) => MultiPart::alternative()
            .singlepart(SinglePart::plain(body))
            .multipart(
                MultiPart::related()
                    .singlepart(SinglePart::html(html))
                    .singlepart(Attachment::new_inline("payment-qr".to_string()).body(
                        png,
                        ContentType::parse("image/png").map_err(|e| e.to_string())?,
                    )),
            ),
        None => MultiPart::alternative_plain_html(body, html),
    };
    // RFC 8058 one-click: this topic only; the footer's link stops everything.
    let list_unsubscribe = format!(
        "<{}>",
        unsubscribe_url(dispatch, &alert.citizen_id, content.topic)
    );
    // The return path names the alert (VERP, MAC'd): a bounce or complaint sent back to it
    // tells `hlidac bounce` which alert and contact it is about.
    let verp = crate::notify::feedback::verp_address(&dispatch.crypto, &alert.id, domain);
    let envelope = lettre::address::Envelope::new(
        Some(verp.parse().map_err(|_| failed("bad return path"))?),
        vec![to.email.clone()],
    )
    .map_err(|e| failed(&format!("bad envelope: {e}")))?;
    let mut message = Message::builder()
        .envelope(envelope)
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
        .multipart(parts)
        .map_err(|e| failed(&format!("cannot build the message: {e}")))?;
    if let Some(dkim) = dispatch.dkim(&tenant.id) {
        message.sign(dkim);
    }
    Ok(Outgoing::Email(Box::new(message)))
}

/// Re-checks a reminder's condition at send time: says why it no longer applies, if so.
async fn settled_since(
    dispatch: &Dispatch,
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
    let obs = dispatch
        .store
        .observation(tenant, &event.source_id, "receivable", &event.record_key)
        .await?;
    let Some(obs) = obs else {
        return Ok(Some("the receivable is no longer known".into()));
    };
    if hlidac_adapters::Withdrawal::STATUSES.contains(&obs.status.as_str()) {
        return Ok(Some(format!("the source marked it {}", obs.status)));
    }
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
