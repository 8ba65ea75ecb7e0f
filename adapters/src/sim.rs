//! The municipality simulator: a stand-in for a town's receivables module and filing system
//! that speaks the published pull protocol, follows a scripted timeline of changes and
//! injects faults on request. The demo and the tests run it; it is never used in production.
//!
//! Control endpoints (no auth, bind it to loopback):
//! - `POST /control/step` applies the next timeline step, `{"applied": n, "label": …}`;
//! - `POST /control/fault` with `{"kind": "http500"|"timeout"|"empty"|"malformed"|"shrink"|"incomplete", "times": n}`
//!   makes the next `n` list calls fail that way;
//! - `GET /control/state` shows the step reached and the faults pending.

use crate::records::*;
use crate::PROTOCOL;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A dataset and the changes that happen to it, in order.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    #[serde(default)]
    pub receivables: Vec<Receivable>,
    #[serde(default)]
    pub submissions: Vec<Submission>,
    #[serde(default)]
    pub timeline: Vec<Step>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// In `--auto` mode, seconds after the simulator started at which the step applies.
    pub at_secs: u64,
    pub label: String,
    pub changes: Vec<Change>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case", deny_unknown_fields)]
pub enum Change {
    PutReceivable {
        record: Receivable,
    },
    PutSubmission {
        record: Submission,
    },
    PayReceivable {
        key: String,
    },
    SetSubmissionStatus {
        key: String,
        status: SubmissionStatus,
        #[serde(default)]
        status_native: Option<String>,
        #[serde(default)]
        assigned_to: Option<String>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Http500,
    Timeout,
    Empty,
    Malformed,
    Shrink,
    Incomplete,
    /// The first record lacks `currency` (receivables) or `matter` (submissions).
    MissingField,
    /// The first record's amount (or status) has the wrong JSON type.
    WrongType,
    /// The capabilities announce another protocol version (consumed by /v1/capabilities).
    WrongVersion,
    /// Answers correctly, two seconds late.
    Slow,
}

#[derive(Debug, Deserialize)]
struct FaultRequest {
    kind: FaultKind,
    #[serde(default = "one")]
    times: u32,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Default)]
struct SimState {
    receivables: Vec<Receivable>,
    submissions: Vec<Submission>,
    timeline: Vec<Step>,
    applied: usize,
    faults: VecDeque<FaultKind>,
    version: u64,
}

impl SimState {
    fn next_version(&mut self) -> String {
        self.version += 1;
        self.version.to_string()
    }

    fn apply(&mut self, change: Change) {
        match change {
            Change::PutReceivable { record } => {
                self.receivables.retain(|r| r.key != record.key);
                self.receivables.push(record);
            }
            Change::PutSubmission { record } => {
                self.submissions.retain(|r| r.key != record.key);
                self.submissions.push(record);
            }
            Change::PayReceivable { key } => {
                let v = self.next_version();
                if let Some(r) = self.receivables.iter_mut().find(|r| r.key == key) {
                    r.status = ReceivableStatus::Paid;
                    r.amount_outstanding = Money(0);
                    r.instalments.iter_mut().for_each(|i| i.paid = true);
                    r.version = Some(v);
                }
            }
            Change::SetSubmissionStatus {
                key,
                status,
                status_native,
                assigned_to,
            } => {
                let v = self.next_version();
                if let Some(s) = self.submissions.iter_mut().find(|s| s.key == key) {
                    s.status = status;
                    s.status_native = status_native;
                    if assigned_to.is_some() {
                        s.assigned_to = assigned_to;
                    }
                    s.version = Some(v);
                }
            }
        }
    }

    /// Applies the next step; `None` when the timeline is over.
    fn step(&mut self) -> Option<String> {
        let step = self.timeline.get(self.applied)?.clone();
        for change in step.changes {
            self.apply(change);
        }
        self.applied += 1;
        Some(step.label)
    }
}

/// A running simulator's shared state; clone it into tests to drive the timeline directly.
#[derive(Clone, Debug)]
pub struct Sim {
    state: Arc<Mutex<SimState>>,
    token: Option<String>,
}

