//! `scripts/bench scale`: alerts per second delivered by 1 and by 3 `hlidac run` sharing
//! one PostgreSQL database, in two modes: straight to Postfix's smtp-sink (what the
//! database and the daemon can do) and through a relay that answers each message after
//! 20 ms (where parallel senders should scale). One JSON line per mode.

use crate::bench_dispatch::{env_or, PostfixSink};
use crate::helpers::*;
use crate::scale::{many_fees, Fleet};
use crate::slow_relay::SlowRelay;
use sqlx::Row;
use std::time::Duration;

/// Alerts a second from the first send to the last, with `instances` running.
async fn rate(alerts: usize, instances: usize, delay_ms: u64) -> f64 {
    let (_sim, sim_url) = start_sim(many_fees(alerts)).await;
    let (_postfix, relay, port) = if delay_ms == 0 {
        let program =
            std::env::var("HLIDAC_BENCH_SMTP_SINK").unwrap_or("/usr/sbin/smtp-sink".into());
        let sink = PostfixSink::start(&program);
        let port = sink.port;
        (Some(sink), None, port)
    } else {
        let relay = SlowRelay::start(Duration::from_millis(delay_ms)).await;
        let port = relay.port;
        (None, Some(relay), port)
    };
    let mut fleet = Fleet::prepare(Engine::Postgres, &sim_url, port)
        .await
        .expect("scripts/bench starts PostgreSQL");
    for _ in 0..instances {
        // The shipped dispatch settings, but for the lease the fleet keeps short.
        fleet.start_with(&[
            ("HLIDAC_DISPATCH__BATCH_SIZE", "100"),
            ("HLIDAC_LOG", "error"),
        ]);
    }
    fleet.wait_all_sent(alerts, Duration::from_secs(1800)).await;
    fleet.stop_all();
    if let Some(relay) = &relay {
        assert!(
            relay.accepted() >= alerts,
            "the relay took {} of {alerts}",
            relay.accepted()
        );
    }
    let store = fleet.store().await;
    let row = sqlx::query("SELECT MIN(sent_at) AS a, MAX(sent_at) AS b FROM outbox")
        .fetch_one(store.pool())
        .await
        .expect("times");
    let (first, last): (i64, i64) = (row.try_get("a").expect("a"), row.try_get("b").expect("b"));
    alerts as f64 / (((last - first).max(1)) as f64 / 1000.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with scripts/bench scale"]
async fn bench_scale() {
    let alerts: usize = env_or("HLIDAC_BENCH_ALERTS", 10_000);
    let delays: Vec<u64> = match std::env::var("HLIDAC_BENCH_SINK_DELAY_MS") {
        Ok(d) => vec![d.parse().expect("a delay in ms")],
        Err(_) => vec![0, 20],
    };
    let round = |x: f64| (x * 10.0).round() / 10.0;
    for delay_ms in delays {
        let one = rate(alerts, 1, delay_ms).await;
        let three = rate(alerts, 3, delay_ms).await;
        println!(
            "{}",
            serde_json::json!({
                "bench": "scale",
                "sink_delay_ms": delay_ms,
                "alerts": alerts,
                "alerts_per_s_1_instance": round(one),
                "alerts_per_s_3_instances": round(three),
                "scaling": (three / one * 100.0).round() / 100.0,
                "max_in_doubt": hlidac::config::DispatchConfig::default().in_doubt(),
                "database": "postgresql (local, throw-away cluster)",
                "smtp_server": if delay_ms == 0 { "postfix smtp-sink" } else { "a relay answering each message after the delay" },
                "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
            })
        );
    }
}
