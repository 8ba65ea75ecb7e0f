//! One poll of one source: fetch everything for the tenant's citizens a page at a time (or
//! what changed, from the source's change feed), check it, diff it against the stored
//! index, and commit observations, events and alerts together.
//!
//! No transaction is open while a page is fetched. A full poll writes its changes to a
//! staging area every `watch.poll_batch` of them, so its memory stays bounded however
//! large the source; the final commit makes them current with the rest, in one
//! transaction, and a failed poll deletes them. A poll that fails — an adapter error,
//! records for people nobody asked about, duplicate keys, or a snapshot that shrank by more
//! than the source's `max_drop_share` — changes no observation and emits nothing; the
//! source's failure counter goes up and one log line says why. A record that does not
//! follow the protocol is held back alone (logged by key, kept as it was, no reminder
//! from it) and the rest goes on, unless more than `max_held_share` of the read is bad.

use super::Watch;
use crate::config::{AdapterConfig, SourceConfig, SourceKind, TenantConfig};
use crate::store::{stable_id, Commit, PriorIndex, StoreError};
use crate::watch::diff::{Diff, Old};
use crate::watch::held::{check_held, report_held};
use hlidac_adapters::hide::Hider;
use hlidac_adapters::{sane_key, Adapter, AdapterError, Page, Receivable, Record, Submission};
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
    /// The error with what `hider` finds hidden in its message.
    fn hidden_by(self, hider: &Hider) -> PollError {
        match self {
            PollError::Adapter(e) => PollError::Adapter(e.hidden_by(hider)),
            PollError::Suspicious(m) => PollError::Suspicious(hider.hide(&m)),
            other => other,
        }
    }

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
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
) -> Result<PollOutcome, PollError> {
    match watch.store.source_paused(&tenant.id, &source.id).await {
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
    let result = match poll_inner(watch, tenant, source).await {
        // A source's words reach the log, the source's health and the operator's e-mail,
        // and may name anyone it knows of (a change or registry feed's, the capabilities'):
        // the enrolled people's references are hidden. (An error of the poll proper was
        // hidden with the people it asked about already.)
        Err(e @ (PollError::Adapter(_) | PollError::Suspicious(_))) => {
            Err(match People::load(watch, tenant).await {
                Ok(people) => e.hidden_by(&Hider::new(&people.refs)),
                Err(_) => match e {
                    PollError::Adapter(a) => PollError::Adapter(a.without_message()),
                    other => other,
                },
            })
        }
        other => other,
    };
    watch
        .metrics
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
            let now = watch.clock.now_ms();
            let failures = watch
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
                    if n == i64::from(watch.config.watch.operator_alert_after) {
                        tell_operator(watch, tenant, source, n, e).await;
                    }
                }
                Err(se) => watch.health.db_error(
                    "poll failed and could not be recorded",
                    &format_args!("{e}; recording it: {se}"),
                ),
            }
        }
    }
    result
}

/// Tells the operator that a source keeps failing: an error in the log and, when
/// `watch.operator_email` is set, an e-mail. Once per run of failures.
async fn tell_operator(
    watch: &Watch,
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
    let body = format!(
        "The source {}/{} of {} has failed {failures} polls in a row.\n\n\
         Last error: {error}\n\n\
         Until a poll succeeds, nothing from this source changes and no alert or reminder\n\
         based on it is sent. `hlidac outbox list` and GET /admin/v1/status show more.\n",
        tenant.id, source.id, tenant.name
    );
    let subject = format!("hlidac: {}/{} is failing", tenant.id, source.id);
    if let Err(e) = crate::notify::email::to_operator(
        &watch.config,
        &watch.dispatch.mailer,
        &tenant.sender.email,
        &subject,
        &body,
    )
    .await
    {
        tracing::error!(error = %e, "could not e-mail the operator about the failing source");
    }
}

/// The tenant's enrolled people: their references (sorted) and keyed hashes.
pub(super) struct People {
    pub(super) refs: Vec<String>,
    pub(super) hash_of: HashMap<String, String>,
}

impl People {
    pub(super) async fn load(watch: &Watch, tenant: &TenantConfig) -> Result<People, PollError> {
        let mut refs = Vec::new();
        let mut hash_of = HashMap::new();
        for c in watch.store.list_citizens(Some(&tenant.id)).await? {
            let person_ref = watch
                .crypto
                .open(&c.person_ref_enc)
                .map_err(|_| PollError::Crypto)?;
            hash_of.insert(person_ref.clone(), watch.crypto.person_hash(&person_ref));
            refs.push(person_ref);
        }
        refs.sort();
        refs.dedup();
        Ok(People { refs, hash_of })
    }
}

