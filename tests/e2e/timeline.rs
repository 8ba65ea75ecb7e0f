//! The simulator's timeline produces exactly the expected e-mails at a real SMTP server,
//! each once, on SQLite and on PostgreSQL; re-polling unchanged data sends nothing.

use crate::helpers::*;
use hlidac_adapters::{ReceivableStatus, SubmissionStatus};
use hlidac_sim::{Change, Scenario, Step};

/// The daemon on SQLite with the timeline's records, on the morning of 2026-05-01.
pub async fn on_timeline() -> TestApp {
    TestApp::on_sqlite(scenario(), morning("2026-05-01")).await
}

pub fn scenario() -> Scenario {
    let step = |label: &str, changes: Vec<Change>| Step {
        at_secs: 0,
        label: label.into(),
        changes,
    };
    Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: vec![fee("R-2026-002", PETR, "Dog fee", 60000, "2026-05-10")],
        submissions: vec![submission(
            "S-2026-012",
            JANA,
            "Žádost o povolení kácení dřevin",
            "MULH 12/2026",
        )],
        timeline: vec![
            step(
                "new waste fee for Jana",
                vec![Change::PutReceivable {
                    record: fee(
                        "R-2026-001",
                        JANA,
                        "Poplatek za odpady",
                        90000,
                        "2026-05-31",
                    ),
                }],
            ),
            step(
                "Jana's request assigned",
                vec![Change::SetSubmissionStatus {
                    key: "S-2026-012".into(),
                    status: SubmissionStatus::Assigned,
                    status_native: Some("nevyrizen".into()),
                    assigned_to: Some("Odbor životního prostředí".into()),
                }],
            ),
            step(
                "Jana pays",
                vec![Change::PayReceivable {
                    key: "R-2026-001".into(),
                }],
            ),
            step(
                "Jana's request resolved",
                vec![Change::SetSubmissionStatus {
                    key: "S-2026-012".into(),
                    status: SubmissionStatus::Resolved,
                    status_native: Some("vyrizen".into()),
                    assigned_to: None,
                }],
            ),
        ],
    }
}

/// Runs the whole timeline; with `restarts`, the daemon is stopped and started again on
/// the same database between every two steps.
pub async fn run_timeline(engine: Engine, restarts: bool) {
    let Some(mut t) = TestApp::spawn(engine, scenario(), morning("2026-05-01")).await else {
        return;
    };

    let m = t
        .cycle_expecting(&[
            (JANA_MAIL, "sledujeme vaše podání MULH 12/2026"),
            (PETR_MAIL, "new bill – Dog fee, … due 10 May 2026"),
        ])
        .await;
    assert!(m[0].body.contains("Žádost o povolení kácení dřevin") && m[0].body.contains("přijato"));
    assert!(m[1].body.contains("CZK 600.00") && m[1].body.contains("Obec Lhota"));
    assert!(m[1].from.contains("hlidac@lhota.example"));

    // Nothing changed: nothing is sent.
    t.cycle_expecting(&[]).await;
    if restarts {
        t.restart().await;
    }

    t.sim.step(); // a new fee
    let m = t
        .cycle_expecting(&[(
            JANA_MAIL,
            "nový poplatek k úhradě – Poplatek za odpady, … do 31. 5. 2026",
        )])
        .await;
    assert!(m[0].body.contains("900,00\u{a0}Kč"), "{}", m[0].body);
    assert!(
        m[0].body.contains("Variabilní symbol: 77001"),
        "{}",
        m[0].body
    );

    t.set_day("2026-05-07");
    let m = t
        .cycle_expecting(&[(PETR_MAIL, "Dog fee, … is due … (in 3 days)")])
        .await;
    assert!(m[0].body.contains("10 May 2026"));
    if restarts {
        t.restart().await;
    }

    // An open fee past its date is not yet overdue (a payment may be on its way): the
    // town's books mark it so, and only then does the overdue notice go.
    t.set_day("2026-05-11");
    expect_mails(&t.cycle().await, &[]);
    let mut dog = fee("R-2026-002", PETR, "Dog fee", 60000, "2026-05-10");
    dog.status = ReceivableStatus::Overdue;
    dog.version = Some("2".into());
    t.sim.apply(Change::PutReceivable { record: dog });
    t.cycle_expecting(&[(PETR_MAIL, "Dog fee, … – overdue since")])
        .await;

    t.set_day("2026-05-17");
    let m = t
        .cycle_expecting(&[(JANA_MAIL, "Poplatek za odpady, … je splatný … (za 14 dní)")])
        .await;
    assert!(m[0].body.contains("31. 5. 2026") && m[0].body.contains("900,00\u{a0}Kč"));

    t.sim.step(); // assigned
    t.set_day("2026-05-18");
    let m = t
        .cycle_expecting(&[(JANA_MAIL, "podání MULH 12/2026 – přiděleno zpracovateli")])
        .await;
    assert!(
        m[0].body.contains("Odbor životního prostředí")
            && m[0].body.contains("Předchozí stav: přijato")
    );
    if restarts {
        t.restart().await;
    }

    t.set_day("2026-05-28");
    t.cycle_expecting(&[(JANA_MAIL, "Poplatek za odpady, … je splatný … (za 3 dny)")])
        .await;

    t.sim.step(); // paid
    let m = t
        .cycle_expecting(&[(JANA_MAIL, "poplatek Poplatek za odpady je zaplacen")])
        .await;
    assert!(m[0].body.contains("900,00\u{a0}Kč"));

    // The due date of a paid fee: no reminder.
    t.set_day("2026-05-31");
    t.cycle_expecting(&[]).await;
    if restarts {
        t.restart().await;
    }

    t.sim.step(); // resolved
    t.cycle_expecting(&[(JANA_MAIL, "podání MULH 12/2026 – vyřízeno")])
        .await;

    t.set_day("2026-06-15");
    t.cycle_expecting(&[]).await;

    // Each alert exactly once: the SMTP server saw every Message-ID once.
    let all_mails = t.smtp.mails();
    assert_eq!(all_mails.len(), 10);
    let mut ids: Vec<&str> = all_mails.iter().map(|m| m.message_id.as_str()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 10, "duplicate Message-IDs");
    assert!(t
        .app
        .store
        .alerts()
        .await
        .expect("alerts")
        .iter()
        .all(|a| a.state == "sent"));
}

#[tokio::test]
async fn timeline_sends_exactly_the_expected_mails_on_sqlite() {
    run_timeline(Engine::Sqlite, false).await;
}

#[tokio::test]
async fn timeline_sends_exactly_the_expected_mails_on_postgres() {
    run_timeline(Engine::Postgres, false).await;
}
