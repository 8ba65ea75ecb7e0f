//! What a changed record means: the observation to write and the events to emit, for a
//! poll and a push alike. A record whose source version is unchanged is not even
//! serialised; the stored form keeps a keyed hash in place of the person reference.

use super::Watch;
use crate::config::{SourceConfig, TenantConfig};
use crate::store::{
    content_fingerprint, fingerprint, stable_id, Commit, NewEvent, ObservationWrite, Prior,
    PriorIndex, StoreError,
};
use hlidac_adapters::{Receivable, Record, Submission, Tombstone, Withdrawal};

/// What a poll or a push changes: observations to write and events to emit.
#[derive(Default)]
pub(crate) struct Diff {
    pub(crate) writes: Vec<ObservationWrite>,
    pub(crate) events: Vec<NewEvent>,
    /// The records the read held back alone.
    pub(crate) held: Vec<hlidac_adapters::Held>,
    /// The records their source withdrew or cancelled (protocol 1.1 tombstones), each
    /// known before and not already withdrawn.
    pub(crate) withdrawn: Vec<Tombstone>,
    /// Cancelled fees the citizen is to be told of (`tell_cancelled`): their keys and
    /// person hashes; the alert is made from what was stored, when the diff is committed.
    pub(crate) cancelled: Vec<(String, String)>,
}

/// The stored form of a record: everything but the person reference, which is blanked
/// (the observation keeps its keyed hash instead), so the record still parses back.
fn stored<R: Record>(record: &R) -> (String, String) {
    use sha2::{Digest, Sha256};
    let mut value = serde_json::to_value(record).unwrap_or_default();
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "person_ref".into(),
            serde_json::Value::String(String::new()),
        );
    }
    let data = value.to_string();
    let hash = hex::encode(&Sha256::digest(data.as_bytes())[..16]);
    (data, hash)
}

/// What the diff knows of a stored record.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Old<'a> {
    pub(crate) status: &'a str,
    pub(crate) content: u128,
    pub(crate) version: Option<u128>,
}

impl<'a> Old<'a> {
    /// What the index holds of a record, if anything.
    pub(crate) fn of(index: &'a PriorIndex, prior: Option<Prior>) -> Option<Old<'a>> {
        prior.map(|p| Old {
            status: index.status(&p),
            content: p.content,
            version: p.version,
        })
    }
}

/// The source's version says the record is unchanged (both sides have the same one); the
/// record need not even be serialised.
fn same_version<R: Record>(old: &Old<'_>, record: &R) -> bool {
    match (old.version, record.version()) {
        (Some(a), Some(b)) => a == fingerprint(b),
        _ => false,
    }
}

impl Diff {
    /// Commits the observations and events in one transaction, recorded as `commit`;
    /// returns the number of alerts queued.
    pub(crate) async fn commit(
        &mut self,
        watch: &Watch,
        tenant: &TenantConfig,
        source: &SourceConfig,
        commit: Commit<'_>,
    ) -> Result<usize, StoreError> {
        for (key, person_hash) in std::mem::take(&mut self.cancelled) {
            let stored = watch
                .store
                .observation(&tenant.id, &source.id, Receivable::KIND, &key)
                .await?;
            let Some(r) = stored.and_then(|o| serde_json::from_str::<Receivable>(&o.data).ok())
            else {
                continue;
            };
            let version = self
                .withdrawn
                .iter()
                .find(|t| t.key == key && t.kind == Receivable::KIND)
                .and_then(|t| t.version.clone())
                .unwrap_or_default();
            self.events.push(NewEvent {
                id: stable_id(&[&tenant.id, &source.id, &key, "cancelled", &version]),
                tenant_id: tenant.id.clone(),
                source_id: source.id.clone(),
                kind: "receivable.cancelled".into(),
                record_key: key,
                person_hash,
                payload: super::rules::receivable_payload(&r, None),
                expires_at: None,
                dry_run: tenant.dry_run || source.dry_run,
            });
        }
        watch
            .store
            .commit_poll(
                &tenant.id,
                &source.id,
                &self.writes,
                &self.events,
                &self.held,
                &self.withdrawn,
                commit,
                watch.clock.now_ms(),
            )
            .await
    }

    /// A record its source withdrew or cancelled: what was known of it is marked so, once;
    /// a tombstone for a record never seen, or already withdrawn, changes nothing. It is
    /// never read as paid or resolved.
    pub(crate) fn withdraw(
        &mut self,
        tenant: &TenantConfig,
        old: Option<Old<'_>>,
        t: &Tombstone,
        person_hash: &str,
    ) {
        let Some(old) = old else { return };
        if Withdrawal::STATUSES.contains(&old.status) {
            return;
        }
        if t.withdrawn == Withdrawal::Cancelled
            && t.kind == Receivable::KIND
            && tenant.tell_cancelled
        {
            self.cancelled
                .push((t.key.clone(), person_hash.to_string()));
        }
        self.withdrawn.push(t.clone());
    }

