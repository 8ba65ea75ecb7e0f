//! Loading: TOML file → environment and flag overrides → section-wise typed parsing →
//! checks. Each section is parsed on its own so one mistake does not hide the next; all
//! errors come back together, each with its key path and a hint.

use super::model::*;
use serde::de::DeserializeOwned;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::{Table, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// Where the problem is, as a TOML key path: `tenant[0].source[1].schedule`.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

#[derive(Clone, Debug)]
pub struct ConfigErrors {
    pub file: PathBuf,
    pub errors: Vec<ConfigError>,
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.errors.len();
        writeln!(
            f,
            "{n} error{} in {}:",
            if n == 1 { "" } else { "s" },
            self.file.display()
        )?;
        for e in &self.errors {
            writeln!(f, "  - {}: {}", e.path, e.message)?;
            if let Some(hint) = &e.hint {
                writeln!(f, "      hint: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// Settings that override the file: environment variables and command-line flags.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `(NAME, value)` pairs; only names starting with `HLIDAC_` are used.
    pub env: Vec<(String, String)>,
    pub state_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub listen: Option<String>,
}

impl Overrides {
    pub fn from_env() -> Self {
        Overrides {
            env: std::env::vars().collect(),
            ..Overrides::default()
        }
    }
}

/// Environment variables with the prefix that are not config keys.
const RESERVED_ENV: &[&str] = &["CONFIG", "LOG", "PERSON_REF", "ACCESS_CODE"];
const TOP_LEVEL_KEYS: &[&str] = &[
    "state_dir",
    "database",
    "web",
    "secrets",
    "email",
    "sms",
    "watch",
    "dispatch",
    "log",
    "admin",
    "identity",
    "tenant",
];

#[derive(Default)]
struct Errors(Vec<ConfigError>);

impl Errors {
    fn push(&mut self, path: impl Into<String>, message: impl Into<String>, hint: Option<&str>) {
        self.0.push(ConfigError {
            path: path.into(),
            message: message.into(),
            hint: hint.map(str::to_string),
        });
    }
}

pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => load_str(&text, path, overrides),
        Err(e) => Err(ConfigErrors {
            file: path.to_path_buf(),
            errors: vec![ConfigError {
                path: "(file)".into(),
                message: format!("cannot read the config file: {e}"),
                hint: Some("pass the right file with --config PATH".into()),
            }],
        }),
    }
}

pub fn load_str(text: &str, path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    let mut errs = Errors::default();
    let fail = |errs: Errors| ConfigErrors {
        file: path.to_path_buf(),
        errors: errs.0,
    };
    let mut table: Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            errs.push(
                "(syntax)",
                e.to_string().trim().to_string(),
                Some("fix the TOML syntax"),
            );
            return Err(fail(errs));
        }
    };
    apply_env(&mut table, &overrides.env, &mut errs);
    if let Some(dir) = &overrides.state_dir {
        table.insert("state_dir".into(), Value::String(dir.display().to_string()));
    }
    if let Some(url) = &overrides.database_url {
        set_path(&mut table, &["database", "url"], Value::String(url.clone()));
    }
    if let Some(listen) = &overrides.listen {
        set_path(
            &mut table,
            &["web", "listen"],
            Value::String(listen.clone()),
        );
    }

    for key in table.keys() {
        if !TOP_LEVEL_KEYS.contains(&key.as_str()) {
            errs.push(
                key.clone(),
                "unknown key",
                Some(&format!(
                    "top-level keys are: {}",
                    TOP_LEVEL_KEYS.join(", ")
                )),
            );
        }
    }

    let base = path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let state_dir: PathBuf = section(&mut table, "state_dir", &mut errs)
        .unwrap_or_else(|| PathBuf::from("/var/lib/hlidac"));
    let mut config = Config {
        source_path: path.to_path_buf(),
        state_dir: resolve(&base, &state_dir),
        database: section(&mut table, "database", &mut errs).unwrap_or_default(),
        web: section(&mut table, "web", &mut errs).unwrap_or_default(),
        secrets: section(&mut table, "secrets", &mut errs).unwrap_or_default(),
        email: section(&mut table, "email", &mut errs).unwrap_or_default(),
        sms: section(&mut table, "sms", &mut errs),
        watch: section(&mut table, "watch", &mut errs).unwrap_or_default(),
        dispatch: section(&mut table, "dispatch", &mut errs).unwrap_or_default(),
        log: section(&mut table, "log", &mut errs).unwrap_or_default(),
        admin: section(&mut table, "admin", &mut errs).unwrap_or_default(),
        identity: section(&mut table, "identity", &mut errs).unwrap_or_default(),
        tenants: tenants(table.remove("tenant"), &mut errs),
    };
    resolve_paths(&mut config, &base);
    validate(&config, &mut errs);
    if errs.0.is_empty() {
        Ok(config)
    } else {
        Err(fail(errs))
    }
}

