//! Running as a service: signals, the probe, the admin operations, the preview of a
//! day's alerts, the bounce reader, systemd and the log format.
//!
//! What comes in: SIGTERM/SIGINT. What goes out: a cancellation every task listens to, and
//! a bounded wait for in-flight work. It must never leave a worker loop with no way to stop.

pub mod admin;
pub mod bounce;
pub mod logfmt;
pub mod preview;
pub mod probe;
pub mod systemd;

use tokio_util::sync::CancellationToken;

/// Cancels `token` on the first SIGTERM or SIGINT; a second signal exits at once.
pub async fn cancel_on_signal(token: CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::error!("cannot install signal handlers; stop the daemon with SIGKILL");
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::info!("shutting down: finishing in-flight work (a second signal exits at once)");
    token.cancel();
    tokio::select! {
        _ = term.recv() => {}
        _ = int.recv() => {}
    }
    tracing::warn!("second signal: exiting now");
    std::process::exit(130);
}
