//! Channel fallback without a mail system's report: an e-mail the relay refuses for good is
//! dead-lettered, and with the municipality's `fallback = "sms"` its alert goes once by
//! SMS to the citizen's verified phone (tests/peers/smpp_server.js), when the quiet hours
//! are over. A citizen without a phone gets no SMS; the outbox names the e-mail the SMS
//! stands in for.

use crate::helpers::*;
use crate::sms::{messages, one_fee, text_of, wait_for_state, with_phone, SmppPeer};

/// Jana with a verified phone who takes her alerts by e-mail only; her citizen id.
pub(crate) async fn jana_by_email_with_a_phone(t: &TestApp) -> String {
    let jana = with_phone(t, JANA, JANA_MAIL, "+420601234567").await;
    sqlx::query("DELETE FROM subscriptions WHERE citizen_id = $1 AND channel = 'sms'")
        .bind(&jana)
        .execute(t.app.store.pool())
        .await
        .expect("e-mail only");
    jana
}

/// `config` with Lhota falling back to SMS.
pub(crate) fn falling_back(config: &str) -> String {
    config.replace(
        "sender = { email = \"hlidac@lhota.example\" }\n",
        "sender = { email = \"hlidac@lhota.example\" }\nfallback = \"sms\"\n",
    )
}

/// Lhota's outbox as `hlidac outbox list` shows it.
pub(crate) async fn lhota_outbox(t: &TestApp) -> Vec<hlidac::store::OutboxEntry> {
    t.app
        .store
        .outbox_entries(Some("lhota"), None, 100)
        .await
        .expect("outbox")
}

/// The alerts' rules and one dispatcher round, without waiting for mail.
pub(crate) async fn round(t: &TestApp) {
    t.app.evaluate_rules().await.expect("rules");
    t.app.dispatch_pending().await.expect("dispatch");
}

#[tokio::test]
async fn a_dead_lettered_email_goes_once_by_sms_after_the_quiet_hours() {
    let smsc = SmppPeer::start(&[]);
    let sms = smsc.config();
    // 21:00 in Prague: inside the default quiet hours (20:00-08:00).
    let evening = date("2026-05-01")
        .and_hms_opt(19, 0, 0)
        .expect("time")
        .and_utc();
    let t = TestApp::on_sqlite_with(one_fee(), evening, move |c| falling_back(&c) + &sms).await;
    // Jana has a phone but takes her fees by e-mail; Petr has no phone.
    jana_by_email_with_a_phone(&t).await;
    // The relay refuses every message for good.
    t.smtp.set_mode("550");
    t.app.poll_all().await;
    round(&t).await;
    let entries = lhota_outbox(&t).await;
    let dead: Vec<_> = entries
        .iter()
        .filter(|e| e.channel == "email" && e.state == "dead")
        .collect();
    assert_eq!(dead.len(), 2, "{entries:?}");
    let sms: Vec<_> = entries.iter().filter(|e| e.channel == "sms").collect();
    assert_eq!(sms.len(), 1, "one SMS, Jana's: {entries:?}");
    assert!(
        dead.iter()
            .any(|d| sms[0].fallback_of.as_deref() == Some(d.id.as_str())),
        "{entries:?}"
    );
    // Quiet hours: it waits.
    round(&t).await;
    assert!(smsc.submits().is_empty(), "{:?}", smsc.submits());

    // 08:00: it goes, once.
    t.clock.advance(chrono::Duration::hours(11));
    round(&t).await;
    wait_for_state(&t, "delivered", 1).await;
    round(&t).await;
    let submits = smsc.submits();
    assert_eq!(messages(&submits), 1, "{submits:?}");
    assert!(submits
        .iter()
        .all(|s| s["destination_addr"] == "420601234567"));
    let text: String = submits.iter().map(text_of).collect();
    assert!(text.contains("Poplatek za odpady"), "{text}");
    for e in [dead[0], dead[1], sms[0]] {
        let attempts = t.app.store.attempts_of(&e.id).await.expect("attempts");
        assert_eq!(attempts.len(), 1, "{e:?}: {attempts:?}");
    }
}
