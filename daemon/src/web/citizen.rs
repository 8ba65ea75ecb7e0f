//! The citizen's own pages, behind the session of an eID login: consent on the first
//! login, the overview (fees with how to pay and a payment QR code, submissions with
//! their history, documents, the alerts sent), alert settings, contacts and their
//! confirmation, personal reminders, the data export and deleting the account.
//!
//! What comes in: forms from a browser, untrusted. Each is size-limited (16 KiB, the
//! router's limit for these routes), read as UTF-8 with bad bytes replaced, checked field
//! by field; a refusal comes back as the same form with a message next to the field. Every form carries the session's CSRF token. What
//! goes out: HTML pages (escaped by the templates), one JSON export, nothing personal in
//! logs.

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
    let Some((row, profile)) = app.current_session(&cookie_value).await else {
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
    let csrf = app.csrf_token(&cookie_value);
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

async fn consent_page(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), false).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut ctx = v.base("title-consent", "", None);
    ctx["nav"] = Value::Null;
    v.page(StatusCode::OK, "consent.html", ctx)
}

async fn consent_answer(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, false).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match form.get("answer") {
        Some("yes") => {
            // Agreeing to be told: by e-mail about every topic, until the citizen
            // chooses otherwise (only confirmed contacts ever receive anything).
            let consented = async {
                v.app.store.set_consent(&v.citizen.id, v.now()).await?;
                v.app
                    .store
                    .subscribe_if_none(&v.citizen.id, TOPICS, v.now())
                    .await
            };
            match consented.await {
                Ok(()) => redirect(&format!("/t/{}/me", v.tenant.id)),
                Err(e) => v.failed(e),
            }
        }
        // Declining forgets this municipality's record only (another's consent stands).
        Some("no") => match forget_here(&v).await {
            Ok(()) => {
                let mut r = pages::message(
                    StatusCode::OK,
                    v.lang,
                    "consent-declined",
                    "consent-declined-text",
                );
                clear_session(&mut r);
                r
            }
            Err(e) => v.failed(e),
        },
        _ => pages::message(
            StatusCode::BAD_REQUEST,
            v.lang,
            "form-expired",
            "form-expired-text",
        ),
    }
}

// ----- overview ----------------------------------------------------------------------

async fn overview(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let mut municipalities = Vec::new();
    let citizens = match &v.citizen.subject_hash {
        Some(s) => v.app.store.citizens_of_subject(s).await,
        None => Ok(vec![v.citizen.clone()]),
    };
    let citizens = match citizens {
        Ok(c) => c,
        Err(e) => return v.failed(e),
    };
    // This municipality first, then the others the person logged in to.
    let (here, others): (Vec<_>, Vec<_>) = citizens
        .into_iter()
        .partition(|c| c.tenant_id == v.tenant.id);
    for c in here.into_iter().chain(others) {
        let Some(t) = v.app.config.tenant(&c.tenant_id) else {
            continue;
        };
        match municipality(&v, t, &c).await {
            Ok(m) => municipalities.push(m),
            Err(e) => return v.failed(e),
        }
    }
    let mut ctx = v.base("title-overview", "me", q.done.as_deref());
    ctx["name"] = v.profile.name.clone().into();
    ctx["municipalities"] = municipalities.into();
    v.page(StatusCode::OK, "dashboard.html", ctx)
}

/// What one municipality knows about the citizen, for the overview.
async fn municipality(
    v: &Visit,
    t: &TenantConfig,
    c: &CitizenInfo,
) -> Result<Value, crate::store::StoreError> {
    let app = &v.app;
    let mut receivables = Vec::new();
    let mut submissions = Vec::new();
    for (kind, data) in app.store.person_records(&t.id, &c.person_hash).await? {
        match kind.as_str() {
            "receivable" => {
                if let Ok(r) = serde_json::from_str::<Receivable>(&data) {
                    receivables.push(receivable_view(&r, &t.name));
                }
            }
            "submission" => {
                if let Ok(s) = serde_json::from_str::<Submission>(&data) {
                    submissions.push(submission_view(&s));
                }
            }
            _ => {}
        }
    }
    let documents: Vec<Value> = app
        .store
        .citizen_documents(&c.id)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "kind": d.kind,
                "number": d.number_enc.as_deref().and_then(|n| app.crypto.open(n).ok()),
                "valid_until": d.valid_until,
            })
        })
        .collect();
    let alerts: Vec<Value> = app
        .store
        .citizen_alerts(&c.id, 30)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "date": v.date_of(a.sent_at.unwrap_or(a.created_at)),
                // Catalogue variants cannot hold a dot.
                "kind": a.kind.replace('.', "_"),
                "channel": a.channel,
                "state": a.state,
            })
        })
        .collect();
    Ok(json!({
        "id": t.id,
        "name": t.name,
        "receivables": receivables,
        "submissions": submissions,
        "documents": documents,
        "alerts": alerts,
    }))
}

