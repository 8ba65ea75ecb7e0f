//! A waste fee in four instalments with an early-payment discount (5 % until 15 May):
//! a reminder before the discount ends, then one per instalment, none for an instalment
//! already paid, and no discount reminder once something has been paid.

use crate::helpers::*;
use hlidac_adapters::{EarlyDiscount, Instalment, Money, ReceivableStatus};
use hlidac_sim::{Change, Scenario, Step};

fn fee_in_four() -> hlidac_adapters::Receivable {
    let mut r = fee(
        "R-2026-040",
        JANA,
        "Poplatek za odpady",
        120000,
        "2026-05-31",
    );
    r.instalments = ["2026-05-31", "2026-07-31", "2026-09-30", "2026-11-30"]
        .iter()
        .enumerate()
        .map(|(i, d)| Instalment {
            no: i as u32 + 1,
            due_date: date(d),
            amount: Money(30000),
            paid: false,
        })
        .collect();
    r.early_discount = Some(EarlyDiscount {
        until: date("2026-05-15"),
        percent: "5".into(),
    });
    r
}

#[tokio::test]
async fn instalments_and_the_early_discount_each_get_their_reminder() {
    let mut first_paid = fee_in_four();
    first_paid.instalments[0].paid = true;
    first_paid.amount_outstanding = Money(90000);
    first_paid.status = ReceivableStatus::PartiallyPaid;
    first_paid.version = Some("2".into());
    let scenario = Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: vec![fee_in_four()],
        submissions: vec![],
        timeline: vec![Step {
            at_secs: 0,
            label: "first instalment paid".into(),
            changes: vec![Change::PutReceivable { record: first_paid }],
        }],
    };
    let mut t = TestApp::on_sqlite(scenario, morning("2026-04-01")).await;
    t.cycle_expecting(&[(
        JANA_MAIL,
        "nový poplatek k úhradě – Poplatek za odpady, … do 31. 5. 2026",
    )])
    .await;

    t.set_day("2026-05-01"); // 14 days before the discount ends
    let m = t
        .cycle_expecting(&[(
            JANA_MAIL,
            "sleva 5 % na Poplatek za odpady, … do 15. 5. 2026",
        )])
        .await;
    assert!(
        m[0].body.contains("1\u{a0}140,00\u{a0}Kč") && m[0].body.contains("1\u{a0}200,00\u{a0}Kč"),
        "{}",
        m[0].body
    );

    t.set_day("2026-05-17"); // 14 days before the first instalment
    let m = t
        .cycle_expecting(&[(JANA_MAIL, "Poplatek za odpady, … je splatný … (za 14 dní)")])
        .await;
    assert!(
        m[0].body.contains("300,00\u{a0}Kč") && m[0].body.contains("31. 5. 2026"),
        "{}",
        m[0].body
    );

    t.sim.step(); // the first instalment is paid
    t.set_day("2026-05-28");
    assert!(
        t.cycle().await.is_empty(),
        "no reminder for a paid instalment, no payment confirmation for a part"
    );
    t.set_day("2026-06-01");
    assert!(
        t.cycle().await.is_empty(),
        "a paid instalment is never overdue"
    );

    t.set_day("2026-07-17"); // 14 days before the second
    let m = t
        .cycle_expecting(&[(JANA_MAIL, "Poplatek za odpady, … je splatný … (za 14 dní)")])
        .await;
    assert!(m[0].body.contains("31. 7. 2026"), "{}", m[0].body);
}
