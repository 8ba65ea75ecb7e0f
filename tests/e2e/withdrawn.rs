//! Protocol 1.1 tombstones on a real poll and a real change feed: a record its source
//! withdrew or cancelled is never read as paid or resolved, its reminders stop, it leaves
//! the citizen's overview, and the citizen hears of a cancelled fee only where the
//! municipality wants it (`tell_cancelled`). A record withdrawn as entered in error is
//! forgotten silently.

use crate::helpers::*;
use hlidac_adapters::{Receivable, Record, Submission, Withdrawal};
use hlidac_sim::{Change, Scenario};

fn scenario() -> Scenario {
    small_town("2026-05-20")
}

/// Reminders three days ahead, and cancelled fees told (or not).
fn tenant_keys(tell: bool) -> impl Fn(String) -> String + Clone {
    move |config: String| {
        config.replace(
            "time_zone = \"Europe/Prague\"\n",
            &format!(
                "time_zone = \"Europe/Prague\"\nreminder_offsets_days = [3]\ntell_cancelled = {tell}\n"
            ),
        )
    }
}

/// R-1 cancelled, R-3 and S-1 withdrawn as entered in error.
fn withdraw_three(t: &TestApp) {
    for (key, why) in [
        ("R-1", Withdrawal::Cancelled),
        ("R-3", Withdrawal::Withdrawn),
        ("S-1", Withdrawal::Withdrawn),
    ] {
        t.sim.apply(Change::Withdraw {
            key: key.into(),
            withdrawn: why,
        });
    }
}

/// What follows the tombstones, whichever way they came: the stored statuses, and no
/// reminder for the withdrawn fees on their day.
async fn after_withdrawal(t: &mut TestApp) {
    assert_eq!(t.stored(Receivable::KIND, "R-1").await.status, "cancelled");
    assert_eq!(t.stored(Receivable::KIND, "R-3").await.status, "withdrawn");
    assert_eq!(t.stored(Submission::KIND, "S-1").await.status, "withdrawn");
    assert!(
        t.cycle().await.is_empty(),
        "a tombstone read again sends nothing"
    );
    t.set_day("2026-05-17");
    t.cycle_expecting(&[(JANA_MAIL, "Poplatek ze psů, … je splatný … (za 3 dny)")])
        .await;
}

#[tokio::test]
async fn tombstones_in_a_list_end_a_record_without_reading_it_as_paid() {
    let mut t = TestApp::on_sqlite_with(scenario(), morning("2026-05-01"), tenant_keys(true)).await;
    assert_eq!(t.cycle().await.len(), 4, "three fees and a submission");
    withdraw_three(&t);
    let mails = t.cycle().await;
    // Only the cancelled fee is told, once, as cancelled: never as paid, and nothing of
    // the records withdrawn as entered in error.
    let m = expect_mails(
        &mails,
        &[(JANA_MAIL, "poplatek Poplatek za odpady (…) byl zrušen")],
    );
    assert!(m[0].body.contains("900,00\u{a0}Kč"), "{}", m[0].body);
    let health = t.health().await;
    assert_eq!(
        health.state, "ok",
        "tombstones are not a shrinking snapshot"
    );
    after_withdrawal(&mut t).await;

    // A record that comes back is the citizen's again.
    let mut back = fee("R-3", PETR, "Dog fee", 60000, "2026-05-20");
    back.version = Some("9".into());
    t.sim.apply(Change::PutReceivable { record: back });
    // No paid or new alert for its return, but its reminder, as its day has come.
    expect_mails(
        &t.cycle().await,
        &[(PETR_MAIL, "Dog fee, … is due … (in 3 days)")],
    );
    assert_eq!(t.stored(Receivable::KIND, "R-3").await.status, "open");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tombstones_in_the_change_feed_are_applied_and_told_only_where_wanted() {
    let Some(mut t) =
        TestApp::spawn_with(Engine::Postgres, scenario(), morning("2026-05-01"), |c| {
            format!("{}changes = true\n", tenant_keys(false)(c))
        })
        .await
    else {
        return;
    };
    assert_eq!(t.cycle().await.len(), 4);
    withdraw_three(&t);
    let lists = t.sim.calls("receivables");
    assert!(
        t.cycle().await.is_empty(),
        "tell_cancelled is off: the citizen is not told"
    );
    assert_eq!(
        t.sim.calls("receivables"),
        lists,
        "read from the feed alone"
    );
    after_withdrawal(&mut t).await;
}
