//! hlidac ("watchman"): watches a municipality's internal systems and tells citizens, by
//! e-mail and SMS, when a fee is due or overdue, when it has been paid, when a submission
//! changes state, and when a document is about to expire.
//!
//! # Layout
//! One folder, one job, from the bottom up (no folder imports one above it; the `layout`
//! test checks):
//! - [`clock`], [`crypto`], [`i18n`]: injectable time; keyed hashes and sealed values; the
//!   citizen's languages;
//! - [`config`]: the typed configuration, loaded with every error reported at once;
//! - [`store`]: SQLite or PostgreSQL behind one interface, with embedded migrations;
//! - [`pay`]: each country's payment codes (QR Platba, EPC, NBS IPS QR) and accounts;
//! - [`health`]: what the daemon knows of itself: troubles, metrics, heartbeats;
//! - [`notify`]: the dispatch service: renders alerts and sends them, and reads what the
//!   mail system reports back;
//! - [`identity`]: the login service: eID login (SAML 2.0, OpenID Connect), linking to
//!   the base registry, sessions and logout;
//! - [`watch`]: the watch service: polls and pushes diffed into events, the reminder rules;
//! - [`citizens`]: the citizen service: consent, contacts and their confirmation, alert
//!   settings, reminders, the calendar feed, the data export and erasure;
//! - [`ops`]: the probe, the admin operations, the preview, the bounce reader, systemd,
//!   the log format;
//! - [`app`]: assembles the services from one configuration; [`settings`]: loads it with
//!   every check;
//! - [`web`]: translates HTTP: health, metrics, the admin API, pushes, login, the
//!   citizen's pages and calendar feed.
//!
//! `main.rs` only parses the command line; [`cli`] carries out each command and [`run`]
//! is the daemon.

pub mod app;
pub mod citizens;
pub mod cli;
pub mod clock;
pub mod config;
pub mod crypto;
pub mod health;
pub mod i18n;
pub mod identity;
pub mod notify;
pub mod ops;
pub mod pay;
pub mod settings;
pub mod store;
pub mod watch;
pub mod web;

#[cfg(test)]
mod layout;

use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use app::App;
pub use config::Config;

/// How the outside world steers a running daemon.
pub struct Control {
    /// Cancelled on SIGTERM/SIGINT: in-flight work finishes under the grace period.
    pub shutdown: CancellationToken,
    /// Loads the configuration again on SIGHUP; `None` ignores SIGHUP.
    pub reload: Option<Box<dyn Fn() -> anyhow::Result<Config> + Send + Sync>>,
}

/// Runs the daemon on the system clock until `shutdown` is cancelled.
pub async fn run(config: Config, shutdown: CancellationToken) -> anyhow::Result<()> {
    let control = Control {
        shutdown,
        reload: None,
    };
    run_with(config, Arc::new(clock::SystemClock), control).await
}

/// Runs the daemon: migrations, the HTTP listener, then generations of workers (one
/// scheduler task per source, the rules ticker, the dispatcher). SIGHUP builds a new
/// [`App`] from the reloaded configuration and, only if that succeeds, stops the current
/// workers (in-flight sends finish), swaps the app under the web server and starts new
/// workers; a broken configuration is logged and the running one kept. systemd hears
/// READY=1, RELOADING=1 … READY=1, STOPPING=1 and, while the dispatcher and the rules loop
/// make progress, WATCHDOG=1.
pub async fn run_with(
    config: Config,
    clock: Arc<dyn clock::Clock>,
    control: Control,
) -> anyhow::Result<()> {
    let notifier = Arc::new(ops::systemd::Notifier::from_env());
    let listen = config.web.listen.clone();
    let _single = store::single::lock(&config.database_url()).map_err(anyhow::Error::msg)?;
    let mut app = Arc::new(App::new(config, clock.clone()).await?);
    if app.store.backend() == store::Backend::Sqlite {
        // This process holds the SQLite database alone: a claim left by a killed
        // predecessor is nobody's, and waits for no lease.
        let n = app.store.requeue_expired_leases(i64::MAX).await?;
        if n > 0 {
            tracing::info!(
                alerts = n,
                "alerts claimed by a previous run are queued again"
            );
        }
    }
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("while binding web.listen {listen}"))?;
    tracing::info!(addr = %listener.local_addr()?, "hlidac is running");

    let (app_tx, app_rx) = tokio::sync::watch::channel(app.clone());
    let web = web::router(app_rx.clone());
    let stop = control.shutdown.clone();
    let web_task = tokio::spawn(async move {
        let served = axum::serve(
            listener,
            web.into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(stop.cancelled_owned())
        .await;
        if let Err(e) = served {
            tracing::error!(error = %e, "web server failed");
        }
    });
    if let Some(period) = ops::systemd::Notifier::watchdog_period() {
        tokio::spawn(watchdog(
            app_rx.clone(),
            notifier.clone(),
            period,
            control.shutdown.clone(),
        ));
    }
    let mut hangup = match control.reload {
        Some(_) => Some(
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::hangup())
                .context("while installing the SIGHUP handler")?,
        ),
        None => None,
    };

    let mut generation = control.shutdown.child_token();
    let mut workers = spawn_workers(&app, &generation);
    notifier.ready("running");
    loop {
        tokio::select! {
            _ = control.shutdown.cancelled() => break,
            _ = next_hangup(&mut hangup) => {}
        }
        notifier.reloading();
        tracing::info!("SIGHUP: reloading the configuration");
        let reloaded = match &control.reload {
            Some(load) => match load() {
                Ok(config) => App::reload(config, clock.clone(), &app).await,
                Err(e) => Err(e),
            },
            None => Err(anyhow::anyhow!("reloading is not enabled")),
        };
        match reloaded {
            Ok(new) => {
                if new.config.web.listen != app.config.web.listen {
                    tracing::warn!("web.listen changed; the new address takes effect at restart");
                }
                generation.cancel();
                join_workers(workers, app.config.dispatch.shutdown_grace_secs).await;
                app = Arc::new(new);
                app_tx.send_replace(app.clone());
                generation = control.shutdown.child_token();
                workers = spawn_workers(&app, &generation);
                tracing::info!("configuration reloaded");
            }
            Err(e) => {
                tracing::error!(error = %format!("{e:#}"), "reload failed; the running configuration stays")
            }
        }
        notifier.ready("running");
    }

    notifier.stopping();
    generation.cancel();
    join_workers(workers, app.config.dispatch.shutdown_grace_secs).await;
    // Bounded, so that shutdown ends within its grace period even with the database gone.
    let _ = tokio::time::timeout(Duration::from_millis(500), web_task).await;
    let _ = tokio::time::timeout(Duration::from_millis(300), app.store.close()).await;
    tracing::info!("hlidac stopped");
    Ok(())
}

