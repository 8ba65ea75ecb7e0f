//! The citizen's pages as HTML: minijinja templates in `daemon/pages/` (escaped by
//! default), every word from the catalogues through `t()`, one layout with a skip link,
//! landmarks, the municipality's name, a menu and a language choice that work without
//! JavaScript, an error summary for a refused form, and end pages that lead on. The
//! router's layers ([`super::layers`]) add the headers that keep pages
//! out of caches and frames, and the page policy.

pub use super::views::TenantRef;
use super::views::{ErrorItem, Language, Message, Onward};
use crate::i18n;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use minijinja::Environment;
use std::sync::OnceLock;

/// One page template: (name, text).
macro_rules! page {
    ($name:literal) => {
        ($name, include_str!(concat!("../../pages/", $name)))
    };
}

const PAGES: &[(&str, &str)] = &[
    page!("layout.html"),
    page!("message.html"),
    page!("landing.html"),
    page!("consent.html"),
    page!("dashboard.html"),
    page!("settings.html"),
    page!("contacts.html"),
    page!("reminders.html"),
    page!("delete.html"),
    page!("account.html"),
    page!("post.html"),
    page!("verify.html"),
    page!("unsubscribe.html"),
];

/// Pieces that pages include: what hlidac watches (the landing and consent pages).
const PARTS: &[(&str, &str)] = &[page!("watched.html")];

/// The stylesheet of every page (served at `/static/hlidac.css`).
pub const CSS: &str = include_str!("../../pages/hlidac.css");

/// The language cookie: a choice made on a page before or without logging in.
pub const LANG_COOKIE: &str = "hlidac_lang";

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Lenient);
        for (name, text) in PAGES.iter().chain(PARTS) {
            env.add_template(name, text)
                .unwrap_or_else(|e| panic!("page {name}: {e}"));
        }
        crate::notify::templates::add_locale_functions(&mut env);
        env
    })
}

/// The languages offered on every page, each named in itself.
pub fn languages() -> Vec<Language> {
    i18n::LOCALES
        .iter()
        .map(|&code| Language {
            code,
            name: i18n::t(code, "language-name", &[]),
        })
        .collect()
}

/// The language of a request: `?lang=`, then the language cookie, then the citizen's
/// choice, then the municipality's.
pub fn language(
    query_lang: Option<&str>,
    headers: &HeaderMap,
    citizen: Option<&str>,
    tenant: &str,
) -> &'static str {
    let cookie = super::login::cookie(headers, LANG_COOKIE);
    for choice in [query_lang, cookie, citizen].into_iter().flatten() {
        if let Some(l) = i18n::LOCALES.iter().find(|l| **l == choice) {
            return l;
        }
    }
    i18n::locale_for(tenant)
}

/// Renders a page with the context every page has (`lang`, `locale`, `languages`) added.
pub fn render(name: &str, lang: &str, mut ctx: serde_json::Value) -> Result<String, String> {
    if let Some(obj) = ctx.as_object_mut() {
        obj.insert("lang".into(), lang.into());
        obj.insert("locale".into(), lang.into());
        obj.insert(
            "languages".into(),
            serde_json::to_value(languages()).unwrap_or_default(),
        );
        obj.entry("nav").or_insert(serde_json::Value::Null);
        obj.entry("tenant").or_insert(serde_json::Value::Null);
        obj.entry("csrf").or_insert(serde_json::Value::Null);
        obj.entry("here").or_insert(serde_json::Value::Null);
        let list = error_list(obj.get("errors"));
        if !list.is_empty() {
            obj.insert(
                "error_list".into(),
                serde_json::to_value(list).unwrap_or_default(),
            );
        }
    }
    env()
        .get_template(name)
        .and_then(|t| t.render(&ctx))
        .map_err(|e| format!("page {name}: {e:#}"))
}

/// A page that ends something the citizen did (a contact confirmed, an account deleted,
/// a logout): what happened, and buttons onward (`onward`: href and message id).
pub fn end(
    lang: &str,
    title: &str,
    text: String,
    tenant: Option<TenantRef>,
    onward: &[(String, &str)],
) -> Response {
    let page = Message {
        title: i18n::t(lang, title, &[]),
        text,
        tenant,
        onward: onward
            .iter()
            .map(|(href, id)| Onward {
                href: href.clone(),
                text: i18n::t(lang, id, &[]),
            })
            .collect(),
        ..Message::default()
    };
    respond(StatusCode::OK, "message.html", lang, page)
}

