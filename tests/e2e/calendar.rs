//! The citizen's calendar feed, read by a real iCalendar parser (Python `icalendar`,
//! `tests/peers/ics_parse.py`): offered by the welcome e-mail, made from the overview, it lists each unpaid due date
//! (instalments one by one, with the amount and how to pay), the document's expiry and the
//! citizen's own reminder, each with alarms at the citizen's reminder days in their
//! language; a paid fee's entries leave it; a forged URL, a revoked feed and a deleted
//! account answer 404.

use crate::citizen::janas_records;
use crate::helpers::*;
use hlidac_adapters::{Instalment, Money};
use hlidac_sim::Change;
use serde_json::Value;

/// Jana's fees, and one in three instalments of which the first is paid.
fn records(s: &mut hlidac_sim::Scenario) {
    janas_records(s);
    let mut split = fee(
        "R-LH-005",
        JANA,
        "Poplatek za užívání veřejného prostranství",
        90_000,
        "2099-03-31",
    );
    split.instalments = (1..=3)
        .map(|no| Instalment {
            no,
            due_date: date(&format!("2099-0{}-15", no + 2)),
            amount: Money(30_000),
            paid: no == 1,
        })
        .collect();
    split.amount_outstanding = Money(60_000);
    s.receivables.push(split);
}

/// The feed at `url` as the parser reads it, or the HTTP status when it is not a feed.
async fn read(url: &str) -> Result<Value, u16> {
    let r = reqwest::get(url).await.expect("GET");
    let status = r.status().as_u16();
    if status != 200 {
        return Err(status);
    }
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/calendar"),
        "{:?}",
        r.headers()
    );
    let body = r.bytes().await.expect("body");
    let dir = tempfile::tempdir().expect("dir");
    let file = dir.path().join("feed.ics");
    std::fs::write(&file, &body).expect("write");
    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = run_ok(
        std::process::Command::new(python)
            .arg(repo_root().join("tests/peers/ics_parse.py"))
            .arg(&file),
        &format!(
            "the feed does not parse ({})",
            String::from_utf8_lossy(&body)
        ),
    );
    Ok(serde_json::from_slice(&out.stdout).expect("JSON"))
}

