//! What the watch stage writes and reads: observations (the last known state of each
//! record), the poll's and the rules' commits with their events and alerts, and the
//! recipients an event's alerts go to.

use super::*;
use hlidac_adapters::{Held, Tombstone};
use sqlx::{FromRow, Row};
use std::collections::HashSet;

impl Store {
    pub async fn observations(
        &self,
        tenant: &str,
        source: &str,
        kind: &str,
    ) -> Result<HashMap<String, Observation>> {
        let rows: Vec<Observation> = self
            .all(
                "SELECT record_key, person_hash, content_hash, version, status, data, first_seen_at
                 FROM observations WHERE tenant_id = $1 AND source_id = $2 AND kind = $3",
                args![tenant, source, kind],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|o| (o.record_key.clone(), o))
            .collect())
    }

    pub async fn observation(
        &self,
        tenant: &str,
        source: &str,
        kind: &str,
        key: &str,
    ) -> Result<Option<Observation>> {
        self.optional(
            "SELECT record_key, person_hash, content_hash, version, status, data, first_seen_at
             FROM observations
             WHERE tenant_id = $1 AND source_id = $2 AND kind = $3 AND record_key = $4",
            args![tenant, source, kind, key],
        )
        .await
    }

    /// Receivables not settled, due by `horizon` (YYYY-MM-DD) and not yet evaluated on
    /// `today`, from sources whose last poll succeeded and that are not paused: the input of
    /// the reminder and overdue rules. A failing source's stale data never reminds anyone,
    /// nor does a record held back.
    pub async fn open_receivables(
        &self,
        tenant: &str,
        today: &str,
        horizon: &str,
    ) -> Result<Vec<(String, Observation)>> {
        let rows = sqlx::query(
            "SELECT o.source_id, o.record_key, o.person_hash, o.content_hash, o.version,
                    o.status, o.data, o.first_seen_at
             FROM observations o JOIN sources s
               ON s.tenant_id = o.tenant_id AND s.source_id = o.source_id
             WHERE o.tenant_id = $1 AND o.kind = 'receivable' AND s.state = 'ok' AND s.paused = 0
               AND o.held = 0
               AND o.status NOT IN ('paid', 'written_off', 'withdrawn', 'cancelled')
               AND o.due_next IS NOT NULL AND o.due_next <= $3
               AND (o.rules_day IS NULL OR o.rules_day < $2)",
        )
        .bind(tenant)
        .bind(today)
        .bind(horizon)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("source_id")?, Observation::from_row(r)?)))
            .collect()
    }

    /// Writes a successful poll or push in one transaction: the changed observations (with
    /// what the poll staged before), the events they produced with their alerts, and the
    /// source's health and cursor.
    #[allow(clippy::too_many_arguments)]
    pub async fn commit_poll(
        &self,
        tenant: &str,
        source: &str,
        writes: &[ObservationWrite],
        events: &[NewEvent],
        held: &[Held],
        withdrawn: &[Tombstone],
        commit: Commit<'_>,
        now: i64,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        enrolment::share(&mut tx, tenant).await?;
        let mut alerts = 0;
        let mut staged_people = Vec::new();
        if let Commit::Snapshot {
            staged: Some(poll_id),
            ..
        } = commit
        {
            let (n, people) = staging::apply_staged(&mut tx, poll_id, now).await?;
            alerts += n;
            staged_people = people;
        }
        upsert_observations(&mut tx, tenant, source, writes, now).await?;
        withdraw(&mut tx, tenant, source, withdrawn, now).await?;
        alerts += insert_events(&mut tx, events, now).await?;
        // The source's health: which statement depends on how the records came.
        let health = match commit {
            Commit::Snapshot {
                records, cursor, ..
            } => sqlx::query(
                "INSERT INTO sources (tenant_id, source_id, state, total_polls, last_poll_at,
                    last_success_at, record_count, change_cursor)
                 VALUES ($1, $2, 'ok', 1, $3, $3, $4, $5)
                 ON CONFLICT (tenant_id, source_id) DO UPDATE SET state = 'ok',
                    consecutive_failures = 0, total_polls = sources.total_polls + 1,
                    last_poll_at = $3, last_success_at = $3, last_error = NULL,
                    record_count = $4, change_cursor = $5",
            )
            .bind(tenant)
            .bind(source)
            .bind(now)
            .bind(records)
            .bind(cursor),
            Commit::Changes { cursor } => sqlx::query(
                "UPDATE sources SET state = 'ok', consecutive_failures = 0,
                    total_polls = total_polls + 1, last_poll_at = $3, last_success_at = $3,
                    last_error = NULL, change_cursor = $4
                 WHERE tenant_id = $1 AND source_id = $2",
            )
            .bind(tenant)
            .bind(source)
            .bind(now)
            .bind(cursor),
            // A push: the source delivers, so its data may drive reminders.
            Commit::Push => sqlx::query(
                "UPDATE sources SET state = 'ok', last_success_at = $3, last_error = NULL,
                    consecutive_failures = 0
                 WHERE tenant_id = $1 AND source_id = $2",
            )
            .bind(tenant)
            .bind(source)
            .bind(now),
        };
        health.execute(&mut *tx).await?;
        hold(&mut tx, tenant, source, held, commit).await?;
        let written = writes
            .iter()
            .map(|w| w.person_hash.as_str())
            .chain(events.iter().map(|e| e.person_hash.as_str()))
            .chain(staged_people.iter().map(String::as_str))
            .collect();
        enrolment::drop_unenrolled(&mut tx, tenant, &written).await?;
        tx.commit().await?;
        if self.backend == Backend::Sqlite
            && matches!(
                commit,
                Commit::Snapshot {
                    staged: Some(_),
                    ..
                }
            )
        {
            // A staged poll wrote its changes twice: fold the write-ahead log into the
            // database and empty it, or every later read searches a log of gigabytes.
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await
            {
                tracing::debug!(error = %e, "checkpoint after a large poll");
            }
        }
        Ok(alerts)
    }

    /// Inserts the rules' events and marks the evaluated receivables as done for `today`,
    /// in one transaction; returns the number of alerts queued.
    pub async fn commit_rules(
        &self,
        tenant: &str,
        evaluated: &[(String, String)],
        today: &str,
        events: &[NewEvent],
        now: i64,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        enrolment::share(&mut tx, tenant).await?;
        let alerts = insert_events(&mut tx, events, now).await?;
        let written = events.iter().map(|e| e.person_hash.as_str()).collect();
        enrolment::drop_unenrolled(&mut tx, tenant, &written).await?;
        for (source, key) in evaluated {
            run_in(
                &mut tx,
                "UPDATE observations SET rules_day = $4
                 WHERE tenant_id = $1 AND source_id = $2 AND kind = 'receivable' AND record_key = $3",
                args![tenant, source, key, today],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(alerts)
    }

    /// Inserts events not seen before and their alerts, in one transaction; returns the
    /// number of alerts queued.
    pub async fn insert_events(&self, events: &[NewEvent], now: i64) -> Result<usize> {
        if events.is_empty() {
            return Ok(0);
        }
        // By tenant, in one order for every writer.
        let mut by_tenant: std::collections::BTreeMap<&str, HashSet<&str>> = Default::default();
        for e in events {
            by_tenant
                .entry(&e.tenant_id)
                .or_default()
                .insert(&e.person_hash);
        }
        let mut tx = self.pool.begin().await?;
        for tenant in by_tenant.keys() {
            enrolment::share(&mut tx, tenant).await?;
        }
        let alerts = insert_events(&mut tx, events, now).await?;
        for (tenant, written) in &by_tenant {
            enrolment::drop_unenrolled(&mut tx, tenant, written).await?;
        }
        tx.commit().await?;
        Ok(alerts)
    }

    /// The keyed hashes of the people enrolled in a tenant.
    pub async fn person_hashes(&self, tenant: &str) -> Result<std::collections::HashSet<String>> {
        let rows: Vec<(String,)> = self
            .all(
                "SELECT person_hash FROM citizens WHERE tenant_id = $1",
                args![tenant],
            )
            .await?;
        Ok(rows.into_iter().map(|(person_hash,)| person_hash).collect())
    }

    /// Who an event would be sent to, as its alerts would be made: (citizen id, channel)
    /// of each citizen of its person subscribed to its topic on a channel with a usable
    /// contact, a reminder only on the citizen's own days. Reads only (`hlidac preview`).
    pub async fn recipients_of(&self, e: &NewEvent) -> Result<Vec<(String, String)>> {
        let rows: Vec<Recipient> = self
            .all(
                "SELECT c.id, s.topic, s.channel, c.reminder_offsets
                 FROM citizens c JOIN subscriptions s ON s.citizen_id = c.id
                 WHERE c.tenant_id = $1 AND c.person_hash = $2
                   AND EXISTS (SELECT 1 FROM contacts k WHERE k.citizen_id = c.id
                               AND k.channel = s.channel AND k.verified_at IS NOT NULL
                               AND k.suppressed_at IS NULL AND k.undeliverable_at IS NULL)
                 ORDER BY c.id, s.channel",
                args![&e.tenant_id, &e.person_hash],
            )
            .await?;
        Ok(rows
            .into_iter()
            .filter(|(_, topic, _, own)| {
                topic == e.topic() && reminder_day_wanted(e, own.as_deref())
            })
            .map(|(citizen, _, channel, _)| (citizen, channel))
            .collect())
    }

    pub async fn event_exists(&self, id: &str) -> Result<bool> {
        self.optional::<()>("SELECT 1 AS one FROM events WHERE id = $1", args![id])
            .await
            .map(|event| event.is_some())
    }
}

/// A subscribed citizen with a usable contact: (citizen id, topic, channel, the citizen's
/// own reminder days).
type Recipient = (String, String, String, Option<String>);

/// A reminder made for a day some citizen chose goes only to those whose days (their own,
/// else the municipality's) include it.
fn reminder_day_wanted(e: &NewEvent, own: Option<&str>) -> bool {
    let Some(day) = e.payload.get("offset").and_then(|o| o.as_u64()) else {
        return true;
    };
    match own.and_then(crate::store::parse_offsets) {
        Some(list) => list.contains(&(day as u32)),
        None => e.payload["tenant_offsets"]
            .as_array()
            .is_none_or(|a| a.iter().any(|o| o.as_u64() == Some(day))),
    }
}

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds what an observation write says of its record, from `kind` to `data`, in the
/// order both the observations and the staging table list those columns.
pub(super) fn bind_write<'q>(q: AnyQuery<'q>, w: &'q ObservationWrite) -> AnyQuery<'q> {
    q.bind(w.kind)
        .bind(&w.record_key)
        .bind(&w.person_hash)
        .bind(&w.content_hash)
        .bind(w.version.clone())
        .bind(&w.status)
        .bind(&w.data)
}

/// Binds what an event says of itself, from `id` to `payload`, in the order both the
/// events and the staging table list those columns.
pub(super) fn bind_event<'q>(q: AnyQuery<'q>, e: &'q NewEvent) -> AnyQuery<'q> {
    q.bind(&e.id)
        .bind(&e.tenant_id)
        .bind(&e.source_id)
        .bind(&e.kind)
        .bind(&e.record_key)
        .bind(&e.person_hash)
        .bind(e.payload.to_string())
}

/// Marks the records a read held back: each keeps its last good observation, which drives
/// no reminder (`held`) and compares unequal to anything (no version, no content hash), so
/// the record is written again, and released, the first time it comes back well formed.
/// The source remembers how many this read held back, and which. A push holds nothing
/// back (a bad push is refused whole) and leaves the source's note as it was.
async fn hold(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    source: &str,
    held: &[Held],
    commit: Commit<'_>,
) -> Result<()> {
    if matches!(commit, Commit::Push) {
        return Ok(());
    }
    for h in held {
        let Some(key) = &h.key else { continue };
        run_in(
            tx,
            "UPDATE observations SET held = 1, version = NULL, content_hash = 'held'
             WHERE tenant_id = $1 AND source_id = $2 AND kind = $3 AND record_key = $4",
            args![tenant, source, h.kind, key],
        )
        .await?;
    }
    let note = (!held.is_empty()).then(|| held_note(held));
    run_in(
        tx,
        "UPDATE sources SET held_records = $3, held_note = $4
         WHERE tenant_id = $1 AND source_id = $2",
        args![tenant, source, held.len() as i64, note],
    )
    .await?;
    Ok(())
}

/// Marks the records their source withdrew (protocol 1.1 tombstones): each keeps what was
/// known of it, with the status `withdrawn` or `cancelled`, no next date (so no rule reads
/// it) and a content hash that compares unequal to any record, so one that comes back is
/// written again.
async fn withdraw(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    source: &str,
    withdrawn: &[Tombstone],
    now: i64,
) -> Result<()> {
    for t in withdrawn {
        run_in(
            tx,
            "UPDATE observations SET status = $5, version = $6, content_hash = 'withdrawn',
                due_next = NULL, rules_day = NULL, held = 0, updated_at = $7
             WHERE tenant_id = $1 AND source_id = $2 AND kind = $3 AND record_key = $4",
            args![
                tenant,
                source,
                t.kind,
                &t.key,
                t.withdrawn.as_str(),
                t.version.clone(),
                now
            ],
        )
        .await?;
    }
    Ok(())
}

/// The first held records, one a line, in at most 2,000 characters.
pub(crate) fn held_note(held: &[Held]) -> String {
    let mut note = String::new();
    for (i, h) in held.iter().enumerate() {
        let line = h.to_string();
        if note.len() + line.len() > 2000 {
            note.push_str(&format!("… and {} more", held.len() - i));
            break;
        }
        note.push_str(&line);
        note.push('\n');
    }
    note.trim_end().to_string()
}

/// Inserts or replaces observations, a batch per statement. Runs inside the caller's
/// transaction.
async fn upsert_observations(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    source: &str,
    writes: &[ObservationWrite],
    now: i64,
) -> Result<()> {
    for chunk in writes.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO observations (tenant_id, source_id, kind, record_key, person_hash,
                content_hash, version, status, data, first_seen_at, updated_at, due_next)
             VALUES {}
             ON CONFLICT (tenant_id, source_id, kind, record_key) DO UPDATE SET
                person_hash = excluded.person_hash, content_hash = excluded.content_hash,
                version = excluded.version, status = excluded.status, data = excluded.data,
                updated_at = excluded.updated_at, due_next = excluded.due_next,
                rules_day = NULL, held = 0",
            value_rows(chunk.len(), 12)
        );
        let sql = positional(sql, on_sqlite(tx));
        let mut q = sqlx::query(&sql);
        for w in chunk {
            q = bind_write(q.bind(tenant).bind(source), w)
                .bind(now)
                .bind(now)
                .bind(w.due_next.clone());
        }
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Inserts the events that do not exist yet, and one alert per subscribed citizen with a
/// verified, unsuppressed contact on the channel for each of them, a batch per statement.
/// An event that existed already gets no alert. Runs inside the caller's transaction;
/// returns the number of alerts queued.
pub(super) async fn insert_events(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    events: &[NewEvent],
    now: i64,
) -> Result<usize> {
    let mut alerts = 0;
    for chunk in events.chunks(BATCH) {
        let sql = format!(
            "INSERT INTO events (id, tenant_id, source_id, kind, record_key, person_hash,
                payload, created_at)
             VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            value_rows(chunk.len(), 8)
        );
        let sql = positional(sql, on_sqlite(tx));
        let mut q = sqlx::query(&sql);
        for e in chunk {
            q = bind_event(q, e).bind(now);
        }
        let mut inserted = std::collections::HashSet::new();
        for r in q.fetch_all(&mut **tx).await? {
            inserted.insert(r.try_get::<String, _>(0)?);
        }
        let fresh: Vec<&NewEvent> = chunk.iter().filter(|e| inserted.remove(&e.id)).collect();
        if fresh.is_empty() {
            continue;
        }
        // Who is told: (citizen, topic, channel) by tenant and person hash.
        let mut recipients: HashMap<(&str, &str), Vec<Recipient>> = HashMap::new();
        let mut by_tenant: HashMap<&str, Vec<&str>> = HashMap::new();
        for e in &fresh {
            let people = by_tenant.entry(e.tenant_id.as_str()).or_default();
            if !people.contains(&e.person_hash.as_str()) {
                people.push(&e.person_hash);
            }
        }
        for (tenant, people) in by_tenant {
            let sql = format!(
                "SELECT c.id, c.person_hash, s.topic, s.channel, c.reminder_offsets
                 FROM citizens c JOIN subscriptions s ON s.citizen_id = c.id
                 WHERE c.tenant_id = $1 AND c.person_hash IN ({})
                   AND EXISTS (SELECT 1 FROM contacts k WHERE k.citizen_id = c.id
                               AND k.channel = s.channel AND k.verified_at IS NOT NULL
                               AND k.suppressed_at IS NULL AND k.undeliverable_at IS NULL)",
                marks(2, people.len())
            );
            let sql = positional(sql, on_sqlite(tx));
            let mut q = sqlx::query(&sql).bind(tenant);
            for p in &people {
                q = q.bind(*p);
            }
            for r in q.fetch_all(&mut **tx).await? {
                let person: String = r.try_get(1)?;
                let person = people
                    .iter()
                    .find(|p| **p == person)
                    .copied()
                    .unwrap_or_default();
                recipients.entry((tenant, person)).or_default().push((
                    r.try_get(0)?,
                    r.try_get(2)?,
                    r.try_get(3)?,
                    r.try_get(4)?,
                ));
            }
        }
        let mut rows = Vec::new();
        for e in fresh {
            let Some(list) = recipients.get(&(e.tenant_id.as_str(), e.person_hash.as_str())) else {
                continue;
            };
            for (citizen, topic, channel, own_offsets) in list {
                if topic == e.topic() && reminder_day_wanted(e, own_offsets.as_deref()) {
                    let key = stable_id(&["alert", &e.id, channel, citizen]);
                    rows.push((key, e, citizen, channel));
                }
            }
        }
        for part in rows.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO outbox (id, dedupe_key, event_id, tenant_id, citizen_id, channel,
                    kind, state, next_attempt_at, expires_at, created_at, updated_at, dry_run)
                 VALUES {} ON CONFLICT (dedupe_key) DO NOTHING",
                value_rows(part.len(), 13)
            );
            let sql = positional(sql, on_sqlite(tx));
            let mut q = sqlx::query(&sql);
            for (key, e, citizen, channel) in part {
                q = q
                    .bind(key)
                    .bind(key)
                    .bind(&e.id)
                    .bind(&e.tenant_id)
                    .bind(*citizen)
                    .bind(*channel)
                    .bind(&e.kind)
                    .bind("queued")
                    .bind(now)
                    .bind(e.expires_at)
                    .bind(now)
                    .bind(now)
                    .bind(i64::from(e.dry_run));
            }
            alerts += q.execute(&mut **tx).await?.rows_affected() as usize;
        }
    }
    Ok(alerts)
}
