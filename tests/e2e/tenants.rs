//! Many municipalities in one instance: three tenants with three simulators at once, one
//! of them broken. The healthy two send their citizens' alerts under their own names; the
//! broken one sends nothing and shows as quarantined. A citizen enrolled in two
//! municipalities hears from each separately.

use crate::helpers::*;
use hlidac_sim::{FaultKind, Scenario};
use std::sync::Arc;

/// Jana owes one fee of this town, named `title`.
fn jana_fee(title: &str) -> Scenario {
    Scenario {
        receivables: vec![fee("R-1", JANA, title, 50000, "2026-06-30")],
        ..Scenario::default()
    }
}

fn town(id: &str, name: &str, sim_url: &str, token: &std::path::Path) -> String {
    format!(
        "[[tenant]]\nid = \"{id}\"\nname = \"{name}\"\nlocale = \"cs\"\nsender = {{ email = \"hlidac@{id}.example\" }}\n\
         [[tenant.source]]\nid = \"agenda\"\nkinds = [\"receivables\", \"submissions\"]\nschedule = \"0 0 * * * *\"\n\
         [tenant.source.adapter]\ntype = \"http\"\nbase_url = \"{sim_url}\"\ntoken_file = \"{}\"\ntimeout_secs = 2\n",
        token.display()
    )
}

/// What the tests add their towns to: a folder, an SMTP server, the common config header
/// (database, SMTP, dispatch) and the simulators' token file.
async fn towns() -> (tempfile::TempDir, SmtpSink, String, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let smtp = SmtpSink::start();
    let db = fresh_database(Engine::Sqlite, dir.path())
        .await
        .expect("sqlite");
    let base = config_text(&state, &db, "http://127.0.0.1:9", smtp.port);
    let header = base[..base.find("[[tenant]]").expect("tenant")].to_string();
    (dir, smtp, header, state.join("sim.token"))
}

/// The daemon on `config`, its clock on the morning of 2026-05-01, with Jana enrolled in
/// each of `tenants` and their sources polled once.
async fn polled_with_jana_in(config: &str, tenants: &[&str]) -> Arc<hlidac::App> {
    let clock = Arc::new(hlidac::clock::ManualClock::new(morning("2026-05-01")));
    let app = build(config, clock).await;
    for tenant in tenants {
        app.enrol(tenant, JANA, JANA_MAIL, None)
            .await
            .expect("enrol");
    }
    app.poll_all().await;
    app
}

/// Dispatches what is queued, which must be `n` mails sent; the mails `smtp` received.
async fn dispatched(app: &hlidac::App, smtp: &SmtpSink, n: usize) -> Vec<Mail> {
    let report = app.dispatch_pending().await.expect("dispatch");
    assert_eq!(report.sent, n, "{report:?}");
    smtp.wait_for(n, std::time::Duration::from_secs(10)).await
}

#[tokio::test]
async fn healthy_towns_alert_under_their_names_and_a_broken_one_is_quarantined() {
    let (_dir, smtp, header, token) = towns().await;
    let header = header.as_str();
    let (_a, url_a) = start_sim(jana_fee("Poplatek za odpady Lhota")).await;
    let (_b, url_b) = start_sim(jana_fee("Poplatek za odpady Ves")).await;
    let (broken, url_c) = start_sim(jana_fee("Poplatek za odpady Dvůr")).await;
    broken.inject(FaultKind::Malformed, 100);
    let config = format!(
        "{header}{}{}{}",
        town("lhota", "Obec Lhota", &url_a, &token),
        town("ves", "Obec Ves", &url_b, &token),
        town("dvur", "Obec Dvůr", &url_c, &token)
    );
    let app = polled_with_jana_in(&config, &["lhota", "ves", "dvur"]).await;
    app.evaluate_rules().await.expect("rules");
    let mails = dispatched(&app, &smtp, 2).await;
    let m = expect_mails(
        &mails,
        &[
            (
                JANA_MAIL,
                "Obec Lhota: nový poplatek k úhradě – Poplatek za odpady Lhota",
            ),
            (
                JANA_MAIL,
                "Obec Ves: nový poplatek k úhradě – Poplatek za odpady Ves",
            ),
        ],
    );
    assert!(m[0].from.contains("hlidac@lhota.example") && m[1].from.contains("hlidac@ves.example"));
    assert!(!mails.iter().any(|m| m.subject.contains("Dvůr")));
    let broken_health = health_of(&app.store, "dvur", "agenda").await;
    assert_eq!(broken_health.state, "quarantined");
    for healthy in ["lhota", "ves"] {
        let h = health_of(&app.store, healthy, "agenda").await;
        assert_eq!(h.state, "ok", "{healthy}");
    }
    assert!(app
        .store
        .observations("dvur", "agenda", "receivable")
        .await
        .expect("obs")
        .is_empty());
}

