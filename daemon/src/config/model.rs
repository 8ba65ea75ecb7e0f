//! The configuration model. Every struct denies unknown fields; defaults live here.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Locales that have alert templates today.
pub const SUPPORTED_LOCALES: &[&str] = crate::i18n::LOCALES;

#[derive(Clone, Debug)]
pub struct Config {
    /// The file the config came from (paths inside it are relative to its folder).
    pub source_path: PathBuf,
    pub state_dir: PathBuf,
    pub database: DatabaseConfig,
    pub web: WebConfig,
    pub secrets: SecretsConfig,
    pub email: EmailConfig,
    /// The SMS provider; without one, SMS alerts are dead-lettered ("no SMS provider").
    pub sms: Option<SmsConfig>,
    pub watch: WatchConfig,
    pub dispatch: DispatchConfig,
    pub log: LogConfig,
    pub admin: AdminConfig,
    /// National eID login: the SAML service provider and OpenID Connect relying party.
    pub identity: IdentityConfig,
    pub tenants: Vec<TenantConfig>,
}

impl Config {
    pub fn tenant(&self, id: &str) -> Option<&TenantConfig> {
        self.tenants.iter().find(|t| t.id == id)
    }

    /// The database URL, defaulting to a SQLite file in the state directory.
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.clone(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.state_dir.join("hlidac.db").display()
            ),
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://…`; unset = SQLite file `hlidac.db` in `state_dir`.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default = "default_max_connections")]
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: default_max_connections(),
        }
    }
}

fn default_max_connections() -> u32 {
    8
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebConfig {
    #[serde(default = "default_listen")]
    pub listen: String,
    /// How citizens reach this instance (behind a reverse proxy, usually https://…); used
    /// in the unsubscribe links of every e-mail. Default: http://<listen>.
    #[serde(default)]
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks, e.g. "127.0.0.1" or "10.0.0.0/8") whose
    /// `X-Forwarded-For` names the client. Empty: the connecting address is the client.
    #[serde(default)]
    pub trusted_proxies: Vec<String>,
    /// A request not answered within this time is answered 503 (a client sending its
    /// body too slowly, or a handler stuck; each peer call has its own shorter timeout).
    #[serde(default = "default_request_timeout")]
    pub request_timeout_secs: u64,
    /// Requests served at once (health, readiness and metrics not counted); one more is
    /// answered 503 at once.
    #[serde(default = "default_max_concurrent")]
    pub max_concurrent_requests: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: default_listen(),
            public_url: None,
            trusted_proxies: Vec::new(),
            request_timeout_secs: default_request_timeout(),
            max_concurrent_requests: default_max_concurrent(),
        }
    }
}

fn default_request_timeout() -> u64 {
    30
}

fn default_max_concurrent() -> usize {
    512
}

/// An `X-Forwarded-For` hop: an address, with or without a port.
fn parse_hop(hop: &str) -> Option<std::net::IpAddr> {
    hop.parse::<std::net::IpAddr>()
        .or_else(|_| hop.parse::<std::net::SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|a| a.to_canonical())
}

/// A stand-in address for a hop that is none: a /64 of the discard-only 100::/16 made
/// from a hash of its text.
fn opaque_addr(hop: &str) -> std::net::IpAddr {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    hop.hash(&mut h);
    let v = h.finish();
    std::net::IpAddr::V6(std::net::Ipv6Addr::new(
        0x0100,
        (v >> 48) as u16,
        (v >> 32) as u16,
        (v >> 16) as u16,
        0,
        0,
        0,
        0,
    ))
}

/// An address or network ("192.0.2.1", "10.0.0.0/8", "2001:db8::/32").
pub fn parse_net(s: &str) -> Option<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

impl WebConfig {
    /// The client behind a request from `peer`: the rightmost `X-Forwarded-For` entry not
    /// a trusted proxy, when `peer` is one; else `peer`. A hop that is no address (a
    /// proxy may write "unknown") stands for itself, as an address made from its text,
    /// so that such clients do not share the proxy's allowance.
    pub fn client_addr(
        &self,
        peer: std::net::IpAddr,
        forwarded_for: Option<&str>,
    ) -> std::net::IpAddr {
        let nets: Vec<ipnet::IpNet> = self
            .trusted_proxies
            .iter()
            .filter_map(|s| parse_net(s))
            .collect();
        let trusted = |a: &std::net::IpAddr| nets.iter().any(|n| n.contains(a));
        let peer = peer.to_canonical();
        if !trusted(&peer) {
            return peer;
        }
        let mut client = peer;
        for hop in forwarded_for.unwrap_or("").rsplit(',') {
            let hop = hop.trim();
            if hop.is_empty() {
                continue;
            }
            client = parse_hop(hop).unwrap_or_else(|| opaque_addr(hop));
            if !trusted(&client) {
                break;
            }
        }
        client
    }
}