fn receivable_view(r: &Receivable, beneficiary: &str) -> Value {
    let next_due = r.unpaid_instalments().map(|i| i.due_date).min();
    let outstanding: f64 = r.amount_outstanding.to_string().parse().unwrap_or_default();
    let payable = !r.status.is_settled() && outstanding > 0.0;
    let qr = payable
        .then(|| super::pay::payment_code(r, beneficiary))
        .flatten()
        .and_then(|(code, caption)| {
            super::pay::qr_png(&code, 4).map(|png| {
                (
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    ),
                    caption,
                )
            })
        });
    json!({
        "title": r.title,
        "period": r.period,
        "currency": r.currency,
        "amount_outstanding": r.amount_outstanding.to_string(),
        "due_date": next_due,
        "status": r.status.as_str(),
        "instalments": r.instalments.iter().map(|i| json!({
            "no": i.no, "due_date": i.due_date, "amount": i.amount.to_string(), "paid": i.paid,
        })).collect::<Vec<_>>(),
        "payment": r.payment,
        "payable": payable,
        "qr": qr.as_ref().map(|(url, _)| url.clone()),
        "qr_caption": qr.map(|(_, c)| c),
    })
}

fn submission_view(s: &Submission) -> Value {
    let reference = s
        .reference
        .filing_number
        .clone()
        .or_else(|| s.reference.case_number.clone())
        .or_else(|| s.reference.registration_index.clone())
        .unwrap_or_else(|| s.key.clone());
    json!({
        "matter": s.matter,
        "reference": reference,
        "status": s.status.as_str(),
        "deadline": s.deadline,
        "history": s.history.iter().map(|h| json!({
            "date": h.at.date_naive().to_string(), "status": h.status.as_str(),
        })).collect::<Vec<_>>(),
    })
}

// ----- settings ----------------------------------------------------------------------

async fn settings_page(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let subscribed: Vec<String> = match v.app.store.subscriptions_of(&v.citizen.id).await {
        Ok(s) => s.into_iter().map(|(t, c)| format!("{t}:{c}")).collect(),
        Err(e) => return v.failed(e),
    };
    let ctx = settings_ctx(
        &v,
        q.done.as_deref(),
        json!({
            "subscribed": subscribed,
            "delivery": v.citizen.delivery.clone().unwrap_or_else(|| "immediate".into()),
            "quiet_hours": v.citizen.quiet_hours.clone().unwrap_or_default(),
            "citizen_locale": v.citizen.locale.clone().unwrap_or_else(|| v.tenant.locale.clone()),
            "offsets": v.citizen.reminder_offsets.as_deref().unwrap_or("").replace(',', ", "),
        }),
        json!({}),
    );
    v.page(StatusCode::OK, "settings.html", ctx)
}

/// The settings page with `shown` (subscribed, delivery, quiet_hours, citizen_locale,
/// offsets) in its fields.
fn settings_ctx(v: &Visit, done: Option<&str>, shown: Value, errors: Value) -> Value {
    let mut ctx = v.base("title-settings", "settings", done);
    ctx["topics"] = TOPICS
        .iter()
        .map(|t| json!({"id": t}))
        .collect::<Vec<_>>()
        .into();
    for key in [
        "subscribed",
        "delivery",
        "quiet_hours",
        "citizen_locale",
        "offsets",
    ] {
        ctx[key] = shown[key].clone();
    }
    let days: Vec<String> = v
        .tenant
        .reminder_offsets_days
        .iter()
        .map(u32::to_string)
        .collect();
    ctx["tenant_offsets"] = days.join(", ").into();
    ctx["errors"] = errors;
    ctx
}

