//! One-click unsubscribe without logging in (RFC 8058). Every e-mail carries
//! `List-Unsubscribe: <…/unsubscribe/TOKEN>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`; mail clients POST to it, a person clicking the link gets a
//! page with a button (so that a link scanner fetching the page unsubscribes nobody).
//!
//! TOKEN = `<citizen id>.<topic or "all">.<MAC>`: it cannot be forged or turned into
//! another citizen's, and it carries nothing personal.

use super::CurrentApp;
use crate::store::TOPICS;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;

const DOMAIN: &str = "unsubscribe";

pub fn routes() -> Router<CurrentApp> {
    Router::new().route("/unsubscribe/{token}", get(page).post(confirm))
}

/// The token for a citizen's topic (`None` = all alerts).
pub fn token(crypto: &crate::crypto::Crypto, citizen_id: &str, topic: Option<&str>) -> String {
    let what = format!("{citizen_id}.{}", topic.unwrap_or("all"));
    let mac = crypto.sign(DOMAIN, &what);
    format!("{what}.{mac}")
}

/// The citizen and topic of a valid token.
fn check(crypto: &crate::crypto::Crypto, token: &str) -> Option<(String, Option<String>)> {
    let mut parts = token.splitn(3, '.');
    let (citizen, topic, mac) = (parts.next()?, parts.next()?, parts.next()?);
    let known = topic == "all" || TOPICS.contains(&topic);
    if !known || !crypto.verify(DOMAIN, &format!("{citizen}.{topic}"), mac) {
        return None;
    }
    Some((
        citizen.to_string(),
        (topic != "all").then(|| topic.to_string()),
    ))
}

fn html(status: StatusCode, body: &str) -> Response {
    let page = format!(
        "<!doctype html><html lang=\"cs\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>hlidac</title></head><body><main>{body}</main></body></html>"
    );
    (status, Html(page)).into_response()
}

fn topic_words(topic: Option<&str>) -> (&'static str, &'static str) {
    match topic {
        Some("receivables") => ("o poplatcích a platbách", "about fees and payments"),
        Some("submissions") => ("o vašich podáních", "about your submissions"),
        Some("documents") => ("o platnosti dokladů", "about your documents"),
        _ => ("žádná upozornění", "no alerts at all"),
    }
}

async fn page(State(current): State<CurrentApp>, Path(token): Path<String>) -> Response {
    let app = current.borrow().clone();
    let Some((_, topic)) = check(&app.crypto, &token) else {
        return html(
            StatusCode::NOT_FOUND,
            "<h1>Odkaz neplatí / This link is not valid</h1>",
        );
    };
    let (cs, en) = topic_words(topic.as_deref());
    html(
        StatusCode::OK,
        &format!(
            "<h1>Odhlásit upozornění / Stop alerts</h1>\
             <p lang=\"cs\">Po potvrzení vám už nebudeme posílat e-maily {cs}.</p>\
             <p lang=\"en\">After you confirm, you will receive {en} by e-mail.</p>\
             <form method=\"post\"><button type=\"submit\">Odhlásit / Unsubscribe</button></form>"
        ),
    )
}

async fn confirm(State(current): State<CurrentApp>, Path(token): Path<String>) -> Response {
    let app = current.borrow().clone();
    let Some((citizen, topic)) = check(&app.crypto, &token) else {
        return html(
            StatusCode::NOT_FOUND,
            "<h1>Odkaz neplatí / This link is not valid</h1>",
        );
    };
    match app
        .store
        .unsubscribe(&citizen, topic.as_deref(), app.clock.now_ms())
        .await
    {
        Ok(_) => {
            tracing::info!(
                topic = topic.as_deref().unwrap_or("all"),
                "a citizen unsubscribed"
            );
            html(
                StatusCode::OK,
                "<h1>Hotovo / Done</h1><p lang=\"cs\">Odběr je zrušen.</p>\
                 <p lang=\"en\">You are unsubscribed.</p>",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe: database error");
            html(
                StatusCode::SERVICE_UNAVAILABLE,
                "<h1>Zkuste to prosím později / Please try again later</h1>",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_and_cannot_be_altered() {
        let c = crate::crypto::Crypto::from_master(&[3u8; 32]);
        let t = token(&c, "abc123", Some("receivables"));
        assert_eq!(
            check(&c, &t),
            Some(("abc123".into(), Some("receivables".into())))
        );
        assert_eq!(
            check(&c, &token(&c, "abc123", None)),
            Some(("abc123".into(), None))
        );
        assert_eq!(
            check(&c, &t.replace("abc123", "abc124")),
            None,
            "another citizen"
        );
        assert_eq!(
            check(&c, &t.replace("receivables", "all")),
            None,
            "another topic"
        );
        let other = crate::crypto::Crypto::from_master(&[4u8; 32]);
        assert_eq!(check(&other, &t), None, "another key");
        assert_eq!(check(&c, "garbage"), None);
    }
}