impl WebConfig {
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }
}

fn default_listen() -> String {
    "127.0.0.1:8080".into()
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// 32 random bytes, hex. Unset: `$CREDENTIALS_DIRECTORY/hlidac.key` when systemd passes
    /// one, else `state_dir/hlidac.key`, created on first start.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
}

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
pub struct SmtpConfig {
    #[serde(default = "default_smtp_host")]
    pub host: String,
    /// Default: 25 for `none`, 587 for `starttls`, 465 for `tls`.
    #[serde(default)]
    pub port: Option<u16>,
    #[serde(default = "default_smtp_tls")]
    pub tls: SmtpTls,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default = "default_smtp_timeout")]
    pub timeout_secs: u64,
    #[serde(default = "default_pool_size")]
    pub pool_size: u32,
    /// At most this many messages a second to this server (token bucket; unset = no limit).
    #[serde(default)]
    pub rate_per_sec: Option<f64>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: default_smtp_host(),
            port: None,
            tls: default_smtp_tls(),
            username: None,
            password_file: None,
            timeout_secs: default_smtp_timeout(),
            pool_size: default_pool_size(),
            rate_per_sec: None,
        }
    }
}

impl SmtpConfig {
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            SmtpTls::None => 25,
            SmtpTls::Starttls => 587,
            SmtpTls::Tls => 465,
        })
    }
}

fn default_smtp_host() -> String {
    "localhost".into()
}
fn default_smtp_tls() -> SmtpTls {
    SmtpTls::None
}
fn default_smtp_timeout() -> u64 {
    30
}
fn default_pool_size() -> u32 {
    4
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMailConfig {
    /// Each message is written here as `<alert id>.eml`.
    pub dir: PathBuf,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchConfig {
    /// How often reminder and overdue rules are evaluated against the clock.
    #[serde(default = "default_rules_interval")]
    pub rules_interval_secs: u64,
    /// After this many failed polls in a row, the operator is told (an error in the log,
    /// and an e-mail when `operator_email` is set), once per run of failures.
    #[serde(default = "default_operator_after")]
    pub operator_alert_after: u32,
    /// Where to send that e-mail.
    #[serde(default)]
    pub operator_email: Option<String>,
    /// Changes (records and events) a full poll keeps in memory before it writes them to
    /// its staging area; they become visible only with the poll's final commit.
    #[serde(default = "default_poll_batch")]
    pub poll_batch: usize,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            rules_interval_secs: default_rules_interval(),
            operator_alert_after: default_operator_after(),
            operator_email: None,
            poll_batch: default_poll_batch(),
        }
    }
}

fn default_poll_batch() -> usize {
    5000
}

fn default_operator_after() -> u32 {
    3
}

fn default_rules_interval() -> u64 {
    60
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DispatchConfig {
    #[serde(default = "default_batch")]
    pub batch_size: u32,
    /// Attempts before an alert is dead-lettered.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    #[serde(default = "default_backoff_initial")]
    pub backoff_initial_secs: u64,
    #[serde(default = "default_backoff_max")]
    pub backoff_max_secs: u64,
    /// How long a claimed alert stays with its dispatcher before others may take it back.
    #[serde(default = "default_lease")]
    pub lease_secs: u64,
    /// How often the dispatcher looks for due alerts when nothing wakes it.
    #[serde(default = "default_interval_ms")]
    pub interval_ms: u64,
    /// On shutdown, how long in-flight sends may take to finish.
    #[serde(default = "default_grace")]
    pub shutdown_grace_secs: u64,
    /// Messages being sent at the same time (over the SMTP pool and the SMS window).
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// At most this many messages may be with the server while their record is not yet
    /// written: the most duplicates a crash can cause. The last step of each send (the
    /// end of the e-mail's data, an SMS submit) waits for room. Unset: one per connection
    /// ([`DispatchConfig::in_doubt`]).
    #[serde(default)]
    pub max_in_doubt: Option<u32>,
    /// Readiness fails when alerts have been due this long and the dispatcher has made no
    /// progress for as long (a wedged send, a hung relay).
    #[serde(default = "default_stall")]
    pub stall_secs: u64,
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
            batch_size: default_batch(),
            max_attempts: default_max_attempts(),
            backoff_initial_secs: default_backoff_initial(),
            backoff_max_secs: default_backoff_max(),
            lease_secs: default_lease(),
            interval_ms: default_interval_ms(),
            shutdown_grace_secs: default_grace(),
            concurrency: default_concurrency(),
            max_in_doubt: None,
            stall_secs: default_stall(),
        }
    }
}

