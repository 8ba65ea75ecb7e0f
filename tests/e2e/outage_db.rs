//! Delivery survives its database: PostgreSQL stopped for 30 s, or restarted at once, in
//! the middle of dispatching, and SIGTERM while it is down. Every alert reaches the SMTP
//! server, duplicates (by Message-ID) are at most `dispatch.max_in_doubt` per fault, and
//! hlidac is not restarted unless the test says so. Each test runs its own PostgreSQL
//! cluster (`scripts/pg-cluster`), so that it can stop it.

use crate::helpers::*;
use crate::scale::{many_fees, wait_for_count, Fleet};
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// A PostgreSQL cluster of this test's own.
pub struct PgCluster {
    dir: PathBuf,
    pub url: String,
}

impl PgCluster {
    /// `None` (the test is skipped) when PostgreSQL is not installed, unless the peers are
    /// required.
    pub fn start() -> Option<PgCluster> {
        let dir = std::env::temp_dir().join(format!("hlidac-pg-{}", hlidac::store::new_id()));
        let out = Command::new(repo_root().join("scripts/pg-cluster"))
            .arg("start")
            .arg(&dir)
            .output()
            .expect("scripts/pg-cluster");
        if !out.status.success() {
            let why = String::from_utf8_lossy(&out.stderr).to_string();
            assert!(
                std::env::var_os("HLIDAC_TEST_REQUIRE_PEERS").is_none(),
                "PostgreSQL: {why}"
            );
            eprintln!("skipped: no PostgreSQL cluster ({why})");
            return None;
        }
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Some(PgCluster { dir, url })
    }

    fn run(&self, verb: &str) {
        let ok = Command::new(repo_root().join("scripts/pg-cluster"))
            .arg(verb)
            .arg(&self.dir)
            .status()
            .expect("scripts/pg-cluster");
        assert!(ok.success(), "pg-cluster {verb}");
    }

    /// Stops the server (a fast shutdown: sessions are cut).
    pub fn pause(&self) {
        self.run("pause");
    }

    pub fn resume(&self) {
        self.run("resume");
    }
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        let _ = Command::new(repo_root().join("scripts/pg-cluster"))
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

/// GET `url`: the status (0 when there was no answer within 5 s) and how long it took.
pub async fn timed_get(url: &str) -> (u16, Duration) {
    timed_get_as(url, "").await
}

/// The same with a bearer token (none when empty).
pub async fn timed_get_as(url: &str, token: &str) -> (u16, Duration) {
    let start = Instant::now();
    let mut request = reqwest::Client::new().get(url);
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let status = request
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0);
    (status, start.elapsed())
}

