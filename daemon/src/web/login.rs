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
use crate::identity::xml::esc;
use axum::extract::{ConnectInfo, Form, Path, Query, RawQuery, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::net::SocketAddr;

pub const FLOW_COOKIE: &str = "__Host-hlidac_flow";
pub const SESSION_COOKIE: &str = "__Host-hlidac_session";

pub fn routes() -> Router<CurrentApp> {
    Router::new()
        .route("/saml/metadata", get(metadata))
        .route("/saml/acs", post(acs))
        .route("/saml/slo", get(slo))
        .route("/oidc/callback/{idp}", get(oidc_callback))
        .route("/t/{tenant}/", get(landing))
        .route("/t/{tenant}/login/{idp}", get(login_start))
        .route("/t/{tenant}/me", get(me))
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
fn see_other(to: &str) -> Response {
    let mut r = StatusCode::SEE_OTHER.into_response();
    r.headers_mut().insert(
        header::LOCATION,
        HeaderValue::from_str(to).unwrap_or(HeaderValue::from_static("/")),
    );
    r
}

fn clear_cookie(name: &str, same_site: &str) -> HeaderValue {
    set_cookie(name, "", same_site, Some(0))
}

/// A page: language, title, body (already escaped), with headers that keep it out of
/// caches and frames.
fn page(status: StatusCode, lang: &str, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{t}</title></head><body><main>\n<h1>{t}</h1>\n{body}\n</main></body></html>\n",
        lang = esc(lang),
        t = esc(title),
    );
    let mut r = (status, html).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("referrer-policy", HeaderValue::from_static("no-referrer"));
    h.insert(
        "content-security-policy",
        HeaderValue::from_static("default-src 'none'; style-src 'self'; frame-ancestors 'none'"),
    );
    r
}

fn lang_of(app: &App, tenant: &str) -> String {
    app.config
        .tenant(tenant)
        .map(|t| t.locale.clone())
        .unwrap_or_else(|| "en".into())
}

/// A message of the catalogues in `lang`.
fn tr(lang: &str, id: &str) -> String {
    crate::i18n::t(lang, id, &[])
}

/// A message as one escaped paragraph.
fn para(lang: &str, id: &str) -> String {
    format!("<p>{}</p>", esc(&tr(lang, id)))
}

async fn metadata(State(current): State<CurrentApp>) -> Response {
    let app = current.borrow().clone();
    let Some(sp) = app.logins.sp.as_ref() else {
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

async fn landing(State(current): State<CurrentApp>, Path(tenant): Path<String>) -> Response {
    let app = current.borrow().clone();
    let Some(t) = app.config.tenant(&tenant) else {
        return page(
            StatusCode::NOT_FOUND,
            "en",
            &tr("en", "page-not-found"),
            &para("en", "page-not-found-text"),
        );
    };
    let lang = t.locale.clone();
    let mut body = format!("<p>{}</p>\n<ul>\n", esc(&tr(&lang, "login-intro")));
    for (id, name) in app.logins.buttons() {
        body.push_str(&format!(
            "<li><a href=\"/t/{}/login/{}\">{}</a></li>\n",
            esc(&tenant),
            esc(&id),
            esc(&name)
        ));
    }
    body.push_str("</ul>");
    page(StatusCode::OK, &lang, &t.name, &body)
}

fn too_many(lang: &str) -> Response {
    page(
        StatusCode::TOO_MANY_REQUESTS,
        lang,
        &tr(lang, "login-too-many"),
        &para(lang, "login-too-many-text"),
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
    app.logins.admit(
        app.config.web.client_addr(
            peer.ip(),
            Some(forwarded.as_str()).filter(|f| !f.is_empty()),
        ),
        app.clock.now_ms(),
        app.config.identity.login_rate_per_minute,
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
        app.record_login_outcome(&tenant, &idp, &Err(Failure::TooMany))
            .await;
        return too_many(&lang);
    }
    match app.login_start(&tenant, &idp).await {
        Ok((flow, out)) => {
            let age = app.config.identity.login_timeout_secs;
            let mut r = match out {
                Outgoing::Redirect(url) => {
                    see_other(&url)
                }
                Outgoing::Post { url, field, value, relay_state } => page(
                    StatusCode::OK,
                    &lang,
                    &tr(&lang, "login-redirect-title"),
                    &format!(
                        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"{field}\" value=\"{}\">\
                         <input type=\"hidden\" name=\"RelayState\" value=\"{}\"><button type=\"submit\">{}</button></form>",
                        esc(&url),
                        esc(&value),
                        esc(&relay_state),
                        esc(&tr(&lang, "login-continue")),
                    ),
                ),
            };
            r.headers_mut().append(
                header::SET_COOKIE,
                set_cookie(FLOW_COOKIE, &flow, "None", Some(age)),
            );
            r
        }
        Err(Failure::Unknown) => page(
            StatusCode::NOT_FOUND,
            &lang,
            &tr(&lang, "page-not-found"),
            &para(&lang, "page-not-found-text"),
        ),
        Err(f) => {
            app.record_login_outcome(&tenant, &idp, &Err(f)).await;
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                &lang,
                &tr(&lang, "login-unavailable"),
                &para(&lang, "login-unavailable-text"),
            )
        }
    }
}

#[derive(serde::Deserialize)]
struct AcsForm {
    #[serde(rename = "SAMLResponse")]
    saml_response: String,
}

async fn acs(
    State(current): State<CurrentApp>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    form: Result<Form<AcsForm>, axum::extract::rejection::FormRejection>,
) -> Response {
    let app = current.borrow().clone();
    if !admitted(&app, peer, &headers) {
        app.record_login_outcome("", "saml", &Err(Failure::TooMany))
            .await;
        return too_many("en");
    }
    let Ok(Form(form)) = form else {
        let r = Err(Failure::Refused(
            "the ACS was posted no SAMLResponse".into(),
        ));
        app.record_login_outcome("", "saml", &r).await;
        return finish(&app, "", r);
    };
    let (who, result) = app
        .saml_acs(cookie(&headers, FLOW_COOKIE), &form.saml_response)
        .await;
    let (tenant, idp) = who.unwrap_or_else(|| (String::new(), "saml".into()));
    app.record_login_outcome(&tenant, &idp, &result).await;
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
    if !admitted(&app, peer, &headers) {
        app.record_login_outcome("", &idp, &Err(Failure::TooMany))
            .await;
        return too_many("en");
    }
    let (who, result) = app
        .oidc_callback(&idp, cookie(&headers, FLOW_COOKIE), &params)
        .await;
    let tenant = who.map(|(t, _)| t).unwrap_or_default();
    app.record_login_outcome(&tenant, &idp, &result).await;
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
        Err(Failure::NotLinked(_)) => page(
            StatusCode::FORBIDDEN,
            &lang,
            &tr(&lang, "login-not-linked"),
            &para(&lang, "login-not-linked-text"),
        ),
        Err(Failure::LowLoa) => page(
            StatusCode::FORBIDDEN,
            &lang,
            &tr(&lang, "login-low-loa"),
            &para(&lang, "login-low-loa-text"),
        ),
        Err(Failure::TooMany) => too_many(&lang),
        Err(Failure::Error(_)) => page(
            StatusCode::SERVICE_UNAVAILABLE,
            &lang,
            &tr(&lang, "login-failed"),
            &para(&lang, "login-failed-error-text"),
        ),
        Err(Failure::Refused(_)) | Err(Failure::Unknown) => page(
            StatusCode::FORBIDDEN,
            &lang,
            &tr(&lang, "login-failed"),
            &para(&lang, "login-failed-refused-text"),
        ),
    };
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(FLOW_COOKIE, "None"));
    r
}

async fn me(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let lang = lang_of(&app, &tenant);
    let session = match cookie(&headers, SESSION_COOKIE) {
        Some(c) => app.current_session(c).await.map(|s| (c.to_string(), s)),
        None => None,
    };
    let Some((cookie_value, (row, profile))) =
        session.filter(|(_, (row, _))| row.tenant_id == tenant)
    else {
        return see_other(&format!("/t/{tenant}/"));
    };
    let name = app
        .config
        .tenant(&tenant)
        .map(|t| t.name.clone())
        .unwrap_or_default();
    let mut body = format!(
        "<p>{} <strong>{}</strong></p>\n",
        esc(&tr(&lang, "me-logged-in")),
        esc(&profile.name)
    );
    let docs = app
        .store
        .citizen_documents(&row.citizen_id)
        .await
        .unwrap_or_default();
    if !docs.is_empty() {
        body.push_str(&format!(
            "<h2>{}</h2>\n<ul>\n",
            esc(&tr(&lang, "me-documents"))
        ));
        for d in docs {
            let number = d
                .number_enc
                .as_deref()
                .and_then(|n| app.crypto.open(n).ok())
                .unwrap_or_default();
            let until = d
                .valid_until
                .parse::<chrono::NaiveDate>()
                .map(|v| crate::i18n::date(&lang, v))
                .unwrap_or_else(|_| d.valid_until.clone());
            body.push_str(&format!(
                "<li>{} {} — {}</li>\n",
                esc(&crate::i18n::t(
                    &lang,
                    "document-kind-title",
                    &[("kind", d.kind.as_str().into())]
                )),
                esc(&number),
                esc(&crate::i18n::t(
                    &lang,
                    "me-valid-until",
                    &[("date", until.into())]
                )),
            ));
        }
        body.push_str("</ul>\n");
    }
    body.push_str(&format!(
        "<form method=\"post\" action=\"/logout\"><input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <button type=\"submit\">{}</button></form>",
        esc(&app.csrf_token(&cookie_value)),
        esc(&tr(&lang, "logout"))
    ));
    page(StatusCode::OK, &lang, &name, &body)
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
    let Some(session) = cookie(&headers, SESSION_COOKIE) else {
        return logged_out("en");
    };
    let given = form.map(|Form(f)| f.csrf).unwrap_or_default();
    let expected = app.csrf_token(session);
    if given.len() != expected.len() || !openssl::memcmp::eq(given.as_bytes(), expected.as_bytes())
    {
        return page(
            StatusCode::FORBIDDEN,
            "en",
            &tr("en", "form-expired"),
            &para("en", "form-expired-text"),
        );
    }
    let tenant = app
        .current_session(session)
        .await
        .map(|(row, _)| row.tenant_id)
        .unwrap_or_default();
    let slo = app.logout(session).await;
    let lang = lang_of(&app, &tenant);
    let mut r = match slo {
        Some(url) => see_other(&url),
        None => logged_out(&lang),
    };
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "Lax"));
    r
}