/// Where and when records are read: what a diff needs besides the record and its owner.
pub(crate) struct Reading<'a> {
    pub(crate) tenant: &'a TenantConfig,
    pub(crate) source: &'a SourceConfig,
    pub(crate) today: chrono::NaiveDate,
}

/// A kind of record as the poll handles it: how to diff it (pages of it are read by
/// [`Adapter::records_page`]).
pub(crate) trait Watched: Record {
    fn diff_into(&self, diff: &mut Diff, at: &Reading<'_>, old: Option<Old<'_>>, hash: &str);
}

impl Watched for Receivable {
    fn diff_into(&self, diff: &mut Diff, at: &Reading<'_>, old: Option<Old<'_>>, hash: &str) {
        diff.receivable(at.tenant, at.source, old, self, hash, at.today)
    }
}

impl Watched for Submission {
    fn diff_into(&self, diff: &mut Diff, at: &Reading<'_>, old: Option<Old<'_>>, hash: &str) {
        diff.submission(at.tenant, at.source, old, self, hash)
    }
}

/// What a poll gathered so far: the diff not yet staged, the records read, the pages' new
/// ETags (remembered only once the poll is committed), and what went to the staging area.
struct Gathered {
    diff: Diff,
    records: usize,
    etags: Vec<(String, String)>,
    poll_id: String,
    staged_writes: usize,
    staged_events: usize,
}

impl Gathered {
    fn new() -> Gathered {
        Gathered {
            diff: Diff::default(),
            records: 0,
            etags: Vec::new(),
            poll_id: crate::store::new_id(),
            staged_writes: 0,
            staged_events: 0,
        }
    }

    fn staged(&self) -> bool {
        self.staged_writes + self.staged_events > 0
    }

    /// Writes the diff so far to the poll's staging area once it holds `watch.poll_batch`
    /// changes, so that memory stays bounded whatever the size of the source.
    async fn stage_if_full(
        &mut self,
        watch: &Watch,
        tenant: &TenantConfig,
        source: &SourceConfig,
    ) -> Result<(), PollError> {
        let held = self.diff.writes.len() + self.diff.events.len();
        if held < watch.config.watch.poll_batch {
            return Ok(());
        }
        watch
            .store
            .stage_poll(
                &self.poll_id,
                &tenant.id,
                &source.id,
                &self.diff.writes,
                &self.diff.events,
                self.staged_events as i64,
                watch.clock.now_ms(),
            )
            .await?;
        self.staged_writes += self.diff.writes.len();
        self.staged_events += self.diff.events.len();
        self.diff = Diff {
            held: std::mem::take(&mut self.diff.held),
            withdrawn: std::mem::take(&mut self.diff.withdrawn),
            cancelled: std::mem::take(&mut self.diff.cancelled),
            ..Diff::default()
        };
        Ok(())
    }
}

async fn poll_inner(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
) -> Result<PollOutcome, PollError> {
    let adapter = watch
        .adapter(&tenant.id, &source.id)
        .ok_or(PollError::Suspicious("no adapter is configured".into()))?;
    if let Some(http) = adapter.http() {
        super::capabilities::honour(http, source).await?;
        // A registry source with a schedule follows the registry's events.
        if source.serves(SourceKind::Registry) && source.schedule.is_some() {
            super::registry::follow(watch, tenant, source, http).await?;
        }
    }
    // Who is enrolled, read after the registry's events: one that erased a person leaves
    // them out of this poll.
    let people = People::load(watch, tenant).await?;
    // What the source says may name the people this poll asks about.
    let hider = Hider::new(&people.refs);
    (poll_people(watch, tenant, source, adapter, &people).await).map_err(|e| e.hidden_by(&hider))
}

/// The poll of the enrolled `people`: through the change feed where it can, else whole.
async fn poll_people(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    adapter: &Adapter,
    people: &People,
) -> Result<PollOutcome, PollError> {
    let feed = match (&source.adapter, adapter.http()) {
        (AdapterConfig::Http(h), Some(http)) if h.changes && http.serves_changes() => Some(http),
        _ => None,
    };
    if let Some(http) = feed {
        if let Some(cursor) = watch.store.change_cursor(&tenant.id, &source.id).await? {
            match super::changes::poll_changes(watch, tenant, source, http, people, &cursor).await? {
                Some(outcome) => return Ok(outcome),
                None => tracing::warn!(
                    "the source no longer knows hlidac's change-feed cursor (410 Gone); reading everything again"
                ),
            }
        }
    }
    // The head is taken before the full read: what changes during it comes again.
    let head = match feed {
        Some(http) => Some(http.changes_head().await?),
        None => None,
    };
    // What a poll that died left in the staging area (a day is longer than any poll).
    let stale = watch.clock.now_ms() - 24 * 3600 * 1000;
    watch
        .store
        .discard_stale_staging(&tenant.id, &source.id, stale)
        .await?;
    let mut gathered = Gathered::new();
    let result = full_poll(watch, tenant, source, adapter, people, head, &mut gathered).await;
    if result.is_err() && gathered.staged() {
        // Best effort: rows left behind are invisible, and the age rule takes them later.
        if let Err(e) = watch.store.discard_staged(&gathered.poll_id).await {
            watch
                .health
                .db_error("a failed poll's staged changes were not deleted", &e);
        }
    }
    result
}

