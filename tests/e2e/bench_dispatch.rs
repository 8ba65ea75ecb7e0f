//! `scripts/bench dispatch [sqlite|postgres]`: 100,000 rendered alerts of about 2 KiB
//! dispatched from the outbox to Postfix's smtp-sink on loopback, then smtp-source sending
//! the same count and size to the same sink over the same number of connections; one JSON
//! line.

use crate::helpers::{fresh_database, number_of, Engine};
use hlidac::clock::SystemClock;
use hlidac::config::Overrides;
use hlidac::settings::load_str;
use hlidac::store::NewEvent;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A benchmark setting from the environment, or its default.
pub fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Postfix's smtp-sink on a free loopback port, stopped when dropped.
pub struct PostfixSink {
    child: Child,
    pub port: u16,
}

impl PostfixSink {
    pub fn start(program: &str) -> PostfixSink {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let mut cmd = Command::new(program);
        // As root it must drop privileges; nobody exists everywhere.
        if is_root() {
            cmd.args(["-u", "nobody"]);
        }
        let child = cmd
            .arg(format!("127.0.0.1:{port}"))
            .arg("1024")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{program}: {e} (scripts/bench installs postfix)"));
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "smtp-sink did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        PostfixSink { child, port }
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl Drop for PostfixSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn bench_config(
    dir: &Path,
    db: &str,
    email: &str,
    connections: u32,
    in_doubt: Option<u32>,
) -> String {
    let in_doubt = in_doubt
        .map(|n| format!("max_in_doubt = {n}"))
        .unwrap_or_default();
    format!(
        r#"
state_dir = "{state}"
[database]
url = "{db}"
{email}
[dispatch]
batch_size = 500
concurrency = {connections}
{in_doubt}
lease_secs = 120
[log]
level = "warn"
[[tenant]]
id = "bench"
name = "Město Benchov"
locale = "cs"
time_zone = "Europe/Prague"
sender = {{ email = "hlidac@benchov.example" }}
"#,
        state = dir.display(),
    )
}

/// A new fee; its e-mail (text and HTML parts, headers) comes to about 2.5 KiB.
fn fee_event(i: usize, person_hash: &str) -> NewEvent {
    NewEvent {
        id: format!("bench-{i:07}"),
        tenant_id: "bench".into(),
        source_id: "agenda".into(),
        kind: "receivable.new".into(),
        record_key: format!("R-{i:07}"),
        person_hash: person_hash.into(),
        payload: serde_json::json!({
            "key": format!("R-{i:07}"),
            "title": "Poplatek za odpady",
            "currency": "CZK",
            "amount_due": "1200.00",
            "amount_outstanding": "1200.00",
            "amount": "1200.00",
            "due_date": "2027-03-31",
        }),
        expires_at: None,
        dry_run: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run it with scripts/bench dispatch"]
async fn bench_dispatch() {
    let alerts: usize = env_or("HLIDAC_BENCH_ALERTS", 100_000);
    let connections: u32 = env_or("HLIDAC_BENCH_CONNECTIONS", 8);
    // Unset: the default, one per connection.
    let in_doubt: Option<u32> = std::env::var("HLIDAC_BENCH_IN_DOUBT")
        .ok()
        .and_then(|v| v.parse().ok());
    let engine = match std::env::var("HLIDAC_BENCH_ENGINE").as_deref() {
        Ok("postgres") => Engine::Postgres,
        _ => Engine::Sqlite,
    };
    let citizens: usize = 1000;
    let sink_bin = std::env::var("HLIDAC_BENCH_SMTP_SINK").unwrap_or("/usr/sbin/smtp-sink".into());
    let source_bin =
        std::env::var("HLIDAC_BENCH_SMTP_SOURCE").unwrap_or("/usr/sbin/smtp-source".into());
    let dir = tempfile::tempdir().expect("tempdir");
    let sink = PostfixSink::start(&sink_bin);
    let db = fresh_database(engine, dir.path())
        .await
        .expect("scripts/bench starts PostgreSQL");

    // The size of one message as sent: render one alert to a file first.
    let mail_dir = dir.path().join("mail");
    let file_config = bench_config(
        dir.path(),
        &db,
        &format!("[email]\ntype = \"file\"\ndir = \"{}\"", mail_dir.display()),
        connections,
        in_doubt,
    );
    let load = |text: &str| {
        load_str(text, Path::new("/bench/hlidac.toml"), &Overrides::default())
            .unwrap_or_else(|e| panic!("bench config: {e}"))
    };
    let file_app = hlidac::app::App::new(load(&file_config), Arc::new(SystemClock))
        .await
        .expect("app");
    let mut people = Vec::new();
    for c in 0..citizens {
        let person = format!("BENCH-{c:06}");
        file_app
            .enrol("bench", &person, &format!("c{c}@benchov.example"), None)
            .await
            .expect("enrol");
        people.push(file_app.person_hash(&person));
    }
    let now = file_app.clock.now_ms();
    file_app
        .store
        .insert_events(&[fee_event(alerts, &people[0])], now)
        .await
        .expect("sample");
    file_app.dispatch_pending().await.expect("sample sent");
    let message_bytes = std::fs::read_dir(&mail_dir)
        .expect("mail dir")
        .flatten()
        .map(|e| e.metadata().map(|m| m.len()).unwrap_or(0))
        .next()
        .unwrap_or(0);
    drop(file_app);

    let smtp_config = bench_config(
        dir.path(),
        &db,
        &format!(
            "[email]\ntype = \"smtp\"\nhost = \"127.0.0.1\"\nport = {}\ntls = \"none\"\npool_size = {connections}",
            sink.port
        ),
        connections,
        in_doubt,
    );
    let app = hlidac::app::App::new(load(&smtp_config), Arc::new(SystemClock))
        .await
        .expect("app");
    let events: Vec<NewEvent> = (0..alerts)
        .map(|i| fee_event(i, &people[i % citizens]))
        .collect();
    let queued = app
        .store
        .insert_events(&events, app.clock.now_ms())
        .await
        .expect("queue");
    assert_eq!(queued, alerts);

    // The daemon as shipped (`hlidac run`, its own allocator and runtime) sends them.
    let config_path = dir.path().join("hlidac.toml");
    std::fs::write(&config_path, &smtp_config).expect("config");
    let store = app.store.clone();
    drop(app);
    let started = Instant::now();
    let started_ms = chrono::Utc::now().timestamp_millis();
    let mut daemon = crate::helpers::hlidac_command();
    // The benchmark's own settings are not the daemon's config keys.
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("HLIDAC_BENCH_")) {
        daemon.env_remove(name);
    }
    let mut daemon = daemon
        .arg("--config")
        .arg(&config_path)
        .arg("run")
        .env("HLIDAC_WEB__LISTEN", "127.0.0.1:0")
        .stdout(Stdio::null())
        .spawn()
        .expect("hlidac run");
    let mut rss = 0.0;
    loop {
        let counts: std::collections::HashMap<String, i64> = store
            .alert_counts()
            .await
            .expect("counts")
            .into_iter()
            .collect();
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", daemon.id())) {
            rss = status
                .lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<f64>().ok())
                .map(|kib| (kib / 1024.0 * 10.0).round() / 10.0)
                .unwrap_or(rss);
        }
        if counts.get("sent").copied().unwrap_or(0) as usize > alerts {
            break;
        }
        for bad in ["dead", "failed"] {
            assert_eq!(counts.get(bad), None, "{counts:?}");
        }
        assert!(started.elapsed() < Duration::from_secs(1800), "too slow");
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();
    use sqlx::Row;
    let last_sent = number_of(&store, "SELECT MAX(sent_at) AS t FROM outbox").await;
    let took = (last_sent - started_ms) as f64 / 1000.0;
    let mut latencies: Vec<i64> = sqlx::query(
        "SELECT sent_at - next_attempt_at AS ms FROM outbox WHERE state = 'sent' AND event_id <> $1",
    )
    .bind(format!("bench-{alerts:07}"))
    .fetch_all(store.pool())
    .await
    .expect("latencies")
    .iter()
    .map(|r| r.try_get::<i64, _>("ms").unwrap_or(0))
    .collect();
    latencies.sort_unstable();
    assert_eq!(latencies.len(), alerts);
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];

    // The same count and size from smtp-source over the same number of connections.
    let source_started = Instant::now();
    let status = Command::new(&source_bin)
        .args([
            "-d",
            "-s",
            &connections.to_string(),
            "-m",
            &alerts.to_string(),
        ])
        .args(["-l", &message_bytes.to_string()])
        .args(["-f", "hlidac@benchov.example", "-t", "c0@benchov.example"])
        .arg(format!("127.0.0.1:{}", sink.port))
        .stdout(Stdio::null())
        .status()
        .expect("smtp-source");
    assert!(status.success());
    let source_took = source_started.elapsed().as_secs_f64();

    let rate = alerts as f64 / took;
    let source_rate = alerts as f64 / source_took;
    let round = |x: f64| (x * 10.0).round() / 10.0;
    println!(
        "{}",
        serde_json::json!({
            "bench": "dispatch",
            "engine": if engine == Engine::Postgres { "postgres" } else { "sqlite" },
            "alerts": alerts,
            "message_bytes": message_bytes,
            "connections": connections,
            "max_in_doubt": in_doubt.unwrap_or_else(|| hlidac::config::DispatchConfig { concurrency: connections, ..Default::default() }.in_doubt()),
            "p99_ms": pct(0.99),
            "wall_s": round(took),
            "alerts_per_s": round(rate),
            "smtp_source_per_s": round(source_rate),
            "ratio_to_smtp_source": (rate / source_rate * 1000.0).round() / 1000.0,
            "latency_due_to_accepted_ms": {"p50": pct(0.50), "p99": pct(0.99)},
            "peak_rss_mib": rss,
            "durability": if engine == Engine::Postgres { "every state change committed (PostgreSQL; the test cluster runs with fsync off)" } else { "every state change committed (SQLite WAL, synchronous=NORMAL: survives a crash of the process, not of the machine)" },
            "measured": "hlidac run, from its start to the last alert accepted",
            "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
        })
    );
}