/// Two towns in one instance: one with its own wording (a template folder) and look (a
/// footer and a colour), the other with the built-in ones.
#[tokio::test]
async fn each_town_speaks_in_its_own_words_and_colours() {
    let (dir, smtp, header, token) = towns().await;
    let header = header.as_str();
    let templates = dir.path().join("ves-templates");
    std::fs::create_dir_all(templates.join("cs")).expect("dir");
    std::fs::write(
        templates.join("cs/receivable.new.txt"),
        "Subject: {{ tenant.name }} vám připomíná: {{ alert.title }}\nVážená paní, vážený pane,\n\nobec Ves eviduje novou platbu {{ alert.title }}.\n",
    )
    .expect("template");
    let (_a, url_a) = start_sim(jana_fee("Poplatek Lhota")).await;
    let (_b, url_b) = start_sim(jana_fee("Poplatek Ves")).await;
    let ves = town("ves", "Obec Ves", &url_b, &token).replacen(
        "sender = ",
        &format!(
            "templates_dir = \"{}\"\nbranding = {{ color = \"#0a7d32\", footer = \"Obecní úřad Ves, Návesní 1\" }}\nsender = ",
            templates.display()
        ),
        1,
    );
    let config = format!(
        "{header}{}{ves}",
        town("lhota", "Obec Lhota", &url_a, &token)
    );
    let app = polled_with_jana_in(&config, &["lhota", "ves"]).await;
    let mails = dispatched(&app, &smtp, 2).await;
    let m = expect_mails(
        &mails,
        &[
            (
                JANA_MAIL,
                "Obec Lhota: nový poplatek k úhradě – Poplatek Lhota",
            ),
            (JANA_MAIL, "Obec Ves vám připomíná: Poplatek Ves"),
        ],
    );
    assert!(!m[0].body.contains("Návesní"), "{}", m[0].body);
    assert!(
        m[1].body
            .contains("obec Ves eviduje novou platbu Poplatek Ves")
            && m[1].body.trim_end().ends_with("Obecní úřad Ves, Návesní 1"),
        "{}",
        m[1].body
    );
    assert!(m[1].html.contains("color: #0a7d32") && m[1].html.contains(">Obec Ves</h1>"));
    assert!(m[0].html.contains(">Obec Lhota</h1>") && !m[0].html.contains("#0a7d32"));

    // A broken template folder is caught when the config is checked, with its key path.
    std::fs::write(templates.join("cs/receivable.nope.txt"), "Subject: x\n").expect("write");
    std::fs::write(
        templates.join("cs/receivable.paid.txt"),
        "Predmet: {{ alert.title }}\n",
    )
    .expect("write");
    let err = hlidac::settings::load_str(
        &config,
        std::path::Path::new("/test/hlidac.toml"),
        &hlidac::config::Overrides::default(),
    )
    .expect_err("refused");
    let text = err.to_string();
    assert!(
        text.contains("tenant[1].templates_dir")
            && text.contains("cs/receivable.nope.txt: not a template name")
            && text.contains("cs/receivable.paid.txt: the first line must be"),
        "{text}"
    );
}

/// A source that hangs does not hold up another town's: each source polls on its own.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hanging_source_does_not_delay_another_town() {
    let (dir, smtp, header, token) = towns().await;
    let header = header.as_str();
    let scenario = Scenario {
        receivables: vec![fee("R-1", JANA, "Poplatek", 50000, "2099-06-30")],
        ..Scenario::default()
    };
    let (slow, url_a) = start_sim(scenario.clone()).await;
    slow.inject(FaultKind::Timeout, 100);
    let (_b, url_b) = start_sim(scenario).await;
    // The hanging town comes first; its requests wait 60 s before they time out.
    let every_second = |t: String| {
        t.replace("schedule = \"0 0 * * * *\"", "schedule = \"* * * * * *\"")
            .replace("timeout_secs = 2", "timeout_secs = 60")
    };
    let config = format!(
        "{header}{}{}",
        every_second(town("pomala", "Obec Pomalá", &url_a, &token)),
        every_second(town("ves", "Obec Ves", &url_b, &token))
    );
    let file = dir.path().join("hlidac.toml");
    std::fs::write(&file, &config).expect("config");
    for tenant in ["pomala", "ves"] {
        let out = hlidac_with_config(&file)
            .args(["citizen", "add", "--tenant", tenant, "--email", JANA_MAIL])
            .env("HLIDAC_PERSON_REF", JANA)
            .output()
            .expect("citizen add");
        assert!(out.status.success());
    }
    let mut child = hlidac_with_config(&file)
        .arg("run")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run");
    // Pomalá's first poll cannot end before 60 s; Ves's alert must come well within that.
    let mails = smtp.wait_for(1, std::time::Duration::from_secs(30)).await;
    let _ = child.kill();
    let _ = child.wait();
    expect_mails(&mails, &[(JANA_MAIL, "Obec Ves: nový poplatek k úhradě –")]);
    assert!(slow.calls("receivables") >= 1, "Pomalá was asked and hung");
}
