//! Crash safety: `hlidac run` is killed with SIGKILL at random moments while it sends
//! 10,000 alerts, 20 times over, restarted each time. Every alert reaches the SMTP server
//! at least once, and the duplicates counted there by Message-ID are at most the kills:
//! with `dispatch.max_in_doubt = 1` (the default) at most one message is ever with the
//! server while its record is unwritten.

use crate::helpers::*;
use crate::scale::wait_for_count;
use hlidac_adapters::sim::Scenario;
use rand::Rng;
use std::collections::HashMap;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const ALERTS: usize = 10_000;
const KILLS: usize = 20;

fn many_fees(n: usize) -> Scenario {
    Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: (0..n)
            .map(|i| fee(&format!("K-{i:06}"), JANA, "Poplatek", 10000, "2026-12-31"))
            .collect(),
        submissions: vec![],
        timeline: vec![],
    }
}

fn start(config: &std::path::Path, log: &std::path::Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_hlidac"))
        .arg("--config")
        .arg(config)
        .arg("run")
        .env("HLIDAC_WEB__LISTEN", "127.0.0.1:0")
        .env("HLIDAC_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(log)
                .expect("log"),
        )
        .spawn()
        .expect("hlidac run")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_daemon_20_times_loses_no_alert_and_doubles_at_most_one_per_kill() {
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(Engine::Sqlite, dir.path())
        .await
        .expect("sqlite");
    let text = config_text(&dir.path().join("state"), &db, &sim_url, smtp.port)
        .replace("lease_secs = 60", "lease_secs = 12")
        .replace("interval_ms = 100", "interval_ms = 50")
        .replace("timeout_secs = 1\n", "timeout_secs = 30\n");
    let config = dir.path().join("hlidac.toml");
    std::fs::write(&config, text).expect("config");
    enrol_cli(&config, JANA, JANA_MAIL, None);
    let log = dir.path().join("daemon.log");

    // Let the first poll queue everything, then kill at random moments of sending.
    let mut rng = rand::thread_rng();
    let mut kills = 0;
    let mut daemon = start(&config, &log);
    wait_for_count(&smtp, 1, Duration::from_secs(120)).await;
    while kills < KILLS {
        let pause = rng.gen_range(100..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let _ = daemon.kill(); // SIGKILL
        let _ = daemon.wait();
        kills += 1;
        daemon = start(&config, &log);
    }
    let killed_at = smtp.count();
    assert!(
        killed_at < ALERTS,
        "the kills came too late to test anything ({killed_at} mails already)"
    );

    // The last one finishes the job (alerts held by a killed one come back after their
    // lease).
    let store = hlidac::store::Store::connect(&db, 1).await.expect("store");
    let started = Instant::now();
    loop {
        let counts: HashMap<String, i64> = store
            .alert_counts()
            .await
            .expect("counts")
            .into_iter()
            .collect();
        if counts.get("sent").copied().unwrap_or(0) == ALERTS as i64 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(600),
            "not all sent: {counts:?}\n{}",
            std::fs::read_to_string(&log).unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let _ = daemon.wait();

    let mails = smtp.mails();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for m in &mails {
        *seen.entry(m.message_id.clone()).or_default() += 1;
    }
    let alerts = store.alerts().await.expect("alerts");
    assert_eq!(alerts.len(), ALERTS);
    for a in &alerts {
        assert!(
            seen.contains_key(&format!("<{}@lhota.example>", a.id)),
            "alert {} never reached the server",
            a.id
        );
    }
    let duplicates = mails.len() - seen.len();
    eprintln!(
        "{kills} kills while sending ({killed_at} of {ALERTS} sent before the last restart): {duplicates} duplicates"
    );
    assert!(
        duplicates <= kills,
        "{duplicates} duplicates after {kills} kills"
    );
}