fn logged_out(lang: &str) -> Response {
    page(
        StatusCode::OK,
        lang,
        &tr(lang, "logged-out"),
        &para(lang, "logged-out-text"),
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
    let Some(sp) = app.logins.sp.as_ref() else {
        return (StatusCode::NOT_FOUND, "SAML is not configured\n").into_response();
    };
    if !admitted(&app, peer, &headers) {
        return too_many("en");
    }
    let q = q.unwrap_or_default();
    let is_request = url::form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "SAMLRequest");
    if is_request {
        return match app.idp_logout(&q).await {
            Ok(answer) => {
                let mut r = match answer {
                    Some(url) => see_other(&url),
                    None => logged_out("en"),
                };
                r.headers_mut()
                    .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "Lax"));
                r
            }
            Err(e) => {
                tracing::warn!(reason = ?e, "logout request refused");
                page(
                    StatusCode::BAD_REQUEST,
                    "en",
                    &tr("en", "logout-refused"),
                    &para("en", "logout-refused-text"),
                )
            }
        };
    }
    let tenant = url::form_urlencoded::parse(q.as_bytes())
        .find(|(k, _)| k == "RelayState")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let lang = lang_of(&app, &tenant);
    match sp.check_logout_response(&app.logins.saml(app.clock.now_ms()), &q) {
        Ok((_, idp)) => {
            tracing::info!(idp, "single logout completed");
            logged_out(&lang)
        }
        Err(e) => {
            tracing::warn!(reason = %e, "logout response refused");
            page(
                StatusCode::BAD_REQUEST,
                &lang,
                &tr(&lang, "logged-out"),
                &para(&lang, "logged-out-idp-unverified"),
            )
        }
    }
}