/// The field each form error belongs to, for the error summary's links: (error key,
/// the id of the field to move to; `{}` is the id the error names in `<key>_for`).
const ERROR_FIELDS: &[(&str, &str)] = &[
    ("topics", "sub-receivables-email"),
    ("delivery", "delivery-immediate"),
    ("quiet_hours", "quiet_from"),
    ("offsets", "offsets"),
    ("locale", "locale"),
    ("contact", "email"),
    ("email", "email"),
    ("phone", "phone"),
    ("code", "code-{}"),
    ("date", "date"),
    ("note", "note"),
    ("confirm", "confirm"),
];

/// The error summary of a page whose form was refused: each message, in the order of the
/// fields, linked to its field.
fn error_list(errors: Option<&serde_json::Value>) -> Vec<ErrorItem> {
    let Some(errors) = errors.and_then(|e| e.as_object()) else {
        return Vec::new();
    };
    ERROR_FIELDS
        .iter()
        .filter_map(|(key, field)| {
            let text = errors.get(*key)?.as_str()?;
            let of = errors
                .get(&format!("{key}_for"))
                .and_then(|v| v.as_str())
                .unwrap_or("");
            Some(ErrorItem {
                field: field.replace("{}", of),
                text: text.to_string(),
            })
        })
        .collect()
}

/// A rendered page as a response, or a plain 500 should the template fail (a bug: the
/// tests render every page).
pub fn respond(status: StatusCode, name: &str, lang: &str, ctx: impl serde::Serialize) -> Response {
    let rendered = serde_json::to_value(ctx)
        .map_err(|e| e.to_string())
        .and_then(|ctx| render(name, lang, ctx));
    match rendered {
        Ok(html) => html_response(status, html),
        Err(e) => {
            tracing::error!(error = %e, "a page failed to render");
            (StatusCode::INTERNAL_SERVER_ERROR, "internal error\n").into_response()
        }
    }
}

/// A page that says one thing: a title and a text, both message ids.
pub fn message(status: StatusCode, lang: &str, title: &str, text: &str) -> Response {
    let page = Message {
        title: i18n::t(lang, title, &[]),
        text: i18n::t(lang, text, &[]),
        ..Message::default()
    };
    respond(status, "message.html", lang, page)
}

