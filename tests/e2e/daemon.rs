//! The real binary: `hlidac citizen add`, then `hlidac run` on the system clock with the
//! demo town; alerts arrive at a real SMTP server, logs hold no personal data, and SIGTERM
//! stops it cleanly.

use crate::helpers::*;
use hlidac_sim::{demo_scenario, DEMO_PERSON_JANA, DEMO_PERSON_PETR};
use std::process::{Command, Stdio};
use std::time::Duration;

fn hlidac(config: &std::path::Path) -> Command {
    let mut c = crate::helpers::hlidac_command();
    c.arg("--config").arg(config).env("HLIDAC_LOG", "info");
    c
}

/// The demo town served by the simulator, a mail sink, and a SQLite config for both.
struct Demo {
    _sim: hlidac_sim::Sim,
    smtp: SmtpSink,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    db: String,
}

async fn demo() -> Demo {
    let today = chrono::Local::now().date_naive();
    let (sim, sim_url) = start_sim(demo_scenario(today)).await;
    let smtp = SmtpSink::start();
    let (dir, config, db) = sqlite_config(&sim_url, smtp.port).await;
    Demo {
        _sim: sim,
        smtp,
        dir,
        config,
        db,
    }
}

/// `hlidac run`, its standard error going to `stderr`.
fn run(config: &std::path::Path, stderr: impl Into<Stdio>, what: &str) -> std::process::Child {
    hlidac(config)
        .arg("run")
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .expect(what)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daemon_sends_the_demo_alerts_and_stops_on_sigterm() {
    let demo = demo().await;
    let (smtp, dir, config) = (&demo.smtp, &demo.dir, &demo.config);

    for (person, mail, locale) in [
        (DEMO_PERSON_JANA, "jana@lhota.example", "cs"),
        (DEMO_PERSON_PETR, "petr@lhota.example", "en"),
    ] {
        enrol_cli(config, person, mail, Some(locale));
    }
    let list = hlidac(config)
        .args(["citizen", "list"])
        .output()
        .expect("citizen list");
    let listing = String::from_utf8_lossy(&list.stdout);
    assert!(
        listing.contains("j***@lhota.example") && listing.contains("p***@lhota.example"),
        "{listing}"
    );

    let log = dir.path().join("daemon.log");
    let mut child = run(
        config,
        std::fs::File::create(&log).expect("log file"),
        "run",
    );
    // Jana: waste fee, dog fee, building request; Petr: property tax.
    let mails = smtp.wait_for(4, Duration::from_secs(60)).await;
    // The sink has a mail a moment before the daemon records it as sent.
    let mut probed = probe_web(&log).await;
    // The database's gauges are sampled every 5 s.
    for _ in 0..120 {
        if probed
            .1
            .contains("hlidac_alerts{channel=\"email\",state=\"sent\"} 4")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
        probed = probe_web(&log).await;
    }
    let (health, metrics) = probed;
    for family in [
        "hlidac_outbox_depth 0",
        "hlidac_outbox_oldest_pending_age_seconds 0",
        "hlidac_send_duration_seconds_count{channel=\"email\"} 4",
        "hlidac_alert_latency_seconds_bucket{le=\"+Inf\",channel=\"email\"} 4",
        "hlidac_source_quarantined{tenant=\"lhota\",source=\"agenda\"} 0",
        "hlidac_alerts_sent_within_10s_ratio{channel=\"email\"} 1",
    ] {
        assert!(metrics.contains(family), "{family} missing in:\n{metrics}");
    }
    assert_metric_families(&metrics);
    let stopped = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(stopped.success());
    let status = wait_exit(&mut child, Duration::from_secs(20)).await;

    expect_mails(
        &mails,
        &[
            (
                "jana@lhota.example",
                "nový poplatek k úhradě – Poplatek za obecní systém odpadového hospodářství",
            ),
            (
                "jana@lhota.example",
                "nový poplatek k úhradě – Poplatek ze psů",
            ),
            ("jana@lhota.example", "sledujeme vaše podání MUDE 1234/2026"),
            ("petr@lhota.example", "new bill – Property tax"),
        ],
    );
    assert!(mails.iter().all(|m| m.body.contains("Obec Lhota")));
    assert!(
        status.is_some_and(|s| s.success()),
        "exit after SIGTERM: {status:?}"
    );
    assert_eq!(health, "ok\n");
    assert!(
        metrics.contains("hlidac_polls_total{tenant=\"lhota\",source=\"agenda\",outcome=\"ok\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("hlidac_alerts{channel=\"email\",state=\"sent\"} 4"),
        "{metrics}"
    );
    let log = std::fs::read_to_string(&log).expect("log");
    assert!(
        log.contains("hlidac is running") && log.contains("hlidac stopped"),
        "{log}"
    );
    for secret in [
        DEMO_PERSON_JANA,
        DEMO_PERSON_PETR,
        "jana@lhota.example",
        "sim-token",
    ] {
        assert!(!log.contains(secret), "{secret} appears in the log:\n{log}");
    }
}

async fn wait_exit(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let until = tokio::time::Instant::now() + limit;
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        if tokio::time::Instant::now() >= until {
            let _ = child.kill();
            return None;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Reads the bound address from the log line "hlidac is running addr=…" and fetches
/// /healthz and /metrics.
async fn probe_web(log: &std::path::Path) -> (String, String) {
    let (health, metrics, ready) = probe_all(log).await;
    assert_eq!(ready, "ok\n");
    (health, metrics)
}

async fn probe_all(log: &std::path::Path) -> (String, String, String) {
    let text = std::fs::read_to_string(log).expect("log");
    let addr = text
        .lines()
        .find(|l| l.contains("hlidac is running"))
        .and_then(|l| l.split("addr=").nth(1))
        .map(|a| {
            a.split_whitespace()
                .next()
                .unwrap_or(a)
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .to_string()
        })
        .unwrap_or_else(|| panic!("no listen address in the log:\n{text}"));
    let get = |path: &str| {
        let url = format!("http://{addr}{path}");
        async move {
            reqwest::get(&url)
                .await
                .expect("get")
                .text()
                .await
                .expect("body")
        }
    };
    (
        get("/healthz").await,
        get("/metrics").await,
        get("/readyz").await,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_run_on_the_same_sqlite_database_refuses_to_start_and_names_the_first() {
    let demo = demo().await;
    let (config, db) = (&demo.config, &demo.db);
    let mut first = run(config, Stdio::null(), "first run");
    // The first is up once it has polled.
    let store = hlidac::store::Store::connect(db, 1).await.expect("open");
    let start = std::time::Instant::now();
    while store
        .source_health("lhota", "agenda")
        .await
        .ok()
        .flatten()
        .is_none_or(|h| h.total_polls == 0)
    {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the first never polled"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let second = hlidac(config).arg("run").output().expect("second run");
    let said = String::from_utf8_lossy(&second.stderr);
    let _ = first.kill();
    let _ = first.wait();
    assert!(!second.status.success(), "the second run started: {said}");
    assert!(
        said.contains(&format!("pid {}", first.id())) && said.contains("PostgreSQL"),
        "the refusal names the running one and the way to run several: {said}"
    );
    // Once the first is gone, a run starts again (the lock does not outlive its holder).
    let mut third = run(config, Stdio::null(), "third run");
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        third.try_wait().expect("wait").is_none(),
        "a run after the first one ended could not start"
    );
    let _ = third.kill();
    let _ = third.wait();
}

/// `/metrics` read by the Prometheus client library's parser: every family has the type
/// and unit an operator's dashboards rely on, and the values match what happened.
fn assert_metric_families(text: &str) {
    let families = parse_metrics(text);
    let family = |name: &str| {
        families
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("no family {name} in {families:?}"))
    };
    let value = |name: &str, sample: &str, labels: &[(&str, &str)]| {
        family(name)
            .samples
            .iter()
            .find(|(n, l, _)| {
                n == sample
                    && labels
                        .iter()
                        .all(|(k, v)| l.get(*k).map(String::as_str) == Some(v))
            })
            .map(|s| s.2)
            .unwrap_or_else(|| panic!("no {sample}{labels:?} in {:?}", family(name)))
    };
    for (name, kind, unit) in [
        ("hlidac_polls", "counter", ""),
        ("hlidac_poll_duration_seconds", "histogram", "seconds"),
        ("hlidac_alerts_finished", "counter", ""),
        ("hlidac_send_duration_seconds", "histogram", "seconds"),
        ("hlidac_alert_latency_seconds", "histogram", "seconds"),
        ("hlidac_alerts_sent_within_10s_ratio", "gauge", ""),
        ("hlidac_database_up", "gauge", ""),
        ("hlidac_database_writable", "gauge", ""),
        ("hlidac_smtp_up", "gauge", ""),
        ("hlidac_alerts", "gauge", ""),
        ("hlidac_outbox_depth", "gauge", ""),
        ("hlidac_logins", "counter", ""),
        (
            "hlidac_outbox_oldest_pending_age_seconds",
            "gauge",
            "seconds",
        ),
        ("hlidac_source_failures", "counter", ""),
        ("hlidac_source_consecutive_failures", "gauge", ""),
        ("hlidac_source_quarantined", "gauge", ""),
    ] {
        let f = family(name);
        assert_eq!((f.kind.as_str(), f.unit.as_str()), (kind, unit), "{name}");
    }
    let source = [("tenant", "lhota"), ("source", "agenda")];
    assert!(
        value(
            "hlidac_polls",
            "hlidac_polls_total",
            &[source[0], source[1], ("outcome", "ok")]
        ) >= 1.0
    );
    assert_eq!(
        value(
            "hlidac_source_failures",
            "hlidac_source_failures_total",
            &source
        ),
        0.0
    );
    let email = [("channel", "email")];
    assert_eq!(
        value(
            "hlidac_alerts_finished",
            "hlidac_alerts_finished_total",
            &[email[0], ("state", "sent")]
        ),
        4.0
    );
    assert_eq!(
        value(
            "hlidac_alerts",
            "hlidac_alerts",
            &[email[0], ("state", "sent")]
        ),
        4.0
    );
    assert_eq!(
        value(
            "hlidac_alert_latency_seconds",
            "hlidac_alert_latency_seconds_count",
            &email
        ),
        4.0
    );
    assert_eq!(value("hlidac_database_up", "hlidac_database_up", &[]), 1.0);
    assert_eq!(
        value("hlidac_outbox_depth", "hlidac_outbox_depth", &[]),
        0.0
    );
}
