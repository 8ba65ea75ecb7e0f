//! Push: a valid signed push produces the alert end to end; a bad signature, a stale
//! timestamp, a malformed body or an unknown source is refused with a 4xx and stores
//! nothing.

use crate::helpers::*;
use hlidac::store::CountOf;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use sha2::Sha256;

pub const SECRET: &str = "push-secret-0123456789abcdef0123456789abcdef";

pub fn with_push_source(config: String) -> String {
    let dir = config
        .lines()
        .find_map(|l| l.strip_prefix("state_dir = \""))
        .map(|d| d.trim_end_matches('"').to_string())
        .expect("state_dir");
    let secret = format!("{dir}/push.secret");
    std::fs::write(&secret, SECRET).expect("secret");
    format!(
        "{config}\n[[tenant.source]]\nid = \"podatelna\"\nkinds = [\"receivables\", \"submissions\"]\n[tenant.source.adapter]\ntype = \"push\"\nsecret_file = \"{secret}\"\n"
    )
}

pub fn sign(ts: i64, body: &str, secret: &str) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes()).expect("key");
    mac.update(format!("{ts}.{body}").as_bytes());
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

async fn push(
    base: &str,
    source: &str,
    ts: i64,
    signature: &str,
    body: &str,
) -> (StatusCode, String) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/ingest/lhota/{source}"))
        .header("X-Hlidac-Timestamp", ts.to_string())
        .header("X-Hlidac-Signature", signature)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("push");
    (resp.status(), resp.text().await.expect("body"))
}

async fn counts(t: &TestApp) -> (i64, i64, i64) {
    let s = &t.app.store;
    (
        s.count(CountOf::Observations).await.expect("count"),
        s.count(CountOf::Events).await.expect("count"),
        s.count(CountOf::Outbox).await.expect("count"),
    )
}

/// The daemon with the push source, its web side served; returns it and the base URL.
async fn push_app() -> (TestApp, String) {
    let t = TestApp::on_sqlite_with(
        hlidac_sim::Scenario::default(),
        morning("2026-05-01"),
        with_push_source,
    )
    .await;
    let base = t.serve_web().await;
    (t, base)
}

#[tokio::test]
async fn a_signed_push_alerts_and_every_bad_push_is_refused_storing_nothing() {
    let (mut t, base) = push_app().await;
    let now = morning("2026-05-01").timestamp();
    let mut record = serde_json::to_value(submission(
        "S-77",
        JANA,
        "Žádost o parkovací kartu",
        "MULH 77/2026",
    ))
    .expect("json");
    let body = serde_json::json!({"submissions": [record.clone()]}).to_string();

    let before = counts(&t).await;
    let bad = [
        (
            "wrong secret",
            now,
            sign(now, &body, "another-secret-0123456789abcdef0123456789"),
            body.clone(),
            "podatelna",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "stale timestamp",
            now - 301,
            sign(now - 301, &body, SECRET),
            body.clone(),
            "podatelna",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "future timestamp",
            now + 301,
            sign(now + 301, &body, SECRET),
            body.clone(),
            "podatelna",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "body changed after signing",
            now,
            sign(now, &body, SECRET),
            body.replace("parkovací", "rybářskou"),
            "podatelna",
            StatusCode::UNAUTHORIZED,
        ),
        (
            "malformed body",
            now,
            sign(now, "{\"submissions\": [", SECRET),
            "{\"submissions\": [".to_string(),
            "podatelna",
            StatusCode::BAD_REQUEST,
        ),
        (
            "unknown status",
            now,
            sign(now, &body.replace("\"received\"", "\"teleported\""), SECRET),
            body.replace("\"received\"", "\"teleported\""),
            "podatelna",
            StatusCode::BAD_REQUEST,
        ),
        (
            "a polled source",
            now,
            sign(now, &body, SECRET),
            body.clone(),
            "agenda",
            StatusCode::NOT_FOUND,
        ),
        (
            "no signature",
            now,
            String::new(),
            body.clone(),
            "podatelna",
            StatusCode::UNAUTHORIZED,
        ),
    ];
    for (what, ts, sig, b, source, want) in bad {
        let (status, text) = push(&base, source, ts, &sig, &b).await;
        assert_eq!(status, want, "{what}: {text}");
        assert!(
            !text.contains("Žádost"),
            "{what}: the body is echoed: {text}"
        );
        assert_eq!(counts(&t).await, before, "{what} stored something");
    }
    t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(t.smtp.count(), 0);

    // The valid push: the submission is watched and Jana is told.
    let (status, text) = push(&base, "podatelna", now, &sign(now, &body, SECRET), &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    t.cycle_expecting(&[(JANA_MAIL, "sledujeme vaše podání MULH 77/2026")])
        .await;

    // A second push with a new status goes through the same diff: one status alert.
    record["status"] = "resolved".into();
    record["version"] = "2".into();
    let body = serde_json::json!({"submissions": [record], "unknown_future_field": 1}).to_string();
    let (status, text) = push(&base, "podatelna", now, &sign(now, &body, SECRET), &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    let (status, _) = push(&base, "podatelna", now, &sign(now, &body, SECRET), &body).await;
    assert_eq!(status, StatusCode::OK, "a replay is harmless");
    t.cycle_expecting(&[(JANA_MAIL, "podání MULH 77/2026 – vyřízeno")])
        .await;
}

#[tokio::test]
async fn pushed_receivables_get_their_reminders() {
    let (mut t, base) = push_app().await;
    let now = morning("2026-05-01").timestamp();
    let record = fee("R-PUSH-1", JANA, "Poplatek ze psů", 60000, "2026-05-31");
    let body = serde_json::json!({"receivables": [record]}).to_string();
    let (status, text) = push(&base, "podatelna", now, &sign(now, &body, SECRET), &body).await;
    assert_eq!(status, StatusCode::OK, "{text}");
    t.cycle_expecting(&[(JANA_MAIL, "nový poplatek k úhradě – Poplatek ze psů")])
        .await;
    t.set_day("2026-05-28");
    t.cycle_expecting(&[(JANA_MAIL, "Poplatek ze psů, … je splatný … (za 3 dny)")])
        .await;
}
