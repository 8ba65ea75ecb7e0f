//! PostgreSQL scale-out: several `hlidac run` processes on one database share the outbox
//! (claims with SKIP LOCKED and leases) and take each cron tick exactly once. When one is
//! killed, its leases run out and the others finish its work.

use crate::helpers::*;
use hlidac_sim::Scenario;
use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One citizen with `n` new fees: one alert each.
pub fn many_fees(n: usize) -> Scenario {
    Scenario {
        receivables: (0..n)
            .map(|i| fee(&format!("R-{i:06}"), JANA, "Poplatek", 10000, "2026-12-31"))
            .collect(),
        ..Scenario::default()
    }
}

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub config: std::path::PathBuf,
    pub db: String,
    pub children: Vec<Option<Child>>,
}

impl Fleet {
    /// Writes the config for a database on `engine` (shared by every instance) and enrols
    /// Jana; `None` when the engine is unavailable.
    pub async fn prepare(engine: Engine, sim_url: &str, smtp_port: u16) -> Option<Fleet> {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = fresh_database(engine, dir.path()).await?;
        Some(Fleet::prepare_on(dir, db, sim_url, smtp_port))
    }

    /// The same on the database at `db`, with the state in `dir`.
    pub fn prepare_on(dir: tempfile::TempDir, db: String, sim_url: &str, smtp_port: u16) -> Fleet {
        let text = config_text(&dir.path().join("state"), &db, sim_url, smtp_port)
            .replace("schedule = \"* * * * * *\"", "schedule = \"*/2 * * * * *\"")
            .replace("lease_secs = 60", "lease_secs = 15\nbatch_size = 50")
            .replace("interval_ms = 100", "interval_ms = 50")
            .replace("timeout_secs = 1\n", "timeout_secs = 30\n");
        let config = dir.path().join("hlidac.toml");
        std::fs::write(&config, text).expect("config");
        enrol_cli(&config, JANA, JANA_MAIL, None);
        Fleet {
            dir,
            config,
            db,
            children: Vec::new(),
        }
    }

    pub fn start(&mut self, n: usize) {
        for _ in 0..n {
            self.start_with(&[]);
        }
    }

    /// Starts one more instance with `env` on top of the fleet's settings.
    pub fn start_with(&mut self, env: &[(&str, &str)]) {
        {
            let i = self.children.len();
            let log = std::fs::File::create(self.dir.path().join(format!("instance-{i}.log")))
                .expect("log");
            let child = hlidac_with_config(&self.config)
                .arg("run")
                .env("HLIDAC_WEB__LISTEN", "127.0.0.1:0")
                .env("HLIDAC_LOG", "warn")
                .envs(env.iter().copied())
                .stdout(Stdio::null())
                .stderr(log)
                .spawn()
                .expect("run");
            self.children.push(Some(child));
        }
    }

    pub fn kill(&mut self, i: usize) {
        if let Some(mut c) = self.children[i].take() {
            let _ = c.kill(); // SIGKILL: no chance to finish anything
            let _ = c.wait();
        }
    }

