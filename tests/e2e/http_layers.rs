//! The layers every request passes through: a body over its route's limit is 413 on
//! every route that takes one (announced by `Content-Length` or found while reading a
//! chunked body), the security headers are on every response (JSON, text, a 404, a
//! 413, a 503), a client that sends its body too slowly is answered 503 when the request
//! timeout passes, a request past the concurrency limit is answered 503 at once while
//! `/healthz` still answers, and the trace names routes, never paths or queries.

use crate::helpers::*;
use hlidac_sim::Scenario;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How a raw request sends its body.
enum Body {
    /// `Content-Length: n` announced, nothing sent (a limit must answer from the header).
    Announced(usize),
    /// `Content-Length: n`, all n bytes sent.
    Full(usize),
    /// Chunked, `n` bytes in 64 KiB chunks, no length announced.
    Chunked(usize),
    /// `Content-Length: n`, only the first `sent` bytes, then nothing.
    Stalled { n: usize, sent: usize },
}

/// An answer read off the socket: status and lower-cased headers.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    after: Duration,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Sends `method path` with `body` over a plain socket and reads the answer's head; the
/// writer goes on (or holds the connection open) in the background until dropped.
async fn raw(base: &str, method: &str, path: &str, extra: &[(&str, &str)], body: Body) -> Answer {
    let addr = base.trim_start_matches("http://").to_string();
    let stream = tokio::net::TcpStream::connect(&addr)
        .await
        .expect("connect");
    let (mut rd, mut wr) = stream.into_split();
    let mut head = format!("{method} {path} HTTP/1.1\r\nhost: {addr}\r\n");
    if !extra.iter().any(|(k, _)| *k == "content-type") {
        head.push_str("content-type: application/x-www-form-urlencoded\r\n");
    }
    for (k, v) in extra {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    match body {
        Body::Announced(n) | Body::Full(n) | Body::Stalled { n, .. } => {
            head.push_str(&format!("content-length: {n}\r\n"))
        }
        Body::Chunked(_) => head.push_str("transfer-encoding: chunked\r\n"),
    }
    head.push_str("\r\n");
    let started = Instant::now();
    let writer = tokio::spawn(async move {
        let _ = wr.write_all(head.as_bytes()).await;
        let chunk = vec![b'a'; 64 * 1024];
        match body {
            Body::Announced(_) => {}
            Body::Full(n) => {
                let mut left = n;
                while left > 0 {
                    let k = left.min(chunk.len());
                    if wr.write_all(&chunk[..k]).await.is_err() {
                        return;
                    }
                    left -= k;
                }
            }
            Body::Chunked(n) => {
                let mut left = n;
                while left > 0 {
                    let k = left.min(chunk.len());
                    let framed = [format!("{k:x}\r\n").as_bytes(), &chunk[..k], b"\r\n"].concat();
                    if wr.write_all(&framed).await.is_err() {
                        return;
                    }
                    left -= k;
                }
                let _ = wr.write_all(b"0\r\n\r\n").await;
            }
            Body::Stalled { sent, .. } => {
                let _ = wr.write_all(&chunk[..sent]).await;
            }
        }
        // Hold the connection open (a stalled client) until the test drops the task.
        tokio::time::sleep(Duration::from_secs(60)).await;
        drop(wr);
    });
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(30), async {
        while !got.windows(4).any(|w| w == b"\r\n\r\n") {
            match rd.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    let after = started.elapsed();
    writer.abort();
    assert!(read.is_ok(), "{method} {path}: no answer within 30 s");
    let text = String::from_utf8_lossy(&got).to_string();
    let mut lines = text.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split(' ').nth(1))
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("{method} {path}: no status line in {text:?}"));
    let headers = lines
        .take_while(|l| !l.is_empty())
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Answer {
        status,
        headers,
        after,
    }
}

const MIB: usize = 1024 * 1024;

type Headers<'a> = &'a [(&'a str, &'a str)];

fn admin_token() -> String {
    format!(
        "Bearer {}",
        ADMIN_TOKENS
            .iter()
            .find(|(r, _)| *r == "admin")
            .expect("admin")
            .1
    )
}

/// Every security header with its value on `a` (`html`: the page policy, else the one
/// that loads nothing).
fn assert_secure(what: &str, a: &Answer, html: bool) {
    for (name, want) in [
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("x-frame-options", "DENY"),
    ] {
        assert_eq!(a.header(name), Some(want), "{what}: {name}");
    }
    let csp = a
        .header("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: no content-security-policy"));
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.starts_with("default-src 'none'"), "{what}: {csp}");
    assert_eq!(
        csp.contains("style-src 'self'"),
        html,
        "{what}: the page policy only on pages: {csp}"
    );
}

