//! One-click unsubscribe without logging in (RFC 8058). Every e-mail carries
//! `List-Unsubscribe: <…/unsubscribe/TOKEN>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`; mail clients POST to it, a person clicking the link gets a
//! page with a button (so that a link scanner fetching the page unsubscribes nobody).
//!
//! TOKEN = `<citizen id>.<topic or "all">.<MAC>`: it cannot be forged or turned into
//! another citizen's, and it carries nothing personal.

use super::{pages, CurrentApp};
use crate::store::TOPICS;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
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

/// The page's language: the citizen's, else their municipality's.
async fn language_of(
    app: &crate::app::App,
    headers: &HeaderMap,
    citizen: Option<&str>,
) -> &'static str {
    let c = match citizen {
        Some(id) => app.store.citizen(id).await.ok().flatten(),
        None => None,
    };
    let tenant_locale = c
        .as_ref()
        .and_then(|c| app.config.tenant(&c.tenant_id))
        .map(|t| t.locale.clone())
        .unwrap_or_else(|| crate::i18n::REFERENCE.into());
    pages::language(
        None,
        headers,
        c.as_ref().and_then(|c| c.locale.as_deref()),
        &tenant_locale,
    )
}

async fn page(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let Some((citizen, topic)) = check(&app.crypto, &token) else {
        let lang = language_of(&app, &headers, None).await;
        return pages::message(
            StatusCode::NOT_FOUND,
            lang,
            "unsubscribe-bad",
            "unsubscribe-bad-text",
        );
    };
    let lang = language_of(&app, &headers, Some(&citizen)).await;
    pages::respond(
        StatusCode::OK,
        "unsubscribe.html",
        lang,
        serde_json::json!({
            "title": crate::i18n::t(lang, "unsubscribe-title", &[]),
            "topic": topic.as_deref().unwrap_or("all"),
            "here": format!("/unsubscribe/{token}"),
        }),
    )
}

async fn confirm(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let Some((citizen, topic)) = check(&app.crypto, &token) else {
        let lang = language_of(&app, &headers, None).await;
        return pages::message(
            StatusCode::NOT_FOUND,
            lang,
            "unsubscribe-bad",
            "unsubscribe-bad-text",
        );
    };
    let lang = language_of(&app, &headers, Some(&citizen)).await;
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
            pages::message(
                StatusCode::OK,
                lang,
                "unsubscribe-done",
                "unsubscribe-done-text",
            )
        }
        Err(e) => {
            tracing::error!(error = %e, "unsubscribe: database error");
            pages::message(
                StatusCode::SERVICE_UNAVAILABLE,
                lang,
                "try-later",
                "try-later-text",
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
