//! The citizen's pages through a scripted browser: log in through the pysaml2 IdP, agree,
//! see fees with a payment QR code that decodes to the right payment, choose alerts,
//! confirm an e-mail by the link that arrived at the SMTP server and a phone by the code
//! the SMSC received, set a personal reminder that becomes an alert on its day, export,
//! delete; and every form and endpoint fed malformed, oversized and hostile input.

use crate::helpers::*;
use crate::sms::{text_of, SmppPeer};
use hlidac::clock::Clock;
use hlidac_adapters::{HistoryEntry, Receivable, SubmissionStatus};
use hlidac_sim::Scenario;

/// Jana's waste fee, due long after any test runs.
pub(crate) fn janas_fee() -> Receivable {
    fee(
        "R-LH-001",
        JANA,
        "Poplatek za odpady",
        120_000,
        "2099-05-31",
    )
}

/// Jana's fee (with an account and a variable symbol) and a submission with history.
pub(crate) fn janas_records(s: &mut Scenario) {
    s.receivables.push(janas_fee());
    // Due in 20 days: the citizen's own reminder days decide when she hears of it.
    let due = (chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Prague)
        .date_naive()
        + chrono::Days::new(20))
    .to_string();
    s.receivables
        .push(fee("R-LH-002", JANA, "Poplatek ze psů", 50_000, &due));
    let mut sub = submission(
        "S-LH-7",
        JANA,
        "Žádost o povolení kácení dřevin",
        "MULH 12/2026",
    );
    sub.status = SubmissionStatus::Assigned;
    sub.history = vec![
        HistoryEntry {
            at: "2026-03-02T09:00:00+01:00".parse().expect("time"),
            status: SubmissionStatus::Received,
        },
        HistoryEntry {
            at: "2026-03-05T10:30:00+01:00".parse().expect("time"),
            status: SubmissionStatus::Assigned,
        },
    ];
    s.submissions.push(sub);
}

/// The CSRF token of a page's forms.
fn csrf_of(page: &Page) -> String {
    let (_, fields) = form_of(
        &page.body[page
            .body
            .find("name=\"csrf\"")
            .map(|i| page.body[..i].rfind("<form").unwrap_or(0))
            .unwrap_or(0)..],
    );
    fields
        .into_iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v)
        .expect("a csrf field")
}

/// The base64 PNG of the page's payment QR code, decoded back to its text.
fn qr_text(page: &Page) -> String {
    let body = unescape(&page.body);
    let at = body.find("data:image/png;base64,").expect("a QR image");
    let rest = &body[at + "data:image/png;base64,".len()..];
    scan_qr(&rest[..rest.find('"').expect("end")])
}

/// Sends `request` with the session cookie of `session`: the answer's status and body.
async fn in_session(request: reqwest::RequestBuilder, session: &str) -> (u16, String) {
    let r = request
        .header("cookie", format!("__Host-hlidac_session={session}"))
        .send()
        .await
        .expect("answer");
    let status = r.status().as_u16();
    (status, r.text().await.unwrap_or_default())
}

/// A browser's forms on the citizen's pages, each posted with the CSRF token of the page
/// they were read from.
struct Forms<'a> {
    b: &'a Browser,
    csrf: String,
}

