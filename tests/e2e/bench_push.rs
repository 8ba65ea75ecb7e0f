//! `scripts/bench push`: signed pushes, one new submission each, at a steady 200 a second
//! for 60 s to a running `hlidac run` (SQLite, the default settings), each alert sent to
//! Postfix's smtp-sink. Latency runs from the push being accepted (its 200) to the alert
//! being accepted by the SMTP server (its `sent_at`, recorded in the commit that follows).

use crate::bench_dispatch::{env_or, PostfixSink};
use crate::helpers::*;
use crate::ingest::{sign, with_push_source, SECRET};

use sqlx::Row;
use std::collections::HashMap;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with scripts/bench push"]
async fn bench_push() {
    let rate: u64 = env_or("HLIDAC_BENCH_RATE", 200);
    let secs: u64 = env_or("HLIDAC_BENCH_SECS", 60);
    let program = std::env::var("HLIDAC_BENCH_SMTP_SINK").unwrap_or("/usr/sbin/smtp-sink".into());
    let sink = PostfixSink::start(&program);
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/hlidac.db?mode=rwc", dir.path().display());
    // No polled source: the push source alone.
    let text = config_text(
        &dir.path().join("state"),
        &db,
        "http://127.0.0.1:9",
        sink.port,
    );
    let text =
        with_push_source(text.replace("schedule = \"* * * * * *\"", "schedule = \"0 0 0 1 1 *\""));
    let config = dir.path().join("hlidac.toml");
    std::fs::write(&config, text).expect("config");
    enrol_cli(&config, JANA, JANA_MAIL, None);
    let listen = format!("127.0.0.1:{}", free_port());
    let mut daemon = hlidac_with_config(&config)
        .arg("run")
        .env("HLIDAC_WEB__LISTEN", &listen)
        .env("HLIDAC_LOG", "error")
        .stdout(Stdio::null())
        .spawn()
        .expect("run");
    let base = format!("http://{listen}");
    crate::outage_db::wait_status(&format!("{base}/readyz"), 200, Duration::from_secs(30)).await;

    let client = reqwest::Client::new();
    let accepted: Arc<Mutex<HashMap<String, i64>>> = Arc::default();
    let refused = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let total = rate * secs;
    let mut ticker = tokio::time::interval(Duration::from_micros(1_000_000 / rate));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for i in 0..total {
        ticker.tick().await;
        let key = format!("S-{i:06}");
        let record =
            serde_json::to_value(submission(&key, JANA, "Žádost", &format!("MULH {i}/2026")))
                .expect("json");
        let body = serde_json::json!({"submissions": [record]}).to_string();
        let (client, url, accepted, refused) = (
            client.clone(),
            format!("{base}/ingest/lhota/podatelna"),
            accepted.clone(),
            refused.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let ts = chrono::Utc::now().timestamp();
            let ok = client
                .post(url)
                .header("X-Hlidac-Timestamp", ts.to_string())
                .header("X-Hlidac-Signature", sign(ts, &body, SECRET))
                .header("content-type", "application/json")
                .body(body)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ok {
                let at = chrono::Utc::now().timestamp_millis();
                accepted.lock().expect("lock").insert(key, at);
            } else {
                refused.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }));
    }
    for t in tasks {
        t.await.expect("push task");
    }
    let pushing = started.elapsed().as_secs_f64();
    let store = hlidac::store::Store::connect(&db, 1).await.expect("open");
    let wait_from = Instant::now();
    let sent: Vec<(String, i64)> = loop {
        let rows = sqlx::query(
            "SELECT e.record_key AS k, o.sent_at AS t FROM outbox o JOIN events e ON e.id = o.event_id
             WHERE o.state = 'sent'",
        )
        .fetch_all(store.pool())
        .await
        .expect("sent");
        if rows.len() as u64 >= total || wait_from.elapsed() > Duration::from_secs(120) {
            break rows
                .iter()
                .map(|r| (r.try_get("k").expect("k"), r.try_get("t").expect("t")))
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    };
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    let accepted = accepted.lock().expect("lock").clone();
    let mut latencies: Vec<i64> = sent
        .iter()
        .filter_map(|(k, t)| accepted.get(k).map(|a| (t - a).max(0)))
        .collect();
    latencies.sort_unstable();
    assert!(!latencies.is_empty(), "no alert was sent");
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "{}",
        serde_json::json!({
            "bench": "push",
            "pushes": total,
            "rate_per_s": rate,
            "achieved_rate_per_s": (total as f64 / pushing * 10.0).round() / 10.0,
            "refused": refused.load(std::sync::atomic::Ordering::Relaxed),
            "alerts_sent": sent.len(),
            "p50_ms": pct(0.50),
            "p99_ms": pct(0.99),
            "max_ms": latencies[latencies.len() - 1],
            "engine": "sqlite",
            "smtp_server": "postfix smtp-sink",
            "measured": "from the push's 200 to the SMTP server accepting its alert (sent_at)",
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        })
    );
}
