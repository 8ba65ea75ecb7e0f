//! Stopping and starting the daemon mid-timeline sends nothing twice and loses nothing,
//! also when it stopped in the middle of sending.

use crate::helpers::*;

#[tokio::test]
async fn restarts_between_steps_change_nothing_on_sqlite() {
    crate::timeline::run_timeline(Engine::Sqlite, true).await;
}

#[tokio::test]
async fn restarts_between_steps_change_nothing_on_postgres() {
    crate::timeline::run_timeline(Engine::Postgres, true).await;
}

async fn crash_mid_send(engine: Engine) {
    let Some(mut t) =
        TestApp::spawn(engine, crate::timeline::scenario(), morning("2026-05-01")).await
    else {
        return;
    };
    // Poll and queue, then a dispatcher claims the alerts and dies before sending.
    t.app.poll_all().await;
    let now = hlidac::clock::Clock::now_ms(&*t.clock);
    let claimed = t
        .app
        .store
        .claim_due(now, now + 60_000, 100)
        .await
        .expect("claim");
    assert_eq!(claimed.len(), 2);
    t.restart().await;

    // While the dead dispatcher's lease runs, nobody else sends them.
    let report = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(report.sent, 0);
    // Once it has run out, they are sent, once.
    t.clock.advance(chrono::Duration::seconds(61));
    let report = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(report.sent, 2);
    let mails = t.smtp.wait_for(2, std::time::Duration::from_secs(10)).await;
    expect_mails(
        &mails,
        &[(JANA_MAIL, "MULH 12/2026"), (PETR_MAIL, "Dog fee")],
    );
    t.seen = mails.len();
    let again = t.cycle().await;
    assert!(again.is_empty(), "nothing is sent twice: {again:?}");
}

test_on_each_engine!(crash_mid_send: a_dispatcher_dying_mid_send_loses_nothing_on_sqlite, a_dispatcher_dying_mid_send_loses_nothing_on_postgres);
