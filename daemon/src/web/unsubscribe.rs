//! One-click unsubscribe without logging in (RFC 8058). Every e-mail carries
//! `List-Unsubscribe: <…/unsubscribe/TOKEN>` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`; mail clients POST to it, a person clicking the link gets a
//! page with a button (so that a link scanner fetching the page unsubscribes nobody).
//!
//! Both pages name the municipality and the e-mail addresses concerned and lead on: to
//! the settings ("change what you receive") and the overview; once done, an undo button
//! subscribes the citizen again to what the link stopped.
//!
//! TOKEN is made and checked by [`crate::notify::unsubscribe`].

use super::views::{Message, Onward, TenantRef, Unsubscribe};
use super::{pages, CurrentApp};
use crate::notify::unsubscribe::check;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;

pub fn routes() -> Router<CurrentApp> {
    Router::new()
        .route("/unsubscribe/{token}", get(page).post(confirm))
        .route("/unsubscribe/{token}/undo", post(undo))
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

/// What the pages say of the citizen: their municipality (id and name) and their e-mail
/// addresses.
async fn context<'a>(
    app: &'a crate::app::App,
    citizen: &str,
    lang: &str,
    token: &str,
    topic: Option<&'a str>,
) -> Unsubscribe<'a> {
    let c = app.store.citizen(citizen).await.ok().flatten();
    let tenant = c.as_ref().and_then(|c| app.config.tenant(&c.tenant_id));
    let addresses: Vec<String> = app
        .citizens
        .contacts(citizen)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|k| k.channel == "email" && !k.address.is_empty())
        .map(|k| k.address)
        .collect();
    Unsubscribe {
        title: crate::i18n::t(lang, "unsubscribe-title", &[]),
        tenant: tenant.map(TenantRef::of),
        addresses: addresses.join(", "),
        topic: topic.unwrap_or("all"),
        here: format!("/unsubscribe/{token}"),
        done: false,
        undo: Vec::new(),
    }
}

async fn page(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let app = current.borrow().clone();
    let (citizen, topic, lang) = match checked(&app, &token, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let ctx = context(&app, &citizen, lang, &token, topic.as_deref()).await;
    pages::respond(StatusCode::OK, "unsubscribe.html", lang, ctx)
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
    // What the link stops, to offer it back.
    let stopped: Vec<String> = app
        .store
        .subscriptions_of(&citizen)
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|(t, ch)| ch == "email" && topic.as_deref().is_none_or(|want| want == t))
        .map(|(t, _)| t)
        .collect();
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
            let ctx = context(&app, &citizen, lang, &token, topic.as_deref()).await;
            let page = Unsubscribe {
                title: crate::i18n::t(lang, "unsubscribe-done", &[]),
                done: true,
                undo: stopped,
                ..ctx
            };
            pages::respond(StatusCode::OK, "unsubscribe.html", lang, page)
        }
        Err(e) => unavailable(lang, e),
    }
}

/// Subscribes the citizen again to the topics the link stopped (only those it could stop).
async fn undo(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let app = current.borrow().clone();
    let (citizen, topic, lang) = match checked(&app, &token, &headers).await {
        Ok(c) => c,
        Err(r) => return r,
    };
    let topics: Vec<&str> = url::form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "topic")
        .filter_map(|(_, v)| crate::store::TOPICS.iter().copied().find(|t| *t == v))
        .filter(|t| topic.as_deref().is_none_or(|want| want == *t))
        .collect();
    match app
        .store
        .resubscribe_email(&citizen, &topics, app.clock.now_ms())
        .await
    {
        Ok(()) => {
            tracing::info!(topics = topics.len(), "a citizen undid an unsubscribe");
            let ctx = context(&app, &citizen, lang, &token, topic.as_deref()).await;
            let (id, name) = ctx.tenant.as_ref().map_or(("", ""), |t| (t.id, t.name));
            let page = Message {
                title: crate::i18n::t(lang, "unsubscribe-undone", &[]),
                text: crate::i18n::t(lang, "unsubscribe-undone-text", &[("tenant", name.into())]),
                onward: vec![Onward {
                    href: format!("/t/{id}/settings"),
                    text: crate::i18n::t(lang, "unsubscribe-change", &[]),
                }],
                here: Some(ctx.here),
                tenant: ctx.tenant,
            };
            pages::respond(StatusCode::OK, "message.html", lang, page)
        }
        Err(e) => unavailable(lang, e),
    }
}

fn unavailable(lang: &str, e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "unsubscribe: database error");
    pages::message(
        StatusCode::SERVICE_UNAVAILABLE,
        lang,
        "try-later",
        "try-later-text",
    )
}
