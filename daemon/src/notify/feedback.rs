//! What a mail system reports after an e-mail left: a delivery status notification (DSN,
//! RFC 3464) or a complaint (ARF, RFC 5965), read with the mail-parser crate, and the
//! VERP return path that names the alert it is about.
//!
//! Every e-mail goes out with the envelope sender `bounces+<alert id>.<mac>@<domain>`
//! ([`verp_address`]); a report is sent back to it, and Postfix hands it to `hlidac
//! bounce` (its `pipe` transport or an alias). Only an address whose MAC holds names an
//! alert ([`verp_alert`]), so a report cannot be forged to silence someone's contact.
//!
//! What comes in: a whole message, untrusted, at most [`MAX_REPORT_BYTES`] (refused before
//! parsing past that); fields are read from at most [`MAX_FIELD_LINES`] lines. What goes
//! out: a [`Report`], never the message's text in a log.

use mail_parser::{MessageParser, MimeHeaders};

/// The largest report read; a DSN quotes at most the original's headers, an ARF report
/// the message, and hlidac's own messages are far smaller.
pub const MAX_REPORT_BYTES: usize = 1 << 20;
/// The most lines of report fields read from one part.
pub const MAX_FIELD_LINES: usize = 500;
/// The length of the MAC in a VERP address (hex characters).
const MAC_LEN: usize = 16;

/// What happened to the e-mail.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Refused for good (DSN action `failed`, status 5.x.x).
    Permanent,
    /// Delayed or refused for now (action `delayed`, or status 4.x.x).
    Temporary,
    /// The recipient reported it as unwanted (ARF).
    Complaint,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Permanent => "bounce",
            Outcome::Temporary => "soft_bounce",
            Outcome::Complaint => "complaint",
        }
    }
}

/// A report as read: what happened, the status code given (only a well-formed one: it is
/// stored and logged), the recipient it concerns, and
/// every VERP address found in it (the report's own recipient, the quoted original's
/// return path), still to be checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    pub outcome: Outcome,
    pub status: Option<String>,
    pub recipient: Option<String>,
    pub verp: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum ReportError {
    #[error("the message is larger than {MAX_REPORT_BYTES} bytes")]
    TooLarge,
    #[error("not a mail message")]
    NotMail,
    #[error("neither a delivery status notification nor a complaint report")]
    NotAReport,
    #[error("the report says the message was delivered or relayed: nothing to do")]
    NotAFailure,
}

/// The return path of alert `alert_id`: `bounces+<id>.<mac>@<domain>`.
pub fn verp_address(crypto: &crate::crypto::Crypto, alert_id: &str, domain: &str) -> String {
    let mac = crypto.sign("verp", alert_id);
    format!("bounces+{alert_id}.{}@{domain}", &mac[..MAC_LEN])
}

/// The alert a VERP address names, if its MAC holds.
pub fn verp_alert(crypto: &crate::crypto::Crypto, address: &str) -> Option<String> {
    let local = address.trim().trim_matches(['<', '>']).split('@').next()?;
    let (id, mac) = local.strip_prefix("bounces+")?.split_once('.')?;
    if id.is_empty()
        || id.len() > 64
        || mac.len() != MAC_LEN
        || !id.bytes().all(|b| b.is_ascii_hexdigit())
    {
        return None;
    }
    let want = crypto.sign("verp", id);
    crate::crypto::same(&want.as_bytes()[..MAC_LEN], mac.as_bytes()).then(|| id.to_string())
}

