//! The boundary under attack: `hlidac run` (the release build when `HLIDAC_TEST_BIN` names it)
//! with a SAML IdP (pysaml2), an OpenID Connect provider (node `oidc-provider`), a push
//! source, unsubscribe links, the admin API and the citizen pages, fed every hostile
//! shape of `hostile_cases` one request at a time over a raw TCP client, while another
//! task asks `/healthz` every 50 ms.
//!
//! Each request must get a 4xx (413 where the body is too large), the daemon must stay
//! up and every health poll must answer 200. When a case kills the daemon it is restarted
//! and the run goes on, so one run lists every failing case. Times are recorded (for
//! `scripts/bench hostile`), never asserted.

use crate::helpers::*;
use crate::hostile_cases::{all_cases, Ctx, Expect};
use crate::hostile_wire::{exchange, replace_bytes};
use hlidac_adapters::RegistryPerson;
use hlidac_sim::{RegistryEntry, Scenario};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const OIDC_SECRET: &str = "s3cret-s3cret-s3cret-s3cret-s3cret";
pub(crate) const PUSH_SECRET: &str = "push-secret-0123456789abcdef0123456789abcdef";

/// `hlidac run` as a child process, its log in a file.
struct Daemon {
    child: Child,
    config: PathBuf,
    log: PathBuf,
    addr: SocketAddr,
    /// How much of the log has been read.
    seen: usize,
}

impl Daemon {
    async fn start(config: &Path, log: &Path, addr: SocketAddr) -> Daemon {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(log)
            .expect("log file");
        let child = Command::new(crate::helpers::hlidac_binary())
            .arg("--config")
            .arg(config)
            .arg("run")
            .env("HLIDAC_LOG", "info")
            .stdout(Stdio::null())
            .stderr(file)
            .spawn()
            .expect("start hlidac run");
        let mut d = Daemon {
            child,
            config: config.to_path_buf(),
            log: log.to_path_buf(),
            addr,
            seen: std::fs::metadata(log)
                .map(|m| m.len() as usize)
                .unwrap_or(0),
        };
        d.wait_healthy().await;
        d
    }

    async fn wait_healthy(&mut self) {
        let until = Instant::now() + Duration::from_secs(60);
        let url = format!("http://{}/healthz", self.addr);
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                panic!("hlidac run exited at start: {status}\n{}", self.log_tail());
            }
            if let Ok(r) = reqwest::get(&url).await {
                if r.status() == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < until,
                "hlidac run did not become healthy:\n{}",
                self.log_tail()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The log written since the last call.
    fn new_log(&mut self) -> String {
        let text = std::fs::read(&self.log).unwrap_or_default();
        let new = String::from_utf8_lossy(&text[self.seen.min(text.len())..]).into_owned();
        self.seen = text.len();
        new
    }

    fn log_tail(&self) -> String {
        let text =
            String::from_utf8_lossy(&std::fs::read(&self.log).unwrap_or_default()).into_owned();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// The exit status when the process has ended.
    fn exited(&mut self) -> Option<String> {
        self.child.try_wait().ok().flatten().map(|s| {
            use std::os::unix::process::ExitStatusExt;
            match s.signal() {
                Some(sig) => format!("killed by signal {sig}"),
                None => format!("exited with {s}"),
            }
        })
    }

    async fn restart(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let (config, log) = (self.config.clone(), self.log.clone());
        *self = Daemon::start(&config, &log, self.addr).await;
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What went wrong with one case.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    pub(crate) case: String,
    pub(crate) endpoint: String,
    pub(crate) what: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} [{}]: {}", self.case, self.endpoint, self.what)
    }
}

/// The outcome of a whole run.
pub(crate) struct Run {
    pub(crate) failures: Vec<Failure>,
    /// (case, milliseconds to the answer) for every hostile request.
    pub(crate) times: Vec<(String, f64)>,
    pub(crate) health_polls: usize,
}

impl Run {
    /// The slowest request: (case, milliseconds).
    fn worst(&self) -> (String, f64) {
        self.times
            .iter()
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .cloned()
            .unwrap_or_default()
    }
}

/// The peers, the config and the daemon; a logged-in citizen's session for the forms.
pub(crate) struct Stage {
    _dir: tempfile::TempDir,
    _idp: Peer,
    _op: Peer,
    _sim: hlidac_sim::Sim,
    _smtp: SmtpSink,
    daemon: Daemon,
    ctx: Ctx,
}

fn scenario() -> Scenario {
    let mut identity = serde_json::Map::new();
    identity.insert("scheme".into(), "cz-nia".into());
    identity.insert("identifier".into(), PID.into());
    let mut s = Scenario {
        registry: vec![RegistryEntry {
            identity,
            person: RegistryPerson {
                person_ref: JANA.into(),
                documents: vec![],
            },
        }],
        ..Scenario::default()
    };
    s.receivables.push(crate::citizen::janas_fee());
    s
}

impl Stage {
    pub(crate) async fn start() -> Stage {
        let dir = tempfile::tempdir().expect("tempdir");
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
            l.local_addr().expect("addr").port()
        };
        let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("addr");
        let web = format!("http://{addr}");

