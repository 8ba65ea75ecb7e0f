//! The registry's side of the simulator: matching a verified identity to a person
//! (`POST /v1/registry/match`) and the feed of what happened to people
//! (`GET /v1/registry/events`, protocol 1.1).

use crate::state::CHANGE_PAGE;
use crate::{first_value, protocol_error, Authorized};
use axum::extract::RawQuery;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;

#[derive(Deserialize)]
struct MatchBody {
    purpose: String,
    legal_basis: String,
    identity: serde_json::Map<String, serde_json::Value>,
}

/// `POST /v1/registry/match`: the person whose registry entry agrees with the identity, or
/// 404. A call without its purpose and legal basis is refused, as registry exchanges are.
pub(crate) async fn matching(Authorized(sim): Authorized, body: axum::body::Bytes) -> Response {
    sim.count("registry");
    let req: MatchBody = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => return protocol_error(StatusCode::BAD_REQUEST, "bad_request", &e.to_string()),
    };
    if req.purpose.trim().is_empty() || req.legal_basis.trim().is_empty() {
        return protocol_error(
            StatusCode::BAD_REQUEST,
            "purpose_required",
            "every registry call states its purpose and legal basis",
        );
    }
    let s = sim.lock();
    let found = s.registry.iter().find(|e| {
        !e.identity.is_empty()
            && e.identity
                .iter()
                .all(|(k, v)| req.identity.get(k) == Some(v))
    });
    match found {
        Some(e) => Json(&e.person).into_response(),
        None => protocol_error(StatusCode::NOT_FOUND, "no_match", "no such person"),
    }
}

/// `GET /v1/registry/events[?cursor=r<n>]`: without a cursor, the head; with one, the
/// events since, 500 a page; an unknown cursor gets `410 Gone`.
pub(crate) async fn events(Authorized(sim): Authorized, RawQuery(q): RawQuery) -> Response {
    sim.count("registry_events");
    let s = sim.lock();
    let total = s.registry_events.len();
    let cursor = first_value(&q, "cursor");
    let Some(cursor) = cursor else {
        return Json(serde_json::json!({"next_cursor": format!("r{total}")})).into_response();
    };
    let Some(from) = cursor
        .strip_prefix('r')
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|&n| n <= total)
    else {
        return protocol_error(StatusCode::GONE, "cursor_gone", "this cursor is unknown");
    };
    let to = (from + CHANGE_PAGE).min(total);
    Json(serde_json::json!({
        "events": &s.registry_events[from..to],
        "next_cursor": format!("r{to}"),
        "more": to < total,
    }))
    .into_response()
}
