//! The citizen pages in a real browser: headless Debian Chromium driven by playwright-core
//! (`tests/peers/browser.js`), axe-core run on every page in Czech and in Bulgarian, a
//! screenshot of every page kept under `target/screenshots/`. The login goes through the
//! pysaml2 IdP (its page posts the answer by script, as a real IdP's does), the e-mail is
//! confirmed through the link that reached the SMTP server, and alerts are stopped through
//! an e-mail's own unsubscribe link.

use crate::citizen::janas_records;
use crate::helpers::*;
use serde_json::{json, Value};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

struct Driver {
    child: tokio::process::Child,
    stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    /// (page, language, violations) of every axe run.
    audits: Vec<(String, String, Vec<Value>)>,
    shots: Vec<String>,
}

impl Driver {
    async fn start(out: &std::path::Path) -> Driver {
        let mut child = tokio::process::Command::new("node")
            .arg(repo_root().join("tests/peers/browser.js"))
            .arg("--out")
            .arg(out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node (scripts/install-deps test installs it)");
        let stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next_line().await.expect("read").unwrap_or_default();
        assert!(
            first.contains("ready"),
            "the browser did not start: {first:?} (scripts/install-deps test installs chromium and playwright-core)"
        );
        Driver {
            child,
            stdin,
            lines,
            audits: Vec::new(),
            shots: Vec::new(),
        }
    }

    async fn call(&mut self, cmd: Value) -> Value {
        self.stdin
            .write_all(format!("{cmd}\n").as_bytes())
            .await
            .expect("write");
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.lines.next_line())
            .await
            .expect("the browser answers")
            .expect("read")
            .expect("a line");
        let v: Value = serde_json::from_str(&line).expect("JSON");
        assert!(v.get("error").is_none(), "{cmd}: {v}");
        v
    }

    async fn goto(&mut self, url: &str) -> Value {
        self.call(json!({"cmd": "goto", "url": url})).await
    }

    async fn click(&mut self, selector: &str) -> Value {
        self.call(json!({"cmd": "click", "selector": selector}))
            .await
    }

    async fn fill(&mut self, selector: &str, value: &str) {
        self.call(json!({"cmd": "fill", "selector": selector, "value": value}))
            .await;
    }

    async fn html(&mut self) -> (String, String) {
        let p = self.call(json!({"cmd": "page"})).await;
        (
            p["url"].as_str().unwrap_or("").to_string(),
            p["html"].as_str().unwrap_or("").to_string(),
        )
    }

    /// axe-core on the page as it is, and a screenshot named after it.
    async fn audit(&mut self, name: &str) {
        let p = self.call(json!({"cmd": "page"})).await;
        let lang = p["lang"].as_str().unwrap_or("").to_string();
        let a = self.call(json!({"cmd": "axe"})).await;
        assert!(a["passes"].as_u64().unwrap_or(0) > 10, "axe ran: {a}");
        let violations = a["violations"].as_array().cloned().unwrap_or_default();
        self.audits
            .push((name.to_string(), lang.clone(), violations));
        let shot = self
            .call(json!({"cmd": "screenshot", "name": format!("{name}-{lang}")}))
            .await;
        self.shots
            .push(shot["path"].as_str().unwrap_or("").to_string());
    }
}

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
    d.fill("#quiet_hours", "21:30-07:00").await;
    // A bad value first: the message stands next to the field.
    d.fill("#quiet_hours", "půlnoc").await;
    d.click("form[method=post][action='/t/lhota/settings'] button[type=submit]")
        .await;
    let (_, html) = d.html().await;
    assert!(
        html.contains("id=\"quiet-error\""),
        "the error next to the field"
    );
    d.audit("settings-error").await;
    d.fill("#quiet_hours", "21:30-07:00").await;
    d.fill("#offsets", "10, 2").await;
    d.click("form[method=post][action='/t/lhota/settings'] button[type=submit]")
        .await;
    let (url, html) = d.html().await;
    assert!(url.contains("done=saved"), "{url}");
    assert!(
        html.contains("21:30-07:00") && html.contains("10, 2"),
        "{html}"
    );

    // A new e-mail address, confirmed through the link in the message that arrived.
    d.goto(&format!("{lhota}/contacts")).await;
    d.audit("contacts").await;
    let before = e.t.smtp.count();
    d.fill("#email", "jana.prohlizec@example.cz").await;
    d.click("form[method=post][action='/t/lhota/contacts'] button[type=submit]")
        .await;
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
    d.click("form[method=post][action='/t/lhota/reminders'] button[type=submit]")
        .await;
    let (_, html) = d.html().await;
    assert!(html.contains("Vyzvednout nový pas"));

    // The export, downloaded as a file.
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
    for page in ["me", "settings", "contacts", "reminders", "delete", ""] {
        d.goto(&format!("{lhota}/{page}")).await;
        d.audit(if page.is_empty() {
            "landing-logged-in"
        } else {
            page
        })
        .await;
    }

    // Stop alerts through the link of an alert e-mail Jana received (no login needed).
    let alert =
        e.t.smtp
            .mails()
            .into_iter()
            .find(|m| m.to == JANA_MAIL && !m.list_unsubscribe.is_empty())
            .expect("an alert e-mail to Jana");
    let unsubscribe = link_in(&alert.body, "/unsubscribe/");
    d.goto(&unsubscribe).await;
    d.audit("unsubscribe").await;
    d.click("main form button").await;
    d.audit("unsubscribed").await;

    // Delete the account.
    d.goto(&format!("{lhota}/delete")).await;
    d.call(json!({"cmd": "check", "selector": "#confirm"}))
        .await;
    d.click("form[method=post][action='/t/lhota/delete'] button[type=submit]")
        .await;
    d.audit("deleted").await;
    assert_eq!(e.sessions().await, 0);

    let _ = d.stdin.write_all(b"{\"cmd\": \"quit\"}\n").await;
    let _ = tokio::time::timeout(std::time::Duration::from_secs(20), d.child.wait()).await;

    // Zero violations on every page, in both languages.
    let langs: std::collections::BTreeSet<&str> =
        d.audits.iter().map(|(_, l, _)| l.as_str()).collect();
    assert!(
        langs.contains("cs") && langs.contains("bg"),
        "audited in {langs:?}"
    );
    let bad: Vec<String> = d
        .audits
        .iter()
        .filter(|(_, _, v)| !v.is_empty())
        .map(|(p, l, v)| {
            format!(
                "{p} ({l}): {}",
                serde_json::to_string(v).unwrap_or_default()
            )
        })
        .collect();
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