impl<'a> Forms<'a> {
    /// Opens `url` and reads its form's CSRF token.
    async fn of(b: &'a Browser, url: &str) -> Forms<'a> {
        let csrf = csrf_of(&b.get(url).await);
        Forms { b, csrf }
    }

    /// Posts `fields` after the CSRF token to `url`.
    async fn post(&self, url: &str, fields: &[(&str, &str)]) -> Page {
        let fields: Vec<(String, String)> = std::iter::once(("csrf", self.csrf.as_str()))
            .chain(fields.iter().copied())
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.b.post(url, &fields).await
    }
}

#[tokio::test]
async fn a_citizen_chooses_alerts_confirms_contacts_and_leaves() {
    let smsc = SmppPeer::start(&[]);
    let sms_config = smsc.config();
    // A second municipality on the same instance, where Jana has logged in too.
    let ves = "\n[[tenant]]\nid = \"ves\"\nname = \"Obec Ves\"\nlocale = \"cs\"\n\
               time_zone = \"Europe/Prague\"\nsender = { email = \"hlidac@ves.example\" }\n";
    let Some(mut e) = setup_citizen(move |c| c + &sms_config + ves, janas_records).await else {
        return;
    };
    e.t.cycle().await; // the fee and the submission are polled
    let web = e.web.clone();
    let lhota = format!("{web}/t/lhota");

    // First login: the consent page says what is watched and how to leave.
    let b = Browser::new();
    let r = b.send(b.http.get(format!("{lhota}/login/nia"))).await;
    let to_idp = r.headers()["location"].to_str().expect("loc").to_string();
    let form = b.get(&to_idp).await;
    let consent = b.submit(&form).await;
    assert!(consent.url.ends_with("/consent"), "{}", consent.url);
    assert!(consent.body.contains("Zrušit účet"), "{}", consent.body);
    let overview = b.consent(consent).await;
    assert!(overview.url.ends_with("/t/lhota/me"), "{}", overview.url);

    // Jana logged in at Ves too (one identity, linked there): the overview shows each
    // municipality under its own name.
    let citizen = {
        let session = b.cookie("__Host-hlidac_session").expect("session");
        e.t.app
            .identity
            .current_session(&session)
            .await
            .expect("live")
            .0
            .citizen_id
    };
    let here =
        e.t.app
            .store
            .citizen(&citizen)
            .await
            .expect("db")
            .expect("Jana");
    e.t.app
        .store
        .link_citizen(
            &hlidac::store::LinkIn {
                tenant: "ves",
                person_hash: &here.person_hash,
                person_ref_enc: &e.t.app.crypto.seal(JANA),
                subject_hash: here.subject_hash.as_deref().expect("linked by eID"),
                locale: "cs",
                contacts: vec![],
                documents: vec![],
            },
            e.t.clock.now_ms(),
        )
        .await
        .expect("linked at Ves");
    let overview = b.get(&format!("{lhota}/me")).await;
    let lhota_at = overview
        .body
        .find(">Obec Lhota</h2>")
        .expect("Lhota's section");
    let ves_at = overview.body.find(">Obec Ves</h2>").expect("Ves's section");
    assert!(lhota_at < ves_at, "this municipality first");

    // The overview: the fee with how to pay, and a QR Platba that decodes to the payment.
    let body = &unescape(&overview.body);
    assert_contains_all(
        body,
        &[
            "Jana Nováková",
            "Poplatek za odpady",
            "1\u{a0}200,00\u{a0}Kč",
            "77001",
            "Žádost o povolení kácení dřevin",
            "MULH 12/2026",
            "přiděleno zpracovateli",
            "2. 3. 2026",
            "****4821",
        ],
    );
    // Fees come by due date: the dog fee due in 20 days before the one due in 2099.
    let spayd = qr_text(&overview);
    assert!(spayd.starts_with("SPD*1.0*"), "{spayd}");
    let fields: std::collections::HashMap<&str, &str> = spayd
        .split('*')
        .skip(2)
        .filter_map(|f| f.split_once(':'))
        .collect();
    assert_eq!(fields["ACC"], "CZ5201000000190001234567", "19-1234567/0100");
    assert_eq!(fields["AM"], "500.00");
    assert_eq!(fields["CC"], "CZK");
    assert_eq!(fields["X-VS"], "77002");

    // Settings: a bad quiet-hours value comes back next to its field, nothing saved.
    let settings = Forms::of(&b, &format!("{lhota}/settings")).await;
    let bad = settings
        .post(
            &format!("{lhota}/settings"),
            &[
                ("sub", "receivables:email"),
                ("delivery", "daily"),
                ("quiet_hours", "25:99-<b>"),
                ("locale", "cs"),
            ],
        )
        .await;
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("aria-invalid=\"true\""), "{}", bad.body);
    assert!(bad.body.contains("Vyplňte začátek i konec"));
    assert!(!bad.body.contains("<b>"), "the input comes back escaped");
    let saved = settings
        .post(
            &format!("{lhota}/settings"),
            &[
                ("sub", "receivables:email"),
                ("sub", "reminders:email"),
                ("sub", "documents:sms"),
                ("delivery", "immediate"),
                ("quiet_hours", "22:00-07:00"),
                ("offsets", "10"),
                ("locale", "bg"),
            ],
        )
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    assert!(
        saved.body.contains("lang=\"bg\""),
        "the citizen's language from now on"
    );
    assert!(
        saved.body.contains("Настройките са запазени"),
        "{}",
        saved.body
    );
    let mut subs =
        e.t.app
            .store
            .subscriptions_of(&citizen)
            .await
            .expect("subs");
    subs.sort();
    assert_eq!(
        subs,
        vec![
            ("documents".to_string(), "sms".to_string()),
            ("receivables".into(), "email".into()),
            ("reminders".into(), "email".into())
        ]
    );