fn default_stall() -> u64 {
    300
}
fn default_batch() -> u32 {
    100
}
fn default_max_attempts() -> u32 {
    10
}
fn default_backoff_initial() -> u64 {
    30
}
fn default_backoff_max() -> u64 {
    3600
}
fn default_lease() -> u64 {
    120
}
fn default_interval_ms() -> u64 {
    1000
}
fn default_grace() -> u64 {
    10
}
fn default_concurrency() -> u32 {
    8
}

/// The SMS provider: exactly one of `smpp` and `http`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmsConfig {
    /// The sender shown on phones (an alphanumeric name of up to 11 characters, or a
    /// number); a tenant's `sms_sender` replaces it.
    pub sender: String,
    /// At most this many messages (parts count one each) a second (unset = no limit).
    #[serde(default)]
    pub rate_per_sec: Option<f64>,
    #[serde(default)]
    pub smpp: Option<SmppConfig>,
    #[serde(default)]
    pub http: Option<SmsHttpConfig>,
}

/// An SMPP 3.4 SMSC, bound as a transceiver (sends and receives receipts on one link).
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmppConfig {
    pub host: String,
    #[serde(default = "default_smpp_port")]
    pub port: u16,
    pub system_id: String,
    /// A file holding the bind password; unset: the systemd credential `smpp.password`
    /// (`$CREDENTIALS_DIRECTORY/smpp.password`).
    #[serde(default)]
    pub password_file: Option<PathBuf>,
    #[serde(default)]
    pub system_type: String,
    /// submit_sm requests awaiting their response at once.
    #[serde(default = "default_smpp_window")]
    pub window: u32,
    /// enquire_link every so often on an idle link.
    #[serde(default = "default_enquire_link")]
    pub enquire_link_secs: u64,
    /// How long a response may take.
    #[serde(default = "default_smpp_timeout")]
    pub timeout_secs: u64,
    /// The longest wait between reconnection attempts (doubling from 1 s).
    #[serde(default = "default_reconnect_max")]
    pub reconnect_max_secs: u64,
    /// Ask for delivery receipts (registered_delivery = 1).
    #[serde(default = "default_true")]
    pub delivery_receipts: bool,
}

fn default_smpp_port() -> u16 {
    2775
}
fn default_smpp_window() -> u32 {
    10
}
fn default_enquire_link() -> u64 {
    30
}
fn default_smpp_timeout() -> u64 {
    10
}
fn default_reconnect_max() -> u64 {
    60
}
fn default_true() -> bool {
    true
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
    #[serde(default)]
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
    #[serde(default)]
    pub message_id_pointer: Option<String>,
    #[serde(default = "default_smpp_timeout")]
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

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
    /// Plain text without timestamps, for stderr read by journald (which adds its own).
    Journald,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    #[serde(default)]
    pub format: LogFormat,
    /// A tracing filter such as `info` or `hlidac=debug,info`; `HLIDAC_LOG` overrides it.
    #[serde(default = "default_level")]
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::default(),
            level: default_level(),
        }
    }
}

