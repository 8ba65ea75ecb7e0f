//! The harness: real peers started per test on free loopback ports, a fresh database per
//! test, and the daemon assembled with a manual clock so tests move time. Peer processes,
//! keys, the scripted browser and the eID login harness are in the files beside this.

mod browser;
mod certs;
mod chromium;
mod login;
mod logs;
mod peers;
mod postfix;
mod qr;

pub(crate) use browser::*;
// The browser's page, not the adapters' page of records.
pub(crate) use browser::Page;
pub(crate) use certs::*;
pub(crate) use chromium::*;
pub(crate) use login::*;
pub(crate) use logs::*;
pub(crate) use peers::*;
pub(crate) use postfix::*;
pub(crate) use qr::*;

use chrono::{DateTime, NaiveDate, Utc};
use hlidac::clock::ManualClock;
use hlidac::config::Overrides;
use hlidac::settings::load_str;
use hlidac::App;
use hlidac_adapters::*;
use hlidac_sim::{Scenario, Sim};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Runs a program the test relies on and returns its output; the test fails, naming
/// `what` and quoting the program's error output, when it cannot start or fails.
pub fn run_ok(cmd: &mut Command, what: &str) -> std::process::Output {
    let out = cmd.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// Like [`run_ok`], with `input` written to the program's standard input.
pub fn run_ok_with_input(cmd: &mut Command, input: &str, what: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}"));
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write the input");
    let out = child.wait_with_output().expect(what);
    assert!(
        out.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The real binary with `--config config`.
pub fn hlidac_with_config(config: &Path) -> Command {
    let mut cmd = hlidac_command();
    cmd.arg("--config").arg(config);
    cmd
}

/// `hlidac check-config` of `config`: its exit code and all it printed (standard output,
/// then standard error).
pub fn check_config_says(config: &Path) -> (Option<i32>, String) {
    let out = hlidac_with_config(config)
        .arg("check-config")
        .output()
        .expect("run hlidac check-config");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), said)
}

/// `hlidac adapter check` of the test source (`lhota/agenda`) for `people`.
pub fn adapter_check(config: &Path, people: &[&str]) -> std::process::Output {
    let mut cmd = hlidac_with_config(config);
    cmd.args([
        "adapter", "check", "--tenant", "lhota", "--source", "agenda",
    ]);
    for person in people {
        cmd.args(["--person-ref", person]);
    }
    cmd.output().expect("run hlidac adapter check")
}

/// The body of a GET of `url`, which must answer.
pub async fn get_text(url: &str) -> String {
    reqwest::get(url)
        .await
        .unwrap_or_else(|e| panic!("GET {url}: {e}"))
        .text()
        .await
        .expect("text")
}

