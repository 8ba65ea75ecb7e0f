//! `hlidac preview`: the events a poll and the reminder rules would make on a given day,
//! from the sources as they answer now and from what is stored, with nothing written.
//! The same diff and the same rules as the real run; an event already made (so already
//! sent or queued) is left out.

use super::diff::{Diff, Old};
use super::poll::{People, PollError};
use super::rules::{own_offsets, receivable_events};
use super::Watch;
use crate::config::{AdapterConfig, SourceConfig, SourceKind, TenantConfig};
use crate::store::{NewEvent, Observation};
use chrono::NaiveDate;
use hlidac_adapters::{FilingSource, ReceivablesSource, Record};

/// What to preview: a tenant on a day, optionally one source and one person.
pub struct PreviewScope<'a> {
    pub at: NaiveDate,
    pub source: Option<&'a str>,
    pub person_ref: Option<&'a str>,
}

/// The events the tenant's polled sources and the rules would make on `scope.at`.
pub async fn preview_events(
    watch: &Watch,
    tenant: &TenantConfig,
    scope: &PreviewScope<'_>,
) -> Result<Vec<NewEvent>, PollError> {
    let mut people = People::load(watch, tenant).await?;
    if let Some(only) = scope.person_ref {
        people.refs.retain(|r| r == only);
    }
    let own = own_offsets(watch, tenant).await?;
    let mut events = Vec::new();
    for source in tenant
        .sources
        .iter()
        .filter(|s| !s.is_push() && scope.source.is_none_or(|only| only == s.id) && polled(s))
    {
        let Some(adapter) = watch.adapter(&tenant.id, &source.id) else {
            continue;
        };
        if let Some(http) = adapter.http() {
            super::capabilities::honour(http, source).await?;
        }
        let mut diff = Diff::default();
        if source.serves(SourceKind::Receivables) && !people.refs.is_empty() {
            let listed = adapter.receivables(&people.refs).await?.records;
            for (r, hash, obs) in with_priors(watch, tenant, source, &people, listed).await? {
                let old = obs.as_ref().map(stored_as_old);
                diff.receivable(tenant, source, old, &r, hash, scope.at);
                let seen = obs.unwrap_or_else(|| first_seen_on(tenant, scope.at, hash));
                let mine = own.get(hash).map(Vec::as_slice).unwrap_or(&[]);
                events.extend(receivable_events(
                    tenant, &source.id, &seen, &r, scope.at, mine,
                ));
            }
        }
        if source.serves(SourceKind::Submissions) && !people.refs.is_empty() {
            let listed = adapter.submissions(&people.refs).await?.records;
            for (s, hash, obs) in with_priors(watch, tenant, source, &people, listed).await? {
                diff.submission(tenant, source, obs.as_ref().map(stored_as_old), &s, hash);
            }
        }
        events.extend(diff.events);
    }
    let mut fresh = Vec::new();
    for e in events {
        if !watch.store.event_exists(&e.id).await? && !fresh.iter().any(|f: &NewEvent| f.id == e.id)
        {
            fresh.push(e);
        }
    }
    Ok(fresh)
}

/// A source whose records are read by polling: receivables or submissions, not only the
/// registry.
fn polled(s: &SourceConfig) -> bool {
    (s.serves(SourceKind::Receivables) || s.serves(SourceKind::Submissions))
        && !matches!(s.adapter, AdapterConfig::Push(_))
}

/// A stored observation as the diff compares it with what the source says now.
fn stored_as_old(o: &Observation) -> Old<'_> {
    Old {
        status: &o.status,
        content: crate::store::content_fingerprint(&o.content_hash),
        version: o.version.as_deref().map(crate::store::fingerprint),
    }
}

/// The records of the people previewed, each with the person's hash and what is stored
/// of it; a record of anyone else is left out.
async fn with_priors<'p, R: Record>(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    people: &'p People,
    records: Vec<R>,
) -> Result<Vec<(R, &'p String, Option<Observation>)>, PollError> {
    let mut out = Vec::new();
    for r in records {
        let Some(hash) = people.hash_of.get(r.person_ref()) else {
            continue;
        };
        let stored = watch
            .store
            .observation(&tenant.id, &source.id, R::KIND, r.key())
            .await?;
        out.push((r, hash, stored));
    }
    Ok(out)
}

/// A record hlidac has not stored yet is seen for the first time on the day previewed.
fn first_seen_on(tenant: &TenantConfig, day: NaiveDate, person_hash: &str) -> Observation {
    let at = tenant.midnight_ms(day).unwrap_or_default();
    Observation {
        record_key: String::new(),
        person_hash: person_hash.to_string(),
        content_hash: String::new(),
        version: None,
        status: String::new(),
        data: String::new(),
        first_seen_at: at,
    }
}