fn default_level() -> String {
    "info".into()
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sender {
    pub email: String,
    #[serde(default)]
    pub name: Option<String>,
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
    #[serde(default)]
    pub dkim: Option<DkimConfig>,
    /// The municipality's own wording: `<locale>/<kind>.txt` files here replace the
    /// built-in templates of that kind and language (the same variables and filters; the
    /// first line is `Subject: …`). What the folder lacks comes from the built-in ones.
    #[serde(default)]
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
    #[serde(default)]
    pub sms_sender: Option<String>,
    /// Rewrite SMS text into the GSM alphabet (no diacritics, Cyrillic transliterated):
    /// 160 characters a message instead of 70.
    #[serde(default)]
    pub sms_transliterate: bool,
    /// The lowest eID level of assurance accepted for this municipality's citizens
    /// ("low", "substantial", "high"); a login below it is refused.
    #[serde(default = "default_min_loa")]
    pub min_loa: Loa,
    /// Days before a document (identity card, passport) expires on which the citizen is
    /// reminded (0 = on the day).
    #[serde(default = "default_document_offsets")]
    pub document_offsets_days: Vec<u32>,
    #[serde(skip)]
    pub sources: Vec<SourceConfig>,
}

fn default_min_loa() -> Loa {
    Loa::Substantial
}
fn default_document_offsets() -> Vec<u32> {
    vec![90, 30, 7, 0]
}

/// eIDAS levels of assurance, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Loa {
    Low,
    Substantial,
    High,
}

impl Loa {
    pub fn as_str(self) -> &'static str {
        match self {
            Loa::Low => "low",
            Loa::Substantial => "substantial",
            Loa::High => "high",
        }
    }
}

/// The service provider (SAML) and relying party (OIDC) side of eID login.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// The SAML entity id of this hlidac (default: `<public_url>/saml/metadata`).
    #[serde(default)]
    pub entity_id: Option<String>,
    /// The SP's private key (PEM): signs metadata, requests and logouts, and decrypts
    /// assertions. Needed when any `[[identity.saml]]` is configured.
    #[serde(default)]
    pub key_file: Option<PathBuf>,
    /// The SP's certificate (PEM) published in the metadata.
    #[serde(default)]
    pub cert_file: Option<PathBuf>,
    /// Tolerated clock difference with identity providers.
    #[serde(default = "default_skew")]
    pub clock_skew_secs: u64,
    /// A session ends after this long without a request…
    #[serde(default = "default_idle")]
    pub session_idle_secs: u64,
    /// …and at the latest this long after the login.
    #[serde(default = "default_session_max")]
    pub session_max_secs: u64,
    /// A login must come back from the identity provider within this time.
    #[serde(default = "default_login_timeout")]
    pub login_timeout_secs: u64,
    /// Login starts and returns allowed per client address (IPv6: per /64) and minute:
    /// that many at once, then refilled evenly over the minute.
    #[serde(default = "default_login_rate")]
    pub login_rate_per_minute: u32,
    /// The most client addresses the login rate limit tracks; past it, new clients share
    /// one allowance until the next sweep (each minute) drops the idle ones.
    #[serde(default = "default_login_rate_clients")]
    pub login_rate_clients_max: usize,
    /// Stated with every registry call (registry exchanges require both).
    #[serde(default = "default_purpose")]
    pub registry_purpose: String,
    #[serde(default = "default_legal_basis")]
    pub registry_legal_basis: String,
    #[serde(default)]
    pub saml: Vec<SamlIdpConfig>,
    #[serde(default)]
    pub oidc: Vec<OidcIdpConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        toml::from_str("").expect("defaults")
    }
}

fn default_skew() -> u64 {
    60
}
fn default_idle() -> u64 {
    30 * 60
}
fn default_session_max() -> u64 {
    8 * 3600
}
fn default_login_timeout() -> u64 {
    10 * 60
}
fn default_login_rate() -> u32 {
    20
}
fn default_login_rate_clients() -> usize {
    100_000
}
fn default_purpose() -> String {
    "linking a citizen who logged in with eID to the registry record, to send the alerts they asked for".into()
}
fn default_legal_basis() -> String {
    "consent of the citizen, Art. 6(1)(a) GDPR".into()
}

/// How an identity provider's attributes become one verified identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Profile {
    #[serde(rename = "cz-nia")]
    CzNia,
    #[serde(rename = "eidas")]
    Eidas,
    #[serde(rename = "bg-eauth")]
    BgEauth,
    #[serde(rename = "rs-eid")]
    RsEid,
    #[serde(rename = "generic-oidc")]
    GenericOidc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SamlBinding {
    #[default]
    Redirect,
    Post,
}