async fn settings_save(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let mut errors = serde_json::Map::new();
    let mut subscriptions = Vec::new();
    for s in form.all("sub") {
        match s.split_once(':') {
            Some((t, c)) if TOPICS.contains(&t) && CHANNELS.contains(&c) => {
                let pair = (t.to_string(), c.to_string());
                if !subscriptions.contains(&pair) {
                    subscriptions.push(pair);
                }
            }
            _ => {
                errors.insert("topics".into(), v.t("error-choice").into());
            }
        }
    }
    let delivery = form.get("delivery").unwrap_or("immediate");
    if !matches!(delivery, "immediate" | "daily") {
        errors.insert("delivery".into(), v.t("error-choice").into());
    }
    let quiet = form.get("quiet_hours").unwrap_or("").trim();
    if !quiet.is_empty()
        && (quiet.len() > 11 || crate::notify::schedule::Window::parse(quiet).is_none())
    {
        errors.insert("quiet_hours".into(), v.t("error-quiet-hours").into());
    }
    let offsets_text = form.get("offsets").unwrap_or("").trim();
    let offsets = if offsets_text.is_empty() {
        None
    } else {
        match crate::store::parse_offsets(offsets_text) {
            Some(list) => Some(
                list.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            None => {
                errors.insert("offsets".into(), v.t("error-offsets").into());
                None
            }
        }
    };
    let locale = form.get("locale").unwrap_or(&v.tenant.locale);
    let locale = i18n::LOCALES.iter().find(|l| **l == locale).copied();
    if locale.is_none() {
        errors.insert("locale".into(), v.t("error-choice").into());
    }
    if !errors.is_empty() {
        let subscribed: Vec<String> = subscriptions
            .iter()
            .map(|(t, c)| format!("{t}:{c}"))
            .collect();
        let ctx = settings_ctx(
            &v,
            None,
            json!({
                "subscribed": subscribed,
                "delivery": if matches!(delivery, "immediate" | "daily") { delivery } else { "immediate" },
                "quiet_hours": quiet.chars().take(11).collect::<String>(),
                "citizen_locale": locale.unwrap_or(v.lang),
                "offsets": offsets_text.chars().take(40).collect::<String>(),
            }),
            errors.into(),
        );
        return v.page(StatusCode::BAD_REQUEST, "settings.html", ctx);
    }
    let locale = locale.unwrap_or(i18n::REFERENCE);
    match v
        .app
        .store
        .save_settings(
            &v.citizen.id,
            &crate::store::SettingsIn {
                subscriptions: &subscriptions,
                quiet_hours: (!quiet.is_empty()).then_some(quiet),
                delivery,
                locale,
                reminder_offsets: offsets.as_deref(),
            },
            v.now(),
        )
        .await
    {
        Ok(()) => {
            let mut r = redirect(&format!(
                "/t/{}/settings?done=saved&lang={locale}",
                v.tenant.id
            ));
            remember_language(&mut r, locale);
            r
        }
        Err(e) => v.failed(e),
    }
}

// ----- contacts ----------------------------------------------------------------------

async fn contacts_page(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    contacts_view(&v, StatusCode::OK, q.done.as_deref(), json!({}), json!({})).await
}

async fn contacts_view(
    v: &Visit,
    status: StatusCode,
    done: Option<&str>,
    form: Value,
    errors: Value,
) -> Response {
    let rows = match v.app.store.contacts_of(&v.citizen.id).await {
        Ok(r) => r,
        Err(e) => return v.failed(e),
    };
    let mut contacts = Vec::new();
    for c in rows {
        let code_sent = match v.app.store.challenge(&c.id).await {
            Ok(ch) => ch.is_some_and(|ch| ch.code_hash != LINK_MARK),
            Err(e) => return v.failed(e),
        };
        contacts.push(json!({
            "id": c.id,
            "channel": c.channel,
            "address": v.app.crypto.open(&c.address_enc).unwrap_or_default(),
            "verified": c.verified_at.is_some(),
            "code_sent": code_sent,
        }));
    }
    let mut ctx = v.base("title-contacts", "contacts", done);
    ctx["contacts"] = contacts.into();
    ctx["form"] = form;
    ctx["errors"] = errors;
    v.page(status, "contacts.html", ctx)
}

/// What a contact challenge row holds for an e-mail link (its resend time only).
const LINK_MARK: &str = "link";

async fn contact_add(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let email = form.get("email").unwrap_or("").trim().to_string();
    let phone: String = form
        .get("phone")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut errors = serde_json::Map::new();
    let email_ok = (!email.is_empty())
        .then(|| {
            (email.len() <= 254)
                .then(|| email.parse::<lettre::Address>().ok())
                .flatten()
        })
        .flatten();
    if !email.is_empty() && email_ok.is_none() {
        errors.insert("email".into(), v.t("error-email").into());
    }
    if !phone.is_empty() && (phone.len() > 16 || crate::notify::sms::check_phone(&phone).is_err()) {
        errors.insert("phone".into(), v.t("error-phone").into());
    }
    if email.is_empty() && phone.is_empty() {
        errors.insert("email".into(), v.t("error-contact-empty").into());
    }
    match v.app.store.contacts_of(&v.citizen.id).await {
        Ok(list) if list.len() >= CONTACTS_MAX => {
            errors.insert("email".into(), v.t("error-contacts-limit").into());
        }
        Ok(_) => {}
        Err(e) => return v.failed(e),
    }
    if !errors.is_empty() {
        let shown = json!({
            "email": email.chars().take(254).collect::<String>(),
            "phone": phone.chars().take(16).collect::<String>(),
        });
        return contacts_view(&v, StatusCode::BAD_REQUEST, None, shown, errors.into()).await;
    }
    let now = v.now();
    let mut added = Vec::new();
    if let Some(address) = email_ok {
        let address = address.to_string();
        let hash = v.app.crypto.hash("email", &address.to_lowercase());
        match v
            .app
            .store
            .add_unverified_contact(
                &v.citizen.id,
                "email",
                &v.app.crypto.seal(&address),
                &hash,
                now,
            )
            .await
        {
            Ok(id) => added.push(id),
            Err(e) => return v.failed(e),
        }
    }
    if !phone.is_empty() {
        let hash = v.app.crypto.hash("sms", &phone);
        match v
            .app
            .store
            .add_unverified_contact(&v.citizen.id, "sms", &v.app.crypto.seal(&phone), &hash, now)
            .await
        {
            Ok(id) => added.push(id),
            Err(e) => return v.failed(e),
        }
    }
    // Each new contact gets its confirmation at once.
    let mut done = "contact-added";
    for id in &added {
        match send_confirmation(&v, id).await {
            Ok(Some(d)) => done = d,
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    redirect(&format!("/t/{}/contacts?done={done}", v.tenant.id))
}

async fn contact_send(
    State(current): State<CurrentApp>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, _) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match v.app.store.contact_of(&v.citizen.id, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return v.not_found(),
        Err(e) => return v.failed(e),
    }
    match send_confirmation(&v, &id).await {
        Ok(Some(done)) => redirect(&format!("/t/{}/contacts?done={done}", v.tenant.id)),
        Ok(None) => redirect(&format!("/t/{}/contacts", v.tenant.id)),
        Err(r) => r,
    }
}

/// Sends a contact of the visiting citizen its confirmation: a signed link by e-mail or
/// a 6-digit code by SMS, at most once a minute. Returns the notice to show (None when
/// there is nothing to confirm).
async fn send_confirmation(v: &Visit, contact_id: &str) -> Result<Option<&'static str>, Response> {
    let app = &v.app;
    let now = v.now();
    let contact = match app.store.contact_of(&v.citizen.id, contact_id).await {
        Ok(Some(c)) if c.verified_at.is_none() => c,
        Ok(_) => return Ok(None),
        Err(e) => return Err(v.failed(e)),
    };
    match app.store.challenge(contact_id).await {
        Ok(Some(ch)) if now - ch.sent_at < RESEND_AFTER_MS => return Ok(Some("wait")),
        // Tried too often: this contact takes no more codes (remove it and add it again,
        // within the day's allowance of confirmations).
        Ok(Some(ch)) if ch.attempts >= CODE_ATTEMPTS => return Ok(Some("locked")),
        Ok(_) => {}
        Err(e) => return Err(v.failed(e)),
    }
    let today = app.today(&v.tenant).to_string();
    match app
        .store
        .count_confirmation_send(&v.citizen.id, &today)
        .await
    {
        Ok(n) if n > SENDS_PER_DAY => return Ok(Some("send-limit")),
        Ok(_) => {}
        Err(e) => return Err(v.failed(e)),
    }
    let address = app.crypto.open(&contact.address_enc).unwrap_or_default();
    let tenant = &v.tenant;
    let lang = v.lang;
    let args = |extra: Vec<(&'static str, i18n::Arg)>| {
        let mut a = vec![("tenant", i18n::Arg::from(tenant.name.as_str()))];
        a.extend(extra);
        a
    };
    if contact.channel == "email" {
        let expires = now + LINK_VALID_MS;
        let url = format!(
            "{}/verify/{}",
            app.config.web.public_url(),
            link_token(app, contact_id, expires)
        );
        let subject = i18n::t(lang, "verify-email-subject", &args(vec![]));
        let body = format!(
            "{}\n\n{}\n\n{}\n",
            i18n::t(lang, "alert-hello", &[]),
            i18n::t(lang, "verify-email-body", &args(vec![("url", url.into())])),
            i18n::t(lang, "verify-email-ignore", &[]),
        );
        if let Err(e) = send_email(app, tenant, &address, &subject, &body).await {
            tracing::warn!(error = %e, "contact confirmation e-mail not sent");
            return Err(pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "try-later",
                "try-later-text",
            ));
        }
        if let Err(e) = app
            .store
            .set_challenge(contact_id, LINK_MARK, expires, now)
            .await
        {
            return Err(v.failed(e));
        }
        Ok(Some("link-sent"))
    } else {
        let code = format!(
            "{:06}",
            rand::Rng::gen_range(&mut rand::rngs::OsRng, 0..1_000_000u32)
        );
        let text = i18n::t(
            lang,
            "verify-sms-text",
            &args(vec![("code", code.clone().into())]),
        );
        let Some(sms) = app.sms.as_ref() else {
            return Err(pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "try-later",
                "try-later-text",
            ));
        };
        let (sender, text) = crate::notify::sms::outgoing(&app.config, tenant, text);
        let id = crate::store::new_id();
        if let Err(e) = sms.send(&id, &sender, &address, &text).await {
            tracing::warn!(error = %e, "contact confirmation SMS not sent");
            return Err(pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "try-later",
                "try-later-text",
            ));
        }
        let hash = code_hash(app, contact_id, &code);
        if let Err(e) = app
            .store
            .set_challenge(contact_id, &hash, now + CODE_VALID_MS, now)
            .await
        {
            return Err(v.failed(e));
        }
        Ok(Some("code-sent"))
    }
}

