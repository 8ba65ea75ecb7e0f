//! The citizen pages in a real browser: headless Debian Chromium driven by playwright-core
//! (`tests/peers/browser.js`), axe-core run on every page in Czech and in Bulgarian, a
//! screenshot of every page kept under `target/screenshots/`. The login goes through the
//! pysaml2 IdP (its page posts the answer by script, as a real IdP's does), the e-mail is
//! confirmed through the link that reached the SMTP server, and alerts are stopped through
//! an e-mail's own unsubscribe link.

use crate::citizen::janas_records;
use crate::helpers::*;
use serde_json::{json, Value};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pages_work_in_a_browser_and_axe_finds_nothing_in_two_languages() {
    let Some(mut e) = setup_citizen(|c| c, janas_records).await else {
        return;
    };
    e.t.cycle().await; // the fee and the submission arrive, and their alerts go out
    let web = e.web.clone();
    let lhota = format!("{web}/t/lhota");
    let out = repo_root().join("target/screenshots");
    let _ = std::fs::remove_dir_all(&out);
    let mut d = Driver::start(&out).await;

    // Landing, then the login through the IdP, whose page posts back by script.
    d.goto(&format!("{lhota}/?lang=bg")).await;
    d.audit("landing").await;
    d.goto(&format!("{lhota}/?lang=cs")).await;
    d.audit("landing").await;
    d.call(
        json!({"cmd": "click", "selector": "a.button[href$='/login/nia']", "until": "/consent"}),
    )
    .await;
    d.audit("consent").await;
    d.goto(&format!("{lhota}/consent?lang=bg")).await;
    d.audit("consent").await;
    d.goto(&format!("{lhota}/consent?lang=cs")).await;
    d.click("button[name=answer][value=yes]").await;
    let (url, html) = d.html().await;
    assert!(url.ends_with("/t/lhota/me"), "{url}");
    assert!(html.contains("Jana Nováková") && html.contains("Poplatek za odpady"));
    // The payment QR codes are drawn (the page's policy lets their data: images in).
    let images = d
        .call(json!({"cmd": "images", "selector": ".qr img"}))
        .await;
    let widths: Vec<u64> = images["widths"]
        .as_array()
        .expect("widths")
        .iter()
        .filter_map(|w| w.as_u64())
        .collect();
    assert!(
        !widths.is_empty() && widths.iter().all(|w| *w > 100),
        "{images}"
    );
    d.audit("overview").await;

    // Subscribe: fees and reminders by e-mail, a daily summary, quiet hours.
    d.goto(&format!("{lhota}/settings")).await;
    d.audit("settings").await;
    d.call(json!({"cmd": "check", "selector": "#sub-receivables-email"}))
        .await;
    d.call(json!({"cmd": "check", "selector": "#sub-reminders-email"}))
        .await;
    d.call(json!({"cmd": "check", "selector": "#delivery-daily"}))
        .await;
    d.fill("#quiet_from", "21:30").await;
    // A bad value first: only one end of the quiet hours.
    d.fill("#quiet_to", "").await;
    d.submit("/t/lhota/settings").await;
    let (_, html) = d.html().await;
    assert!(
        html.contains("id=\"quiet-error\""),
        "the error next to the field"
    );
    d.audit("settings-error").await;
    d.fill("#quiet_from", "21:30").await;
    d.fill("#quiet_to", "07:00").await;
    d.call(json!({"cmd": "uncheck", "selector": "#offset-14"}))
        .await;
    d.call(json!({"cmd": "check", "selector": "#offset-7"}))
        .await;
    d.submit("/t/lhota/settings").await;
    let (url, html) = d.html().await;
    assert!(url.contains("done=saved"), "{url}");
    assert!(
        html.contains("value=\"21:30\"") && html.contains("value=\"07:00\""),
        "{html}"
    );
    let ticked: Vec<&str> = html
        .split("<input type=\"checkbox\"")
        .skip(1)
        .filter(|i| {
            i[..i.find('>').unwrap_or(0)].contains("checked") && i.contains("name=\"offset\"")
        })
        .filter_map(|i| i.split("value=\"").nth(1)?.split('"').next())
        .collect();
    assert_eq!(ticked, ["7", "3", "0"], "{html}");

    // A new e-mail address, confirmed through the link in the message that arrived.
    d.goto(&format!("{lhota}/contacts")).await;
    d.audit("contacts").await;
    let before = e.t.smtp.count();
    d.fill("#email", "jana.prohlizec@example.cz").await;
    d.submit("/t/lhota/contacts").await;
    let mails =
        e.t.smtp
            .wait_for(before + 1, std::time::Duration::from_secs(10))
            .await;
    let mail = mails
        .iter()
        .find(|m| m.to == "jana.prohlizec@example.cz")
        .expect("the confirmation e-mail");
    let link = link_in(&mail.body, "/verify/");
    d.goto(&link).await;
    d.audit("verify").await;
    d.click("main form button").await;
    let (_, html) = d.html().await;
    assert!(html.contains("E-mail potvrzen"), "{html}");
    // It names the address and the municipality, and leads on to the overview.
    assert!(
        html.contains("jana.prohlizec@example.cz")
            && html.contains("Obec Lhota")
            && html.contains("href=\"/t/lhota/me\""),
        "{html}"
    );
    d.audit("verified").await;

    // A personal reminder with a short note.
    d.goto(&format!("{lhota}/reminders")).await;
    d.audit("reminders").await;
    let today =
        e.t.app
            .today(e.t.app.config.tenant("lhota").expect("lhota"));
    d.fill("#date", &(today + chrono::Days::new(7)).to_string())
        .await;
    d.fill("#note", "Vyzvednout nový pas").await;
    d.submit("/t/lhota/reminders").await;
    let (_, html) = d.html().await;
    assert!(html.contains("Vyzvednout nový pas"));

    // The export, downloaded as a file from the account page.
    d.goto(&format!("{lhota}/account")).await;
    d.audit("account").await;
    let saved = d
        .call(json!({"cmd": "download", "selector": "a[href='/t/lhota/export']"}))
        .await;
    let export: Value = serde_json::from_str(
        &std::fs::read_to_string(saved["path"].as_str().expect("path")).expect("file"),
    )
    .expect("JSON");
    assert!(export.to_string().contains("jana.prohlizec@example.cz"));
    assert!(export.to_string().contains("Vyzvednout nový pas"));

    // The same pages in Bulgarian, chosen with the language form.
    d.goto(&format!("{lhota}/me")).await;
    d.call(json!({"cmd": "select", "selector": "#lang-choice", "value": "bg"}))
        .await;
    d.click("form.lang button").await;
    let (_, html) = d.html().await;
    assert!(html.contains("lang=\"bg\""), "{html}");
    for page in ACCOUNT_PAGES.iter().chain(&[""]) {
        d.goto(&format!("{lhota}/{page}")).await;
        d.audit(if page.is_empty() {
            "landing-logged-in"
        } else {
            page
        })
        .await;
    }

    // Stop alerts through the link of an alert e-mail Jana received (no login needed).
    let unsubscribe = e.stop_link(JANA_MAIL);
    d.goto(&unsubscribe).await;
    d.audit("unsubscribe").await;
    d.click("main form button").await;
    d.audit("unsubscribed").await;

    // Delete the account.
    d.goto(&format!("{lhota}/delete")).await;
    d.call(json!({"cmd": "check", "selector": "#confirm"}))
        .await;
    d.submit("/t/lhota/delete").await;
    d.audit("deleted").await;
    assert_eq!(e.sessions().await, 0);

    d.quit().await;

    // Zero violations on every page, in both languages.
    let langs: std::collections::BTreeSet<&str> =
        d.audits.iter().map(|(_, l, _)| l.as_str()).collect();
    assert!(
        langs.contains("cs") && langs.contains("bg"),
        "audited in {langs:?}"
    );
    let bad = d.violations();
    assert!(bad.is_empty(), "axe violations:\n{}", bad.join("\n"));
    assert!(d.audits.len() >= 15, "{} pages audited", d.audits.len());
    for shot in &d.shots {
        assert!(
            std::fs::metadata(shot)
                .map(|m| m.len() > 1000)
                .unwrap_or(false),
            "screenshot {shot}"
        );
    }
    eprintln!("{} screenshots in {}", d.shots.len(), out.display());
}