/// A SAML 2.0 identity provider.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlIdpConfig {
    /// Short id used in URLs and logs.
    pub id: String,
    /// The login button's label.
    pub name: String,
    pub profile: Profile,
    /// The IdP's entity id (the Issuer of its responses).
    pub entity_id: String,
    /// Where AuthnRequests go; default: the metadata's SingleSignOnService for the binding.
    #[serde(default)]
    pub sso_url: Option<String>,
    #[serde(default)]
    pub sso_binding: SamlBinding,
    /// Single logout (HTTP-Redirect); default: the metadata's. Without one, logout is
    /// local only.
    #[serde(default)]
    pub slo_url: Option<String>,
    /// The IdP's signing certificates (PEM; several for a key rollover), trusted in
    /// addition to those of its metadata. Without either, nothing could tell a forged
    /// response from a real one.
    #[serde(default)]
    pub signing_cert_files: Vec<PathBuf>,
    /// The IdP's metadata as a local file (read again on each refresh).
    #[serde(default)]
    pub metadata_file: Option<PathBuf>,
    /// The IdP's metadata fetched over HTTPS; it must be signed by a
    /// `metadata_signing_cert_files` certificate.
    #[serde(default)]
    pub metadata_url: Option<String>,
    /// Who signs the metadata (PEM): the federation or the IdP. Checked whenever given.
    #[serde(default)]
    pub metadata_signing_cert_files: Vec<PathBuf>,
    /// How often the metadata is read again (a failed refresh is retried after a minute;
    /// the last good metadata is used until its validUntil).
    #[serde(default = "default_metadata_refresh")]
    pub metadata_refresh_secs: u64,
    /// The level of assurance asked for (`Comparison="minimum"`).
    #[serde(default = "default_requested_loa")]
    pub loa: Loa,
    /// Require a signature on the Response as well as on the assertion.
    #[serde(default = "default_true")]
    pub require_signed_response: bool,
    /// eIDAS `SPType` sent in the request's extensions.
    #[serde(default = "default_sp_type")]
    pub sp_type: String,
    /// Bulgarian eAuth: the service and provider codes of the `RequestedService` extension.
    #[serde(default)]
    pub eauth_service: Option<String>,
    #[serde(default)]
    pub eauth_provider: Option<String>,
}

fn default_metadata_refresh() -> u64 {
    3600
}

impl SamlIdpConfig {
    /// Whether the IdP is described by metadata (a file or a URL).
    pub fn has_metadata(&self) -> bool {
        self.metadata_file.is_some() || self.metadata_url.is_some()
    }
}

fn default_requested_loa() -> Loa {
    Loa::Substantial
}
fn default_sp_type() -> String {
    "public".into()
}

/// An OpenID Connect provider.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcIdpConfig {
    pub id: String,
    pub name: String,
    pub profile: Profile,
    /// Must equal the `iss` of its ID tokens exactly.
    pub issuer: String,
    /// Where the provider's configuration is (default: `<issuer>/.well-known/openid-configuration`).
    #[serde(default)]
    pub discovery_url: Option<String>,
    pub client_id: String,
    /// The client secret (client_secret_basic); default: the systemd credential
    /// `oidc-<id>.secret`.
    #[serde(default)]
    pub client_secret_file: Option<PathBuf>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Signature algorithms accepted on ID tokens (asymmetric only).
    #[serde(default = "default_algs")]
    pub algorithms: Vec<String>,
    /// How the `acr` values this provider returns map onto levels of assurance (default:
    /// the eIDAS URIs `http://eidas.europa.eu/LoA/low|substantial|high`). A login whose
    /// `acr` is missing or not in this table has no level, and is refused.
    #[serde(default)]
    pub acr_levels: Option<BTreeMap<String, Loa>>,
    /// The provider asserts its level by other means than `acr` (its contract, or rs-eid's
    /// `ial` claim): a login without a known `acr` is then taken at `loa` (rs-eid: at its
    /// `ial` when present). `check-config` says so for each such provider.
    #[serde(default)]
    pub loa_asserted_otherwise: bool,
    /// The level taken for a login without a known `acr`, with `loa_asserted_otherwise`.
    #[serde(default = "default_oidc_loa")]
    pub loa: Loa,
    /// Sent as `acr_values` (space-separated), and as the values of the essential `acr`
    /// claim; default: the `acr_levels` values at or above the municipality's minimum.
    #[serde(default)]
    pub acr_values: Option<String>,
    /// Tolerated clock difference on this provider's tokens (default: the identity
    /// section's `clock_skew_secs`).
    #[serde(default)]
    pub clock_skew_secs: Option<u64>,
    /// How old the provider's discovery document and signing keys may grow before they
    /// are read again (looked at every minute and at each login; an ID token naming an
    /// unknown key makes them read again, at most once a minute).
    #[serde(default = "default_jwks_refresh")]
    pub jwks_refresh_secs: u64,
    /// The provider encrypts its ID tokens (JWE, RSA-OAEP with A256CBC-HS512, as the Czech
    /// NIA does); an unencrypted ID token is then refused.
    #[serde(default)]
    pub encrypted_id_token: bool,
    /// The RSA key (PEM) the ID tokens are encrypted to; default: `identity.key_file`.
    #[serde(default)]
    pub decryption_key_file: Option<PathBuf>,
}

