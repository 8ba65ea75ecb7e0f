//! Worker heartbeats: when the dispatcher and the rules loop last made progress, for
//! liveness (`/healthz`) and the systemd watchdog.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// When the dispatcher and the rules loop last made progress; the watchdog pings systemd
/// only while both are recent, so a wedged worker gets the service restarted.
#[derive(Debug)]
pub struct Heartbeats {
    start: Instant,
    dispatcher_ms: AtomicU64,
    rules_ms: AtomicU64,
}

impl Default for Heartbeats {
    fn default() -> Self {
        Heartbeats {
            start: Instant::now(),
            dispatcher_ms: AtomicU64::new(0),
            rules_ms: AtomicU64::new(0),
        }
    }
}

impl Heartbeats {
    fn now_ms(&self) -> u64 {
        self.start.elapsed().as_millis() as u64
    }

    pub fn dispatcher(&self) {
        self.dispatcher_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    pub fn rules(&self) {
        self.rules_ms.store(self.now_ms(), Ordering::Relaxed);
    }

    /// How long ago the dispatcher last made progress.
    pub fn dispatcher_age(&self) -> Duration {
        Duration::from_millis(
            self.now_ms()
                .saturating_sub(self.dispatcher_ms.load(Ordering::Relaxed)),
        )
    }

    /// Whether the dispatcher beat within `dispatcher_limit` and the rules loop within
    /// `rules_limit`.
    pub fn healthy(&self, dispatcher_limit: Duration, rules_limit: Duration) -> bool {
        let now = self.now_ms();
        let age = |beat: &AtomicU64| {
            Duration::from_millis(now.saturating_sub(beat.load(Ordering::Relaxed)))
        };
        age(&self.dispatcher_ms) <= dispatcher_limit && age(&self.rules_ms) <= rules_limit
    }
}
