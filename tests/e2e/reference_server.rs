//! The vendor's reference server (`adapters/examples/reference-server/`: Python and pg8000
//! over a municipality's PostgreSQL tables) against the real hlidac: `hlidac adapter check`
//! passes every check, and the daemon polling it e-mails the citizens their fees and
//! submission, then reads a payment, a cancelled fee and a deleted filing record from the
//! change feed the tables' triggers fill.

use crate::helpers::*;
use hlidac_adapters::{Receivable, Record, Submission};
use std::path::{Path, PathBuf};
use std::process::Command;

fn example(file: &str) -> PathBuf {
    repo_root()
        .join("adapters/examples/reference-server")
        .join(file)
}

/// Runs one of the example's SQL scripts as `psql -f` would: the simple query protocol,
/// many statements in one go.
async fn run_script(conn: &mut sqlx::PgConnection, file: &str) {
    let sql = std::fs::read_to_string(example(file)).expect("read the script");
    sqlx::raw_sql(&sql)
        .execute(&mut *conn)
        .await
        .unwrap_or_else(|e| panic!("{file}: {e}"));
}

/// `server.py` on a free loopback port over `db_url`, with the token of the test config
/// and the fees' statuses computed for the test clock's first day.
fn start_server(dir: &Path, db_url: &str) -> Peer {
    let token = dir.join("server.token");
    std::fs::write(&token, "sim-token\n").expect("token");
    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let mut cmd = Command::new(python);
    cmd.arg(example("server.py"))
        .args(["--listen", "127.0.0.1:0", "--dsn", db_url, "--token-file"])
        .arg(&token)
        .args(["--today", "2026-05-01"]);
    Peer::start(cmd, "the reference server (python3 with pg8000)")
}

/// The test config with its http source on the reference server: its URL, a time-out of
/// 10 s (the check wants each list within half of it), and the change feed.
fn point_at(config: String, url: &str) -> String {
    config
        .lines()
        .map(|line| match line {
            l if l.starts_with("base_url = ") => format!("base_url = \"{url}\""),
            "timeout_secs = 1" => "timeout_secs = 10\nmax_page = 500\nchanges = true".into(),
            l => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The kit's check for Jana and Petr: its exit code and all it printed.
fn check_both(config: &Path) -> (i32, String) {
    let out = adapter_check(config, &[JANA, PETR]);
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reference_server_passes_the_check_and_feeds_the_alerts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(db_url) = fresh_database(Engine::Postgres, dir.path()).await else {
        return;
    };
    let mut conn = <sqlx::PgConnection as sqlx::Connection>::connect(&db_url)
        .await
        .expect("connect to the town's database");
    run_script(&mut conn, "schema.sql").await;
    run_script(&mut conn, "seed.sql").await;
    let server = start_server(dir.path(), &db_url);
    let url = format!("http://127.0.0.1:{}", server.port);

    // The daemon's parts on SQLite, polling the reference server instead of the simulator.
    let mut t = TestApp::on_sqlite_with(
        hlidac_sim::Scenario::default(),
        morning("2026-05-01"),
        move |c| point_at(c, &url),
    )
    .await;

    // The conformance kit, as the vendor runs it: every check passes.
    let config = t.dir.path().join("hlidac.toml");
    std::fs::write(&config, &t.config).expect("write the config");
    let (code, out) = tokio::task::spawn_blocking(move || check_both(&config))
        .await
        .expect("join");
    assert_eq!(code, 0, "{out}");
    let checks: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("PASS ") || l.starts_with("FAIL "))
        .collect();
    assert!(
        checks.len() >= 12 && checks.iter().all(|l| l.starts_with("PASS ")),
        "{out}"
    );
    assert_contains_all(
        &out,
        &[
            "PASS protocol version: hlidac-adapter/1, version 1.1",
            "PASS kinds: serves registry, receivables, submissions",
            "PASS authentication",
            "PASS receivables list: 2 record(s), complete",
            "PASS receivables etag: answers 304",
            "PASS submissions list: 1 record(s), complete",
            "PASS submissions etag: answers 304",
            "PASS change feed head",
            "PASS change feed page",
            "PASS bad cursor: an unknown cursor gets 410 Gone",
        ],
    );
    assert!(
        out.contains(&format!("{} passed, 0 failed", checks.len())),
        "{out}"
    );

    // The first poll reads everyone's lists: Jana's waste fee in two instalments and her
    // submission, Petr's dog fee due on its own date.
    t.app
        .poll_source("lhota", "agenda")
        .await
        .expect("the reference server is read");
    let mails = t.cycle_without_poll().await;
    let m = expect_mails(
        &mails,
        &[
            (
                JANA_MAIL,
                "nový poplatek k úhradě – Poplatek za komunální odpad, … do 31. 5. 2026",
            ),
            (JANA_MAIL, "sledujeme vaše podání LHOTA 1234/2026"),
            (PETR_MAIL, "new bill – Poplatek ze psů"),
        ],
    );
    assert!(
        m[0].body.contains("900,00\u{a0}Kč") && m[0].body.contains("1337000123"),
        "the amount and the variable symbol: {}",
        m[0].body
    );

    // The town's books change: Jana pays both instalments, Petr's dog fee is cancelled by
    // a decision, and Jana's submission is deleted as entered in error. The triggers log
    // it all; the next poll reads the change feed.
    sqlx::raw_sql(
        "INSERT INTO payments (fee_key, instalment_no, amount)
             VALUES ('R-2026-000123', 1, 450.00), ('R-2026-000123', 2, 450.00);
         UPDATE fees SET cancelled = true WHERE key = 'R-2026-000124';
         DELETE FROM filing_records WHERE key = 'SPIS-2026-0042';",
    )
    .execute(&mut conn)
    .await
    .expect("the town's changes");
    t.app
        .poll_source("lhota", "agenda")
        .await
        .expect("the change feed is read");
    let mails = t.cycle_without_poll().await;
    // Paid is told; the cancellation is not (tell_cancelled is off), the deletion never.
    expect_mails(
        &mails,
        &[(
            JANA_MAIL,
            "poplatek Poplatek za komunální odpad je zaplacen",
        )],
    );
    assert_eq!(
        t.stored(Receivable::KIND, "R-2026-000123").await.status,
        "paid"
    );
    assert_eq!(
        t.stored(Receivable::KIND, "R-2026-000124").await.status,
        "cancelled"
    );
    assert_eq!(
        t.stored(Submission::KIND, "SPIS-2026-0042").await.status,
        "withdrawn"
    );
    assert!(
        t.cycle().await.is_empty(),
        "the same changes read again send nothing"
    );
    drop(server);
}
