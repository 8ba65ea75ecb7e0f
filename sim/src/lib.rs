//! The municipality simulator: a stand-in for a town's receivables module and filing system
//! that speaks the published pull protocol, follows a scripted timeline of changes and
//! injects faults on request. The demo, the tests and the benchmarks run it; it is never
//! used in production.
//!
//! It serves the whole protocol: the lists by person reference with `ETag`/304, the
//! change feed with opaque cursors (an unknown or expired cursor gets `410 Gone`; each page
//! repeats the last two changes before the cursor, as an at-least-once feed may), Bulgarian
//! document tracking by registration index and access code, and TLS with client
//! certificates ([`tls_config`], [`Sim::serve_tls`]).
//!
//! Control endpoints (no auth, bind it to loopback; `sim/README.md` describes them for
//! people, apart from the vendors' protocol document):
//! - `POST /control/step` applies the next timeline step, `{"applied": n, "label": …}`;
//! - `POST /control/fault` with `{"kind": "http500"|"timeout"|…, "times": n}` makes the
//!   next `n` calls fail that way (see [`FaultKind`]);
//! - `POST /control/churn` with `{"share": 0.01}` changes that share of all records;
//! - `GET /control/state` shows the step reached and the faults pending.

mod control;
mod registry;
mod scenario;
mod state;

pub use scenario::*;
use state::*;

use axum::extract::{FromRequestParts, RawQuery, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use hlidac_adapters::records::*;
use hlidac_adapters::PROTOCOL;
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A running simulator's shared state; clone it into tests to drive the timeline directly.
#[derive(Clone, Debug)]
pub struct Sim {
    state: Arc<Mutex<SimState>>,
    token: Option<String>,
}

impl Sim {
    pub fn new(scenario: Scenario, token: Option<String>) -> Sim {
        let state = SimState {
            receivables: Table::new(scenario.receivables),
            submissions: Table::new(scenario.submissions),
            access_codes: scenario.access_codes,
            registry: scenario.registry,
            timeline: scenario.timeline,
            applied: 0,
            faults: VecDeque::new(),
            version: 1000,
            log: VecDeque::new(),
            seq: 0,
            calls: HashMap::new(),
            withdrawn: HashMap::new(),
            registry_events: Vec::new(),
            announced: serde_json::Map::new(),
        };
        Sim {
            state: Arc::new(Mutex::new(state)),
            token,
        }
    }

    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies the next timeline step and returns its label.
    pub fn step(&self) -> Option<String> {
        self.lock().step()
    }

    /// Applies one change outside the timeline.
    pub fn apply(&self, change: Change) {
        self.lock().apply(change)
    }

    /// Changes `share` of all records (see `POST /control/churn`).
    pub fn churn(&self, share: f64) -> usize {
        self.lock().churn(share)
    }

    /// Announces other capabilities: the fields given replace the simulator's own
    /// (`{"changes": false, "max_page": 1}`), to see hlidac honour them.
    pub fn announce(&self, fields: serde_json::Value) {
        if let serde_json::Value::Object(m) = fields {
            self.lock().announced.extend(m);
        }
    }

    /// Forgets the change feed's history, so every cursor handed out so far is expired.
    pub fn expire_cursors(&self) {
        let mut s = self.lock();
        s.log.clear();
        s.seq += CHANGE_LOG_KEEP as u64;
    }

    /// How many requests of a sort were served: "receivables", "submissions",
    /// "not_modified", "changes", "track".
    pub fn calls(&self, what: &str) -> u64 {
        self.lock().calls.get(what).copied().unwrap_or(0)
    }

    pub(crate) fn count(&self, what: &'static str) {
        *self.lock().calls.entry(what).or_default() += 1;
    }

    pub fn applied_steps(&self) -> usize {
        self.lock().applied
    }

    pub fn inject(&self, kind: FaultKind, times: u32) {
        let mut s = self.lock();
        for _ in 0..times {
            s.faults.push_back(kind);
        }
    }

    /// Applies every step whose `at_secs` has passed, once a second, for the `--auto` mode.
    pub async fn run_timeline(self) {
        let started = tokio::time::Instant::now();
        loop {
            let next_at = {
                let s = self.lock();
                match s.timeline.get(s.applied) {
                    Some(step) => step.at_secs,
                    None => return,
                }
            };
            tokio::time::sleep_until(started + Duration::from_secs(next_at)).await;
            if let Some(label) = self.step() {
                tracing::info!(step = %label, "simulator applied a timeline step");
            }
        }
    }

    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/capabilities", get(capabilities))
            .route("/v1/receivables", get(list::<Receivable>))
            .route("/v1/submissions", get(list::<Submission>))
            .route("/v1/submissions/track", get(track_submission))
            .route("/v1/changes", get(changes))
            .route("/v1/registry/match", post(registry::matching))
            .route("/v1/registry/events", get(registry::events))
            .route("/control/step", post(control::step))
            .route("/control/fault", post(control::fault))
            .route("/control/churn", post(control::churn))
            .route("/control/state", get(control::state))
            .with_state(self.clone())
    }

    /// Serves on an already bound listener until the task is dropped.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }

    /// Serves on a free loopback port in a task of its own, as tests do; returns the base
    /// URL (`http://127.0.0.1:PORT`).
    pub async fn serve_on_loopback(&self) -> std::io::Result<String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(self.clone().serve(listener));
        Ok(url)
    }

    /// Serves HTTPS on an already bound listener; with a client CA in `config`, a client
    /// without a certificate it signed never gets past the handshake.
    pub async fn serve_tls(
        self,
        listener: tokio::net::TcpListener,
        config: Arc<rustls::ServerConfig>,
    ) -> std::io::Result<()> {
        let acceptor = tokio_rustls::TlsAcceptor::from(config);
        let service = hyper_util::service::TowerToHyperService::new(self.router());
        loop {
            let (tcp, _) = listener.accept().await?;
            let acceptor = acceptor.clone();
            let service = service.clone();
            tokio::spawn(async move {
                let tls = match acceptor.accept(tcp).await {
                    Ok(tls) => tls,
                    Err(e) => {
                        tracing::info!(error = %e, "TLS handshake refused");
                        return;
                    }
                };
                let io = hyper_util::rt::TokioIo::new(tls);
                if let Err(e) = hyper::server::conn::http1::Builder::new()
                    .serve_connection(io, service)
                    .await
                {
                    tracing::debug!(error = %e, "connection ended with an error");
                }
            });
        }
    }
}

