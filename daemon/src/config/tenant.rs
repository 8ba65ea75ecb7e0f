//! One municipality (`[[tenant]]`): its sender, branding, reminder days, DKIM key and
//! sources with their adapters and schedules.

use super::*;
use serde::Deserialize;
use std::path::PathBuf;

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    pub email: String,
    pub name: Option<String>,
}

/// What hlidac does with an enrolled person the registry reports about (protocol 1.1):
/// `ignore`; `stop` every alert (the person stays enrolled, their data kept); `erase` the
/// person as `hlidac citizen remove` does; `relink` (identifier_changed only) to the new
/// person reference.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RegistryPolicy {
    pub deceased: PersonAction,
    pub moved_out: PersonAction,
    pub identifier_changed: PersonAction,
}

impl Default for RegistryPolicy {
    fn default() -> Self {
        RegistryPolicy {
            deceased: PersonAction::Stop,
            moved_out: PersonAction::Stop,
            identifier_changed: PersonAction::Relink,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum PersonAction {
    Ignore,
    Stop,
    Erase,
    Relink,
}

impl PersonAction {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// One municipality.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    pub id: String,
    pub name: String,
    #[serde(default = "default_locale")]
    pub locale: String,
    #[serde(default = "default_time_zone")]
    pub time_zone: String,
    pub sender: Sender,
    /// Days before a due date on which a reminder goes out (0 = on the day).
    #[serde(default = "default_offsets")]
    pub reminder_offsets_days: Vec<u32>,
    /// Poll, diff and render everything, but record alerts as "would send" instead of
    /// sending them: for trying a new municipality before it reaches citizens.
    #[serde(default)]
    pub dry_run: bool,
    /// DKIM-sign this municipality's e-mails.
    pub dkim: Option<DkimConfig>,
    /// The municipality's own wording: `<locale>/<kind>.txt` files here replace the
    /// built-in templates of that kind and language (the same variables and filters; the
    /// first line is `Subject: …`). What the folder lacks comes from the built-in ones.
    pub templates_dir: Option<PathBuf>,
    /// How the municipality's e-mails look.
    #[serde(default)]
    pub branding: Branding,
    /// No SMS goes out between these local times ("HH:MM-HH:MM"); one due then waits for
    /// the end. A citizen's own setting replaces it. E-mail goes out at any time.
    #[serde(default = "default_quiet_hours")]
    pub quiet_hours: String,
    /// When citizens who chose a daily digest get it (local "HH:MM").
    #[serde(default = "default_digest_time")]
    pub digest_time: String,
    /// The sender shown on phones for this municipality (else `sms.sender`).
    pub sms_sender: Option<String>,
    /// Rewrite SMS text into the GSM alphabet (no diacritics, Cyrillic transliterated):
    /// 160 characters a message instead of 70.
    #[serde(default)]
    pub sms_transliterate: bool,
    /// The SMS providers this municipality's messages use, by name, in this order of
    /// preference (empty: all of `[sms]`, in their priority order).
    #[serde(default)]
    pub sms_providers: Vec<String>,
    /// The SMTP relays its e-mails use, by name, in order (empty: all of `[email]`).
    #[serde(default)]
    pub email_relays: Vec<String>,
    /// The lowest eID level of assurance accepted for this municipality's citizens
    /// ("low", "substantial", "high"); a login below it is refused.
    #[serde(default = "default_min_loa")]
    pub min_loa: Loa,
    /// Days before a document (identity card, passport) expires on which the citizen is
    /// reminded (0 = on the day).
    #[serde(default = "default_document_offsets")]
    pub document_offsets_days: Vec<u32>,
    /// Tell citizens when a source cancels one of their fees (a tombstone with
    /// `"withdrawn": "cancelled"`). Off by default: the fee just leaves their overview and
    /// its reminders stop. A record withdrawn as entered in error is never told.
    #[serde(default)]
    pub tell_cancelled: bool,
    /// Temporary delivery failures (DSN "delayed", or a 4.x.x status, read by `hlidac
    /// bounce`) an e-mail address may have before it counts as undeliverable, like one
    /// permanent failure. At least 1.
    #[serde(default = "n32::<3>")]
    pub bounce_soft_limit: u32,
    /// The other channel an e-mail alert goes by, once, when its e-mail bounced
    /// permanently or was dead-lettered: `"sms"`, to the citizen's verified phone (quiet
    /// hours and expiry as for any SMS). Unset: none.
    pub fallback: Option<Fallback>,
    /// A file holding the secret (at least 32 characters) with which a relay provider
    /// signs its bounce and complaint reports to `POST /feedback/<tenant>`; unset: the
    /// webhook answers 404 for this municipality.
    pub feedback_secret_file: Option<PathBuf>,
    /// The topics whose alerts may fall back (default: all four).
    #[serde(default = "default_fallback_topics")]
    pub fallback_topics: Vec<String>,
    /// What to do when the registry reports an event about an enrolled person
    /// (`[tenant.registry_events]`, read from a registry source with a schedule).
    #[serde(default)]
    pub registry_events: RegistryPolicy,
    #[serde(skip)]
    pub sources: Vec<SourceConfig>,
}

fn default_min_loa() -> Loa {
    Loa::Substantial
}
fn default_fallback_topics() -> Vec<String> {
    crate::store::TOPICS.iter().map(|t| t.to_string()).collect()
}

/// The channel an alert falls back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fallback {
    Sms,
}

impl TenantConfig {
    /// Whether an e-mail alert of `kind` falls back to SMS when it cannot be delivered.
    pub fn falls_back(&self, kind: &str) -> bool {
        self.fallback == Some(Fallback::Sms)
            && self
                .fallback_topics
                .iter()
                .any(|t| t == crate::store::topic_of(kind))
    }
}

fn default_document_offsets() -> Vec<u32> {
    vec![90, 30, 7, 0]
}

/// A municipality's look in its e-mails: an accent colour for the HTML part's heading, a
/// footer under every message (text and HTML), the address of its web site and the line
/// that says whom to contact.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`.
    pub color: Option<String>,
    pub footer: Option<String>,
    pub web: Option<String>,
    /// Whom to ask at the municipality, one line under every e-mail (for example
    /// "Podatelna, +420 555 123 456, podatelna@lhota.cz"); unset: the web site, else the
    /// sender's address.
    pub contact: Option<String>,
}

fn default_quiet_hours() -> String {
    "20:00-08:00".into()
}
fn default_digest_time() -> String {
    "07:00".into()
}

impl TenantConfig {
    pub fn tz(&self) -> chrono_tz::Tz {
        self.time_zone.parse().unwrap_or(chrono_tz::Europe::Prague)
    }