/// Makes `p` absolute against `base` (and the working directory) and removes `.` and
/// `..` lexically: SQLite cannot reopen a WAL database through a path with `..` in it.
fn resolve(base: &Path, p: &Path) -> PathBuf {
    use std::path::Component;
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else if base.is_absolute() {
        base.join(p)
    } else {
        std::env::current_dir()
            .unwrap_or_default()
            .join(base)
            .join(p)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn resolve_paths(c: &mut Config, base: &Path) {
    let fix = |p: &mut PathBuf| *p = resolve(base, p);
    if let Some(p) = c.secrets.key_file.as_mut() {
        fix(p)
    }
    match &mut c.email {
        EmailConfig::File(f) => fix(&mut f.dir),
        EmailConfig::Smtp(s) => {
            if let Some(p) = s.password_file.as_mut() {
                fix(p)
            }
        }
    }
    if let Some(sms) = c.sms.as_mut() {
        if let Some(smpp) = sms.smpp.as_mut() {
            if let Some(p) = smpp.password_file.as_mut() {
                fix(p);
            }
        }
        if let Some(p) = sms.http.as_mut().and_then(|h| h.token_file.as_mut()) {
            fix(p);
        }
    }
    for t in &mut c.admin.token {
        fix(&mut t.token_file);
    }
    for p in [&mut c.identity.key_file, &mut c.identity.cert_file]
        .into_iter()
        .flatten()
    {
        fix(p);
    }
    for idp in &mut c.identity.saml {
        idp.signing_cert_files.iter_mut().for_each(fix);
        idp.metadata_signing_cert_files.iter_mut().for_each(fix);
        if let Some(p) = idp.metadata_file.as_mut() {
            fix(p);
        }
    }
    for idp in &mut c.identity.oidc {
        if let Some(p) = idp.client_secret_file.as_mut() {
            fix(p);
        }
        if let Some(p) = idp.decryption_key_file.as_mut() {
            fix(p);
        }
    }
    for t in &mut c.tenants {
        if let Some(d) = t.dkim.as_mut() {
            fix(&mut d.key_file);
        }
        if let Some(dir) = t.templates_dir.as_mut() {
            fix(dir);
        }
    }
    for t in &mut c.tenants {
        for s in &mut t.sources {
            match &mut s.adapter {
                AdapterConfig::File(f) => fix(&mut f.path),
                AdapterConfig::Push(p) => fix(&mut p.secret_file),
                AdapterConfig::Exec(e) => {
                    // The program, not its arguments, which are the program's own.
                    if let Some(program) = e.command.first_mut() {
                        let mut p = PathBuf::from(&*program);
                        fix(&mut p);
                        *program = p.display().to_string();
                    }
                }
                AdapterConfig::Http(h) => {
                    for p in [
                        &mut h.token_file,
                        &mut h.client_cert_file,
                        &mut h.client_key_file,
                        &mut h.ca_file,
                    ]
                    .into_iter()
                    .flatten()
                    {
                        fix(p)
                    }
                }
            }
        }
    }
}

/// Parses one value into `T`, recording an error with the full key path on failure.
fn parse_value<T: DeserializeOwned>(value: Value, prefix: &str, errs: &mut Errors) -> Option<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(v) => Some(v),
        Err(e) => {
            let inner = e.path().to_string();
            let path = if inner == "." || inner.is_empty() {
                prefix.to_string()
            } else {
                format!("{prefix}.{inner}")
            };
            let message = e.into_inner().to_string();
            let hint = if message.contains("unknown field") {
                Some("remove the key or fix its spelling; the accepted keys are listed above")
            } else if message.contains("missing field") {
                Some("add the key; see config/demo.toml for an example")
            } else if message.contains("unknown variant") {
                Some("use one of the values listed above")
            } else {
                Some("see config/demo.toml for the expected type and an example")
            };
            errs.push(path, message, hint);
            None
        }
    }
}

fn section<T: DeserializeOwned>(table: &mut Table, key: &str, errs: &mut Errors) -> Option<T> {
    let value = table.remove(key)?;
    parse_value(value, key, errs)
}

fn tenants(value: Option<Value>, errs: &mut Errors) -> Vec<TenantConfig> {
    let Some(value) = value else {
        return Vec::new();
    };
    let Value::Array(items) = value else {
        errs.push(
            "tenant",
            "must be an array of tables",
            Some("write each municipality as a [[tenant]] section"),
        );
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        let prefix = format!("tenant[{i}]");
        let Value::Table(mut t) = item else {
            errs.push(
                prefix,
                "must be a table",
                Some("write it as a [[tenant]] section"),
            );
            continue;
        };
        let sources = t.remove("source");
        let Some(mut tenant) = parse_value::<TenantConfig>(Value::Table(t), &prefix, errs) else {
            continue;
        };
        match sources {
            None => {}
            Some(Value::Array(list)) => {
                for (j, s) in list.into_iter().enumerate() {
                    let sp = format!("{prefix}.source[{j}]");
                    if let Some(source) = parse_value::<SourceConfig>(s, &sp, errs) {
                        tenant.sources.push(source);
                    }
                }
            }
            Some(_) => errs.push(
                format!("{prefix}.source"),
                "must be an array of tables",
                Some("write each source as a [[tenant.source]] section"),
            ),
        }
        out.push(tenant);
    }
    out
}

/// Applies `HLIDAC_A__B__0__C=value` overrides. Values parse as TOML (numbers, booleans,
/// arrays, quoted strings) and fall back to a plain string.
fn apply_env(table: &mut Table, env: &[(String, String)], errs: &mut Errors) {
    let mut vars: Vec<&(String, String)> = env
        .iter()
        .filter(|(k, _)| k.starts_with("HLIDAC_"))
        .collect();
    vars.sort();
    for (name, raw) in vars {
        let key = &name["HLIDAC_".len()..];
        if RESERVED_ENV.contains(&key) || key.starts_with("TEST_") || key.starts_with("SIM_") {
            continue;
        }
        let segments: Vec<String> = key.split("__").map(|s| s.to_ascii_lowercase()).collect();
        if segments.iter().any(String::is_empty) {
            errs.push(
                format!("env {name}"),
                "empty key segment",
                Some("separate nested keys with exactly two underscores"),
            );
            continue;
        }
        let value = format!("v = {raw}")
            .parse::<Table>()
            .ok()
            .and_then(|mut t| t.remove("v"))
            .unwrap_or_else(|| Value::String(raw.clone()));
        let refs: Vec<&str> = segments.iter().map(String::as_str).collect();
        if !set_path(table, &refs, value) {
            errs.push(
                format!("env {name}"),
                format!(
                    "cannot set {}: no such place in the config",
                    segments.join(".")
                ),
                Some("an array index must point at an entry that exists in the file"),
            );
        }
    }
}

