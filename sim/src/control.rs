//! The simulator's control endpoints (`/control/…`, described in `sim/README.md`): not
//! part of the protocol, so not in the vendors' documents.

use crate::scenario::FaultRequest;
use crate::Sim;
use axum::extract::State;
use axum::http::StatusCode;
use axum::Json;
use serde::Deserialize;

pub(crate) async fn step(State(sim): State<Sim>) -> Json<serde_json::Value> {
    let label = sim.step();
    Json(serde_json::json!({"applied": sim.applied_steps(), "label": label}))
}

pub(crate) async fn fault(State(sim): State<Sim>, Json(req): Json<FaultRequest>) -> StatusCode {
    sim.inject(req.kind, req.times);
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
pub(crate) struct ChurnRequest {
    share: f64,
}

pub(crate) async fn churn(
    State(sim): State<Sim>,
    Json(req): Json<ChurnRequest>,
) -> Json<serde_json::Value> {
    Json(serde_json::json!({"changed": sim.churn(req.share)}))
}

pub(crate) async fn state(State(sim): State<Sim>) -> Json<serde_json::Value> {
    let s = sim.lock();
    Json(serde_json::json!({
        "applied": s.applied,
        "steps": s.timeline.len(),
        "faults": s.faults.iter().collect::<Vec<_>>(),
        "receivables": s.receivables.rows.len(),
        "submissions": s.submissions.rows.len(),
        "cursor": format!("c{}", s.seq),
    }))
}