/// A TLS server configuration from PEM files; with `client_ca`, clients must present a
/// certificate signed by it (mutual TLS).
pub fn tls_config(
    cert: &std::path::Path,
    key: &std::path::Path,
    client_ca: Option<&std::path::Path>,
) -> anyhow::Result<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let certs = CertificateDer::pem_file_iter(cert)?.collect::<Result<Vec<_>, _>>()?;
    let key = PrivateKeyDer::from_pem_file(key)?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ServerConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()?;
    let builder = match client_ca {
        Some(ca) => {
            let mut roots = rustls::RootCertStore::empty();
            for c in CertificateDer::pem_file_iter(ca)? {
                roots.add(c?)?;
            }
            let verifier = rustls::server::WebPkiClientVerifier::builder_with_provider(
                Arc::new(roots),
                provider,
            )
            .build()?;
            builder.with_client_cert_verifier(verifier)
        }
        None => builder.with_no_client_auth(),
    };
    Ok(builder.with_single_cert(certs, key)?)
}

pub(crate) fn protocol_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

pub(crate) fn unauthorized(sim: &Sim, headers: &HeaderMap) -> Option<Response> {
    let token = sim.token.as_ref()?;
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    if given == Some(token.as_str()) {
        None
    } else {
        Some(protocol_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        ))
    }
}