fn set_path(table: &mut Table, path: &[&str], value: Value) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    if rest.is_empty() {
        table.insert((*first).to_string(), value);
        return true;
    }
    let entry = table
        .entry((*first).to_string())
        .or_insert_with(|| Value::Table(Table::new()));
    set_in_value(entry, rest, value)
}

fn set_in_value(target: &mut Value, path: &[&str], value: Value) -> bool {
    match target {
        Value::Table(t) => set_path(t, path, value),
        Value::Array(items) => {
            let Some((first, rest)) = path.split_first() else {
                return false;
            };
            let Ok(i) = first.parse::<usize>() else {
                return false;
            };
            match items.get_mut(i) {
                Some(item) if rest.is_empty() => {
                    *item = value;
                    true
                }
                Some(item) => set_in_value(item, rest, value),
                None => false,
            }
        }
        _ => false,
    }
}

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

fn validate(c: &Config, errs: &mut Errors) {
    validate_identity(c, errs);
    if let Err(errors) = crate::notify::Templates::load(c) {
        for (key, why) in errors {
            errs.push(key, why, None);
        }
    }
    if let Some(url) = &c.database.url {
        if !(url.starts_with("sqlite:")
            || url.starts_with("postgres://")
            || url.starts_with("postgresql://"))
        {
            errs.push(
                "database.url",
                "must start with sqlite: or postgres://",
                Some("leave it unset for a SQLite file in state_dir"),
            );
        }
    }
    if c.database.max_connections == 0 {
        errs.push("database.max_connections", "must be at least 1", None);
    }
    if c.web.listen.parse::<std::net::SocketAddr>().is_err() {
        errs.push(
            "web.listen",
            format!("{:?} is not an address and port", c.web.listen),
            Some("for example \"127.0.0.1:8080\" or \"[::1]:8080\""),
        );
    }
    for (i, p) in c.web.trusted_proxies.iter().enumerate() {
        if crate::config::model::parse_net(p).is_none() {
            errs.push(
                format!("web.trusted_proxies[{i}]"),
                format!("{p:?} is not an address or network"),
                Some("for example \"127.0.0.1\" or \"10.0.0.0/8\""),
            );
        }
    }
    if c.web.request_timeout_secs == 0 {
        errs.push("web.request_timeout_secs", "must be at least 1", None);
    }
    if c.web.max_concurrent_requests == 0 {
        errs.push("web.max_concurrent_requests", "must be at least 1", None);
    }
    if c.identity.login_rate_per_minute == 0 {
        errs.push(
            "identity.login_rate_per_minute",
            "must be at least 1",
            Some("to offer no eID login, configure no identity provider"),
        );
    }
    if c.identity.login_rate_clients_max == 0 {
        errs.push(
            "identity.login_rate_clients_max",
            "must be at least 1",
            None,
        );
    }
    if let Some(u) = &c.web.public_url {
        let ok = u.parse::<axum::http::Uri>().ok().is_some_and(|u| {
            matches!(u.scheme_str(), Some("http" | "https")) && u.authority().is_some()
        });
        if !ok {
            errs.push(
                "web.public_url",
                format!("{u:?} is not an http(s) URL"),
                Some("the address citizens use, for example \"https://hlidac.kraj.example\""),
            );
        }
    }
    match &c.email {
        EmailConfig::Smtp(s) => {
            if s.host.trim().is_empty() {
                errs.push(
                    "email.host",
                    "must not be empty",
                    Some("the SMTP relay's host name"),
                );
            }
            if s.password_file.is_some() && s.username.is_none() {
                errs.push(
                    "email.username",
                    "password_file is set but username is not",
                    Some("set both, or neither for an unauthenticated relay"),
                );
            }
            if let Some(p) = &s.password_file {
                check_readable(p, "email.password_file", errs);
            }
            if s.pool_size == 0 {
                errs.push("email.pool_size", "must be at least 1", None);
            }
            if s.rate_per_sec.is_some_and(|r| r.is_nan() || r <= 0.0) {
                errs.push("email.rate_per_sec", "must be more than 0", None);
            }
            if s.timeout_secs == 0 {
                errs.push("email.timeout_secs", "must be at least 1", None);
            }
        }
        EmailConfig::File(f) => {
            if f.dir.as_os_str().is_empty() {
                errs.push("email.dir", "must not be empty", None);
            }
        }
    }
    if let Some(p) = &c.secrets.key_file {
        check_readable(p, "secrets.key_file", errs);
    }
    let d = &c.dispatch;
    if d.max_attempts == 0 {
        errs.push("dispatch.max_attempts", "must be at least 1", None);
    }
    if d.batch_size == 0 {
        errs.push("dispatch.batch_size", "must be at least 1", None);
    }
    if d.backoff_initial_secs == 0 || d.backoff_initial_secs > d.backoff_max_secs {
        errs.push(
            "dispatch.backoff_initial_secs",
            "must be at least 1 and at most backoff_max_secs",
            None,
        );
    }
    if let EmailConfig::Smtp(smtp) = &c.email {
        if d.lease_secs <= 2 * smtp.timeout_secs {
            errs.push(
                "dispatch.lease_secs",
                format!(
                    "must be more than twice email.timeout_secs ({}), the longest a send can take",
                    smtp.timeout_secs
                ),
                Some(
                    "otherwise another dispatcher could take an alert back while it is being sent",
                ),
            );
        }
    }
    if d.lease_secs < 10 {
        errs.push(
            "dispatch.lease_secs",
            "must be at least 10",
            Some("a lease shorter than an SMTP time-out would let two senders take one alert"),
        );
    }
    if d.concurrency == 0 {
        errs.push("dispatch.concurrency", "must be at least 1", None);
    }
    if d.max_in_doubt == Some(0) {
        errs.push("dispatch.max_in_doubt", "must be at least 1", None);
    }
    if d.stall_secs == 0 {
        errs.push("dispatch.stall_secs", "must be at least 1", None);
    }
    if let Some(sms) = &c.sms {
        validate_sms(sms, errs);
    }
    if c.watch.poll_batch == 0 {
        errs.push("watch.poll_batch", "must be at least 1", None);
    }
    if c.watch.operator_alert_after == 0 {
        errs.push("watch.operator_alert_after", "must be at least 1", None);
    }
    if let Some(e) = &c.watch.operator_email {
        if e.parse::<lettre::Address>().is_err() {
            errs.push(
                "watch.operator_email",
                format!("{e:?} is not an e-mail address"),
                None,
            );
        }
    }
    if c.watch.rules_interval_secs == 0 {
        errs.push("watch.rules_interval_secs", "must be at least 1", None);
    }
    if tracing_subscriber::EnvFilter::try_new(&c.log.level).is_err() {
        errs.push(
            "log.level",
            format!("{:?} is not a log filter", c.log.level),
            Some("for example \"info\" or \"hlidac=debug,info\""),
        );
    }
    let mut names = std::collections::HashSet::new();
    for (i, t) in c.admin.token.iter().enumerate() {
        let p = format!("admin.token[{i}]");
        if !names.insert(t.name.clone()) {
            errs.push(
                format!("{p}.name"),
                format!("{:?} is used twice", t.name),
                None,
            );
        }
        check_secret(&t.token_file, &format!("{p}.token_file"), errs);
    }
    if c.tenants.is_empty() && !errs.0.iter().any(|e| e.path.starts_with("tenant")) {
        errs.push(
            "tenant",
            "no municipality is configured",
            Some("add a [[tenant]] section; see config/demo.toml"),
        );
    }
    let mut seen = std::collections::HashSet::new();
    for (i, t) in c.tenants.iter().enumerate() {
        let p = format!("tenant[{i}]");
        if !valid_id(&t.id) {
            errs.push(
                format!("{p}.id"),
                format!("{:?} is not a valid id", t.id),
                Some("use lower-case letters, digits and '-', at most 63 characters"),
            );
        } else if !seen.insert(t.id.clone()) {
            errs.push(format!("{p}.id"), format!("{:?} is used twice", t.id), None);
        }
        if t.name.trim().is_empty() {
            errs.push(format!("{p}.name"), "must not be empty", None);
        }
        if !SUPPORTED_LOCALES.contains(&t.locale.as_str()) {
            errs.push(
                format!("{p}.locale"),
                format!("{:?} has no templates", t.locale),
                Some(&format!("use one of: {}", SUPPORTED_LOCALES.join(", "))),
            );
        }
        if let Some(color) = &t.branding.color {
            let ok = color.len() == 7
                && color.starts_with('#')
                && color[1..].bytes().all(|b| b.is_ascii_hexdigit());
            if !ok {
                errs.push(
                    format!("{p}.branding.color"),
                    format!("{color:?} is not a colour"),
                    Some("write it as #rrggbb, for example \"#1f5aa6\""),
                );
            }
        }
        if t.time_zone.parse::<chrono_tz::Tz>().is_err() {
            errs.push(
                format!("{p}.time_zone"),
                format!("{:?} is not a known time zone", t.time_zone),
                Some("use an IANA name such as \"Europe/Prague\", \"Europe/Belgrade\", \"Europe/Sofia\""),
            );
        }
        if crate::notify::schedule::Window::parse(&t.quiet_hours).is_none() {
            errs.push(
                format!("{p}.quiet_hours"),
                format!("{:?} is not a span of local times", t.quiet_hours),
                Some("write it as \"HH:MM-HH:MM\", for example \"20:00-08:00\""),
            );
        }
        if crate::notify::schedule::parse_hhmm(&t.digest_time).is_none() {
            errs.push(
                format!("{p}.digest_time"),
                format!("{:?} is not a local time", t.digest_time),
                Some("write it as \"HH:MM\", for example \"07:00\""),
            );
        }
        if let Some(sender) = &t.sms_sender {
            if let Err(why) = crate::notify::sms::check_sender(sender) {
                errs.push(format!("{p}.sms_sender"), why, None);
            }
        }
        if t.sender.email.parse::<lettre::Address>().is_err() {
            errs.push(
                format!("{p}.sender.email"),
                format!("{:?} is not an e-mail address", t.sender.email),
                None,
            );
        }
        if let Some(d) = &t.dkim {
            if let Err(e) = crate::notify::email::dkim_key(&d.key_file) {
                errs.push(
                    format!("{p}.dkim.key_file"),
                    e,
                    Some("make one with `openssl genrsa -traditional -out dkim.pem 2048`"),
                );
            }
            if d.selector.is_empty()
                || !d
                    .selector
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
            {
                errs.push(
                    format!("{p}.dkim.selector"),
                    format!("{:?} is not a DKIM selector", d.selector),
                    None,
                );
            }
        }
        let mut offsets = t.reminder_offsets_days.clone();
        offsets.sort_unstable();
        offsets.dedup();
        if offsets.len() != t.reminder_offsets_days.len() {
            errs.push(
                format!("{p}.reminder_offsets_days"),
                "lists a day twice",
                None,
            );
        }
        if t.reminder_offsets_days.iter().any(|&d| d > 366) {
            errs.push(
                format!("{p}.reminder_offsets_days"),
                "offsets are days before the due date, at most 366",
                None,
            );
        }
        let mut source_ids = std::collections::HashSet::new();
        for (j, s) in t.sources.iter().enumerate() {
            let sp = format!("{p}.source[{j}]");
            if !valid_id(&s.id) {
                errs.push(
                    format!("{sp}.id"),
                    format!("{:?} is not a valid id", s.id),
                    Some("use lower-case letters, digits and '-', at most 63 characters"),
                );
            } else if !source_ids.insert(s.id.clone()) {
                errs.push(
                    format!("{sp}.id"),
                    format!("{:?} is used twice", s.id),
                    None,
                );
            }
            if s.kinds.is_empty() {
                errs.push(
                    format!("{sp}.kinds"),
                    "must name at least one kind",
                    Some("\"receivables\", \"submissions\" and/or \"registry\""),
                );
            }
            let polled = s.serves(SourceKind::Receivables) || s.serves(SourceKind::Submissions);
            if s.serves(SourceKind::Registry) && !matches!(s.adapter, AdapterConfig::Http(_)) {
                errs.push(
                    format!("{sp}.adapter"),
                    "the registry is reached over the HTTP protocol only",
                    Some(
                        "use adapter = { type = \"http\", … } for a source with kind \"registry\"",
                    ),
                );
            }
            match (&s.schedule, s.is_push()) {
                (None, false) if !polled => {}
                (None, false) => errs.push(
                    format!("{sp}.schedule"),
                    "a polled source needs a schedule",
                    Some("for example \"0 */5 * * * *\" (every 5 minutes) or \"*/5 * * * *\""),
                ),
                (Some(_), true) => errs.push(
                    format!("{sp}.schedule"),
                    "a push source is not polled",
                    Some("remove the schedule, or use an http or file adapter"),
                ),
                (None, true) => {}
                (Some(schedule), false) => match parse_schedule(schedule) {
                    Err(e) => errs.push(
                        format!("{sp}.schedule"),
                        format!("{schedule:?} is not a cron expression: {e}"),
                        Some("for example \"0 */5 * * * *\" (every 5 minutes) or \"*/5 * * * *\""),
                    ),
                    Ok(sched) => {
                        if sched.upcoming(chrono::Utc).next().is_none() {
                            errs.push(
                                format!("{sp}.schedule"),
                                format!("{schedule:?} never fires"),
                                Some("check the day and month fields (there is no 30 February)"),
                            );
                        }
                    }
                },
            }
            if let AdapterConfig::Push(p) = &s.adapter {
                check_secret(&p.secret_file, &format!("{sp}.adapter.secret_file"), errs);
            }
            if let AdapterConfig::Exec(e) = &s.adapter {
                match e.command.first() {
                    None => errs.push(
                        format!("{sp}.adapter.command"),
                        "names no program",
                        Some("for example [\"/usr/local/lib/hlidac/poplatky.py\", \"--export\", \"/srv/export.csv\"]"),
                    ),
                    Some(p) => check_readable(Path::new(p), &format!("{sp}.adapter.command"), errs),
                }
                if e.timeout_secs == 0 || e.memory_limit_mb < 16 || e.max_page == 0 {
                    errs.push(
                        format!("{sp}.adapter"),
                        "timeout_secs and max_page must be at least 1, memory_limit_mb at least 16",
                        None,
                    );
                }
            }
            if !(0.0..=1.0).contains(&s.max_drop_share) {
                errs.push(
                    format!("{sp}.max_drop_share"),
                    "must be between 0.0 and 1.0",
                    Some(
                        "0.25 treats a snapshot that lost over a quarter of its records as failed",
                    ),
                );
            }
            if let AdapterConfig::Http(h) = &s.adapter {
                let ok = h
                    .base_url
                    .parse::<axum::http::Uri>()
                    .ok()
                    .filter(|u| {
                        matches!(u.scheme_str(), Some("http") | Some("https"))
                            && u.authority().is_some()
                    })
                    .is_some();
                if !ok {
                    errs.push(
                        format!("{sp}.adapter.base_url"),
                        format!("{:?} is not an http(s) URL", h.base_url),
                        Some("for example \"https://agenda.mesto.example/hlidac\""),
                    );
                }
                if h.timeout_secs == 0 {
                    errs.push(
                        format!("{sp}.adapter.timeout_secs"),
                        "must be at least 1",
                        None,
                    );
                }
                if h.max_page == 0 {
                    errs.push(format!("{sp}.adapter.max_page"), "must be at least 1", None);
                }
                for (name, file) in [
                    ("token_file", &h.token_file),
                    ("client_cert_file", &h.client_cert_file),
                    ("client_key_file", &h.client_key_file),
                    ("ca_file", &h.ca_file),
                ] {
                    if let Some(p) = file {
                        check_readable(p, &format!("{sp}.adapter.{name}"), errs);
                    }
                }
                if h.client_cert_file.is_some() != h.client_key_file.is_some() {
                    errs.push(
                        format!("{sp}.adapter.client_key_file"),
                        "client_cert_file and client_key_file go together",
                        Some("give both for mutual TLS, or neither"),
                    );
                }
            }
        }
    }
}