fn code_hash(app: &App, contact_id: &str, code: &str) -> String {
    app.crypto
        .hash("sms_code", &format!("{contact_id}\0{code}"))
}

/// `<contact>.<expires>.<mac>`: a confirmation link that holds until `expires`.
fn link_token(app: &App, contact_id: &str, expires: i64) -> String {
    let mac = &app
        .crypto
        .hash("verify_link", &format!("{contact_id}.{expires}"))[..32];
    format!("{contact_id}.{expires}.{mac}")
}

/// Sends one e-mail from the municipality, outside the alert queue (the citizen waits
/// for it on the page).
async fn send_email(
    app: &App,
    tenant: &TenantConfig,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    use lettre::message::Mailbox;
    let from = Mailbox::new(
        Some(
            tenant
                .sender
                .name
                .clone()
                .unwrap_or_else(|| tenant.name.clone()),
        ),
        tenant
            .sender
            .email
            .parse()
            .map_err(|_| "bad sender address")?,
    );
    let to: Mailbox = to.parse().map_err(|_| "bad recipient address")?;
    let mut message = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| e.to_string())?;
    if let Some(dkim) = app.dkim(&tenant.id) {
        message.sign(dkim);
    }
    app.mailer
        .send(&message, &crate::store::new_id())
        .await
        .map_err(|e| e.to_string())
}

