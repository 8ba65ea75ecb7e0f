//! The citizen's own pages, behind the session of an eID login, one file per group:
//! consent on the first login (and the welcome e-mail), the overview (a summary of what is
//! owed, fees with how to pay and a payment QR code, submissions with their history,
//! documents, the alerts sent, the calendar feed), alert settings, contacts and their
//! confirmation, personal reminders, and the account page (the data export, deleting the
//! account).
//! This file holds what they share: the visit (the session's citizen), the CSRF-checked
//! form, and the routes.
//!
//! What comes in: forms from a browser, untrusted. Each is size-limited (16 KiB, the
//! router's limit for these routes), read as UTF-8 with bad bytes replaced, checked field
//! by field; a refusal comes back as the same form with an error summary at the top and a
//! message next to the field.
//! Every form carries the session's CSRF token. What goes out: HTML pages (escaped by the
//! templates), one JSON export, nothing personal in logs.

// The helpers below return the page to show instead as their error: it is the handler's
// answer, built once, not an error value passed around.
#![allow(clippy::result_large_err)]

use super::login::{cookie, SESSION_COOKIE};
use super::pages::{self, LANG_COOKIE};
use super::CurrentApp;
use crate::app::App;
use crate::config::TenantConfig;
use crate::i18n;
use crate::identity::login::SessionProfile;
use crate::store::CitizenInfo;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::Engine;
use hlidac_adapters::{Receivable, Submission};
use serde_json::{json, Value};
use std::sync::Arc;

mod calendar;
mod confirm;
mod consent;
mod contacts;
mod data;
mod extract;
mod overview;
mod reminders;
mod settings;
use calendar::*;
use confirm::*;
use consent::*;
use contacts::*;
use data::*;
use extract::*;
use overview::*;
use reminders::*;
use settings::*;

/// How long a confirmation link holds.
const LINK_VALID_MS: i64 = 24 * 3600 * 1000;
/// How long an SMS code holds, how often it may be tried, how soon another may be sent.
const CODE_VALID_MS: i64 = 10 * 60 * 1000;
const CODE_ATTEMPTS: i64 = 5;
const RESEND_AFTER_MS: i64 = 60 * 1000;
/// Confirmations (links and codes) one citizen may have sent a day, and contacts they may
/// keep: limits against using the form to flood someone's phone or mailbox.
const SENDS_PER_DAY: i64 = 5;
const CONTACTS_MAX: usize = 10;
/// Topics a citizen can choose, in the order shown.
use crate::store::TOPICS;
const CHANNELS: &[&str] = &["email", "sms"];

pub fn routes() -> Router<CurrentApp> {
    Router::new()
        .route("/static/hlidac.css", get(css))
        .route(
            "/t/{tenant}/consent",
            get(consent_page).post(consent_answer),
        )
        .route("/t/{tenant}/me", get(overview))
        .route("/t/{tenant}/qr", get(qr_file))
        .route("/t/{tenant}/account", get(account_page))
        .route("/t/{tenant}/calendar", post(calendar_make))
        .route("/t/{tenant}/calendar/revoke", post(calendar_revoke))
        .route(
            "/t/{tenant}/settings",
            get(settings_page).post(settings_save),
        )
        .route("/t/{tenant}/contacts", get(contacts_page).post(contact_add))
        .route("/t/{tenant}/contacts/{id}/send", post(contact_send))
        .route("/t/{tenant}/contacts/{id}/code", post(contact_code))
        .route("/t/{tenant}/contacts/{id}/remove", post(contact_remove))
        .route("/verify/{token}", get(verify_page).post(verify_confirm))
        .route(
            "/t/{tenant}/reminders",
            get(reminders_page).post(reminder_add),
        )
        .route("/t/{tenant}/reminders/{id}/remove", post(reminder_remove))
        .route("/t/{tenant}/export", get(export))
        .route("/t/{tenant}/delete", get(delete_page).post(delete_account))
}

async fn css() -> Response {
    let mut r = pages::CSS.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("max-age=3600"),
    );
    r
}

/// A logged-in citizen on one of their pages.
struct Visit {
    app: Arc<App>,
    tenant: TenantConfig,
    citizen: CitizenInfo,
    profile: SessionProfile,
    cookie: String,
    csrf: String,
    lang: &'static str,
}

/// The page's query: a language choice and what was just done.
#[derive(serde::Deserialize, Default)]
struct PageQuery {
    lang: Option<String>,
    done: Option<String>,
}

fn redirect(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    r
}

