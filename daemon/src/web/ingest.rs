//! `POST /ingest/{tenant}/{source}`: a municipality's system pushes changed records.
//!
//! Headers `X-Hlidac-Timestamp: <unix seconds>` and
//! `X-Hlidac-Signature: sha256=<hex HMAC-SHA-256(secret, timestamp + "." + body)>`. A
//! signature that does not verify or a timestamp more than 300 s from now is 401, a body
//! that does not parse is 400, an unknown or non-push source is 404, a body over 16 MiB
//! is 413 (the router's limit): nothing is stored.

use super::views::{api_error as error, api_not_found};
use super::CurrentApp;
use crate::watch::push::{apply_push, PushBody, PushError};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hlidac_adapters::push::PushBodyError;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// How far the sender's clock may be from ours.
const MAX_SKEW_SECS: u64 = 300;

pub fn routes() -> Router<CurrentApp> {
    Router::new().route("/ingest/{tenant}/{source}", post(ingest))
}

/// Checks the timestamp window and the signature; says what is wrong otherwise.
pub fn verify(
    secret: &[u8],
    headers: &HeaderMap,
    body: &[u8],
    now_secs: i64,
) -> Result<(), &'static str> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let ts_text = header("x-hlidac-timestamp").ok_or("missing X-Hlidac-Timestamp")?;
    let ts: i64 = ts_text
        .trim()
        .parse()
        .map_err(|_| "X-Hlidac-Timestamp is not a number")?;
    if ts.abs_diff(now_secs) > MAX_SKEW_SECS {
        return Err("the timestamp is more than 300 s away: check the sender's clock");
    }
    let sig_hex = header("x-hlidac-signature")
        .and_then(|v| v.trim().strip_prefix("sha256="))
        .ok_or("missing X-Hlidac-Signature: sha256=…")?;
    let sig = hex::decode(sig_hex).map_err(|_| "the signature is not hex")?;
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).map_err(|_| "bad secret")?;
    mac.update(ts_text.trim().as_bytes());
    mac.update(b".");
    mac.update(body);
    mac.verify_slice(&sig)
        .map_err(|_| "the signature does not verify")
}

async fn ingest(
    State(current): State<CurrentApp>,
    Path((tenant_id, source_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = current.borrow().clone();
    let pushed_to = app
        .config
        .tenant(&tenant_id)
        .and_then(|t| Some((t, t.source(&source_id)?)));
    let (Some((tenant, source)), Some(secret)) =
        (pushed_to, app.push_secret(&tenant_id, &source_id))
    else {
        return api_not_found("no push source with that name");
    };
    if let Err(why) = verify(secret, &headers, &body, app.clock.now().timestamp()) {
        tracing::warn!(tenant = %tenant_id, source = %source_id, reason = why, "push refused");
        return error(StatusCode::UNAUTHORIZED, "unauthorized", why);
    }
    let parsed: PushBody = match hlidac_adapters::push::parse_push_body(&body) {
        Ok(b) => b,
        Err(e) => {
            let (status, code) = match e {
                PushBodyError::Malformed(_) => (StatusCode::BAD_REQUEST, "malformed"),
                PushBodyError::Invalid(_) => (StatusCode::UNPROCESSABLE_ENTITY, "invalid"),
            };
            let msg = e.to_string();
            tracing::warn!(tenant = %tenant_id, source = %source_id, reason = %msg, "push refused");
            return error(status, code, &msg);
        }
    };
    match apply_push(&app.watch, tenant, source, parsed).await {
        Ok(outcome) => (StatusCode::OK, Json(outcome)).into_response(),
        Err(PushError::Invalid(why)) => {
            tracing::warn!(tenant = %tenant_id, source = %source_id, reason = %why, "push refused");
            error(StatusCode::UNPROCESSABLE_ENTITY, "invalid", &why)
        }
        Err(PushError::Store(e)) => {
            tracing::error!(error = %e, "push: database error");
            error(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "try again later",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signed(secret: &[u8], ts: &str, body: &[u8]) -> HeaderMap {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(secret).expect("key");
        mac.update(ts.as_bytes());
        mac.update(b".");
        mac.update(body);
        let sig = hex::encode(mac.finalize().into_bytes());
        let mut h = HeaderMap::new();
        h.insert("x-hlidac-timestamp", ts.parse().expect("header"));
        h.insert(
            "x-hlidac-signature",
            format!("sha256={sig}").parse().expect("header"),
        );
        h
    }

    #[test]
    fn a_timestamp_is_taken_within_the_window_and_any_other_number_refused() {
        let now = 1_800_000_000;
        let ok = |ts: i64| verify(b"k", &signed(b"k", &ts.to_string(), b"{}"), b"{}", now);
        assert_eq!(ok(now), Ok(()));
        assert_eq!(ok(now - 300), Ok(()));
        assert_eq!(ok(now + 300), Ok(()));
        // The extremes of the number range: refused for their distance, not a panic or a
        // wrapped subtraction that passes.
        for ts in [now - 301, now + 301, i64::MIN, i64::MAX, now - i64::MAX, -1] {
            let said = ok(ts).expect_err("out of the window");
            assert!(said.contains("300 s"), "{ts}: {said}");
        }
        assert_eq!(
            verify(b"k", &signed(b"other", &now.to_string(), b"{}"), b"{}", now),
            Err("the signature does not verify")
        );
    }
}