    fn write<R: Record>(
        &mut self,
        record: &R,
        person_hash: &str,
        status: &str,
        data: String,
        hash: String,
        due_next: Option<String>,
    ) {
        self.writes.push(ObservationWrite {
            due_next,
            kind: R::KIND,
            record_key: record.key().to_string(),
            person_hash: person_hash.to_string(),
            content_hash: hash,
            version: record.version().map(str::to_string),
            status: status.to_string(),
            data,
        });
    }

    pub(crate) fn receivable(
        &mut self,
        tenant: &TenantConfig,
        source: &SourceConfig,
        old: Option<Old<'_>>,
        r: &Receivable,
        person_hash: &str,
        today: chrono::NaiveDate,
    ) {
        if old.is_some_and(|o| same_version(&o, r)) {
            return;
        }
        if r.payment.as_ref().and_then(|p| p.model97_ok()) == Some(false) {
            tracing::warn!(
                source = %source.id,
                record = ?r.key,
                "a model 97 payment reference fails its check digits; citizens see it as the source sent it"
            );
        }
        let (data, hash) = stored(r);
        let status = r.status.as_str();
        // The rules look at a receivable from its next date: a due date, or the end of an
        // early-payment discount.
        let due_next = r
            .unpaid_instalments()
            .map(|i| i.due_date)
            .chain(r.open_discount().map(|d| d.until))
            .min()
            .map(|d| d.to_string());
        let event = |kind: &str, id: String| NewEvent {
            id,
            tenant_id: tenant.id.clone(),
            source_id: source.id.clone(),
            kind: kind.into(),
            record_key: r.key.clone(),
            person_hash: person_hash.to_string(),
            payload: super::rules::receivable_payload(r, None),
            expires_at: None,
            dry_run: tenant.dry_run || source.dry_run,
        };
        match old {
            None => {
                // A new receivable is announced while something on it is still ahead;
                // one already past due is left to the overdue rule.
                let upcoming = r.unpaid_instalments().any(|i| i.due_date >= today);
                if upcoming {
                    let id = stable_id(&["receivable.new", &tenant.id, &source.id, &r.key]);
                    self.events.push(event("receivable.new", id));
                }
                self.write(r, person_hash, status, data, hash, due_next.clone());
            }
            Some(o) if o.content != content_fingerprint(&hash) => {
                if r.status == hlidac_adapters::ReceivableStatus::Paid
                    && o.status != "paid"
                    && !Withdrawal::STATUSES.contains(&o.status)
                {
                    let version = r.version.as_deref().unwrap_or(&hash);
                    let id = stable_id(&[
                        &tenant.id, &source.id, &r.key, "status", o.status, status, version,
                    ]);
                    self.events.push(event("receivable.paid", id));
                }
                self.write(r, person_hash, status, data, hash, due_next.clone());
            }
            Some(_) => {}
        }
    }

    pub(crate) fn submission(
        &mut self,
        tenant: &TenantConfig,
        source: &SourceConfig,
        old: Option<Old<'_>>,
        s: &Submission,
        person_hash: &str,
    ) {
        if old.is_some_and(|o| same_version(&o, s)) {
            return;
        }
        let (data, hash) = stored(s);
        let status = s.status.as_str();
        let event = |kind: &str, id: String, old_status: Option<&str>| NewEvent {
            id,
            tenant_id: tenant.id.clone(),
            source_id: source.id.clone(),
            kind: kind.into(),
            record_key: s.key.clone(),
            person_hash: person_hash.to_string(),
            payload: submission_payload(s, old_status),
            expires_at: None,
            dry_run: tenant.dry_run || source.dry_run,
        };
        match old {
            None => {
                let id = stable_id(&["submission.new", &tenant.id, &source.id, &s.key]);
                self.events.push(event("submission.new", id, None));
                self.write(s, person_hash, status, data, hash, None);
            }
            Some(o) if o.content != content_fingerprint(&hash) => {
                if o.status != status && !Withdrawal::STATUSES.contains(&o.status) {
                    let version = s.version.as_deref().unwrap_or(&hash);
                    let id = stable_id(&[
                        &tenant.id, &source.id, &s.key, "status", o.status, status, version,
                    ]);
                    self.events
                        .push(event("submission.status_changed", id, Some(o.status)));
                }
                self.write(s, person_hash, status, data, hash, None);
            }
            Some(_) => {}
        }
    }
}

/// The references a citizen knows, labelled (`label-case-number`, …), in the order shown;
/// for an alert's text and the overview page alike.
pub(crate) fn known_references(s: &Submission) -> serde_json::Value {
    s.reference
        .known()
        .into_iter()
        .map(|(field, value)| {
            serde_json::json!({"label": format!("label-{}", field.replace('_', "-")), "value": value})
        })
        .collect()
}

fn submission_payload(s: &Submission, old_status: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "key": s.key,
        "matter": s.matter,
        // The reference a subject names, and every reference labelled (protocol 1.1).
        "reference": s.reference.known().first().map(|(_, v)| *v),
        "references": known_references(s),
        // A document followed by registration index has that index as its number.
        "filing_number": s.reference.filing_number.as_ref().or(s.reference.registration_index.as_ref()),
        "case_number": s.reference.case_number,
        "status": s.status.as_str(),
        "old_status": old_status,
        "status_native": s.status_native,
        "assigned_to": s.assigned_to,
        "deadline": s.deadline,
    })
}
