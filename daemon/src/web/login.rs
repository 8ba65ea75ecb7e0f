//! eID login over HTTP: SP metadata, login start, the SAML ACS and single logout, the
//! OIDC callback, the citizen's page and logout.
//!
//! Cookies: the login flow cookie is `SameSite=None` (the IdP posts the response back
//! cross-site) and lives only until the login returns; the session cookie is
//! `__Host-`, `Secure`, `HttpOnly`, `SameSite=Lax`. Every form carries a CSRF token
//! derived from the session. Pages are plain HTML that needs no JavaScript.

use super::CurrentApp;
use crate::app::App;
use crate::identity::login::{Failure, Opened};
use crate::identity::saml::Outgoing;
use axum::extract::{ConnectInfo, Form, Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;

pub const FLOW_COOKIE: &str = "__Host-hlidac_flow";
pub const SESSION_COOKIE: &str = "__Host-hlidac_session";

/// The SAML endpoints that take a message through the browser (a larger body limit).
/// The ACS, which answers a body past its limit itself (a page in the tenant's language).
pub fn acs_routes() -> Router<CurrentApp> {
    Router::new().route("/saml/acs", post(acs))
}

pub fn slo_routes() -> Router<CurrentApp> {
    Router::new().route("/saml/slo", get(slo))
}

pub fn routes() -> Router<CurrentApp> {
    Router::new()
        .route("/saml/metadata", get(metadata))
        .route("/oidc/callback/{idp}", get(oidc_callback))
        .route("/t/{tenant}/", get(landing))
        .route("/t/{tenant}/login/{idp}", get(login_start))
        .route("/logout", post(logout))
}

/// A cookie from the request's `Cookie` headers.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn set_cookie(name: &str, value: &str, same_site: &str, max_age: Option<u64>) -> HeaderValue {
    let age = max_age
        .map(|a| format!("; Max-Age={a}"))
        .unwrap_or_default();
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Secure; HttpOnly; SameSite={same_site}{age}"
    ))
    .expect("cookie values are URL-safe base64")
}

/// `303 See Other` to `to` (to "/" should it not be a valid header value).
pub(super) fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    r
}

pub(super) fn clear_cookie(name: &str, same_site: &str) -> HeaderValue {
    set_cookie(name, "", same_site, Some(0))
}

fn lang_of(app: &App, tenant: &str) -> String {
    app.config
        .tenant(tenant)
        .or(app.config.tenants.first())
        .map(|t| t.locale.clone())
        .unwrap_or_else(|| "en".into())
}

/// The tenant of this browser's session ("" when it has none).
async fn session_tenant(app: &App, headers: &HeaderMap) -> String {
    match cookie(headers, SESSION_COOKIE) {
        Some(c) => app
            .identity
            .current_session(c)
            .await
            .map(|(row, _)| row.tenant_id)
            .unwrap_or_default(),
        None => String::new(),
    }
}

/// The tenant of the login this browser has in progress ("" when none): a refusal decided
/// before the answer is checked is still shown in the tenant's language.
async fn flow_tenant(app: &App, headers: &HeaderMap) -> String {
    app.identity
        .flow_of(cookie(headers, FLOW_COOKIE))
        .await
        .map(|(tenant, _)| tenant)
        .unwrap_or_default()
}

/// A message of the catalogues in `lang`.
fn tr(lang: &str, id: &str) -> String {
    crate::i18n::t(lang, id, &[])
}

async fn metadata(State(current): State<CurrentApp>) -> Response {
    let app = current.borrow().clone();
    let Some(sp) = app.identity.logins.sp.as_ref() else {
        return (StatusCode::NOT_FOUND, "SAML is not configured\n").into_response();
    };
    match sp.metadata(app.clock.now_ms()) {
        Ok(xml) => (
            [(header::CONTENT_TYPE, "application/samlmetadata+xml")],
            xml,
        )
            .into_response(),
        Err(e) => {
            tracing::error!(error = %e, "could not sign the SP metadata");
            (StatusCode::INTERNAL_SERVER_ERROR, "metadata unavailable\n").into_response()
        }
    }
}

