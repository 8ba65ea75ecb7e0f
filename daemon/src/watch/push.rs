//! Records pushed by a municipality's system (`POST /ingest/{tenant}/{source}`): checked
//! whole, then diffed and committed like a poll's, with the events' alerts in the same
//! transaction. A push carries changes, not a snapshot: records of people who are not
//! enrolled are skipped, and nothing is ever concluded from a record that is not there.

use super::Watch;
use crate::config::{SourceConfig, SourceKind, TenantConfig};
use crate::store::{Commit, StoreError};
use crate::watch::diff::{Diff, Old};
use crate::watch::poll::{Reading, Watched};
use hlidac_adapters::{Receivable, Record, Submission, Tombstone};
use std::collections::HashSet;

pub use hlidac_adapters::push::PushBody;

#[derive(Debug, thiserror::Error)]
pub enum PushError {
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Debug, Default, serde::Serialize)]
pub struct PushOutcome {
    pub accepted: usize,
    pub skipped_not_enrolled: usize,
    pub changed: usize,
    pub alerts: usize,
}

/// The keys were checked when the body was parsed; here, that the source serves the kind.
fn check_served<R: Record>(records: &[R], served: bool) -> Result<(), PushError> {
    if !records.is_empty() && !served {
        return Err(PushError::Invalid(format!(
            "this source does not serve {}s",
            R::KIND
        )));
    }
    Ok(())
}

/// Diffs the pushed records of one kind against what is stored for their keys.
#[allow(clippy::too_many_arguments)]
async fn push_kind<R: Watched>(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    records: &[R],
    enrolled: &HashSet<String>,
    today: chrono::NaiveDate,
    diff: &mut Diff,
    outcome: &mut PushOutcome,
) -> Result<(), PushError> {
    if records.is_empty() {
        return Ok(());
    }
    let at = Reading {
        tenant,
        source,
        today,
    };
    let keys: Vec<&str> = records.iter().map(|r| r.key()).collect();
    let index = watch
        .store
        .prior_index_of(&tenant.id, &source.id, R::KIND, &keys)
        .await?;
    for r in records {
        let hash = watch.crypto.person_hash(r.person_ref());
        if !enrolled.contains(&hash) {
            outcome.skipped_not_enrolled += 1;
            continue;
        }
        outcome.accepted += 1;
        r.diff_into(diff, &at, Old::of(&index, index.get(r.key())), &hash);
    }
    Ok(())
}

/// Marks the pushed tombstones' records withdrawn (protocol 1.1), for enrolled people.
async fn push_withdrawn(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    withdrawn: &[Tombstone],
    enrolled: &HashSet<String>,
    diff: &mut Diff,
    outcome: &mut PushOutcome,
) -> Result<(), PushError> {
    for kind in [Receivable::KIND, Submission::KIND] {
        let mine: Vec<(&Tombstone, String)> = withdrawn
            .iter()
            .filter(|t| t.kind == kind)
            .filter_map(|t| {
                let hash = watch.crypto.person_hash(&t.person_ref);
                if enrolled.contains(&hash) {
                    Some((t, hash))
                } else {
                    outcome.skipped_not_enrolled += 1;
                    None
                }
            })
            .collect();
        if mine.is_empty() {
            continue;
        }
        let keys: Vec<&str> = mine.iter().map(|(t, _)| t.key.as_str()).collect();
        let index = watch
            .store
            .prior_index_of(&tenant.id, &source.id, kind, &keys)
            .await?;
        for (t, hash) in mine {
            outcome.accepted += 1;
            diff.withdraw(tenant, Old::of(&index, index.get(&t.key)), t, &hash);
        }
    }
    Ok(())
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.id, source = %source.id))]
pub async fn apply_push(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    body: PushBody,
) -> Result<PushOutcome, PushError> {
    check_served(&body.receivables, source.serves(SourceKind::Receivables))?;
    check_served(&body.submissions, source.serves(SourceKind::Submissions))?;
    let enrolled = watch.store.person_hashes(&tenant.id).await?;
    let today = watch.today(tenant);
    let mut diff = Diff::default();
    let mut outcome = PushOutcome::default();
    push_kind(
        watch,
        tenant,
        source,
        &body.receivables,
        &enrolled,
        today,
        &mut diff,
        &mut outcome,
    )
    .await?;
    push_kind(
        watch,
        tenant,
        source,
        &body.submissions,
        &enrolled,
        today,
        &mut diff,
        &mut outcome,
    )
    .await?;
    push_withdrawn(
        watch,
        tenant,
        source,
        &body.withdrawn,
        &enrolled,
        &mut diff,
        &mut outcome,
    )
    .await?;
    outcome.changed = diff.writes.len() + diff.withdrawn.len();
    outcome.alerts = diff.commit(watch, tenant, source, Commit::Push).await?;
    tracing::info!(
        accepted = outcome.accepted,
        changed = outcome.changed,
        alerts = outcome.alerts,
        "push applied"
    );
    Ok(outcome)
}
