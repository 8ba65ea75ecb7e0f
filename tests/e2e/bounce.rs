//! What happened after an e-mail left: every alert goes out with a VERP return path that
//! names it, and `hlidac bounce` (the real binary, the report on standard input as
//! Postfix's pipe transport delivers it) applies a DSN in Postfix's own format: a
//! permanent failure marks the alert bounced and the address undeliverable, and nothing
//! more goes to it; temporary failures count up to the municipality's limit; an ARF
//! complaint unsubscribes the address; a forged return path and an unknown alert change
//! nothing and are logged, without the address.

use crate::helpers::*;

/// A DSN as Postfix's bounce(8) writes it, for the message whose return path was `verp`.
fn postfix_dsn(verp: &str, rcpt: &str, action: &str, status: &str) -> String {
    format!(
        "Return-Path: <>\r\nDelivered-To: {verp}\r\nFrom: MAILER-DAEMON@relay.example (Mail Delivery System)\r\n\
Subject: Undelivered Mail Returned to Sender\r\nTo: {verp}\r\nAuto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"4ABC.1764752400/relay.example\"\r\n\r\n\
This is a MIME-encapsulated message.\r\n\r\n--4ABC.1764752400/relay.example\r\nContent-Description: Notification\r\n\
Content-Type: text/plain; charset=us-ascii\r\n\r\nThis is the mail system at host relay.example.\r\n\r\n\
I'm sorry to have to inform you that your message could not\r\nbe delivered to one or more recipients.\r\n\r\n\
--4ABC.1764752400/relay.example\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n\
Reporting-MTA: dns; relay.example\r\nX-Postfix-Queue-ID: 4ABC\r\nX-Postfix-Sender: rfc822; {verp}\r\n\
Arrival-Date: Fri,  1 May 2026 07:00:00 +0200 (CEST)\r\n\r\nFinal-Recipient: rfc822; {rcpt}\r\n\
Original-Recipient: rfc822;{rcpt}\r\nAction: {action}\r\nStatus: {status}\r\nRemote-MTA: dns; mx.example\r\n\
Diagnostic-Code: smtp; 550 5.1.1 <{rcpt}>: Recipient address rejected: User unknown\r\n\r\n\
--4ABC.1764752400/relay.example\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n\
Return-Path: <{verp}>\r\nFrom: Obec Lhota <hlidac@lhota.example>\r\nTo: {rcpt}\r\nSubject: an alert\r\n\r\n\
--4ABC.1764752400/relay.example--\r\n"
    )
}

/// An ARF complaint (RFC 5965) quoting the original message.
fn arf(verp: &str, rcpt: &str) -> String {
    format!(
        "From: fbl@isp.example\r\nTo: postmaster@lhota.example\r\nSubject: FW: an alert\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/report; report-type=feedback-report; boundary=\"ARF\"\r\n\r\n--ARF\r\n\
Content-Type: text/plain\r\n\r\nThis is an e-mail abuse report.\r\n--ARF\r\nContent-Type: message/feedback-report\r\n\r\n\
Feedback-Type: abuse\r\nUser-Agent: isp-fbl/1.0\r\nVersion: 1\r\nOriginal-Rcpt-To: <{rcpt}>\r\n\r\n--ARF\r\n\
Content-Type: message/rfc822\r\n\r\nReturn-Path: <{verp}>\r\nFrom: hlidac@lhota.example\r\nTo: {rcpt}\r\nSubject: an alert\r\n\r\nbody\r\n--ARF--\r\n"
    )
}

