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
    /// channel → time spent in one send attempt
    send_seconds: BTreeMap<String, Histogram>,
    /// channel → time from an alert becoming due to its acceptance by the server
    due_to_sent_seconds: BTreeMap<String, Histogram>,
}

/// Upper bounds of the latency histograms, in seconds.
const BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, secs: f64) {
        for (i, le) in BUCKETS.iter().enumerate() {
            if secs <= *le {
                self.counts[i] += 1;
            }
        }
        self.sum += secs;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str) {
        for (i, le) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels},le=\"{le}\"}} {}",
                self.counts[i]
            );
        }
        let _ = writeln!(out, "{name}_bucket{{{labels},le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum{{{labels}}} {}", self.sum);
        let _ = writeln!(out, "{name}_count{{{labels}}} {}", self.count);
    }
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

    /// One attempt ended in `state` after `took`; `due_for` is how long the alert had
    /// been due when it was accepted (for sent alerts).
    pub fn alert_finished(
        &self,
        channel: &str,
        state: &str,
        took: Duration,
        due_for: Option<Duration>,
    ) {
        let mut m = self.lock();
        *m.alerts.entry((channel.into(), state.into())).or_default() += 1;
        m.send_seconds
            .entry(channel.into())
            .or_default()
            .observe(took.as_secs_f64());
        if let Some(d) = due_for {
            m.due_to_sent_seconds
                .entry(channel.into())
                .or_default()
                .observe(d.as_secs_f64());
        }
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
        let _ = writeln!(
            out,
            "# HELP hlidac_send_duration_seconds One send attempt, by channel."
        );
        let _ = writeln!(out, "# TYPE hlidac_send_duration_seconds histogram");
        for (c, h) in &m.send_seconds {
            h.render(
                out,
                "hlidac_send_duration_seconds",
                &format!("channel=\"{c}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP hlidac_alert_latency_seconds From an alert becoming due to its acceptance by the server."
        );
        let _ = writeln!(out, "# TYPE hlidac_alert_latency_seconds histogram");
        for (c, h) in &m.due_to_sent_seconds {
            h.render(
                out,
                "hlidac_alert_latency_seconds",
                &format!("channel=\"{c}\""),
            );
        }
        let _ = writeln!(
            out,
            "# HELP hlidac_alerts_sent_within_10s_ratio Share of sent alerts accepted within 10 s of becoming due."
        );
        let _ = writeln!(out, "# TYPE hlidac_alerts_sent_within_10s_ratio gauge");
        let ten = BUCKETS.iter().position(|le| *le == 10.0).unwrap_or(0);
        for (c, h) in &m.due_to_sent_seconds {
            let ratio = if h.count == 0 {
                1.0
            } else {
                h.counts[ten] as f64 / h.count as f64
            };
            let _ = writeln!(
                out,
                "hlidac_alerts_sent_within_10s_ratio{{channel=\"{c}\"}} {ratio}"
            );
        }
    }
}