async fn contact_code(
    State(current): State<CurrentApp>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let code = form.get("code").unwrap_or("").trim().to_string();
    let contact = match v.app.store.contact_of(&v.citizen.id, &id).await {
        Ok(Some(c)) => c,
        Ok(None) => return v.not_found(),
        Err(e) => return v.failed(e),
    };
    if contact.verified_at.is_some() {
        return redirect(&format!("/t/{}/contacts?done=verified", v.tenant.id));
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code_refused(&v, &id, "error-code").await;
    }
    let challenge = match v.app.store.challenge(&id).await {
        Ok(c) => c,
        Err(e) => return v.failed(e),
    };
    let now = v.now();
    let Some(ch) = challenge.filter(|c| c.code_hash != LINK_MARK) else {
        return code_refused(&v, &id, "error-code-expired").await;
    };
    if now >= ch.expires_at || ch.attempts >= CODE_ATTEMPTS {
        return code_refused(&v, &id, "error-code-expired").await;
    }
    let attempts = match v.app.store.count_attempt(&id).await {
        Ok(a) => a,
        Err(e) => return v.failed(e),
    };
    let given = code_hash(&v.app, &id, &code);
    if attempts > CODE_ATTEMPTS
        || given.len() != ch.code_hash.len()
        || !openssl::memcmp::eq(given.as_bytes(), ch.code_hash.as_bytes())
    {
        let key = if attempts >= CODE_ATTEMPTS {
            "error-code-expired"
        } else {
            "error-code-wrong"
        };
        return code_refused(&v, &id, key).await;
    }
    match v.app.store.verify_contact(&id, now).await {
        Ok(_) => redirect(&format!("/t/{}/contacts?done=verified", v.tenant.id)),
        Err(e) => v.failed(e),
    }
}

