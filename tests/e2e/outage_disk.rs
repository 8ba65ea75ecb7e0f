//! Delivery survives a full disk: the SQLite database lives on a small tmpfs that is
//! filled in the middle of dispatching and freed 30 s later. Nothing is sent while state
//! cannot be written beyond `dispatch.max_in_doubt`, readiness says so, delivery resumes
//! after the disk is freed without a restart, and what the daemon believes is what is in
//! the file: a second process reads the same counts, and a restart detects and sends
//! nothing again.

use crate::helpers::*;
use crate::outage_db::{alerts_at, resumed_after, timed_get, timed_get_as, wait_status};
use crate::scale::{many_fees, wait_for_count, Fleet};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ALERTS: usize = 3000;

/// A tmpfs mounted for the test (needs root); unmounted on drop.
struct SmallDisk {
    at: PathBuf,
}

impl SmallDisk {
    fn mount(at: &Path, size: &str) -> Option<SmallDisk> {
        std::fs::create_dir_all(at).expect("mount point");
        let out = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(at)
            .output();
        match out {
            Ok(o) if o.status.success() => Some(SmallDisk { at: at.into() }),
            other => {
                let why = match other {
                    Ok(o) => String::from_utf8_lossy(&o.stderr).to_string(),
                    Err(e) => e.to_string(),
                };
                assert!(
                    std::env::var_os("HLIDAC_TEST_REQUIRE_PEERS").is_none(),
                    "cannot mount a tmpfs (the test runs as root): {why}"
                );
                eprintln!("skipped: cannot mount a tmpfs: {why}");
                None
            }
        }
    }

    /// Writes a file until the disk is full; returns its path.
    fn fill(&self) -> PathBuf {
        let path = self.at.join("filler");
        let mut f = std::fs::File::create(&path).expect("filler");
        let block = vec![0u8; 16 * 1024];
        while f.write_all(&block).is_ok() {}
        let small = [0u8; 512];
        while f.write_all(&small).is_ok() {}
        let _ = f.sync_all();
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

async fn counts_in_file(db: &str) -> BTreeMap<String, i64> {
    let store = hlidac::store::Store::connect(db, 1).await.expect("open");
    let counts = store
        .alert_counts()
        .await
        .expect("counts")
        .into_iter()
        .collect();
    store.close().await;
    counts
}

async fn counts_by_daemon(listen: &str) -> BTreeMap<String, i64> {
    let body: serde_json::Value = reqwest::Client::new()
        .get(format!("http://{listen}/admin/v1/status"))
        .bearer_auth(ADMIN_TOKENS[0].1)
        .send()
        .await
        .expect("status")
        .json()
        .await
        .expect("json");
    body["alerts"]
        .as_object()
        .expect("alerts")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_i64().expect("count")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_disk_mid_dispatch_doubles_at_most_the_bound_and_delivery_resumes_when_freed() {
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start_lean();
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(disk) = SmallDisk::mount(&dir.path().join("disk"), "24m") else {
        return;
    };
    let db = format!("sqlite://{}/hlidac.db?mode=rwc", disk.at.display());
    let mut fleet = Fleet::prepare_on(dir, db.clone(), &sim_url, smtp.port);
    let listen = format!("127.0.0.1:{}", free_port());
    let ready = format!("http://{listen}/readyz");
    // The first poll is not staged: the pages a staged poll frees stay in the database
    // file, and SQLite would fill those before it needs the full disk.
    fleet.start_with(&[
        ("HLIDAC_WEB__LISTEN", &listen),
        ("HLIDAC_DISPATCH__MAX_IN_DOUBT", "1"),
        ("HLIDAC_WATCH__POLL_BATCH", "1000000"),
    ]);
    wait_for_count(&smtp, 300, Duration::from_secs(120)).await;

    let filler = disk.fill();
    let full_at = Instant::now();
    wait_status(&ready, 503, Duration::from_secs(20)).await;
    eprintln!(
        "readiness 503 {:?} after the disk filled",
        full_at.elapsed()
    );
    while full_at.elapsed() < Duration::from_secs(30) {
        let (status, took) = timed_get(&ready).await;
        assert_eq!(status, 503, "readiness while the disk is full");
        assert!(took < Duration::from_secs(1), "readiness took {took:?}");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let before = alerts_at(&smtp);
    std::fs::remove_file(&filler).expect("free the disk");
    let took = resumed_after(&smtp, before, Duration::from_secs(10)).await;
    eprintln!("disk freed: delivery resumed {took:?} later ({before} mails before)");
    fleet.wait_all_sent(ALERTS, Duration::from_secs(300)).await;
    wait_status(&ready, 200, Duration::from_secs(10)).await;

    // What the daemon believes is what is in the file.
    let seen_by_daemon = counts_by_daemon(&listen).await;
    let in_file = counts_in_file(&db).await;
    assert_eq!(
        seen_by_daemon, in_file,
        "the daemon's view and the file differ"
    );
    let (status, _) = timed_get_as(&format!("http://{listen}/admin/v1/status"), "").await;
    assert_eq!(status, 401);
    let log = fleet.log(0);
    assert!(log.contains("database writes fail"), "{log}");
    assert!(log.contains("database writes succeed again"), "{log}");
    fleet.stop_all();
    let duplicates = fleet.duplicates_at(&smtp, ALERTS).await;
    assert!(
        duplicates <= 1,
        "{duplicates} duplicates with max_in_doubt = 1\n{log}"
    );

    // A restart finds nothing new to tell and sends nothing again.
    let mails = smtp.count();
    fleet.start(1);
    tokio::time::sleep(Duration::from_secs(8)).await;
    fleet.stop_all();
    assert_eq!(smtp.count(), mails, "mails were sent again after a restart");
    assert_eq!(
        counts_in_file(&db).await,
        in_file,
        "alerts changed after a restart"
    );
}