/// A file holding a secret of at least 32 characters.
fn validate_sms(sms: &crate::config::SmsConfig, errs: &mut Errors) {
    if let Err(why) = crate::notify::sms::check_sender(&sms.sender) {
        errs.push("sms.sender", why, None);
    }
    if sms.rate_per_sec.is_some_and(|r| r.is_nan() || r <= 0.0) {
        errs.push("sms.rate_per_sec", "must be more than 0", None);
    }
    match (&sms.smpp, &sms.http) {
        (Some(_), Some(_)) | (None, None) => errs.push(
            "sms",
            "needs exactly one provider",
            Some("add either [sms.smpp] or [sms.http]"),
        ),
        _ => {}
    }
    if let Some(smpp) = &sms.smpp {
        if let Some(p) = &smpp.password_file {
            check_readable(p, "sms.smpp.password_file", errs);
        }
        if smpp.window == 0 {
            errs.push("sms.smpp.window", "must be at least 1", None);
        }
        if smpp.system_id.is_empty() || smpp.system_id.len() > 15 {
            errs.push("sms.smpp.system_id", "must be 1 to 15 characters", None);
        }
        if smpp.timeout_secs == 0 || smpp.enquire_link_secs == 0 {
            errs.push(
                "sms.smpp.timeout_secs",
                "timeout_secs and enquire_link_secs must be at least 1",
                None,
            );
        }
    }
    if let Some(http) = &sms.http {
        if !(http.url.starts_with("https://") || http.url.starts_with("http://")) {
            errs.push(
                "sms.http.url",
                format!("{:?} is not an http(s) URL", http.url),
                None,
            );
        }
        if !matches!(http.method.as_str(), "GET" | "POST" | "PUT") {
            errs.push(
                "sms.http.method",
                format!("{:?} is not an HTTP method", http.method),
                Some("GET, POST or PUT"),
            );
        }
        if let Some(p) = &http.token_file {
            check_readable(p, "sms.http.token_file", errs);
        }
        if let Err(e) = crate::notify::sms_http::check_templates(http) {
            errs.push("sms.http.body", e, None);
        }
        if http
            .message_id_pointer
            .as_ref()
            .is_some_and(|p| !p.starts_with('/'))
        {
            errs.push(
                "sms.http.message_id_pointer",
                "must be a JSON pointer such as \"/id\"",
                None,
            );
        }
    }
}

