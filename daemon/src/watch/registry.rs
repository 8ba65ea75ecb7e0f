//! The registry's events (protocol 1.1): a registry source with a schedule reads
//! `GET /v1/registry/events` from its stored cursor and acts on each event about an
//! enrolled person by the tenant's policy (`[tenant.registry_events]`): nothing, stop
//! every alert, erase the person, or relink them to a new reference. Each is logged by its
//! kind and the action taken, never with an identifier. People not enrolled are passed
//! over; an event read twice does the same thing twice, which changes nothing more.

use super::poll::PollError;
use super::Watch;
use crate::config::{PersonAction, SourceConfig, TenantConfig};
use hlidac_adapters::http::{HttpAdapter, RegistryFeed};
use hlidac_adapters::{RegistryEvent, RegistryEventKind};

/// Reads the events since the stored cursor and applies them; the first read only takes
/// the head (what happened before hlidac listened is not its business). Returns how many
/// events were read.
pub(super) async fn follow(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    http: &HttpAdapter,
) -> Result<usize, PollError> {
    if http.announced().is_some_and(|c| !c.registry_events) {
        return Ok(0);
    }
    let store = &watch.store;
    let Some(cursor) = store.registry_cursor(&tenant.id, &source.id).await? else {
        let head = http.registry_head().await?;
        store
            .set_registry_cursor(&tenant.id, &source.id, &head)
            .await?;
        return Ok(0);
    };
    let (events, next) = match http.registry_events(&cursor).await? {
        RegistryFeed::Since { events, cursor } => (events, cursor),
        RegistryFeed::Gone => {
            tracing::warn!(
                "the registry no longer knows hlidac's event cursor (410 Gone); events since may be missed"
            );
            (Vec::new(), http.registry_head().await?)
        }
    };
    for e in &events {
        apply(watch, tenant, e).await?;
    }
    store
        .set_registry_cursor(&tenant.id, &source.id, &next)
        .await?;
    Ok(events.len())
}

/// Acts on one event by the tenant's policy.
async fn apply(watch: &Watch, tenant: &TenantConfig, e: &RegistryEvent) -> Result<(), PollError> {
    let policy = &tenant.registry_events;
    let action = match e.kind {
        RegistryEventKind::Deceased => policy.deceased,
        RegistryEventKind::MovedOut => policy.moved_out,
        RegistryEventKind::IdentifierChanged => policy.identifier_changed,
    };
    let hash = watch.crypto.person_hash(&e.person_ref);
    let Some(citizen) = watch.store.citizen_of_person(&tenant.id, &hash).await? else {
        return Ok(());
    };
    let now = watch.clock.now_ms();
    let done = match action {
        PersonAction::Ignore => true,
        PersonAction::Stop => {
            let reason = format!("registry: {}", e.kind.as_str());
            watch.store.stop_alerts(&citizen, &reason, now).await?;
            true
        }
        PersonAction::Erase => watch.store.remove_citizen(&citizen, now).await?,
        PersonAction::Relink => match e.new_person_ref.as_deref() {
            Some(new_ref) => {
                watch
                    .store
                    .relink_person(
                        &tenant.id,
                        &hash,
                        &watch.crypto.person_hash(new_ref),
                        &watch.crypto.seal(new_ref),
                    )
                    .await?
            }
            None => false,
        },
    };
    if done {
        tracing::info!(
            event = e.kind.as_str(),
            action = action.as_str(),
            "registry event applied to an enrolled person"
        );
    } else {
        tracing::warn!(
            event = e.kind.as_str(),
            action = action.as_str(),
            "registry event could not be applied (the new reference is enrolled already, or the person is gone)"
        );
    }
    Ok(())
}
