//! Watching the municipality's systems.
//!
//! What comes in: each source's records, polled on its cron schedule ([`poll`]), and the
//! clock ([`rules`]). What goes out: observations (the last known state of each record)
//! and events, each written in one transaction with the alerts it causes. What it must
//! never do: emit anything from a failed or suspicious poll, or from a record's absence.

mod capabilities;
mod changes;
pub(crate) mod diff;
mod held;
pub mod poll;
pub mod preview;
pub mod push;
mod registry;
pub mod rules;
mod service;
mod tracked;

use crate::config::parse_schedule;
pub use service::Watch;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Runs one source's schedule until shutdown: the tick that fired last (at start), then
/// every following tick. Each tick is claimed in the database first, so when several
/// instances share it, exactly one of them polls. After each successful poll the tenant's
/// rules run and the dispatcher is woken.
pub async fn run_source(
    watch: Arc<Watch>,
    tenant_id: String,
    source_id: String,
    shutdown: CancellationToken,
    wake: Arc<Notify>,
) {
    let Some(tenant) = watch.config.tenant(&tenant_id).cloned() else {
        return;
    };
    let Some(source) = tenant.source(&source_id).cloned() else {
        return;
    };
    let Some(schedule_text) = source.schedule.as_deref() else {
        return; // a push source: nothing to poll
    };
    let schedule = match parse_schedule(schedule_text) {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(tenant = %tenant_id, source = %source_id, error = %e, "bad schedule; source not polled");
            return;
        }
    };
    let mut tick = previous_fire(&schedule, watch.clock.now());
    loop {
        let at = match tick.take() {
            Some(at) => at,
            None => {
                let now = watch.clock.now();
                let Some(next) = schedule.after(&now).next() else {
                    tracing::warn!(tenant = %tenant_id, source = %source_id, "schedule has no further ticks");
                    return;
                };
                let wait = (next - now).to_std().unwrap_or_default();
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
                next
            }
        };
        let claimed = watch
            .store
            .claim_tick(
                &tenant_id,
                &source_id,
                at.timestamp_millis(),
                &watch.instance,
                watch.clock.now_ms(),
            )
            .await;
        match claimed {
            Ok(true) => {}
            Ok(false) => {
                tracing::debug!(tenant = %tenant_id, source = %source_id, "tick taken by another instance");
                continue;
            }
            Err(e) => {
                let _span = tracing::info_span!("source", tenant = %tenant_id, source = %source_id)
                    .entered();
                watch.health.db_error("cannot claim the tick; skipped", &e);
                continue;
            }
        }
        let polled = tokio::select! {
            _ = shutdown.cancelled() => return,
            r = poll::poll_source(&watch, &tenant, &source) => r,
        };
        if polled.is_ok() {
            if let Err(e) = rules::evaluate_tenant(&watch, &tenant).await {
                tracing::error!(tenant = %tenant_id, error = %e, "reminder rules failed");
            }
            wake.notify_one();
        }
    }
}

/// Evaluates the reminder and overdue rules for every tenant at a fixed pace.
pub async fn run_rules(watch: Arc<Watch>, shutdown: CancellationToken, wake: Arc<Notify>) {
    let period = std::time::Duration::from_secs(watch.config.watch.rules_interval_secs.max(1));
    let mut ticker = tokio::time::interval(period);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = ticker.tick() => {}
        }
        watch.heartbeats.rules();
        let day_ago = watch.clock.now_ms() - 86_400_000;
        if let Err(e) = watch.store.prune_ticks(day_ago).await {
            watch.health.db_error("cannot prune old tick claims", &e);
        }
        let evaluated = tokio::select! {
            _ = shutdown.cancelled() => return,
            r = rules::evaluate(&watch) => r,
        };
        match evaluated {
            Ok(n) if n > 0 => wake.notify_one(),
            Ok(_) => {}
            Err(e) => watch.health.db_error("reminder rules failed", &e),
        }
    }
}

/// The latest time at or before `now` at which `schedule` fired, for periodic schedules:
/// looks back two periods (the gap between the next two fires).
pub fn previous_fire(
    schedule: &cron::Schedule,
    now: chrono::DateTime<chrono::Utc>,
) -> Option<chrono::DateTime<chrono::Utc>> {
    let mut next = schedule.after(&now);
    let (a, b) = (next.next()?, next.next()?);
    let gap = b - a;
    schedule
        .after(&(now - gap - gap))
        .take_while(|t| *t <= now)
        .last()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_previous_fire_is_the_last_tick_at_or_before_now() {
        let at = |s: &str| s.parse::<chrono::DateTime<chrono::Utc>>().expect("time");
        let every_5_min = parse_schedule("*/5 * * * *").expect("cron");
        assert_eq!(
            previous_fire(&every_5_min, at("2026-05-01T10:07:30Z")),
            Some(at("2026-05-01T10:05:00Z"))
        );
        assert_eq!(
            previous_fire(&every_5_min, at("2026-05-01T10:05:00Z")),
            Some(at("2026-05-01T10:05:00Z"))
        );
        let daily = parse_schedule("30 6 * * *").expect("cron");
        assert_eq!(
            previous_fire(&daily, at("2026-05-01T05:00:00Z")),
            Some(at("2026-04-30T06:30:00Z"))
        );
    }
}
