//! The admin API: roles are enforced on every endpoint, actions work and are audited, and
//! the quarterly report counts exactly the alerts that were produced.

use crate::helpers::*;
use hlidac::config::Role;
use hlidac::web::admin::ENDPOINT_ROLES;
use reqwest::StatusCode;

fn token(role: Role) -> &'static str {
    ADMIN_TOKENS
        .iter()
        .find(|(r, _)| *r == role.as_str())
        .expect("token")
        .1
}

/// Lhota's report for `from`–`to` as CSV, asked with the admin token.
async fn report_csv(base: &str, from: &str, to: &str) -> String {
    reqwest::Client::new()
        .get(format!(
            "{base}/admin/v1/tenants/lhota/report?from={from}&to={to}&format=csv"
        ))
        .bearer_auth(token(Role::Admin))
        .send()
        .await
        .expect("report")
        .text()
        .await
        .expect("csv")
}

async fn call(
    client: &reqwest::Client,
    base: &str,
    method: &str,
    path: &str,
    bearer: Option<&str>,
) -> (StatusCode, String) {
    let path = path
        .replace("{tenant}", "lhota")
        .replace("{source}", "agenda")
        .replace("{id}", "0000");
    let url = if path.ends_with("/report") {
        format!("{base}{path}?from=2026-05-01&to=2026-05-31")
    } else {
        format!("{base}{path}")
    };
    let mut req = match method {
        "GET" => client.get(&url),
        _ => client
            .post(&url)
            .json(&serde_json::json!({"email": "nobody@lhota.example"})),
    };
    if let Some(t) = bearer {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("request");
    (resp.status(), resp.text().await.expect("body"))
}

#[tokio::test]
async fn every_endpoint_refuses_a_missing_token_and_a_lower_role() {
    let t = crate::timeline::on_timeline().await;
    let base = t.serve_web().await;
    let client = reqwest::Client::new();
    for (method, path, needs) in ENDPOINT_ROLES {
        let (status, _) = call(&client, &base, method, path, None).await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} without a token"
        );
        let (status, _) = call(
            &client,
            &base,
            method,
            path,
            Some("not-a-token-0123456789abcdef0123456789"),
        )
        .await;
        assert_eq!(
            status,
            StatusCode::UNAUTHORIZED,
            "{method} {path} with an unknown token"
        );
        for role in [Role::Support, Role::Operator, Role::Admin] {
            let (status, body) = call(&client, &base, method, path, Some(token(role))).await;
            if role < *needs {
                assert_eq!(
                    status,
                    StatusCode::FORBIDDEN,
                    "{method} {path} as {role:?}: {body}"
                );
            } else {
                // Allowed: anything but 401/403 (the alert id 0000 does not exist: 404).
                assert!(
                    status != StatusCode::UNAUTHORIZED && status != StatusCode::FORBIDDEN,
                    "{method} {path} as {role:?}: {status} {body}"
                );
                assert!(
                    !status.is_server_error(),
                    "{method} {path}: {status} {body}"
                );
            }
        }
    }
    // Every authenticated call, allowed or not, is in the audit log.
    let audit = t.app.store.audit_entries(1000).await.expect("audit");
    assert_eq!(audit.len(), ENDPOINT_ROLES.len() * 3);
    assert!(audit.iter().any(|e| e.actor == "support-desk"
        && e.action == "report"
        && e.outcome.starts_with("refused")));

    // What the path or the query says wrongly is told before the token is looked at.
    let status_of =
        |req: reqwest::RequestBuilder| async move { req.send().await.expect("request").status() };
    let verb = client.post(format!("{base}/admin/v1/tenants/lhota/sources/agenda/stop"));
    assert_eq!(status_of(verb).await, StatusCode::NOT_FOUND);
    let limit = client.get(format!("{base}/admin/v1/outbox?limit=many"));
    assert_eq!(status_of(limit).await, StatusCode::BAD_REQUEST);
    // A report is made, and audited, before its format is looked at: a support caller
    // asking for one in an unknown format is refused for its role.
    let (status, body) = call(
        &client,
        &base,
        "GET",
        "/admin/v1/tenants/{tenant}/report",
        Some(token(Role::Support)),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let odd_format = client
        .get(format!(
            "{base}/admin/v1/tenants/lhota/report?from=2026-05-01&to=2026-05-31&format=xml"
        ))
        .bearer_auth(token(Role::Support));
    assert_eq!(status_of(odd_format).await, StatusCode::FORBIDDEN);
    let audited = t.app.store.audit_entries(1000).await.expect("audit");
    assert_eq!(audited.len(), audit.len() + 2, "both report calls audited");
}

