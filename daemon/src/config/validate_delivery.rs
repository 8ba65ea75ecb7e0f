//! The checks of the delivery sections: `[email]` and its relays, `[dispatch]`, and `[sms]`
//! with its providers. Part of [`super::validate`].

use super::checks::Checks;
use super::load::Errors;
use super::validate::check_readable;
use super::*;

/// `[email]` and `[secrets]`.
pub(super) fn email(c: &Config, errs: &mut Errors) {
    match &c.email {
        EmailConfig::Smtp(first) => {
            let mut names = std::collections::HashSet::new();
            for (i, s) in first.all_relays().iter().enumerate() {
                let key = if i == 0 {
                    "email".to_string()
                } else {
                    format!("email.relays[{}]", i - 1)
                };
                smtp_relay(s, &key, errs);
                let name = s.name.clone().unwrap_or_default();
                if name.is_empty() || !names.insert(name.clone()) {
                    errs.push(
                        format!("{key}.name"),
                        format!("{name:?} is empty or names another relay too"),
                        Some("give each relay its own name"),
                    );
                }
                if i > 0 && !first.relays[i - 1].relays.is_empty() {
                    errs.push(
                        format!("{key}.relays"),
                        "a relay in email.relays has no relays of its own",
                        Some("list every relay in [[email.relays]]"),
                    );
                }
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
}

/// One SMTP relay of `[email]`, `key` naming it.
fn smtp_relay(s: &SmtpConfig, key: &str, errs: &mut Errors) {
    if s.host.trim().is_empty() {
        errs.push(
            format!("{key}.host"),
            "must not be empty",
            Some("the SMTP relay's host name"),
        );
    }
    if s.password_file.is_some() && s.username.is_none() {
        errs.push(
            format!("{key}.username"),
            "password_file is set but username is not",
            Some("set both, or neither for an unauthenticated relay"),
        );
    }
    if let Some(p) = &s.password_file {
        check_readable(p, &format!("{key}.password_file"), errs);
    }
    if s.pool_size == 0 {
        errs.push(format!("{key}.pool_size"), "must be at least 1", None);
    }
    if s.rate_per_sec.is_some_and(|r| r.is_nan() || r <= 0.0) {
        errs.push(format!("{key}.rate_per_sec"), "must be more than 0", None);
    }
    if s.timeout_secs == 0 {
        errs.push(format!("{key}.timeout_secs"), "must be at least 1", None);
    }
}

/// `[dispatch]`, with the relay's pool that bounds it, and `[sms]`.
pub(super) fn dispatch(c: &Config, errs: &mut Errors, checks: &dyn Checks) {
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
        // A send may try every relay in turn, each for up to twice its time-out.
        let longest: u64 = smtp.all_relays().iter().map(|r| 2 * r.timeout_secs).sum();
        if d.lease_secs <= longest {
            errs.push(
                "dispatch.lease_secs",
                format!(
                    "must be more than {longest} s (twice each relay's timeout_secs), the longest a send can take",
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
    if d.demote_secs == 0 || d.slow_ms == 0 {
        errs.push(
            "dispatch.demote_secs",
            "demote_secs and slow_ms must be at least 1",
            None,
        );
    }
    if let Some(sms) = &c.sms {
        validate_sms(sms, errs, checks);
    }
}

/// `[sms]`: the sender, the rate, and the SMPP or HTTP gateway.
pub(super) fn validate_sms(sms: &crate::config::SmsConfig, errs: &mut Errors, checks: &dyn Checks) {
    if let Err(why) = checks.sms_sender(&sms.sender) {
        errs.push("sms.sender", why, None);
    }
    if sms.rate_per_sec.is_some_and(|r| r.is_nan() || r <= 0.0) {
        errs.push("sms.rate_per_sec", "must be more than 0", None);
    }
    match (&sms.smpp, &sms.http) {
        (Some(_), Some(_)) => errs.push(
            "sms",
            "has both [sms.smpp] and [sms.http]",
            Some("keep one, and add the other as [[sms.providers]]"),
        ),
        (None, None) if sms.providers.is_empty() => errs.push(
            "sms",
            "needs a provider",
            Some("add [sms.smpp], [sms.http] or [[sms.providers]]"),
        ),
        _ => {}
    }
    let mut names = std::collections::HashSet::new();
    let top = if sms.smpp.is_some() || sms.http.is_some() {
        1
    } else {
        0
    };
    for (i, p) in sms.all_providers().iter().enumerate() {
        let key = if i < top {
            "sms".to_string()
        } else {
            format!("sms.providers[{}]", i - top)
        };
        if !names.insert(p.name.clone()) || p.name.is_empty() {
            errs.push(
                format!("{key}.name"),
                format!("{:?} is empty or names another provider too", p.name),
                Some("give each provider its own name (\"smpp\" and \"http\" are the ones above)"),
            );
        }
        if i >= top && p.smpp.is_some() == p.http.is_some() {
            errs.push(key.clone(), "needs exactly one of smpp and http", None);
        }
        if let Some(smpp) = &p.smpp {
            validate_smpp(smpp, &format!("{key}.smpp"), errs);
        }
        if let Some(http) = &p.http {
            validate_sms_http(http, &format!("{key}.http"), errs, checks);
        }
    }
}

fn validate_smpp(smpp: &crate::config::SmppConfig, key: &str, errs: &mut Errors) {
    if let Some(p) = &smpp.password_file {
        check_readable(p, &format!("{key}.password_file"), errs);
    }
    if smpp.window == 0 {
        errs.push(format!("{key}.window"), "must be at least 1", None);
    }
    if smpp.system_id.is_empty() || smpp.system_id.len() > 15 {
        errs.push(
            format!("{key}.system_id"),
            "must be 1 to 15 characters",
            None,
        );
    }
    if smpp.timeout_secs == 0 || smpp.enquire_link_secs == 0 {
        errs.push(
            format!("{key}.timeout_secs"),
            "timeout_secs and enquire_link_secs must be at least 1",
            None,
        );
    }
}

fn validate_sms_http(
    http: &crate::config::SmsHttpConfig,
    key: &str,
    errs: &mut Errors,
    checks: &dyn Checks,
) {
    if !(http.url.starts_with("https://") || http.url.starts_with("http://")) {
        errs.push(
            format!("{key}.url"),
            format!("{:?} is not an http(s) URL", http.url),
            None,
        );
    }
    if !matches!(http.method.as_str(), "GET" | "POST" | "PUT") {
        errs.push(
            format!("{key}.method"),
            format!("{:?} is not an HTTP method", http.method),
            Some("GET, POST or PUT"),
        );
    }
    if let Some(p) = &http.token_file {
        check_readable(p, &format!("{key}.token_file"), errs);
    }
    if let Err(e) = checks.sms_http_templates(http) {
        errs.push(format!("{key}.body"), e, None);
    }
    if http
        .message_id_pointer
        .as_ref()
        .is_some_and(|p| !p.starts_with('/'))
    {
        errs.push(
            format!("{key}.message_id_pointer"),
            "must be a JSON pointer such as \"/id\"",
            None,
        );
    }
}
