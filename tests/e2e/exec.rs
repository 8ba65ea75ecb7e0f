//! The exec adapter runs the example programs against real data (a CSV export, a
//! PostgreSQL table) through the whole daemon, and a misbehaving program fails the poll.

use crate::helpers::*;
use hlidac_adapters::exec::ExecAdapter;
use hlidac_adapters::{AdapterError, Listed, Receivable, ReceivablesSource};
use std::time::Duration;

fn exec_source(config: String, command: &[String]) -> String {
    let argv: Vec<String> = command.iter().map(|a| format!("{a:?}")).collect();
    format!(
        "{config}\n[[tenant.source]]\nid = \"export\"\nkinds = [\"receivables\"]\nschedule = \"0 0 * * * *\"\n[tenant.source.adapter]\ntype = \"exec\"\ncommand = [{}]\ntimeout_secs = 20\n",
        argv.join(", ")
    )
}

/// A municipality whose receivables come from `command`, after its first cycle, and the
/// e-mails that cycle sent.
async fn run_example(command: &[String]) -> (TestApp, Vec<Mail>) {
    let mut t = TestApp::on_sqlite_with(
        hlidac_sim::Scenario::default(),
        morning("2026-05-01"),
        |c| exec_source(c, command),
    )
    .await;
    let mails = t.cycle().await;
    (t, mails)
}

fn example(name: &str) -> String {
    repo_root()
        .join("adapters/examples")
        .join(name)
        .display()
        .to_string()
}

const CSV_HEADER: &str = "key,person_ref,kind,title,period,currency,amount_due,amount_outstanding,due_date,variable_symbol,account,status\n";

#[tokio::test]
async fn the_csv_example_feeds_alerts_and_a_broken_export_changes_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let csv = dir.path().join("export.csv");
    let rows = format!(
        "{CSV_HEADER}P-1,{JANA},dog_fee,Poplatek ze psů,2026,CZK,\"1200,00\",\"1200,00\",30.6.2026,7001,19-1234567/0100,open\n\
         P-2,{PETR},waste_fee,Waste fee,2026,CZK,900.00,900.00,2026-06-30,7002,19-1234567/0100,open\n\
         P-3,CZ-SOMEONE-ELSE,waste_fee,Not enrolled,2026,CZK,900.00,900.00,2026-06-30,7003,,open\n"
    );
    std::fs::write(&csv, &rows).expect("csv");
    let command = vec![example("csv-receivables.py"), csv.display().to_string()];
    let (mut t, mails) = run_example(&command).await;
    let m = expect_mails(
        &mails,
        &[
            (
                JANA_MAIL,
                "nový poplatek k úhradě – Poplatek ze psů, … do 30. 6. 2026",
            ),
            (PETR_MAIL, "new bill – Waste fee"),
        ],
    );
    assert!(
        m[0].body.contains("1\u{a0}200,00\u{a0}Kč") && m[0].body.contains("7001"),
        "{}",
        m[0].body
    );

    // A broken row: the program exits non-zero, the poll fails, nothing changes.
    std::fs::write(
        &csv,
        rows.replace("1200,00\",\"1200,00", "1200,00\",\"lots"),
    )
    .expect("csv");
    assert!(t.app.poll_source("lhota", "export").await.is_err());
    let health = health_of(&t.app.store, "lhota", "export").await;
    assert_eq!(
        (health.state.as_str(), health.consecutive_failures),
        ("failing", 1)
    );
    assert!(health
        .last_error
        .unwrap_or_default()
        .contains("exited with status 1"));

    // Paid in the next export: the confirmation, once.
    std::fs::write(
        &csv,
        rows.replace(
            "\"1200,00\",\"1200,00\",30.6.2026,7001,19-1234567/0100,open",
            "\"1200,00\",\"0,00\",30.6.2026,7001,19-1234567/0100,paid",
        ),
    )
    .expect("csv");
    t.cycle_expecting(&[(JANA_MAIL, "poplatek Poplatek ze psů je zaplacen")])
        .await;
}

