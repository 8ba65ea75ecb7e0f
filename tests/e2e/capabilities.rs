//! Protocol 1.1: the server's capabilities are read when the daemon starts (and at every
//! reload) and honoured while it runs: its `max_page`, and no change feed or ETag that it
//! does not announce; a kind the source is configured for but the server does not
//! announce, or another protocol, fails the poll with a clear error.

use crate::helpers::*;

#[tokio::test]
async fn what_the_server_announces_is_honoured() {
    let mut t = TestApp::on_sqlite_with(crate::timeline::scenario(), morning("2026-05-01"), |c| {
        format!("{c}changes = true\n")
    })
    .await;
    // One person a call, no change feed, no ETags: unlike the config and the default.
    t.sim
        .announce(serde_json::json!({"changes": false, "etag": false, "max_page": 1}));
    let m = t.cycle().await;
    assert_eq!(m.len(), 2, "the same two mails as always");
    assert_eq!(t.sim.calls("capabilities"), 1);
    assert_eq!(t.sim.calls("receivables"), 2, "Jana and Petr, one a call");
    assert_eq!(
        t.sim.calls("changes"),
        0,
        "no change feed it does not serve"
    );
    assert!(t.cycle().await.is_empty());
    assert_eq!(t.sim.calls("capabilities"), 1, "read once per start");
    assert_eq!(
        t.sim.calls("receivables"),
        4,
        "the lists again, not the feed"
    );
    assert_eq!(
        t.sim.calls("not_modified"),
        0,
        "no If-None-Match it did not offer"
    );

    // After a restart (as after a reload) they are read again: now the feed is served.
    t.sim
        .announce(serde_json::json!({"changes": true, "etag": true}));
    t.restart().await;
    assert!(t.cycle().await.is_empty());
    assert_eq!(t.sim.calls("capabilities"), 2);
    t.sim.step(); // a new fee for Jana
    expect_mails(&t.cycle().await, &[(JANA_MAIL, "Poplatek za odpady")]);
    assert!(t.sim.calls("changes") > 0, "the announced feed is read");
}

#[tokio::test]
async fn a_kind_the_server_does_not_announce_fails_the_poll() {
    let t = TestApp::on_sqlite(crate::timeline::scenario(), morning("2026-05-01")).await;
    t.sim
        .announce(serde_json::json!({"kinds": ["receivables"]}));
    let e = t
        .app
        .poll_source("lhota", "agenda")
        .await
        .expect_err("submissions are not announced");
    assert!(
        e.to_string()
            .contains("the source does not announce [\"submissions\"]"),
        "{e}"
    );
    assert_eq!(t.sim.calls("submissions"), 0, "nothing read");
    assert!(t.smtp.mails().is_empty());
}