/// The simulator, for a request with its bearer token (any request, when it has none);
/// a request without it gets the protocol's `401` before the handler runs.
pub(crate) struct Authorized(pub(crate) Sim);

impl FromRequestParts<Sim> for Authorized {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, sim: &Sim) -> Result<Self, Response> {
        match unauthorized(sim, &parts.headers) {
            Some(refused) => Err(refused),
            None => Ok(Authorized(sim.clone())),
        }
    }
}

pub(crate) fn query_values(query: &Option<String>, name: &str) -> Result<Vec<String>, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
    Ok(pairs
        .into_iter()
        .filter(|(k, _)| k == name)
        .map(|(_, v)| v)
        .collect())
}

/// The first value of a query parameter, when the query parses and has one.
pub(crate) fn first_value(query: &Option<String>, name: &str) -> Option<String> {
    query_values(query, name)
        .ok()
        .and_then(|v| v.into_iter().next())
}

/// A JSON body with a strong ETag; 304 when the client already has it.
fn with_etag(headers: &HeaderMap, body: Vec<u8>) -> Response {
    use sha2::{Digest, Sha256};
    let etag = format!("\"{}\"", hex::encode(&Sha256::digest(&body)[..12]));
    let known = headers
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if known {
        return (StatusCode::NOT_MODIFIED, [("etag", etag)]).into_response();
    }
    (
        StatusCode::OK,
        [("etag", etag), ("content-type", "application/json".into())],
        body,
    )
        .into_response()
}

async fn capabilities(Authorized(sim): Authorized) -> Response {
    sim.count("capabilities");
    let mut s = sim.lock();
    let wrong = s.take_fault("capabilities").is_some();
    let mut caps = serde_json::json!({
        "protocol": if wrong { "hlidac-adapter/2" } else { PROTOCOL },
        "version": hlidac_adapters::PROTOCOL_VERSION,
        "kinds": ["receivables", "submissions"],
        "changes": true,
        "etag": true,
        "tracking": true,
        "registry_events": true,
        "max_page": 1000
    });
    if let Some(m) = caps.as_object_mut() {
        m.extend(s.announced.clone());
    }
    Json(caps).into_response()
}

/// `GET /v1/receivables` and `GET /v1/submissions`: the records of the people asked about
/// (`person_ref`, repeated), with an `ETag`, or the fault injected for lists. A request is
/// counted before its token is checked.
async fn list<T: Kind>(
    State(sim): State<Sim>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    sim.count(T::LIST);
    if let Some(r) = unauthorized(&sim, &headers) {
        return r;
    }
    let refs = match query_values(&query, "person_ref") {
        Ok(r) => r,
        Err(e) => return protocol_error(StatusCode::BAD_REQUEST, "bad_query", &e),
    };
    let (fault, mut records, tombstones) = {
        let mut s = sim.lock();
        let fault = s.take_fault("list");
        let records = T::table(&s).of(&refs);
        // Withdrawn records go out as their tombstones (protocol 1.1).
        let tombstones = (!s.withdrawn.is_empty())
            .then(|| records.iter().map(|r| s.wire(r)).collect::<Vec<_>>());
        (fault, records, tombstones)
    };
    if let (Some(values), None) = (tombstones, fault) {
        let body = serde_json::to_vec(&serde_json::json!({"records": values, "complete": true}))
            .unwrap_or_default();
        return with_etag(&headers, body);
    }
    let mut complete = true;
    match fault {
        None | Some(FaultKind::WrongVersion | FaultKind::BadCursor | FaultKind::Pass) => {}
        Some(FaultKind::Http500) => {
            // As a careless source would, it names the people it was asked about.
            return protocol_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                &format!("simulated failure reading {}", refs.join(", ")),
            );
        }
        Some(FaultKind::Timeout) => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
        Some(FaultKind::Empty) => records.clear(),
        Some(FaultKind::Malformed) => {
            return (StatusCode::OK, "{\"records\": [{\"key\": ").into_response();
        }
        Some(FaultKind::Shrink) => {
            let keep = records.len() / 2;
            records.truncate(keep);
        }
        Some(FaultKind::Incomplete) => complete = false,
        Some(FaultKind::Slow) => tokio::time::sleep(Duration::from_secs(2)).await,
        Some(kind @ (FaultKind::MissingField | FaultKind::WrongType | FaultKind::UnknownKind)) => {
            let mut values: Vec<serde_json::Value> = records
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
            if let Some(first) = values.first_mut().and_then(|v| v.as_object_mut()) {
                if kind == FaultKind::UnknownKind {
                    if first.contains_key("amount_due") {
                        first.insert("kind".into(), serde_json::json!("komunalna_taksa"));
                    }
                } else if kind == FaultKind::MissingField {
                    first.remove("currency");
                    first.remove("matter");
                } else if first.contains_key("amount_due") {
                    first.insert("amount_due".into(), serde_json::json!(900.0));
                } else {
                    first.insert("status".into(), serde_json::json!(7));
                }
            }
            return Json(serde_json::json!({"records": values, "complete": true})).into_response();
        }
    }
    #[derive(Serialize)]
    struct ListBody<'a, T> {
        records: &'a [T],
        complete: bool,
    }
    let body = serde_json::to_vec(&ListBody {
        records: &records,
        complete,
    })
    .unwrap_or_default();
    let response = with_etag(&headers, body);
    if response.status() == StatusCode::NOT_MODIFIED {
        sim.count("not_modified");
    }
    response
}