/// Reads a report.
pub fn read(raw: &[u8]) -> Result<Report, ReportError> {
    if raw.len() > MAX_REPORT_BYTES {
        return Err(ReportError::TooLarge);
    }
    // mail-parser 0.11 checks one internal invariant with a debug_assert that a malformed
    // multipart message trips (release builds skip it and end the part there); a debug
    // build reads such a message as no mail at all rather than panic.
    let message = std::panic::catch_unwind(|| MessageParser::default().parse(raw))
        .ok()
        .flatten()
        .ok_or(ReportError::NotMail)?;
    let verp = verp_candidates(raw);
    let mut delivery = None;
    let mut feedback = None;
    for part in &message.parts {
        let Some(ct) = part.content_type() else {
            continue;
        };
        let kind = format!(
            "{}/{}",
            ct.ctype().to_ascii_lowercase(),
            ct.subtype().unwrap_or("").to_ascii_lowercase()
        );
        let start = part.offset_body as usize;
        let end = (part.offset_end as usize).min(raw.len());
        let body = raw.get(start..end).unwrap_or_default();
        match kind.as_str() {
            "message/delivery-status" | "message/global-delivery-status" => {
                delivery.get_or_insert_with(|| fields(body));
            }
            "message/feedback-report" => {
                feedback.get_or_insert_with(|| fields(body));
            }
            _ => {}
        }
    }
    if let Some(blocks) = feedback {
        let field = |name: &str| blocks.iter().find_map(|b| value(b, name));
        return Ok(Report {
            outcome: Outcome::Complaint,
            status: field("feedback-type").and_then(|t| token(&t, 32)),
            recipient: field("original-rcpt-to").map(|r| address_of(&r)),
            verp,
        });
    }
    let blocks = delivery.ok_or(ReportError::NotAReport)?;
    // The per-recipient fields follow the per-message ones; the first recipient's count.
    let recipient_block = blocks
        .iter()
        .skip(1)
        .find(|b| value(b, "action").is_some())
        .ok_or(ReportError::NotAReport)?;
    let action = value(recipient_block, "action")
        .unwrap_or_default()
        .to_ascii_lowercase();
    let status = value(recipient_block, "status")
        .and_then(|s| token(s.split_whitespace().next().unwrap_or(""), 11));
    let outcome = match (action.as_str(), status.as_deref().map(|s| s.chars().next())) {
        ("failed", Some(Some('4'))) | ("delayed", _) => Outcome::Temporary,
        ("failed", _) => Outcome::Permanent,
        _ => return Err(ReportError::NotAFailure),
    };
    Ok(Report {
        outcome,
        status,
        recipient: value(recipient_block, "final-recipient")
            .or_else(|| value(recipient_block, "original-recipient"))
            .map(|r| address_of(&r)),
        verp,
    })
}

/// The blocks of `Name: value` fields of a report part (RFC 3464 section 2.1), folded
/// lines joined, names lower-cased; at most [`MAX_FIELD_LINES`] lines are read.
fn fields(body: &[u8]) -> Vec<Vec<(String, String)>> {
    let text = String::from_utf8_lossy(body);
    let mut blocks: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in text.lines().take(MAX_FIELD_LINES) {
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            if blocks.last().is_some_and(|b| !b.is_empty()) {
                blocks.push(Vec::new());
            }
            continue;
        }
        let block = blocks.last_mut().expect("one block at least");
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = block.last_mut() {
                v.push(' ');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((name, v)) = line.split_once(':') {
            block.push((name.trim().to_ascii_lowercase(), v.trim().to_string()));
        }
    }
    blocks.retain(|b| !b.is_empty());
    blocks
}

/// The most reports one webhook call may carry.
pub const MAX_WEBHOOK_EVENTS: usize = 100;

/// One report as a relay provider posts it to the feedback webhook.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookEvent {
    /// "bounce" (permanent), "soft_bounce" (temporary) or "complaint".
    #[serde(rename = "type")]
    kind: String,
    /// The message's return path (MAIL FROM), which names the alert.
    return_path: String,
    recipient: Option<String>,
    /// The DSN status, such as "5.1.1".
    status: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookBody {
    events: Vec<WebhookEvent>,
}

/// Reads the feedback webhook's JSON body (`{"events": [{"type", "return_path",
/// "recipient", "status"}]}`, at most [`MAX_WEBHOOK_EVENTS`]) into reports; the error
/// names the event and the field.
pub fn from_json(body: &[u8]) -> Result<Vec<Report>, String> {
    if body.len() > MAX_REPORT_BYTES {
        return Err(format!("the body is larger than {MAX_REPORT_BYTES} bytes"));
    }
    let parsed: WebhookBody = serde_json::from_slice(body).map_err(|e| {
        format!(
            "not the expected JSON: {} (line {}, column {})",
            without_values(&e.to_string()),
            e.line(),
            e.column()
        )
    })?;
    if parsed.events.len() > MAX_WEBHOOK_EVENTS {
        return Err(format!(
            "{} events: at most {MAX_WEBHOOK_EVENTS} in one call",
            parsed.events.len()
        ));
    }
    parsed
        .events
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            let outcome = match e.kind.as_str() {
                "bounce" => Outcome::Permanent,
                "soft_bounce" => Outcome::Temporary,
                "complaint" => Outcome::Complaint,
                _ => {
                    return Err(format!(
                        "events[{i}].type: use \"bounce\", \"soft_bounce\" or \"complaint\""
                    ))
                }
            };
            let too_long = |v: &Option<String>| v.as_ref().is_some_and(|v| v.len() > 320);
            if e.return_path.len() > 320 || too_long(&e.recipient) {
                return Err(format!("events[{i}]: an address is longer than 320 bytes"));
            }
            let status = match &e.status {
                None => None,
                Some(v) => Some(
                    token(v, 16).ok_or_else(|| format!("events[{i}].status: not a DSN status"))?,
                ),
            };
            Ok(Report {
                outcome,
                status,
                recipient: e.recipient,
                verp: vec![e.return_path],
            })
        })
        .collect()
}

