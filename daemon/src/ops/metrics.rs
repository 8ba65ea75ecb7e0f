//! In-process counters, rendered with the database's gauges as Prometheus text.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// (tenant, source, outcome) → polls
    polls: BTreeMap<(String, String, &'static str), u64>,
    /// (tenant, source) → (seconds summed, count)
    poll_seconds: BTreeMap<(String, String), (f64, u64)>,
    /// (channel, state) → alerts finished
    alerts: BTreeMap<(String, String), u64>,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn observe_poll(&self, tenant: &str, source: &str, took: Duration, ok: bool) {
        let mut m = self.lock();
        let outcome = if ok { "ok" } else { "error" };
        *m.polls
            .entry((tenant.into(), source.into(), outcome))
            .or_default() += 1;
        let e = m
            .poll_seconds
            .entry((tenant.into(), source.into()))
            .or_default();
        e.0 += took.as_secs_f64();
        e.1 += 1;
    }

    pub fn alert_finished(&self, channel: &str, state: &str) {
        *self
            .lock()
            .alerts
            .entry((channel.into(), state.into()))
            .or_default() += 1;
    }

    /// Polls that ended with `outcome` ("ok" or "error") for one source.
    pub fn polls(&self, tenant: &str, source: &str, outcome: &str) -> u64 {
        self.lock()
            .polls
            .iter()
            .filter(|((t, s, o), _)| t == tenant && s == source && *o == outcome)
            .map(|(_, n)| *n)
            .sum()
    }

    /// The counters in Prometheus text format.
    pub fn render(&self, out: &mut String) {
        let m = self.lock();
        let _ = writeln!(
            out,
            "# HELP hlidac_polls_total Polls per source and outcome."
        );
        let _ = writeln!(out, "# TYPE hlidac_polls_total counter");
        for ((t, s, o), n) in &m.polls {
            let _ = writeln!(
                out,
                "hlidac_polls_total{{tenant=\"{t}\",source=\"{s}\",outcome=\"{o}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP hlidac_poll_duration_seconds Time spent polling."
        );
        let _ = writeln!(out, "# TYPE hlidac_poll_duration_seconds summary");
        for ((t, s), (sum, count)) in &m.poll_seconds {
            let _ = writeln!(
                out,
                "hlidac_poll_duration_seconds_sum{{tenant=\"{t}\",source=\"{s}\"}} {sum}"
            );
            let _ = writeln!(
                out,
                "hlidac_poll_duration_seconds_count{{tenant=\"{t}\",source=\"{s}\"}} {count}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP hlidac_alerts_finished_total Alert attempts by channel and resulting state."
        );
        let _ = writeln!(out, "# TYPE hlidac_alerts_finished_total counter");
        for ((c, s), n) in &m.alerts {
            let _ = writeln!(
                out,
                "hlidac_alerts_finished_total{{channel=\"{c}\",state=\"{s}\"}} {n}"
            );
        }
    }
}
