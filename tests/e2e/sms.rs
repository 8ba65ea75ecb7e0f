//! SMS against real peers: an SMSC built on npm `smpp` (tests/peers/smpp_server.js) that
//! records every submit_sm and sends delivery receipts, and an HTTP gateway. Quiet hours
//! and daily digests are checked with the clock moved.

use crate::helpers::*;
use hlidac_sim::Scenario;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The SMSC of `tests/peers/smpp_server.js`, stopped when dropped; its record file and
/// the bind password live in its own folder.
pub struct SmppPeer {
    child: Child,
    pub port: u16,
    record: PathBuf,
    dir: tempfile::TempDir,
}

impl SmppPeer {
    pub fn start(args: &[&str]) -> SmppPeer {
        let dir = tempfile::tempdir().expect("tempdir");
        let record = dir.path().join("smpp.jsonl");
        let mut child = Command::new("node")
            .arg(repo_root().join("tests/peers/smpp_server.js"))
            .arg("--record")
            .arg(&record)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("node (scripts/install-deps test installs it)");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("stdout");
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .expect("the SMSC says its port");
        let port: serde_json::Value = serde_json::from_str(&line)
            .unwrap_or_else(|_| panic!("the SMSC did not start: {line:?} (npm peers missing?)"));
        SmppPeer {
            child,
            port: port["port"].as_u64().expect("port") as u16,
            record,
            dir,
        }
    }

    pub fn records(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(&self.record)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }

    /// Its folder (the bind password is there).
    pub fn dir(&self) -> &std::path::Path {
        self.dir.path()
    }

    /// The submit_sm requests received (accepted or refused).
    pub fn submits(&self) -> Vec<serde_json::Value> {
        self.records()
            .into_iter()
            .filter(|r| r.get("event").is_none())
            .collect()
    }

    pub fn binds(&self) -> usize {
        self.records()
            .iter()
            .filter(|r| r["event"] == "bind" && r["ok"] == true)
            .count()
    }

    /// The config's `[sms]` for this SMSC.
    pub fn config(&self) -> String {
        format!(
            "\n[sms]\nsender = \"LHOTA\"\n[sms.smpp]\n{}",
            self.smpp_keys()
        )
    }

    /// This SMSC as one of several, `[[sms.providers]]` named `name` (after `[sms]`).
    pub fn provider(&self, name: &str) -> String {
        format!(
            "\n[[sms.providers]]\nname = \"{name}\"\n[sms.providers.smpp]\n{}",
            self.smpp_keys()
        )
    }

    fn smpp_keys(&self) -> String {
        let password = self.dir.path().join("smpp.password");
        std::fs::write(&password, "secret\n").expect("password");
        format!(
            "host = \"127.0.0.1\"\nport = {}\nsystem_id = \"hlidac\"\npassword_file = \"{}\"\n\
             timeout_secs = 3\nenquire_link_secs = 5\nreconnect_max_secs = 1\n",
            self.port,
            password.display()
        )
    }
}

impl Drop for SmppPeer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Decodes a recorded short_message: drops the UDH, then GSM-7 (unpacked) or UCS-2.
pub(crate) fn text_of(submit: &serde_json::Value) -> String {
    let bytes = hex::decode(submit["short_message_hex"].as_str().unwrap_or("")).expect("hex");
    let body = if submit["esm_class"].as_u64().unwrap_or(0) & 0x40 != 0 {
        &bytes[bytes[0] as usize + 1..]
    } else {
        &bytes[..]
    };
    if submit["data_coding"] == 8 {
        let units: Vec<u16> = body
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        String::from_utf16(&units).expect("UTF-16")
    } else {
        body.iter().map(|b| *b as char).collect()
    }
}

/// How many messages the submits carry: a long one goes in parts (the UDH's sequence
/// number says which); each message counts once.
pub(crate) fn messages(submits: &[serde_json::Value]) -> usize {
    submits
        .iter()
        .filter(|s| {
            let bytes = hex::decode(s["short_message_hex"].as_str().unwrap_or("")).expect("hex");
            s["esm_class"].as_u64().unwrap_or(0) & 0x40 == 0 || bytes.get(5) == Some(&1)
        })
        .count()
}

const EVA: &str = "CZ-0000-EVA";

