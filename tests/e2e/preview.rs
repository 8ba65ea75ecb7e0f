//! `hlidac preview`: a tenant's reminder days, previewed at a future date, list the
//! alerts that the real run later sends on that day (the test clock moved there), and the
//! preview itself stores and sends nothing.

use crate::helpers::*;

fn preview(config: &std::path::Path, at: &str, person: Option<&str>) -> String {
    let mut cmd = hlidac_command();
    cmd.arg("--config")
        .arg(config)
        .args(["preview", "--tenant", "lhota", "--at", at])
        .env_remove("HLIDAC_PERSON_REF");
    if let Some(p) = person {
        cmd.env("HLIDAC_PERSON_REF", p);
    }
    let out = cmd.output().expect("hlidac preview");
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text
}

/// The (recipient, subject) of each alert a preview lists.
fn listed(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut to = String::new();
    for line in text.lines() {
        if let Some(head) = line.strip_prefix("== ") {
            to = head
                .split(" to ")
                .nth(1)
                .and_then(|r| r.split(' ').next())
                .unwrap_or_default()
                .to_string();
        } else if let Some(subject) = line.strip_prefix("Subject: ") {
            out.push((to.clone(), subject.to_string()));
        }
    }
    out.sort();
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_preview_lists_what_the_day_then_sends_and_changes_nothing() {
    let mut t = TestApp::on_sqlite(crate::timeline::scenario(), morning("2026-05-01")).await;
    assert_eq!(t.cycle().await.len(), 2);
    t.sim.step(); // a new fee for Jana, not yet polled
    let config = t.dir.path().join("hlidac.toml");
    std::fs::write(&config, &t.config).expect("write the config");
    let outbox = t.app.store.alerts().await.expect("outbox").len();

    let c = config.clone();
    let text = tokio::task::spawn_blocking(move || preview(&c, "2026-05-07", None))
        .await
        .expect("join");
    let previewed = listed(&text);
    assert_eq!(previewed.len(), 2, "{text}");
    assert!(
        previewed[0].0 == "j***@lhota.example"
            && contains_in_order(
                &previewed[0].1,
                "nový poplatek k úhradě – Poplatek za odpady, … do 31. 5. 2026"
            ),
        "{text}"
    );
    assert!(
        previewed[1].0 == "p***@lhota.example"
            && contains_in_order(&previewed[1].1, "Dog fee, … is due … (in 3 days)"),
        "{text}"
    );
    assert!(
        text.contains(
            "2 alert(s) would go out on 2026-05-07 in lhota; nothing was stored or sent."
        ),
        "{text}"
    );
    assert!(text.contains("CZK 600.00"), "the rendered text: {text}");
    assert!(!text.contains(JANA) && !text.contains(PETR_MAIL), "{text}");
    // One person only.
    let c = config.clone();
    let petr = tokio::task::spawn_blocking(move || preview(&c, "2026-05-07", Some(PETR)))
        .await
        .expect("join");
    assert_eq!(listed(&petr).len(), 1, "{petr}");
    // Nothing stored, nothing sent.
    assert_eq!(t.app.store.alerts().await.expect("outbox").len(), outbox);
    assert!(t.smtp.mails().len() == 2, "only the first cycle's mails");

    // The real run on that day sends exactly what was previewed.
    t.set_day("2026-05-07");
    let mails = t.cycle().await;
    let mut sent: Vec<(String, String)> = mails
        .iter()
        .map(|m| (hlidac::cli::mask_email(&m.to), m.subject.clone()))
        .collect();
    sent.sort();
    assert_eq!(sent, previewed);
}
