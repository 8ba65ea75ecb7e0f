//! The account pages' axum extractors: the session's citizen on a page (with or without
//! consent given) and a form they posted with its CSRF token checked. A request that
//! cannot be one is answered by the extractor: the landing page without a session, the
//! consent page before consent, a "form expired" page for a stale or foreign form.

use super::*;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use std::collections::HashMap;

/// The session's citizen on one of their pages; `CONSENT`: only once they consented.
pub(super) struct Visitor<const CONSENT: bool>(pub Visit);

/// The citizen on a page that needs their consent (all but the consent page).
pub(super) type Citizen = Visitor<true>;

/// A form the session's citizen posted, its CSRF token checked; `CONSENT` as above.
pub(super) struct Posted<const CONSENT: bool>(pub Visit, pub FormData);

/// The municipality in the path and the language asked for in the query.
async fn tenant_and_lang(
    parts: &mut Parts,
    state: &CurrentApp,
) -> Result<(String, Option<String>), PageError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|e| PageError::Unreadable(Box::new(e.into_response())))?;
    let tenant = params.get("tenant").cloned().unwrap_or_default();
    let lang = Query::<PageQuery>::try_from_uri(&parts.uri)
        .ok()
        .and_then(|Query(q)| q.lang);
    Ok((tenant, lang))
}

impl<const CONSENT: bool> FromRequestParts<CurrentApp> for Visitor<CONSENT> {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &CurrentApp,
    ) -> Result<Self, Self::Rejection> {
        let (tenant, lang) = tenant_and_lang(parts, state).await?;
        visit(state, &tenant, &parts.headers, lang.as_deref(), CONSENT)
            .await
            .map(Visitor)
    }
}

impl<const CONSENT: bool> FromRequest<CurrentApp> for Posted<CONSENT> {
    type Rejection = PageError;

    async fn from_request(req: Request, state: &CurrentApp) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let (tenant, _) = tenant_and_lang(&mut parts, state).await?;
        let headers = parts.headers.clone();
        let body = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| PageError::Unreadable(Box::new(e.into_response())))?;
        posted(state, &tenant, &headers, &body, CONSENT)
            .await
            .map(|(v, form)| Posted(v, form))
    }
}
