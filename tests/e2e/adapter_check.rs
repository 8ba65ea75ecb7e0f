//! `hlidac adapter check`: the conformance kit passes against the simulator and names the
//! failed check for each fault the simulator can inject.

use crate::helpers::*;
use hlidac_sim::FaultKind;

fn run_check(config: &std::path::Path) -> (i32, String) {
    let out = adapter_check(config, &[JANA, PETR]);
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_kit_passes_a_good_endpoint_and_names_each_fault() {
    let (sim, url) = start_sim(crate::timeline::scenario()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(Engine::Sqlite, dir.path())
        .await
        .expect("sqlite");
    let config = dir.path().join("hlidac.toml");
    // A 3 s time-out, so that the slow fault (2 s) is over half of it.
    let text = config_text(&dir.path().join("state"), &db, &url, 9)
        .replace("timeout_secs = 1\n", "timeout_secs = 3\n");
    std::fs::write(&config, text).expect("config");

    let (code, out) = tokio::task::spawn_blocking({
        let c = config.clone();
        move || run_check(&c)
    })
    .await
    .expect("join");
    assert_eq!(code, 0, "{out}");
    assert_contains_all(
        &out,
        &[
            "PASS protocol version: hlidac-adapter/1",
            "PASS authentication",
            "PASS receivables list: 1 record(s)",
            "PASS submissions list: 1 record(s)",
            "PASS receivables etag: answers 304",
            "PASS change feed head",
            "PASS change feed page",
            "PASS bad cursor: an unknown cursor gets 410 Gone",
        ],
    );

    let cases = [
        (
            FaultKind::WrongVersion,
            "FAIL protocol version: announces \"hlidac-adapter/2\"",
        ),
        (FaultKind::Http500, "FAIL receivables list: HTTP 500"),
        (
            FaultKind::MissingField,
            "FAIL receivables list: record 0 (R-2026-002): missing field `currency`",
        ),
        (
            FaultKind::WrongType,
            "FAIL receivables list: record 0 (R-2026-002): invalid type: floating point `900.0`",
        ),
        (FaultKind::Slow, "FAIL receivables speed: answered in 2."),
        (
            FaultKind::Incomplete,
            "FAIL receivables list: the list is not marked \"complete\": true",
        ),
        (
            FaultKind::Malformed,
            "FAIL receivables list: the body is not JSON",
        ),
        (
            FaultKind::BadCursor,
            "FAIL bad cursor: an unknown cursor gets HTTP 200, not 410 Gone",
        ),
    ];
    for (fault, expected) in cases {
        sim.inject(fault, 1);
        let c = config.clone();
        let (code, out) = tokio::task::spawn_blocking(move || run_check(&c))
            .await
            .expect("join");
        assert_eq!(code, 1, "{fault:?}:\n{out}");
        assert!(
            out.contains(expected),
            "{fault:?}: {expected:?} missing:\n{out}"
        );
        assert_eq!(
            out.matches("FAIL").count(),
            1,
            "{fault:?}: exactly one check fails:\n{out}"
        );
    }
}