/// The contacts page again, the code's message next to that contact's code field.
async fn code_refused(v: &Visit, contact_id: &str, key: &str) -> Response {
    contacts_view(
        v,
        StatusCode::BAD_REQUEST,
        None,
        json!({}),
        json!({"code": v.t(key), "code_for": contact_id}),
    )
    .await
}

async fn contact_remove(
    State(current): State<CurrentApp>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, _) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match v.app.store.remove_contact(&v.citizen.id, &id).await {
        Ok(true) => redirect(&format!("/t/{}/contacts?done=removed", v.tenant.id)),
        Ok(false) => v.not_found(),
        Err(e) => v.failed(e),
    }
}

/// The link from the confirmation e-mail, without logging in: the page asks to confirm
/// with a button (a mail scanner fetching the link confirms nothing); the button's POST
/// confirms.
async fn verify_page(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    verify_link(&current, &token, &headers, false).await
}

async fn verify_confirm(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    verify_link(&current, &token, &headers, true).await
}

async fn verify_link(
    current: &CurrentApp,
    token: &str,
    headers: &HeaderMap,
    confirm: bool,
) -> Response {
    let app = current.borrow().clone();
    let now = app.clock.now_ms();
    let parts: Vec<&str> = token.split('.').collect();
    let valid = match parts.as_slice() {
        [contact, expires, mac] if mac.len() == 32 && contact.len() <= 64 => {
            let expires: i64 = expires.parse().unwrap_or(0);
            let want = link_token(&app, contact, expires);
            now < expires
                && want.len() == token.len()
                && openssl::memcmp::eq(want.as_bytes(), token.as_bytes())
        }
        _ => false,
    };
    let failed = |lang: &str, e: crate::store::StoreError| {
        tracing::error!(error = %e, "verify link: database error");
        pages::message(
            StatusCode::SERVICE_UNAVAILABLE,
            lang,
            "try-later",
            "try-later-text",
        )
    };
    let owner = if valid {
        match app.store.contact_owner(parts[0]).await {
            Ok(o) => o,
            Err(e) => return failed(i18n::REFERENCE, e),
        }
    } else {
        None
    };
    let citizen = match &owner {
        Some((citizen, _)) => app.store.citizen(citizen).await.ok().flatten(),
        None => None,
    };
    let lang = pages::language(
        None,
        headers,
        citizen.as_ref().and_then(|c| c.locale.as_deref()),
        citizen
            .as_ref()
            .and_then(|c| app.config.tenant(&c.tenant_id))
            .map(|t| t.locale.as_str())
            .unwrap_or(i18n::REFERENCE),
    );
    let bad = || {
        pages::message(
            StatusCode::BAD_REQUEST,
            lang,
            "verify-bad",
            "verify-bad-text",
        )
    };
    let (Some((citizen_id, None)), Some(c)) = (owner, citizen) else {
        return bad();
    };
    if !confirm {
        let address = match app.store.contact_of(&citizen_id, parts[0]).await {
            Ok(Some(k)) => app.crypto.open(&k.address_enc).unwrap_or_default(),
            Ok(None) => return bad(),
            Err(e) => return failed(lang, e),
        };
        let tenant = app.config.tenant(&c.tenant_id);
        return pages::respond(
            StatusCode::OK,
            "verify.html",
            lang,
            json!({
                "title": i18n::t(lang, "verify-confirm", &[]),
                "tenant": tenant.map(|t| json!({"id": t.id, "name": t.name})),
                "address": address,
                "here": format!("/verify/{token}"),
            }),
        );
    }
    match app.store.verify_contact(parts[0], now).await {
        Ok(true) => {
            tracing::info!("a contact was confirmed by its link");
            pages::message(StatusCode::OK, lang, "verify-ok", "verify-ok-text")
        }
        Ok(false) => bad(),
        Err(e) => failed(lang, e),
    }
}

// ----- personal reminders --------------------------------------------------------------

async fn reminders_page(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    reminders_view(&v, StatusCode::OK, q.done.as_deref(), json!({}), json!({})).await
}

