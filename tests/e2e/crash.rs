//! Crash safety: `hlidac run` is killed with SIGKILL at random moments while it sends
//! 10,000 alerts, 20 times over, restarted each time. Every alert reaches the SMTP server
//! at least once, and the duplicates counted there by Message-ID are at most the kills:
//! with `dispatch.max_in_doubt = 1` (the default) at most one message is ever with the
//! server while its record is unwritten.

use crate::helpers::*;
use crate::scale::{many_fees, wait_for_count, Fleet};
use rand::Rng;
use std::time::Duration;

const ALERTS: usize = 10_000;
const KILLS: usize = 20;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_daemon_20_times_loses_no_alert_and_doubles_at_most_one_per_kill() {
    let (_sim, sim_url) = start_sim(many_fees(ALERTS)).await;
    let smtp = SmtpSink::start();
    let mut fleet = Fleet::prepare(Engine::Sqlite, &sim_url, smtp.port)
        .await
        .expect("sqlite");

    // Let the first poll queue everything, then kill at random moments of sending.
    let mut rng = rand::thread_rng();
    fleet.start(1);
    wait_for_count(&smtp, 1, Duration::from_secs(120)).await;
    for _ in 0..KILLS {
        let pause = rng.gen_range(100..1500);
        tokio::time::sleep(Duration::from_millis(pause)).await;
        fleet.kill(fleet.children.len() - 1); // SIGKILL
        fleet.start(1);
    }
    let killed_at = smtp.count();
    assert!(
        killed_at < ALERTS,
        "the kills came too late to test anything ({killed_at} mails already)"
    );

    // The last one finishes the job.
    fleet.wait_all_sent(ALERTS, Duration::from_secs(600)).await;
    fleet.stop_all();
    let duplicates = fleet.duplicates_at(&smtp, ALERTS).await;
    eprintln!(
        "{KILLS} kills while sending ({killed_at} of {ALERTS} sent before the last restart): {duplicates} duplicates"
    );
    assert!(
        duplicates <= KILLS,
        "{duplicates} duplicates after {KILLS} kills"
    );
}
