//! The citizen pages on a phone: Debian's Chromium at 360 × 740 and at 320 × 740, in Czech
//! and in Bulgarian. On every page nothing reaches past the screen's right edge (WCAG 2.1
//! reflow, 1.4.10), every tap target is at least 44 × 44 px (a tick box through its
//! label), the header stays one compact row, and axe finds nothing. Along the way: the
//! overview's summary and order, saving the payment QR code as a PNG, tapping "Přidat" on
//! the contacts page, the error summary of a refused form, the time fields and tick boxes
//! of the settings, an e-mail address that bounced (overview and contacts say so), a
//! calendar feed, and end pages that lead on.

use crate::citizen::janas_records;
use crate::helpers::*;
use hlidac_adapters::*;
use serde_json::{json, Value};

/// Jana's fees and submission, a third fee that is overdue, and a fourth paid in EUR to a
/// Bulgarian IBAN with its reason and payment code (the longest payment details).
fn records(s: &mut hlidac_sim::Scenario) {
    janas_records(s);
    let past = (chrono::Utc::now()
        .with_timezone(&chrono_tz::Europe::Prague)
        .date_naive()
        - chrono::Days::new(10))
    .to_string();
    let mut late = fee(
        "R-LH-003",
        JANA,
        "Poplatek za psa – doplatek",
        30_000,
        &past,
    );
    late.status = ReceivableStatus::Overdue;
    s.receivables.push(late);
    let mut euro = fee(
        "R-LH-004",
        JANA,
        "Данък върху недвижимите имоти",
        15_000,
        "2099-09-30",
    );
    euro.currency = "EUR".into();
    euro.payment = Some(PaymentInfo {
        iban: Some("BG80 BNBG 9661 1020 3456 78".into()),
        bic: Some("BNBGBGSD".into()),
        reference: Some("Данък сгради 2026 партида 1234567".into()),
        code: Some("442100".into()),
        ..Default::default()
    });
    s.receivables.push(euro);
}

/// The header's height a phone may give it: one row, the municipality's name and the menu
/// button (it was 290 px of 740 with the links spread over three rows).
const HEADER_MAX: u64 = 110;

/// What `measure` found wrong on the page as it is, at the viewport's width.
async fn phone_faults(d: &mut Driver, page: &str) -> Vec<String> {
    let m = d.call(json!({"cmd": "measure"})).await;
    let width = m["width"].as_u64().expect("width");
    let mut faults = Vec::new();
    if m["scroll_width"].as_u64().unwrap_or(0) > width {
        faults.push(format!(
            "{page} at {width}: the page is {} px wide: {}",
            m["scroll_width"], m["wide"]
        ));
    }
    if m["wide"].as_array().is_some_and(|w| !w.is_empty()) {
        faults.push(format!("{page} at {width}: past the edge: {}", m["wide"]));
    }
    if m["small"].as_array().is_some_and(|s| !s.is_empty()) {
        faults.push(format!("{page} at {width}: small targets: {}", m["small"]));
    }
    // An open menu pushes the page down, as it should; closed, the header is one row.
    if !page.starts_with("menu-open") && m["header_height"].as_u64().unwrap_or(0) > HEADER_MAX {
        faults.push(format!(
            "{page} at {width}: the header is {} px tall",
            m["header_height"]
        ));
    }
    faults
}

async fn jana_id(e: &Eid) -> String {
    let hash = e.t.app.crypto.person_hash(JANA);
    e.t.app
        .store
        .citizen_of_person("lhota", &hash)
        .await
        .expect("db")
        .expect("Jana is enrolled")
}

