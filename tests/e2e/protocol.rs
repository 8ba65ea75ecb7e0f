//! The rest of the pull protocol end to end: the change feed (cursor kept, overlap
//! harmless, 410 Gone → a full read), ETag/304 (an unchanged page is not read again, and
//! only a committed page's ETag is kept), mutual TLS, and document tracking by
//! registration index and access code.

use crate::helpers::*;
use hlidac_adapters::SubmissionStatus;
use hlidac_sim::{tls_config, Change, FaultKind, Scenario, Sim};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;

/// Adds keys to the config's http adapter (the last table of the test config).
fn with_adapter_keys(config: String, keys: &str) -> String {
    format!("{config}{keys}\n")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_change_feed_is_followed_and_a_forgotten_cursor_means_a_full_read() {
    let mut t = TestApp::on_sqlite_with(crate::timeline::scenario(), morning("2026-05-01"), |c| {
        with_adapter_keys(c, "changes = true")
    })
    .await;
    // The first poll reads everything and keeps the head taken before it.
    let m = t.cycle().await;
    assert_eq!(m.len(), 2, "the same two mails as a plain poll");
    let cursor = t
        .app
        .store
        .change_cursor("lhota", "agenda")
        .await
        .expect("db");
    assert_eq!(cursor.as_deref(), Some("c0"));
    let lists = t.sim.calls("receivables") + t.sim.calls("submissions");
    assert_eq!(lists, 2);

    // From now on only the feed is read.
    t.sim.step(); // a new fee for Jana
    t.cycle_expecting(&[(JANA_MAIL, "nový poplatek k úhradě – Poplatek za odpady")])
        .await;
    assert_eq!(
        t.sim.calls("receivables") + t.sim.calls("submissions"),
        lists
    );
    assert_eq!(
        t.app
            .store
            .change_cursor("lhota", "agenda")
            .await
            .expect("db")
            .as_deref(),
        Some("c1")
    );

    // The feed repeats the last changes before the cursor: nothing is sent twice.
    t.cycle_expecting(&[]).await;

    // A change for someone hlidac does not watch is passed over; the source stays ok.
    t.sim.apply(Change::PutReceivable {
        record: fee(
            "R-2026-900",
            "CZ-0000-NOBODY",
            "Poplatek",
            1000,
            "2026-06-30",
        ),
    });
    t.cycle_expecting(&[]).await;
    let health = health_of(&t.app.store, "lhota", "agenda").await;
    assert_eq!(health.state, "ok");

    // The source forgets every cursor: the next poll reads everything again, and what
    // changed meanwhile is told once.
    t.sim.expire_cursors();
    t.sim.step(); // Jana's request assigned
    t.cycle_expecting(&[(JANA_MAIL, "přiděleno zpracovateli")])
        .await;
    assert_eq!(
        t.sim.calls("receivables") + t.sim.calls("submissions"),
        lists + 2,
        "one full read"
    );
    let fresh = t
        .app
        .store
        .change_cursor("lhota", "agenda")
        .await
        .expect("db");
    assert!(
        fresh.as_deref().is_some_and(|c| c != "c1"),
        "a new head: {fresh:?}"
    );
    t.cycle_expecting(&[]).await;
    t.sim.step(); // Jana pays
    t.cycle_expecting(&[(JANA_MAIL, "je zaplacen")]).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unchanged_pages_are_not_read_again_and_only_committed_etags_are_kept() {
    let mut t = TestApp::on_sqlite(crate::timeline::scenario(), morning("2026-05-01")).await;
    let m = t.cycle().await;
    assert_eq!(m.len(), 2);
    assert_eq!(t.sim.calls("not_modified"), 0);
    t.cycle_expecting(&[]).await;
    assert_eq!(t.sim.calls("not_modified"), 2, "both pages answered 304");

    t.sim.step(); // a new fee for Jana: the receivables page changes
    t.cycle_expecting(&[(JANA_MAIL, "nový poplatek k úhradě –")])
        .await;
    assert_eq!(
        t.sim.calls("not_modified"),
        3,
        "only the submissions page was 304"
    );

    // Jana's request is assigned and she pays; the poll reads the new receivables page,
    // then the submissions call fails. Nothing is committed, so that page's new ETag must
    // not be kept either: otherwise the next poll would get 304 for it and the payment
    // would never be told.
    t.sim.step();
    t.sim.step();
    t.sim.inject(FaultKind::Pass, 1);
    t.sim.inject(FaultKind::Http500, 1);
    t.cycle_expecting(&[]).await;
    t.cycle_expecting(&[
        (JANA_MAIL, "je zaplacen"),
        (JANA_MAIL, "přiděleno zpracovateli"),
    ])
    .await;
}

/// A CA, a server certificate for localhost and a client certificate, by openssl.
fn make_certs(dir: &Path) {
    let run = |args: &[&str]| {
        run_ok(
            Command::new("openssl").args(args).current_dir(dir),
            &format!("openssl {args:?}"),
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=hlidac test CA",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    for (name, cn, ext) in [
        (
            "server",
            "localhost",
            "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n",
        ),
        ("client", "hlidac lhota", "extendedKeyUsage=clientAuth\n"),
    ] {
        std::fs::write(dir.join(format!("{name}.ext")), ext).expect("ext");
        run(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.csr"),
            "-subj",
            &format!("/CN={cn}"),
        ]);
        run(&[
            "x509",
            "-req",
            "-in",
            &format!("{name}.csr"),
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            &format!("{name}.pem"),
            "-days",
            "2",
            "-extfile",
            &format!("{name}.ext"),
        ]);
    }
}

fn replace_base_url(config: &str, url: &str) -> String {
    let start = config.find("base_url = \"").expect("base_url") + "base_url = \"".len();
    let end = start + config[start..].find('"').expect("end quote");
    format!("{}{url}{}", &config[..start], &config[end..])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_source_behind_mutual_tls_is_read_with_the_client_certificate_only() {
    let certs = tempfile::tempdir().expect("tempdir");
    make_certs(certs.path());
    let c = |name: &str| certs.path().join(name);
    let server = tls_config(&c("server.pem"), &c("server.key"), Some(&c("ca.pem"))).expect("tls");
    let sim = Sim::new(crate::timeline::scenario(), Some("sim-token".into()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!(
        "https://localhost:{}",
        listener.local_addr().expect("addr").port()
    );
    tokio::spawn(sim.clone().serve_tls(listener, Arc::new(server)));

    let tls_keys = format!(
        "ca_file = \"{}\"\nclient_cert_file = \"{}\"\nclient_key_file = \"{}\"",
        c("ca.pem").display(),
        c("client.pem").display(),
        c("client.key").display()
    );
    let mut t = TestApp::on_sqlite_with(Scenario::default(), morning("2026-05-01"), |config| {
        with_adapter_keys(replace_base_url(&config, &url), &tls_keys)
    })
    .await;
    let m = t.cycle().await;
    assert_eq!(m.len(), 2, "both alerts came over mutual TLS");
    assert!(sim.calls("receivables") >= 1);

    // The conformance kit uses the same certificate.
    let out = adapter_check(&t.write_config("tls.toml"), &[JANA]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");

    // Without the client certificate the server ends the handshake: the poll fails and
    // says why; nothing is changed.
    let without = t
        .config
        .lines()
        .filter(|l| !l.starts_with("client_"))
        .collect::<Vec<_>>()
        .join("\n");
    let other = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(Engine::Sqlite, other.path())
        .await
        .expect("sqlite");
    let without = without.replace(
        &format!("sqlite://{}", t.dir.path().display()),
        &db.replace("/hlidac.db?mode=rwc", ""),
    );
    let app = build(&without, t.clock.clone()).await;
    app.enrol("lhota", JANA, JANA_MAIL, Some("cs"))
        .await
        .expect("enrol");
    let err = app
        .poll_source("lhota", "agenda")
        .await
        .expect_err("refused");
    let message = err.to_string();
    assert!(
        message.contains("could not reach the source")
            && message.to_lowercase().contains("certificate"),
        "{message}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_document_followed_by_registration_index_and_access_code_is_told_to_its_follower() {
    const INDEX: &str = "94-00-123/12.03.2026";
    const CODE: &str = "K7Q2-9XLM";
    let mut tracked = submission(
        "BG-DOC-123",
        "BG-FILER-1",
        "Заявление за издаване на удостоверение",
        "x",
    );
    tracked.reference.filing_number = None;
    tracked.reference.registration_index = Some(INDEX.into());
    let mut scenario = Scenario::default();
    scenario.submissions.push(tracked);
    scenario
        .access_codes
        .insert("BG-DOC-123".into(), CODE.into());
    let mut t = TestApp::on_sqlite(scenario, morning("2026-05-01")).await;
    let citizens = t.app.store.list_citizens(Some("lhota")).await.expect("db");
    let id_of = |hash_of: &str| {
        let h = t.app.person_hash(hash_of);
        citizens
            .iter()
            .find(|c| {
                t.app
                    .crypto
                    .open(&c.person_ref_enc)
                    .ok()
                    .map(|r| t.app.person_hash(&r))
                    == Some(h.clone())
            })
            .map(|c| c.id.clone())
            .expect("citizen")
    };
    let jana = id_of(JANA);
    let petr = id_of(PETR);

    // Jana follows it with the right code, through the real binary; Petr with a wrong one.
    run_ok(
        hlidac_with_config(&t.write_config("hlidac.toml"))
            .args(["citizen", "track", "--citizen", &jana])
            .args(["--source", "agenda", "--index", INDEX])
            .env("HLIDAC_ACCESS_CODE", CODE),
        "hlidac citizen track",
    );
    t.app
        .track(&petr, "agenda", INDEX, "WRONG-CODE")
        .await
        .expect("track");
    assert!(
        t.app.track(&petr, "agenda", "", "x").await.is_err(),
        "an empty index is refused"
    );

    let m = t.cycle_expecting(&[(JANA_MAIL, INDEX)]).await;
    assert!(
        m[0].body.contains("Заявление за издаване на удостоверение"),
        "{}",
        m[0].body
    );
    assert_eq!(t.sim.calls("track"), 2);

    t.sim.apply(Change::SetSubmissionStatus {
        key: "BG-DOC-123".into(),
        status: SubmissionStatus::Resolved,
        status_native: Some("Приключен".into()),
        assigned_to: None,
    });
    t.cycle_expecting(&[(JANA_MAIL, "vyřízeno")]).await;
    t.cycle_expecting(&[]).await;

    // Neither the index nor the code is stored in clear.
    let db = std::fs::read(t.dir.path().join("hlidac.db")).expect("db file");
    let text = String::from_utf8_lossy(&db);
    assert!(!text.contains(CODE) && !text.contains(INDEX.split('/').next().unwrap_or(INDEX)));

    // Her export names the document she follows, opened; not the access code.
    let info = t.app.store.citizen(&jana).await.expect("db").expect("Jana");
    let export = t.app.citizens.export(&info, "Jana").await.expect("export");
    let export = serde_json::to_value(export).expect("json");
    let followed = &export["municipalities"][0]["followed_documents"];
    assert_eq!(followed[0]["registration_index"], INDEX, "{export}");
    assert_eq!(followed[0]["source"], "agenda", "{export}");
    assert!(!export.to_string().contains(CODE), "{export}");
}
