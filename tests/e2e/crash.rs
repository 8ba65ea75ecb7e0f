//! Crash safety: `hlidac run` is killed with SIGKILL at random moments while it sends
//! 4,000 alerts, 20 times over, restarted each time. Every alert reaches the SMTP server
//! at least once, and the duplicates counted there by Message-ID are at most the kills
//! times `dispatch.max_in_doubt`, the most messages ever with the server while their
//! record is unwritten: once with `max_in_doubt = 1` (at most one duplicate per crash),
//! once with the default (one per connection).

use crate::helpers::*;
use crate::scale::{many_fees, wait_for_count, Fleet};
use rand::Rng;
use std::time::Duration;

const ALERTS: usize = 4_000;
const KILLS: usize = 20;

/// Kills and restarts the daemon 20 times while it sends; returns the duplicates.
async fn kill_20_times(env: &[(&str, &str)]) -> usize {
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start_lean();
    let mut fleet = Fleet::prepare(Engine::Sqlite, &sim_url, smtp.port)
        .await
        .expect("sqlite");

    // Let the first poll queue everything, then kill at random moments of sending. The
    // relay is not the limit on a fast machine, and 4,000 alerts could all be sent before
    // the 20 kills (16 s on average, 30 s at most) are over. A rate of 60 a second (each
    // restart starts with a burst of 60) keeps the kills inside the sending, whatever the
    // machine: at most 30 × 60 + 20 × 60 = 3,000 are sent by the last restart.
    let mut rng = rand::thread_rng();
    let env: Vec<(&str, &str)> = env
        .iter()
        .copied()
        .chain([("HLIDAC_EMAIL__RATE_PER_SEC", "60")])
        .collect();
    let env = env.as_slice();
    fleet.start_with(env);
    wait_for_count(&smtp, 1, Duration::from_secs(120)).await;
    for _ in 0..KILLS {
        let pause = rng.gen_range(100..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        fleet.kill(fleet.children.len() - 1); // SIGKILL
        fleet.start_with(env);
    }
    // The last one finishes the job.
    let (killed_at, duplicates) = fleet.finish_after_kills(&smtp, ALERTS).await;
    eprintln!(
        "{KILLS} kills while sending ({killed_at} of {ALERTS} sent before the last restart) with {env:?}: {duplicates} duplicates"
    );
    duplicates
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_daemon_20_times_loses_no_alert_and_doubles_at_most_one_per_kill() {
    let duplicates = kill_20_times(&[("HLIDAC_DISPATCH__MAX_IN_DOUBT", "1")]).await;
    assert!(
        duplicates <= KILLS,
        "{duplicates} duplicates after {KILLS} kills"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_daemon_20_times_at_the_default_doubles_at_most_the_bound_per_kill() {
    let bound = hlidac::config::DispatchConfig::default().in_doubt() as usize;
    assert!(bound > 1, "the default bound is one per connection");
    let duplicates = kill_20_times(&[]).await;
    assert!(
        duplicates <= KILLS * bound,
        "{duplicates} duplicates after {KILLS} kills with max_in_doubt = {bound}"
    );
}