    /// Whom to ask at the municipality, the line every e-mail ends with: its own contact
    /// line, else its web site, else the address its alerts come from.
    pub fn contact_line(&self) -> &str {
        self.branding
            .contact
            .as_deref()
            .or(self.branding.web.as_deref())
            .unwrap_or(&self.sender.email)
    }

    /// The date at `now` in the tenant's time zone.
    pub fn today(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&self.tz()).date_naive()
    }

    /// The domain of the address the municipality's e-mails come from.
    pub fn sender_domain(&self) -> &str {
        self.sender.email.rsplit('@').next().unwrap_or_default()
    }

    /// The municipality's midnight starting `date`, in milliseconds since the epoch (None
    /// where a daylight-saving change skips it).
    pub fn midnight_ms(&self, date: chrono::NaiveDate) -> Option<i64> {
        use chrono::TimeZone;
        let midnight = date.and_hms_opt(0, 0, 0)?;
        let at = self.tz().from_local_datetime(&midnight).earliest()?;
        Some(at.timestamp_millis())
    }

    /// The municipality's date at `ms` milliseconds since the epoch.
    pub fn date_of_ms(&self, ms: i64) -> Option<chrono::NaiveDate> {
        use chrono::TimeZone;
        let at = self.tz().timestamp_millis_opt(ms).single()?;
        Some(at.date_naive())
    }

    pub fn source(&self, id: &str) -> Option<&SourceConfig> {
        self.sources.iter().find(|s| s.id == id)
    }
}

/// DKIM signing for a tenant's sender domain.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DkimConfig {
    /// The selector: the public key is published at `<selector>._domainkey.<domain>`.
    pub selector: String,
    /// The signing domain; the sender address's domain when unset.
    pub domain: Option<String>,
    /// An RSA private key in PKCS#1 PEM ("BEGIN RSA PRIVATE KEY").
    pub key_file: PathBuf,
}

