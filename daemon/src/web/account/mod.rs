//! The citizen's own pages, behind the session of an eID login, one file per group:
//! consent on the first login (and the welcome e-mail), the overview (a summary of what is
//! owed, fees with how to pay and a payment QR code, submissions with their history,
//! documents, the alerts sent, the calendar feed), alert settings, contacts and their
//! confirmation, personal reminders, and the account page (the data export, deleting the
//! account).
//! The pages translate HTTP only: what they read and change is the citizen service's
//! ([`crate::citizens`]). This file holds what they share: the visit (the session's
//! citizen), the CSRF-checked form, the page errors, and the routes; `view.rs` the typed
//! view models.
//!
//! What comes in: forms from a browser, untrusted. Each is size-limited (16 KiB, the
//! router's limit for these routes), read as UTF-8 with bad bytes replaced, checked field
//! by field; a refusal comes back as the same form with an error summary at the top and a
//! message next to the field.
//! Every form carries the session's CSRF token. What goes out: HTML pages (escaped by the
//! templates), one JSON export, nothing personal in logs.

use super::login::{clear_cookie, cookie, see_other, SESSION_COOKIE};
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
mod view;
use calendar::*;
use confirm::*;
use consent::*;
use contacts::*;
use data::*;
use extract::*;
use overview::*;
use reminders::*;
use settings::*;
use view::*;

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
        .route("/verify/{token}", get(verify).post(verify))
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

/// The session's citizen at `tenant`, or where to send the browser instead: the landing
/// page without a session, the consent page before consent (when `consent` is needed).
async fn visit(
    current: &CurrentApp,
    tenant: &str,
    headers: &HeaderMap,
    query_lang: Option<&str>,
    consent: bool,
) -> Result<Visit, PageError> {
    let app = current.borrow().clone();
    let Some(t) = app.config.tenant(tenant).cloned() else {
        return Err(PageError::NotFound(i18n::REFERENCE.into()));
    };
    let landing = || PageError::Redirect(format!("/t/{}/", t.id));
    let Some(cookie_value) = cookie(headers, SESSION_COOKIE).map(str::to_string) else {
        return Err(landing());
    };
    let Some((row, profile)) = app.identity.current_session(&cookie_value).await else {
        return Err(landing());
    };
    if row.tenant_id != t.id {
        return Err(landing());
    }
    let citizen = match app.store.citizen(&row.citizen_id).await {
        Ok(Some(c)) => c,
        Ok(None) => return Err(landing()),
        Err(e) => return Err(PageError::try_later(&t.locale, e)),
    };
    if consent && citizen.consented_at.is_none() {
        return Err(PageError::Redirect(format!("/t/{}/consent", t.id)));
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

/// What a citizen page answers instead of itself; each is the page that says why.
pub(super) enum PageError {
    /// No session (or another municipality's), or no consent yet: the browser goes there.
    Redirect(String),
    /// 404 in the language given: a page, contact or reminder the citizen does not have.
    NotFound(String),
    /// 403: a form without the session's CSRF token, or posted without a session.
    Expired(String),
    /// 503: the database or a mail or SMS relay failed (logged where it is made).
    TryLater(String),
    /// axum's own answer to a request it could not read (a body over the limit: 413).
    Unreadable(Box<Response>),
}

impl PageError {
    /// The database failed: logged here (its text only in the log), "try later" shown.
    fn try_later(lang: &str, e: impl std::fmt::Display) -> PageError {
        tracing::error!(error = %e, "citizen page: database error");
        PageError::TryLater(lang.into())
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Redirect(to) => see_other(&to),
            PageError::NotFound(lang) => pages::message(
                StatusCode::NOT_FOUND,
                &lang,
                "page-not-found",
                "page-not-found-text",
            ),
            PageError::Expired(lang) => pages::message(
                StatusCode::FORBIDDEN,
                &lang,
                "form-expired",
                "form-expired-text",
            ),
            PageError::TryLater(lang) => pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                &lang,
                "try-later",
                "try-later-text",
            ),
            PageError::Unreadable(r) => *r,
        }
    }
}

/// After removing one of the citizen's contacts or reminders: back to `page` saying so,
/// or 404 when it was not theirs.
fn after_removal(v: &Visit, removed: bool, page: &str) -> Answer {
    if !removed {
        return Err(v.not_found());
    }
    Ok(v.redirect_to(&format!("{page}?done=removed")))
}

/// What a handler answers: its page, or the page that says why not.
type Answer = Result<Response, PageError>;

impl Visit {
    /// A redirect to `page` (with its query) of this municipality's account pages.
    fn redirect_to(&self, page: &str) -> Response {
        see_other(&format!("/t/{}/{page}", self.tenant.id))
    }

    fn t(&self, id: &str) -> String {
        i18n::t(self.lang, id, &[])
    }

    /// One of the account's pages, `screen`, with the notice after a form (`?done=`), a
    /// refused form's errors, and the page's own content.
    fn page<B: serde::Serialize>(
        &self,
        screen: &Screen,
        status: StatusCode,
        done: Option<&str>,
        errors: Fields,
        body: B,
    ) -> Response {
        let notice = done
            .and_then(|d| NOTICES.iter().find(|n| **n == d))
            .map(|n| self.t(&format!("notice-{n}")));
        let page = Page {
            title: self.t(screen.title),
            tenant: TenantRef::of(&self.tenant),
            nav: screen.nav,
            here: format!("/t/{}/{}", self.tenant.id, screen.path),
            csrf: &self.csrf,
            notice,
            errors,
            body,
        };
        let mut r = pages::respond(status, screen.template, self.lang, page);
        remember_language(&mut r, self.lang);
        r
    }

    /// Waits for a database call; its error becomes "try later" in the citizen's language.
    async fn db<T, E: std::fmt::Display>(
        &self,
        call: impl std::future::Future<Output = Result<T, E>>,
    ) -> Result<T, PageError> {
        call.await.map_err(|e| PageError::try_later(self.lang, e))
    }

    /// A form that names a contact or reminder the citizen does not have.
    fn not_found(&self) -> PageError {
        PageError::NotFound(self.lang.into())
    }

    fn date_of(&self, ms: i64) -> String {
        (self.tenant.date_of_ms(ms))
            .map(|d| d.to_string())
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
) -> Result<(Visit, FormData), PageError> {
    // A form posted without a session (or to another municipality, or before consent)
    // is refused: a page goes back to the landing page, a post is not taken.
    let v = match visit(current, tenant, headers, None, consent).await {
        Ok(v) => v,
        Err(PageError::Redirect(_)) => {
            let app = current.borrow().clone();
            let lang = app
                .config
                .tenant(tenant)
                .map_or(i18n::REFERENCE, |t| t.locale.as_str());
            return Err(PageError::Expired(lang.into()));
        }
        Err(e) => return Err(e),
    };
    let form = FormData::parse(body);
    let given = form.get("csrf").unwrap_or("");
    if !crate::crypto::same(given.as_bytes(), v.csrf.as_bytes()) {
        return Err(PageError::Expired(v.lang.into()));
    }
    Ok((v, form))
}