/// An identity provider's id names it in URLs and logs: valid and unique over SAML and OIDC.
fn check_idp_id(
    id: &str,
    path: &str,
    seen: &mut std::collections::HashSet<String>,
    errs: &mut Errors,
) {
    if !valid_id(id) || !seen.insert(id.to_string()) {
        errs.push(
            format!("{path}.id"),
            format!("{id:?} is not a valid, unique id"),
            None,
        );
    }
}

/// eID login: the SP key and certificate, and each identity provider's trust anchors.
fn validate_identity(c: &Config, errs: &mut Errors) {
    let id = &c.identity;
    let mut ids = std::collections::HashSet::new();
    for (i, idp) in id.saml.iter().enumerate() {
        let p = format!("identity.saml[{i}]");
        check_idp_id(&idp.id, &p, &mut ids, errs);
        if !matches!(
            idp.profile,
            crate::config::Profile::CzNia
                | crate::config::Profile::Eidas
                | crate::config::Profile::BgEauth
        ) {
            errs.push(
                format!("{p}.profile"),
                "is not a SAML profile",
                Some("use cz-nia, eidas or bg-eauth"),
            );
        }
        if idp.signing_cert_files.is_empty() && !idp.has_metadata() {
            errs.push(
                format!("{p}.signing_cert_files"),
                "the identity provider has no signing certificate: without one, a forged response could not be told from a real one",
                Some("list the IdP's signing certificate (PEM), or give its metadata_file or metadata_url"),
            );
        }
        let mut certs_ok = true;
        for (field, files) in [
            ("signing_cert_files", &idp.signing_cert_files),
            (
                "metadata_signing_cert_files",
                &idp.metadata_signing_cert_files,
            ),
        ] {
            for (j, f) in files.iter().enumerate() {
                let key = format!("{p}.{field}[{j}]");
                match std::fs::read(f) {
                    Ok(pem) => {
                        if let Err(e) = crate::identity::dsig::load_certs(&pem) {
                            errs.push(key, format!("{}: {e}", f.display()), None);
                            certs_ok = false;
                        }
                    }
                    Err(e) => {
                        errs.push(key, format!("cannot read {}: {e}", f.display()), None);
                        certs_ok = false;
                    }
                }
            }
        }
        validate_idp_metadata(idp, &p, certs_ok, errs);
        if idp.sp_type != id.saml[0].sp_type {
            errs.push(
                format!("{p}.sp_type"),
                "differs from identity.saml[0].sp_type: the SP's metadata states one SPType",
                None,
            );
        }
        if !matches!(idp.sp_type.as_str(), "public" | "private") {
            errs.push(
                format!("{p}.sp_type"),
                "must be \"public\" or \"private\"",
                None,
            );
        }
        for (key, u) in [
            ("sso_url", idp.sso_url.as_ref()),
            ("slo_url", idp.slo_url.as_ref()),
        ] {
            if let Some(u) = u {
                if url::Url::parse(u).is_err() {
                    errs.push(format!("{p}.{key}"), format!("{u:?} is not a URL"), None);
                }
            }
        }
        if idp.profile == crate::config::Profile::BgEauth
            && (idp.eauth_service.is_none() || idp.eauth_provider.is_none())
        {
            errs.push(
                format!("{p}.eauth_service"),
                "bg-eauth needs eauth_service and eauth_provider (the RequestedService codes)",
                None,
            );
        }
    }
    if !id.saml.is_empty() {
        for (key, f) in [
            ("identity.key_file", &id.key_file),
            ("identity.cert_file", &id.cert_file),
        ] {
            match f {
                None => errs.push(key, "SAML login needs the SP's key and certificate", Some("make them with `openssl req -x509 -newkey rsa:3072 -nodes -keyout sp.key -out sp.crt -days 1095 -subj /CN=hlidac`")),
                Some(f) => check_readable(f, key, errs),
            }
        }
        if let (Some(k), Some(cert)) = (&id.key_file, &id.cert_file) {
            if let Err(e) = crate::identity::SpKeys::load(k, cert) {
                errs.push("identity.key_file", e, None);
            }
        }
    }
    for (i, idp) in id.oidc.iter().enumerate() {
        let p = format!("identity.oidc[{i}]");
        check_idp_id(&idp.id, &p, &mut ids, errs);
        if !matches!(
            idp.profile,
            crate::config::Profile::RsEid | crate::config::Profile::GenericOidc
        ) {
            errs.push(
                format!("{p}.profile"),
                "is not an OpenID Connect profile",
                Some("use rs-eid or generic-oidc"),
            );
        }
        if url::Url::parse(&idp.issuer).is_err() {
            errs.push(
                format!("{p}.issuer"),
                format!("{:?} is not a URL", idp.issuer),
                None,
            );
        }
        if let Some(f) = &idp.client_secret_file {
            check_readable(f, &format!("{p}.client_secret_file"), errs);
        }
        if !idp.scopes.iter().any(|s| s == "openid") {
            errs.push(format!("{p}.scopes"), "must include \"openid\"", None);
        }
        if idp.jwks_refresh_secs < 60 {
            errs.push(
                format!("{p}.jwks_refresh_secs"),
                "must be at least 60",
                None,
            );
        }
        if idp.acr_levels.as_ref().is_some_and(|m| m.is_empty()) {
            errs.push(
                format!("{p}.acr_levels"),
                "maps no acr value: every login would have no level",
                Some("name the provider's acr values and their levels, or leave acr_levels out for the eIDAS URIs"),
            );
        }
        if idp
            .acr_values
            .as_deref()
            .is_some_and(|v| v.trim().is_empty())
        {
            errs.push(format!("{p}.acr_values"), "is empty", None);
        }
        if idp.encrypted_id_token {
            match idp.decryption_key_file.as_ref().or(id.key_file.as_ref()) {
                None => errs.push(
                    format!("{p}.decryption_key_file"),
                    "encrypted ID tokens need the RSA key they are encrypted to",
                    Some("set decryption_key_file, or identity.key_file"),
                ),
                Some(f) => {
                    let key = std::fs::read(f)
                        .map_err(|e| format!("{}: {e}", f.display()))
                        .and_then(|pem| {
                            openssl::pkey::PKey::private_key_from_pem(&pem)
                                .map_err(|_| format!("{} is not a PEM private key", f.display()))
                        });
                    match key.map(|k| k.rsa().map(|r| r.size() * 8)) {
                        Ok(Ok(bits)) if bits >= 2048 => {}
                        Ok(Ok(bits)) => errs.push(
                            format!("{p}.decryption_key_file"),
                            format!(
                                "{} is an RSA key of {bits} bits; at least 2048 are needed",
                                f.display()
                            ),
                            None,
                        ),
                        Ok(Err(_)) => errs.push(
                            format!("{p}.decryption_key_file"),
                            format!("{} is not an RSA key", f.display()),
                            None,
                        ),
                        Err(e) => errs.push(format!("{p}.decryption_key_file"), e, None),
                    }
                }
            }
        }
        for a in &idp.algorithms {
            if !crate::identity::oidc::ACCEPTED_ALGS.contains(&a.as_str()) {
                errs.push(
                    format!("{p}.algorithms"),
                    format!("{a:?} is not accepted"),
                    Some("asymmetric algorithms only: RS256/384/512, PS256/384/512, ES256/384"),
                );
            }
        }
    }
    if id.session_idle_secs == 0 || id.session_max_secs < id.session_idle_secs {
        errs.push(
            "identity.session_max_secs",
            "must be at least session_idle_secs, which must not be 0",
            None,
        );
    }
}

