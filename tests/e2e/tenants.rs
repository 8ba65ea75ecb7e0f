//! Many municipalities in one instance: three tenants with three simulators at once, one
//! of them broken. The healthy two send their citizens' alerts under their own names; the
//! broken one sends nothing and shows as quarantined. A citizen enrolled in two
//! municipalities hears from each separately.

use crate::helpers::*;
use hlidac_adapters::sim::{FaultKind, Scenario};
use std::sync::Arc;

fn town(id: &str, name: &str, sim_url: &str, token: &std::path::Path) -> String {
    format!(
        "[[tenant]]\nid = \"{id}\"\nname = \"{name}\"\nlocale = \"cs\"\nsender = {{ email = \"hlidac@{id}.example\" }}\n\
         [[tenant.source]]\nid = \"agenda\"\nkinds = [\"receivables\", \"submissions\"]\nschedule = \"0 0 * * * *\"\n\
         [tenant.source.adapter]\ntype = \"http\"\nbase_url = \"{sim_url}\"\ntoken_file = \"{}\"\ntimeout_secs = 2\n",
        token.display()
    )
}

#[tokio::test]
async fn healthy_towns_alert_under_their_names_and_a_broken_one_is_quarantined() {
    let dir = tempfile::tempdir().expect("tempdir");
    let state = dir.path().join("state");
    let smtp = SmtpSink::start();
    let db = fresh_database(Engine::Sqlite, dir.path())
        .await
        .expect("sqlite");
    // Reuse the common header (database, SMTP, dispatch), then three towns.
    let base = config_text(&state, &db, "http://127.0.0.1:9", smtp.port);
    let header = &base[..base.find("[[tenant]]").expect("tenant")];
    let token = state.join("sim.token");
    let scenario = |fee_title: &str| Scenario {
        access_codes: Default::default(),
        registry: Vec::new(),
        receivables: vec![fee("R-1", JANA, fee_title, 50000, "2026-06-30")],
        submissions: vec![],
        timeline: vec![],
    };
    let (_a, url_a) = start_sim(scenario("Poplatek za odpady Lhota")).await;
    let (_b, url_b) = start_sim(scenario("Poplatek za odpady Ves")).await;
    let (broken, url_c) = start_sim(scenario("Poplatek za odpady Dvůr")).await;
    broken.inject(FaultKind::Malformed, 100);
    let config = format!(
        "{header}{}{}{}",
        town("lhota", "Obec Lhota", &url_a, &token),
        town("ves", "Obec Ves", &url_b, &token),
        town("dvur", "Obec Dvůr", &url_c, &token)
    );
    let clock = Arc::new(hlidac::clock::ManualClock::new(morning("2026-05-01")));
    let app = build(&config, clock).await;
    for tenant in ["lhota", "ves", "dvur"] {
        app.enrol(tenant, JANA, JANA_MAIL, None)
            .await
            .expect("enrol");
    }
    app.poll_all().await;
    app.evaluate_rules().await.expect("rules");
    let report = app.dispatch_pending().await.expect("dispatch");
    assert_eq!(report.sent, 2, "{report:?}");
    let mails = smtp.wait_for(2, std::time::Duration::from_secs(10)).await;
    let m = expect_mails(
        &mails,
        &[
            (
                JANA_MAIL,
                "Obec Lhota: nová platba Poplatek za odpady Lhota",
            ),
            (JANA_MAIL, "Obec Ves: nová platba Poplatek za odpady Ves"),
        ],
    );
    assert!(m[0].from.contains("hlidac@lhota.example") && m[1].from.contains("hlidac@ves.example"));
    assert!(!mails.iter().any(|m| m.subject.contains("Dvůr")));
    let broken_health = app
        .store
        .source_health("dvur", "agenda")
        .await
        .expect("health")
        .expect("source");
    assert_eq!(broken_health.state, "quarantined");
    for healthy in ["lhota", "ves"] {
        let h = app
            .store
            .source_health(healthy, "agenda")
            .await
            .expect("health")
            .expect("source");
        assert_eq!(h.state, "ok", "{healthy}");
    }
    assert!(app
        .store
        .observations("dvur", "agenda", "receivable")
        .await
        .expect("obs")
        .is_empty());
}
