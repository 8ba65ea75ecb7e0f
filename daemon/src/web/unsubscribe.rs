//! One-click unsubscribe without logging in (RFC 8058). Every e-mail carries
//! `List-Unsubscribe: <…/unsubscribe/TOKEN>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`; mail clients POST to it, a person clicking the link gets a
//! page with a button (so that a link scanner fetching the page unsubscribes nobody).
//!
//! TOKEN is made and checked by [`crate::notify::unsubscribe`].

use super::{pages, CurrentApp};
use crate::notify::unsubscribe::check;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use axum::Router;

pub fn routes() -> Router<CurrentApp> {
    Router::new().route("/unsubscribe/{token}", get(page).post(confirm))
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

/// The citizen, topic and page language of a valid token; else the page saying the link
/// is not valid.
async fn checked(
    app: &crate::app::App,
    token: &str,
    headers: &HeaderMap,
) -> Result<(String, Option<String>, &'static str), Response> {
    let Some((citizen, topic)) = check(&app.crypto, token) else {
        let lang = language_of(app, headers, None).await;
        return Err(pages::message(
            StatusCode::NOT_FOUND,
            lang,
            "unsubscribe-bad",
            "unsubscribe-bad-text",
        ));
    };
    let lang = language_of(app, headers, Some(&citizen)).await;
    Ok((citizen, topic, lang))
}

async fn page(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let (_, topic, lang) = match checked(&app, &token, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
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
    let (citizen, topic, lang) = match checked(&app, &token, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
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