/// Waits until `url` answers `want`; panics after `limit`.
pub async fn wait_status(url: &str, want: u16, limit: Duration) {
    let start = Instant::now();
    loop {
        if timed_get(url).await.0 == want {
            return;
        }
        assert!(
            start.elapsed() < limit,
            "{url} did not answer {want} within {limit:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The operator's address in the tests that want to hear of a trouble.
const OPERATOR: &str = "provoz@lhota.example";

/// How many alerts (not mails to the operator) the sink holds.
pub fn alerts_at(smtp: &SmtpSink) -> usize {
    smtp.mails()
        .iter()
        .filter(|m| !m.to.contains(OPERATOR))
        .count()
}

/// Waits until the sink holds more than `before` alerts; returns how long that took.
pub async fn resumed_after(smtp: &SmtpSink, before: usize, limit: Duration) -> Duration {
    let start = Instant::now();
    while alerts_at(smtp) <= before {
        assert!(
            start.elapsed() < limit,
            "delivery did not resume within {limit:?} ({before} mails)"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    start.elapsed()
}

const ALERTS: usize = 3000;

/// A PostgreSQL cluster of the test's own, the simulator with `ALERTS` new fees, an SMTP
/// server and a fleet (not started) on them; `None` when PostgreSQL is not installed.
async fn on_own_cluster() -> Option<(PgCluster, hlidac_sim::Sim, SmtpSink, Fleet)> {
    let pg = PgCluster::start()?;
    let (sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start_lean();
    let dir = tempfile::tempdir().expect("tempdir");
    let fleet = Fleet::prepare_on(dir, pg.url.clone(), &sim_url, smtp.port);
    Some((pg, sim, smtp, fleet))
}

/// Stops PostgreSQL for `down` once 300 alerts went out, then starts it again.
async fn outage(down: Duration) {
    let Some((pg, _sim, smtp, mut fleet)) = on_own_cluster().await else {
        return;
    };
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");
    let ready = format!("http://{listen}/readyz");
    fleet.start_with(&[
        ("HLIDAC_WEB__LISTEN", &listen),
        ("HLIDAC_DISPATCH__MAX_IN_DOUBT", "1"),
        ("HLIDAC_WATCH__OPERATOR_EMAIL", OPERATOR),
    ]);
    wait_for_count(&smtp, 300, Duration::from_secs(120)).await;
    wait_status(&ready, 200, Duration::from_secs(10)).await;

    pg.pause();
    let down_at = Instant::now();
    if down >= Duration::from_secs(5) {
        // Readiness tells within moments, and every answer comes within a second.
        wait_status(&ready, 503, Duration::from_secs(3)).await;
        while down_at.elapsed() < down {
            let (status, took) = timed_get(&ready).await;
            assert_eq!(status, 503, "readiness during the outage");
            assert!(took < Duration::from_secs(1), "readiness took {took:?}");
            let (status, took) = timed_get_as(
                &format!("http://{listen}/admin/v1/status"),
                ADMIN_TOKENS[0].1,
            )
            .await;
            assert_eq!(status, 503, "admin API during the outage");
            assert!(took < Duration::from_secs(1), "admin API took {took:?}");
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    } else {
        tokio::time::sleep(down).await;
    }
    let before = alerts_at(&smtp);
    assert!(before < ALERTS, "the outage came too late to test anything");
    pg.resume();
    let took = resumed_after(&smtp, before, Duration::from_secs(10)).await;
    eprintln!("database down {down:?}: delivery resumed {took:?} after it was back ({before} mails before)");
    fleet.wait_all_sent(ALERTS, Duration::from_secs(300)).await;
    wait_status(&ready, 200, Duration::from_secs(10)).await;
    let log = fleet.log(0);
    fleet.stop_all();
    let duplicates = fleet.duplicates_at(&smtp, ALERTS).await;
    assert!(
        duplicates <= 1,
        "{duplicates} duplicates with max_in_doubt = 1\n{log}"
    );
    if down >= Duration::from_secs(5) {
        // Told once when it began and once when it ended: the log and the operator.
        let warned = |text: &str| log.lines().filter(|l| l.contains(text)).count();
        assert_eq!(warned("database unreachable: polls"), 1, "{log}");
        assert_eq!(warned("database answers again"), 1, "{log}");
        let to_operator: Vec<String> = smtp
            .mails()
            .into_iter()
            .filter(|m| m.to.contains(OPERATOR))
            .map(|m| m.subject)
            .collect();
        assert_eq!(to_operator.len(), 2, "{to_operator:?}");
        assert!(
            to_operator[0].contains("database unreachable"),
            "{to_operator:?}"
        );
        assert!(
            to_operator[1].contains("database answers again"),
            "{to_operator:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stopped_for_30_s_mid_dispatch_then_delivery_resumes_on_its_own() {
    outage(Duration::from_secs(30)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_restarted_fast_mid_dispatch_then_delivery_resumes_on_its_own() {
    outage(Duration::from_millis(300)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_while_postgres_is_down_stops_within_the_grace_period_and_loses_nothing() {
    let Some((pg, _sim, smtp, mut fleet)) = on_own_cluster().await else {
        return;
    };
    let grace = 3;
    let in_doubt = [("HLIDAC_DISPATCH__MAX_IN_DOUBT", "1")];
    fleet.start_with(&[
        ("HLIDAC_DISPATCH__SHUTDOWN_GRACE_SECS", &grace.to_string()),
        in_doubt[0],
    ]);
    wait_for_count(&smtp, 300, Duration::from_secs(120)).await;
    pg.pause();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let took = fleet.terminate(0);
    let log = fleet.log(0);
    assert!(
        took <= Duration::from_secs(grace + 1),
        "stopped after {took:?} with a grace period of {grace} s\n{log}"
    );
    pg.resume();
    // The next run takes over what the stopped one held once its leases run out.
    fleet.start_with(&in_doubt);
    fleet.wait_all_sent(ALERTS, Duration::from_secs(300)).await;
    fleet.stop_all();
    let duplicates = fleet.duplicates_at(&smtp, ALERTS).await;
    assert!(duplicates <= 1, "{duplicates} duplicates\n{log}");
}
