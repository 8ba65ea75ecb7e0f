//! The admin API, `/admin/v1/…`, for a municipality's IT staff and the data centre's
//! operators. Bearer tokens from `[[admin.token]]`; roles support < operator < admin. A
//! missing or unknown token is 401, a lower role 403; every call is in the audit log.

use super::CurrentApp;
use crate::config::Role;
use crate::ops::admin::{Admin, AdminError, Caller};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;

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

fn error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

fn caller(app: &crate::App, headers: &HeaderMap) -> Option<Caller> {
    let token = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    let found = token.and_then(|t| app.admin_caller(t.trim()));
    if found.is_none() {
        tracing::warn!("admin API: request without a valid token refused");
    }
    found
}

fn respond<T: serde::Serialize>(result: Result<T, AdminError>) -> Response {
    match result {
        Ok(v) => Json(v).into_response(),
        Err(e) => failure(e),
    }
}

fn failure(e: AdminError) -> Response {
    match e {
        AdminError::Forbidden(_) => error(StatusCode::FORBIDDEN, "forbidden", &e.to_string()),
        AdminError::NotFound(_) => error(StatusCode::NOT_FOUND, "not_found", &e.to_string()),
        AdminError::Invalid(_) => error(StatusCode::BAD_REQUEST, "invalid", &e.to_string()),
        AdminError::Store(e) => {
            tracing::error!(error = %e, "admin API: database error");
            unavailable()
        }
    }
}

/// How long a call may wait for the database before it answers 503.
const DATABASE_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

fn unavailable() -> Response {
    error(
        StatusCode::SERVICE_UNAVAILABLE,
        "unavailable",
        "the database is not available",
    )
}

/// Runs `work` with an authenticated [`Admin`], or answers 401; 503 at once while the
/// database is known to be unreachable, and after [`DATABASE_WAIT`] otherwise.
macro_rules! with_admin {
    ($current:expr, $headers:expr, |$admin:ident| $work:expr) => {{
        let app = $current.borrow().clone();
        match caller(&app, &$headers) {
            None => error(
                StatusCode::UNAUTHORIZED,
                "unauthorized",
                "a valid admin bearer token is required",
            ),
            Some(_) if app.health.is(crate::health::Trouble::Unreachable) => unavailable(),
            Some(c) => {
                let $admin = Admin {
                    config: &app.config,
                    store: &app.store,
                    clock: app.clock.as_ref(),
                    crypto: &app.crypto,
                    caller: c,
                };
                tokio::time::timeout(DATABASE_WAIT, async { $work })
                    .await
                    .unwrap_or_else(|_| unavailable())
            }
        }
    }};
}

async fn status(State(current): State<CurrentApp>, headers: HeaderMap) -> Response {
    with_admin!(current, headers, |admin| respond(admin.status().await))
}

/// `POST …/pause` and `…/resume`: the last path segment says which.
async fn set_paused(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Path((t, s, verb)): Path<(String, String, String)>,
) -> Response {
    let paused = match verb.as_str() {
        "pause" => true,
        "resume" => false,
        _ => {
            return error(
                StatusCode::NOT_FOUND,
                "not_found",
                "use …/pause or …/resume",
            )
        }
    };
    with_admin!(current, headers, |admin| respond(
        admin
            .set_paused(&t, &s, paused)
            .await
            .map(|()| serde_json::json!({ "paused": paused }))
    ))
}

#[derive(Deserialize)]
struct OutboxQuery {
    tenant: Option<String>,
    state: Option<String>,
    limit: Option<i64>,
}

async fn outbox(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Query(q): Query<OutboxQuery>,
) -> Response {
    with_admin!(current, headers, |admin| respond(
        admin
            .outbox(
                q.tenant.as_deref(),
                q.state.as_deref(),
                q.limit.unwrap_or(100)
            )
            .await
    ))
}

async fn resend(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    with_admin!(current, headers, |admin| respond(
        admin
            .resend(&id)
            .await
            .map(|()| serde_json::json!({"queued": true}))
    ))
}

#[derive(Deserialize)]
struct SuppressBody {
    email: String,
}

async fn suppress(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    body: Result<Json<SuppressBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    with_admin!(current, headers, |admin| match body {
        Ok(Json(b)) => respond(
            admin
                .suppress(&tenant, &b.email)
                .await
                .map(|n| serde_json::json!({"suppressed_contacts": n}))
        ),
        Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => error(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            "the request body is too large"
        ),
        Err(_) => error(
            StatusCode::BAD_REQUEST,
            "invalid",
            "send {\"email\": \"…\"} as JSON"
        ),
    })
}

#[derive(Deserialize)]
struct ReportQuery {
    from: String,
    to: String,
    #[serde(default)]
    format: Option<String>,
}

async fn report(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Path(tenant): Path<String>,
    q: Result<Query<ReportQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    with_admin!(current, headers, |admin| {
        let Ok(Query(q)) = q else {
            return error(
                StatusCode::BAD_REQUEST,
                "invalid",
                "give from=YYYY-MM-DD and to=YYYY-MM-DD",
            );
        };
        let (Ok(from), Ok(to)) = (q.from.parse(), q.to.parse()) else {
            return error(StatusCode::BAD_REQUEST, "invalid", "dates are YYYY-MM-DD");
        };
        match (admin.report(&tenant, from, to).await, q.format.as_deref()) {
            (Ok(r), Some("csv")) => (
                [(axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8")],
                r.to_csv(),
            )
                .into_response(),
            (Ok(r), None | Some("json")) => Json(r).into_response(),
            (Ok(_), Some(_)) => error(StatusCode::BAD_REQUEST, "invalid", "format is json or csv"),
            (Err(e), _) => failure(e),
        }
    })
}

#[derive(Deserialize)]
struct AuditQuery {
    limit: Option<i64>,
}

async fn audit(
    State(current): State<CurrentApp>,
    headers: HeaderMap,
    Query(q): Query<AuditQuery>,
) -> Response {
    with_admin!(current, headers, |admin| respond(
        admin.audit_log(q.limit.unwrap_or(100)).await
    ))
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