/// An HTML page; the router's layers add the security headers, the page policy among
/// them.
pub fn html_response(status: StatusCode, html: String) -> Response {
    let mut r = (status, html).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_template_parses() {
        for (name, _) in PAGES.iter().chain(PARTS) {
            assert!(env().get_template(name).is_ok(), "{name}");
        }
    }

    /// A context with something in every place a page reads.
    fn full_context() -> serde_json::Value {
        let mut ctx = serde_json::json!({
            "title": "T", "tenant": {"id": "lhota", "name": "Obec <Lhota>"}, "nav": "me",
            "csrf": "c", "notice": "N", "text": "X", "back": "/", "logged_in": false,
            "idps": [{"id": "nia", "name": "NIA"}], "name": "Jana",
            "url": "https://idp.example/sso", "field": "SAMLRequest", "value": "v", "relay_state": "lhota",
            "topic": "receivables", "topics": [{"id": "receivables"}, {"id": "reminders"}],
            "subscribed": ["receivables:email"], "delivery": "daily", "quiet_hours": "21:00-08:00",
            "citizen_locale": "bg", "quiet_from": "21:00", "quiet_to": "08:00",
            "offset_choices": [{"days": 14, "ticked": true}, {"days": 1, "ticked": false}, {"days": 0, "ticked": true}],
            "addresses": "j@example.cz", "done": false, "undo": ["receivables"],
            "calendar_url": "https://hlidac.example/cal/a.b.ics", "undeliverable": ["old@example.cz"],
            "onward": [{"href": "/t/lhota/me", "text": "O"}],
            "errors": {"quiet_hours": "E1", "email": "E2", "phone": "E3", "code": "E4", "code_for": "k1", "date": "E5", "note": "E6", "confirm": "E7", "offsets": "E8", "topics": "E9"},
            "form": {"email": "a@b", "phone": "+420", "date": "2026-01-01", "note": "n"},
            "contacts": [{"id": "k1", "channel": "sms", "address": "+420601123456", "verified": false, "code_sent": true, "undeliverable": true},
                         {"id": "k2", "channel": "email", "address": "j@example.cz", "verified": true, "code_sent": false}],
            "reminders": [{"id": "r1", "date": "2026-06-01", "note": "<b>pas</b>"}],
        });
        ctx["municipalities"] = serde_json::json!([{
            "id": "lhota", "name": "Obec Lhota",
            "summary": {"count": 1, "totals": [{"currency": "CZK", "amount": "1200.00"}],
                "nearest_due": "2026-05-31", "nearest_title": "Poplatek", "overdue": 1},
            "receivables": [{"title": "Poplatek", "period": "2026", "currency": "CZK",
                "amount_outstanding": "1200.00", "due_date": "2026-05-31", "status": "open",
                "instalments": [{"no": 1, "due_date": "2026-05-31", "amount": "600.00", "paid": true}],
                "payment": {"account": "19-2000145399/0800", "variable_symbol": "77001", "iban": "CZ65", "reference": "R"},
                "payable": true, "overdue": true, "iban": "CZ65 0800 0000 1920 0014 5399",
                "qr": "data:image/png;base64,AA", "qr_caption": "qr-caption-spayd", "qr_file": "/t/lhota/qr?key=R1"}],
            "submissions": [{"matter": "Žádost", "reference": "MULH 1/2026", "status": "assigned",
                "deadline": "2026-06-01", "history": [{"date": "2026-03-01", "status": "received"}]}],
            "documents": [{"kind": "id_card", "number": "****4821", "valid_until": "2026-12-01"}],
            "alerts": [{"date": "2026-03-02", "kind": "receivable_new", "channel": "email", "state": "delivered"}],
        }]);
        ctx
    }

    #[test]
    fn every_page_renders_in_every_language_with_no_word_missing() {
        let reference = i18n::catalogues().ids(i18n::REFERENCE);
        for (name, _) in PAGES.iter().filter(|(n, _)| *n != "layout.html") {
            for lang in i18n::LOCALES {
                let html = render(name, lang, full_context()).unwrap_or_else(|e| panic!("{e}"));
                assert!(
                    html.contains(&format!("<html lang=\"{lang}\">")),
                    "{name} {lang}"
                );
                assert!(!html.contains("Obec <Lhota>"), "{name}: escaped");
                // A message id in the page means the catalogue lacks it.
                for id in &reference {
                    let shown = format!(">{id}<");
                    assert!(!html.contains(&shown), "{name} {lang} shows the id {id}");
                }
            }
        }
    }

    /// Every message id the templates, pages and web code name exists in the catalogue.
    #[test]
    fn every_message_id_used_exists() {
        let reference = i18n::catalogues().ids(i18n::REFERENCE);
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut used = std::collections::BTreeSet::new();
        let quoted = |text: &str, used: &mut std::collections::BTreeSet<String>| {
            for part in text.split('"').skip(1).step_by(2) {
                let kebab = part.contains('-')
                    && part
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
                if kebab {
                    used.insert(part.to_string());
                }
            }
        };
        for dir in ["pages", "templates"] {
            for f in std::fs::read_dir(root.join(dir)).expect("dir") {
                let text = std::fs::read_to_string(f.expect("entry").path()).unwrap_or_default();
                for call in text.split("t(").skip(1) {
                    let call = call.trim_start_matches(['"', '\'']);
                    let id: String = call
                        .chars()
                        .take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-')
                        .collect();
                    if id.contains('-') {
                        used.insert(id);
                    }
                }
            }
        }
        let mut files: Vec<std::path::PathBuf> = ["src/web/login.rs", "src/web/unsubscribe.rs"]
            .iter()
            .map(|f| root.join(f))
            .collect();
        for entry in std::fs::read_dir(root.join("src/web/account")).expect("account pages") {
            files.push(entry.expect("entry").path());
        }
        for f in files {
            quoted(&std::fs::read_to_string(f).expect("source"), &mut used);
        }
        // Header names and notices (`notice-<name>`) are not message ids themselves.
        let not_ids = [
            "x-forwarded-for",
            "x-content-type-options",
            "referrer-policy",
            "content-security-policy",
            "one-time-code",
        ];
        let mut missing = Vec::new();
        for id in &used {
            if not_ids.contains(&id.as_str()) {
                continue;
            }
            let notice = format!("notice-{id}");
            if !reference.contains(id) && !reference.contains(&notice) {
                missing.push(id.clone());
            }
        }
        assert!(missing.is_empty(), "not in the catalogue: {missing:?}");
        assert!(used.len() > 100, "found {} ids", used.len());
    }
}
