//! The daemon's metrics on the `prometheus-client` crate: a registry of typed families
//! (counters and histograms the poller and the dispatcher update as they work) and the
//! collector of [`super::gauges`], which adds the health and the database's gauges as last
//! sampled. `/metrics` serves [`Metrics::encode`] (OpenMetrics text).

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Metric, Registry, Unit};
use std::fmt::Write;
use std::sync::atomic::AtomicU64;
use std::time::Duration;

/// Upper bounds of the latency histograms, in seconds.
const BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

/// The content type of [`Metrics::encode`].
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// A label value from configuration or the database, escaped as the text format needs
/// (`\`, `"` and line feeds): the encoder writes label values as they are.
#[derive(Clone, Debug, Hash, PartialEq, Eq)]
pub struct Text(pub String);

impl EncodeLabelValue for Text {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        for c in self.0.chars() {
            match c {
                '\\' => encoder.write_str("\\\\")?,
                '"' => encoder.write_str("\\\"")?,
                '\n' => encoder.write_str("\\n")?,
                c => encoder.write_char(c)?,
            }
        }
        Ok(())
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(s.to_string())
    }
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PollLabels {
    tenant: Text,
    source: Text,
    outcome: Text,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    tenant: Text,
    source: Text,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct AlertLabels {
    channel: Text,
    state: Text,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ChannelLabels {
    channel: Text,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ProviderLabels {
    channel: Text,
    provider: Text,
}

type Histograms<L> = Family<L, Histogram, fn() -> Histogram>;

fn histogram() -> Histogram {
    Histogram::new(BUCKETS)
}

/// A new metric, registered under `name` (the registry keeps a handle to the same values).
fn registered<M: Metric + Clone + Default>(registry: &mut Registry, name: &str, help: &str) -> M {
    let metric = M::default();
    registry.register(name, help, metric.clone());
    metric
}

/// A new family of durations in seconds, registered under `name` (`_seconds` is added).
fn seconds<L>(registry: &mut Registry, name: &str, help: &str) -> Histograms<L>
where
    L: EncodeLabelSet + Clone + std::hash::Hash + Eq + std::fmt::Debug + Send + Sync + 'static,
{
    let family = Histograms::<L>::new_with_constructor(histogram);
    registry.register_with_unit(name, help, Unit::Seconds, family.clone());
    family
}

#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    polls: Family<PollLabels, Counter>,
    poll_seconds: Histograms<SourceLabels>,
    alerts: Family<AlertLabels, Counter>,
    send_seconds: Histograms<ChannelLabels>,
    latency: Histograms<ChannelLabels>,
    /// Sent alerts per channel, and those accepted within 10 s of becoming due: the
    /// ratio gauge is set from them.
    sent: Family<ChannelLabels, Counter>,
    sent_within_10s: Family<ChannelLabels, Counter>,
    within_10s_ratio: Family<ChannelLabels, Gauge<f64, AtomicU64>>,
    demotions: Family<ProviderLabels, Counter>,
}

impl Metrics {
    /// The families, registered with `gauges` (the collector of what is not counted
    /// here).
    pub fn new(gauges: super::gauges::Gauges) -> Metrics {
        let mut registry = Registry::default();
        let r = &mut registry;
        let polls = registered(r, "hlidac_polls", "Polls per source and outcome");
        let poll_seconds = seconds(r, "hlidac_poll_duration", "Time spent polling");
        let alerts = registered(
            r,
            "hlidac_alerts_finished",
            "Alert attempts by channel and resulting state",
        );
        let send_seconds = seconds(r, "hlidac_send_duration", "One send attempt, by channel");
        let latency = seconds(
            r,
            "hlidac_alert_latency",
            "From an alert becoming due to its acceptance by the server",
        );
        // A ratio with no unit suffix: the name is kept from before the registry.
        let within_10s_ratio = registered(
            r,
            "hlidac_alerts_sent_within_10s_ratio",
            "Share of sent alerts accepted within 10 s of becoming due",
        );
        let demotions = registered(
            r,
            "hlidac_provider_demotions",
            "Times an SMS provider or SMTP relay was demoted for failing or answering slowly",
        );
        registry.register_collector(Box::new(gauges));
        Metrics {
            registry,
            polls,
            poll_seconds,
            alerts,
            send_seconds,
            latency,
            sent: Family::default(),
            sent_within_10s: Family::default(),
            within_10s_ratio,
            demotions,
        }
    }

    /// A provider of `channel` was demoted.
    pub fn provider_demoted(&self, channel: &str, provider: &str) {
        self.demotions
            .get_or_create(&ProviderLabels {
                channel: channel.into(),
                provider: provider.into(),
            })
            .inc();
    }

    pub fn observe_poll(&self, tenant: &str, source: &str, took: Duration, ok: bool) {
        let outcome = if ok { "ok" } else { "error" };
        self.polls
            .get_or_create(&PollLabels {
                tenant: tenant.into(),
                source: source.into(),
                outcome: outcome.into(),
            })
            .inc();
        self.poll_seconds
            .get_or_create(&SourceLabels {
                tenant: tenant.into(),
                source: source.into(),
            })
            .observe(took.as_secs_f64());
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
        self.alerts
            .get_or_create(&AlertLabels {
                channel: channel.into(),
                state: state.into(),
            })
            .inc();
        let c = ChannelLabels {
            channel: channel.into(),
        };
        self.send_seconds
            .get_or_create(&c)
            .observe(took.as_secs_f64());
        if let Some(d) = due_for {
            self.latency.get_or_create(&c).observe(d.as_secs_f64());
            let sent = self.sent.get_or_create(&c).inc() + 1;
            let within = if d <= Duration::from_secs(10) {
                self.sent_within_10s.get_or_create(&c).inc() + 1
            } else {
                self.sent_within_10s.get_or_create(&c).get()
            };
            self.within_10s_ratio
                .get_or_create(&c)
                .set(within as f64 / sent as f64);
        }
    }

    /// Polls that ended with `outcome` ("ok" or "error") for one source.
    pub fn polls(&self, tenant: &str, source: &str, outcome: &str) -> u64 {
        self.polls
            .get(&PollLabels {
                tenant: tenant.into(),
                source: source.into(),
                outcome: outcome.into(),
            })
            .map_or(0, |c| c.get())
    }

    /// Everything, in the OpenMetrics text format.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if let Err(e) = prometheus_client::encoding::text::encode(&mut out, &self.registry) {
            tracing::error!(error = %e, "metrics could not be encoded");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new(super::super::gauges::Gauges::detached());
        m.observe_poll("a\"b", "c\\d\ne", Duration::from_millis(5), true);
        let text = m.encode();
        assert!(
            text.contains(r#"hlidac_polls_total{tenant="a\"b",source="c\\d\ne",outcome="ok"} 1"#),
            "{text}"
        );
        assert_eq!(m.polls("a\"b", "c\\d\ne", "ok"), 1);
        assert!(text.ends_with("# EOF\n"), "{text}");
    }

    #[test]
    fn the_ratio_counts_alerts_sent_within_ten_seconds() {
        let m = Metrics::new(super::super::gauges::Gauges::detached());
        let ms = Duration::from_millis;
        m.alert_finished("email", "sent", ms(10), Some(ms(900)));
        m.alert_finished("email", "sent", ms(10), Some(ms(20_000)));
        m.alert_finished("email", "failed", ms(10), None);
        let text = m.encode();
        assert!(
            text.contains("hlidac_alerts_sent_within_10s_ratio{channel=\"email\"} 0.5"),
            "{text}"
        );
        assert!(
            text.contains("hlidac_send_duration_seconds_count{channel=\"email\"} 3"),
            "{text}"
        );
    }
}