        // The SAML IdP, which reads the SP's metadata when the first login comes.
        let (idp_key, idp_cert) = keypair(dir.path(), "idp");
        let (fed_key, fed_cert) = keypair(dir.path(), "federation");
        let (sp_key, sp_cert) = keypair(dir.path(), "sp");
        let user = jana_at_the_idp(None);
        std::fs::write(dir.path().join("user.json"), user.to_string()).expect("user");
        let idp = start_saml_idp(dir.path(), (&idp_key, &idp_cert), (&fed_key, &fed_cert));
        let idp_url = format!("http://127.0.0.1:{}", idp.port);

        // The OpenID Connect provider, told the daemon's redirect URI.
        std::fs::write(
            dir.path().join("claims.json"),
            serde_json::json!({"sub": "rs-0001", "given_name": "Petar"}).to_string(),
        )
        .expect("claims");
        let op = start_oidc_op(
            &format!("{web}/oidc/callback/rs"),
            OIDC_SECRET,
            &dir.path().join("claims.json"),
        );
        let issuer = format!("http://127.0.0.1:{}", op.port);

        let (sim, sim_url) = start_sim(scenario()).await;
        let smtp = SmtpSink::start();
        let state = dir.path().join("state");
        let db = fresh_database(Engine::Sqlite, dir.path())
            .await
            .expect("sqlite");
        let base = config_text(&state, &db, &sim_url, smtp.port);
        let token = state.join("sim.token");
        let push_secret = state.join("push.secret");
        std::fs::write(&push_secret, PUSH_SECRET).expect("push secret");
        let oidc_secret = dir.path().join("rs.secret");
        std::fs::write(&oidc_secret, OIDC_SECRET).expect("oidc secret");
        let text = format!(
            "{base}\n[[tenant.source]]\nid = \"registry\"\nkinds = [\"registry\"]\n\
             adapter = {{ type = \"http\", base_url = \"{sim_url}\", token_file = \"{token}\" }}\n\
             [[tenant.source]]\nid = \"podatelna\"\nkinds = [\"receivables\", \"submissions\"]\n\
             adapter = {{ type = \"push\", secret_file = \"{push}\" }}\n\
             [identity]\nkey_file = \"{sp_key}\"\ncert_file = \"{sp_cert}\"\n\
             login_rate_per_minute = 1000000\n\
             [[identity.saml]]\nid = \"nia\"\nname = \"Identita občana\"\nprofile = \"cz-nia\"\n\
             entity_id = \"{idp_url}/metadata\"\nsso_url = \"{idp_url}/sso/redirect\"\n\
             slo_url = \"{idp_url}/slo/redirect\"\nsigning_cert_files = [\"{idp_cert}\"]\n\
             loa = \"substantial\"\n\
             [[identity.oidc]]\nid = \"rs\"\nname = \"rs\"\nprofile = \"rs-eid\"\nissuer = \"{issuer}\"\n\
             client_id = \"hlidac-rs\"\nclient_secret_file = \"{oidc_secret}\"\nloa = \"low\"\n\
             scopes = [\"openid\", \"profile\", \"email\"]\n",
            token = token.display(),
            push = push_secret.display(),
            sp_key = sp_key.display(),
            sp_cert = sp_cert.display(),
            idp_cert = idp_cert.display(),
            oidc_secret = oidc_secret.display(),
        )
        .replace(
            "listen = \"127.0.0.1:0\"",
            &format!("listen = \"{addr}\"\npublic_url = \"{web}\""),
        );
        let config = dir.path().join("hlidac.toml");
        std::fs::write(&config, text).expect("config");
        let daemon = Daemon::start(&config, &dir.path().join("daemon.log"), addr).await;
        let metadata = get_text(&format!("{web}/saml/metadata")).await;
        std::fs::write(dir.path().join("sp.xml"), metadata).expect("sp metadata");