#[tokio::test]
async fn the_sql_example_reads_a_postgresql_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    let Some(url) = fresh_database(Engine::Postgres, dir.path()).await else {
        return;
    };
    sqlx::any::install_default_drivers();
    let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&url)
        .await
        .expect("connect");
    for sql in [
        "CREATE TABLE poplatky (cislo text PRIMARY KEY, osoba text, druh text, nazev text, obdobi text,
            predpis numeric(12,2), zbyva numeric(12,2), splatnost date, vs text, zaplaceno boolean)".to_string(),
        format!("INSERT INTO poplatky VALUES ('Q-1', '{JANA}', 'waste_fee', 'Poplatek za odpady', '2026', 900, 900, '2026-06-15', '8001', false)"),
        format!("INSERT INTO poplatky VALUES ('Q-2', '{JANA}', 'dog_fee', 'Poplatek ze psů', '2026', 300, 0, '2026-03-31', '8002', true)"),
        "INSERT INTO poplatky VALUES ('Q-3', 'CZ-SOMEONE-ELSE', 'dog_fee', 'x', '2026', 1, 1, '2026-06-15', '8003', false)".to_string(),
    ] {
        sqlx::query(&sql).execute(&mut conn).await.expect("sql");
    }
    let command = vec![example("sql-receivables.sh"), url.clone()];
    let (mut t, mails) = run_example(&command).await;
    let m = expect_mails(
        &mails,
        &[(
            JANA_MAIL,
            "nový poplatek k úhradě – Poplatek za odpady, … do 15. 6. 2026",
        )],
    );
    assert!(
        m[0].body.contains("900,00\u{a0}Kč") && m[0].body.contains("8001"),
        "{}",
        m[0].body
    );
    let observed = t
        .app
        .store
        .observations("lhota", "export", "receivable")
        .await
        .expect("observations");
    assert_eq!(
        observed.len(),
        2,
        "Jana's two fees, the paid one without an alert"
    );

    sqlx::query("UPDATE poplatky SET zaplaceno = true, zbyva = 0 WHERE cislo = 'Q-1'")
        .execute(&mut conn)
        .await
        .expect("pay");
    t.cycle_expecting(&[(JANA_MAIL, "poplatek Poplatek za odpady je zaplacen")])
        .await;
}

fn script(dir: &std::path::Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("script");
    std::process::Command::new("chmod")
        .arg("+x")
        .arg(&path)
        .status()
        .expect("chmod");
    path.display().to_string()
}

/// The receivables of the person "P" as `program` lists them, run under `timeout` and a
/// memory limit of `memory_mb`.
async fn receivables_from(
    program: String,
    timeout: Duration,
    memory_mb: u64,
) -> Result<Listed<Receivable>, AdapterError> {
    let adapter = ExecAdapter {
        argv: vec![program],
        timeout,
        memory_limit: memory_mb * 1024 * 1024,
        max_page: 100,
    };
    adapter.receivables(&["P".to_string()]).await
}

#[tokio::test]
async fn a_slow_greedy_or_sloppy_program_fails_the_poll() {
    let dir = tempfile::tempdir().expect("tempdir");
    let slow = script(dir.path(), "slow.sh", "#!/bin/sh\nsleep 30\n");
    let r = receivables_from(slow, Duration::from_millis(500), 512).await;
    assert!(matches!(r, Err(AdapterError::Timeout(_))), "{r:?}");

    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let greedy = script(
        dir.path(),
        "greedy.sh",
        &format!("#!/bin/sh\nexec {python} -c 'x = bytearray(400 * 1024 * 1024); print(len(x))'\n"),
    );
    let r = receivables_from(greedy, Duration::from_secs(20), 128).await;
    assert!(
        matches!(r, Err(AdapterError::Transport(_))),
        "over its memory limit: {r:?}"
    );

    let sloppy = script(
        dir.path(),
        "sloppy.sh",
        "#!/bin/sh\necho '{\"protocol\": \"hlidac-adapter/1\"}'\necho 'oops' >&2\n",
    );
    let r = receivables_from(sloppy, Duration::from_secs(20), 512).await;
    assert!(
        matches!(r, Err(AdapterError::Malformed(_))),
        "no end line: {r:?}"
    );
}

/// A program that writes its request on stderr: the log shows the line, but not the
/// people's references in it.
#[tokio::test]
async fn a_program_s_stderr_is_logged_without_the_people_s_references() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chatty = script(
        dir.path(),
        "chatty.sh",
        "#!/bin/sh\nread request\necho \"asked: $request\" >&2\n\
         echo '{\"protocol\": \"hlidac-adapter/1\"}'\necho '{\"end\": true, \"complete\": true}'\n",
    );
    let logs = capture_logs();
    let adapter = ExecAdapter {
        argv: vec![chatty],
        timeout: Duration::from_secs(20),
        memory_limit: 512 * 1024 * 1024,
        max_page: 100,
    };
    let listed = adapter
        .receivables(&[JANA.to_string(), PETR.to_string()])
        .await
        .expect("an empty listing");
    assert!(listed.records.is_empty());
    let line = logs.line_with("adapter stderr");
    assert!(
        line.contains("asked:") && line.contains("receivables"),
        "{line}"
    );
    for person in [JANA, PETR] {
        assert!(!logs.text().contains(person), "{person} logged: {line}");
    }
}
