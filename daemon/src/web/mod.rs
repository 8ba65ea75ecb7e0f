//! The HTTP side: health, metrics, the admin API, pushes from municipal systems, bounce
//! and complaint reports from relay providers, eID login, the citizen's pages and calendar
//! feed, assembled into one router behind the layers of
//! [`layers`] (body limits per route group, timeout, concurrency limit, trace, security
//! headers).
//!
//! What comes in: HTTP requests. What goes out: status, never personal data.

pub mod account;
pub mod admin;
pub mod calendar;
mod client;
mod feedback;
pub mod ingest;
pub mod layers;
pub mod login;
pub mod pages;
pub mod unsubscribe;
pub mod views;

use crate::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::sync::Arc;

/// The app currently serving; a reload swaps it.
pub type CurrentApp = tokio::sync::watch::Receiver<Arc<App>>;

/// Every route, each group with its body limit. The limits on time and on requests at
/// once are read from the configuration the daemon starts with (a reload does not change
/// them). Health, readiness and metrics are outside the concurrency limit, so that they
/// answer while a flood fills it.
pub fn router(app: CurrentApp) -> Router {
    let web = app.borrow().config.web.clone();
    let public = Router::new()
        .merge(layers::body_limit(admin::routes(), layers::FORM_BYTES))
        .merge(layers::body_limit(ingest::routes(), layers::PUSH_BYTES))
        .merge(layers::body_limit(
            feedback::routes(),
            crate::notify::feedback::MAX_REPORT_BYTES,
        ))
        .merge(layers::body_limit(
            unsubscribe::routes(),
            layers::FORM_BYTES,
        ))
        .merge(layers::limit_in_handler(login::acs_routes()))
        .merge(layers::body_limit(login::slo_routes(), layers::SAML_BYTES))
        .merge(layers::body_limit(login::routes(), layers::FORM_BYTES))
        .merge(layers::body_limit(account::routes(), layers::FORM_BYTES))
        .merge(layers::body_limit(calendar::routes(), layers::FORM_BYTES));
    let ops = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics));
    let all = layers::body_limit(ops, layers::FORM_BYTES)
        .merge(layers::concurrency_limit(
            public,
            web.max_concurrent_requests,
        ))
        .fallback(not_found);
    layers::outer(
        all,
        std::time::Duration::from_secs(web.request_timeout_secs),
    )
    .with_state(app)
}

async fn not_found() -> impl IntoResponse {
    (StatusCode::NOT_FOUND, "not found\n")
}

/// Liveness: the dispatcher and the reminder rules are making progress.
async fn healthz(State(current): State<CurrentApp>) -> impl IntoResponse {
    let app = current.borrow().clone();
    let dispatcher = std::time::Duration::from_millis(app.config.dispatch.interval_ms * 10)
        .max(std::time::Duration::from_secs(120));
    let rules = std::time::Duration::from_secs(app.config.watch.rules_interval_secs * 2 + 120);
    if app.heartbeats.healthy(dispatcher, rules) {
        (StatusCode::OK, "ok\n")
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            "a worker is not making progress\n",
        )
    }
}

/// Readiness, answered within a second: the database answers and takes writes, and the
/// dispatcher is not stuck while alerts wait.
async fn readyz(State(current): State<CurrentApp>) -> impl IntoResponse {
    let app = current.borrow().clone();
    let unavailable = |why: &str| (StatusCode::SERVICE_UNAVAILABLE, format!("{why}\n"));
    if let Some(why) = app.health.not_ready() {
        return unavailable(why);
    }
    let stall = std::time::Duration::from_secs(app.config.dispatch.stall_secs);
    if app.heartbeats.dispatcher_age() > stall && app.health.work_waiting(app.clock.now_ms(), stall)
    {
        return unavailable("the dispatcher makes no progress while alerts wait");
    }
    match tokio::time::timeout(crate::health::PROBE_TIMEOUT, app.store.ping()).await {
        Ok(Ok(())) => (StatusCode::OK, "ok\n".to_string()),
        _ => unavailable("database unreachable"),
    }
}

/// In-process counters and the database's gauges as last sampled: never waits on the
/// database.
async fn metrics(State(current): State<CurrentApp>) -> impl IntoResponse {
    let app = current.borrow().clone();
    (
        [(
            axum::http::header::CONTENT_TYPE,
            crate::health::metrics::CONTENT_TYPE,
        )],
        app.metrics.encode(),
    )
}
