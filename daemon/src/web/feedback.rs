//! `POST /feedback/{tenant}`: bounces and complaints from a relay provider that reports by
//! HTTP rather than by mail. Signed as pushes are (`X-Hlidac-Timestamp`,
//! `X-Hlidac-Signature: sha256=<hex HMAC-SHA-256(secret, timestamp + "." + body)>`, the
//! tenant's `feedback_secret_file`); the body is `{"events": [{"type": "bounce" |
//! "soft_bounce" | "complaint", "return_path": "bounces+…@…", "recipient": "…", "status":
//! "5.1.1"}]}`, each applied as `hlidac bounce` applies a DSN, and only to this tenant's
//! alerts. A bad signature is 401, a body that does not read 400 (naming the event and
//! field), an unknown tenant or one without a secret 404; nothing is changed then.

use super::ingest::verify;
use super::views::{api_error as error, api_not_found};
use super::CurrentApp;
use crate::notify::feedback;
use crate::ops::bounce::{apply, Taken};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};

pub fn routes() -> Router<CurrentApp> {
    Router::new().route("/feedback/{tenant}", post(take))
}

/// What became of a call's reports.
#[derive(Default, serde::Serialize)]
struct Outcome {
    applied: usize,
    /// Return paths that do not verify (forged, or not hlidac's).
    unverified: usize,
    /// Verified, but no alert of this tenant's held here.
    unknown: usize,
}

async fn take(
    State(current): State<CurrentApp>,
    Path(tenant): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = current.borrow().clone();
    let Some(secret) = app.feedback_secret(&tenant) else {
        return api_not_found("no feedback webhook for that municipality");
    };
    if let Err(why) = verify(secret, &headers, &body, app.clock.now().timestamp()) {
        tracing::warn!(tenant = %tenant, reason = why, "feedback refused");
        return error(StatusCode::UNAUTHORIZED, "unauthorized", why);
    }
    let reports = match feedback::from_json(&body) {
        Ok(r) => r,
        Err(why) => {
            tracing::warn!(tenant = %tenant, reason = %why, "feedback refused");
            return error(StatusCode::BAD_REQUEST, "malformed", &why);
        }
    };
    let mut outcome = Outcome::default();
    let now = app.clock.now_ms();
    for report in reports {
        let taken = apply(
            &app.config,
            &app.store,
            &app.crypto,
            report,
            None,
            Some(&tenant),
            now,
        )
        .await;
        match taken {
            Ok(Taken::Applied { .. }) => outcome.applied += 1,
            Ok(Taken::Unverified) => outcome.unverified += 1,
            Ok(Taken::UnknownAlert(_)) | Ok(Taken::Ignored(_)) => outcome.unknown += 1,
            Err(e) => {
                tracing::error!(error = %e, "feedback: database error");
                return error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "unavailable",
                    "try again later",
                );
            }
        }
    }
    (StatusCode::OK, Json(outcome)).into_response()
}