#[derive(serde::Deserialize, Default)]
struct LangQuery {
    lang: Option<String>,
}

/// The municipality's page: what the watchdog does, one login button per identity
/// provider (or the way to the overview when logged in).
async fn landing(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let Some(t) = app.config.tenant(&tenant) else {
        return super::pages::message(
            StatusCode::NOT_FOUND,
            "en",
            "page-not-found",
            "page-not-found-text",
        );
    };
    let session = match cookie(&headers, SESSION_COOKIE) {
        Some(c) => app.identity.current_session(c).await,
        None => None,
    };
    let logged_in = session.is_some_and(|(row, _)| row.tenant_id == t.id);
    let lang = super::pages::language(q.lang.as_deref(), &headers, None, &t.locale);
    let buttons = app.identity.logins.buttons();
    let page = super::views::Landing {
        title: crate::i18n::t(lang, "login-title", &[]),
        tenant: super::views::TenantRef::of(t),
        here: format!("/t/{}/", t.id),
        idps: buttons
            .iter()
            .map(|(id, name)| super::views::LoginButton { id, name })
            .collect(),
        logged_in,
    };
    let mut r = super::pages::respond(StatusCode::OK, "landing.html", lang, page);
    if q.lang.is_some() {
        if let Ok(v) = HeaderValue::from_str(&format!(
            "{}={lang}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=31536000",
            super::pages::LANG_COOKIE
        )) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

fn too_many(lang: &str) -> Response {
    super::pages::message(
        StatusCode::TOO_MANY_REQUESTS,
        lang,
        "login-too-many",
        "login-too-many-text",
    )
}

/// Counts a login request against its client's allowance (the client as the trusted
/// proxies name it).
fn admitted(app: &App, peer: SocketAddr, headers: &HeaderMap) -> bool {
    // Every X-Forwarded-For line, in order: a proxy may add its own line after the
    // client's.
    let forwarded: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let forwarded = forwarded.join(",");
    app.identity.logins.admit(
        super::client::client_addr(
            &app.config.web,
            peer.ip(),
            Some(forwarded.as_str()).filter(|f| !f.is_empty()),
        ),
        app.clock.now_ms(),
    )
}

async fn login_start(
    State(current): State<CurrentApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path((tenant, idp)): Path<(String, String)>,
) -> Response {
    let app = current.borrow().clone();
    let lang = lang_of(&app, &tenant);
    if !admitted(&app, peer, &headers) {
        app.identity
            .record_login_outcome(&tenant, &idp, &Err(Failure::TooMany))
            .await;
        return too_many(&lang);
    }
    match app.identity.login_start(&tenant, &idp).await {
        Ok((flow, out)) => {
            let age = app.config.identity.login_timeout_secs;
            let mut r = match out {
                Outgoing::Redirect(url) => see_other(&url),
                Outgoing::Post {
                    url,
                    field,
                    value,
                    relay_state,
                } => {
                    let page = super::views::PostOn {
                        title: tr(&lang, "login-redirect-title"),
                        url: &url,
                        field,
                        value: &value,
                        relay_state: &relay_state,
                    };
                    super::pages::respond(StatusCode::OK, "post.html", &lang, page)
                }
            };
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(FLOW_COOKIE, &flow, "None", Some(age)),
            );
            r
        }
        Err(Failure::Unknown) => super::pages::message(
            StatusCode::NOT_FOUND,
            &lang,
            "page-not-found",
            "page-not-found-text",
        ),
        Err(f) => {
            app.identity
                .record_login_outcome(&tenant, &idp, &Err(f))
                .await;
            super::pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                &lang,
                "login-unavailable",
                "login-unavailable-text",
            )
        }
    }
}

