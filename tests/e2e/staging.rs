//! A full poll writes its changes to a staging area in batches (`watch.poll_batch`), so its
//! memory does not grow with the source. A first poll that fails or is rejected after
//! batches were written leaves nothing visible: no observation, no event, no alert, and
//! no staged row; the next poll that succeeds makes everything current at once.

use crate::helpers::*;
use hlidac::store::CountOf;
use hlidac_sim::{FaultKind, Scenario};
use std::time::{Duration, Instant};

const FEES: usize = 12;

/// Jana and Petr with twelve fees and one submission each.
fn scenario() -> Scenario {
    let mut receivables = Vec::new();
    for person in [JANA, PETR] {
        for i in 0..FEES {
            let key = format!("R-{}-{i:03}", &person[person.len() - 4..]);
            receivables.push(fee(&key, person, "Poplatek", 10000, "2026-12-31"));
        }
    }
    Scenario {
        receivables,
        submissions: vec![
            submission("S-JANA-001", JANA, "Žádost", "MULH 1/2026"),
            submission("S-PETR-001", PETR, "Žádost", "MULH 2/2026"),
        ],
        ..Scenario::default()
    }
}

/// Observations, events and alerts: what a citizen, a rule or the dispatcher can see.
async fn visible(t: &TestApp) -> (i64, i64, i64) {
    let store = &t.app.store;
    (
        store.count(CountOf::Observations).await.expect("count"),
        store.count(CountOf::Events).await.expect("count"),
        store.count(CountOf::Outbox).await.expect("count"),
    )
}

async fn first_poll_fails_after_staging(engine: Engine, fault: FaultKind) {
    // One person per page, a batch staged every five changes, and time for a late page.
    let Some(t) = TestApp::spawn_with(engine, scenario(), morning("2026-05-01"), |c| {
        c.replace(
            "rules_interval_secs = 1\n",
            "rules_interval_secs = 1\npoll_batch = 5\n",
        )
        .replace(
            "[tenant.source.adapter]\n",
            "[tenant.source.adapter]\nmax_page = 1\n",
        )
        .replace("timeout_secs = 1\n", "timeout_secs = 10\n")
    })
    .await
    else {
        return;
    };
    // Jana's receivables come at once, Petr's two seconds late, and the first page of
    // submissions fails.
    t.sim.inject(FaultKind::Pass, 1);
    t.sim.inject(FaultKind::Slow, 1);
    t.sim.inject(fault, 1);
    let app = t.app.clone();
    let poll = tokio::spawn(async move { app.poll_source("lhota", "agenda").await });

    // While Petr's page is late, Jana's changes wait in the staging area and nowhere else.
    let start = Instant::now();
    while t.app.store.staged_rows(None).await.expect("staged") == 0 {
        assert!(
            start.elapsed() < Duration::from_secs(10) && !poll.is_finished(),
            "{engine:?} {fault:?}: no batch was staged"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        visible(&t).await,
        (0, 0, 0),
        "{engine:?} {fault:?}: staged rows visible"
    );

    let polled = poll.await.expect("poll task");
    assert!(polled.is_err(), "{engine:?} {fault:?}: {polled:?}");
    assert_eq!(
        visible(&t).await,
        (0, 0, 0),
        "{engine:?} {fault:?}: a failed poll left data"
    );
    assert_eq!(
        t.app.store.staged_rows(None).await.expect("staged"),
        0,
        "{engine:?} {fault:?}: the failed poll's staged rows were not deleted"
    );

    // The source recovers: one poll makes the staged batches and the rest current together.
    let outcome = t
        .app
        .poll_source("lhota", "agenda")
        .await
        .expect("the poll after recovery");
    let all = (2 * FEES + 2) as i64;
    assert_eq!(
        (
            outcome.records,
            outcome.changed,
            outcome.events,
            outcome.alerts
        ),
        (all as usize, all as usize, all as usize, all as usize),
        "{engine:?} {fault:?}"
    );
    assert_eq!(visible(&t).await, (all, all, all), "{engine:?} {fault:?}");
    assert_eq!(t.app.store.staged_rows(None).await.expect("staged"), 0);
}

#[tokio::test]
async fn a_rejected_first_poll_leaves_nothing_visible_after_its_batches_were_written() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        first_poll_fails_after_staging(engine, FaultKind::Malformed).await;
    }
}

#[tokio::test]
async fn a_failed_first_poll_leaves_nothing_visible_after_its_batches_were_written() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        first_poll_fails_after_staging(engine, FaultKind::Http500).await;
    }
}