fn default_jwks_refresh() -> u64 {
    3600
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_algs() -> Vec<String> {
    vec!["RS256".into(), "PS256".into(), "ES256".into()]
}
fn default_oidc_loa() -> Loa {
    Loa::Low
}

/// A municipality's look in its e-mails: an accent colour for the HTML part's heading, a
/// footer under every message (text and HTML), and the address of its web site.
#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Branding {
    /// `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub footer: Option<String>,
    #[serde(default)]
    pub web: Option<String>,
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
    #[serde(default)]
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
    #[serde(default)]
    pub schedule: Option<String>,
    /// A snapshot that loses more than this share of the records seen last time is
    /// treated as a failed poll: nothing is changed or sent.
    #[serde(default = "default_max_drop_share")]
    pub max_drop_share: f64,
    /// Like the tenant's `dry_run`, for this source only.
    #[serde(default)]
    pub dry_run: bool,
    pub adapter: AdapterConfig,
}

impl SourceConfig {
    pub fn serves(&self, kind: SourceKind) -> bool {
        self.kinds.contains(&kind)
    }

    /// Records arrive by `POST /ingest/…`; the source is never polled.
    pub fn is_push(&self) -> bool {
        matches!(self.adapter, AdapterConfig::Push(_))
    }
}

fn default_max_drop_share() -> f64 {
    0.25
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
    #[serde(default = "default_exec_timeout")]
    pub timeout_secs: u64,
    /// The program's address-space limit.
    #[serde(default = "default_exec_memory")]
    pub memory_limit_mb: u64,
    /// Person references per run.
    #[serde(default = "default_max_page")]
    pub max_page: usize,
}

fn default_exec_timeout() -> u64 {
    60
}
fn default_exec_memory() -> u64 {
    512
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
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    #[serde(default = "default_http_timeout")]
    pub timeout_secs: u64,
    /// Person references per request.
    #[serde(default = "default_max_page")]
    pub max_page: usize,
    /// Read the source's change feed (`GET /v1/changes?cursor=…`) instead of every
    /// person's records at each poll; the first poll, and any poll after the source
    /// forgot the cursor (410 Gone), reads everything.
    #[serde(default)]
    pub changes: bool,
    /// Mutual TLS: the client certificate (PEM) hlidac presents, and its private key.
    #[serde(default)]
    pub client_cert_file: Option<PathBuf>,
    #[serde(default)]
    pub client_key_file: Option<PathBuf>,
    /// A CA (PEM) to trust for the source's server certificate, besides the public roots.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

fn default_http_timeout() -> u64 {
    10
}
fn default_max_page() -> usize {
    1000
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

/// Who may use the admin API (`/admin/v1/…`).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminConfig {
    #[serde(default)]
    pub token: Vec<AdminToken>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads status and the outbox, suppresses a citizen's contact on request.
    Support,
    /// Also pauses and resumes sources and resends alerts.
    Operator,
    /// Also reads reports and the audit log.
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Support => "support",
            Role::Operator => "operator",
            Role::Admin => "admin",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminToken {
    /// Who holds it; written to the audit log.
    pub name: String,
    pub role: Role,
    /// A file holding the bearer token (at least 32 characters).
    pub token_file: PathBuf,
}

/// The latest time at or before `now` at which `schedule` fired, for periodic schedules:
/// looks back two periods (the gap between the next two fires).
pub fn previous_fire(
    schedule: &cron::Schedule,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let mut next = schedule.after(&now);
    let (a, b) = (next.next()?, next.next()?);
    let gap = b - a;
    schedule
        .after(&(now - gap - gap))
        .take_while(|t| *t <= now)
        .last()
}