async fn check(d: &mut Driver, page: &str, faults: &mut Vec<String>) {
    faults.extend(phone_faults(d, page).await);
    d.audit(page).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_fit_a_phone_and_every_target_takes_a_finger() {
    let Some(mut e) = setup_citizen(|c| c, records).await else {
        return;
    };
    e.t.cycle().await;
    let lhota = format!("{}/t/lhota", e.web);
    let out = repo_root().join("target/screenshots/phone");
    let _ = std::fs::remove_dir_all(&out);
    let mut d = Driver::start(&out).await;
    let mut faults = Vec::new();
    d.call(json!({"cmd": "viewport", "width": 360, "height": 740}))
        .await;

    d.goto(&format!("{lhota}/?lang=cs")).await;
    check(&mut d, "landing", &mut faults).await;
    d.call(
        json!({"cmd": "click", "selector": "a.button[href$='/login/nia']", "until": "/consent"}),
    )
    .await;
    check(&mut d, "consent", &mut faults).await;
    d.click("button[name=answer][value=yes]").await;

    // The overview answers "what do I owe, and by when?" before anything else.
    let (url, html) = d.html().await;
    assert!(url.ends_with("/t/lhota/me"), "{url}");
    let summary = &html[html.find("class=\"summary\"").expect("a summary")..];
    let summary = &summary[..summary.find("</div>").expect("its end")];
    assert!(summary.contains("<dd>4</dd>"), "four fees: {summary}");
    assert!(
        summary.contains("2&nbsp;000,00&nbsp;Kč") && summary.contains("150,00&nbsp;€"),
        "the total of 1 200 + 500 + 300 Kč, and 150 € apart: {summary}"
    );
    assert!(
        summary.contains("Poplatek ze psů"),
        "the nearest due date's fee: {summary}"
    );
    assert!(
        summary.contains("Po splatnosti"),
        "the overdue one counted: {summary}"
    );
    let order: Vec<usize> = [
        "Poplatek za psa – doplatek",
        "Poplatek ze psů",
        "Poplatek za odpady",
    ]
    .iter()
    .map(|t| {
        html.find(&format!(">{t} (2026)<"))
            .unwrap_or_else(|| panic!("{t}"))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "overdue first, then by due date: {order:?}"
    );
    // The payment details in full: the account on one line, the IBAN made from it.
    assert!(
        html.contains("CZ52 0100 0000 1900 0123 4567"),
        "the IBAN made from the Czech account, in groups of four"
    );
    assert!(html.contains("BG80 BNBG 9661 1020 3456 78") && html.contains("442100"));
    check(&mut d, "overview", &mut faults).await;

    // The QR code saved as a PNG, to open in a banking app on the same phone.
    let saved = d
        .call(json!({"cmd": "download", "selector": "a[href^='/t/lhota/qr']"}))
        .await;
    let png = std::fs::read(saved["path"].as_str().expect("path")).expect("the file");
    use base64::Engine as _;
    let text = scan_qr(&base64::engine::general_purpose::STANDARD.encode(&png));
    assert!(text.starts_with("SPD*1.0*"), "{text}");

    // The menu: one button that opens the account's pages, without JavaScript.
    d.call(json!({"cmd": "click", "selector": "details.menu > summary"}))
        .await;
    check(&mut d, "menu-open", &mut faults).await;
    d.click("nav a[href='/t/lhota/account']").await;
    let (url, _) = d.html().await;
    assert!(url.ends_with("/t/lhota/account"), "{url}");

    // Contacts: tap "Přidat" (Chromium refused the tap while the table covered it).
    d.goto(&format!("{lhota}/contacts")).await;
    d.fill("#email", "jana.telefon@example.cz").await;
    d.submit("/t/lhota/contacts").await;
    let (_, html) = d.html().await;
    assert!(html.contains("jana.telefon@example.cz") && html.contains("nepotvrzeno"));

    // A refused form: the error summary at the top, linked to the field, and the title says so.
    d.fill("#phone", "12").await;
    d.submit("/t/lhota/contacts").await;
    let p = d.call(json!({"cmd": "page"})).await;
    assert!(
        p["title"].as_str().unwrap_or("").starts_with("Chyba:"),
        "{}",
        p["title"]
    );
    let html = p["html"].as_str().unwrap_or("");
    assert!(html.contains("class=\"error-summary\"") && html.contains("href=\"#phone\""));
    let m = d.call(json!({"cmd": "measure"})).await;
    let top = m["error_summary_top"].as_u64().expect("a summary");
    assert!(
        top < 740 / 2,
        "the error summary is on the first screen: {top}"
    );
    check(&mut d, "contacts-error", &mut faults).await;

    // Settings: quiet hours in time fields, reminder days in tick boxes.
    d.goto(&format!("{lhota}/settings")).await;
    d.fill("#quiet_from", "21:30").await;
    d.fill("#quiet_to", "07:00").await;
    d.call(json!({"cmd": "check", "selector": "#offset-7"}))
        .await;
    d.submit("/t/lhota/settings").await;
    let (url, html) = d.html().await;
    assert!(url.contains("done=saved"), "{url}");
    assert!(html.contains("value=\"21:30\"") && html.contains("value=\"07:00\""));
    let stored: Value =
        e.t.app
            .store
            .citizen(&jana_id(&e).await)
            .await
            .expect("db")
            .map(|c| json!({"quiet": c.quiet_hours, "offsets": c.reminder_offsets}))
            .expect("Jana");
    assert_eq!(stored["quiet"], "21:30-07:00", "{stored}");
    assert!(
        stored["offsets"]
            .as_str()
            .unwrap_or("")
            .split(',')
            .any(|d| d == "7"),
        "{stored}"
    );

    // A calendar feed, so that the overview shows its address (a long one) and its button.
    d.goto(&format!("{lhota}/me")).await;
    d.click("form[action='/t/lhota/calendar'] button").await;
    let (url, html) = d.html().await;
    assert!(
        url.contains("done=calendar-made") && html.contains("id=\"calendar-url\""),
        "{url}"
    );

    // Her first e-mail address bounced for good: the overview and the contacts page say so
    // and offer the fix (and are held to the same measures below).
    let jana = jana_id(&e).await;
    sqlx::query(
        "UPDATE contacts SET undeliverable_at = $1, verified_at = NULL WHERE id =
           (SELECT id FROM contacts WHERE citizen_id = $2 AND channel = 'email'
            ORDER BY created_at, id LIMIT 1)",
    )
    .bind(e.t.app.clock.now_ms())
    .bind(&jana)
    .execute(e.t.app.store.pool())
    .await
    .expect("undeliverable");
    for (page, words) in [
        ("me", "se vracejí jako nedoručitelné"),
        ("contacts", "Poslat potvrzovací odkaz"),
    ] {
        d.goto(&format!("{lhota}/{page}?lang=cs")).await;
        let (_, html) = d.html().await;
        assert!(html.contains(words), "{page}: {html}");
    }

    // Every page at both widths, in Czech and in Bulgarian.
    d.call(json!({"cmd": "goto", "url": format!("{lhota}/reminders")}))
        .await;
    d.fill(
        "#date",
        &(e.t
            .app
            .today(e.t.app.config.tenant("lhota").expect("lhota"))
            + chrono::Days::new(7))
        .to_string(),
    )
    .await;
    d.fill("#note", "Vyzvednout nový pas").await;
    d.submit("/t/lhota/reminders").await;
    for width in [360, 320] {
        d.call(json!({"cmd": "viewport", "width": width, "height": 740}))
            .await;
        for lang in ["cs", "bg"] {
            for page in [""].iter().chain(ACCOUNT_PAGES) {
                d.goto(&format!("{lhota}/{page}?lang={lang}")).await;
                let name = format!("{}-{width}", if page.is_empty() { "landing" } else { page });
                check(&mut d, &name, &mut faults).await;
            }
        }
    }

    // End pages lead on: the unsubscribe link of an alert, its undo, and the deleted account.
    d.call(json!({"cmd": "viewport", "width": 320, "height": 740}))
        .await;
    let stop = e.stop_link(JANA_MAIL);
    d.goto(&format!("{stop}?lang=cs")).await;
    let (_, html) = d.html().await;
    assert!(
        html.contains(JANA_MAIL) && html.contains("Obec Lhota"),
        "{html}"
    );
    check(&mut d, "unsubscribe", &mut faults).await;
    d.click("main form button").await;
    let (_, html) = d.html().await;
    assert!(
        html.contains("/t/lhota/settings") && html.contains("/undo"),
        "{html}"
    );
    check(&mut d, "unsubscribed", &mut faults).await;
    d.click("main form[action$='/undo'] button").await;
    check(&mut d, "unsubscribe-undone", &mut faults).await;
    d.goto(&format!("{lhota}/delete?lang=cs")).await;
    d.call(json!({"cmd": "check", "selector": "#confirm"}))
        .await;
    d.submit("/t/lhota/delete").await;
    let (_, html) = d.html().await;
    assert!(
        html.contains("href=\"/t/lhota/\""),
        "the deleted page leads on: {html}"
    );
    check(&mut d, "deleted", &mut faults).await;

    d.quit().await;
    let bad = d.violations();
    assert!(bad.is_empty(), "axe violations:\n{}", bad.join("\n"));
    assert!(faults.is_empty(), "on a phone:\n{}", faults.join("\n"));
    assert!(d.audits.len() >= 30, "{} pages measured", d.audits.len());
}
