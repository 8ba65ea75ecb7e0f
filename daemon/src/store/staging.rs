//! A snapshot poll's staging area. A poll of a large source writes its changes here in
//! batches while it reads and diffs its pages, so that its memory does not grow with the
//! size of the source. Nothing reads these rows but the poll's own final commit, which
//! moves them into observations and events (queueing their alerts) in the same
//! transaction as the rest of the poll; a poll that fails or is rejected deletes them.
//! Until then they are invisible: no page, rule, export or alert sees a staged row.

use super::sql::value_rows;
use super::{
    args, insert_events, run_in, NewEvent, ObservationWrite, Result, Store, StoreError, BATCH,
};
use sqlx::Row;

/// Events read back per statement when a staged poll is committed.
const EVENTS_PER_READ: i64 = 2000;

impl Store {
    /// Writes one batch of a poll's changes to its staging area, in one transaction.
    /// `first_seq` numbers the batch's events (their order is kept).
    #[allow(clippy::too_many_arguments)]
    pub async fn stage_poll(
        &self,
        poll_id: &str,
        tenant: &str,
        source: &str,
        writes: &[ObservationWrite],
        events: &[NewEvent],
        first_seq: i64,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        super::enrolment::share(&mut tx, tenant).await?;
        for chunk in writes.chunks(BATCH) {
            let sql = format!(
                "INSERT INTO staged_observations (poll_id, tenant_id, source_id, kind,
                    record_key, person_hash, content_hash, version, status, data, due_next,
                    staged_at)
                 VALUES {}",
                value_rows(chunk.len(), 12)
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query(&sql);
            for w in chunk {
                q = super::bind_write(q.bind(poll_id).bind(tenant).bind(source), w)
                    .bind(w.due_next.clone())
                    .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        for (n, chunk) in events.chunks(BATCH).enumerate() {
            let sql = format!(
                "INSERT INTO staged_events (poll_id, seq, id, tenant_id, source_id, kind,
                    record_key, person_hash, payload, expires_at, dry_run, staged_at)
                 VALUES {}",
                value_rows(chunk.len(), 12)
            );
            let sql = super::positional(sql, self.backend == super::Backend::Sqlite);
            let mut q = sqlx::query(&sql);
            for (i, e) in chunk.iter().enumerate() {
                q = super::records::bind_event(
                    q.bind(poll_id).bind(first_seq + (n * BATCH + i) as i64),
                    e,
                )
                .bind(e.expires_at)
                .bind(i64::from(e.dry_run))
                .bind(now);
            }
            q.execute(&mut *tx).await?;
        }
        // A poll that fails or stops before its commit leaves its staged rows for a while:
        // none of them is of a person erased since the poll began.
        let written = writes
            .iter()
            .map(|w| w.person_hash.as_str())
            .chain(events.iter().map(|e| e.person_hash.as_str()))
            .collect();
        super::enrolment::drop_unenrolled(&mut tx, tenant, &written).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes what a poll staged (it failed or was rejected); returns the rows deleted.
    pub async fn discard_staged(&self, poll_id: &str) -> Result<u64> {
        let mut tx = self.pool.begin().await?;
        let mut n = 0;
        for sql in [
            "DELETE FROM staged_observations WHERE poll_id = $1",
            "DELETE FROM staged_events WHERE poll_id = $1",
        ] {
            n += run_in(&mut tx, sql, args![poll_id]).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Deletes what polls of a source staged before `before` and never committed or
    /// discarded (their process died); returns the rows deleted.
    pub async fn discard_stale_staging(
        &self,
        tenant: &str,
        source: &str,
        before: i64,
    ) -> Result<u64> {
        let mut n = 0;
        for sql in [
            "DELETE FROM staged_observations
             WHERE tenant_id = $1 AND source_id = $2 AND staged_at < $3",
            "DELETE FROM staged_events WHERE tenant_id = $1 AND source_id = $2 AND staged_at < $3",
        ] {
            n += self.run(sql, args![tenant, source, before]).await?;
        }
        Ok(n)
    }

    /// How many rows a poll has staged (observations and events); for tests and the
    /// operator's questions.
    pub async fn staged_rows(&self, poll_id: Option<&str>) -> Result<i64> {
        let mut n = 0;
        for table in ["staged_observations", "staged_events"] {
            let sql = format!("SELECT COUNT(*) AS n FROM {table} WHERE ($1 = '' OR poll_id = $1)");
            n += self
                .value::<i64>(&sql, args![poll_id.unwrap_or("")])
                .await?;
        }
        Ok(n)
    }
}

/// Makes a staged poll current, inside the poll's commit: its observations are upserted in
/// one statement, its events inserted (with their alerts) in order, a read at a time, and
/// its staging rows deleted. Returns the number of alerts queued and the keyed hashes of
/// the people it wrote of.
pub(super) async fn apply_staged(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    poll_id: &str,
    now: i64,
) -> Result<(usize, Vec<String>)> {
    run_in(
        tx,
        "INSERT INTO observations (tenant_id, source_id, kind, record_key, person_hash,
            content_hash, version, status, data, first_seen_at, updated_at, due_next)
         SELECT tenant_id, source_id, kind, record_key, person_hash, content_hash, version,
            status, data, $2, $2, due_next
         FROM staged_observations WHERE poll_id = $1
         ON CONFLICT (tenant_id, source_id, kind, record_key) DO UPDATE SET
            person_hash = excluded.person_hash, content_hash = excluded.content_hash,
            version = excluded.version, status = excluded.status, data = excluded.data,
            updated_at = excluded.updated_at, due_next = excluded.due_next,
            rules_day = NULL, held = 0",
        args![poll_id, now],
    )
    .await?;
    let mut alerts = 0;
    let mut from = 0i64;
    loop {
        let rows = sqlx::query(
            "SELECT seq, id, tenant_id, source_id, kind, record_key, person_hash, payload,
                expires_at, dry_run
             FROM staged_events WHERE poll_id = $1 AND seq >= $2 ORDER BY seq LIMIT $3",
        )
        .bind(poll_id)
        .bind(from)
        .bind(EVENTS_PER_READ)
        .fetch_all(&mut **tx)
        .await?;
        let Some(last) = rows.last() else { break };
        from = last.try_get::<i64, _>("seq")? + 1;
        let events = rows
            .iter()
            .map(|r| {
                let id: String = r.try_get("id")?;
                let payload: String = r.try_get("payload")?;
                let payload = serde_json::from_str(&payload)
                    .map_err(|e| StoreError::Corrupt(format!("staged event {id}: {e}")))?;
                Ok(NewEvent {
                    id,
                    tenant_id: r.try_get("tenant_id")?,
                    source_id: r.try_get("source_id")?,
                    kind: r.try_get("kind")?,
                    record_key: r.try_get("record_key")?,
                    person_hash: r.try_get("person_hash")?,
                    payload,
                    expires_at: r.try_get("expires_at")?,
                    dry_run: r.try_get::<i64, _>("dry_run")? != 0,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        alerts += insert_events(tx, &events, now).await?;
    }
    let people = sqlx::query_scalar(
        "SELECT person_hash FROM staged_observations WHERE poll_id = $1
         UNION SELECT person_hash FROM staged_events WHERE poll_id = $1",
    )
    .bind(poll_id)
    .fetch_all(&mut **tx)
    .await?;
    for sql in [
        "DELETE FROM staged_observations WHERE poll_id = $1",
        "DELETE FROM staged_events WHERE poll_id = $1",
    ] {
        run_in(tx, sql, args![poll_id]).await?;
    }
    Ok((alerts, people))
}
