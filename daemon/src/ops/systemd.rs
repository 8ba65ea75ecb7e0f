//! The systemd notify protocol (`sd_notify`) without libsystemd: datagrams to
//! `$NOTIFY_SOCKET` saying READY=1, RELOADING=1, STOPPING=1, WATCHDOG=1 and STATUS=….
//! With no `$NOTIFY_SOCKET` (not under systemd) every call does nothing.

use std::os::unix::net::{SocketAddr, UnixDatagram};
use std::time::Duration;

pub struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
}

impl std::fmt::Debug for Notifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Notifier({})",
            if self.target.is_some() {
                "systemd"
            } else {
                "off"
            }
        )
    }
}

impl Notifier {
    pub fn from_env() -> Notifier {
        let target = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            let path = path.to_string_lossy().to_string();
            let addr = if let Some(name) = path.strip_prefix('@') {
                use std::os::linux::net::SocketAddrExt;
                SocketAddr::from_abstract_name(name.as_bytes()).ok()?
            } else {
                SocketAddr::from_pathname(&path).ok()?
            };
            let socket = UnixDatagram::unbound().ok()?;
            Some((socket, addr))
        });
        Notifier { target }
    }

    pub fn notify(&self, state: &str) {
        if let Some((socket, addr)) = &self.target {
            if let Err(e) = socket.send_to_addr(state.as_bytes(), addr) {
                tracing::warn!(error = %e, "cannot notify systemd");
            }
        }
    }

    /// READY=1 after a reload, with RELOADING=1's monotonic-time convention kept simple.
    pub fn ready(&self, status: &str) {
        self.notify(&format!("READY=1\nSTATUS={status}"));
    }

    pub fn reloading(&self) {
        let usec = monotonic_usec();
        self.notify(&format!(
            "RELOADING=1\nMONOTONIC_USEC={usec}\nSTATUS=reloading"
        ));
    }

    pub fn stopping(&self) {
        self.notify("STOPPING=1\nSTATUS=stopping: finishing in-flight work");
    }

    /// The watchdog period systemd asked for (`WatchdogSec=`), if it is meant for us.
    pub fn watchdog_period() -> Option<Duration> {
        if let Some(pid) = std::env::var_os("WATCHDOG_PID") {
            if pid.to_string_lossy() != std::process::id().to_string() {
                return None;
            }
        }
        let usec: u64 = std::env::var("WATCHDOG_USEC").ok()?.parse().ok()?;
        (usec > 0).then(|| Duration::from_micros(usec))
    }
}

/// CLOCK_MONOTONIC in microseconds, the clock systemd reads `MONOTONIC_USEC` on.
pub fn monotonic_usec() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    u64::try_from(t.tv_sec).unwrap_or(0) * 1_000_000 + u64::try_from(t.tv_nsec).unwrap_or(0) / 1000
}