async fn next_hangup(hangup: &mut Option<tokio::signal::unix::Signal>) {
    match hangup {
        Some(s) => {
            s.recv().await;
        }
        None => std::future::pending().await,
    }
}

type Workers = Vec<(String, JoinHandle<()>)>;

fn spawn_workers(app: &Arc<App>, stop: &CancellationToken) -> Workers {
    let wake = Arc::new(Notify::new());
    let mut tasks: Workers = Vec::new();
    for t in &app.config.tenants {
        for s in t.sources.iter().filter(|s| !s.is_push()) {
            tasks.push((
                format!("source {}/{}", t.id, s.id),
                tokio::spawn(watch::run_source(
                    app.watch.clone(),
                    t.id.clone(),
                    s.id.clone(),
                    stop.clone(),
                    wake.clone(),
                )),
            ));
        }
    }
    tasks.push((
        "metadata".into(),
        tokio::spawn(identity::login::refresh_metadata(
            app.identity.clone(),
            stop.clone(),
        )),
    ));
    tasks.push((
        "health".into(),
        tokio::spawn(ops::probe::run_probe(app.dispatch.clone(), stop.clone())),
    ));
    tasks.push((
        "rules".into(),
        tokio::spawn(watch::run_rules(
            app.watch.clone(),
            stop.clone(),
            wake.clone(),
        )),
    ));
    tasks.push((
        "dispatcher".into(),
        tokio::spawn(run_dispatcher(app.clone(), stop.clone(), wake)),
    ));
    tasks
}

/// Awaits every worker under the grace period; what does not stop by then is aborted (an
/// alert cut off mid-send is sent again after its lease runs out, with the same
/// Message-ID).
async fn join_workers(workers: Workers, grace_secs: u64) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(grace_secs);
    for (name, handle) in workers {
        let abort = handle.abort_handle();
        if tokio::time::timeout_at(deadline, handle).await.is_err() {
            tracing::warn!(task = %name, "did not stop within the grace period; aborted");
            abort.abort();
        }
    }
}

/// Pings systemd's watchdog at half its period while the current app's dispatcher and
/// rules loop have beaten recently enough.
async fn watchdog(
    app: tokio::sync::watch::Receiver<Arc<App>>,
    notifier: Arc<ops::systemd::Notifier>,
    period: Duration,
    shutdown: CancellationToken,
) {
    let mut ticker = tokio::time::interval(period / 2);
    let mut wedged = false;
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        let current = app.borrow().clone();
        let rules_limit = Duration::from_secs(current.config.watch.rules_interval_secs) + period;
        if current.heartbeats.healthy(period, rules_limit) {
            notifier.notify("WATCHDOG=1");
            wedged = false;
        } else if !wedged {
            tracing::error!("a worker has made no progress: withholding the systemd watchdog ping");
            wedged = true;
        }
    }
}

async fn run_dispatcher(app: Arc<App>, shutdown: CancellationToken, wake: Arc<Notify>) {
    let interval = Duration::from_millis(app.config.dispatch.interval_ms.max(10));
    // Bind to the SMSC now, so receipts for earlier messages come in.
    if let Some(sms) = &app.dispatch.sms {
        sms.start();
    }
    // Rounds that failed in a row: the first is logged, the next wait longer (up to 2 s,
    // so delivery resumes within moments of the database answering again).
    let mut failing = 0u32;
    loop {
        let mut pause = interval;
        match notify::dispatch_pending_until(&app.dispatch, &shutdown).await {
            Ok(r) => {
                if failing > 0 {
                    tracing::info!(failed_rounds = failing, "dispatcher: working again");
                    failing = 0;
                }
                if r != notify::DispatchReport::default() {
                    tracing::info!(
                        sent = r.sent,
                        retried = r.retried,
                        failed = r.failed,
                        dead = r.dead,
                        suppressed = r.suppressed,
                        expired = r.expired,
                        deferred = r.deferred,
                        "dispatched alerts"
                    );
                }
            }
            Err(e) => {
                failing += 1;
                if failing == 1 {
                    tracing::error!(error = %e, "dispatcher: database error; retrying until it answers");
                } else {
                    tracing::debug!(error = %e, "dispatcher: database error");
                }
                pause = (interval * failing).min(Duration::from_secs(2));
            }
        }
        app.heartbeats.dispatcher();
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(pause) => {}
        }
    }
}
