//! The collector behind `/metrics` for what is not counted in the process: whether the
//! database and the SMTP relay are up (from [`Health`]), and the database's gauges as the
//! probe last sampled them. It reads only memory, so a scrape never waits on the database.

use super::metrics::Text;
use crate::clock::Clock;
use crate::health::{Health, Sample, Trouble};
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeMetric};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::gauge::ConstGauge;
use prometheus_client::metrics::MetricType;
use prometheus_client::registry::Unit;
use std::sync::Arc;

/// The health and the last database sample, encoded on each scrape.
pub struct Gauges {
    health: Arc<Health>,
    clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for Gauges {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gauges").finish_non_exhaustive()
    }
}

impl Gauges {
    pub fn new(health: Arc<Health>, clock: Arc<dyn Clock>) -> Gauges {
        Gauges { health, clock }
    }

    /// Gauges of a health nobody reports to (for tests of the registry).
    #[cfg(test)]
    pub fn detached() -> Gauges {
        Gauges::new(Arc::default(), Arc::new(crate::clock::SystemClock))
    }
}

type Fmt = Result<(), std::fmt::Error>;

/// One series without labels.
fn single(
    enc: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    unit: Option<&Unit>,
    metric: impl EncodeMetric,
) -> Fmt {
    let m = enc.encode_descriptor(name, help, unit, metric.metric_type())?;
    metric.encode(m)
}

/// A per-source series: name, type, help, and its value from the source's health.
type SourceSeries = (
    &'static str,
    MetricType,
    &'static str,
    fn(&crate::store::SourceHealth) -> i64,
);

impl Collector for Gauges {
    fn encode(&self, mut enc: DescriptorEncoder) -> Fmt {
        for (trouble, help) in [
            (Trouble::Unreachable, "1 while the database answers"),
            (
                Trouble::Unwritable,
                "1 while writes to the database succeed",
            ),
            (Trouble::Smtp, "1 while the SMTP relay takes messages"),
        ] {
            let up = i64::from(!self.health.is(trouble));
            single(&mut enc, trouble.metric(), help, None, ConstGauge::new(up))?;
        }
        let Some((at, sample)) = self.health.sample() else {
            return Ok(());
        };
        single(
            &mut enc,
            "hlidac_database_sample_age",
            "Age of the database gauges below (sampled in the background)",
            Some(&Unit::Seconds),
            ConstGauge::new(at.elapsed().as_secs_f64()),
        )?;
        encode_sample(&mut enc, &sample, self.clock.now_ms())
    }
}

fn encode_sample(enc: &mut DescriptorEncoder, s: &Sample, now_ms: i64) -> Fmt {
    let mut alerts = enc.encode_descriptor(
        "hlidac_alerts",
        "Alerts in the outbox by channel and state",
        None,
        MetricType::Gauge,
    )?;
    let mut depth = 0;
    for (channel, state, n) in &s.counts {
        let labels = [
            ("channel", Text(channel.clone())),
            ("state", Text(state.clone())),
        ];
        ConstGauge::new(*n).encode(alerts.encode_family(&labels)?)?;
        if state == "queued" || state == "sending" {
            depth += n;
        }
    }
    single(
        enc,
        "hlidac_outbox_depth",
        "Alerts waiting to be sent",
        None,
        ConstGauge::new(depth),
    )?;
    let mut logins = enc.encode_descriptor(
        "hlidac_logins",
        "eID logins by identity provider and outcome",
        None,
        MetricType::Counter,
    )?;
    for l in &s.logins {
        let labels = [
            ("idp", Text(l.idp.clone())),
            ("outcome", Text(l.outcome.clone())),
        ];
        let n = u64::try_from(l.count).unwrap_or(0);
        ConstCounter::new(n).encode(logins.encode_family(&labels)?)?;
    }
    // A gauge: erasing a citizen deletes their reports, so the number can go down.
    let mut feedback = enc.encode_descriptor(
        "hlidac_mail_feedback",
        "Delivery reports on record (DSN and ARF read by `hlidac bounce`, and the feedback webhook's), per tenant and kind (bounce, soft_bounce, complaint)",
        None,
        MetricType::Gauge,
    )?;
    for (tenant, kind, n) in &s.feedback {
        let labels = [
            ("tenant", Text(tenant.clone())),
            ("kind", Text(kind.clone())),
        ];
        ConstGauge::new(*n).encode(feedback.encode_family(&labels)?)?;
    }
    let age = s
        .oldest_due
        .map_or(0.0, |t| ((now_ms - t).max(0) as f64) / 1000.0);
    single(
        enc,
        "hlidac_outbox_oldest_pending_age",
        "How long the oldest waiting alert has been due (since it first became due, across retries)",
        Some(&Unit::Seconds),
        ConstGauge::new(age),
    )?;
    let per_source: [SourceSeries; 4] = [
        (
            "hlidac_source_failures",
            MetricType::Counter,
            "Failed polls per source since it was first seen",
            |h| h.total_failures,
        ),
        (
            "hlidac_source_consecutive_failures",
            MetricType::Gauge,
            "Failed polls in a row",
            |h| h.consecutive_failures,
        ),
        (
            "hlidac_source_quarantined",
            MetricType::Gauge,
            "1 while a source's last poll was rejected as suspicious",
            |h| i64::from(h.state == "quarantined"),
        ),
        (
            "hlidac_source_held_records",
            MetricType::Gauge,
            "Records the source's last read held back alone (they do not follow the protocol)",
            |h| h.held_records,
        ),
    ];
    for (name, kind, help, value) in per_source {
        let mut family = enc.encode_descriptor(name, help, None, kind)?;
        for (t, src, h) in &s.sources {
            let labels = [("tenant", Text(t.clone())), ("source", Text(src.clone()))];
            let m = family.encode_family(&labels)?;
            match kind {
                MetricType::Counter => {
                    ConstCounter::new(u64::try_from(value(h)).unwrap_or(0)).encode(m)?
                }
                _ => ConstGauge::new(value(h)).encode(m)?,
            }
        }
    }
    Ok(())
}
