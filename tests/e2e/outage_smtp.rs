//! The SMTP relay gone for 60 s in the middle of dispatching: nothing is lost, and the
//! operator sees it: one WARN line when sending starts failing and one when it recovers,
//! and the age of the oldest waiting alert grows through the outage (it counts from when
//! the alert first became due, not from its last retry).

use crate::helpers::*;

use crate::scale::{many_fees, wait_for_count, Fleet};
use std::time::{Duration, Instant};

const ALERTS: usize = 2000;

async fn oldest_pending_age(listen: &str) -> f64 {
    let text = get_text(&format!("http://{listen}/metrics")).await;
    text.lines()
        .find_map(|l| l.strip_prefix("hlidac_outbox_oldest_pending_age_seconds "))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or_else(|| panic!("no oldest-pending age in\n{text}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_smtp_relay_gone_for_60_s_is_told_and_its_backlog_ages_visibly() {
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let mut smtp = SmtpSink::start_lean();
    let dir = tempfile::tempdir().expect("tempdir");
    let db = format!("sqlite://{}/hlidac.db?mode=rwc", dir.path().display());
    let mut fleet = Fleet::prepare_on(dir, db, &sim_url, smtp.port);
    let listen = format!("127.0.0.1:{}", free_port());
    fleet.start_with(&[
        ("HLIDAC_WEB__LISTEN", &listen),
        ("HLIDAC_DISPATCH__MAX_IN_DOUBT", "1"),
        // Retried within the outage, and never dead-lettered by it.
        ("HLIDAC_DISPATCH__BACKOFF_INITIAL_SECS", "5"),
        ("HLIDAC_DISPATCH__BACKOFF_MAX_SECS", "10"),
        ("HLIDAC_DISPATCH__MAX_ATTEMPTS", "100"),
    ]);
    wait_for_count(&smtp, 300, Duration::from_secs(120)).await;
    smtp.stop();
    let gone_at = Instant::now();
    tokio::time::sleep(Duration::from_secs(12)).await;
    let early = oldest_pending_age(&listen).await;
    tokio::time::sleep(Duration::from_secs(60) - gone_at.elapsed()).await;
    let late = oldest_pending_age(&listen).await;
    eprintln!("oldest pending age: {early} s after 12 s, {late} s after 60 s");
    assert!(
        late >= 50.0 && late >= early + 40.0,
        "the age did not grow through the outage: {early} s, then {late} s"
    );
    smtp.resume();
    fleet.wait_all_sent(ALERTS, Duration::from_secs(300)).await;
    let log = fleet.log(0);
    fleet.stop_all();
    let duplicates = fleet.duplicates_at(&smtp, ALERTS).await;
    assert!(duplicates <= 1, "{duplicates} duplicates\n{log}");
    let warned = |text: &str| {
        log.lines()
            .filter(|l| l.contains("WARN") && l.contains(text))
            .count()
    };
    assert_eq!(warned("SMTP relay failing"), 1, "{log}");
    assert_eq!(warned("SMTP relay takes messages again"), 1, "{log}");
}