/// The feed's events as (start, summary) pairs, sorted.
fn entries(feed: &Value) -> Vec<(String, String)> {
    let mut e: Vec<(String, String)> = feed["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| (str_at(e, "start"), str_at(e, "summary")))
        .collect();
    e.sort();
    e
}

/// The calendar's address on the overview, if it offers one.
fn feed_url_of(page: &Page) -> Option<String> {
    let at = page.body.find("id=\"calendar-url\"")?;
    attr_of(&page.body[at..at + page.body[at..].find('>')?], "value")
}

#[tokio::test]
async fn the_calendar_lists_what_is_due_with_alarms_and_ends_when_revoked() {
    let Some(mut e) = setup_citizen(|c| c, records).await else {
        return;
    };
    e.t.cycle().await;
    let lhota = format!("{}/t/lhota", e.web);
    let b = Browser::new();
    let r = b.send(b.http.get(format!("{lhota}/login/nia"))).await;
    let to_idp = r.headers()["location"].to_str().expect("loc").to_string();
    let form = b.get(&to_idp).await;
    let overview = b.consent(b.submit(&form).await).await;
    assert!(feed_url_of(&overview).is_none(), "no feed until asked for");
    // The welcome e-mail offers it.
    let welcome =
        e.t.smtp
            .wait_for(1, std::time::Duration::from_secs(10))
            .await
            .into_iter()
            .find(|m| m.to == JANA_MAIL && m.subject.contains("vítejte"))
            .expect("the welcome e-mail");
    assert!(
        welcome.body.contains(&format!("{lhota}/me#calendar")),
        "{}",
        welcome.body
    );

    // Jana asks for it, and chooses her own reminder days first: 7 days and the day itself.
    let settings = b.get(&format!("{lhota}/settings")).await;
    let (_, fields) = form_of(
        &settings.body[settings
            .body
            .find("action=\"/t/lhota/settings\"")
            .expect("form")
            - 20..],
    );
    let mut fields: Vec<(String, String)> =
        fields.into_iter().filter(|(k, _)| k == "csrf").collect();
    for (k, v) in [
        ("sub", "receivables:email"),
        ("delivery", "immediate"),
        ("locale", "cs"),
        ("offsets_ticked", "1"),
        ("offset", "7"),
        ("offset", "0"),
    ] {
        fields.push((k.into(), v.into()));
    }
    let saved = b.post(&format!("{lhota}/settings"), &fields).await;
    assert!(saved.url.contains("done=saved"), "{}", saved.url);
    let overview = b.get(&format!("{lhota}/me")).await;
    let made = b
        .submit_with(&overview, "action=\"/t/lhota/calendar\"", &[])
        .await;
    assert!(made.url.contains("done=calendar-made"), "{}", made.url);
    let url = feed_url_of(&made).expect("the calendar's address on the overview");
    assert!(url.starts_with(&e.web) && url.ends_with(".ics"), "{url}");

    let feed = read(&url).await.expect("the feed");
    assert_eq!(feed["timezone"], "Europe/Prague", "{feed}");
    let twenty =
        (e.t.app
            .today(e.t.app.config.tenant("lhota").expect("lhota"))
            + chrono::Days::new(20))
        .to_string();
    let doc_until =
        e.t.app
            .today(e.t.app.config.tenant("lhota").expect("lhota"))
            + chrono::Days::new(45);
    let want = vec![
        (
            "2099-04-15".to_string(),
            "Zaplatit: Poplatek za užívání veřejného prostranství, 2. splátka, 300,00\u{a0}Kč"
                .to_string(),
        ),
        (
            "2099-05-15".to_string(),
            "Zaplatit: Poplatek za užívání veřejného prostranství, 3. splátka, 300,00\u{a0}Kč"
                .to_string(),
        ),
        (
            "2099-05-31".to_string(),
            "Zaplatit: Poplatek za odpady, 1\u{a0}200,00\u{a0}Kč".to_string(),
        ),
        (
            doc_until.to_string(),
            "Končí platnost: občanský průkaz".to_string(),
        ),
        (
            twenty,
            "Zaplatit: Poplatek ze psů, 500,00\u{a0}Kč".to_string(),
        ),
    ];
    let mut want = want;
    want.sort();
    assert_eq!(entries(&feed), want, "{feed}");
    for ev in feed["events"].as_array().expect("events") {
        let summary = ev["summary"].as_str().unwrap_or("");
        let seconds: Vec<i64> = ev["alarms"]
            .as_array()
            .expect("alarms")
            .iter()
            .map(|a| {
                assert_eq!(a["action"], "DISPLAY", "{a}");
                a["seconds"].as_i64().expect("trigger")
            })
            .collect();
        let want: Vec<i64> = if summary.starts_with("Zaplatit") {
            // Jana's own days: 09:00 seven days before, and 09:00 on the day.
            vec![-7 * 86_400 + 9 * 3600, 9 * 3600]
        } else {
            // The document: the municipality's document days.
            e.t.app
                .config
                .tenant("lhota")
                .expect("lhota")
                .document_offsets_days
                .iter()
                .map(|d| -i64::from(*d) * 86_400 + 9 * 3600)
                .collect()
        };
        assert_eq!(seconds, want, "{summary}");
        if summary.contains("Poplatek za odpady") {
            assert_contains_all(
                ev["description"].as_str().unwrap_or(""),
                &[
                    "Číslo účtu: 19-1234567/0100",
                    "IBAN: CZ52 0100 0000 1900 0123 4567",
                    "Variabilní symbol: 77001",
                    "Příjemce: Obec Lhota",
                ],
            );
        }
    }

    // The fee is paid at the source: its entry leaves the calendar.
    e.t.sim.apply(Change::PayReceivable {
        key: "R-LH-001".into(),
    });
    e.t.cycle().await;
    let feed = read(&url).await.expect("the feed");
    assert!(
        !entries(&feed)
            .iter()
            .any(|(_, s)| s.contains("Poplatek za odpady")),
        "{feed}"
    );
    assert_eq!(entries(&feed).len(), 4, "{feed}");

    // A forged address changes nothing and finds nothing.
    let token = url.rsplit_once('/').map(|(_, t)| t).expect("token");
    let mut chars: Vec<char> = token.chars().collect();
    chars[3] = if chars[3] == 'a' { 'b' } else { 'a' };
    let tampered = format!("{}/cal/{}", e.web, chars.into_iter().collect::<String>());
    assert_eq!(read(&tampered).await.err(), Some(404));
    assert_eq!(read(&format!("{}/cal/x.ics", e.web)).await.err(), Some(404));

    // Revoked: the address answers 404; a new one is another address.
    let overview = b.get(&format!("{lhota}/me")).await;
    let revoked = b
        .submit_with(&overview, "action=\"/t/lhota/calendar/revoke\"", &[])
        .await;
    assert!(feed_url_of(&revoked).is_none());
    assert_eq!(read(&url).await.err(), Some(404));
    let again = b
        .submit_with(&revoked, "action=\"/t/lhota/calendar\"", &[])
        .await;
    let second = feed_url_of(&again).expect("a new address");
    assert_ne!(second, url);
    assert!(read(&second).await.is_ok());

    // The export names it; deleting the account ends it.
    let export = b.get(&format!("{lhota}/export")).await;
    assert!(export.body.contains(&second), "{}", export.body);
    let delete = b.get(&format!("{lhota}/delete")).await;
    b.submit_with(&delete, "action=\"/t/lhota/delete\"", &[("confirm", "yes")])
        .await;
    assert_eq!(read(&second).await.err(), Some(404));
}
