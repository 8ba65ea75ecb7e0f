//! One poll of one source: fetch everything for the tenant's citizens, check it, diff it
//! against the observations, and commit observations, events and alerts together.
//!
//! The fetch happens before any transaction opens. A poll that fails — an adapter error,
//! records for people nobody asked about, duplicate keys, or a snapshot that shrank by more
//! than the source's `max_drop_share` — changes no observation and emits nothing; the
//! source's failure counter goes up and one log line says why.

use crate::app::App;
use crate::config::{SourceConfig, SourceKind, TenantConfig};
use crate::store::{stable_id, NewEvent, Observation, ObservationWrite, StoreError};
use hlidac_adapters::{
    AdapterError, FilingSource, Receivable, ReceivablesSource, Record, Submission,
};
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum PollError {
    #[error(transparent)]
    Adapter(#[from] AdapterError),
    #[error("suspicious data, nothing applied: {0}")]
    Suspicious(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("a stored person reference could not be opened: check secrets.key_file")]
    Crypto,
}

impl PollError {
    /// The source state this failure leaves behind.
    fn source_state(&self) -> &'static str {
        match self {
            PollError::Suspicious(_) | PollError::Adapter(AdapterError::Malformed(_)) => {
                "quarantined"
            }
            _ => "failing",
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PollOutcome {
    /// The source is paused by an operator: nothing was fetched.
    pub paused: bool,
    pub records: usize,
    pub changed: usize,
    pub events: usize,
    pub alerts: usize,
}

#[tracing::instrument(skip_all, fields(tenant = %tenant.id, source = %source.id))]
pub async fn poll_source(
    app: &App,
    tenant: &TenantConfig,
    source: &SourceConfig,
) -> Result<PollOutcome, PollError> {
    match app.store.source_paused(&tenant.id, &source.id).await {
        Ok(true) => {
            tracing::debug!("paused; not polled");
            return Ok(PollOutcome {
                paused: true,
                ..PollOutcome::default()
            });
        }
        Ok(false) => {}
        Err(e) => return Err(e.into()),
    }
    let started = std::time::Instant::now();
    let result = poll_inner(app, tenant, source).await;
    app.metrics
        .observe_poll(&tenant.id, &source.id, started.elapsed(), result.is_ok());
    match &result {
        Ok(o) if o.changed > 0 => tracing::info!(
            records = o.records,
            changed = o.changed,
            events = o.events,
            alerts = o.alerts,
            "poll succeeded"
        ),
        Ok(o) => tracing::debug!(records = o.records, "poll succeeded, nothing changed"),
        Err(e) => {
            let now = app.clock.now_ms();
            let failures = app
                .store
                .record_poll_failure(
                    &tenant.id,
                    &source.id,
                    e.source_state(),
                    &e.to_string(),
                    now,
                )
                .await;
            match failures {
                Ok(n) => {
                    tracing::warn!(
                        error = %e,
                        consecutive_failures = n,
                        "poll failed; nothing was changed or sent"
                    );
                    if n == i64::from(app.config.watch.operator_alert_after) {
                        tell_operator(app, tenant, source, n, e).await;
                    }
                }
                Err(se) => {
                    tracing::error!(error = %e, store_error = %se, "poll failed and could not be recorded")
                }
            }
        }
    }
    result
}

/// Tells the operator that a source keeps failing: an error in the log and, when
/// `watch.operator_email` is set, an e-mail. Once per run of failures.
async fn tell_operator(
    app: &App,
    tenant: &TenantConfig,
    source: &SourceConfig,
    failures: i64,
    error: &PollError,
) {
    tracing::error!(
        consecutive_failures = failures,
        error = %error,
        "source keeps failing: its data is on hold (no alerts, no reminders) until it recovers"
    );
    let Some(to) = &app.config.watch.operator_email else {
        return;
    };
    let body = format!(
        "The source {}/{} of {} has failed {failures} polls in a row.\n\n\
         Last error: {error}\n\n\
         Until a poll succeeds, nothing from this source changes and no alert or reminder\n\
         based on it is sent. `hlidac outbox list` and GET /admin/v1/status show more.\n",
        tenant.id, source.id, tenant.name
    );
    let message = (|| {
        lettre::Message::builder()
            .from(tenant.sender.email.parse().ok()?)
            .to(to.parse().ok()?)
            .subject(format!("hlidac: {}/{} is failing", tenant.id, source.id))
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .ok()
    })();
    let sent = match message {
        Some(m) => app
            .mailer
            .send(&m, &format!("operator-{}", crate::store::new_id()))
            .await
            .map_err(|e| e.to_string()),
        None => Err("cannot build the message".into()),
    };
    if let Err(e) = sent {
        tracing::error!(error = %e, "could not e-mail the operator about the failing source");
    }
}

async fn poll_inner(
    app: &App,
    tenant: &TenantConfig,
    source: &SourceConfig,
) -> Result<PollOutcome, PollError> {
    let adapter = app
        .adapter(&tenant.id, &source.id)
        .ok_or(PollError::Suspicious("no adapter is configured".into()))?;
    // The references hlidac asks about, and their keyed hashes.
    let mut refs = Vec::new();
    let mut hash_of = HashMap::new();
    for c in app.store.list_citizens(Some(&tenant.id)).await? {
        let person_ref = app
            .crypto
            .open(&c.person_ref_enc)
            .map_err(|_| PollError::Crypto)?;
        hash_of.insert(person_ref.clone(), app.person_hash(&person_ref));
        refs.push(person_ref);
    }
    refs.sort();
    refs.dedup();

    let mut receivables = Vec::new();
    let mut submissions = Vec::new();
    if !refs.is_empty() {
        if source.serves(SourceKind::Receivables) {
            receivables = adapter.receivables(&refs).await?;
        }
        if source.serves(SourceKind::Submissions) {
            submissions = adapter.submissions(&refs).await?;
        }
    }

    let today = app.today(tenant);
    let mut diff = Diff::default();
    let polled: HashSet<&String> = hash_of.values().collect();
    if source.serves(SourceKind::Receivables) {
        let old = app
            .store
            .observations(&tenant.id, &source.id, Receivable::KIND)
            .await?;
        check_snapshot(&receivables, &old, &polled, &hash_of, source)?;
        for r in &receivables {
            let hash = &hash_of[&r.person_ref];
            diff.receivable(tenant, source, old.get(&r.key), r, hash, today);
        }
    }
    if source.serves(SourceKind::Submissions) {
        let old = app
            .store
            .observations(&tenant.id, &source.id, Submission::KIND)
            .await?;
        check_snapshot(&submissions, &old, &polled, &hash_of, source)?;
        for s in &submissions {
            let hash = &hash_of[&s.person_ref];
            diff.submission(tenant, source, old.get(&s.key), s, hash);
        }
    }

    let records = receivables.len() + submissions.len();
    let now = app.clock.now_ms();
    let alerts = app
        .store
        .commit_poll(
            &tenant.id,
            &source.id,
            &diff.writes,
            &diff.events,
            Some(records as i64),
            now,
        )
        .await?;
    Ok(PollOutcome {
        paused: false,
        records,
        changed: diff.writes.len(),
        events: diff.events.len(),
        alerts,
    })
}

/// Rejects a snapshot that cannot be trusted as a whole.
fn check_snapshot<R: Record>(
    records: &[R],
    old: &HashMap<String, Observation>,
    polled: &HashSet<&String>,
    hash_of: &HashMap<String, String>,
    source: &SourceConfig,
) -> Result<(), PollError> {
    let mut keys = HashSet::new();
    for r in records {
        if r.key().trim().is_empty() {
            return Err(AdapterError::Malformed(format!("a {} has an empty key", R::KIND)).into());
        }
        if !keys.insert(r.key()) {
            return Err(AdapterError::Malformed(format!(
                "the {} key {:?} appears twice",
                R::KIND,
                r.key()
            ))
            .into());
        }
        if !hash_of.contains_key(r.person_ref()) {
            return Err(PollError::Suspicious(format!(
                "the {} {:?} belongs to a person hlidac did not ask about",
                R::KIND,
                r.key()
            )));
        }
    }
    let before = old
        .values()
        .filter(|o| polled.contains(&o.person_hash))
        .count();
    let after = records.len();
    if before > 0 && (after as f64) < (before as f64) * (1.0 - source.max_drop_share) {
        return Err(PollError::Suspicious(format!(
            "the {} snapshot shrank from {before} to {after} records, more than max_drop_share = {}",
            R::KIND,
            source.max_drop_share
        )));
    }
    Ok(())
}

/// What a poll or a push changes: observations to write and events to emit.
#[derive(Default)]
pub(crate) struct Diff {
    pub(crate) writes: Vec<ObservationWrite>,
    pub(crate) events: Vec<NewEvent>,
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

/// Whether the record changed, trusting the source's version when both sides have one.
fn changed<R: Record>(old: &Observation, record: &R, content_hash: &str) -> bool {
    match (old.version.as_deref(), record.version()) {
        (Some(a), Some(b)) if a == b => false,
        _ => old.content_hash != content_hash,
    }
}

impl Diff {
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
        old: Option<&Observation>,
        r: &Receivable,
        person_hash: &str,
        today: chrono::NaiveDate,
    ) {
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
            Some(o) if changed(o, r, &hash) => {
                if r.status == hlidac_adapters::ReceivableStatus::Paid && o.status != "paid" {
                    let version = r.version.as_deref().unwrap_or(&hash);
                    let id = stable_id(&[
                        &tenant.id, &source.id, &r.key, "status", &o.status, status, version,
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
        old: Option<&Observation>,
        s: &Submission,
        person_hash: &str,
    ) {
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
            Some(o) if changed(o, s, &hash) => {
                if o.status != status {
                    let version = s.version.as_deref().unwrap_or(&hash);
                    let id = stable_id(&[
                        &tenant.id, &source.id, &s.key, "status", &o.status, status, version,
                    ]);
                    self.events
                        .push(event("submission.status_changed", id, Some(&o.status)));
                }
                self.write(s, person_hash, status, data, hash, None);
            }
            Some(_) => {}
        }
    }
}

fn submission_payload(s: &Submission, old_status: Option<&str>) -> serde_json::Value {
    serde_json::json!({
        "key": s.key,
        "matter": s.matter,
        "filing_number": s.reference.filing_number,
        "case_number": s.reference.case_number,
        "status": s.status.as_str(),
        "old_status": old_status,
        "status_native": s.status_native,
        "assigned_to": s.assigned_to,
        "deadline": s.deadline,
    })
}