/// A JSON parser's message with the values it quotes left out (`invalid type: string
/// "jana@…"` names an address), and its own position suffix dropped.
fn without_values(message: &str) -> String {
    hlidac_adapters::json::redact(message.split(" at line ").next().unwrap_or(message))
}

/// A status code or feedback type as it may be kept and logged: letters, digits, dots and
/// dashes only, at most `max` of them (a DSN status is "5.1.1", a type "abuse").
fn token(v: &str, max: usize) -> Option<String> {
    let v = v.trim();
    (!v.is_empty()
        && v.len() <= max
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-'))
    .then(|| v.to_ascii_lowercase())
}

fn value(block: &[(String, String)], name: &str) -> Option<String> {
    block
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
}

/// The address of a recipient field: `rfc822; jana@example.cz` → `jana@example.cz`.
fn address_of(field: &str) -> String {
    let v = field.split_once(';').map(|(_, a)| a).unwrap_or(field);
    v.trim().trim_matches(['<', '>']).to_string()
}

/// Every `bounces+<hex>.<hex>@` address in the message, in order, each once.
fn verp_candidates(raw: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(raw);
    let mut out: Vec<String> = Vec::new();
    for (i, _) in text.match_indices("bounces+") {
        let rest = &text[i..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '@' | '-')))
            .unwrap_or(rest.len());
        let candidate = rest[..end.min(200)].trim_end_matches('.').to_string();
        if candidate.contains('@') && !out.contains(&candidate) && out.len() < 8 {
            out.push(candidate);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_webhook_body_that_does_not_read_is_named_without_its_values() {
        let why = from_json(br#"{"events": "jana@example.cz"}"#).expect_err("refused");
        assert!(
            why.contains("invalid type") && why.contains("line 1"),
            "{why}"
        );
        assert!(!why.contains("jana"), "{why}");
        let why = from_json(br#"{"events": [{"type": "gone", "return_path": "x"}]}"#)
            .expect_err("refused");
        assert_eq!(
            why,
            "events[0].type: use \"bounce\", \"soft_bounce\" or \"complaint\""
        );
        let many = format!(
            r#"{{"events": [{}]}}"#,
            vec![r#"{"type": "bounce", "return_path": "x"}"#; 101].join(",")
        );
        assert!(from_json(many.as_bytes())
            .expect_err("refused")
            .contains("101 events"));
    }

    /// A DSN as Postfix writes it (its bounce(8) "undeliverable mail" report).
    pub(crate) fn postfix_dsn(verp: &str, rcpt: &str, action: &str, status: &str) -> String {
        format!(
            "Return-Path: <>\r\nDelivered-To: {verp}\r\nFrom: MAILER-DAEMON@relay.example (Mail Delivery System)\r\n\
Subject: Undelivered Mail Returned to Sender\r\nTo: {verp}\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"B1\"\r\n\r\n\
This is a MIME-encapsulated message.\r\n\r\n--B1\r\nContent-Description: Notification\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\nI'm sorry to have to inform you that your message could not\r\n\
be delivered to one or more recipients.\r\n\r\n--B1\r\nContent-Description: Delivery report\r\n\
Content-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; relay.example\r\n\
X-Postfix-Queue-ID: 4ABC\r\nArrival-Date: Thu,  3 Dec 2026 09:00:00 +0100 (CET)\r\n\r\n\
Final-Recipient: rfc822; {rcpt}\r\nOriginal-Recipient: rfc822;{rcpt}\r\nAction: {action}\r\n\
Status: {status}\r\nRemote-MTA: dns; mx.example\r\nDiagnostic-Code: smtp; 550 5.1.1 <{rcpt}>:\r\n    Recipient address rejected\r\n\r\n\
--B1\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Return-Path: <{verp}>\r\nFrom: Obec Lhota <hlidac@lhota.example>\r\nTo: {rcpt}\r\nSubject: x\r\n\r\n--B1--\r\n"
        )
    }

    fn crypto() -> crate::crypto::Crypto {
        crate::crypto::Crypto::from_master(&[7u8; 32])
    }

    #[test]
    fn a_verp_address_names_its_alert_and_cannot_be_forged() {
        let c = crypto();
        let a = verp_address(&c, "0123456789abcdef0123456789abcdef", "lhota.example");
        assert_eq!(
            verp_alert(&c, &a).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        assert_eq!(
            verp_alert(&c, &format!("<{a}>")).as_deref(),
            Some("0123456789abcdef0123456789abcdef")
        );
        let forged = a.replacen("0123", "0124", 1);
        assert_eq!(verp_alert(&c, &forged), None);
        assert_eq!(verp_alert(&c, "bounces+x.y@lhota.example"), None);
        assert_eq!(verp_alert(&c, "jana@example.cz"), None);
    }

    #[test]
    fn postfix_dsns_and_an_arf_report_are_read() {
        let verp = "bounces+0123456789abcdef0123456789abcdef.00112233445566aa@lhota.example";
        let r =
            read(postfix_dsn(verp, "gone@example.cz", "failed", "5.1.1").as_bytes()).expect("read");
        assert_eq!(r.outcome, Outcome::Permanent);
        assert_eq!(r.status.as_deref(), Some("5.1.1"));
        assert_eq!(r.recipient.as_deref(), Some("gone@example.cz"));
        assert_eq!(r.verp, vec![verp.to_string()]);
        let r = read(postfix_dsn(verp, "full@example.cz", "delayed", "4.2.2").as_bytes())
            .expect("read");
        assert_eq!(r.outcome, Outcome::Temporary);
        let r =
            read(postfix_dsn(verp, "x@example.cz", "failed", "4.4.1").as_bytes()).expect("read");
        assert_eq!(
            r.outcome,
            Outcome::Temporary,
            "a 4.x.x failure is temporary"
        );
        assert_eq!(
            read(postfix_dsn(verp, "x@example.cz", "delivered", "2.0.0").as_bytes()),
            Err(ReportError::NotAFailure)
        );
        let arf = format!(
            "From: fbl@isp.example\r\nTo: abuse@lhota.example\r\nSubject: FW: x\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"A\"\r\n\r\n--A\r\n\
Content-Type: text/plain\r\n\r\nA complaint.\r\n--A\r\nContent-Type: message/feedback-report\r\n\r\n\
Feedback-Type: abuse\r\nUser-Agent: isp-fbl/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: <jana@example.cz>\r\n\r\n\
--A\r\nContent-Type: message/rfc822\r\n\r\nReturn-Path: <{verp}>\r\nFrom: hlidac@lhota.example\r\nTo: jana@example.cz\r\nSubject: x\r\n\r\nbody\r\n--A--\r\n"
        );
        let r = read(arf.as_bytes()).expect("read");
        assert_eq!(r.outcome, Outcome::Complaint);
        assert_eq!(r.status.as_deref(), Some("abuse"));
        assert_eq!(r.recipient.as_deref(), Some("jana@example.cz"));
        assert_eq!(r.verp, vec![verp.to_string()]);
        assert_eq!(
            read(b"Subject: hello\r\n\r\nnot a report\r\n"),
            Err(ReportError::NotAReport)
        );
        // A status that is not a status code is not kept (it would reach the log).
        let r = read(postfix_dsn(verp, "x@example.cz", "failed", "5.1.1\u{1b}[31m<b>").as_bytes())
            .expect("read");
        assert_eq!((r.outcome, r.status), (Outcome::Permanent, None));
        // The multipart message that trips mail-parser's debug_assert (found by fuzzing).
        let broken = include_bytes!("../../../fuzz/seeds/mail_report/malformed-multipart");
        assert!(read(broken).is_err());
        assert_eq!(
            read(&vec![b'a'; MAX_REPORT_BYTES + 1]),
            Err(ReportError::TooLarge)
        );
    }
}