/// `hlidac bounce` with `report` on standard input: (stdout, stderr).
fn bounce(config: &std::path::Path, report: &str) -> (String, String) {
    let out = run_ok_with_input(
        hlidac_with_config(config).arg("bounce"),
        report,
        "hlidac bounce",
    );
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

async fn citizen(t: &TestApp, person: &str) -> String {
    t.app
        .store
        .citizen_of_person("lhota", &t.app.crypto.person_hash(person))
        .await
        .expect("db")
        .expect("enrolled")
}

#[tokio::test]
async fn bounces_and_complaints_come_back_through_the_return_path() {
    let mut t = crate::timeline::on_timeline().await;
    let config = t.dir.path().join("bounce.toml");
    std::fs::write(&config, &t.config).expect("config");
    let m = t
        .cycle_expecting(&[
            (JANA_MAIL, "sledujeme vaše podání"),
            (PETR_MAIL, "new bill –"),
        ])
        .await;
    // Each e-mail's return path names its alert, under the municipality's domain.
    for mail in &m {
        assert!(
            mail.mail_from.starts_with("bounces+") && mail.mail_from.ends_with("@lhota.example"),
            "{}",
            mail.mail_from
        );
        assert!(hlidac::notify::feedback::verp_alert(&t.app.crypto, &mail.mail_from).is_some());
    }
    let (jana_verp, petr_verp) = (m[0].mail_from.clone(), m[1].mail_from.clone());
    let (jana, petr) = (citizen(&t, JANA).await, citizen(&t, PETR).await);

    // A forged return path, and a genuine one for an alert not held here: nothing changes,
    // and the log says so without the address.
    let forged = petr_verp
        .replacen("bounces+", "bounces+0", 1)
        .replacen(".", "0.", 1);
    let (out, err) = bounce(&config, &postfix_dsn(&forged, PETR_MAIL, "failed", "5.1.1"));
    assert!(out.contains("Unverified"), "{out}");
    assert!(
        err.contains("changed nothing") && !err.contains(PETR_MAIL),
        "{err}"
    );
    let unknown = hlidac::notify::feedback::verp_address(
        &t.app.crypto,
        "00000000000000000000000000000000",
        "lhota.example",
    );
    let (out, err) = bounce(
        &config,
        &postfix_dsn(&unknown, PETR_MAIL, "failed", "5.1.1"),
    );
    assert!(out.contains("UnknownAlert"), "{out}");
    assert!(err.contains("changed nothing"), "{err}");
    let petr_contacts = t.app.store.contacts_of(&petr).await.expect("db");
    assert!(petr_contacts
        .iter()
        .all(|k| k.undeliverable_at.is_none() && k.verified_at.is_some()));

    // Postfix reports Petr's address gone for good.
    let (out, _) = bounce(
        &config,
        &postfix_dsn(&petr_verp, PETR_MAIL, "failed", "5.1.1"),
    );
    assert!(
        out.contains("Applied") && out.contains("undeliverable: true"),
        "{out}"
    );
    let alerts = t.app.store.citizen_alerts(&petr, 10).await.expect("db");
    assert_eq!(alerts[0].state, "bounced", "{alerts:?}");
    let k = &t.app.store.contacts_of(&petr).await.expect("db")[0];
    assert!(
        k.undeliverable_at.is_some() && k.verified_at.is_none(),
        "{k:?}"
    );

    // Two temporary failures of Jana's address leave it in use (the limit is 3)...
    for _ in 0..2 {
        let (out, _) = bounce(
            &config,
            &postfix_dsn(&jana_verp, JANA_MAIL, "delayed", "4.2.2"),
        );
        assert!(
            out.contains("Temporary") && out.contains("undeliverable: false"),
            "{out}"
        );
    }
    assert!(t.app.store.contacts_of(&jana).await.expect("db")[0]
        .undeliverable_at
        .is_none());

    // ...so the reminder day reaches Jana, and nothing goes to Petr's dead address.
    t.set_day("2026-05-07");
    let mails = t.cycle().await;
    assert!(mails.iter().all(|m| m.to != PETR_MAIL), "{mails:?}");

    // Jana marks an alert as spam: her address is unsubscribed from the municipality's
    // e-mails, and nothing more is sent to it.
    let (out, _) = bounce(&config, &arf(&jana_verp, JANA_MAIL));
    assert!(out.contains("Complaint"), "{out}");
    let subs = t.app.store.subscriptions_of(&jana).await.expect("db");
    assert!(subs.iter().all(|(_, ch)| ch != "email"), "{subs:?}");
    t.set_day("2026-05-10");
    let mails = t.cycle().await;
    assert!(mails.is_empty(), "{mails:?}");

    // The report counts the bounced alert and each report by kind (the reports came in
    // at the real time `hlidac bounce` ran; the alerts at the test's clock in May).
    let to = (chrono::Utc::now().date_naive() + chrono::Days::new(1)).to_string();
    let out = hlidac_with_config(&config)
        .args([
            "report",
            "--tenant",
            "lhota",
            "--from",
            "2026-05-01",
            "--to",
            &to,
        ])
        .output()
        .expect("report");
    let csv = String::from_utf8_lossy(&out.stdout).replace(&to, "TO");
    assert_contains_all(
        &csv,
        &[
            "lhota,2026-05-01,TO,receivable.new,email,bounced,1",
            "lhota,2026-05-01,TO,mail_feedback,,bounce,1",
            "lhota,2026-05-01,TO,mail_feedback,,soft_bounce,2",
            "lhota,2026-05-01,TO,mail_feedback,,complaint,1",
        ],
    );

    // Petr's export tells him what the mail system reported about his address.
    let info = t.app.store.citizen(&petr).await.expect("db").expect("Petr");
    let export = t.app.citizens.export(&info, "Petr").await.expect("export");
    let export = serde_json::to_value(export).expect("json");
    let reports = &export["municipalities"][0]["mail_reports"];
    assert_eq!(
        (reports[0]["kind"].as_str(), reports[0]["status"].as_str()),
        (Some("bounce"), Some("5.1.1")),
        "{export}"
    );
}

/// POSTs `body` to the feedback webhook, signed with `secret`: the status and the answer.
async fn post_feedback(
    t: &TestApp,
    web: &str,
    secret: &str,
    body: &str,
) -> (u16, serde_json::Value) {
    let ts = t.app.clock.now().timestamp();
    let resp = reqwest::Client::new()
        .post(format!("{web}/feedback/lhota"))
        .header("x-hlidac-timestamp", ts.to_string())
        .header("x-hlidac-signature", crate::ingest::sign(ts, body, secret))
        .body(body.to_string())
        .send()
        .await
        .expect("webhook");
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_relay_provider_reports_by_a_signed_webhook() {
    const SECRET: &str = "feedback-secret-of-lhota-0123456789abcdef";
    let secret_file = tempfile::NamedTempFile::new().expect("secret");
    std::fs::write(secret_file.path(), SECRET).expect("secret");
    let path = secret_file.path().display().to_string();
    let mut t = TestApp::on_sqlite_with(
        crate::sms::one_fee(),
        morning("2026-05-01"),
        move |c| {
            c.replace(
                "sender = { email = \"hlidac@lhota.example\" }\n",
                &format!(
                    "sender = {{ email = \"hlidac@lhota.example\" }}\nfeedback_secret_file = \"{path}\"\n"
                ),
            )
        },
    )
    .await;
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 2);
    let web = t.serve_web().await;
    let verp_of = |to: &str| {
        mails
            .iter()
            .find(|m| m.to == to)
            .expect("mail")
            .mail_from
            .clone()
    };
    let event = |kind: &str, verp: &str, rcpt: &str| {
        serde_json::json!({"events": [{"type": kind, "return_path": verp, "recipient": rcpt,
            "status": "5.1.1"}]})
        .to_string()
    };
    // A report of `kind` about the alert that went to `to`.
    let event_about = |kind: &str, to: &str| event(kind, &verp_of(to), to);
    let petr = citizen(&t, PETR).await;
    let jana = citizen(&t, JANA).await;

    // A wrong signature and a body that does not read change nothing.
    let body = event_about("bounce", PETR_MAIL);
    let (status, answer) =
        post_feedback(&t, &web, "not-the-secret-of-lhota-0123456789abcd", &body).await;
    assert_eq!(status, 401, "{answer}");
    let (status, answer) =
        post_feedback(&t, &web, SECRET, r#"{"events": [{"type": "gone"}]}"#).await;
    assert_eq!(status, 400, "{answer}");
    let (status, answer) = post_feedback(&t, &web, SECRET, &event_about("lost", PETR_MAIL)).await;
    assert_eq!(status, 400);
    assert!(
        answer["message"]
            .as_str()
            .unwrap_or("")
            .contains("events[0].type"),
        "{answer}"
    );
    // A forged return path is counted, not applied.
    let forged = verp_of(PETR_MAIL).replacen("bounces+", "bounces+0", 1);
    let (status, answer) =
        post_feedback(&t, &web, SECRET, &event("bounce", &forged, PETR_MAIL)).await;
    assert_eq!(
        (status, answer["unverified"].as_u64()),
        (200, Some(1)),
        "{answer}"
    );
    assert!(t.app.store.contacts_of(&petr).await.expect("db")[0]
        .undeliverable_at
        .is_none());

    // The provider reports Petr's address gone and Jana's complaint.
    let (status, answer) = post_feedback(&t, &web, SECRET, &body).await;
    assert_eq!(
        (status, answer["applied"].as_u64()),
        (200, Some(1)),
        "{answer}"
    );
    let alerts = t.app.store.citizen_alerts(&petr, 10).await.expect("db");
    assert_eq!(alerts[0].state, "bounced", "{alerts:?}");
    assert!(t.app.store.contacts_of(&petr).await.expect("db")[0]
        .undeliverable_at
        .is_some());
    // The same call again (a retry, a replay within the signature window) counts once.
    let (status, _) = post_feedback(&t, &web, SECRET, &body).await;
    assert_eq!(status, 200);
    let counts = t
        .app
        .store
        .feedback_counts("lhota", 0, i64::MAX)
        .await
        .expect("db");
    assert_eq!(counts, vec![("bounce".to_string(), 1)]);
    let (status, _) = post_feedback(&t, &web, SECRET, &event_about("complaint", JANA_MAIL)).await;
    assert_eq!(status, 200);
    let subs = t.app.store.subscriptions_of(&jana).await.expect("db");
    assert!(subs.iter().all(|(_, ch)| ch != "email"), "{subs:?}");
    // A municipality without a secret has no webhook.
    let resp = reqwest::Client::new()
        .post(format!("{web}/feedback/nowhere"))
        .body("{}")
        .send()
        .await
        .expect("webhook");
    assert_eq!(resp.status().as_u16(), 404);
}