    /// What instance `i` logged.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("instance-{i}.log")))
            .unwrap_or_default()
    }

    /// For a failure message: whether each instance still runs, and the end of its log.
    pub fn diagnose(&mut self) -> String {
        let mut out = String::new();
        for i in 0..self.children.len() {
            let state = match self.children[i].as_mut().map(|c| c.try_wait()) {
                None => "killed by the test".to_string(),
                Some(Ok(None)) => "running".to_string(),
                Some(Ok(Some(status))) => format!("exited: {status}"),
                Some(Err(e)) => format!("unknown: {e}"),
            };
            let log = self.log(i);
            let tail: Vec<&str> = log.lines().rev().take(15).collect();
            out.push_str(&format!("instance {i}: {state}\n"));
            for line in tail.into_iter().rev() {
                out.push_str(&format!("  | {line}\n"));
            }
        }
        out
    }

    /// Sends instance `i` SIGTERM; returns how long it took to exit.
    pub fn terminate(&mut self, i: usize) -> Duration {
        let mut c = self.children[i].take().expect("running");
        let start = Instant::now();
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let _ = c.wait();
        start.elapsed()
    }

    pub fn stop_all(&mut self) {
        for c in self.children.iter_mut().flatten() {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
        }
        for c in self.children.iter_mut().flatten() {
            let _ = c.wait();
        }
        self.children.clear();
    }

    pub async fn store(&self) -> hlidac::store::Store {
        hlidac::store::Store::connect(&self.db, 2)
            .await
            .expect("connect")
    }

    /// Waits until all `n` alerts are sent (those held by a killed instance come back
    /// when their lease runs out).
    pub async fn wait_all_sent(&mut self, n: usize, limit: Duration) {
        let store = self.store().await;
        let start = Instant::now();
        loop {
            let counts: HashMap<String, i64> = store
                .alert_counts()
                .await
                .expect("counts")
                .into_iter()
                .collect();
            if counts.get("sent").copied().unwrap_or(0) == n as i64 {
                return;
            }
            if start.elapsed() >= limit {
                panic!("not all sent: {counts:?}\n{}", self.diagnose());
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    }

    /// After the kills: how many of the `n` mails had gone out (fewer than all, or the
    /// kills came too late to test anything); then waits for all to be sent, stops the
    /// instances and counts the duplicates (see [`Fleet::duplicates_at`]).
    pub async fn finish_after_kills(&mut self, smtp: &SmtpSink, n: usize) -> (usize, usize) {
        let killed_at = smtp.count();
        assert!(
            killed_at < n,
            "the kills came too late to test anything ({killed_at} mails already)"
        );
        // Everything is sent: the killed instances' claimed alerts come back after their
        // lease.
        self.wait_all_sent(n, Duration::from_secs(600)).await;
        self.stop_all();
        (killed_at, self.duplicates_at(smtp, n).await)
    }

    /// Checks that every alert reached the SMTP server; returns how many mails were
    /// duplicates (a Message-ID seen again).
    pub async fn duplicates_at(&self, smtp: &SmtpSink, n: usize) -> usize {
        let mails = smtp.mails();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for m in &mails {
            *seen.entry(m.message_id.clone()).or_default() += 1;
        }
        let alerts = self.store().await.alerts().await.expect("alerts");
        assert_eq!(alerts.len(), n);
        for a in &alerts {
            assert!(
                seen.contains_key(&format!("<{}@lhota.example>", a.id)),
                "alert {} never reached the server",
                a.id
            );
        }
        mails.len() - seen.len()
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        for c in self.children.iter_mut().flatten() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Waits until the sink holds `n` mails; returns how long that took.
pub async fn wait_for_count(smtp: &SmtpSink, n: usize, limit: Duration) -> Duration {
    let start = Instant::now();
    while smtp.count() < n {
        assert!(
            start.elapsed() < limit,
            "only {} of {n} mails within {limit:?}",
            smtp.count()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    start.elapsed()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_instances_killed_10_times_at_random_lose_nothing_and_run_each_tick_once() {
    let alerts_wanted: usize = std::env::var("HLIDAC_TEST_SCALE_ALERTS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(30_000);
    #[allow(non_snake_case)]
    let ALERTS = alerts_wanted;
    const KILLS: usize = 10;
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start_lean();
    let Some(mut fleet) = Fleet::prepare(Engine::Postgres, &sim_url, smtp.port).await else {
        return;
    };
    fleet.start(3);
    wait_for_count(&smtp, 1, Duration::from_secs(600)).await;
    // Ten times an instance dies at a random moment of sending and another takes its place.
    use rand::Rng;
    let mut rng = rand::thread_rng();
    for _ in 0..KILLS {
        tokio::time::sleep(Duration::from_millis(rng.gen_range(300..3000))).await;
        let running: Vec<usize> = (0..fleet.children.len())
            .filter(|i| fleet.children[*i].is_some())
            .collect();
        fleet.kill(running[rng.gen_range(0..running.len())]);
        fleet.start(1);
    }
    let (killed_at, duplicates) = fleet.finish_after_kills(&smtp, ALERTS).await;
    let store = fleet.store().await;
    let bound = hlidac::config::DispatchConfig::default().in_doubt() as usize;
    eprintln!("{KILLS} kills among 3 instances ({killed_at} of {ALERTS} sent before the last): {duplicates} duplicates");
    assert!(
        duplicates <= KILLS * bound,
        "{duplicates} duplicates after {KILLS} kills with max_in_doubt = {bound}"
    );

    // Each cron tick ran once: no more polls than distinct claimed ticks.
    let claims = number_of(
        &store,
        "SELECT COUNT(*) AS n FROM tick_claims WHERE source_id = 'agenda'",
    )
    .await;
    let holders = number_of(
        &store,
        "SELECT COUNT(DISTINCT holder) AS n FROM tick_claims",
    )
    .await;
    let health = health_of(&store, "lhota", "agenda").await;
    assert!(claims > 0 && health.total_polls > 0);
    assert!(
        health.total_polls <= claims,
        "{} polls for {claims} ticks: a tick ran twice",
        health.total_polls
    );
    assert!(
        holders >= 2,
        "ticks were shared between instances ({holders} holders)"
    );
}