    // A new e-mail: confirmed by the link in the message the SMTP server received.
    let before = e.t.smtp.count();
    let contacts = Forms::of(&b, &format!("{lhota}/contacts?lang=cs")).await;
    let added = contacts
        .post(
            &format!("{lhota}/contacts"),
            &[("email", "jana.nova@example.cz"), ("phone", "")],
        )
        .await;
    assert!(
        added.body.contains("Poslali jsme potvrzovací odkaz"),
        "{}",
        added.body
    );
    let mails =
        e.t.smtp
            .wait_for(before + 1, std::time::Duration::from_secs(10))
            .await;
    let mail = mails.last().expect("the confirmation e-mail");
    assert_eq!(mail.to, "jana.nova@example.cz");
    let link = link_in(&mail.body, "/verify/");
    assert!(link.starts_with(&web), "{link}");
    // Like every e-mail, it says whom to ask at the municipality and links the overview.
    assert!(
        mail.body.contains("Kontakt na obec: ")
            && mail
                .body
                .contains(&format!("Váš přehled: {web}/t/lhota/me")),
        "{}",
        mail.body
    );
    let last = if link.ends_with('0') { "1" } else { "0" };
    let tampered = format!("{}{last}", &link[..link.len() - 1]);
    assert_eq!(Browser::new().get(&tampered).await.status, 400);
    // Opening the link (as a mail scanner would) confirms nothing; its button does.
    let other = Browser::new();
    let asked = other.get(&link).await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    assert!(unescape(&asked.body).contains("jana.nova@example.cz"));
    let rows = e.t.app.store.contacts_of(&citizen).await.expect("contacts");
    assert!(rows.iter().any(|c| c.verified_at.is_none()
        && e.t.app.crypto.open(&c.address_enc).ok().as_deref() == Some("jana.nova@example.cz")));
    let confirmed = other.post(&link, &[]).await;
    assert_eq!(confirmed.status, 200, "{}", confirmed.body);
    assert_eq!(
        other.post(&link, &[]).await.status,
        400,
        "a link works once"
    );

