//! The admin API, `/admin/v1/…`, for a municipality's IT staff and the data centre's
//! operators. Bearer tokens from `[[admin.token]]`; roles support < operator < admin. A
//! missing or unknown token is 401, a lower role 403; every call is in the audit log.

use super::CurrentApp;
use crate::app::App;
use crate::config::Role;
use crate::ops::admin::{Admin, AdminError, Caller};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use std::sync::Arc;

pub fn routes() -> Router<CurrentApp> {
    Router::new()
        .route("/admin/v1/status", get(status))
        .route(
            "/admin/v1/tenants/{tenant}/sources/{source}/{verb}",
            post(set_paused),
        )
        .route("/admin/v1/outbox", get(outbox))
        .route("/admin/v1/outbox/{id}/resend", post(resend))
        .route(
            "/admin/v1/tenants/{tenant}/contacts/suppress",
            post(suppress),
        )
        .route("/admin/v1/tenants/{tenant}/report", get(report))
        .route("/admin/v1/audit", get(audit))
}

/// Why an admin call is answered with an error: each is a JSON body
/// `{"error": code, "message": …}` with its status.
enum ApiError {
    /// No token, or one that is not configured: 401.
    Unauthorized,
    /// The database is unreachable, or did not answer within [`DATABASE_WAIT`]: 503.
    Unavailable,
    /// The request itself is wrong: 400 with what to send instead.
    Invalid(&'static str),
    /// The body is over the admin routes' limit: 413.
    TooLarge,
    /// No such endpoint: 404 with the ones there are.
    NotFound(&'static str),
    /// The operation's own refusal (role, unknown tenant or alert, bad value) or failure.
    Admin(AdminError),
}

impl From<AdminError> for ApiError {
    fn from(e: AdminError) -> Self {
        ApiError::Admin(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = match self {
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid admin bearer token is required".to_string(),
            ),
            ApiError::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "the database is not available".to_string(),
            ),
            ApiError::Invalid(m) => (StatusCode::BAD_REQUEST, "invalid", m.to_string()),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "too_large",
                "the request body is too large".to_string(),
            ),
            ApiError::NotFound(m) => (StatusCode::NOT_FOUND, "not_found", m.to_string()),
            ApiError::Admin(e) => match e {
                AdminError::Forbidden(_) => (StatusCode::FORBIDDEN, "forbidden", e.to_string()),
                AdminError::NotFound(_) => (StatusCode::NOT_FOUND, "not_found", e.to_string()),
                AdminError::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid", e.to_string()),
                AdminError::Store(e) => {
                    tracing::error!(error = %e, "admin API: database error");
                    return ApiError::Unavailable.into_response();
                }
            },
        };
        super::views::api_error(status, code, &message)
    }
}

/// How long a call may wait for the database before it answers 503.
const DATABASE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// An authenticated caller of the admin API: a request without a valid bearer token is
/// refused (401), and so is one while the database is known to be unreachable (503). As
/// an extractor it comes after the path and the query, so that a malformed one is told
/// so first, as the API always did.
struct AdminCall {
    app: Arc<App>,
    caller: Caller,
}

impl FromRequestParts<CurrentApp> for AdminCall {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &CurrentApp) -> Result<Self, ApiError> {
        AdminCall::authorize(state, &parts.headers)
    }
}

impl AdminCall {
    /// The caller a request's bearer token names, while the database is reachable.
    fn authorize(state: &CurrentApp, headers: &HeaderMap) -> Result<AdminCall, ApiError> {
        let app = state.borrow().clone();
        let token = headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let Some(caller) = token.and_then(|t| app.admin_caller(t.trim())) else {
            tracing::warn!("admin API: request without a valid token refused");
            return Err(ApiError::Unauthorized);
        };
        if app.health.is(crate::health::Trouble::Unreachable) {
            return Err(ApiError::Unavailable);
        }
        Ok(AdminCall { app, caller })
    }

    /// The admin operations, as this caller.
    fn admin(&self) -> Admin<'_> {
        Admin {
            config: &self.app.config,
            store: &self.app.store,
            clock: self.app.clock.as_ref(),
            crypto: &self.app.crypto,
            caller: self.caller.clone(),
        }
    }
}

/// One operation's result; 503 when the database does not answer in time.
async fn within<T>(
    work: impl std::future::Future<Output = Result<T, AdminError>>,
) -> Result<T, ApiError> {
    match tokio::time::timeout(DATABASE_WAIT, work).await {
        Ok(result) => Ok(result?),
        Err(_) => Err(ApiError::Unavailable),
    }
}

