//! The HTTP side: health, metrics, the admin API, pushes from municipal systems, eID
//! login and the citizen's pages, assembled into one router behind the layers of
//! [`layers`] (body limits per route group, timeout, concurrency limit, trace, security
//! headers).
//!
//! What comes in: HTTP requests. What goes out: status, never personal data.

pub mod admin;
pub mod citizen;
pub mod ingest;
pub mod layers;
pub mod login;
pub mod pages;
pub mod pay;
pub mod unsubscribe;

use crate::app::App;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use std::fmt::Write;
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
            unsubscribe::routes(),
            layers::FORM_BYTES,
        ))
        .merge(layers::limit_in_handler(login::acs_routes()))
        .merge(layers::body_limit(login::slo_routes(), layers::SAML_BYTES))
        .merge(layers::body_limit(login::routes(), layers::FORM_BYTES))
        .merge(layers::body_limit(citizen::routes(), layers::FORM_BYTES));
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

/// Readiness: the database answers.
async fn readyz(State(current): State<CurrentApp>) -> impl IntoResponse {
    let app = current.borrow().clone();
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n"),
        Err(e) => {
            tracing::error!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable\n")
        }
    }
}

async fn metrics(State(current): State<CurrentApp>) -> impl IntoResponse {
    let app = current.borrow().clone();
    let mut out = String::new();
    app.metrics.render(&mut out);
    if let Ok(counts) = app.store.alert_counts_by_channel().await {
        let _ = writeln!(
            out,
            "# HELP hlidac_alerts Alerts in the outbox by channel and state."
        );
        let _ = writeln!(out, "# TYPE hlidac_alerts gauge");
        let mut depth = 0;
        for (channel, state, n) in counts {
            let _ = writeln!(
                out,
                "hlidac_alerts{{channel=\"{channel}\",state=\"{state}\"}} {n}"
            );
            if state == "queued" || state == "sending" {
                depth += n;
            }
        }
        let _ = writeln!(out, "# HELP hlidac_outbox_depth Alerts waiting to be sent.");
        let _ = writeln!(out, "# TYPE hlidac_outbox_depth gauge");
        let _ = writeln!(out, "hlidac_outbox_depth {depth}");
    }
    if let Ok(logins) = app.store.login_rows(None, 0, i64::MAX).await {
        let _ = writeln!(
            out,
            "# HELP hlidac_logins_total eID logins by identity provider and outcome."
        );
        let _ = writeln!(out, "# TYPE hlidac_logins_total counter");
        for l in logins {
            let _ = writeln!(
                out,
                "hlidac_logins_total{{idp=\"{}\",outcome=\"{}\"}} {}",
                l.idp, l.outcome, l.count
            );
        }
    }
    if let Ok(oldest) = app.store.oldest_pending_due().await {
        let age = oldest.map_or(0.0, |t| ((app.clock.now_ms() - t).max(0) as f64) / 1000.0);
        let _ = writeln!(out, "# HELP hlidac_outbox_oldest_pending_age_seconds How long the oldest waiting alert has been due.");
        let _ = writeln!(out, "# TYPE hlidac_outbox_oldest_pending_age_seconds gauge");
        let _ = writeln!(out, "hlidac_outbox_oldest_pending_age_seconds {age}");
    }
    if let Ok(sources) = app.store.list_sources().await {
        let _ = writeln!(
            out,
            "# HELP hlidac_source_failures_total Failed polls per source since it was first seen."
        );
        let _ = writeln!(out, "# TYPE hlidac_source_failures_total counter");
        for (t, s, h) in &sources {
            let _ = writeln!(
                out,
                "hlidac_source_failures_total{{tenant=\"{t}\",source=\"{s}\"}} {}",
                h.total_failures
            );
        }
        let _ = writeln!(
            out,
            "# HELP hlidac_source_consecutive_failures Failed polls in a row."
        );
        let _ = writeln!(out, "# TYPE hlidac_source_consecutive_failures gauge");
        for (t, s, h) in &sources {
            let _ = writeln!(
                out,
                "hlidac_source_consecutive_failures{{tenant=\"{t}\",source=\"{s}\"}} {}",
                h.consecutive_failures
            );
        }
        let _ = writeln!(out, "# HELP hlidac_source_quarantined 1 while a source's last poll was rejected as suspicious.");
        let _ = writeln!(out, "# TYPE hlidac_source_quarantined gauge");
        for (t, s, h) in &sources {
            let q = u8::from(h.state == "quarantined");
            let _ = writeln!(
                out,
                "hlidac_source_quarantined{{tenant=\"{t}\",source=\"{s}\"}} {q}"
            );
        }
    }
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/plain; version=0.0.4",
        )],
        out,
    )
}
