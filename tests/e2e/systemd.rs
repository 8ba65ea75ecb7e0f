//! Running under systemd: the unit's hardening, and the notify protocol spoken by the real
//! binary to a socket standing in for systemd's.

use crate::helpers::*;
use hlidac_sim::demo_scenario;
use std::os::unix::net::UnixDatagram;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn the_unit_is_hardened_to_an_exposure_of_at_most_2() {
    let out = match Command::new("systemd-analyze")
        .args(["security", "--offline=yes"])
        .arg(repo_root().join("systemd/hlidac.service"))
        .output()
    {
        Ok(out) => out,
        Err(e) => {
            assert!(
                std::env::var_os("HLIDAC_TEST_REQUIRE_PEERS").is_none(),
                "systemd-analyze: {e}"
            );
            eprintln!("skipped: systemd-analyze is not installed");
            return;
        }
    };
    let text = String::from_utf8_lossy(&out.stdout);
    let level: f64 = text
        .lines()
        .find_map(|l| l.split("Overall exposure level for hlidac.service:").nth(1))
        .and_then(|rest| rest.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| {
            panic!(
                "no exposure level in:\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
    assert!(level <= 2.0, "exposure {level} > 2.0:\n{text}");
}

/// What the stand-in for systemd received, with when.
#[derive(Clone, Default)]
struct Heard(Arc<Mutex<Vec<(Instant, String)>>>);

impl Heard {
    fn listen(path: &std::path::Path) -> Heard {
        let socket = UnixDatagram::bind(path).expect("bind notify socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(200)))
            .expect("timeout");
        let heard = Heard::default();
        let sink = heard.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            loop {
                match socket.recv(&mut buf) {
                    Ok(n) => {
                        let text = String::from_utf8_lossy(&buf[..n]).to_string();
                        sink.0.lock().expect("lock").push((Instant::now(), text));
                    }
                    Err(e)
                        if e.kind() == std::io::ErrorKind::WouldBlock
                            || e.kind() == std::io::ErrorKind::TimedOut =>
                    {
                        if Arc::strong_count(&sink.0) == 1 {
                            return;
                        }
                    }
                    Err(_) => return,
                }
            }
        });
        heard
    }

    fn all(&self) -> Vec<(Instant, String)> {
        self.0.lock().expect("lock").clone()
    }

    /// Waits for a message starting with `prefix` heard after `after`; returns when.
    fn wait_for(&self, prefix: &str, after: Instant, limit: Duration) -> Instant {
        let until = Instant::now() + limit;
        loop {
            if let Some((at, _)) = self
                .all()
                .into_iter()
                .find(|(at, m)| *at >= after && m.starts_with(prefix))
            {
                return at;
            }
            assert!(
                Instant::now() < until,
                "no {prefix} within {limit:?}; heard {:?}",
                self.texts()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn count(&self, prefix: &str, from: Instant, to: Instant) -> usize {
        self.all()
            .iter()
            .filter(|(at, m)| *at >= from && *at < to && m.starts_with(prefix))
            .count()
    }

    fn texts(&self) -> Vec<String> {
        self.all().into_iter().map(|(_, m)| m).collect()
    }
}

struct Daemon {
    child: Child,
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    heard: Heard,
}

impl Daemon {
    /// Starts `hlidac run` with a notify socket and a 1 s watchdog, Jana enrolled in the
    /// demo town, and `smtp_port` as the mail server.
    async fn start(sim_url: &str, smtp_port: u16, env: &[(&str, &str)]) -> Daemon {
        let (dir, config, _db) = sqlite_config(sim_url, smtp_port).await;
        enrol_cli(
            &config,
            hlidac_sim::DEMO_PERSON_JANA,
            "jana@lhota.example",
            None,
        );
        let socket = dir.path().join("notify.sock");
        let heard = Heard::listen(&socket);
        let mut cmd = crate::helpers::hlidac_command();
        cmd.arg("--config")
            .arg(&config)
            .arg("run")
            .env("NOTIFY_SOCKET", &socket)
            .env("WATCHDOG_USEC", "1000000")
            .env("HLIDAC_LOG", "info")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.path().join("daemon.log")).expect("log"));
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = cmd.spawn().expect("run");
        Daemon {
            child,
            dir,
            config,
            heard,
        }
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill");
        assert!(ok.success());
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<std::process::ExitStatus> {
        let until = Instant::now() + limit;
        while Instant::now() < until {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ready_watchdog_reload_and_stopping_reach_systemd() {
    let today = chrono::Local::now().date_naive();
    let (sim, sim_url) = start_sim(demo_scenario(today)).await;
    let smtp = SmtpSink::start();
    let mut d = Daemon::start(&sim_url, smtp.port, &[]).await;

    let ready = d.heard.wait_for(
        "READY=1",
        Instant::now() - Duration::from_secs(60),
        Duration::from_secs(30),
    );
    // Jana's three alerts were sent: the daemon works while it talks to systemd.
    assert_eq!(smtp.wait_for(3, Duration::from_secs(30)).await.len(), 3);
    std::thread::sleep(Duration::from_secs(3));
    let pings = d.heard.count(
        "WATCHDOG=1",
        ready + Duration::from_millis(500),
        ready + Duration::from_millis(3500),
    );
    assert!(
        (4..=8).contains(&pings),
        "WATCHDOG_USEC=1s means a ping every 0.5 s; heard {pings} in 3 s: {:?}",
        d.heard.texts()
    );

    // A reload with a changed name: RELOADING=1, then READY=1, and the next alert uses it.
    let text = std::fs::read_to_string(&d.config)
        .expect("config")
        .replace("Obec Lhota", "Obec Lhota nad Vltavou");
    std::fs::write(&d.config, text).expect("config");
    let before = Instant::now();
    let clock_before = monotonic_usec();
    d.signal("HUP");
    let reloading = d
        .heard
        .wait_for("RELOADING=1", before, Duration::from_secs(10));
    // MONOTONIC_USEC is CLOCK_MONOTONIC at the reload, the clock systemd compares it with.
    let said = d
        .heard
        .all()
        .into_iter()
        .find(|(at, text)| *at == reloading && text.starts_with("RELOADING=1"))
        .map(|(_, text)| text)
        .expect("the RELOADING=1 message");
    let usec: u64 = said
        .lines()
        .find_map(|l| l.strip_prefix("MONOTONIC_USEC="))
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no MONOTONIC_USEC in {said:?}"));
    let clock_after = monotonic_usec();
    assert!(
        (clock_before..=clock_after).contains(&usec),
        "MONOTONIC_USEC={usec} is not CLOCK_MONOTONIC between {clock_before} and {clock_after}"
    );
    d.heard
        .wait_for("READY=1", reloading, Duration::from_secs(20));
    sim.step(); // Jana pays the waste fee
    let mails = smtp.wait_for(4, Duration::from_secs(30)).await;
    assert!(
        mails[3].subject.starts_with("Obec Lhota nad Vltavou:"),
        "{}",
        mails[3].subject
    );

    // A broken config on reload is refused; the daemon keeps running.
    std::fs::write(&d.config, "this is not toml [").expect("config");
    let before = Instant::now();
    d.signal("HUP");
    d.heard.wait_for("READY=1", before, Duration::from_secs(10));
    assert!(d.log().contains("reload failed"), "{}", d.log());
    assert!(d.child.try_wait().expect("wait").is_none(), "still running");

    let before = Instant::now();
    d.signal("TERM");
    d.heard
        .wait_for("STOPPING=1", before, Duration::from_secs(10));
    let status = d.wait_exit(Duration::from_secs(20));
    assert!(
        status.is_some_and(|s| s.success()),
        "{status:?}\n{}",
        d.log()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wedged_dispatcher_stops_the_watchdog_pings() {
    let today = chrono::Local::now().date_naive();
    let (_sim, sim_url) = start_sim(demo_scenario(today)).await;
    // A mail server that accepts connections and never says a word: sending hangs.
    let mute = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = mute.local_addr().expect("addr").port();
    let held = Arc::new(Mutex::new(Vec::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for conn in mute.incoming().flatten() {
            keep.lock().expect("lock").push(conn);
        }
    });
    let listen = format!("127.0.0.1:{}", free_port());
    let mut d = Daemon::start(
        &sim_url,
        port,
        &[
            ("HLIDAC_EMAIL__TIMEOUT_SECS", "600"),
            ("HLIDAC_DISPATCH__LEASE_SECS", "1300"),
            ("HLIDAC_DISPATCH__SHUTDOWN_GRACE_SECS", "1"),
            ("HLIDAC_DISPATCH__STALL_SECS", "2"),
            ("HLIDAC_WEB__LISTEN", &listen),
        ],
    )
    .await;
    let ready = d.heard.wait_for(
        "READY=1",
        Instant::now() - Duration::from_secs(60),
        Duration::from_secs(30),
    );
    std::thread::sleep(Duration::from_millis(6000));
    assert!(
        !held.lock().expect("lock").is_empty(),
        "the dispatcher is connected to the mute server"
    );
    let late = d.heard.count(
        "WATCHDOG=1",
        ready + Duration::from_millis(2500),
        ready + Duration::from_millis(6000),
    );
    assert_eq!(
        late,
        0,
        "pings went on while the dispatcher was wedged: {:?}",
        d.heard.texts()
    );
    assert!(
        d.log().contains("withholding the systemd watchdog ping"),
        "{}",
        d.log()
    );
    // Readiness says so too: alerts wait and the dispatcher makes no progress.
    let (status, took) = crate::outage_db::timed_get(&format!("http://{listen}/readyz")).await;
    assert_eq!(status, 503, "readiness of a wedged dispatcher\n{}", d.log());
    assert!(took < Duration::from_secs(1), "readiness took {took:?}");
    d.signal("TERM");
    assert!(
        d.wait_exit(Duration::from_secs(20)).is_some(),
        "the daemon stops even with a wedged send"
    );
}

/// CLOCK_MONOTONIC in microseconds, read here as systemd reads it.
fn monotonic_usec() -> u64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::Monotonic);
    (t.tv_sec as u64) * 1_000_000 + (t.tv_nsec as u64) / 1000
}