/// What an admin handler answers: JSON, or the error as JSON.
type Answer<T> = Result<Json<T>, ApiError>;

async fn status(call: AdminCall) -> Answer<impl serde::Serialize> {
    Ok(Json(within(call.admin().status()).await?))
}

#[derive(serde::Serialize)]
struct Paused {
    paused: bool,
}

/// `POST …/pause` and `…/resume`: the last path segment says which (another is 404 before
/// the token is looked at).
async fn set_paused(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Path((t, s, verb)): Path<(String, String, String)>,
) -> Answer<Paused> {
    let paused = match verb.as_str() {
        "pause" => true,
        "resume" => false,
        _ => return Err(ApiError::NotFound("use …/pause or …/resume")),
    };
    let call = AdminCall::authorize(&current, &headers)?;
    within(call.admin().set_paused(&t, &s, paused)).await?;
    Ok(Json(Paused { paused }))
}

#[derive(Deserialize)]
struct OutboxQuery {
    tenant: Option<String>,
    state: Option<String>,
    limit: Option<i64>,
}

async fn outbox(Query(q): Query<OutboxQuery>, call: AdminCall) -> Answer<impl serde::Serialize> {
    let (tenant, state) = (q.tenant.as_deref(), q.state.as_deref());
    let admin = call.admin();
    Ok(Json(
        within(admin.outbox(tenant, state, q.limit.unwrap_or(100))).await?,
    ))
}

#[derive(serde::Serialize)]
struct Queued {
    queued: bool,
}

async fn resend(Path(id): Path<String>, call: AdminCall) -> Answer<Queued> {
    within(call.admin().resend(&id)).await?;
    Ok(Json(Queued { queued: true }))
}

#[derive(Deserialize)]
struct SuppressBody {
    email: String,
}

#[derive(serde::Serialize)]
struct Suppressed {
    suppressed_contacts: u64,
}

async fn suppress(
    Path(tenant): Path<String>,
    call: AdminCall,
    body: Result<Json<SuppressBody>, axum::extract::rejection::JsonRejection>,
) -> Answer<Suppressed> {
    let email = match body {
        Ok(Json(b)) => b.email,
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => return Err(ApiError::TooLarge),
        Err(_) => return Err(ApiError::Invalid("send {\"email\": \"…\"} as JSON")),
    };
    let n = within(call.admin().suppress(&tenant, &email)).await?;
    Ok(Json(Suppressed {
        suppressed_contacts: n,
    }))
}

#[derive(Deserialize)]
struct ReportQuery {
    from: String,
    to: String,
    format: Option<String>,
}

async fn report(
    Path(tenant): Path<String>,
    call: AdminCall,
    q: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Ok(Query(q)) = q else {
        return Err(ApiError::Invalid("give from=YYYY-MM-DD and to=YYYY-MM-DD"));
    };
    let (Ok(from), Ok(to)) = (q.from.parse(), q.to.parse()) else {
        return Err(ApiError::Invalid("dates are YYYY-MM-DD"));
    };
    // The report is made (and audited) before its format is looked at.
    let r = within(call.admin().report(&tenant, from, to)).await?;
    match q.format.as_deref() {
        Some("csv") => Ok((
            [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            r.to_csv(),
        )
            .into_response()),
        None | Some("json") => Ok(Json(r).into_response()),
        Some(_) => Err(ApiError::Invalid("format is json or csv")),
    }
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit(Query(q): Query<AuditQuery>, call: AdminCall) -> Answer<impl serde::Serialize> {
    let admin = call.admin();
    Ok(Json(within(admin.audit_log(q.limit.unwrap_or(100))).await?))
}

/// The role an endpoint needs, for documentation and tests.
pub const ENDPOINT_ROLES: &[(&str, &str, Role)] = &[
    ("GET", "/admin/v1/status", Role::Support),
    (
        "POST",
        "/admin/v1/tenants/{tenant}/sources/{source}/pause",
        Role::Operator,
    ),
    (
        "POST",
        "/admin/v1/tenants/{tenant}/sources/{source}/resume",
        Role::Operator,
    ),
    ("GET", "/admin/v1/outbox", Role::Support),
    ("POST", "/admin/v1/outbox/{id}/resend", Role::Operator),
    (
        "POST",
        "/admin/v1/tenants/{tenant}/contacts/suppress",
        Role::Support,
    ),
    ("GET", "/admin/v1/tenants/{tenant}/report", Role::Admin),
    ("GET", "/admin/v1/audit", Role::Admin),
];
