//! The citizen's calendar feed: made on request from the overview, revoked from there too
//! (its URL then answers 404; a new one can be made). The feed itself is served by
//! [`crate::web::calendar`].

use super::*;

pub(super) async fn calendar_make(Posted(v, _): Posted<true>) -> Answer {
    v.db(v.app.citizens.make_feed(&v.citizen.id)).await?;
    tracing::info!(tenant = %v.tenant.id, "a citizen made a calendar feed");
    Ok(back_to_calendar(&v, "calendar-made"))
}

pub(super) async fn calendar_revoke(Posted(v, _): Posted<true>) -> Answer {
    v.db(v.app.citizens.revoke_feed(&v.citizen.id)).await?;
    tracing::info!(tenant = %v.tenant.id, "a citizen revoked a calendar feed");
    Ok(back_to_calendar(&v, "calendar-revoked"))
}

/// The overview at its calendar section, saying what was done.
fn back_to_calendar(v: &Visit, done: &str) -> Response {
    v.redirect_to(&format!("me?done={done}#calendar"))
}