/// Reads every enrolled person's records, diffs them (staging the changes in batches) and
/// commits the poll.
#[allow(clippy::too_many_arguments)]
async fn full_poll(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    adapter: &Adapter,
    people: &People,
    head: Option<String>,
    gathered: &mut Gathered,
) -> Result<PollOutcome, PollError> {
    let tracked =
        super::tracked::tracked_submissions(watch, tenant, source, adapter.http()).await?;
    let today = watch.today(tenant);
    if source.serves(SourceKind::Receivables) {
        snapshot::<Receivable>(
            watch,
            tenant,
            source,
            adapter,
            people,
            today,
            Vec::new(),
            gathered,
        )
        .await?;
    }
    if source.serves(SourceKind::Submissions) {
        snapshot::<Submission>(
            watch, tenant, source, adapter, people, today, tracked, gathered,
        )
        .await?;
    }
    let committing = std::time::Instant::now();
    let staged = gathered.staged().then_some(gathered.poll_id.as_str());
    let diff = &mut gathered.diff;
    let alerts = diff
        .commit(
            watch,
            tenant,
            source,
            Commit::Snapshot {
                records: gathered.records as i64,
                cursor: head.as_deref(),
                staged,
            },
        )
        .await?;
    let changed = gathered.staged_writes + diff.writes.len();
    let events = gathered.staged_events + diff.events.len();
    tracing::debug!(
        writes = changed,
        staged = gathered.staged_writes,
        ms = committing.elapsed().as_millis() as u64,
        "committed"
    );
    watch.remember_etags(&tenant.id, &source.id, std::mem::take(&mut gathered.etags));
    Ok(PollOutcome {
        paused: false,
        records: gathered.records,
        changed,
        events,
        alerts,
    })
}