/// `GET /v1/submissions/track?registration_index=…&access_code=…`: one submission, or 404
/// alike for an unknown index and a wrong code.
async fn track_submission(Authorized(sim): Authorized, RawQuery(q): RawQuery) -> Response {
    sim.count("track");
    let one = |name: &str| first_value(&q, name).filter(|v| !v.is_empty());
    let (Some(index), Some(code)) = (one("registration_index"), one("access_code")) else {
        return protocol_error(
            StatusCode::BAD_REQUEST,
            "bad_query",
            "registration_index and access_code are required",
        );
    };
    let found = {
        let mut s = sim.lock();
        if let Some(FaultKind::Http500) = s.take_fault("list") {
            return protocol_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "simulated failure",
            );
        }
        s.submissions
            .rows
            .iter()
            .find(|r| {
                r.reference.registration_index.as_deref() == Some(index.as_str())
                    && s.access_codes.get(&r.key) == Some(&code)
            })
            .cloned()
    };
    match found {
        Some(record) => {
            Json(serde_json::json!({"records": [record], "complete": true})).into_response()
        }
        None => protocol_error(
            StatusCode::NOT_FOUND,
            "not_found",
            "no document with this registration index and access code",
        ),
    }
}

/// `GET /v1/changes[?cursor=…&limit=…]`: without a cursor, the current head; with one, the
/// records changed since, a page at a time.
async fn changes(Authorized(sim): Authorized, RawQuery(q): RawQuery) -> Response {
    sim.count("changes");
    let limit = first_value(&q, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(CHANGE_PAGE)
        .clamp(1, CHANGE_PAGE);
    let mut s = sim.lock();
    let head = format!("c{}", s.seq);
    let Some(cursor) = first_value(&q, "cursor") else {
        return Json(serde_json::json!({
            "receivables": [], "submissions": [], "next_cursor": head, "more": false
        }))
        .into_response();
    };
    let oldest = s.log.front().map(|e| e.0).unwrap_or(s.seq + 1);
    let from = cursor
        .strip_prefix('c')
        .and_then(|n| n.parse::<u64>().ok())
        .filter(|&n| n <= s.seq && n + 1 >= oldest);
    let Some(from) = from else {
        if s.take_fault("changes").is_some() {
            return Json(serde_json::json!({
                "receivables": [], "submissions": [], "next_cursor": cursor, "more": false
            }))
            .into_response();
        }
        return protocol_error(
            StatusCode::GONE,
            "cursor_expired",
            "this cursor is unknown or too old; read everything again",
        );
    };
    let replay_from = from.saturating_sub(CHANGE_OVERLAP);
    let entries: Vec<(u64, &'static str, String)> = s
        .log
        .iter()
        .filter(|e| e.0 > replay_from)
        .take(limit + CHANGE_OVERLAP as usize)
        .cloned()
        .collect();
    let last = entries.last().map(|e| e.0).unwrap_or(from).max(from);
    let more = s.log.back().is_some_and(|e| e.0 > last);
    let mut receivables = Vec::new();
    let mut submissions = Vec::new();
    for (_, kind, key) in &entries {
        if *kind == Receivable::KIND {
            receivables.extend(s.receivables.get(key).map(|r| s.wire(r)));
        } else {
            submissions.extend(s.submissions.get(key).map(|r| s.wire(r)));
        }
    }
    Json(serde_json::json!({
        "receivables": receivables,
        "submissions": submissions,
        "next_cursor": format!("c{last}"),
        "more": more,
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    #[tokio::test]
    async fn the_registry_finds_a_person_only_with_a_purpose_and_matching_attributes() {
        use hlidac_adapters::source::{MatchRequest, RegistrySource};
        let identity =
            serde_json::json!({"family_name": "Nováková", "date_of_birth": "1980-02-03"});
        let person = RegistryPerson {
            person_ref: "CZ-REF-1".into(),
            documents: vec![Document {
                kind: "id_card".into(),
                number_masked: Some("****4321".into()),
                valid_until: NaiveDate::from_ymd_opt(2027, 1, 31).expect("date"),
            }],
        };
        let scenario = Scenario {
            registry: vec![RegistryEntry {
                identity: identity.as_object().cloned().unwrap_or_default(),
                person: person.clone(),
            }],
            ..Scenario::default()
        };
        let sim = Sim::new(scenario, Some("t".into()));
        let url = sim.serve_on_loopback().await.expect("a loopback port");
        let adapter = hlidac_adapters::http::HttpAdapter::new(
            &url,
            Some("t".into()),
            Duration::from_secs(5),
            10,
        )
        .expect("adapter");
        let ask = |identity: serde_json::Value, purpose: &str| MatchRequest {
            purpose: purpose.into(),
            legal_basis: "§ 14 zákona č. 111/2009 Sb.".into(),
            identity,
        };
        let mut more = identity.clone();
        more["given_name"] = "Jana".into();
        let found = adapter
            .match_person(&ask(more, "alerts about local fees"))
            .await
            .expect("answer");
        assert_eq!(found, Some(person));
        let other = serde_json::json!({"family_name": "Nováková", "date_of_birth": "1980-02-04"});
        assert_eq!(
            adapter
                .match_person(&ask(other, "alerts"))
                .await
                .expect("answer"),
            None
        );
        let refused = adapter.match_person(&ask(identity, " ")).await;
        assert!(
            matches!(
                refused,
                Err(hlidac_adapters::AdapterError::Status { status: 400, .. })
            ),
            "{refused:?}"
        );
    }

    #[test]
    fn the_change_feed_replays_an_overlap_and_expires_old_cursors() {
        let today = NaiveDate::from_ymd_opt(2026, 3, 1).expect("date");
        let sim = Sim::new(synthetic_scenario(3, 4, today), None);
        assert_eq!(sim.lock().seq, 0);
        assert_eq!(
            sim.churn(0.5),
            6,
            "3 of 6 receivables and 3 of 6 submissions"
        );
        let s = sim.lock();
        assert_eq!(s.seq, 6);
        assert_eq!(s.receivables.of(&[synthetic_person(1)]).len(), 2);
        assert_eq!(
            s.receivables.get("R-SYN-0000000-000").map(|r| r.status),
            Some(ReceivableStatus::Paid)
        );
        drop(s);
        sim.expire_cursors();
        let s = sim.lock();
        assert!(s.log.is_empty());
        assert!(s.seq > CHANGE_LOG_KEEP as u64);
    }
}