async fn reminders_view(
    v: &Visit,
    status: StatusCode,
    done: Option<&str>,
    form: Value,
    errors: Value,
) -> Response {
    let rows = match v.app.store.reminders_of(&v.citizen.id).await {
        Ok(r) => r,
        Err(e) => return v.failed(e),
    };
    let reminders: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "date": r.due_date,
                "note": v.app.crypto.open(&r.note_enc).unwrap_or_default(),
            })
        })
        .collect();
    let mut ctx = v.base("title-reminders", "reminders", done);
    ctx["reminders"] = reminders.into();
    ctx["form"] = form;
    ctx["errors"] = errors;
    v.page(status, "reminders.html", ctx)
}

/// The most reminders one citizen may keep.
const MAX_REMINDERS: usize = 50;

async fn reminder_add(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let date_text = form.get("date").unwrap_or("").trim().to_string();
    let note = form.get("note").unwrap_or("").trim().to_string();
    let today = v.app.today(&v.tenant);
    let mut errors = serde_json::Map::new();
    let date = date_text
        .parse::<chrono::NaiveDate>()
        .ok()
        .filter(|d| *d > today && (*d - today).num_days() <= 5 * 366);
    if date.is_none() {
        errors.insert("date".into(), v.t("error-date").into());
    }
    let count = note.chars().count();
    if count == 0
        || count > 140
        || note
            .chars()
            .any(|c| c.is_control() || c == '<' || c == '>' || c == '\u{fffd}')
    {
        errors.insert("note".into(), v.t("error-note").into());
    }
    let existing = match v.app.store.reminders_of(&v.citizen.id).await {
        Ok(r) => r.len(),
        Err(e) => return v.failed(e),
    };
    if existing >= MAX_REMINDERS {
        errors.insert("date".into(), v.t("error-reminders-limit").into());
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        let shown = json!({
            "date": date_text.chars().take(10).collect::<String>(),
            "note": note.chars().take(140).collect::<String>(),
        });
        return reminders_view(&v, StatusCode::BAD_REQUEST, None, shown, errors.into()).await;
    };
    match v
        .app
        .store
        .add_reminder(
            &v.citizen.id,
            &date.to_string(),
            &v.app.crypto.seal(&note),
            v.now(),
        )
        .await
    {
        // A reminder is meant to arrive: by e-mail unless the citizen chose otherwise.
        Ok(_) => match v
            .app
            .store
            .subscribe_if_none(&v.citizen.id, &["reminders"], v.now())
            .await
        {
            Ok(()) => redirect(&format!("/t/{}/reminders?done=reminder-added", v.tenant.id)),
            Err(e) => v.failed(e),
        },
        Err(e) => v.failed(e),
    }
}

async fn reminder_remove(
    State(current): State<CurrentApp>,
    Path((tenant, id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, _) = match posted(&current, &tenant, &headers, &body, true).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    match v.app.store.remove_reminder(&v.citizen.id, &id).await {
        Ok(true) => redirect(&format!("/t/{}/reminders?done=removed", v.tenant.id)),
        Ok(false) => v.not_found(),
        Err(e) => v.failed(e),
    }
}

// ----- export and delete -------------------------------------------------------------

/// Everything held about the citizen, as JSON, opened for them.
async fn export(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, None, true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    match export_json(&v).await {
        Ok(data) => {
            let mut r = serde_json::to_string_pretty(&data)
                .unwrap_or_default()
                .into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
            h.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"hlidac-export.json\""),
            );
            r
        }
        Err(e) => v.failed(e),
    }
}

