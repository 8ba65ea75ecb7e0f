//! Provider failover against two real SMSCs (tests/peers/smpp_server.js): one refuses
//! binds, or answers slowly; every SMS goes out once, through the other, and the demotion
//! shows in `/metrics` and in the log. And two SMTP relays, the first refusing
//! connections: the mail goes through the second.

use crate::fallback::round;
use crate::helpers::*;
use crate::sms::{messages, one_fee, sms_alerts, wait_for_state, with_phone, SmppPeer};

/// The app with SMSC `a` first in priority and `b` second; slower than 300 ms is slow.
async fn two_smscs(a_args: &[&str]) -> (TestApp, SmppPeer, SmppPeer) {
    two_smscs_for(a_args, "").await
}

/// [`two_smscs`], with `tenant` added to Lhota's keys.
async fn two_smscs_for(a_args: &[&str], tenant: &str) -> (TestApp, SmppPeer, SmppPeer) {
    let tenant = tenant.to_string();
    let a = SmppPeer::start(a_args);
    let b = SmppPeer::start(&[]);
    let sms = format!(
        "\n[sms]\nsender = \"LHOTA\"\n{}{}",
        a.provider("a"),
        b.provider("b")
    );
    let t = TestApp::on_sqlite_with(one_fee(), morning("2026-05-01"), move |c| {
        c.replace(
            "[dispatch]\n",
            "[dispatch]\nslow_ms = 300\ndemote_secs = 600\n",
        )
        .replace("locale = \"cs\"\n", &format!("locale = \"cs\"\n{tenant}"))
            + &sms
    })
    .await;
    (t, a, b)
}

/// The demotions counted for SMS provider `name`, read through a Prometheus parser.
fn demotions(t: &TestApp, name: &str) -> f64 {
    demotions_of(t, "sms", name)
}

fn demotions_of(t: &TestApp, channel: &str, name: &str) -> f64 {
    let families = parse_metrics(&t.app.metrics.encode());
    let family = families
        .iter()
        .find(|f| f.name == "hlidac_provider_demotions")
        .expect("the demotions family");
    family
        .samples
        .iter()
        .filter(|(sample, labels, _)| {
            sample == "hlidac_provider_demotions_total"
                && labels.get("channel").map(String::as_str) == Some(channel)
                && labels.get("provider").map(String::as_str) == Some(name)
        })
        .map(|(_, _, v)| *v)
        .sum()
}

/// Two citizens with phones get their fee's SMS; each goes out once, through `b`.
async fn every_sms_once_through_b(t: &mut TestApp, a: &SmppPeer, b: &SmppPeer) {
    with_phone(t, JANA, JANA_MAIL, "+420601234567").await;
    with_phone(t, PETR, PETR_MAIL, "+420602000111").await;
    t.app.poll_all().await;
    round(t).await;
    wait_for_state(t, "delivered", 2).await;
    assert!(
        a.submits().is_empty(),
        "nothing went to a: {:?}",
        a.submits()
    );
    let submits = b.submits();
    assert_eq!(messages(&submits), 2, "{submits:?}");
    for to in ["420601234567", "420602000111"] {
        let parts: Vec<_> = submits
            .iter()
            .filter(|s| s["destination_addr"] == to)
            .collect();
        assert!(!parts.is_empty(), "no SMS to {to}");
        assert!(parts.iter().all(|s| s["status"] == 0));
    }
    // Nothing is sent again.
    t.app.poll_all().await;
    round(t).await;
    assert_eq!(b.submits().len(), submits.len());
    let alerts = sms_alerts(t).await;
    assert_eq!(alerts.len(), 2);
    assert!(alerts.iter().all(|a| a.1 == "delivered"), "{alerts:?}");
}

#[tokio::test]
async fn an_smsc_that_refuses_binds_is_demoted_and_the_other_sends() {
    let logs = capture_logs();
    let (mut t, a, b) = two_smscs(&["--password", "not-hlidacs"]).await;
    every_sms_once_through_b(&mut t, &a, &b).await;
    assert!(
        a.records()
            .iter()
            .any(|r| r["event"] == "bind" && r["ok"] == false),
        "a was asked to bind and refused"
    );
    assert_eq!(a.binds(), 0);
    assert_eq!(
        demotions(&t, "a"),
        1.0,
        "one demotion, however many binds failed"
    );
    assert_eq!(demotions(&t, "b"), 0.0);
    let line = logs.line_with("provider demoted");
    assert!(
        line.contains("provider=a") && line.contains("channel=\"sms\""),
        "{line}"
    );
    assert!(
        line.contains("ESME_RINVPASWD"),
        "the reason is named: {line}"
    );
}

#[tokio::test]
async fn a_slow_smsc_is_demoted_and_the_other_sends() {
    let logs = capture_logs();
    let (mut t, a, b) = two_smscs(&["--answer-delay-ms", "700"]).await;
    every_sms_once_through_b(&mut t, &a, &b).await;
    assert_eq!(a.binds(), 1, "a bound, slowly");
    assert_eq!(demotions(&t, "a"), 1.0);
    assert_eq!(demotions(&t, "b"), 0.0);
    let log = logs.text();
    assert!(
        log.lines()
            .any(|l| l.contains("provider demoted") && l.contains("enquire_link answered in")),
        "{log}"
    );
}

#[tokio::test]
async fn a_slow_smsc_still_sends_when_the_municipality_has_no_other() {
    let (t, a, b) = two_smscs_for(&["--answer-delay-ms", "700"], "sms_providers = [\"a\"]\n").await;
    with_phone(&t, JANA, JANA_MAIL, "+420601234567").await;
    t.app.poll_all().await;
    round(&t).await;
    wait_for_state(&t, "delivered", 1).await;
    assert_eq!(messages(&a.submits()), 1, "through a, slowly");
    assert!(b.submits().is_empty(), "not through b: {:?}", b.submits());
}

#[tokio::test]
async fn mail_goes_through_the_second_relay_while_the_first_refuses_connections() {
    let logs = capture_logs();
    let nobody_listens = free_port();
    let mut t = TestApp::on_sqlite_with(one_fee(), morning("2026-05-01"), move |c| {
        let (c, sink) = relay_port(&c, nobody_listens);
        format!(
            "{}\n[[email.relays]]\nname = \"second\"\nhost = \"127.0.0.1\"\nport = {sink}\n\
             tls = \"none\"\ntimeout_secs = 5\n",
            c.replace("tls = \"none\"\n", "tls = \"none\"\nname = \"first\"\n")
        )
    })
    .await;
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 2, "both went, through the second relay");
    let alerts = t.app.store.alerts().await.expect("alerts");
    assert!(alerts.iter().all(|a| a.state == "sent"), "{alerts:?}");
    assert_eq!(demotions_of(&t, "email", "first"), 1.0);
    assert_eq!(demotions_of(&t, "email", "second"), 0.0);
    let log = logs.text();
    assert!(
        log.lines().any(|l| l.contains("provider demoted")
            && l.contains("channel=\"email\"")
            && l.contains("provider=first")),
        "{log}"
    );
}