pub(crate) fn one_fee() -> Scenario {
    Scenario {
        receivables: vec![
            fee("R-1", JANA, "Poplatek za odpady", 90000, "2026-05-31"),
            fee("R-2", PETR, "Waste fee", 90000, "2026-05-31"),
        ],
        ..Scenario::default()
    }
}

/// Enrols a citizen (or finds them) and adds a verified SMS number; returns their id.
pub(crate) async fn with_phone(t: &TestApp, person: &str, mail: &str, phone: &str) -> String {
    let id = citizen_id(t, person, mail).await;
    t.app.add_phone(&id, phone).await.expect("phone");
    id
}

async fn citizen_id(t: &TestApp, person: &str, mail: &str) -> String {
    t.app
        .enrol("lhota", person, mail, None)
        .await
        .expect("enrolled")
        .0
}

/// The SMS alerts: (citizen, state, parts, last error).
pub(crate) async fn sms_alerts(t: &TestApp) -> Vec<(String, String, Option<i64>, Option<String>)> {
    use sqlx::Row;
    sqlx::query(
        "SELECT citizen_id, state, parts, last_error FROM outbox WHERE channel = 'sms'
         ORDER BY citizen_id",
    )
    .fetch_all(t.app.store.pool())
    .await
    .expect("sms alerts")
    .iter()
    .map(|r| {
        (
            r.try_get("citizen_id").expect("c"),
            r.try_get("state").expect("s"),
            r.try_get("parts").expect("p"),
            r.try_get("last_error").expect("e"),
        )
    })
    .collect()
}