fn default_locale() -> String {
    "cs".into()
}
fn default_time_zone() -> String {
    "Europe/Prague".into()
}
fn default_offsets() -> Vec<u32> {
    vec![14, 3, 0]
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Receivables,
    Submissions,
    /// The base registry of persons: links a citizen who logged in (HTTP adapters only).
    Registry,
}

/// One internal system of a municipality, polled on a schedule.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    pub id: String,
    pub kinds: Vec<SourceKind>,
    /// Cron with seconds (`0 */5 * * * *`) or the classic five fields (`*/5 * * * *`).
    /// Required for polled sources; a `push` source has none.
    pub schedule: Option<String>,
    /// A snapshot that loses more than this share of the records seen last time is
    /// treated as a failed poll: nothing is changed or sent.
    #[serde(default = "default_max_drop_share")]
    pub max_drop_share: f64,
    /// A record that does not follow the protocol is held back alone and the rest of the
    /// read goes on; more than one, and more than this share of a read's records, fails
    /// the whole poll instead (the source, not a record, is broken).
    #[serde(default = "default_max_held_share")]
    pub max_held_share: f64,
    /// Like the tenant's `dry_run`, for this source only.
    #[serde(default)]
    pub dry_run: bool,
    pub adapter: AdapterConfig,
}

impl SourceConfig {
    pub fn serves(&self, kind: SourceKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// The kinds of record it serves, by their protocol names (not the registry).
    pub fn record_kinds(&self) -> Vec<&'static str> {
        use hlidac_adapters::{Receivable, Record, Submission};
        [
            (SourceKind::Receivables, Receivable::LIST),
            (SourceKind::Submissions, Submission::LIST),
        ]
        .into_iter()
        .filter(|(k, _)| self.serves(*k))
        .map(|(_, name)| name)
        .collect()
    }

    /// Records arrive by `POST /ingest/…`; the source is never polled.
    pub fn is_push(&self) -> bool {
        matches!(self.adapter, AdapterConfig::Push(_))
    }
}

fn default_max_drop_share() -> f64 {
    0.25
}

fn default_max_held_share() -> f64 {
    0.1
}

#[derive(Clone, Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum AdapterConfig {
    File(FileAdapterConfig),
    Http(HttpAdapterConfig),
    Exec(ExecAdapterConfig),
    Push(PushAdapterConfig),
}

/// A program of the municipality's that prints records as JSON lines (see
/// `adapters/PROTOCOL.md`, "Exec adapters").
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExecAdapterConfig {
    /// The program and its arguments; run directly, never through a shell.
    pub command: Vec<String>,
    #[serde(default = "n64::<60>")]
    pub timeout_secs: u64,
    /// The program's address-space limit.
    #[serde(default = "n64::<512>")]
    pub memory_limit_mb: u64,
    /// Person references per run.
    #[serde(default = "nsize::<1000>")]
    pub max_page: usize,
}

/// A source that sends its changes to `POST /ingest/{tenant}/{source}`, signed with
/// HMAC-SHA-256 under a shared secret.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PushAdapterConfig {
    /// A file holding the shared secret (at least 32 characters).
    pub secret_file: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileAdapterConfig {
    pub path: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpAdapterConfig {
    pub base_url: String,
    /// A file holding the bearer token (a systemd credential, for instance).
    pub token_file: Option<PathBuf>,
    #[serde(default = "n64::<10>")]
    pub timeout_secs: u64,
    /// Person references per request.
    #[serde(default = "nsize::<1000>")]
    pub max_page: usize,
    /// Read the source's change feed (`GET /v1/changes?cursor=…`) instead of every
    /// person's records at each poll; the first poll, and any poll after the source
    /// forgot the cursor (410 Gone), reads everything.
    #[serde(default)]
    pub changes: bool,
    /// Mutual TLS: the client certificate (PEM) hlidac presents, and its private key.
    pub client_cert_file: Option<PathBuf>,
    pub client_key_file: Option<PathBuf>,
    /// A CA (PEM) to trust for the source's server certificate, besides the public roots.
    pub ca_file: Option<PathBuf>,
}

/// Parses a schedule, accepting classic five-field cron by adding a seconds field.
pub fn parse_schedule(text: &str) -> Result<cron::Schedule, String> {
    let fields = text.split_whitespace().count();
    let full = if fields == 5 {
        format!("0 {text}")
    } else {
        text.to_string()
    };
    full.parse::<cron::Schedule>().map_err(|e| e.to_string())
}