    // A phone: a wrong code is refused next to the field, the code the SMSC got confirms.
    let added = contacts
        .post(
            &format!("{lhota}/contacts"),
            &[("email", ""), ("phone", "+420 601 999 888")],
        )
        .await;
    assert!(added.body.contains("šestimístný kód"), "{}", added.body);
    let submits = smsc.submits();
    let text = text_of(submits.last().expect("the SMS"));
    let code = text
        .split(|c: char| !c.is_ascii_digit())
        .find(|w| w.len() == 6)
        .unwrap_or_else(|| panic!("no code in {text:?}"))
        .to_string();
    let code = code.as_str();
    let phone =
        e.t.app
            .store
            .contacts_of(&citizen)
            .await
            .expect("contacts")
            .into_iter()
            .find(|c| {
                c.channel == "sms"
                    && c.verified_at.is_none()
                    && e.t.app.crypto.open(&c.address_enc).ok().as_deref() == Some("+420601999888")
            })
            .expect("the new phone");
    let action = format!("/t/lhota/contacts/{}/code", phone.id);
    let wrong = contacts
        .post(
            &format!("{web}{action}"),
            &[("code", if code == "000000" { "111111" } else { "000000" })],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Kód nesouhlasí"), "{}", wrong.body);
    let right = contacts
        .post(&format!("{web}{action}"), &[("code", code)])
        .await;
    assert!(right.body.contains("Kontakt je potvrzen"), "{}", right.body);
    let rows = e.t.app.store.contacts_of(&citizen).await.expect("contacts");
    for address in ["jana.nova@example.cz", "+420601999888"] {
        let row = rows
            .iter()
            .find(|c| e.t.app.crypto.open(&c.address_enc).ok().as_deref() == Some(address))
            .expect("the contact");
        assert!(row.verified_at.is_some(), "{address} confirmed");
    }

    // A personal reminder: refused in the past, set for tomorrow, and sent on its day.
    let reminders = Forms::of(&b, &format!("{lhota}/reminders")).await;
    let today =
        e.t.app
            .today(e.t.app.config.tenant("lhota").expect("lhota"));
    let past = reminders
        .post(
            &format!("{lhota}/reminders"),
            &[("date", &today.to_string()), ("note", "x")],
        )
        .await;
    assert_eq!(past.status, 400);
    let tomorrow = today.succ_opt().expect("tomorrow");
    let set = reminders
        .post(
            &format!("{lhota}/reminders"),
            &[("date", &tomorrow.to_string()), ("note", "Vyzvednout pas")],
        )
        .await;
    assert!(set.body.contains("Vyzvednout pas"), "{}", set.body);
    let now = e.t.clock.now();
    e.t.clock.set(now + chrono::Duration::days(1));
    let mails = e.t.cycle().await;
    assert!(
        mails.iter().any(|m| m.subject.contains("Vyzvednout pas")),
        "{mails:?}"
    );
    assert!(
        e.t.app
            .store
            .reminders_of(&citizen)
            .await
            .expect("db")
            .is_empty(),
        "sent once"
    );
    // Her own reminder day (10) instead of the municipality's (14, 3, 0): nothing 14 days
    // before the dog fee is due, the reminder 10 days before, in her language now.
    e.t.clock.set(now + chrono::Duration::days(6));
    let mails = e.t.cycle().await;
    assert_none_about(&mails, "Poplatek ze psů");
    e.t.clock.set(now + chrono::Duration::days(10));
    let mails = e.t.cycle().await;
    assert!(
        mails
            .iter()
            .any(|m| m.subject.contains("Poplatek ze psů") && m.subject.contains("10 дни")),
        "the 10-day reminder: {mails:?}"
    );
    // Back to the real day (the IdP stamps its messages with the real time), and in again:
    // the session ended meanwhile; consent is not asked twice.
    e.t.clock.set(now);
    let (b, page) = e.login("").await;
    assert!(page.url.ends_with("/t/lhota/me"), "{}", page.url);

    // The export holds what is kept, opened for the citizen.
    let export = b.send(b.http.get(format!("{lhota}/export"))).await;
    assert_eq!(export.status(), 200);
    assert!(export.headers()["content-disposition"]
        .to_str()
        .expect("cd")
        .contains("attachment"));
    let data: serde_json::Value = export.json().await.expect("json");
    let text = data.to_string();
    assert_contains_all(
        &text,
        &[
            "jana.nova@example.cz",
            "+420601999888",
            "Poplatek za odpady",
            JANA,
            "****4821",
        ],
    );

    let lhota_record = data["municipalities"]
        .as_array()
        .and_then(|m| m.iter().find(|r| r["municipality"]["id"] == "lhota"))
        .expect("Lhota's record");
    assert_eq!(lhota_record["reminder_days"], "10", "{lhota_record}");
    let pool = e.t.app.store.pool();
    let count = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(pool)
            .await
            .expect("count")
    };
    // Her records and the events made of them, by their keys (R-LH-…, S-LH-…).
    const RECORDS: &str = "SELECT COUNT(*) FROM observations WHERE record_key LIKE '%-LH-%'";
    const EVENTS: &str = "SELECT COUNT(*) FROM events
        WHERE record_key LIKE '%-LH-%' OR payload LIKE '%Poplatek za odpady%'";
    // Alerts of the sources' records (her own reminders' go with her notes).
    const ALERTS: &str = "SELECT COUNT(*) FROM outbox o JOIN events e ON e.id = o.event_id
        WHERE e.source_id <> 'personal'";
    assert!(count(RECORDS).await > 0 && count(EVENTS).await > 0);
    let alerts = count(ALERTS).await;
    assert!(alerts > 0);
    // The events her alerts were made of: their ids are hashes of her records' keys.
    let alerted: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT e.id FROM events e JOIN outbox o ON o.event_id = e.id
         WHERE e.record_key LIKE '%-LH-%'",
    )
    .fetch_all(pool)
    .await
    .expect("ids");
    assert!(!alerted.is_empty());

    // Deleting: confirmation required, then nothing personal is left and the session ends.
    let delete = Forms::of(&b, &format!("{lhota}/delete")).await;
    let unconfirmed = delete.post(&format!("{lhota}/delete"), &[]).await;
    assert_eq!(unconfirmed.status, 400);
    let gone = delete
        .post(&format!("{lhota}/delete"), &[("confirm", "yes")])
        .await;
    assert_eq!(gone.status, 200, "{}", gone.body);
    assert!(e.t.app.store.citizen(&citizen).await.expect("db").is_none());
    let subject = here.subject_hash.as_deref().expect("subject");
    assert!(
        e.t.app
            .store
            .citizens_of_subject(subject)
            .await
            .expect("db")
            .is_empty(),
        "gone in every municipality, Ves too"
    );
    assert!(e
        .t
        .app
        .store
        .contacts_of(&citizen)
        .await
        .expect("db")
        .is_empty());
    assert_eq!(e.sessions().await, 0);
    // What the sources said of her is gone too; the alerts sent stay, emptied, for the
    // municipality's report.
    assert_eq!(count(RECORDS).await, 0, "her records are kept");
    assert_eq!(count(EVENTS).await, 0, "events about her are kept");
    assert_eq!(count(ALERTS).await, alerts, "the alerts are still counted");
    for id in &alerted {
        let left: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events WHERE id = $1")
            .bind(id)
            .fetch_one(pool)
            .await
            .expect("count");
        assert_eq!(
            left, 0,
            "the event {id} keeps the id made of her record's key"
        );
    }
    let after = b.get(&format!("{lhota}/me")).await;
    assert!(after.url.ends_with("/t/lhota/"), "{}", after.url);
}