/// The ACS reads its body itself: a login answer announced or found larger than
/// [`super::layers::SAML_BYTES`] is refused at once with a page in the tenant's language
/// (the limit layers could only answer in plain text, knowing no tenant).
async fn acs(
    State(current): State<CurrentApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let app = current.borrow().clone();
    let flow = flow_tenant(&app, &headers).await;
    if !admitted(&app, peer, &headers) {
        app.identity
            .record_login_outcome(&flow, "saml", &Err(Failure::TooMany))
            .await;
        return too_many(&lang_of(&app, &flow));
    }
    let max = super::layers::SAML_BYTES;
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    let read = match announced {
        Some(n) if n > max as u64 => None,
        _ => axum::body::to_bytes(body, max).await.ok(),
    };
    let Some(bytes) = read else {
        let r = Err(Failure::Refused(
            "the ACS was posted too large a body".into(),
        ));
        app.identity.record_login_outcome(&flow, "saml", &r).await;
        return super::pages::message(
            StatusCode::PAYLOAD_TOO_LARGE,
            &lang_of(&app, &flow),
            "request-too-large",
            "request-too-large-text",
        );
    };
    let saml_response = url::form_urlencoded::parse(&bytes)
        .find(|(k, _)| k == "SAMLResponse")
        .map(|(_, v)| v.into_owned());
    let Some(saml_response) = saml_response else {
        let r = Err(Failure::Refused(
            "the ACS was posted no SAMLResponse".into(),
        ));
        app.identity.record_login_outcome(&flow, "saml", &r).await;
        return finish(&app, &flow, r);
    };
    let (who, result) = app
        .identity
        .saml_acs(cookie(&headers, FLOW_COOKIE), &saml_response)
        .await;
    let (tenant, idp) = who.unwrap_or_else(|| (String::new(), "saml".into()));
    let tenant = if tenant.is_empty() { flow } else { tenant };
    app.identity
        .record_login_outcome(&tenant, &idp, &result)
        .await;
    finish(&app, &tenant, result)
}

async fn oidc_callback(
    State(current): State<CurrentApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Path(idp): Path<String>,
    headers: HeaderMap,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let app = current.borrow().clone();
    let flow = flow_tenant(&app, &headers).await;
    if !admitted(&app, peer, &headers) {
        app.identity
            .record_login_outcome(&flow, &idp, &Err(Failure::TooMany))
            .await;
        return too_many(&lang_of(&app, &flow));
    }
    let (who, result) = app
        .identity
        .oidc_callback(&idp, cookie(&headers, FLOW_COOKIE), &params)
        .await;
    let tenant = who
        .map(|(t, _)| t)
        .filter(|t| !t.is_empty())
        .unwrap_or(flow);
    app.identity
        .record_login_outcome(&tenant, &idp, &result)
        .await;
    finish(&app, &tenant, result)
}

/// After a login: the session cookie and the citizen's page, or a page that says what
/// happened in words the citizen can act on.
fn finish(app: &App, tenant: &str, result: Result<Opened, Failure>) -> Response {
    let lang = lang_of(app, tenant);
    let mut r = match result {
        Ok(opened) => {
            let mut r = see_other(&format!("/t/{}/me", opened.tenant));
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &opened.cookie, "Lax", None),
            );
            r
        }
        Err(Failure::NotLinked(_)) => super::pages::message(
            StatusCode::FORBIDDEN,
            &lang,
            "login-not-linked",
            "login-not-linked-text",
        ),
        Err(Failure::LowLoa) => super::pages::message(
            StatusCode::FORBIDDEN,
            &lang,
            "login-low-loa",
            "login-low-loa-text",
        ),
        Err(Failure::Declined(_)) => super::pages::message(
            StatusCode::FORBIDDEN,
            &lang,
            "login-declined",
            "login-declined-text",
        ),
        Err(Failure::TooMany) => too_many(&lang),
        Err(Failure::Error(_)) => super::pages::message(
            StatusCode::SERVICE_UNAVAILABLE,
            &lang,
            "login-failed",
            "login-failed-error-text",
        ),
        Err(Failure::Refused(_)) | Err(Failure::Unknown) => super::pages::message(
            StatusCode::FORBIDDEN,
            &lang,
            "login-failed",
            "login-failed-refused-text",
        ),
    };
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(FLOW_COOKIE, "None"));
    r
}