        // Jana logs in through the IdP and agrees: her session and the forms' CSRF token.
        let b = Browser::new();
        let r = b.send(b.http.get(format!("{web}/t/lhota/login/nia"))).await;
        assert_eq!(r.status(), 303, "login start");
        let to_idp = r.headers()["location"].to_str().expect("loc").to_string();
        let form = b.get(&to_idp).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let page = b.consent(b.submit(&form).await).await;
        assert!(
            page.url.ends_with("/t/lhota/me"),
            "{}: {}",
            page.url,
            page.body
        );
        let session = b.cookie("__Host-hlidac_session").expect("session");
        let settings = b.get(&format!("{web}/t/lhota/settings")).await;
        let at = settings.body.find("name=\"csrf\"").expect("a csrf field");
        let start = settings.body[..at].rfind("<form").expect("form");
        let (_, fields) = form_of(&settings.body[start..]);
        let csrf = fields
            .into_iter()
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v)
            .expect("csrf");
        let ctx = Ctx {
            web,
            idp_entity: format!("{idp_url}/metadata"),
            session,
            csrf,
        };
        Stage {
            _dir: dir,
            _idp: idp,
            _op: op,
            _sim: sim,
            _smtp: smtp,
            daemon,
            ctx,
        }
    }

    /// A login started at the OIDC provider: the flow cookie and the state it expects.
    async fn oidc_flow(&self) -> Option<(String, String)> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let r = client
            .get(format!("{}/t/lhota/login/rs", self.ctx.web))
            .send()
            .await
            .ok()?;
        let cookie = r
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|v| v.strip_prefix("__Host-hlidac_flow="))
            .map(|v| v.split(';').next().unwrap_or("").to_string())?;
        let loc = r.headers().get("location")?.to_str().ok()?;
        let state = reqwest::Url::parse(loc)
            .ok()?
            .query_pairs()
            .find(|(k, _)| k == "state")
            .map(|(_, v)| v.into_owned())?;
        Some((cookie, state))
    }

    /// Sends every case while `/healthz` is polled; restarts the daemon after a case
    /// that ended it.
    pub(crate) async fn run(&mut self) -> Run {
        let cases = all_cases(&self.ctx);
        let current = Arc::new(Mutex::new(String::from("(start)")));
        let health_failures = Arc::new(Mutex::new(Vec::<(String, String)>::new()));
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let poller = {
            let (current, failures, stop) =
                (current.clone(), health_failures.clone(), stop.clone());
            let url = format!("http://{}/healthz", self.daemon.addr);
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .build()
                    .expect("client");
                let mut polls = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    let what = match client.get(&url).send().await {
                        Ok(r) if r.status() == 200 => None,
                        Ok(r) => Some(format!("/healthz answered {}", r.status().as_u16())),
                        Err(e) => Some(format!("/healthz did not answer: {e}")),
                    };
                    polls += 1;
                    if let Some(w) = what {
                        let case = current.lock().expect("lock").clone();
                        failures.lock().expect("lock").push((case, w));
                    }
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                polls
            })
        };
        let mut failures = Vec::new();
        let mut times = Vec::new();
        for case in cases {
            *current.lock().expect("lock") = format!("{} [{}]", case.name, case.endpoint);
            let mut req = case.req;
            if case.oidc_flow {
                match self.oidc_flow().await {
                    Some((cookie, state)) => {
                        req.target = replace_bytes(&req.target, b"@STATE@", state.as_bytes());
                        req.headers.push((
                            "Cookie".into(),
                            format!("__Host-hlidac_flow={cookie}").into_bytes(),
                        ));
                    }
                    None => failures.push(Failure {
                        case: case.name.clone(),
                        endpoint: case.endpoint.clone(),
                        what: "could not start an OIDC login for the case".into(),
                    }),
                }
            }
            let (answer, took) = exchange(self.daemon.addr, req.wire(self.daemon.addr)).await;
            times.push((
                format!("{} [{}]", case.name, case.endpoint),
                took.as_secs_f64() * 1000.0,
            ));
            let mut problems = Vec::new();
            match &answer {
                Ok((status, body)) => {
                    let ok = match &case.expect {
                        Expect::Any4xx => (400..500).contains(status),
                        Expect::Status(s) => status == s,
                        Expect::Handled => *status < 500,
                    };
                    if !ok {
                        problems.push(format!(
                            "answered {status}, expected {} ({:?})",
                            case.expect,
                            body.chars().take(120).collect::<String>()
                        ));
                    }
                }
                Err(e) => problems.push(e.clone()),
            }
            // Give a dying process a moment to be seen as dead.
            if answer.is_err() {
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            let log = self.daemon.new_log();
            if let Some(line) = log
                .lines()
                .find(|l| l.contains("panicked") || l.contains("overflow"))
            {
                problems.push(format!("the log says: {}", line.trim()));
            }
            if let Some(how) = self.daemon.exited() {
                problems.push(format!("the daemon died ({how})"));
                self.daemon.restart().await;
                self.daemon.new_log();
            }
            for what in problems {
                failures.push(Failure {
                    case: case.name.clone(),
                    endpoint: case.endpoint.clone(),
                    what,
                });
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let health_polls = poller.await.expect("poller");
        for (case, what) in health_failures.lock().expect("lock").drain(..) {
            let (name, endpoint) = case
                .rsplit_once(" [")
                .map(|(n, e)| (n.to_string(), e.trim_end_matches(']').to_string()))
                .unwrap_or((case.clone(), String::new()));
            failures.push(Failure {
                case: name,
                endpoint,
                what,
            });
        }
        Run {
            failures,
            times,
            health_polls,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_requests_to_every_open_endpoint_get_a_4xx_and_the_daemon_stays_up() {
    let mut stage = Stage::start().await;
    let run = stage.run().await;
    let worst = run.worst();
    eprintln!(
        "{} hostile requests, {} health polls; slowest {:.1} ms: {}",
        run.times.len(),
        run.health_polls,
        worst.1,
        worst.0
    );
    let mut slow = run.times.clone();
    slow.sort_by(|a, b| b.1.total_cmp(&a.1));
    for (case, ms) in slow.iter().take(10) {
        eprintln!("  {ms:.1} ms: {case}");
    }
    assert!(run.times.len() > 500, "{} requests", run.times.len());
    assert!(run.health_polls > 0, "/healthz was never asked");
    let listing: Vec<String> = run.failures.iter().map(|f| f.to_string()).collect();
    assert!(
        run.failures.is_empty(),
        "{} of {} hostile requests failed:\n  {}",
        run.failures.len(),
        run.times.len(),
        listing.join("\n  ")
    );
}

/// `scripts/bench hostile`: the same run, its times as one JSON line.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: scripts/bench hostile"]
async fn bench_hostile() {
    let mut stage = Stage::start().await;
    let run = stage.run().await;
    let mut sorted: Vec<f64> = run.times.iter().map(|t| t.1).collect();
    sorted.sort_by(f64::total_cmp);
    let p99 = sorted
        .get(((sorted.len() as f64) * 0.99).ceil() as usize - 1)
        .copied()
        .unwrap_or(0.0);
    let worst = run.worst();
    for f in &run.failures {
        eprintln!("failed: {f}");
    }
    println!(
        "{}",
        serde_json::json!({
            "bench": "hostile",
            "requests": run.times.len(),
            "worst_ms": (worst.1 * 10.0).round() / 10.0,
            "p99_ms": (p99 * 10.0).round() / 10.0,
            "worst_case": worst.0,
            "failures": run.failures.len(),
        })
    );
}
