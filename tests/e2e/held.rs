//! Protocol 1.1 on a real poll: one record that does not follow the protocol is held back
//! alone (named by its key, kept as it was, no alert or reminder from it) while the rest
//! of the source goes on; it is released the first time it comes back well formed. A fee
//! of a kind outside the protocol's list is read as `other` and alerts like any other.

use crate::helpers::*;
use hlidac_adapters::{Receivable, ReceivableKind, Record, SubmissionStatus};
use hlidac_sim::{Change, FaultKind, Scenario, Step};

fn scenario() -> Scenario {
    Scenario {
        timeline: vec![Step {
            at_secs: 0,
            label: "R-1 paid, S-1 assigned".into(),
            changes: vec![
                Change::PayReceivable { key: "R-1".into() },
                Change::SetSubmissionStatus {
                    key: "S-1".into(),
                    status: SubmissionStatus::Assigned,
                    status_native: None,
                    assigned_to: None,
                },
            ],
        }],
        ..small_town("2026-05-20")
    }
}

fn three_days_ahead(config: String) -> String {
    config.replace(
        "time_zone = \"Europe/Prague\"\n",
        "time_zone = \"Europe/Prague\"\nreminder_offsets_days = [3]\n",
    )
}

async fn held_note(t: &TestApp) -> (String, i64, Option<String>) {
    let h = t.health().await;
    (h.state, h.held_records, h.held_note)
}

async fn stored_r1(t: &TestApp) -> hlidac::store::Observation {
    t.stored(Receivable::KIND, "R-1").await
}

#[tokio::test]
async fn a_malformed_record_is_held_alone_and_the_rest_goes_on() {
    let logs = capture_logs();
    let mut t = TestApp::on_sqlite_with(scenario(), morning("2026-05-01"), three_days_ahead).await;
    assert_eq!(t.cycle().await.len(), 4, "three fees and a submission");

    // R-1 is paid at the source, but its record comes with an amount of the wrong type
    // (it is the first record of the first page: Jana's references sort first).
    t.sim.step();
    t.sim.inject(FaultKind::WrongType, 1);
    let outcome = t
        .app
        .poll_source("lhota", "agenda")
        .await
        .expect("one bad record does not fail the poll");
    assert_eq!(outcome.records, 4, "the held record counts as read");
    let (state, held, note) = held_note(&t).await;
    assert_eq!((state.as_str(), held), ("ok", 1));
    let note = note.expect("the source names what it held back");
    assert!(
        note.starts_with("receivable \"R-1\": amount_due: invalid type"),
        "{note}"
    );
    let line = logs.line_with("held back");
    assert!(
        line.contains("R-1") && line.contains("amount_due"),
        "{line}"
    );
    assert!(!logs.text().contains(JANA), "a person reference in the log");
    assert_eq!(
        stored_r1(&t).await.status,
        "open",
        "the held record is kept as it was"
    );

    // The rest of the source went on: the submission's change is told; the held fee is
    // neither read as paid nor reminded of, though its due date comes.
    let mails = t.cycle_without_poll().await;
    expect_mails(&mails, &[(JANA_MAIL, "přiděleno zpracovateli")]);
    t.set_day("2026-05-17");
    let mails = t.cycle_without_poll().await;
    expect_mails(
        &mails,
        &[
            (JANA_MAIL, "Poplatek ze psů, … je splatný … (za 3 dny)"),
            (PETR_MAIL, "Dog fee, … is due … (in 3 days)"),
        ],
    );

    // Well formed again: the record is released and its change told once.
    t.cycle_expecting(&[(JANA_MAIL, "poplatek Poplatek za odpady je zaplacen")])
        .await;
    assert_eq!(held_note(&t).await, ("ok".into(), 0, None));
    assert!(t.cycle().await.is_empty(), "told once");
}

#[tokio::test]
async fn a_fee_of_a_kind_outside_the_list_is_other_and_alerts() {
    let mut t = TestApp::on_sqlite(scenario(), morning("2026-05-01")).await;
    t.sim.inject(FaultKind::UnknownKind, 1);
    t.cycle_expecting(&[
        (JANA_MAIL, "nový poplatek k úhradě – Poplatek za odpady"),
        (JANA_MAIL, "nový poplatek k úhradě – Poplatek ze psů"),
        (PETR_MAIL, "Dog fee"),
        (JANA_MAIL, "MULH 12/2026"),
    ])
    .await;
    let (state, held, _) = held_note(&t).await;
    assert_eq!((state.as_str(), held), ("ok", 0));
    let r: Receivable = serde_json::from_str(&stored_r1(&t).await.data).expect("parses back");
    assert_eq!(r.kind, ReceivableKind::Other);
    assert_eq!(r.kind_native.as_deref(), Some("komunalna_taksa"));
}