/// An IdP's metadata settings; a metadata file is read and checked as the daemon will.
fn validate_idp_metadata(
    idp: &crate::config::SamlIdpConfig,
    p: &str,
    certs_ok: bool,
    errs: &mut Errors,
) {
    if idp.metadata_file.is_some() && idp.metadata_url.is_some() {
        errs.push(
            format!("{p}.metadata_url"),
            "give metadata_file or metadata_url, not both",
            None,
        );
    }
    if !idp.has_metadata() && idp.sso_url.is_none() {
        errs.push(
            format!("{p}.sso_url"),
            "is needed when the identity provider has no metadata",
            None,
        );
    }
    if idp.metadata_refresh_secs < 60 {
        errs.push(
            format!("{p}.metadata_refresh_secs"),
            "must be at least 60",
            None,
        );
    }
    if let Some(u) = &idp.metadata_url {
        if let Err(e) = crate::identity::oidc::check_endpoint(u) {
            errs.push(
                format!("{p}.metadata_url"),
                e,
                Some("metadata comes over https (http only on loopback)"),
            );
        }
        if idp.metadata_signing_cert_files.is_empty() {
            errs.push(
                format!("{p}.metadata_signing_cert_files"),
                "metadata fetched over the network must be signed: without a certificate to check it, whoever could change it on the way would choose the keys hlidac trusts",
                Some("list the certificate (PEM) the federation or the IdP signs its metadata with"),
            );
        }
    }
    if let (Some(f), true) = (&idp.metadata_file, certs_ok) {
        let key = format!("{p}.metadata_file");
        match std::fs::read_to_string(f) {
            Ok(text) => {
                // Its validUntil is judged when it is used: an expiring file takes only
                // its IdP out of use, not the whole daemon.
                if let Err(e) = crate::identity::saml::SamlIdp::assemble(idp, Some(&text), None) {
                    errs.push(key, format!("{}: {e}", f.display()), None);
                }
            }
            Err(e) => errs.push(key, format!("cannot read {}: {e}", f.display()), None),
        }
    }
}

