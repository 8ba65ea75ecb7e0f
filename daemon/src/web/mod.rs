//! The HTTP side: health, metrics and the admin API for operators (citizen pages come
//! later).
//!
//! What comes in: HTTP requests. What goes out: status, never personal data.

pub mod admin;

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

pub fn router(app: CurrentApp) -> Router {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(admin::routes())
        .with_state(app)
}

async fn healthz(State(current): State<CurrentApp>) -> impl IntoResponse {
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
    if let Ok(counts) = app.store.alert_counts().await {
        let _ = writeln!(out, "# HELP hlidac_alerts Alerts in the outbox by state.");
        let _ = writeln!(out, "# TYPE hlidac_alerts gauge");
        for (state, n) in counts {
            let _ = writeln!(out, "hlidac_alerts{{state=\"{state}\"}} {n}");
        }
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
