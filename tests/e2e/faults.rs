//! Every simulator fault (HTTP 500, time-out, empty list, malformed JSON, a snapshot
//! shrunk by half, a list marked incomplete) sends nothing, leaves the observations as
//! they were, and shows as a source error: a counter, the source's state, and a log line.

use crate::helpers::*;
use hlidac::store::CountOf;
use hlidac_adapters::{Receivable, Submission, SubmissionStatus};
use hlidac_sim::{Change, FaultKind, Scenario, Step};

fn scenario() -> Scenario {
    Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: vec![
            fee(
                "R-2026-001",
                JANA,
                "Poplatek za odpady",
                90000,
                "2026-06-30",
            ),
            fee("R-2026-003", JANA, "Poplatek ze psů", 30000, "2026-07-31"),
            fee("R-2026-002", PETR, "Dog fee", 60000, "2026-06-10"),
        ],
        submissions: vec![submission("S-2026-012", JANA, "Žádost", "MULH 12/2026")],
        timeline: vec![Step {
            at_secs: 0,
            label: "changes a successful poll would report".into(),
            changes: vec![
                Change::PayReceivable {
                    key: "R-2026-001".into(),
                },
                Change::SetSubmissionStatus {
                    key: "S-2026-012".into(),
                    status: SubmissionStatus::Assigned,
                    status_native: None,
                    assigned_to: None,
                },
            ],
        }],
    }
}

async fn snapshot(t: &TestApp) -> (Vec<String>, i64, i64) {
    let mut obs = Vec::new();
    for kind in [
        <Receivable as hlidac_adapters::Record>::KIND,
        <Submission as hlidac_adapters::Record>::KIND,
    ] {
        let map = t
            .app
            .store
            .observations("lhota", "agenda", kind)
            .await
            .expect("observations");
        let mut rows: Vec<String> = map
            .values()
            .map(|o| format!("{} {} {}", o.record_key, o.content_hash, o.data))
            .collect();
        rows.sort();
        obs.extend(rows);
    }
    let events = t.app.store.count(CountOf::Events).await.expect("count");
    let outbox = t.app.store.count(CountOf::Outbox).await.expect("count");
    (obs, events, outbox)
}

async fn fault_changes_nothing(kind: FaultKind) {
    let logs = capture_logs();

    let mut t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    let first = t.cycle().await;
    assert_eq!(
        first.len(),
        4,
        "three new fees and one submission announced"
    );

    t.sim.step();
    t.sim.inject(kind, 1);
    let before = snapshot(&t).await;
    let polled = t.app.poll_source("lhota", "agenda").await;
    assert!(
        polled.is_err(),
        "{kind:?}: the poll must fail, got {polled:?}"
    );
    let mails = t.cycle_without_poll().await;
    assert!(mails.is_empty(), "{kind:?} sent {mails:?}");
    assert_eq!(
        snapshot(&t).await,
        before,
        "{kind:?} changed observations, events or alerts"
    );

    let health = health_of(&t.app.store, "lhota", "agenda").await;
    assert_eq!(health.consecutive_failures, 1, "{kind:?}");
    assert_eq!(health.total_failures, 1, "{kind:?}");
    assert!(
        matches!(health.state.as_str(), "failing" | "quarantined"),
        "{kind:?}: {}",
        health.state
    );
    let error = health.last_error.unwrap_or_default();
    assert!(!error.is_empty());
    assert!(
        !error.contains(JANA) && !error.contains(PETR),
        "a person's reference in the source's health: {error}"
    );
    assert_eq!(t.app.metrics.polls("lhota", "agenda", "error"), 1);
    let log = logs.text();
    let line = log
        .lines()
        .find(|l| l.contains("poll failed"))
        .unwrap_or_else(|| panic!("{kind:?}: no log line about the failed poll in:\n{log}"));
    assert!(line.contains("lhota") && line.contains("agenda"), "{line}");
    assert!(
        !log.contains(JANA) && !log.contains(JANA_MAIL),
        "personal data in the log"
    );

    // When the source recovers, the change comes through, once: nothing was lost.
    t.cycle_expecting(&[
        (JANA_MAIL, "poplatek Poplatek za odpady je zaplacen"),
        (JANA_MAIL, "přiděleno zpracovateli"),
    ])
    .await;
    let health = health_of(&t.app.store, "lhota", "agenda").await;
    assert_eq!(
        (health.state.as_str(), health.consecutive_failures),
        ("ok", 0)
    );
}

/// One test per kind of fault, each named for what it shows.
macro_rules! fault_tests {
    ($($name:ident: $kind:ident,)*) => {$(
        #[tokio::test]
        async fn $name() {
            fault_changes_nothing(FaultKind::$kind).await;
        }
    )*};
}

fault_tests! {
    http_500_changes_nothing: Http500,
    time_out_changes_nothing: Timeout,
    empty_list_changes_nothing: Empty,
    malformed_json_changes_nothing: Malformed,
    snapshot_shrunk_by_half_changes_nothing: Shrink,
    incomplete_list_changes_nothing: Incomplete,
}

#[tokio::test]
async fn the_operator_is_told_once_when_a_source_keeps_failing() {
    let with_operator = |c: String| {
        c.replace(
            "[watch]\n",
            "[watch]\noperator_email = \"it@lhota.example\"\noperator_alert_after = 3\n",
        )
    };
    let t = TestApp::on_sqlite_with(scenario(), morning("2026-05-01"), with_operator).await;
    t.sim.inject(FaultKind::Http500, 5);
    for _ in 0..5 {
        assert!(t.app.poll_source("lhota", "agenda").await.is_err());
    }
    let mails = t.smtp.wait_for(1, std::time::Duration::from_secs(5)).await;
    let m = expect_mails(
        &mails,
        &[("it@lhota.example", "hlidac: lhota/agenda is failing")],
    );
    assert!(
        m[0].body.contains("failed 3 polls in a row") && m[0].body.contains("HTTP 500"),
        "{}",
        m[0].body
    );
    assert!(!m[0].body.contains(JANA), "no personal data");
}
