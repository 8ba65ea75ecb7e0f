//! hlidac ("watchman"): watches a municipality's internal systems and tells citizens, by
//! e-mail, when a fee is due or overdue, when it has been paid, and when a submission
//! changes state.
//!
//! # Layout
//! Modules follow the path of the data:
//! - [`config`]: the typed configuration, loaded with every error reported at once;
//! - [`watch`]: polling sources on their schedules, diffing records into events, and the
//!   clock-driven reminder rules;
//! - [`notify`]: the dispatcher that renders alerts and sends them;
//! - [`store`]: SQLite or PostgreSQL behind one interface, with embedded migrations;
//! - [`web`]: health and metrics over HTTP;
//! - [`ops`]: signals, metrics, the task set of `hlidac run`;
//! - [`app`]: everything assembled, with each stage callable on its own for tests;
//! - [`clock`], [`crypto`]: injectable time; keyed hashes and sealed values.
//!
//! `main.rs` only parses the command line; [`cli`] carries out each command and [`run`]
//! is the daemon.

pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod notify;
pub mod ops;
pub mod store;
pub mod watch;
pub mod web;

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use app::App;
pub use config::Config;

/// Runs the daemon on the system clock until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    run_with_clock(config, Arc::new(clock::SystemClock), shutdown).await
}

/// Runs the daemon: migrations, the HTTP listener, one scheduler task per source, the
/// rules ticker and the dispatcher. On shutdown every task is awaited under
/// `dispatch.shutdown_grace_secs`; what does not stop by then is aborted (an alert cut off
/// mid-send is sent again after its lease runs out, with the same Message-ID).
pub async fn run_with_clock(
    config: Config,
    clock: Arc<dyn clock::Clock>,
    shutdown: CancellationToken,
) -> anyhow::Result<()> {
    let grace = Duration::from_secs(config.dispatch.shutdown_grace_secs);
    let listen = config.web.listen.clone();
    let app = Arc::new(App::new(config, clock).await?);
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("while binding web.listen {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "hlidac is running");

    let wake = Arc::new(Notify::new());
    let mut tasks: Vec<(String, JoinHandle<()>)> = Vec::new();
    let web = web::router(app.clone());
    let stop = shutdown.clone();
    tasks.push((
        "web".into(),
        tokio::spawn(async move {
            let served = axum::serve(listener, web)
                .with_graceful_shutdown(stop.cancelled_owned())
                .await;
            if let Err(e) = served {
                tracing::error!(error = %e, "web server failed");
            }
        }),
    ));
    for t in &app.config.tenants {
        for s in &t.sources {
            tasks.push((
                format!("source {}/{}", t.id, s.id),
                tokio::spawn(watch::run_source(
                    app.clone(),
                    t.id.clone(),
                    s.id.clone(),
                    shutdown.clone(),
                    wake.clone(),
                )),
            ));
        }
    }
    tasks.push((
        "rules".into(),
        tokio::spawn(watch::run_rules(
            app.clone(),
            shutdown.clone(),
            wake.clone(),
        )),
    ));
    tasks.push((
        "dispatcher".into(),
        tokio::spawn(run_dispatcher(app.clone(), shutdown.clone(), wake.clone())),
    ));

    shutdown.cancelled().await;
    let deadline = tokio::time::Instant::now() + grace;
    for (name, handle) in tasks {
        let abort = handle.abort_handle();
        if tokio::time::timeout_at(deadline, handle).await.is_err() {
            tracing::warn!(task = %name, "did not stop within the grace period; aborted");
            abort.abort();
        }
    }
    app.store.close().await;
    tracing::info!("hlidac stopped");
    Ok(())
}

async fn run_dispatcher(app: Arc<App>, shutdown: CancellationToken, wake: Arc<Notify>) {
    let interval = Duration::from_millis(app.config.dispatch.interval_ms.max(10));
    loop {
        match notify::dispatch_pending_until(&app, &shutdown).await {
            Ok(r) if r != notify::DispatchReport::default() => {
                tracing::info!(
                    sent = r.sent,
                    retried = r.retried,
                    failed = r.failed,
                    dead = r.dead,
                    suppressed = r.suppressed,
                    expired = r.expired,
                    "dispatched alerts"
                );
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "dispatcher: database error; will retry"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(interval) => {}
        }
    }
}