/// Reads every enrolled person's records of one kind, a page at a time, and diffs each page
/// against the stored index before reading the next, so that only the index and one page
/// are in memory. `extra` are records found otherwise (tracked documents), with the hash
/// of the person they belong to in hlidac.
#[allow(clippy::too_many_arguments)]
async fn snapshot<R: Watched>(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    adapter: &Adapter,
    people: &People,
    today: chrono::NaiveDate,
    extra: Vec<(R, String)>,
    out: &mut Gathered,
) -> Result<(), PollError> {
    let started = std::time::Instant::now();
    let at = Reading {
        tenant,
        source,
        today,
    };
    // The index loads on one task while the first page is fetched on another, and each
    // next page is fetched while the current one is diffed: at most two pages in memory.
    let index = AbortOnDrop(tokio::spawn({
        let store = watch.store.clone();
        let (t, s) = (tenant.id.clone(), source.id.clone());
        async move { store.prior_index(&t, &s, R::KIND).await }
    }));
    let chunks: Vec<&[String]> = if people.refs.is_empty() {
        Vec::new()
    } else {
        people.refs.chunks(adapter.page_size()).collect()
    };
    let tag_keys: Vec<String> = chunks
        .iter()
        .map(|chunk| stable_id(&[R::KIND, &chunk.join("\n")]))
        .collect();
    let fetch = |i: usize| {
        let adapter = adapter.clone();
        let chunk = chunks[i].to_vec();
        let known = watch.etag(&tenant.id, &source.id, &tag_keys[i]);
        AbortOnDrop(tokio::spawn(async move {
            let page = adapter.records_page::<R>(&chunk, known.as_deref()).await;
            (page, known)
        }))
    };
    let mut next = (!chunks.is_empty()).then(|| fetch(0));
    let mut index = index.join().await??;
    tracing::debug!(
        kind = R::KIND,
        stored = index.len(),
        ms = started.elapsed().as_millis() as u64,
        "index loaded"
    );
    let mut new_keys: HashSet<String> = HashSet::new();
    let mut records = 0usize;
    let mut held = 0usize;
    for (i, chunk) in chunks.iter().enumerate() {
        let Some(current) = next.take() else { break };
        let (page, known) = current.join().await?;
        next = (i + 1 < chunks.len()).then(|| fetch(i + 1));
        match page? {
            Page::NotModified => {
                records += chunk
                    .iter()
                    .map(|r| index.count_of(&people.hash_of[r]))
                    .sum::<usize>();
                if let Some(tag) = known {
                    out.etags.push((tag_keys[i].clone(), tag));
                }
            }
            Page::Records { listed, etag } => {
                let page = listed.records;
                held += listed.held.len();
                report_held(&listed.held);
                out.diff.held.extend(listed.held);
                let asked: HashSet<&str> = chunk.iter().map(String::as_str).collect();
                let not_asked = |key: &str| {
                    PollError::Suspicious(format!(
                        "the {} {key:?} belongs to a person hlidac did not ask about",
                        R::KIND
                    ))
                };
                for t in &listed.withdrawn {
                    if !asked.contains(t.person_ref.as_str()) {
                        return Err(not_asked(&t.key));
                    }
                    if let Some(old) = see_key::<R>(&t.key, &mut index, &mut new_keys, false)? {
                        let old = Old::of(&index, old);
                        out.diff
                            .withdraw(tenant, old, t, &people.hash_of[&t.person_ref]);
                    }
                }
                records += listed.withdrawn.len();
                for r in &page {
                    if !asked.contains(r.person_ref()) {
                        return Err(not_asked(r.key()));
                    }
                    let hash = &people.hash_of[r.person_ref()];
                    diff_one(
                        r,
                        hash,
                        &mut index,
                        &mut new_keys,
                        &at,
                        &mut out.diff,
                        false,
                    )?;
                }
                records += page.len();
                if let Some(tag) = etag {
                    out.etags.push((tag_keys[i].clone(), tag));
                }
            }
        }
        out.stage_if_full(watch, tenant, source).await?;
    }
    for (r, hash) in &extra {
        if diff_one(r, hash, &mut index, &mut new_keys, &at, &mut out.diff, true)? {
            records += 1;
        }
        out.stage_if_full(watch, tenant, source).await?;
    }
    tracing::debug!(
        kind = R::KIND,
        records,
        held,
        ms = started.elapsed().as_millis() as u64,
        "pages read and diffed"
    );
    check_held(R::KIND, held, records, source)?;
    // A record held back was sent: it counts against a shrinking snapshot.
    records += held;
    let before: usize = people
        .refs
        .iter()
        .map(|r| index.count_of(&people.hash_of[r]))
        .sum();
    if before > 0 && (records as f64) < (before as f64) * (1.0 - source.max_drop_share) {
        return Err(PollError::Suspicious(format!(
            "the {} snapshot shrank from {before} to {records} records, more than max_drop_share = {}",
            R::KIND,
            source.max_drop_share
        )));
    }
    out.records += records;
    Ok(())
}

/// A spawned task that is cancelled when the poll that started it ends early.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> AbortOnDrop<T> {
    async fn join(mut self) -> Result<T, PollError> {
        (&mut self.0)
            .await
            .map_err(|e| PollError::Suspicious(format!("a fetch task ended abnormally: {e}")))
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A key of this read: its stored prior (`Some(None)` for a new key), or `None` for a
/// repeat that `may_repeat` allows. A key that is not printable, or that comes twice,
/// fails the poll.
fn see_key<R: Record>(
    key: &str,
    index: &mut PriorIndex,
    new_keys: &mut HashSet<String>,
    may_repeat: bool,
) -> Result<Option<Option<crate::store::Prior>>, PollError> {
    if !sane_key(key) {
        return Err(AdapterError::Malformed(format!(
            "a {} key is empty or has control characters",
            R::KIND
        ))
        .into());
    }
    match index.see(key) {
        Some((prior, false)) => Ok(Some(Some(prior))),
        None if new_keys.insert(key.to_string()) => Ok(Some(None)),
        _ if may_repeat => Ok(None),
        _ => Err(
            AdapterError::Malformed(format!("the {} key {key:?} appears twice", R::KIND)).into(),
        ),
    }
}

/// Checks one record of a snapshot and diffs it against the index. A key that comes twice
/// fails the poll, unless `may_repeat` (a tracked document also listed for its person).
/// Returns whether the record was taken.
fn diff_one<R: Watched>(
    r: &R,
    person_hash: &str,
    index: &mut PriorIndex,
    new_keys: &mut HashSet<String>,
    at: &Reading<'_>,
    diff: &mut Diff,
    may_repeat: bool,
) -> Result<bool, PollError> {
    let Some(prior) = see_key::<R>(r.key(), index, new_keys, may_repeat)? else {
        return Ok(false);
    };
    r.diff_into(diff, at, Old::of(index, prior), person_hash);
    Ok(true)
}