/// The session's citizen at `tenant`, or where to send the browser instead: the landing
/// page without a session, the consent page before consent (when `consent` is needed).
async fn visit(
    current: &CurrentApp,
    tenant: &str,
    headers: &HeaderMap,
    query_lang: Option<&str>,
    consent: bool,
) -> Result<Visit, Response> {
    let app = current.borrow().clone();
    let Some(t) = app.config.tenant(tenant).cloned() else {
        return Err(pages::message(
            StatusCode::NOT_FOUND,
            i18n::REFERENCE,
            "page-not-found",
            "page-not-found-text",
        ));
    };
    let landing = format!("/t/{}/", t.id);
    let Some(cookie_value) = cookie(headers, SESSION_COOKIE).map(str::to_string) else {
        return Err(redirect(&landing));
    };
    let Some((row, profile)) = app.identity.current_session(&cookie_value).await else {
        return Err(redirect(&landing));
    };
    if row.tenant_id != t.id {
        return Err(redirect(&landing));
    }
    let citizen = match app.store.citizen(&row.citizen_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(redirect(&landing)),
        Err(e) => {
            tracing::error!(error = %e, "citizen page: database error");
            return Err(pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                &t.locale,
                "try-later",
                "try-later-text",
            ));
        }
    };
    if consent && citizen.consented_at.is_none() {
        return Err(redirect(&format!("/t/{}/consent", t.id)));
    }
    let lang = pages::language(query_lang, headers, citizen.locale.as_deref(), &t.locale);
    let csrf = app.identity.csrf_token(&cookie_value);
    Ok(Visit {
        app,
        tenant: t,
        citizen,
        profile,
        cookie: cookie_value,
        csrf,
        lang,
    })
}

impl Visit {
    fn t(&self, id: &str) -> String {
        i18n::t(self.lang, id, &[])
    }

    /// The context every page of the account has.
    fn base(&self, title: &str, nav: &str, done: Option<&str>) -> Value {
        let notice = done
            .and_then(|d| NOTICES.iter().find(|n| **n == d))
            .map(|n| self.t(&format!("notice-{n}")));
        let page = if nav.is_empty() { "consent" } else { nav };
        json!({
            "title": self.t(title),
            "tenant": {"id": self.tenant.id, "name": self.tenant.name},
            "nav": nav,
            "here": format!("/t/{}/{page}", self.tenant.id),
            "csrf": self.csrf,
            "notice": notice,
            "errors": {},
            "form": {},
        })
    }

    fn page(&self, status: StatusCode, name: &str, ctx: Value) -> Response {
        let mut r = pages::respond(status, name, self.lang, ctx);
        remember_language(&mut r, self.lang);
        r
    }

    fn failed(&self, e: impl std::fmt::Display) -> Response {
        tracing::error!(error = %e, "citizen page: database error");
        pages::message(
            StatusCode::SERVICE_UNAVAILABLE,
            self.lang,
            "try-later",
            "try-later-text",
        )
    }

    /// A form that names a contact or reminder the citizen does not have.
    fn not_found(&self) -> Response {
        pages::message(
            StatusCode::NOT_FOUND,
            self.lang,
            "page-not-found",
            "page-not-found-text",
        )
    }

    fn now(&self) -> i64 {
        self.app.clock.now_ms()
    }

    fn date_of(&self, ms: i64) -> String {
        use chrono::TimeZone;
        self.tenant
            .tz()
            .timestamp_millis_opt(ms)
            .single()
            .map(|t| t.date_naive().to_string())
            .unwrap_or_default()
    }
}

/// The notices a page may show after a form (`?done=`).
const NOTICES: &[&str] = &[
    "saved",
    "locked",
    "send-limit",
    "contact-added",
    "link-sent",
    "code-sent",
    "verified",
    "removed",
    "wait",
    "reminder-added",
    "calendar-made",
    "calendar-revoked",
];

/// Keeps the page's language for the next request (pages before login have no
/// citizen to remember it).
fn remember_language(r: &mut Response, lang: &str) {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={lang}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// A posted form: every pair, bad UTF-8 replaced.
struct FormData(Vec<(String, String)>);

impl FormData {
    fn parse(body: &Bytes) -> FormData {
        FormData(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.0
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// A form the session's citizen posted: the visit and the form, its CSRF token checked.
async fn posted(
    current: &CurrentApp,
    tenant: &str,
    headers: &HeaderMap,
    body: &Bytes,
    consent: bool,
) -> Result<(Visit, FormData), Response> {
    // A form posted without a session (or to another municipality, or before consent)
    // is refused: a page goes back to the landing page, a post is not taken.
    let v = match visit(current, tenant, headers, None, consent).await {
        Ok(v) => v,
        Err(r) if r.status() == StatusCode::SEE_OTHER => {
            let app = current.borrow().clone();
            let lang = app
                .config
                .tenant(tenant)
                .map_or(i18n::REFERENCE, |t| t.locale.as_str());
            return Err(pages::message(
                StatusCode::FORBIDDEN,
                lang,
                "form-expired",
                "form-expired-text",
            ));
        }
        Err(r) => return Err(r),
    };
    let form = FormData::parse(body);
    checked(&v, &form)?;
    Ok((v, form))
}

/// The form's CSRF token is the session's: else a page saying the form expired.
fn checked(v: &Visit, form: &FormData) -> Result<(), Response> {
    let given = form.get("csrf").unwrap_or("");
    if given.len() == v.csrf.len() && openssl::memcmp::eq(given.as_bytes(), v.csrf.as_bytes()) {
        Ok(())
    } else {
        Err(pages::message(
            StatusCode::FORBIDDEN,
            v.lang,
            "form-expired",
            "form-expired-text",
        ))
    }
}

// ----- consent -----------------------------------------------------------------------