#[tokio::test]
async fn every_form_and_endpoint_survives_malformed_and_hostile_input() {
    let Some(mut e) = setup_citizen(|c| c, janas_records).await else {
        return;
    };
    e.t.cycle().await;
    let web = e.web.clone();
    let lhota = format!("{web}/t/lhota");
    let (b, page) = e.login("").await;
    let page = b.consent(page).await;
    assert!(page.url.ends_with("/me"), "{}", page.url);
    let csrf = csrf_of(&b.get(&format!("{lhota}/settings")).await);

    let hostile: Vec<Vec<u8>> = vec![
        b"<script>alert(1)</script>".to_vec(),
        b"\"><img src=x onerror=alert(1)>".to_vec(),
        vec![0xff, 0xfe, 0x80, b'a', 0xc3],
        "{{ 7*7 }}{% raw %}".as_bytes().to_vec(),
        "x".repeat(20_000).into_bytes(),
        b"../../etc/passwd\0".to_vec(),
        "Ж".repeat(300).into_bytes(),
    ];
    let forms: Vec<(&str, Vec<&str>)> = vec![
        (
            "/t/lhota/settings",
            vec!["sub", "delivery", "quiet_hours", "locale"],
        ),
        ("/t/lhota/contacts", vec!["email", "phone"]),
        ("/t/lhota/contacts/nosuch/code", vec!["code"]),
        ("/t/lhota/contacts/nosuch/send", vec![]),
        ("/t/lhota/contacts/nosuch/remove", vec![]),
        ("/t/lhota/reminders", vec!["date", "note"]),
        ("/t/lhota/reminders/nosuch/remove", vec![]),
        ("/t/lhota/consent", vec!["answer"]),
        ("/t/lhota/delete", vec!["confirm"]),
        ("/saml/acs", vec!["SAMLResponse", "RelayState"]),
        ("/unsubscribe/abc.all.def", vec![]),
        ("/verify/abc.1.0123456789abcdef0123456789abcdef", vec![]),
        // Last: with its token, this one logs out.
        ("/logout", vec!["extra"]),
    ];
    let raw = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let session = b.cookie("__Host-hlidac_session").expect("session");
    let mut requests = 0;
    for (path, fields) in &forms {
        for value in &hostile {
            // Each field hostile in turn (the others plain), with and without the token.
            let mut bodies = Vec::new();
            for with_csrf in [true, false] {
                let mut body: Vec<u8> = Vec::new();
                if with_csrf {
                    body.extend(format!("csrf={csrf}").as_bytes());
                }
                for f in fields {
                    if !body.is_empty() {
                        body.push(b'&');
                    }
                    body.extend(f.as_bytes());
                    body.push(b'=');
                    body.extend(value.iter().flat_map(|b| {
                        if b.is_ascii_alphanumeric() {
                            vec![*b]
                        } else {
                            format!("%{b:02X}").into_bytes()
                        }
                    }));
                }
                bodies.push(body);
            }
            bodies.push(value.clone()); // not a form at all
            for body in bodies {
                let form = raw
                    .post(format!("{web}{path}"))
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body);
                let (status, text) = in_session(form, &session).await;
                requests += 1;
                assert!(
                    status < 500 || status == 503 && text.contains("<html"),
                    "{path}: {status}"
                );
                // Escaped text may say "onerror" harmlessly; markup must not come back.
                for marker in ["<script>alert", "<img src=x"] {
                    assert!(!text.contains(marker), "{path} reflected {marker}");
                }
            }
        }
    }
    // Hostile paths and queries on the pages.
    for path in [
        "/t/lhota/me?lang=<script>",
        "/t/lhota/?lang=%ff%fe",
        "/t/<script>/me",
        "/t/lhota/settings?done=<script>alert(1)</script>",
        "/verify/<script>",
        "/verify/a.b.c",
        "/verify/%ff%00",
        "/unsubscribe/<script>",
        "/t/lhota/export?lang=xx",
    ] {
        let (status, text) = in_session(raw.get(format!("{web}{path}")), &session).await;
        requests += 1;
        assert!(status < 500, "{path}: {status}");
        assert!(!text.contains("<script>"), "{path} reflected markup");
    }
    assert!(requests > 250, "{requests} requests");
    // The citizen's data survived all of it.
    let (_, page) = e.login("").await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("Poplatek za odpady"));
}