/// The one number that `sql` (one row, one column) answers from `store`'s database.
pub async fn number_of(store: &hlidac::store::Store, sql: &str) -> i64 {
    use sqlx::Row;
    sqlx::query(sql)
        .fetch_one(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .try_get(0)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The string at `key` of a JSON object, or "" when there is none.
pub fn str_at(v: &serde_json::Value, key: &str) -> String {
    v[key].as_str().unwrap_or("").to_string()
}

/// Asserts that `text` contains each of `parts`, naming the one it lacks.
pub fn assert_contains_all(text: &str, parts: &[&str]) {
    for part in parts {
        assert!(text.contains(part), "{part:?} in\n{text}");
    }
}

/// Two `#[tokio::test]`s that run the async check `$check(engine)`: `$on_sqlite` on
/// SQLite and `$on_postgres` on PostgreSQL.
macro_rules! test_on_each_engine {
    ($check:ident: $on_sqlite:ident, $on_postgres:ident) => {
        #[tokio::test]
        async fn $on_sqlite() {
            $check($crate::helpers::Engine::Sqlite).await;
        }

        #[tokio::test]
        async fn $on_postgres() {
            $check($crate::helpers::Engine::Postgres).await;
        }
    };
}
pub(crate) use test_on_each_engine;

/// A free loopback port.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

pub(crate) fn require_peers() -> bool {
    std::env::var_os("HLIDAC_TEST_REQUIRE_PEERS").is_some()
}

// ----- SMTP ----------------------------------------------------------------------------

/// A received e-mail, decoded by the SMTP server.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct Mail {
    /// The envelope sender (MAIL FROM): the alert's VERP return path.
    #[serde(default)]
    pub mail_from: String,
    pub rcpt_tos: Vec<String>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub message_id: String,
    pub body: String,
    #[serde(default)]
    pub html: String,
    #[serde(default)]
    pub list_unsubscribe: String,
    #[serde(default)]
    pub list_unsubscribe_post: String,
    /// Inline images, such as the payment QR code.
    #[serde(default)]
    pub images: Vec<MailImage>,
}

/// An inline image of an e-mail: its Content-ID and its PNG, base64.
#[derive(Clone, Debug, serde::Deserialize)]
pub struct MailImage {
    pub cid: String,
    pub png: String,
}

/// The aiosmtpd server of `tests/peers/smtp_sink.py`.
pub struct SmtpSink {
    child: Child,
    pub port: u16,
    pub dir: tempfile::TempDir,
    lean: bool,
}

impl SmtpSink {
    pub fn start() -> SmtpSink {
        SmtpSink::start_as(false)
    }

    /// One that decodes only the headers (`Mail::body` and `html` stay empty), for the
    /// tests that count thousands of messages.
    pub fn start_lean() -> SmtpSink {
        SmtpSink::start_as(true)
    }

    fn start_as(lean: bool) -> SmtpSink {
        let dir = tempfile::tempdir().expect("tempdir");
        let (child, port) = SmtpSink::spawn(dir.path(), 0, lean);
        SmtpSink {
            child,
            port,
            dir,
            lean,
        }
    }

    /// Stops the server: connections to its port are refused until [`SmtpSink::resume`].
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts the server again on the same port, keeping what it received.
    pub fn resume(&mut self) {
        let (child, port) = SmtpSink::spawn(self.dir.path(), self.port, self.lean);
        assert_eq!(port, self.port);
        self.child = child;
    }

    fn spawn(dir: &Path, port: u16, lean: bool) -> (Child, u16) {
        let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(repo_root().join("tests/peers/smtp_sink.py"))
            .arg("--dir")
            .arg(dir)
            .arg("--port")
            .arg(port.to_string())
            .args(lean.then_some("--lean"))
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start the SMTP server with {python}: {e}; run scripts/install-deps test"));
        let port = announced_port(&mut child, "PORT ").unwrap_or_else(|line| panic!("SMTP server did not start (is aiosmtpd installed? scripts/install-deps test): {line:?}"));
        (child, port)
    }

    /// Steers the reply to DATA: "" accepts, "451" or "550" refuse, "close" drops.
    pub fn set_mode(&self, mode: &str) {
        std::fs::write(self.dir.path().join("mode"), mode).expect("write mode");
    }

    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .expect("read dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|p| serde_json::from_slice(&std::fs::read(p).expect("read")).expect("mail json"))
            .collect()
    }

    /// How many mails arrived, without reading them.
    pub fn count(&self) -> usize {
        std::fs::read_dir(self.dir.path())
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                    .count()
            })
            .unwrap_or(0)
    }

    /// Waits until at least `n` mails arrived or `limit` passed; returns what arrived.
    pub async fn wait_for(&self, n: usize, limit: Duration) -> Vec<Mail> {
        let until = tokio::time::Instant::now() + limit;
        loop {
            let mails = self.mails();
            if mails.len() >= n || tokio::time::Instant::now() >= until {
                return mails;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ----- databases -----------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// A fresh database for one test: a SQLite file in `dir`, or a new PostgreSQL database
/// in the cluster of `HLIDAC_TEST_PG_URL`. `None` when PostgreSQL is not available.
pub async fn fresh_database(engine: Engine, dir: &Path) -> Option<String> {
    match engine {
        Engine::Sqlite => Some(format!("sqlite://{}/hlidac.db?mode=rwc", dir.display())),
        Engine::Postgres => {
            let Ok(admin) = std::env::var("HLIDAC_TEST_PG_URL") else {
                assert!(
                    !require_peers(),
                    "HLIDAC_TEST_PG_URL is not set; run the tests with scripts/test"
                );
                eprintln!(
                    "skipped: HLIDAC_TEST_PG_URL is not set (scripts/test starts PostgreSQL)"
                );
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("hlidac_t_{}", hlidac::store::new_id());
            let mut conn = <sqlx::AnyConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("connect to the test cluster");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create database");
            let base = admin.rsplit_once('/').expect("url has a database").0;
            Some(format!("{base}/{name}"))
        }
    }
}

// ----- the simulator -------------------------------------------------------------------

/// Serves `scenario` on a free loopback port; returns the simulator and its base URL.
pub async fn start_sim(scenario: Scenario) -> (Sim, String) {
    let sim = Sim::new(scenario, Some("sim-token".into()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    tokio::spawn(sim.clone().serve(listener));
    (sim, url)
}

// ----- the daemon ----------------------------------------------------------------------

pub const JANA: &str = "CZ-0000-JANA";
pub const PETR: &str = "CZ-0000-PETR";
pub const JANA_MAIL: &str = "jana.novakova@lhota.example";
pub const PETR_MAIL: &str = "petr.svoboda@lhota.example";

pub fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// 08:00 in Prague on `day` (UTC+2 in summer).
pub fn morning(day: &str) -> DateTime<Utc> {
    date(day).and_hms_opt(6, 0, 0).expect("time").and_utc()
}

/// (role, token) of the admin tokens every test config carries.
pub const ADMIN_TOKENS: &[(&str, &str)] = &[
    ("support", "support-0123456789abcdef0123456789abcdef"),
    ("operator", "operator-0123456789abcdef0123456789abcdef"),
    ("admin", "admin-0123456789abcdef0123456789abcdef"),
];

pub struct TestApp {
    pub app: Arc<App>,
    pub clock: Arc<ManualClock>,
    pub sim: Sim,
    pub smtp: SmtpSink,
    pub dir: tempfile::TempDir,
    pub config: String,
    pub seen: usize,
}

/// The config every e2e test runs on: one municipality, one http source, SMTP.
pub fn config_text(state_dir: &Path, db_url: &str, sim_url: &str, smtp_port: u16) -> String {
    let token = state_dir.join("sim.token");
    std::fs::create_dir_all(state_dir).expect("state dir");
    std::fs::write(&token, "sim-token\n").expect("token");
    let mut admin = String::new();
    for (role, secret) in ADMIN_TOKENS {
        let file = state_dir.join(format!("{role}.token"));
        std::fs::write(&file, secret).expect("admin token");
        admin.push_str(&format!(
            "[[admin.token]]\nname = \"{role}-desk\"\nrole = \"{role}\"\ntoken_file = \"{}\"\n",
            file.display()
        ));
    }
    format!(
        r#"
state_dir = "{state}"
[database]
url = "{db_url}"
[web]
listen = "127.0.0.1:0"
[email]
type = "smtp"
host = "127.0.0.1"
port = {smtp_port}
tls = "none"
timeout_secs = 5
[dispatch]
backoff_initial_secs = 60
backoff_max_secs = 600
max_attempts = 3
lease_secs = 60
interval_ms = 100
[watch]
rules_interval_secs = 1
{admin}
[[tenant]]
id = "lhota"
name = "Obec Lhota"
locale = "cs"
time_zone = "Europe/Prague"
sender = {{ email = "hlidac@lhota.example" }}
[[tenant.source]]
id = "agenda"
kinds = ["receivables", "submissions"]
schedule = "* * * * * *"
[tenant.source.adapter]
type = "http"
base_url = "{sim_url}"
token_file = "{token}"
timeout_secs = 1
"#,
        state = state_dir.display(),
        token = token.display(),
    )
}

/// `config` with its `[email]` relay's port set to `port`, and the port it had.
pub fn relay_port(config: &str, port: u16) -> (String, u16) {
    let email = config.find("[email]").expect("[email]");
    let at = email + config[email..].find("port = ").expect("port");
    let end = at + config[at..].find('\n').expect("line");
    let old = config[at + 7..end].trim().parse().expect("a port");
    (
        format!("{}port = {port}{}", &config[..at], &config[end..]),
        old,
    )
}

/// The health of `tenant`'s source `source`, which must exist.
pub async fn health_of(
    store: &hlidac::store::Store,
    tenant: &str,
    source: &str,
) -> hlidac::store::SourceHealth {
    store
        .source_health(tenant, source)
        .await
        .expect("health")
        .expect("source")
}

impl TestApp {
    /// Starts the peers and the daemon's parts on `engine`, with the clock at `start` and
    /// Jana (Czech) and Petr (English) enrolled. `None` when the engine is unavailable.
    pub async fn spawn(
        engine: Engine,
        scenario: Scenario,
        start: DateTime<Utc>,
    ) -> Option<TestApp> {
        TestApp::spawn_with(engine, scenario, start, |c| c).await
    }

    /// Like [`TestApp::spawn`], with the config text changed by `tweak` first.
    pub async fn spawn_with(
        engine: Engine,
        scenario: Scenario,
        start: DateTime<Utc>,
        tweak: impl Fn(String) -> String,
    ) -> Option<TestApp> {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = fresh_database(engine, dir.path()).await?;
        let (sim, sim_url) = start_sim(scenario).await;
        let smtp = SmtpSink::start();
        let config = tweak(config_text(
            &dir.path().join("state"),
            &db,
            &sim_url,
            smtp.port,
        ));
        let clock = Arc::new(ManualClock::new(start));
        let app = build(&config, clock.clone()).await;
        app.enrol("lhota", JANA, JANA_MAIL, Some("cs"))
            .await
            .expect("enrol Jana");
        app.enrol("lhota", PETR, PETR_MAIL, Some("en"))
            .await
            .expect("enrol Petr");
        Some(TestApp {
            app,
            clock,
            sim,
            smtp,
            dir,
            config,
            seen: 0,
        })
    }

    /// [`TestApp::spawn`] on SQLite, which is always there.
    pub async fn on_sqlite(scenario: Scenario, start: DateTime<Utc>) -> TestApp {
        TestApp::on_sqlite_with(scenario, start, |c| c).await
    }

    /// [`TestApp::spawn_with`] on SQLite, which is always there.
    pub async fn on_sqlite_with(
        scenario: Scenario,
        start: DateTime<Utc>,
        tweak: impl Fn(String) -> String,
    ) -> TestApp {
        TestApp::spawn_with(Engine::Sqlite, scenario, start, tweak)
            .await
            .expect("sqlite is always there")
    }

    /// Writes the config to `name` in the test's folder, for the real binary; its path.
    pub fn write_config(&self, name: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, &self.config).expect("write the config");
        path
    }

    /// Stops the daemon's parts and starts them again on the same database, as a restart.
    pub async fn restart(&mut self) {
        self.app.store.close().await;
        self.app = build(&self.config, self.clock.clone()).await;
    }

    /// Serves the daemon's HTTP side (health, metrics, admin API) on a free port.
    pub async fn serve_web(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        self.serve_web_on(listener)
    }

    /// Serves the HTTP side on a listener bound before the config was written (its
    /// address is the `web.public_url` that identity providers send browsers back to).
    pub fn serve_web_on(&self, listener: tokio::net::TcpListener) -> String {
        let (_tx, rx) = tokio::sync::watch::channel(self.app.clone());
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        // As in `hlidac run`: the probe keeps the health and the gauges /metrics shows.
        tokio::spawn(hlidac::ops::probe::run_probe(
            self.app.dispatch.clone(),
            tokio_util::sync::CancellationToken::new(),
        ));
        tokio::spawn(async move {
            axum::serve(
                listener,
                hlidac::web::router(rx)
                    .into_make_service_with_connect_info::<std::net::SocketAddr>(),
            )
            .await
        });
        url
    }

    /// Polls, applies the rules, dispatches; returns the mails that arrived.
    pub async fn cycle(&mut self) -> Vec<Mail> {
        self.app.poll_all().await;
        self.cycle_without_poll().await
    }

    /// Runs [`TestApp::cycle`] and asserts that the mails are exactly `expected`, as
    /// [`expect_mails`] does; returns them sorted like `expected`.
    pub async fn cycle_expecting(&mut self, expected: &[(&str, &str)]) -> Vec<Mail> {
        let mails = self.cycle().await;
        expect_mails(&mails, expected)
    }

    /// Applies the rules and dispatches without polling; returns the mails that arrived.
    pub async fn cycle_without_poll(&mut self) -> Vec<Mail> {
        self.app.evaluate_rules().await.expect("rules");
        let report = self.app.dispatch_pending().await.expect("dispatch");
        let mails = self
            .smtp
            .wait_for(self.seen + report.sent, Duration::from_secs(10))
            .await;
        let new = mails[self.seen..].to_vec();
        self.seen = mails.len();
        new
    }

    pub fn set_day(&self, day: &str) {
        self.clock.set(morning(day));
    }

    /// What is stored of a record of the test source (`lhota/agenda`).
    pub async fn stored(&self, kind: &str, key: &str) -> hlidac::store::Observation {
        self.app
            .store
            .observation("lhota", "agenda", kind, key)
            .await
            .expect("read")
            .unwrap_or_else(|| panic!("{key} is not stored"))
    }

    /// The test source's health.
    pub async fn health(&self) -> hlidac::store::SourceHealth {
        self.app
            .store
            .source_health("lhota", "agenda")
            .await
            .expect("health")
            .expect("source")
    }
}

pub async fn build(config: &str, clock: Arc<ManualClock>) -> Arc<App> {
    let config = load_str(
        config,
        Path::new("/test/hlidac.toml"),
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("test config: {e}"));
    // Two tests at a time, each with its peers, can load this machine past the pool's 5 s
    // for opening a fresh database: the harness opens it again rather than fail a test on
    // the machine's load. Any other error fails at once.
    for attempt in 1.. {
        match App::new(config.clone(), clock.clone()).await {
            Ok(app) => return Arc::new(app),
            Err(e) if attempt < 3 && format!("{e:#}").contains("pool timed out") => {
                eprintln!("the app did not start (attempt {attempt}): {e:#}; trying again");
            }
            Err(e) => panic!("app starts: {e:?}"),
        }
    }
    unreachable!("the loop returns or panics")
}

/// The binary under test: `HLIDAC_TEST_BIN` (the release build, set by scripts/test, as
/// operators run it), else this build's. (The daemon reads `HLIDAC_*` variables as config
/// overrides, except `HLIDAC_TEST_*`.)
pub fn hlidac_binary() -> PathBuf {
    std::env::var_os("HLIDAC_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_hlidac")))
}

/// The real binary, without the benchmarks' own `HLIDAC_BENCH_…` settings (the daemon
/// reads every other `HLIDAC_…` variable as a config key).
pub fn hlidac_command() -> Command {
    let mut cmd = Command::new(hlidac_binary());
    for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("HLIDAC_BENCH_")) {
        cmd.env_remove(name);
    }
    cmd
}

/// The test config with the simulator as the tenant's registry source too; `extra` adds
/// keys to that source (a schedule, to follow the registry's events).
pub fn with_registry_source(c: String, extra: &str) -> String {
    let field = |name: &str| {
        c.split(&format!("{name} = \""))
            .last()
            .and_then(|r| r.split('"').next())
            .expect("a field of the test config")
            .to_string()
    };
    let (url, token) = (field("base_url"), field("token_file"));
    format!(
        "{c}\n[[tenant.source]]\nid = \"registry\"\nkinds = [\"registry\"]\n{extra}\
         adapter = {{ type = \"http\", base_url = \"{url}\", token_file = \"{token}\" }}\n"
    )
}

/// Enrols a citizen with the real binary, `hlidac citizen add`, the person reference
/// passed through the environment as an operator would.
pub fn enrol_cli(config: &Path, person_ref: &str, email: &str, locale: Option<&str>) {
    let mut cmd = hlidac_command();
    cmd.arg("--config")
        .arg(config)
        .args(["citizen", "add", "--tenant", "lhota", "--email", email])
        .env("HLIDAC_PERSON_REF", person_ref);
    if let Some(l) = locale {
        cmd.args(["--locale", l]);
    }
    let out = cmd.output().expect("citizen add");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

// ----- scenario building ---------------------------------------------------------------

/// A waste fee of 2026 in CZK, due on `due` (YYYY-MM-DD), its variable symbol `77` and
/// the key's last three characters.
pub fn fee(key: &str, person: &str, title: &str, cents: i64, due: &str) -> Receivable {
    let vs = format!("77{}", &key[key.len() - 3..]);
    let kind = ReceivableKind::WasteFee;
    let mut r = hlidac_sim::fee(key, person, kind, title, cents, date(due), &vs);
    r.period = Some("2026".into());
    r
}

/// A small town's records: Jana's waste and dog fees (R-1, R-2) and Petr's dog fee (R-3),
/// all due on `due`, and Jana's request S-1.
pub fn small_town(due: &str) -> hlidac_sim::Scenario {
    hlidac_sim::Scenario {
        receivables: vec![
            fee("R-1", JANA, "Poplatek za odpady", 90000, due),
            fee("R-2", JANA, "Poplatek ze psů", 30000, due),
            fee("R-3", PETR, "Dog fee", 60000, due),
        ],
        submissions: vec![submission("S-1", JANA, "Žádost", "MULH 12/2026")],
        ..hlidac_sim::Scenario::default()
    }
}

/// A submission just received, filed under `filing`.
pub fn submission(key: &str, person: &str, matter: &str, filing: &str) -> Submission {
    hlidac_sim::request(key, person, matter, filing)
}

/// The first link in a text that contains `marker` (a confirmation or unsubscribe link).
pub fn link_in(text: &str, marker: &str) -> String {
    text.split_whitespace()
        .find(|w| w.contains(marker))
        .unwrap_or_else(|| panic!("no {marker} link in {text}"))
        .to_string()
}

/// Asserts that `mails` are exactly the expected (recipient, subject fragment) pairs, in
/// any order, and returns them sorted like `expected`.
pub fn expect_mails(mails: &[Mail], expected: &[(&str, &str)]) -> Vec<Mail> {
    let listing = || {
        mails
            .iter()
            .map(|m| format!("{} | {}", m.rcpt_tos.join(","), m.subject))
            .collect::<Vec<_>>()
            .join("\n  ")
    };
    assert_eq!(
        mails.len(),
        expected.len(),
        "expected {expected:?}, got:\n  {}",
        listing()
    );
    let mut left: Vec<&Mail> = mails.iter().collect();
    let mut out = Vec::new();
    for (to, subject) in expected {
        let i = left
            .iter()
            .position(|m| m.rcpt_tos == [to.to_string()] && contains_in_order(&m.subject, subject))
            .unwrap_or_else(|| panic!("no mail to {to} with {subject:?} among:\n  {}", listing()));
        out.push(left.remove(i).clone());
    }
    out
}

/// Asserts that none of `mails` has `subject_part` in its subject.
pub fn assert_none_about(mails: &[Mail], subject_part: &str) {
    assert!(
        !mails.iter().any(|m| m.subject.contains(subject_part)),
        "{mails:?}"
    );
}

/// Whether `text` holds the pieces of `pattern` between its "…" in that order (a subject's
/// amount, say, left out of what a test asks for).
pub fn contains_in_order(text: &str, pattern: &str) -> bool {
    let mut rest = text;
    for piece in pattern.split('…') {
        match rest.find(piece) {
            Some(i) => rest = &rest[i + piece.len()..],
            None => return false,
        }
    }
    true
}

/// One metric family as the Prometheus project's parser read it from `/metrics`.
#[derive(Debug, serde::Deserialize)]
pub struct MetricFamily {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub unit: String,
    /// (sample name, labels, value)
    pub samples: Vec<(String, std::collections::BTreeMap<String, String>, f64)>,
}

/// Parses `/metrics` text with the Prometheus client library's strict OpenMetrics parser
/// (`tests/peers/metrics_parse.py`); panics with the parser's error on any bad line.
pub fn parse_metrics(text: &str) -> Vec<MetricFamily> {
    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = run_ok_with_input(
        Command::new(python).arg(repo_root().join("tests/peers/metrics_parse.py")),
        text,
        &format!("the metrics do not parse ({text})"),
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("metrics_parse.py output"))
        .collect()
}

/// A temporary folder with a fresh SQLite database and `hlidac.toml` for it, polling
/// `sim_url` and sending to `smtp_port`: the folder, the config's path and the database
/// URL.
pub async fn sqlite_config(sim_url: &str, smtp_port: u16) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = fresh_database(Engine::Sqlite, dir.path())
        .await
        .expect("sqlite");
    let config = dir.path().join("hlidac.toml");
    std::fs::write(
        &config,
        config_text(&dir.path().join("state"), &db, sim_url, smtp_port),
    )
    .expect("write config");
    (dir, config, db)
}
