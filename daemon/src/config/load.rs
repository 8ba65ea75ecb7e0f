//! Loading: TOML file → environment and flag overrides → section-wise typed parsing →
//! checks. Each section is parsed on its own so one mistake does not hide the next; all
//! errors come back together, each with its key path and a hint.

use super::checks::Checks;
use super::*;
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
pub(super) struct Errors(pub(super) Vec<ConfigError>);

impl Errors {
    pub(super) fn push(
        &mut self,
        path: impl Into<String>,
        message: impl Into<String>,
        hint: Option<&str>,
    ) {
        self.0.push(ConfigError {
            path: path.into(),
            message: message.into(),
            hint: hint.map(str::to_string),
        });
    }
}

pub fn load(
    path: &Path,
    overrides: &Overrides,
    checks: &dyn Checks,
) -> Result<Config, ConfigErrors> {
    match std::fs::read_to_string(path) {
        Ok(text) => load_str(&text, path, overrides, checks),
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

pub fn load_str(
    text: &str,
    path: &Path,
    overrides: &Overrides,
    checks: &dyn Checks,
) -> Result<Config, ConfigErrors> {
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
    super::validate::validate(&config, &mut errs, checks);
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

pub(super) fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 63
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::load_str;

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

    /// The configuration `text` as loaded from `/etc/hlidac/t.toml`, without overrides.
    fn loaded(text: &str) -> Config {
        load_str(text, Path::new("/etc/hlidac/t.toml"), &Overrides::default()).expect("loads")
    }

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
        let c = loaded(MINIMAL);
        assert_eq!(c.tenants[0].reminder_offsets_days, vec![14, 3, 0]);
        assert_eq!(c.tenants[0].sources[0].max_drop_share, 0.25);
        assert_eq!(c.tenants[0].bounce_soft_limit, 3);
        let AdapterConfig::Http(http) = &c.tenants[0].sources[0].adapter else {
            panic!("an HTTP adapter")
        };
        assert_eq!((http.timeout_secs, http.max_page), (10, 1000));
        let id = &c.identity;
        assert_eq!((id.clock_skew_secs, id.session_idle_secs), (60, 1800));
        assert_eq!((id.session_max_secs, id.login_timeout_secs), (28_800, 600));
        assert_eq!(
            (id.login_rate_per_minute, id.login_rate_clients_max),
            (20, 100_000)
        );
        assert!(id
            .registry_purpose
            .ends_with("the registry record, to send the alerts they asked for"));
        assert!(id
            .registry_legal_basis
            .starts_with("consent of the citizen"));
        assert!(c.database_url().starts_with("sqlite:///tmp/x/hlidac.db"));
        let rel = MINIMAL.replace("/tmp/x", "../state/./x");
        let c = loaded(&rel);
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
    fn the_registry_policy_has_defaults_and_relinks_only_a_changed_identifier() {
        let c = loaded(MINIMAL);
        let p = &c.tenants[0].registry_events;
        use crate::config::PersonAction::*;
        assert_eq!(
            (p.deceased, p.moved_out, p.identifier_changed),
            (Stop, Stop, Relink)
        );
        let text = MINIMAL.replace(
            "[[tenant.source]]",
            "[tenant.registry_events]\ndeceased = \"relink\"\nmoved_out = \"erase\"\n[[tenant.source]]",
        );
        let errs = errors(&text, &[]);
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(errs[0].path, "tenant[0].registry_events.deceased");
        let errs = errors(
            &MINIMAL.replace(
                "[[tenant.source]]",
                "[tenant.registry_events]\nmoved_out = \"forget\"\n[[tenant.source]]",
            ),
            &[],
        );
        assert_eq!(errs.len(), 1, "an unknown action: {errs:?}");
    }

    #[test]
    fn the_http_limits_must_be_positive() {
        let c = loaded(MINIMAL);
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

    /// The names `as_str` gives (logged, stored, audited) are those the configuration uses.
    fn names_agree<T>()
    where
        T: serde::de::DeserializeOwned + strum::VariantArray + Copy + Into<&'static str>,
        T: PartialEq + std::fmt::Debug,
    {
        for v in T::VARIANTS {
            let name: &'static str = (*v).into();
            assert_eq!(serde_json::from_value::<T>(name.into()).ok(), Some(*v));
        }
    }

    #[test]
    fn every_name_in_code_is_the_name_in_the_configuration() {
        names_agree::<Role>();
        names_agree::<Loa>();
        names_agree::<PersonAction>();
    }
}
