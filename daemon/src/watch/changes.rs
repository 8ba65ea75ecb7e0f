//! A poll through the source's change feed: what changed since the stored cursor, for
//! enrolled people and tracked documents, diffed against what is stored for those keys
//! alone, and committed with the new cursor.

use super::diff::{Diff, Old};
use super::held::{check_held, report_held};
use super::poll::{People, PollError, PollOutcome, Reading, Watched};
use super::tracked::tracked_submissions;
use super::Watch;
use crate::config::{SourceConfig, SourceKind, TenantConfig};
use crate::store::Commit;
use hlidac_adapters::http::Changes;
use hlidac_adapters::{sane_key, AdapterError, Held, Listed, Record, Tombstone};
use std::collections::HashMap;

/// Reads the change feed from `cursor` and applies what changed for enrolled people;
/// `None` when the source no longer knows the cursor.
pub(super) async fn poll_changes(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    http: &hlidac_adapters::http::HttpAdapter,
    people: &People,
    cursor: &str,
) -> Result<Option<PollOutcome>, PollError> {
    let (receivables, submissions, next) = match http.changes_since(cursor).await? {
        Changes::Gone => return Ok(None),
        Changes::Since {
            receivables,
            submissions,
            cursor,
        } => (receivables, submissions, cursor),
    };
    let tracked = tracked_submissions(watch, tenant, source, Some(http)).await?;
    let at = Reading {
        tenant,
        source,
        today: watch.today(tenant),
    };
    let mut diff = Diff::default();
    let mut records = 0;
    if source.serves(SourceKind::Receivables) {
        let e = enrolled_changes(&mut diff, receivables, Vec::new(), people, source)?;
        records += e.held + apply_changed(watch, &at, e, &mut diff).await?;
    }
    if source.serves(SourceKind::Submissions) {
        let e = enrolled_changes(&mut diff, submissions, tracked, people, source)?;
        records += e.held + apply_changed(watch, &at, e, &mut diff).await?;
    }
    let alerts = diff
        .commit(watch, tenant, source, Commit::Changes { cursor: &next })
        .await?;
    Ok(Some(PollOutcome {
        paused: false,
        records,
        changed: diff.writes.len(),
        events: diff.events.len(),
        alerts,
    }))
}

/// What a feed says of one kind, for enrolled people (and the documents tracked by their
/// registration index, for submissions).
struct Enrolled<R> {
    /// How many records it held back (kept for the commit, see [`take_held`]).
    held: usize,
    records: Vec<(R, String)>,
    withdrawn: Vec<(Tombstone, String)>,
}

fn enrolled_changes<R: Record>(
    diff: &mut Diff,
    listed: Listed<R>,
    tracked: Vec<(R, String)>,
    people: &People,
    source: &SourceConfig,
) -> Result<Enrolled<R>, PollError> {
    let held = take_held(diff, listed.held, listed.records.len(), source)?;
    let withdrawn = withdrawn_only(listed.withdrawn, people);
    let mut records = enrolled_only(listed.records, people);
    records.extend(tracked);
    Ok(Enrolled {
        held,
        records,
        withdrawn,
    })
}

/// Reports the records the feed held back and keeps them for the commit; fails the poll
/// when too many were. Returns how many.
fn take_held(
    diff: &mut Diff,
    held: Vec<Held>,
    good: usize,
    source: &SourceConfig,
) -> Result<usize, PollError> {
    let n = held.len();
    if let Some(h) = held.first() {
        check_held(h.kind, n, good, source)?;
    }
    report_held(&held);
    diff.held.extend(held);
    Ok(n)
}

/// The records of enrolled people, with their hashes; a change feed covers everyone.
fn enrolled_only<R: Record>(records: Vec<R>, people: &People) -> Vec<(R, String)> {
    records
        .into_iter()
        .filter_map(|r| {
            let hash = people.hash_of.get(r.person_ref())?.clone();
            Some((r, hash))
        })
        .collect()
}

/// The tombstones of enrolled people's records, with their hashes.
fn withdrawn_only(withdrawn: Vec<Tombstone>, people: &People) -> Vec<(Tombstone, String)> {
    withdrawn
        .into_iter()
        .filter_map(|t| {
            let hash = people.hash_of.get(&t.person_ref)?.clone();
            Some((t, hash))
        })
        .collect()
}

/// Diffs changed records, and the tombstones of withdrawn ones, against what is stored for
/// their keys. A feed may repeat a record (pages overlap): the last copy of each key
/// counts, and the feed's reader kept only the later of a record and its tombstone.
async fn apply_changed<R: Watched>(
    watch: &Watch,
    at: &Reading<'_>,
    changed: Enrolled<R>,
    diff: &mut Diff,
) -> Result<usize, PollError> {
    let Enrolled {
        records, withdrawn, ..
    } = changed;
    let (tenant, source) = (at.tenant, at.source);
    let mut latest: HashMap<String, usize> = HashMap::new();
    for (i, (r, _)) in records.iter().enumerate() {
        if !sane_key(r.key()) {
            return Err(AdapterError::Malformed(format!(
                "a {} key is empty or has control characters",
                R::KIND
            ))
            .into());
        }
        latest.insert(r.key().to_string(), i);
    }
    let keys: Vec<&str> = latest
        .keys()
        .map(String::as_str)
        .chain(withdrawn.iter().map(|(t, _)| t.key.as_str()))
        .collect();
    let index = watch
        .store
        .prior_index_of(&tenant.id, &source.id, R::KIND, &keys)
        .await?;
    let mut taken = 0;
    for (i, (r, hash)) in records.iter().enumerate() {
        if latest.get(r.key()) != Some(&i) {
            continue;
        }
        r.diff_into(diff, at, Old::of(&index, index.get(r.key())), hash);
        taken += 1;
    }
    for (t, hash) in &withdrawn {
        diff.withdraw(tenant, Old::of(&index, index.get(&t.key)), t, hash);
        taken += 1;
    }
    Ok(taken)
}
