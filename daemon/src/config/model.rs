//! The configuration model: the top level, `[database]`, `[web]`, `[secrets]`, `[log]` and
//! `[admin]`; the other sections are in their own files. Every struct denies unknown
//! fields; defaults live beside each struct.

use super::*;
use anyhow::Context;
use serde::Deserialize;
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
#[serde(default)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://…`; unset = SQLite file `hlidac.db` in `state_dir`.
    pub url: Option<String>,
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 8,
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[serde(default)]
pub struct WebConfig {
    pub listen: String,
    /// How citizens reach this instance (behind a reverse proxy, usually https://…); used
    /// in the unsubscribe links of every e-mail. Default: http://<listen>.
    pub public_url: Option<String>,
    /// Reverse proxies (addresses or networks, e.g. "127.0.0.1" or "10.0.0.0/8") whose
    /// `X-Forwarded-For` names the client. Empty: the connecting address is the client.
    pub trusted_proxies: Vec<String>,
    /// A request not answered within this time is answered 503 (a client sending its
    /// body too slowly, or a handler stuck; each peer call has its own shorter timeout).
    pub request_timeout_secs: u64,
    /// Requests served at once (health, readiness and metrics not counted); one more is
    /// answered 503 at once.
    pub max_concurrent_requests: usize,
}

impl Default for WebConfig {
    fn default() -> Self {
        WebConfig {
            listen: "127.0.0.1:8080".into(),
            public_url: None,
            trusted_proxies: Vec::new(),
            request_timeout_secs: 30,
            max_concurrent_requests: 512,
        }
    }
}

/// An address or network ("192.0.2.1", "10.0.0.0/8", "2001:db8::/32").
pub fn parse_net(s: &str) -> Option<ipnet::IpNet> {
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

impl WebConfig {
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(u) => u.trim_end_matches('/').to_string(),
            None => format!("http://{}", self.listen),
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SecretsConfig {
    /// 32 random bytes, hex. Unset: `$CREDENTIALS_DIRECTORY/hlidac.key` when systemd passes
    /// one, else `state_dir/hlidac.key`, created on first start.
    pub key_file: Option<PathBuf>,
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
#[serde(default)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `hlidac=debug,info`; `HLIDAC_LOG` overrides it.
    pub level: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::default(),
            level: "info".into(),
        }
    }
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
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
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
        self.into()
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

/// A secret from its configured file, else from the systemd credential `credential`.
pub fn read_secret(file: Option<&std::path::Path>, credential: &str) -> anyhow::Result<String> {
    let path = match (file, std::env::var_os("CREDENTIALS_DIRECTORY")) {
        (Some(p), _) => p.to_path_buf(),
        (None, Some(dir)) => std::path::Path::new(&dir).join(credential),
        (None, None) => {
            anyhow::bail!("no file is configured and systemd passed no credential {credential}")
        }
    };
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("while reading the secret {}", path.display()))?;
    Ok(text.trim().to_string())
}