fn check_secret(path: &Path, key: &str, errs: &mut Errors) {
    match std::fs::read_to_string(path) {
        Ok(secret) if secret.trim().len() >= 32 => {}
        Ok(_) => errs.push(
            key,
            "the secret is shorter than 32 characters",
            Some("make one with `openssl rand -hex 32`"),
        ),
        Err(e) => errs.push(
            key,
            format!("cannot read {}: {e}", path.display()),
            Some("give a path the daemon's user can read"),
        ),
    }
}

fn check_readable(p: &Path, key: &str, errs: &mut Errors) {
    if let Err(e) = std::fs::metadata(p) {
        errs.push(
            key,
            format!("cannot read {}: {e}", p.display()),
            Some("give a path the daemon's user can read"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
state_dir = "/tmp/x"
[[tenant]]
id = "town"
name = "Town"
sender = { email = "a@b.example" }
[[tenant.source]]
id = "agenda"
kinds = ["receivables"]
schedule = "*/5 * * * *"
adapter = { type = "http", base_url = "http://127.0.0.1:9" }
"#;

    fn errors(text: &str, env: &[(&str, &str)]) -> Vec<ConfigError> {
        let o = Overrides {
            env: env
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect(),
            ..Overrides::default()
        };
        match load_str(text, Path::new("/etc/hlidac/t.toml"), &o) {
            Ok(_) => Vec::new(),
            Err(e) => e.errors,
        }
    }

    #[test]
    fn minimal_config_loads_with_defaults() {
        let c = load_str(
            MINIMAL,
            Path::new("/etc/hlidac/t.toml"),
            &Overrides::default(),
        )
        .expect("loads");
        assert_eq!(c.tenants[0].reminder_offsets_days, vec![14, 3, 0]);
        assert_eq!(c.tenants[0].sources[0].max_drop_share, 0.25);
        assert!(c.database_url().starts_with("sqlite:///tmp/x/hlidac.db"));
        let rel = MINIMAL.replace("/tmp/x", "../state/./x");
        let c =
            load_str(&rel, Path::new("/etc/hlidac/t.toml"), &Overrides::default()).expect("loads");
        assert_eq!(c.state_dir, Path::new("/etc/state/x"));
    }

    #[test]
    fn every_mistake_is_reported_with_its_path() {
        let text = MINIMAL
            .replace("*/5 * * * *", "0 0 0 30 2 *")
            .replace(
                "id = \"town\"",
                "id = \"town\"\ntime_zone = \"Mars/Olympus\"",
            )
            .replace("[[tenant]]", "[web]\nlisen = \"x\"\n[[tenant]]");
        let errs = errors(&text, &[]);
        let paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        assert!(paths.contains(&"tenant[0].source[0].schedule"), "{errs:?}");
        assert!(paths.contains(&"tenant[0].time_zone"), "{errs:?}");
        assert!(paths.iter().any(|p| p.starts_with("web")), "{errs:?}");
        assert_eq!(errs.len(), 3, "{errs:?}");
    }

    #[test]
    fn the_previous_fire_is_the_last_tick_at_or_before_now() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().expect("time");
        let every_5_min = parse_schedule("*/5 * * * *").expect("cron");
        assert_eq!(
            previous_fire(&every_5_min, at("2026-05-01T10:07:30Z")),
            Some(at("2026-05-01T10:05:00Z"))
        );
        assert_eq!(
            previous_fire(&every_5_min, at("2026-05-01T10:05:00Z")),
            Some(at("2026-05-01T10:05:00Z"))
        );
        let daily = parse_schedule("30 6 * * *").expect("cron");
        assert_eq!(
            previous_fire(&daily, at("2026-05-01T05:00:00Z")),
            Some(at("2026-04-30T06:30:00Z"))
        );
    }

    #[test]
    fn environment_overrides_nested_keys_and_array_entries() {
        let o = Overrides {
            env: vec![
                ("HLIDAC_WEB__LISTEN".into(), "127.0.0.1:9999".into()),
                (
                    "HLIDAC_TENANT__0__SOURCE__0__MAX_DROP_SHARE".into(),
                    "0.5".into(),
                ),
                ("HLIDAC_CONFIG".into(), "/ignored".into()),
            ],
            ..Overrides::default()
        };
        let c = load_str(MINIMAL, Path::new("/etc/hlidac/t.toml"), &o).expect("loads");
        assert_eq!(c.web.listen, "127.0.0.1:9999");
        assert_eq!(c.tenants[0].sources[0].max_drop_share, 0.5);
        let errs = errors(MINIMAL, &[("HLIDAC_TENANT__3__NAME", "x")]);
        assert_eq!(errs.len(), 1);
        assert!(errs[0].path.contains("HLIDAC_TENANT__3__NAME"));
    }

    #[test]
    fn the_http_limits_must_be_positive() {
        let c = load_str(
            MINIMAL,
            Path::new("/etc/hlidac/t.toml"),
            &Overrides::default(),
        )
        .expect("loads");
        assert_eq!(c.web.request_timeout_secs, 30);
        assert_eq!(c.web.max_concurrent_requests, 512);
        assert_eq!(c.identity.login_rate_clients_max, 100_000);
        let text = MINIMAL.replace(
            "[[tenant]]",
            "[web]\nrequest_timeout_secs = 0\nmax_concurrent_requests = 0\n\
             [identity]\nlogin_rate_per_minute = 0\nlogin_rate_clients_max = 0\n[[tenant]]",
        );
        let errs = errors(&text, &[]);
        let mut paths: Vec<&str> = errs.iter().map(|e| e.path.as_str()).collect();
        paths.sort();
        assert_eq!(
            paths,
            [
                "identity.login_rate_clients_max",
                "identity.login_rate_per_minute",
                "web.max_concurrent_requests",
                "web.request_timeout_secs",
            ],
            "{errs:?}"
        );
    }

    #[test]
    fn unknown_adapter_fields_and_types_are_errors() {
        let text = MINIMAL.replace(
            "base_url = \"http://127.0.0.1:9\"",
            "base_url = \"http://127.0.0.1:9\", tokn = \"x\"",
        );
        let errs = errors(&text, &[]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].message.contains("tokn"), "{errs:?}");
        assert!(errs[0].path.starts_with("tenant[0].source[0]"), "{errs:?}");
    }
}
