//! The checks a parsed configuration must pass, section by section: the database, the
//! web side, e-mail and SMS, the dispatcher, the tenants and their sources. Each problem
//! is reported with its key path and a hint; none hides the next. The identity
//! providers are checked in [`super::validate_identity`].

use super::checks::Checks;
use super::load::{valid_id, Errors};
use super::validate_delivery::{dispatch, email};
use super::validate_identity::validate_identity;
use super::*;
use std::collections::HashSet;
use std::path::Path;

/// Every check, in the order of the file's sections.
pub(super) fn validate(c: &Config, errs: &mut Errors, checks: &dyn Checks) {
    validate_identity(c, errs, checks);
    templates(c, errs, checks);
    database(c, errs);
    web(c, errs);
    email(c, errs);
    dispatch(c, errs, checks);
    watch(c, errs);
    log_and_admin(c, errs);
    tenants(c, errs, checks);
}

/// The tenants' templates, through the module that renders them.
fn templates(c: &Config, errs: &mut Errors, checks: &dyn Checks) {
    if let Err(errors) = checks.templates(c) {
        for (key, why) in errors {
            errs.push(key, why, None);
        }
    }
}

/// `[database]`.
fn database(c: &Config, errs: &mut Errors) {
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
}

/// `[web]`, and the login rate limits that guard it.
fn web(c: &Config, errs: &mut Errors) {
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
        if !http_url(u) {
            errs.push(
                "web.public_url",
                format!("{u:?} is not an http(s) URL"),
                Some("the address citizens use, for example \"https://hlidac.kraj.example\""),
            );
        }
    }
}

/// `[watch]`.
fn watch(c: &Config, errs: &mut Errors) {
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
}

/// `[log]` and `[admin]`.
fn log_and_admin(c: &Config, errs: &mut Errors) {
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
}

/// An absolute http(s) URL with a host.
pub(super) fn http_url(text: &str) -> bool {
    text.parse::<axum::http::Uri>().ok().is_some_and(|u| {
        matches!(u.scheme_str(), Some("http" | "https")) && u.authority().is_some()
    })
}

/// `{at}.id` must be a valid id that `seen` does not hold yet; it is added to `seen`.
fn unique_id(errs: &mut Errors, at: &str, id: &str, seen: &mut HashSet<String>) {
    if !valid_id(id) {
        errs.push(
            format!("{at}.id"),
            format!("{id:?} is not a valid id"),
            Some("use lower-case letters, digits and '-', at most 63 characters"),
        );
    } else if !seen.insert(id.to_string()) {
        errs.push(format!("{at}.id"), format!("{id:?} is used twice"), None);
    }
}

/// `[[tenant]]`: ids, senders, schedules, templates' settings and each source.
fn tenants(c: &Config, errs: &mut Errors, checks: &dyn Checks) {
    if c.tenants.is_empty() && !errs.0.iter().any(|e| e.path.starts_with("tenant")) {
        errs.push(
            "tenant",
            "no municipality is configured",
            Some("add a [[tenant]] section; see config/demo.toml"),
        );
    }
    let mut seen = HashSet::new();
    for (i, t) in c.tenants.iter().enumerate() {
        let p = format!("tenant[{i}]");
        unique_id(errs, &p, &t.id, &mut seen);
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
        if !checks.local_times(&t.quiet_hours) {
            errs.push(
                format!("{p}.quiet_hours"),
                format!("{:?} is not a span of local times", t.quiet_hours),
                Some("write it as \"HH:MM-HH:MM\", for example \"20:00-08:00\""),
            );
        }
        if !checks.local_time(&t.digest_time) {
            errs.push(
                format!("{p}.digest_time"),
                format!("{:?} is not a local time", t.digest_time),
                Some("write it as \"HH:MM\", for example \"07:00\""),
            );
        }
        if let Some(sender) = &t.sms_sender {
            if let Err(why) = checks.sms_sender(sender) {
                errs.push(format!("{p}.sms_sender"), why, None);
            }
        }
        let sms_names: Vec<String> = c
            .sms
            .iter()
            .flat_map(|s| s.all_providers())
            .map(|p| p.name)
            .collect();
        let relay_names: Vec<String> = match &c.email {
            EmailConfig::Smtp(s) => s.all_relays().into_iter().filter_map(|r| r.name).collect(),
            EmailConfig::File(_) => Vec::new(),
        };
        for topic in &t.fallback_topics {
            if !crate::store::TOPICS.contains(&topic.as_str()) {
                errs.push(
                    format!("{p}.fallback_topics"),
                    format!("{topic:?} is not a topic"),
                    Some(format!("the topics are: {}", crate::store::TOPICS.join(", ")).as_str()),
                );
            }
        }
        if let Some(file) = &t.feedback_secret_file {
            check_secret(file, &format!("{p}.feedback_secret_file"), errs);
        }
        if t.fallback.is_some() && c.sms.is_none() {
            errs.push(
                format!("{p}.fallback"),
                "falls back to SMS, but no SMS provider is configured",
                Some("add [sms], or remove fallback"),
            );
        }
        for (key, wanted, known) in [
            ("sms_providers", &t.sms_providers, &sms_names),
            ("email_relays", &t.email_relays, &relay_names),
        ] {
            for name in wanted.iter().filter(|n| !known.contains(n)) {
                errs.push(
                    format!("{p}.{key}"),
                    format!("{name:?} is not a configured provider"),
                    Some(format!("the names are: {}", known.join(", ")).as_str()),
                );
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
            if let Err(e) = checks.dkim_key(&d.key_file) {
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
        for (name, action) in [
            ("deceased", t.registry_events.deceased),
            ("moved_out", t.registry_events.moved_out),
        ] {
            if action == crate::config::PersonAction::Relink {
                errs.push(
                    format!("{p}.registry_events.{name}"),
                    "relink applies to identifier_changed only",
                    Some("ignore, stop or erase"),
                );
            }
        }
        let mut source_ids = HashSet::new();
        for (j, s) in t.sources.iter().enumerate() {
            let sp = format!("{p}.source[{j}]");
            unique_id(errs, &sp, &s.id, &mut source_ids);
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
            for (key, value, hint) in [
                (
                    "max_drop_share",
                    s.max_drop_share,
                    "0.25 treats a snapshot that lost over a quarter of its records as failed",
                ),
                (
                    "max_held_share",
                    s.max_held_share,
                    "0.1 fails a poll where over a tenth of the records do not follow the protocol",
                ),
            ] {
                if !(0.0..=1.0).contains(&value) {
                    errs.push(
                        format!("{sp}.{key}"),
                        "must be between 0.0 and 1.0",
                        Some(hint),
                    );
                }
            }
            if let AdapterConfig::Http(h) = &s.adapter {
                if !http_url(&h.base_url) {
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
pub(super) fn check_secret(path: &Path, key: &str, errs: &mut Errors) {
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

/// A file the daemon's user can read.
pub(super) fn check_readable(p: &Path, key: &str, errs: &mut Errors) {
    if let Err(e) = std::fs::metadata(p) {
        errs.push(
            key,
            format!("cannot read {}: {e}", p.display()),
            Some("give a path the daemon's user can read"),
        );
    }
}