impl Sim {
    pub fn new(scenario: Scenario, token: Option<String>) -> Sim {
        let state = SimState {
            receivables: scenario.receivables,
            submissions: scenario.submissions,
            timeline: scenario.timeline,
            version: 1000,
            ..SimState::default()
        };
        Sim {
            state: Arc::new(Mutex::new(state)),
            token,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, SimState> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Applies the next timeline step and returns its label.
    pub fn step(&self) -> Option<String> {
        self.lock().step()
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
            .route("/v1/receivables", get(list_receivables))
            .route("/v1/submissions", get(list_submissions))
            .route("/control/step", post(control_step))
            .route("/control/fault", post(control_fault))
            .route("/control/state", get(control_state))
            .with_state(self.clone())
    }

    /// Serves on an already bound listener until the task is dropped.
    pub async fn serve(self, listener: tokio::net::TcpListener) -> std::io::Result<()> {
        axum::serve(listener, self.router()).await
    }
}

fn protocol_error(status: StatusCode, code: &str, message: &str) -> Response {
    (
        status,
        Json(serde_json::json!({"error": code, "message": message})),
    )
        .into_response()
}

fn authorized(sim: &Sim, headers: &HeaderMap) -> bool {
    let Some(token) = &sim.token else {
        return true;
    };
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "));
    given == Some(token.as_str())
}

fn person_refs(query: Option<String>) -> Result<Vec<String>, String> {
    let pairs: Vec<(String, String)> =
        serde_urlencoded::from_str(query.as_deref().unwrap_or("")).map_err(|e| e.to_string())?;
    Ok(pairs
        .into_iter()
        .filter(|(k, _)| k == "person_ref")
        .map(|(_, v)| v)
        .collect())
}

async fn capabilities(State(sim): State<Sim>, headers: HeaderMap) -> Response {
    if !authorized(&sim, &headers) {
        return protocol_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        );
    }
    let wrong = {
        let mut s = sim.lock();
        let wrong = s.faults.front() == Some(&FaultKind::WrongVersion);
        if wrong {
            s.faults.pop_front();
        }
        wrong
    };
    Json(serde_json::json!({
        "protocol": if wrong { "hlidac-adapter/2" } else { PROTOCOL },
        "kinds": ["receivables", "submissions"],
        "changes": false,
        "max_page": 1000
    }))
    .into_response()
}

async fn list<T: Serialize + Clone>(
    sim: &Sim,
    headers: &HeaderMap,
    query: Option<String>,
    pick: impl Fn(&SimState) -> Vec<T>,
    person_ref: impl Fn(&T) -> &str,
) -> Response {
    if !authorized(sim, headers) {
        return protocol_error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "a valid bearer token is required",
        );
    }
    let refs = match person_refs(query) {
        Ok(r) => r,
        Err(e) => return protocol_error(StatusCode::BAD_REQUEST, "bad_query", &e),
    };
    let (fault, mut records) = {
        let mut s = sim.lock();
        let fault = s.faults.pop_front();
        (fault, pick(&s))
    };
    records.retain(|r| refs.iter().any(|p| p == person_ref(r)));
    let mut complete = true;
    match fault {
        None => {}
        Some(FaultKind::Http500) => {
            return protocol_error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                "simulated failure",
            )
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
        Some(FaultKind::WrongVersion) => {}
        Some(kind @ (FaultKind::MissingField | FaultKind::WrongType)) => {
            let mut values: Vec<serde_json::Value> = records
                .iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect();
            if let Some(first) = values.first_mut().and_then(|v| v.as_object_mut()) {
                if kind == FaultKind::MissingField {
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
    Json(serde_json::json!({"records": records, "complete": complete})).into_response()
}

async fn list_receivables(
    State(sim): State<Sim>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(
        &sim,
        &headers,
        q,
        |s| s.receivables.clone(),
        |r| &r.person_ref,
    )
    .await
}

async fn list_submissions(
    State(sim): State<Sim>,
    headers: HeaderMap,
    RawQuery(q): RawQuery,
) -> Response {
    list(
        &sim,
        &headers,
        q,
        |s| s.submissions.clone(),
        |r| &r.person_ref,
    )
    .await
}

async fn control_step(State(sim): State<Sim>) -> Json<serde_json::Value> {
    let label = sim.step();
    Json(serde_json::json!({"applied": sim.applied_steps(), "label": label}))
}

async fn control_fault(State(sim): State<Sim>, Json(req): Json<FaultRequest>) -> StatusCode {
    sim.inject(req.kind, req.times);
    StatusCode::NO_CONTENT
}

async fn control_state(State(sim): State<Sim>) -> Json<serde_json::Value> {
    let s = sim.lock();
    Json(serde_json::json!({
        "applied": s.applied,
        "steps": s.timeline.len(),
        "faults": s.faults.iter().collect::<Vec<_>>(),
        "receivables": s.receivables.len(),
        "submissions": s.submissions.len(),
    }))
}

/// Person references of the built-in demo scenario.
pub const DEMO_PERSON_JANA: &str = "CZ-DEMO-0001";
pub const DEMO_PERSON_PETR: &str = "CZ-DEMO-0002";

fn day(today: NaiveDate, offset: i64) -> NaiveDate {
    if offset >= 0 {
        today + Days::new(offset as u64)
    } else {
        today - Days::new(offset.unsigned_abs())
    }
}

fn fee(
    key: &str,
    person: &str,
    kind: ReceivableKind,
    title: &str,
    amount: i64,
    due: NaiveDate,
    vs: &str,
) -> Receivable {
    Receivable {
        key: key.into(),
        person_ref: person.into(),
        kind,
        title: title.into(),
        period: Some(due.format("%Y").to_string()),
        currency: "CZK".into(),
        amount_due: Money(amount),
        amount_outstanding: Money(amount),
        instalments: vec![Instalment {
            no: 1,
            due_date: due,
            amount: Money(amount),
            paid: false,
        }],
        early_discount: None,
        payment: Some(PaymentInfo {
            account: Some("19-1234567/0100".into()),
            iban: None,
            variable_symbol: Some(vs.into()),
            reference: None,
        }),
        status: ReceivableStatus::Open,
        updated_at: None,
        version: Some("1".into()),
    }
}

/// The demo town's data with dates relative to `today`: Jana (Czech) has a waste fee due in
/// 3 days, a dog fee due in 20 days and a building-permit request; Petr (English) has a
/// property tax due in 14 days. The timeline pays the waste fee, assigns and then resolves
/// the request, and adds a new parking permit fee for Petr.
pub fn demo_scenario(today: NaiveDate) -> Scenario {
    let waste = fee(
        "R-2026-000123",
        DEMO_PERSON_JANA,
        ReceivableKind::WasteFee,
        "Poplatek za obecní systém odpadového hospodářství",
        90000,
        day(today, 3),
        "1337000123",
    );
    let dog = fee(
        "R-2026-000124",
        DEMO_PERSON_JANA,
        ReceivableKind::DogFee,
        "Poplatek ze psů",
        60000,
        day(today, 20),
        "1337000124",
    );
    let property = fee(
        "R-2026-000200",
        DEMO_PERSON_PETR,
        ReceivableKind::PropertyTax,
        "Property tax",
        245000,
        day(today, 14),
        "1337000200",
    );
    let parking = fee(
        "R-2026-000201",
        DEMO_PERSON_PETR,
        ReceivableKind::Parking,
        "Residential parking permit",
        120000,
        day(today, 30),
        "1337000201",
    );
    let request = Submission {
        key: "MUDE-2026-1234".into(),
        person_ref: DEMO_PERSON_JANA.into(),
        reference: SubmissionReference {
            filing_number: Some("MUDE 1234/2026".into()),
            case_number: None,
        },
        matter: "Žádost o vydání stavebního povolení".into(),
        received_at: None,
        status: SubmissionStatus::Received,
        status_native: Some("nevyrizen".into()),
        assigned_to: None,
        deadline: Some(day(today, 30)),
        history: Vec::new(),
        updated_at: None,
        version: Some("1".into()),
    };
    Scenario {
        receivables: vec![waste.clone(), dog, property],
        submissions: vec![request],
        timeline: vec![
            Step {
                at_secs: 15,
                label: "Jana pays the waste fee".into(),
                changes: vec![Change::PayReceivable {
                    key: waste.key.clone(),
                }],
            },
            Step {
                at_secs: 25,
                label: "Jana's request is assigned to the building office".into(),
                changes: vec![Change::SetSubmissionStatus {
                    key: "MUDE-2026-1234".into(),
                    status: SubmissionStatus::Assigned,
                    status_native: Some("nevyrizen".into()),
                    assigned_to: Some("Stavební úřad".into()),
                }],
            },
            Step {
                at_secs: 35,
                label: "Petr gets a parking permit fee".into(),
                changes: vec![Change::PutReceivable { record: parking }],
            },
            Step {
                at_secs: 45,
                label: "Jana's request is resolved".into(),
                changes: vec![Change::SetSubmissionStatus {
                    key: "MUDE-2026-1234".into(),
                    status: SubmissionStatus::Resolved,
                    status_native: Some("vyrizen".into()),
                    assigned_to: None,
                }],
            },
        ],
    }
}
