//! The citizen's calendar feed: made on request from the overview, revoked from there too
//! (its URL then answers 404; a new one can be made). The feed itself is served by
//! [`crate::web::calendar`].

use super::*;

pub(super) async fn calendar_make(Posted(v, _): Posted<true>) -> Response {
    match v
        .app
        .store
        .calendar_feed_create(&v.citizen.id, v.now())
        .await
    {
        Ok(_) => {
            tracing::info!(tenant = %v.tenant.id, "a citizen made a calendar feed");
            redirect(&format!(
                "/t/{}/me?done=calendar-made#calendar",
                v.tenant.id
            ))
        }
        Err(e) => v.failed(e),
    }
}

pub(super) async fn calendar_revoke(Posted(v, _): Posted<true>) -> Response {
    match v.app.store.calendar_feed_revoke(&v.citizen.id).await {
        Ok(_) => {
            tracing::info!(tenant = %v.tenant.id, "a citizen revoked a calendar feed");
            redirect(&format!(
                "/t/{}/me?done=calendar-revoked#calendar",
                v.tenant.id
            ))
        }
        Err(e) => v.failed(e),
    }
}