#[derive(serde::Deserialize)]
struct LogoutForm {
    #[serde(default)]
    csrf: String,
}

async fn logout(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    form: Result<Form<LogoutForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let app = current.borrow().clone();
    if let Err(e) = &form {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            return (e.status(), e.body_text()).into_response();
        }
    }
    // Without a session there is nobody to log out and no CSRF token to check the form
    // against: the post is not taken, and the page says the browser is logged out.
    let Some(session) = cookie(&headers, SESSION_COOKIE) else {
        return super::pages::message(
            StatusCode::FORBIDDEN,
            &lang_of(&app, ""),
            "logged-out",
            "logged-out-text",
        );
    };
    let tenant = session_tenant(&app, &headers).await;
    let lang = lang_of(&app, &tenant);
    let given = form.map(|Form(f)| f.csrf).unwrap_or_default();
    let expected = app.identity.csrf_token(session);
    if !crate::crypto::same(given.as_bytes(), expected.as_bytes()) {
        return super::pages::message(
            StatusCode::FORBIDDEN,
            &lang,
            "form-expired",
            "form-expired-text",
        );
    }
    let slo = app.identity.logout(session).await;
    let mut r = match slo {
        Some(url) => see_other(&url),
        None => logged_out(&app, &lang, &tenant),
    };
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "Lax"));
    r
}

/// The page after logging out: it says so, names the municipality and offers to log in
/// again.
fn logged_out(app: &App, lang: &str, tenant: &str) -> Response {
    let t = app.config.tenant(tenant);
    let name = t.map(|t| t.name.as_str()).unwrap_or_default();
    super::pages::end(
        lang,
        "logged-out",
        crate::i18n::t(lang, "logged-out-text", &[("tenant", name.into())]),
        t.map(super::pages::TenantRef::of),
        &t.map(|t| vec![(format!("/t/{}/", t.id), "login-again")])
            .unwrap_or_default(),
    )
}

/// Single logout over HTTP-Redirect: the IdP's LogoutRequest (the citizen logged out
/// there), or its answer to ours (the local session is already gone).
async fn slo(
    State(current): State<CurrentApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    let app = current.borrow().clone();
    let Some(sp) = app.identity.logins.sp.as_ref() else {
        return (StatusCode::NOT_FOUND, "SAML is not configured\n").into_response();
    };
    let q = q.unwrap_or_default();
    // The page's language: the session's tenant, else the one the RelayState names.
    let mut tenant = session_tenant(&app, &headers).await;
    if tenant.is_empty() {
        tenant = url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == "RelayState")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
    }
    let lang = lang_of(&app, &tenant);
    if !admitted(&app, peer, &headers) {
        return too_many(&lang);
    }
    let is_request = url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "SAMLRequest");
    if is_request {
        return match app.identity.idp_logout(&q).await {
            Ok(answer) => {
                let mut r = match answer {
                    Some(url) => see_other(&url),
                    None => logged_out(&app, &lang, &tenant),
                };
                r.headers_mut()
                    .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "Lax"));
                r
            }
            Err(e) => {
                let (status, title, text) = if let Failure::Error(e) = &e {
                    tracing::error!(error = %e, "logout request: not handled");
                    (
                        StatusCode::SERVICE_UNAVAILABLE,
                        "try-later",
                        "try-later-text",
                    )
                } else {
                    tracing::warn!(reason = ?e, "logout request refused");
                    (
                        StatusCode::BAD_REQUEST,
                        "logout-refused",
                        "logout-refused-text",
                    )
                };
                super::pages::message(status, &lang, title, text)
            }
        };
    }
    match sp.check_logout_response(&app.identity.logins.saml(app.clock.now_ms()), &q) {
        Ok((_, idp)) => {
            tracing::info!(idp, "single logout completed");
            logged_out(&app, &lang, &tenant)
        }
        Err(e) => {
            tracing::warn!(reason = %e, "logout response refused");
            super::pages::message(
                StatusCode::BAD_REQUEST,
                &lang,
                "logged-out",
                "logged-out-idp-unverified",
            )
        }
    }
}
