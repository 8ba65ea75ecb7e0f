//! The delivery sections: `[email]` (an SMTP relay or a folder), `[sms]` (SMPP or an
//! HTTP gateway) and `[dispatch]` (batches, retries, leases, concurrency).

use super::{n16, n32, n64, yes};
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EmailConfig {
    Smtp(SmtpConfig),
    File(FileMailConfig),
}

impl Default for EmailConfig {
    fn default() -> Self {
        EmailConfig::Smtp(SmtpConfig::default())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpTls {
    /// Plain SMTP, for a relay on the same machine or network only.
    None,
    Starttls,
    /// Implicit TLS ("SMTPS", usually port 465).
    Tls,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct SmtpConfig {
    pub host: String,
    /// Default: 25 for `none`, 587 for `starttls`, 465 for `tls`.
    pub port: Option<u16>,
    pub tls: SmtpTls,
    pub username: Option<String>,
    pub password_file: Option<PathBuf>,
    pub timeout_secs: u64,
    pub pool_size: u32,
    /// At most this many messages a second to this server (token bucket; unset = no limit).
    pub rate_per_sec: Option<f64>,
    /// Names this relay in the log, the metrics and a tenant's `email_relays` (default
    /// "smtp" for the first, "relay<N>" for the ones in `relays`).
    pub name: Option<String>,
    /// Relays of lower priority are tried first; equal ones share the mail by `weight`.
    /// Default: the relay's place in the list (the first is 0).
    pub priority: Option<u32>,
    pub weight: u32,
    /// Further relays (`[[email.relays]]`, the same keys but `relays`): when one fails or
    /// answers slowly it is demoted for `dispatch.demote_secs` and the next is used.
    pub relays: Vec<SmtpConfig>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: "localhost".into(),
            port: None,
            tls: SmtpTls::None,
            username: None,
            password_file: None,
            timeout_secs: 30,
            pool_size: 4,
            rate_per_sec: None,
            name: None,
            priority: None,
            weight: 1,
            relays: Vec::new(),
        }
    }
}

impl SmtpConfig {
    /// Every relay in the configured order, each with its name and priority settled: this
    /// one first, then `relays`.
    pub fn all_relays(&self) -> Vec<SmtpConfig> {
        let mut all = vec![SmtpConfig {
            relays: Vec::new(),
            ..self.clone()
        }];
        all.extend(self.relays.iter().cloned());
        for (i, r) in all.iter_mut().enumerate() {
            r.name.get_or_insert_with(|| {
                if i == 0 {
                    "smtp".into()
                } else {
                    format!("relay{i}")
                }
            });
            r.priority.get_or_insert(i as u32);
        }
        all
    }

    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMailConfig {
    /// Each message is written here as `<alert id>.eml`.
    pub dir: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WatchConfig {
    /// How often reminder and overdue rules are evaluated against the clock.
    pub rules_interval_secs: u64,
    /// After this many failed polls in a row, the operator is told (an error in the log,
    /// and an e-mail when `operator_email` is set), once per run of failures.
    pub operator_alert_after: u32,
    /// Where to send that e-mail.
    pub operator_email: Option<String>,
    /// Changes (records and events) a full poll keeps in memory before it writes them to
    /// its staging area; they become visible only with the poll's final commit.
    pub poll_batch: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            rules_interval_secs: 60,
            operator_alert_after: 3,
            operator_email: None,
            poll_batch: 5000,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct DispatchConfig {
    pub batch_size: u32,
    /// Attempts before an alert is dead-lettered.
    pub max_attempts: u32,
    pub backoff_initial_secs: u64,
    pub backoff_max_secs: u64,
    /// How long a claimed alert stays with its dispatcher before others may take it back.
    pub lease_secs: u64,
    /// How often the dispatcher looks for due alerts when nothing wakes it.
    pub interval_ms: u64,
    /// On shutdown, how long in-flight sends may take to finish.
    pub shutdown_grace_secs: u64,
    /// Messages being sent at the same time (over the SMTP pool and the SMS window).
    pub concurrency: u32,
    /// At most this many messages may be with the server while their record is not yet
    /// written: the most duplicates a crash can cause. The last step of each send (the
    /// end of the e-mail's data, an SMS submit) waits for room. Unset: one per connection
    /// ([`DispatchConfig::in_doubt`]).
    pub max_in_doubt: Option<u32>,
    /// Readiness fails when alerts have been due this long and the dispatcher has made no
    /// progress for as long (a wedged send, a hung relay).
    pub stall_secs: u64,
    /// A provider (SMS provider or SMTP relay) that fails, or answers more slowly than
    /// `slow_ms`, is passed over for this long while another one works; then it is tried
    /// again.
    pub demote_secs: u64,
    /// Slower than this (a send, or an SMPP link's enquire_link) counts as failing.
    pub slow_ms: u64,
}

impl DispatchConfig {
    /// The in-doubt bound in effect: `max_in_doubt`, or one per connection.
    pub fn in_doubt(&self) -> u32 {
        self.max_in_doubt.unwrap_or(self.concurrency).max(1)
    }
}

impl Default for DispatchConfig {
    fn default() -> Self {
        DispatchConfig {
            batch_size: 100,
            max_attempts: 10,
            backoff_initial_secs: 30,
            backoff_max_secs: 3600,
            lease_secs: 120,
            interval_ms: 1000,
            shutdown_grace_secs: 10,
            concurrency: 8,
            max_in_doubt: None,
            stall_secs: 300,
            demote_secs: 300,
            slow_ms: 5000,
        }
    }
}

/// SMS providers: `[sms.smpp]` or `[sms.http]`, and any number of `[[sms.providers]]`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The sender shown on phones (an alphanumeric name of up to 11 characters, or a
    /// number); a tenant's `sms_sender` replaces it.
    pub sender: String,
    /// At most this many messages (parts count one each) a second (unset = no limit).
    pub rate_per_sec: Option<f64>,
    pub smpp: Option<SmppConfig>,
    pub http: Option<SmsHttpConfig>,
    /// Further providers, each named; together with the one above they are tried in
    /// priority order, and one that fails or answers slowly is demoted for a while
    /// (`dispatch.demote_secs`).
    #[serde(default)]
    pub providers: Vec<SmsProviderConfig>,
}

/// One SMS provider of several: exactly one of `smpp` and `http`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsProviderConfig {
    /// Names the provider in delivery receipts, the log, the metrics and a tenant's
    /// `sms_providers` (`[sms.smpp]` is "smpp", `[sms.http]` "http").
    pub name: String,
    /// Lower first; equal priorities share the messages by `weight`. Default: the
    /// provider's place in the list (`[sms.smpp]` or `[sms.http]` first).
    pub priority: Option<u32>,
    #[serde(default = "n32::<1>")]
    pub weight: u32,
    pub smpp: Option<SmppConfig>,
    pub http: Option<SmsHttpConfig>,
}

impl SmsConfig {
    /// Every provider in the configured order, each with its priority settled.
    pub fn all_providers(&self) -> Vec<SmsProviderConfig> {
        let mut all = Vec::new();
        if let Some(smpp) = &self.smpp {
            all.push(SmsProviderConfig {
                name: "smpp".into(),
                priority: None,
                weight: 1,
                smpp: Some(smpp.clone()),
                http: None,
            });
        } else if let Some(http) = &self.http {
            all.push(SmsProviderConfig {
                name: "http".into(),
                priority: None,
                weight: 1,
                smpp: None,
                http: Some(http.clone()),
            });
        }
        all.extend(self.providers.iter().cloned());
        for (i, p) in all.iter_mut().enumerate() {
            p.priority.get_or_insert(i as u32);
        }
        all
    }
}

/// An SMPP 3.4 SMSC, bound as a transceiver (sends and receives receipts on one link).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmppConfig {
    pub host: String,
    #[serde(default = "n16::<2775>")]
    pub port: u16,
    pub system_id: String,
    /// A file holding the bind password; unset: the systemd credential `smpp.password`
    /// (`$CREDENTIALS_DIRECTORY/smpp.password`).
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub system_type: String,
    /// submit_sm requests awaiting their response at once.
    #[serde(default = "n32::<10>")]
    pub window: u32,
    /// enquire_link every so often on an idle link.
    #[serde(default = "n64::<30>")]
    pub enquire_link_secs: u64,
    /// How long a response may take.
    #[serde(default = "n64::<10>")]
    pub timeout_secs: u64,
    /// The longest wait between reconnection attempts (doubling from 1 s).
    #[serde(default = "n64::<60>")]
    pub reconnect_max_secs: u64,
    /// Ask for delivery receipts (registered_delivery = 1).
    #[serde(default = "yes")]
    pub delivery_receipts: bool,
}

/// A provider with an HTTP API: one request per message, built from templates.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsHttpConfig {
    pub url: String,
    #[serde(default = "default_http_method")]
    pub method: String,
    /// Request headers; values are templates like the body (e.g. `Bearer {{ token }}`).
    #[serde(default)]
    pub headers: std::collections::BTreeMap<String, String>,
    /// A file whose content is `{{ token }}` in the headers and the body.
    pub token_file: Option<PathBuf>,
    /// The request body (minijinja): `to`, `text`, `sender`, `id` (the alert's id, for
    /// idempotency), `token`. JSON-escape with `|tojson`.
    pub body: String,
    #[serde(default = "default_content_type")]
    pub content_type: String,
    /// Statuses meaning "accepted".
    #[serde(default = "default_http_success")]
    pub success: Vec<u16>,
    /// Statuses meaning "try again later"; any other status is a permanent refusal.
    #[serde(default = "default_http_temporary")]
    pub temporary: Vec<u16>,
    /// A JSON pointer to the provider's message id in the response (e.g. `/id`).
    pub message_id_pointer: Option<String>,
    #[serde(default = "n64::<10>")]
    pub timeout_secs: u64,
}

fn default_http_method() -> String {
    "POST".into()
}
fn default_content_type() -> String {
    "application/json".into()
}
fn default_http_success() -> Vec<u16> {
    vec![200, 201, 202]
}
fn default_http_temporary() -> Vec<u16> {
    vec![408, 425, 429, 500, 502, 503, 504]
}