/// The daemon with no records and its config changed by `tweak`, serving HTTP: the app
/// (to keep) and the base URL.
async fn serving(tweak: impl Fn(String) -> String) -> (TestApp, String) {
    let t = TestApp::on_sqlite_with(Scenario::default(), morning("2026-05-01"), tweak).await;
    let base = t.serve_web().await;
    (t, base)
}

#[tokio::test]
async fn an_oversize_body_is_413_on_every_route_that_takes_one() {
    let (_t, base) = serving(|c| c).await;
    let admin = admin_token();
    let auth = [
        ("authorization", admin.as_str()),
        ("content-type", "application/json"),
    ];
    // (route, headers, the largest body it takes): each refused one byte past it, by the
    // announced length and by a chunked body that reaches it.
    let routes: &[(&str, Headers, usize)] = &[
        ("/saml/acs", &[], 2 * MIB),
        ("/saml/slo", &[], 2 * MIB),
        ("/oidc/callback/nia", &[], 16 * 1024),
        ("/ingest/lhota/agenda", &[], 16 * MIB),
        ("/unsubscribe/abc.all.def", &[], 16 * 1024),
        (
            "/admin/v1/tenants/lhota/contacts/suppress",
            &auth,
            16 * 1024,
        ),
        ("/admin/v1/outbox/1/resend", &auth, 16 * 1024),
        ("/t/lhota/settings", &[], 16 * 1024),
        ("/t/lhota/contacts", &[], 16 * 1024),
        ("/verify/abc", &[], 16 * 1024),
        ("/logout", &[], 16 * 1024),
        ("/t/lhota/login/nia", &[], 16 * 1024),
        ("/healthz", &[], 16 * 1024),
    ];
    for (path, headers, max) in routes {
        let a = raw(&base, "POST", path, headers, Body::Announced(max + 1)).await;
        assert_eq!(a.status, 413, "{path}: {} bytes announced", max + 1);
        // The ACS answers with a page for the citizen; the limit layers with plain text.
        assert_secure(&format!("413 on {path}"), &a, *path == "/saml/acs");
        let a = raw(&base, "POST", path, headers, Body::Full(*max)).await;
        assert_ne!(a.status, 413, "{path}: {max} bytes are allowed");
    }
    // The case: an 8 MiB post to the ACS, sent in full, with and without its
    // length (today's handler answered 403 "no SAMLResponse").
    for body in [Body::Full(8 * MIB), Body::Chunked(8 * MIB)] {
        let a = raw(&base, "POST", "/saml/acs", &[], body).await;
        assert_eq!(a.status, 413, "8 MiB to the ACS");
        assert!(
            a.header("content-type")
                .is_some_and(|c| c.starts_with("text/html")),
            "the citizen gets a page, not the limit's plain text: {:?}",
            a.headers
        );
    }
    // Chunked bodies past the limit, on the handlers that read a form or JSON
    // themselves: 413, not their "malformed" answer.
    for (path, headers, max) in [
        ("/saml/acs", &[][..], 2 * MIB),
        ("/logout", &[][..], 16 * 1024),
        (
            "/admin/v1/tenants/lhota/contacts/suppress",
            &auth[..],
            16 * 1024,
        ),
        ("/t/lhota/settings", &[][..], 16 * 1024),
        ("/ingest/lhota/agenda", &[][..], 16 * MIB),
    ] {
        let a = raw(&base, "POST", path, headers, Body::Chunked(max + 64 * 1024)).await;
        assert_eq!(a.status, 413, "{path}: a chunked body past {max}");
    }
    // Under the limit the route's own answer comes back (the ingest route takes more
    // than a form: 8 MiB unsigned is refused for its signature, not its size).
    let a = raw(
        &base,
        "POST",
        "/ingest/lhota/agenda",
        &[],
        Body::Full(8 * MIB),
    )
    .await;
    assert_eq!(a.status, 404, "a polled source: not a push target");
    let a = raw(
        &base,
        "POST",
        "/t/lhota/settings",
        &[],
        Body::Full(15 * 1024),
    )
    .await;
    assert_eq!(
        a.status, 403,
        "no session: within the limit, the form is refused"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let (_t, base) = serving(|c| c).await;
    let admin = admin_token();
    let get = |path: &'static str, headers: Vec<(&'static str, String)>| {
        let base = base.clone();
        async move {
            let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
            raw(&base, "GET", path, &h, Body::Announced(0)).await
        }
    };
    let json = get("/admin/v1/status", vec![("authorization", admin.clone())]).await;
    assert_eq!(json.status, 200);
    assert!(json
        .header("content-type")
        .is_some_and(|c| c.contains("json")));
    assert_secure("JSON", &json, false);
    assert_eq!(json.header("cache-control"), Some("no-store"));
    let refused = get("/admin/v1/status", vec![]).await;
    assert_eq!(refused.status, 401);
    assert_secure("401 JSON", &refused, false);
    let text = get("/metrics", vec![]).await;
    assert_eq!(text.status, 200);
    assert!(text
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/openmetrics-text")));
    assert_secure("metrics", &text, false);
    assert_eq!(text.header("cache-control"), Some("no-store"));
    let health = get("/healthz", vec![]).await;
    assert_secure("healthz", &health, false);
    for path in ["/no/such/page", "/t/lhota/no/such"] {
        let missing = get(path, vec![]).await;
        assert_eq!(missing.status, 404, "{path}");
        assert_secure(path, &missing, false);
    }
    let wrong_method = raw(&base, "DELETE", "/healthz", &[], Body::Announced(0)).await;
    assert_eq!(wrong_method.status, 405);
    assert_secure("405", &wrong_method, false);
    // A page keeps its policy (its stylesheet and data: images) and is not cached; the
    // stylesheet may be cached, as it says itself.
    let page = get("/t/lhota/", vec![]).await;
    assert_eq!(page.status, 200);
    assert_secure("landing page", &page, true);
    assert!(page
        .header("content-security-policy")
        .is_some_and(|c| c.contains("img-src 'self' data:") && c.contains("base-uri 'none'")));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    let css = get("/static/hlidac.css", vec![]).await;
    assert_eq!(css.status, 200);
    assert_eq!(css.header("cache-control"), Some("max-age=3600"));
    assert_secure("stylesheet", &css, false);
    let too_large = raw(
        &base,
        "POST",
        "/t/lhota/settings",
        &[],
        Body::Announced(MIB),
    )
    .await;
    assert_eq!(too_large.status, 413);
    assert_secure("413", &too_large, false);
}

#[tokio::test]
async fn a_client_that_stalls_its_body_is_answered_503_at_the_timeout() {
    let (_t, base) = serving(|c| c.replace("[web]\n", "[web]\nrequest_timeout_secs = 1\n")).await;
    for path in ["/saml/acs", "/t/lhota/settings", "/ingest/lhota/agenda"] {
        let a = raw(&base, "POST", path, &[], Body::Stalled { n: 100, sent: 10 }).await;
        assert_eq!(a.status, 503, "{path}");
        assert!(
            a.after >= Duration::from_millis(900) && a.after < Duration::from_secs(10),
            "{path}: answered after {:?}",
            a.after
        );
        assert_secure(&format!("503 on {path}"), &a, false);
    }
    // A whole request is not affected.
    let a = raw(&base, "POST", "/t/lhota/settings", &[], Body::Full(100)).await;
    assert_eq!(a.status, 403, "answered by the handler: no session");
}

#[tokio::test]
async fn past_the_concurrency_limit_a_request_is_shed_and_health_still_answers() {
    let (_t, base) = serving(|c| {
        c.replace(
            "[web]\n",
            "[web]\nrequest_timeout_secs = 4\nmax_concurrent_requests = 2\n",
        )
    })
    .await;
    // Two clients stall their bodies and hold both places.
    let holders: Vec<_> = (0..2)
        .map(|_| {
            let base = base.clone();
            tokio::spawn(async move {
                raw(
                    &base,
                    "POST",
                    "/saml/acs",
                    &[],
                    Body::Stalled { n: 100, sent: 10 },
                )
                .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let shed = raw(&base, "GET", "/t/lhota/", &[], Body::Announced(0)).await;
    assert_eq!(shed.status, 503, "a third request at once");
    assert!(
        shed.after < Duration::from_secs(1),
        "shed at once: {:?}",
        shed.after
    );
    assert_eq!(shed.header("retry-after"), Some("1"));
    assert_secure("shed", &shed, false);
    let health = raw(&base, "GET", "/healthz", &[], Body::Announced(0)).await;
    assert_eq!(health.status, 200, "health is outside the limit");
    for h in holders {
        assert_eq!(
            h.await.expect("holder").status,
            503,
            "the stalled ones time out"
        );
    }
    let page = raw(&base, "GET", "/t/lhota/", &[], Body::Announced(0)).await;
    assert_eq!(page.status, 200, "the places are free again");
}

/// The address "hlidac is running addr=…" names in the log, once it is there.
async fn listening(log: &std::path::Path) -> String {
    for _ in 0..300 {
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let addr = text
            .lines()
            .find(|l| l.contains("hlidac is running"))
            .and_then(|l| l.split("addr=").nth(1))
            .and_then(|a| a.split_whitespace().next())
            .map(|a| {
                a.trim_end_matches(|c: char| !c.is_ascii_digit())
                    .to_string()
            });
        if let Some(a) = addr {
            return format!("http://{a}");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "the daemon did not start:\n{}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_trace_names_the_route_never_the_path_or_query() {
    let (_sim, sim_url) = start_sim(Scenario::default()).await;
    let smtp = SmtpSink::start();
    let (dir, config, _db) = sqlite_config(&sim_url, smtp.port).await;
    let log = dir.path().join("daemon.log");
    let mut child = hlidac_with_config(&config)
        .arg("run")
        .env("HLIDAC_LOG", "info,tower_http=debug,hlidac::web=debug")
        .stdout(std::process::Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log file"))
        .spawn()
        .expect("run");
    let base = listening(&log).await;
    let token = "t0kenZ3cret.all.m4cZ3cret";
    let client = reqwest::Client::new();
    for (path, status) in [
        (format!("/unsubscribe/{token}?code=qu3ryZ3cret"), 404),
        ("/t/lhota/?lang=qu3ryZ3cret".to_string(), 200),
        ("/verify/v3rifyZ3cret".to_string(), 400),
        ("/n0Such/Z3cret/place".to_string(), 404),
    ] {
        let r = client
            .get(format!("{base}{path}"))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), status, "{path}");
    }
    let r = client
        .post(format!("{base}/saml/acs"))
        .body(format!("SAMLResponse=b0dyZ3cret&RelayState={token}"))
        .header("content-type", "application/x-www-form-urlencoded")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 403);
    // The trace's lines are written as each response goes out.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = child.kill();
    let _ = child.wait();
    let text = std::fs::read_to_string(&log).expect("log");
    for route in [
        "/unsubscribe/{token}",
        "/t/{tenant}/",
        "/verify/{token}",
        "/saml/acs",
    ] {
        assert!(
            text.lines()
                .any(|l| l.contains(route) && l.contains("finished processing request")),
            "no trace line for {route}:\n{text}"
        );
    }
    assert!(
        text.lines()
            .any(|l| (l.contains("route=-") || l.contains("route=\"-\""))
                && l.contains("status=404")),
        "an unknown path is traced without its path:\n{text}"
    );
    assert!(
        !text.contains("Z3cret"),
        "a path, query or body was logged:\n{text}"
    );
}