async fn export_json(v: &Visit) -> Result<Value, crate::store::StoreError> {
    let app = &v.app;
    let citizens = match &v.citizen.subject_hash {
        Some(s) => app.store.citizens_of_subject(s).await?,
        None => vec![v.citizen.clone()],
    };
    let mut out = Vec::new();
    for c in citizens {
        let tenant_name = app
            .config
            .tenant(&c.tenant_id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let contacts: Vec<Value> = app
            .store
            .contacts_of(&c.id)
            .await?
            .into_iter()
            .map(|k| {
                json!({
                    "channel": k.channel,
                    "address": app.crypto.open(&k.address_enc).unwrap_or_default(),
                    "confirmed": k.verified_at.is_some(),
                    "stopped": k.suppressed_at.is_some(),
                    "added_at": k.created_at,
                })
            })
            .collect();
        let subscriptions: Vec<Value> = app
            .store
            .subscriptions_of(&c.id)
            .await?
            .into_iter()
            .map(|(t, ch)| json!({"topic": t, "channel": ch}))
            .collect();
        let documents: Vec<Value> = app
            .store
            .citizen_documents(&c.id)
            .await?
            .into_iter()
            .map(|d| {
                json!({
                    "kind": d.kind,
                    "number": d.number_enc.as_deref().and_then(|n| app.crypto.open(n).ok()),
                    "valid_until": d.valid_until,
                })
            })
            .collect();
        let records: Vec<Value> = app
            .store
            .person_records(&c.tenant_id, &c.person_hash)
            .await?
            .into_iter()
            .map(|(kind, data)| {
                let mut record: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                if let Some(o) = record.as_object_mut() {
                    o.remove("person_ref");
                }
                json!({"kind": kind, "record": record})
            })
            .collect();
        let reminders: Vec<Value> = app
            .store
            .reminders_of(&c.id)
            .await?
            .into_iter()
            .map(|r| {
                json!({"date": r.due_date, "note": app.crypto.open(&r.note_enc).unwrap_or_default()})
            })
            .collect();
        let alerts: Vec<Value> = app
            .store
            .citizen_alerts(&c.id, i64::MAX)
            .await?
            .into_iter()
            .map(|a| {
                json!({"kind": a.kind, "channel": a.channel, "state": a.state,
                       "created_at": a.created_at, "sent_at": a.sent_at})
            })
            .collect();
        out.push(json!({
            "municipality": {"id": c.tenant_id, "name": tenant_name},
            "registry_person": person_ref_of(app, &c).await,
            "language": c.locale,
            "delivery": c.delivery,
            "quiet_hours": c.quiet_hours,
            "consented_at": c.consented_at,
            "enrolled_at": c.created_at,
            "contacts": contacts,
            "subscriptions": subscriptions,
            "documents": documents,
            "records": records,
            "reminders": reminders,
            "alerts": alerts,
        }));
    }
    Ok(json!({
        "exported_at": v.now(),
        "name": v.profile.name,
        "municipalities": out,
    }))
}

/// The registry's reference of a citizen, opened for their export.
async fn person_ref_of(app: &App, c: &CitizenInfo) -> Option<String> {
    let sealed = app.store.person_ref_enc(&c.id).await.ok()??;
    app.crypto.open(&sealed).ok()
}

async fn delete_page(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<PageQuery>,
    headers: HeaderMap,
) -> Response {
    let v = match visit(&current, &tenant, &headers, q.lang.as_deref(), true).await {
        Ok(v) => v,
        Err(r) => return r,
    };
    let ctx = v.base("title-delete", "delete", None);
    v.page(StatusCode::OK, "delete.html", ctx)
}

async fn delete_account(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (v, form) = match posted(&current, &tenant, &headers, &body, false).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    if form.get("confirm") != Some("yes") {
        let mut ctx = v.base("title-delete", "delete", None);
        ctx["errors"] = json!({"confirm": v.t("error-confirm")});
        return v.page(StatusCode::BAD_REQUEST, "delete.html", ctx);
    }
    match forget(&v).await {
        Ok(()) => {
            tracing::info!(tenant = %v.tenant.id, "a citizen deleted their account");
            let mut r = pages::message(StatusCode::OK, v.lang, "deleted", "deleted-text");
            clear_session(&mut r);
            r
        }
        Err(e) => v.failed(e),
    }
}

/// Removes the person's record in this municipality and ends the session.
async fn forget_here(v: &Visit) -> Result<(), crate::store::StoreError> {
    v.app.store.remove_citizen(&v.citizen.id, v.now()).await?;
    let _ = v
        .app
        .store
        .end_session(&v.app.session_hash(&v.cookie))
        .await;
    Ok(())
}

/// Removes the person's record in every municipality they logged in to: contacts,
/// subscriptions, reminders, documents, sessions; alerts not yet sent are stopped.
async fn forget(v: &Visit) -> Result<(), crate::store::StoreError> {
    let citizens = match &v.citizen.subject_hash {
        Some(s) => v.app.store.citizens_of_subject(s).await?,
        None => vec![v.citizen.clone()],
    };
    for c in citizens {
        v.app.store.remove_citizen(&c.id, v.now()).await?;
    }
    let _ = v
        .app
        .store
        .end_session(&v.app.session_hash(&v.cookie))
        .await;
    Ok(())
}

fn clear_session(r: &mut Response) {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}
