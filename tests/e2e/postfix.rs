//! A real Postfix between hlidac and the world (Debian's package, its own configuration in a
//! temporary folder): it relays hlidac's mail to a sink that refuses Jana's address, writes
//! the DSN itself, and delivers it through a `pipe` transport to `hlidac bounce`, as an
//! operator sets it up. The alert becomes bounced, the address undeliverable (her contacts
//! page says so), nothing more goes to it, the alert goes once by SMS instead and Jana is
//! told once by SMS, and the report, the metrics and the outbox show it.

use crate::fallback::{jana_by_email_with_a_phone, lhota_outbox};
use crate::helpers::*;
use crate::sms::{messages, text_of, SmppPeer};
use hlidac_sim::Change;
use std::time::{Duration, Instant};

#[tokio::test]
async fn postfix_bounces_through_the_pipe_and_the_alert_goes_by_sms_once() {
    if let Some(why) = postfix_missing() {
        assert!(!require_peers(), "{why}");
        eprintln!("skipped: {why}");
        return;
    }
    let smsc = SmppPeer::start(&[]);
    let port = free_port();
    let sms = smsc.config();
    // `hlidac bounce` runs on the real clock, so the test does too: a fee due in a month,
    // and quiet hours that are not now.
    let now = chrono::Utc::now();
    let due = (now + chrono::Days::new(30)).date_naive().to_string();
    let local = now.with_timezone(&chrono_tz::Europe::Prague);
    let quiet = format!(
        "{:02}:00-{:02}:00",
        (chrono::Timelike::hour(&local) + 2) % 24,
        (chrono::Timelike::hour(&local) + 3) % 24
    );
    let scenario = hlidac_sim::Scenario {
        receivables: vec![
            fee("R-1", JANA, "Poplatek za odpady", 90000, &due),
            fee("R-2", PETR, "Waste fee", 90000, &due),
        ],
        ..hlidac_sim::Scenario::default()
    };
    let Some(t) = TestApp::spawn_with(Engine::Postgres, scenario, now, move |c| {
        relay_port(&c, port).0.replace(
            "sender = { email = \"hlidac@lhota.example\" }\n",
            &format!(
                "sender = {{ email = \"hlidac@lhota.example\" }}\nfallback = \"sms\"\n\
                 quiet_hours = \"{quiet}\"\n"
            ),
        ) + &sms
    })
    .await
    else {
        eprintln!("skipped: no PostgreSQL");
        return;
    };
    // Jana has a phone, but wants the fees by e-mail only; her mailbox is gone.
    let jana = jana_by_email_with_a_phone(&t).await;
    std::fs::write(t.smtp.dir.path().join("reject"), JANA_MAIL).expect("reject");

    // Postfix hands what comes back to the return paths to `hlidac bounce`, run as nobody
    // (a copy of the binary: the build folder may be closed to it).
    let config = t.dir.path().join("hlidac.toml");
    std::fs::write(&config, &t.config).expect("config");
    let bin = t.dir.path().join("hlidac");
    std::fs::copy(hlidac_binary(), &bin).expect("binary");
    give_to_nobody(t.dir.path());
    give_to_nobody(smsc.dir());
    let postfix = Postfix::start(
        port,
        t.smtp.port,
        "lhota.example",
        &[
            bin.display().to_string(),
            "--config".into(),
            config.display().to_string(),
            "bounce".into(),
            "--recipient".into(),
            "${recipient}".into(),
        ],
    );

    // The fee's e-mails leave through Postfix: Petr's arrives, Jana's is refused.
    t.app.poll_all().await;
    t.app.evaluate_rules().await.expect("rules");
    let report = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(report.sent, 2, "{report:?}");
    let mails = t.smtp.wait_for(1, Duration::from_secs(20)).await;
    assert!(mails.iter().all(|m| m.to != JANA_MAIL), "{mails:?}");

    // Postfix writes the DSN and pipes it to `hlidac bounce`: the alert is bounced.
    let start = Instant::now();
    let bounced = loop {
        let alerts = t
            .app
            .store
            .outbox_entries(Some("lhota"), Some("bounced"), 10)
            .await
            .expect("db");
        if let Some(a) = alerts.first() {
            break a.clone();
        }
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no alert bounced: {alerts:?}\n{}",
            postfix.log()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    // Postfix logs the pipe's delivery once `hlidac bounce` has exited.
    let start = Instant::now();
    while !postfix
        .log()
        .lines()
        .any(|l| l.contains("relay=hlidacbounce") && l.contains("status="))
        && start.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = postfix.log();
    assert!(
        log.contains("dsn=5.1.1, status=bounced")
            && log.contains("sender non-delivery notification")
            && log.contains("relay=hlidacbounce")
            && log
                .lines()
                .any(|l| l.contains("relay=hlidacbounce") && l.contains("status=sent")),
        "Postfix made the DSN and the pipe took it:\n{log}"
    );
    assert_eq!(bounced.channel, "email");
    let contact = t.app.store.contacts_of(&jana).await.expect("db");
    let mail = contact
        .iter()
        .find(|k| k.channel == "email")
        .expect("her e-mail contact");
    assert!(
        mail.undeliverable_at.is_some() && mail.verified_at.is_none(),
        "{mail:?}"
    );

    // The alert goes by SMS instead, once, and Jana is told her address bounces (queued
    // by `hlidac bounce` at its moment, a little after the test's clock).
    t.clock.advance(chrono::Duration::minutes(1));
    t.app.dispatch_pending().await.expect("dispatch");
    let start = Instant::now();
    while messages(&smsc.submits()) < 2 {
        if start.elapsed() > Duration::from_secs(20) {
            let entries = t.app.store.outbox_entries(None, None, 100).await;
            panic!("{:?}\n{entries:?}\n{}", smsc.submits(), postfix.log());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let submits = smsc.submits();
    assert!(submits
        .iter()
        .all(|s| s["destination_addr"] == "420601234567" && s["status"] == 0));
    let text: String = submits.iter().map(text_of).collect();
    assert_eq!(messages(&submits), 2, "{text}");
    assert_eq!(text.matches("Poplatek za odpady").count(), 1, "{text}");
    assert_eq!(text.matches("vracejí nedoručené").count(), 1, "{text}");
    // The outbox keeps both attempts: the e-mail, and the SMS in its place.
    let entries = lhota_outbox(&t).await;
    let fallback = entries
        .iter()
        .find(|e| e.fallback_of.as_deref() == Some(bounced.id.as_str()))
        .unwrap_or_else(|| panic!("no SMS in place of {}: {entries:?}", bounced.id));
    assert_eq!(fallback.channel, "sms");
    assert_eq!(fallback.kind, bounced.kind);
    for id in [&bounced.id, &fallback.id] {
        let attempts = t.app.store.attempts_of(id).await.expect("attempts");
        assert_eq!(attempts.len(), 1, "{id}: {attempts:?}");
    }

    // Nothing more goes to the address: a second fee each, and only Petr's e-mail goes out
    // (Jana's fee is hers to see; no more SMS either: she takes fees by e-mail, which she
    // has to fix first).
    for (key, who) in [("R-3", JANA), ("R-4", PETR)] {
        let record = fee(key, who, "Poplatek ze psa", 50000, &due);
        t.sim.apply(Change::PutReceivable { record });
    }
    t.app.poll_all().await;
    t.app.evaluate_rules().await.expect("rules");
    t.app.dispatch_pending().await.expect("dispatch");
    let mails = t.smtp.wait_for(2, Duration::from_secs(20)).await;
    assert!(
        mails
            .iter()
            .any(|m| m.to == PETR_MAIL && m.subject.contains("Poplatek ze psa")),
        "Petr's second fee came through Postfix: {mails:?}"
    );
    let to_jana = format!("to=<{JANA_MAIL}>");
    assert_eq!(
        postfix.log().matches(&to_jana).count(),
        1,
        "one e-mail to her, ever:\n{}",
        postfix.log()
    );
    assert_eq!(messages(&smsc.submits()), 2);

    // Her contacts page says so and offers the fix.
    let web = t.serve_web().await;
    let cookie = session_for(&t, &jana).await;
    let page = reqwest::Client::new()
        .get(format!("{web}/t/lhota/contacts"))
        .header("cookie", format!("__Host-hlidac_session={cookie}"))
        .send()
        .await
        .expect("contacts");
    let html = unescape(&page.text().await.expect("page"));
    assert!(
        html.contains(JANA_MAIL)
            && html.contains("vracejí jako nedoručitelné")
            && html.contains("Poslat potvrzovací odkaz"),
        "{html}"
    );

    // The report and the metrics count the bounce.
    let from = now.date_naive().to_string();
    let to = (now.date_naive() + chrono::Days::new(1)).to_string();
    let out = hlidac_with_config(&config)
        .args(["report", "--tenant", "lhota", "--from", &from, "--to", &to])
        .output()
        .expect("report");
    let csv = String::from_utf8_lossy(&out.stdout)
        .replace(&to, "TO")
        .replace(&from, "FROM");
    assert_contains_all(
        &csv,
        &[
            "lhota,FROM,TO,receivable.new,email,bounced,1",
            "lhota,FROM,TO,mail_feedback,,bounce,1",
        ],
    );
    t.app.health.set_sample(
        hlidac::health::Sample::read(&t.app.store)
            .await
            .expect("sample"),
    );
    let families = parse_metrics(&t.app.metrics.encode());
    let feedback = families
        .iter()
        .find(|f| f.name == "hlidac_mail_feedback")
        .expect("hlidac_mail_feedback");
    assert!(
        feedback.samples.iter().any(|(_, l, v)| {
            l.get("tenant").map(String::as_str) == Some("lhota")
                && l.get("kind").map(String::as_str) == Some("bounce")
                && *v == 1.0
        }),
        "{:?}",
        feedback.samples
    );
}

/// A session cookie for citizen `id`, as a login and the consent page would leave it.
async fn session_for(t: &TestApp, id: &str) -> String {
    let cookie = hex::encode(rand::random::<[u8; 24]>());
    let now = t.app.clock.now_ms();
    t.app.store.set_consent(id, now).await.expect("consent");
    t.app
        .store
        .create_session(&hlidac::store::NewSession {
            id_hash: &t.app.identity.session_hash(&cookie),
            tenant: "lhota",
            citizen_id: id,
            idp: "nia",
            loa: "high",
            profile_enc: &t.app.crypto.seal("{}"),
            name_id_hash: None,
            now,
            expires_at: now + 3_600_000,
        })
        .await
        .expect("session");
    cookie
}