#[tokio::test]
async fn the_report_counts_the_alerts_produced_and_actions_work() {
    let mut t = crate::timeline::on_timeline().await;
    let base = t.serve_web().await;
    let client = reqwest::Client::new();
    let admin = token(Role::Admin);
    let operator = token(Role::Operator);

    // Two alerts sent, then one refused for good.
    assert_eq!(t.cycle().await.len(), 2);
    t.sim.step();
    t.smtp.set_mode("550");
    t.app.poll_all().await;
    assert_eq!(t.app.dispatch_pending().await.expect("dispatch").dead, 1);
    t.smtp.set_mode("");

    let report: serde_json::Value = client
        .get(format!(
            "{base}/admin/v1/tenants/lhota/report?from=2026-05-01&to=2026-06-30"
        ))
        .bearer_auth(admin)
        .send()
        .await
        .expect("report")
        .json()
        .await
        .expect("json");
    let rows: Vec<(String, String, i64)> = report["alerts"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            (
                str_at(r, "kind"),
                str_at(r, "state"),
                r["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("receivable.new".to_string(), "dead".to_string(), 1),
            ("receivable.new".into(), "sent".into(), 1),
            ("submission.new".into(), "sent".into(), 1),
        ]
    );
    assert_eq!(report["alerts_total"], 3);
    assert_eq!(report["subscribed_citizens"], 2);
    assert_eq!(report["logins"], serde_json::json!([]));
    // A period before anything happened counts nothing.
    let csv = report_csv(&base, "2026-04-01", "2026-04-30").await;
    assert_eq!(csv, "tenant,from,to,kind,channel,state,count\nlhota,2026-04-01,2026-04-30,subscribed_citizens,,,2\n");

    // Resend the failed alert: it goes out once.
    let failed = t
        .app
        .store
        .outbox_entries(None, Some("dead"), 10)
        .await
        .expect("outbox");
    let resp = client
        .post(format!("{base}/admin/v1/outbox/{}/resend", failed[0].id))
        .bearer_auth(operator)
        .send()
        .await
        .expect("resend");
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(t.app.dispatch_pending().await.expect("dispatch").sent, 1);
    let mails = t.smtp.wait_for(3, std::time::Duration::from_secs(10)).await;
    expect_mails(
        &mails[2..],
        &[(JANA_MAIL, "nový poplatek k úhradě – Poplatek za odpady")],
    );
    t.seen = 3;

    // Pause the source: the next change is not fetched until it is resumed.
    let pause = client
        .post(format!(
            "{base}/admin/v1/tenants/lhota/sources/agenda/pause"
        ))
        .bearer_auth(operator)
        .send()
        .await
        .expect("pause");
    assert_eq!(pause.status(), StatusCode::OK);
    t.sim.step(); // assigned
    assert!(t.cycle().await.is_empty(), "a paused source is not polled");
    client
        .post(format!(
            "{base}/admin/v1/tenants/lhota/sources/agenda/resume"
        ))
        .bearer_auth(operator)
        .send()
        .await
        .expect("resume");
    t.cycle_expecting(&[(JANA_MAIL, "přiděleno zpracovateli")])
        .await;

    // Suppress Jana's address: nothing more reaches it.
    let resp = client
        .post(format!("{base}/admin/v1/tenants/lhota/contacts/suppress"))
        .bearer_auth(token(Role::Support))
        .json(&serde_json::json!({"email": JANA_MAIL.to_uppercase()}))
        .send()
        .await
        .expect("suppress");
    assert_eq!(
        resp.json::<serde_json::Value>().await.expect("json")["suppressed_contacts"],
        1
    );
    t.sim.step(); // paid
    assert!(
        t.cycle().await.is_empty(),
        "a suppressed address gets nothing"
    );

    let audit: serde_json::Value = client
        .get(format!("{base}/admin/v1/audit"))
        .bearer_auth(admin)
        .send()
        .await
        .expect("audit")
        .json()
        .await
        .expect("json");
    let actions: Vec<String> = audit
        .as_array()
        .expect("list")
        .iter()
        .map(|e| {
            format!(
                "{} {}",
                e["actor"].as_str().unwrap_or(""),
                e["action"].as_str().unwrap_or("")
            )
        })
        .collect();
    for expected in [
        "operator-desk outbox.resend",
        "operator-desk source.pause",
        "operator-desk source.resume",
        "support-desk contact.suppress",
        "admin-desk report",
    ] {
        assert!(
            actions.iter().any(|a| a == expected),
            "{expected} missing in {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_dry_run_renders_but_sends_nothing_and_going_live_sends_only_what_is_new() {
    let dry = |c: String| c.replace("sender = {", "dry_run = true\nsender = {");
    let mut t =
        TestApp::on_sqlite_with(crate::timeline::scenario(), morning("2026-05-01"), dry).await;
    assert!(t.cycle().await.is_empty(), "a dry run sends nothing");
    let states: Vec<String> = t
        .app
        .store
        .alerts()
        .await
        .expect("alerts")
        .into_iter()
        .map(|a| a.state)
        .collect();
    assert_eq!(states, ["would_send", "would_send"]);

    // Switch the tenant to live: what was already seen is not sent.
    t.config = t.config.replace("dry_run = true\n", "");
    t.restart().await;
    assert!(
        t.cycle().await.is_empty(),
        "nothing already seen is sent after going live"
    );
    t.sim.step(); // a new fee
    t.cycle_expecting(&[(JANA_MAIL, "nový poplatek k úhradě – Poplatek za odpady")])
        .await;
}

#[tokio::test]
async fn logins_appear_in_the_report_and_the_metrics() {
    let t = crate::timeline::on_timeline().await;
    let base = t.serve_web().await;
    let at = |day: &str| morning(day).timestamp_millis();
    let s = &t.app.store;
    for (outcome, day) in [
        ("ok", "2026-05-02"),
        ("ok", "2026-05-03"),
        ("rejected", "2026-05-03"),
        // Outside the period.
        ("ok", "2026-07-01"),
    ] {
        s.record_login("lhota", "cz-nia", outcome, at(day))
            .await
            .expect("login");
    }
    let csv = report_csv(&base, "2026-05-01", "2026-05-31").await;
    assert!(
        csv.contains("lhota,2026-05-01,2026-05-31,login,cz-nia,ok,2\n"),
        "{csv}"
    );
    assert!(
        csv.contains("lhota,2026-05-01,2026-05-31,login,cz-nia,rejected,1\n"),
        "{csv}"
    );
    // The gauges are sampled every 5 s in the background.
    let want = "hlidac_logins_total{idp=\"cz-nia\",outcome=\"ok\"} 3";
    let mut metrics = String::new();
    for _ in 0..100 {
        metrics = reqwest::get(format!("{base}/metrics"))
            .await
            .expect("metrics")
            .text()
            .await
            .expect("text");
        if metrics.contains(want) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(metrics.contains(want), "{metrics}");
}
