//! Delivery against a real SMTP server: temporary refusals are retried with backoff and
//! delivered once, permanent ones fail after one attempt, and a reminder whose reason went
//! away (paid, or its day passed) is not sent.

use crate::helpers::*;
use hlidac_sim::{Change, Scenario, Step};
use std::time::Duration;

fn scenario() -> Scenario {
    Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: vec![fee(
            "R-2026-001",
            JANA,
            "Poplatek za odpady",
            90000,
            "2026-05-31",
        )],
        submissions: vec![submission("S-2026-012", PETR, "Request", "MULH 12/2026")],
        timeline: vec![Step {
            at_secs: 0,
            label: "Jana pays".into(),
            changes: vec![Change::PayReceivable {
                key: "R-2026-001".into(),
            }],
        }],
    }
}

/// The daemon with the scenario's records polled on 2026-05-01, its relay answering DATA
/// with `mode` (see [`SmtpSink::set_mode`]).
async fn polled_with_the_relay_answering(mode: &str) -> TestApp {
    let t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    t.smtp.set_mode(mode);
    t.app.poll_all().await;
    t
}

#[tokio::test]
async fn temporary_smtp_refusals_are_retried_with_backoff_and_delivered_once() {
    let mut t = polled_with_the_relay_answering("451").await;
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!((r.sent, r.retried), (0, 2), "{r:?}");
    // Not again before the backoff (60 s, ±20 % jitter) has passed.
    t.smtp.set_mode("");
    t.clock.advance(chrono::Duration::seconds(40));
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(r, Default::default());
    t.clock.advance(chrono::Duration::seconds(40));
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(r.sent, 2, "{r:?}");
    let mails = t.smtp.wait_for(2, Duration::from_secs(10)).await;
    expect_mails(
        &mails,
        &[
            (JANA_MAIL, "nový poplatek k úhradě –"),
            (PETR_MAIL, "MULH 12/2026"),
        ],
    );
    t.seen = 2;
    t.clock.advance(chrono::Duration::hours(2));
    assert!(t.cycle().await.is_empty());
    for a in t.app.store.alerts().await.expect("alerts") {
        let attempts = t.app.store.attempts_of(&a.id).await.expect("attempts");
        let outcomes: Vec<&str> = attempts.iter().map(|(_, o)| o.as_str()).collect();
        assert_eq!(outcomes, ["queued", "sent"], "each attempt is recorded");
    }
}

#[tokio::test]
async fn a_refusal_that_stays_dead_letters_after_the_attempt_limit() {
    let mut t = polled_with_the_relay_answering("451").await;
    for _ in 0..3 {
        t.app.dispatch_pending().await.expect("dispatch");
        t.clock.advance(chrono::Duration::minutes(15));
    }
    let alerts = t.app.store.alerts().await.expect("alerts");
    assert!(
        alerts.iter().all(|a| a.state == "dead" && a.attempts == 3),
        "{alerts:?}"
    );
    assert!(
        alerts[0]
            .last_error
            .as_deref()
            .is_some_and(|e| e.contains("451")),
        "{alerts:?}"
    );
    t.smtp.set_mode("");
    assert!(t.cycle().await.is_empty());
}

#[tokio::test]
async fn permanent_smtp_refusal_is_dead_lettered_after_one_attempt() {
    let mut t = polled_with_the_relay_answering("550").await;
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(r.dead, 2, "{r:?}");
    t.smtp.set_mode("");
    t.clock.advance(chrono::Duration::days(1));
    assert!(
        t.cycle().await.is_empty(),
        "no retry after a permanent refusal"
    );
    for a in t.app.store.alerts().await.expect("alerts") {
        assert_eq!(a.state, "dead");
        assert_eq!(
            t.app
                .store
                .attempts_of(&a.id)
                .await
                .expect("attempts")
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn a_reminder_paid_before_sending_is_suppressed() {
    let mut t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    assert_eq!(t.cycle().await.len(), 2);
    t.set_day("2026-05-28");
    t.app.evaluate_rules().await.expect("rules");
    // Paid after the reminder was queued, before it went out.
    t.sim.step();
    t.app.poll_all().await;
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!((r.sent, r.suppressed), (1, 1), "{r:?}");
    let mails = t.smtp.wait_for(3, Duration::from_secs(10)).await;
    expect_mails(&mails[2..], &[(JANA_MAIL, "je zaplacen")]);
}

#[tokio::test]
async fn a_reminder_whose_day_has_passed_expires_unsent() {
    let t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    t.app.poll_all().await;
    t.app.dispatch_pending().await.expect("dispatch");
    t.set_day("2026-05-31");
    t.app.evaluate_rules().await.expect("rules");
    // The daemon was down for a day: the on-the-day reminder is useless now.
    t.set_day("2026-06-01");
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!((r.sent, r.expired), (0, 1), "{r:?}");
}

/// The SMTP server refuses connections for the first 30 minutes of test time: every alert
/// waits with backoff (no attempt is used up faster than the backoff allows), and after
/// recovery each is delivered exactly once.
#[tokio::test]
async fn an_smtp_outage_delays_alerts_and_loses_or_doubles_none() {
    let scenario = Scenario {
        receivables: (1..=6)
            .map(|i| {
                fee(
                    &format!("R-2026-10{i}"),
                    JANA,
                    &format!("Poplatek {i}"),
                    1000 * i,
                    "2026-06-30",
                )
            })
            .collect(),
        submissions: vec![submission("S-2026-012", PETR, "Request", "MULH 12/2026")],
        ..Scenario::default()
    };
    let mut t = TestApp::on_sqlite_with(scenario, morning("2026-05-01"), |c| {
        c.replace("max_attempts = 3", "max_attempts = 10")
    })
    .await;
    t.smtp.stop();
    t.app.poll_all().await;
    let mut attempts_during_outage = 0;
    for _ in 0..30 {
        let r = t.app.dispatch_pending().await.expect("dispatch");
        assert_eq!(r.sent, 0, "nothing can be sent during the outage: {r:?}");
        attempts_during_outage += r.retried;
        t.clock.advance(chrono::Duration::minutes(1));
    }
    // 7 alerts, backoff from 60 s doubling to at most 600 s: a handful of tries each.
    assert!(
        (7 * 3..=7 * 7).contains(&attempts_during_outage),
        "{attempts_during_outage} attempts in 30 minutes"
    );
    t.smtp.resume();
    let mut sent = 0;
    for _ in 0..15 {
        sent += t.app.dispatch_pending().await.expect("dispatch").sent;
        t.clock.advance(chrono::Duration::minutes(1));
    }
    assert_eq!(sent, 7);
    let mails = t.smtp.wait_for(7, Duration::from_secs(10)).await;
    assert_eq!(mails.len(), 7);
    let ids: std::collections::HashSet<&str> =
        mails.iter().map(|m| m.message_id.as_str()).collect();
    assert_eq!(ids.len(), 7, "no alert arrived twice");
    for a in t.app.store.alerts().await.expect("alerts") {
        assert_eq!(a.state, "sent", "{a:?}");
    }
}