pub(crate) async fn wait_for_state(t: &TestApp, state: &str, n: usize) {
    let start = Instant::now();
    loop {
        let alerts = sms_alerts(t).await;
        if alerts.iter().filter(|a| a.1 == state).count() >= n {
            return;
        }
        // Receipts come after the SMSC's delay; a loaded machine (the whole suite on two
        // cores) may take a while longer to store them.
        assert!(
            start.elapsed() < Duration::from_secs(30),
            "no {n} SMS {state}: {alerts:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

async fn smpp_app(peer_args: &[&str], start: chrono::DateTime<chrono::Utc>) -> (TestApp, SmppPeer) {
    let peer = SmppPeer::start(peer_args);
    let extra = peer.config();
    let t = TestApp::on_sqlite_with(one_fee(), start, move |c| c + &extra).await;
    (t, peer)
}

#[tokio::test]
async fn sms_goes_out_over_smpp_and_receipts_mark_it_delivered() {
    let (mut t, peer) = smpp_app(&[], morning("2026-05-01")).await;
    let jana = with_phone(&t, JANA, JANA_MAIL, "+420601234567").await;
    let petr = with_phone(&t, PETR, PETR_MAIL, "+420602000111").await;
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 2, "the e-mails still go");
    wait_for_state(&t, "delivered", 2).await;

    let submits = peer.submits();
    let to_jana: Vec<_> = submits
        .iter()
        .filter(|s| s["destination_addr"] == "420601234567")
        .collect();
    let to_petr: Vec<_> = submits
        .iter()
        .filter(|s| s["destination_addr"] == "420602000111")
        .collect();
    // Czech needs UCS-2; English fits GSM-7. The text is the e-mail's subject (with the
    // amount and the due date), then the payment details in short (protocol 1.1): the
    // account and the variable symbol; last, the link to the overview.
    let jana_mail = mails
        .iter()
        .find(|m| m.to.contains(JANA_MAIL))
        .expect("mail");
    let text: String = to_jana.iter().map(|s| text_of(s)).collect();
    let vs = jana_mail
        .body
        .lines()
        .find_map(|l| l.trim().strip_prefix("Variabilní symbol: "))
        .expect("the mail's variable symbol");
    assert_eq!(
        text,
        format!(
            "{}. Číslo účtu: 19-1234567/0100, Variabilní symbol: {vs}. {}/t/lhota/me",
            hlidac::notify::sms::plain_punctuation(&jana_mail.subject),
            t.app.config.web.public_url()
        )
    );
    assert!(to_jana.iter().all(|s| s["data_coding"] == 8));
    assert!(to_petr.iter().all(|s| s["data_coding"] == 0));
    assert!(submits
        .iter()
        .all(|s| s["source_addr"] == "LHOTA" && s["registered_delivery"] == 1 && s["status"] == 0));
    // The part count is recorded and matches what the SMSC received.
    let alerts = sms_alerts(&t).await;
    let of = |c: &str| alerts.iter().find(|a| a.0 == c).expect("alert").clone();
    assert_eq!(of(&jana).2, Some(to_jana.len() as i64));
    assert_eq!(of(&petr).2, Some(to_petr.len() as i64));
    let expected = hlidac::notify::sms::plan(&text).parts;
    assert_eq!(to_jana.len(), expected);
    // Nothing is sent twice.
    assert!(t.cycle().await.is_empty());
    assert_eq!(peer.submits().len(), submits.len());
}

#[tokio::test]
async fn a_permanent_smpp_refusal_is_dead_lettered_after_one_attempt() {
    let (mut t, peer) = smpp_app(&["--permanent", "420777"], morning("2026-05-01")).await;
    with_phone(&t, JANA, JANA_MAIL, "+420777000111").await;
    t.cycle().await;
    let alerts = sms_alerts(&t).await;
    assert_eq!(alerts.len(), 1);
    assert_eq!(alerts[0].1, "dead");
    assert!(
        alerts[0]
            .3
            .as_deref()
            .unwrap_or("")
            .contains("ESME_RINVDSTADR"),
        "{alerts:?}"
    );
    // No retry storm: a day later, still one submit_sm.
    for _ in 0..3 {
        t.clock.advance(chrono::Duration::hours(8));
        t.cycle().await;
    }
    assert_eq!(
        messages(&peer.submits()),
        1,
        "SMS messages, whatever their parts"
    );
    let all = t.app.store.alerts().await.expect("alerts");
    let dead = all.iter().find(|a| a.state == "dead").expect("dead");
    assert_eq!(t.app.store.attempts_of(&dead.id).await.expect("a").len(), 1);
}

#[tokio::test]
async fn undeliverable_receipts_fail_and_throttling_is_retried() {
    let (mut t, peer) = smpp_app(
        &["--undeliverable", "420601", "--temporary", "420602"],
        morning("2026-05-01"),
    )
    .await;
    let jana = with_phone(&t, JANA, JANA_MAIL, "+420601000001").await;
    let petr = with_phone(&t, PETR, PETR_MAIL, "+420602000002").await;
    t.cycle().await;
    wait_for_state(&t, "failed", 1).await;
    let alerts = sms_alerts(&t).await;
    let of = |c: &str| alerts.iter().find(|a| a.0 == c).expect("alert").clone();
    assert!(of(&jana).3.as_deref().unwrap_or("").contains("UNDELIV"));
    assert_eq!(of(&petr).1, "queued", "throttled: tried again later");
    assert!(of(&petr)
        .3
        .as_deref()
        .unwrap_or("")
        .contains("ESME_RTHROTTLED"));
    assert_eq!(
        messages(&peer.submits()),
        2,
        "SMS messages, whatever their parts"
    );
}

#[tokio::test]
async fn the_link_is_bound_again_after_the_smsc_drops_it() {
    let (mut t, peer) = smpp_app(&["--close-after", "1"], morning("2026-05-01")).await;
    with_phone(&t, JANA, JANA_MAIL, "+420601000001").await;
    with_phone(&t, PETR, PETR_MAIL, "+420602000002").await;
    t.cycle().await;
    // One was accepted before the drop; the other may have been caught by it and waits.
    for _ in 0..5 {
        if sms_alerts(&t).await.iter().all(|a| a.1 == "delivered") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(1500)).await;
        t.clock.advance(chrono::Duration::minutes(10));
        t.cycle().await;
    }
    wait_for_state(&t, "delivered", 2).await;
    assert!(peer.binds() >= 2, "bound again: {:?}", peer.records());
}

#[tokio::test]
async fn an_sms_due_at_23_goes_out_at_8_while_email_goes_at_once() {
    // 23:00 in Prague (UTC+2 in May).
    let late = date("2026-05-01")
        .and_hms_opt(21, 0, 0)
        .expect("time")
        .and_utc();
    let (mut t, peer) = smpp_app(&[], late).await;
    let jana = with_phone(&t, JANA, JANA_MAIL, "+420601234567").await;
    assert_eq!(t.cycle().await.len(), 2, "e-mail at any hour");
    assert_eq!(sms_alerts(&t).await[0].1, "queued");
    // 07:59: still quiet.
    t.clock.advance(chrono::Duration::minutes(8 * 60 + 59));
    t.app.dispatch_pending().await.expect("dispatch");
    assert!(peer.submits().is_empty());
    // 08:00: it goes.
    t.clock.advance(chrono::Duration::minutes(1));
    let r = t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(r.sent, 1, "{r:?}");
    assert_eq!(
        messages(&peer.submits()),
        1,
        "SMS messages, whatever their parts"
    );
    // Waiting was not an attempt.
    let all = t.app.store.alerts().await.expect("alerts");
    let sms = all
        .iter()
        .find(|a| a.kind == "receivable.new" && a.citizen_id == jana && a.attempts == 1);
    assert!(sms.is_some(), "{all:?}");
}

#[tokio::test]
async fn a_citizens_own_quiet_hours_replace_the_municipalitys() {
    let (mut t, peer) = smpp_app(&[], morning("2026-05-01")).await;
    let jana = with_phone(&t, JANA, JANA_MAIL, "+420601234567").await;
    // Jana sleeps until 09:30; it is 08:00.
    t.app
        .set_preferences(&jana, Some("22:00-09:30"), None)
        .await
        .expect("prefs");
    t.cycle().await;
    assert!(peer.submits().is_empty());
    t.clock.advance(chrono::Duration::minutes(90));
    t.app.dispatch_pending().await.expect("dispatch");
    assert_eq!(
        messages(&peer.submits()),
        1,
        "SMS messages, whatever their parts"
    );
    assert!(t
        .app
        .set_preferences(&jana, Some("25:00-07:00"), None)
        .await
        .is_err());
}

#[tokio::test]
async fn the_http_gateway_sorts_answers_into_sent_retry_and_dead() {
    use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
    use std::sync::{Arc, Mutex};
    type Seen = Arc<Mutex<Vec<(String, serde_json::Value)>>>;
    let seen: Seen = Arc::default();
    let app = Router::new()
        .route(
            "/sms",
            post(
                |State(seen): State<Seen>,
                 headers: axum::http::HeaderMap,
                 Json(body): Json<serde_json::Value>| async move {
                    let auth = headers
                        .get("authorization")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("")
                        .to_string();
                    seen.lock().expect("lock").push((auth, body.clone()));
                    match body["to"].as_str().unwrap_or("") {
                        to if to.starts_with("+420601") => {
                            (StatusCode::OK, Json(serde_json::json!({"id": "gw-1"})))
                        }
                        to if to.starts_with("+420602") => {
                            (StatusCode::SERVICE_UNAVAILABLE, Json(serde_json::json!({})))
                        }
                        _ => (StatusCode::BAD_REQUEST, Json(serde_json::json!({}))),
                    }
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });

    let dir = tempfile::tempdir().expect("tempdir");
    let token = dir.path().join("gw.token");
    std::fs::write(&token, "gw-secret\n").expect("token");
    let extra = format!(
        r#"
[sms]
sender = "LHOTA"
[sms.http]
url = "http://{addr}/sms"
token_file = "{}"
headers = {{ Authorization = "Bearer {{{{ token }}}}" }}
body = '{{"to": {{{{ to|tojson }}}}, "text": {{{{ text|tojson }}}}, "from": {{{{ sender|tojson }}}}, "ref": {{{{ id|tojson }}}}}}'
message_id_pointer = "/id"
"#,
        token.display()
    );
    let mut scenario = one_fee();
    scenario
        .receivables
        .push(fee("R-3", EVA, "Poplatek za odpady", 90000, "2026-05-31"));
    let mut t = TestApp::on_sqlite_with(scenario, morning("2026-05-01"), move |c| c + &extra).await;
    let jana = with_phone(&t, JANA, JANA_MAIL, "+420601000001").await;
    let petr = with_phone(&t, PETR, PETR_MAIL, "+420602000002").await;
    let eva = with_phone(&t, EVA, "eva@lhota.example", "+420699000003").await;
    t.cycle().await;
    let alerts = sms_alerts(&t).await;
    let of = |c: &str| alerts.iter().find(|a| a.0 == c).expect("alert").clone();
    assert_eq!(of(&jana).1, "sent");
    assert_eq!(of(&petr).1, "queued", "503 is tried again");
    {
        let seen = seen.lock().expect("lock");
        assert_eq!(seen.len(), 3);
        assert!(seen.iter().all(|(auth, _)| auth == "Bearer gw-secret"));
        let (_, body) = seen
            .iter()
            .find(|(_, b)| b["to"] == "+420601000001")
            .expect("jana's");
        assert_eq!(body["from"], "LHOTA");
        assert!(body["text"]
            .as_str()
            .unwrap_or("")
            .contains("Poplatek za odpady"));
    }
    use sqlx::Row;
    let refs: Vec<String> = sqlx::query("SELECT ref FROM provider_refs WHERE provider = 'http'")
        .fetch_all(t.app.store.pool())
        .await
        .expect("refs")
        .iter()
        .map(|r| r.try_get("ref").expect("ref"))
        .collect();
    assert_eq!(refs, vec!["gw-1".to_string()]);
    // A number the gateway refuses for good: dead after one attempt.
    assert_eq!(of(&eva).1, "dead");
    assert!(of(&eva).3.as_deref().unwrap_or("").contains("HTTP 400"));
}

#[tokio::test]
async fn a_daily_digest_gathers_a_citizens_alerts_into_one_message() {
    let mut t = TestApp::on_sqlite(one_fee(), morning("2026-05-01")).await;
    let jana = citizen_id(&t, JANA, JANA_MAIL).await;
    t.app
        .set_preferences(&jana, None, Some("daily"))
        .await
        .expect("prefs");
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 1, "Petr at once, Jana waits");
    assert!(mails[0].to.contains(PETR_MAIL));
    // Another alert for Jana later that day joins the same digest.
    t.sim.apply(hlidac_sim::Change::PutReceivable {
        record: fee("R-3", JANA, "Poplatek ze psů", 60000, "2026-06-30"),
    });
    t.clock.advance(chrono::Duration::hours(6));
    assert!(t.cycle().await.is_empty());
    // 07:00 in Prague the next morning: one e-mail with both.
    t.clock.set(
        date("2026-05-02")
            .and_hms_opt(5, 0, 0)
            .expect("time")
            .and_utc(),
    );
    let mails = t.cycle().await;
    assert_eq!(mails.len(), 1, "{mails:?}");
    let digest = &mails[0];
    assert!(digest.to.contains(JANA_MAIL));
    assert!(digest.subject.contains("(2)"), "{}", digest.subject);
    assert!(
        digest.body.contains("Poplatek za odpady"),
        "{}",
        digest.body
    );
    assert!(digest.body.contains("Poplatek ze psů"), "{}", digest.body);
    // Every member ends sent, each in exactly one digest.
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT state, digest_id FROM outbox WHERE citizen_id = $1 AND kind <> 'digest'",
    )
    .bind(&jana)
    .fetch_all(t.app.store.pool())
    .await
    .expect("rows");
    assert_eq!(rows.len(), 2);
    for r in &rows {
        assert_eq!(r.try_get::<String, _>("state").expect("state"), "sent");
        assert!(r
            .try_get::<Option<String>, _>("digest_id")
            .expect("d")
            .is_some());
    }
    assert!(t.cycle().await.is_empty(), "nothing twice");
}

#[tokio::test]
async fn gathering_digests_twice_at_once_puts_each_alert_in_one_digest() {
    for engine in [Engine::Sqlite, Engine::Postgres] {
        let Some(mut t) = TestApp::spawn(engine, one_fee(), morning("2026-05-01")).await else {
            continue;
        };
        let jana = citizen_id(&t, JANA, JANA_MAIL).await;
        t.app
            .set_preferences(&jana, None, Some("daily"))
            .await
            .expect("prefs");
        t.cycle().await;
        let at = t.app.clock.now_ms() + 2 * 86_400_000;
        let (a, b) = tokio::join!(
            t.app.store.gather_digests(at),
            t.app.store.gather_digests(at)
        );
        assert_eq!(a.expect("a") + b.expect("b"), 1, "{engine:?}");
        use sqlx::Row;
        let digests: i64 = sqlx::query(
            "SELECT COUNT(DISTINCT digest_id) AS n FROM outbox WHERE citizen_id = $1 AND digest_id IS NOT NULL",
        )
        .bind(&jana)
        .fetch_one(t.app.store.pool())
        .await
        .expect("n")
        .try_get("n")
        .expect("n");
        assert_eq!(digests, 1);
    }
}
