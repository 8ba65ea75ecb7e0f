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
use crate::app::App;
use crate::notify::unsubscribe::check;
use axum::body::Bytes;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::collections::HashMap;
use std::sync::Arc;

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

/// A valid unsubscribe link: the app, the citizen, the topic it stops (None: every topic)
/// and the page's language. An extractor: a link that does not verify is answered with
/// the page saying so (404) before a handler runs.
struct Link {
    app: Arc<App>,
    token: String,
    citizen: String,
    topic: Option<String>,
    lang: &'static str,
}

impl FromRequestParts<CurrentApp> for Link {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &CurrentApp) -> Result<Self, Response> {
        let app = state.borrow().clone();
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let token = params.get("token").cloned().unwrap_or_default();
        let Some((citizen, topic)) = check(&app.crypto, &token) else {
            let lang = language_of(&app, &parts.headers, None).await;
            return Err(pages::message(
                StatusCode::NOT_FOUND,
                lang,
                "unsubscribe-bad",
                "unsubscribe-bad-text",
            ));
        };
        let lang = language_of(&app, &parts.headers, Some(&citizen)).await;
        Ok(Link {
            app,
            token,
            citizen,
            topic,
            lang,
        })
    }
}

impl Link {
    /// What the pages say of the citizen.
    async fn context(&self) -> Unsubscribe<'_> {
        context(
            &self.app,
            &self.citizen,
            self.lang,
            &self.token,
            self.topic.as_deref(),
        )
        .await
    }
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

async fn page(link: Link) -> Response {
    pages::respond(
        StatusCode::OK,
        "unsubscribe.html",
        link.lang,
        link.context().await,
    )
}

async fn confirm(link: Link) -> Response {
    let (citizens, lang) = (&link.app.citizens, link.lang);
    let topic = link.topic.as_deref();
    match citizens.unsubscribe(&link.citizen, topic).await {
        Ok(stopped) => {
            tracing::info!(topic = topic.unwrap_or("all"), "a citizen unsubscribed");
            let ctx = link.context().await;
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
async fn undo(link: Result<Link, Response>, body: Bytes) -> Response {
    // The body is read (and its limit applied) before the link is looked at.
    let link = match link {
        Ok(link) => link,
        Err(r) => return r,
    };
    let (citizens, lang) = (&link.app.citizens, link.lang);
    let topic = link.topic.as_deref();
    let topics: Vec<&str> = url::form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "topic")
        .filter_map(|(_, v)| crate::store::TOPICS.iter().copied().find(|t| *t == v))
        .filter(|t| topic.is_none_or(|want| want == *t))
        .collect();
    match citizens.resubscribe(&link.citizen, &topics).await {
        Ok(()) => {
            tracing::info!(topics = topics.len(), "a citizen undid an unsubscribe");
            let ctx = link.context().await;
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
