//! Storage on SQLite (embedded default, WAL) or PostgreSQL (several instances share one).
//!
//! What comes in: observations, events and alerts from the watch and notify stages. What
//! goes out: the last known state of each record and the alerts due for sending. What it
//! must never do: store a national identifier or a contact in clear (callers pass hashes
//! and sealed values), or let an alert exist without the event it came from — both are
//! written in one transaction by [`Store::commit_poll`] and [`Store::insert_events`].
//!
//! The same SQL runs on both engines through sqlx's `Any` driver; times are Unix
//! milliseconds. The few statements that differ (claiming with `SKIP LOCKED`) branch on
//! [`Backend`].

mod admin;
mod citizen;
mod identity;
mod outbox;
mod priors;
pub mod single;
mod sql;
use sql::{marks, on_sqlite, positional, value_rows};
mod staging;
mod tracking;
#[cfg(test)]
mod twins;
pub use identity::{DocumentIn, DocumentRow, FlowRow, LinkIn, NewSession, SessionRow};

pub use admin::*;
pub use citizen::{
    parse_offsets, AlertRow, Challenge, CitizenInfo, ContactRow, ReminderRow, SettingsIn,
};
pub use priors::*;
pub use tracking::*;

pub use outbox::*;

use sqlx::any::AnyPoolOptions;
use sqlx::{AnyPool, FromRow, Row};
use std::collections::HashMap;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("database migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("the database holds data hlidac cannot read: {0}")]
    Corrupt(String),
    #[error("cannot create the database folder {path}: {source}")]
    Folder {
        path: String,
        source: std::io::Error,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Clone, Debug)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

/// Topics a citizen can subscribe to; an event's kind names its topic.
pub const TOPICS: &[&str] = &["receivables", "submissions", "documents", "reminders"];

pub fn new_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

/// A deterministic identifier from parts (events, alerts): the same facts give the same id.
pub fn stable_id(parts: &[&str]) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    hex::encode(&h.finalize()[..16])
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CitizenRow {
    pub id: String,
    pub tenant_id: String,
    pub person_ref_enc: String,
    pub locale: Option<String>,
    pub email_enc: Option<String>,
    pub created_at: i64,
}

#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct SourceHealth {
    pub state: String,
    pub consecutive_failures: i64,
    pub total_failures: i64,
    pub total_polls: i64,
    pub last_error: Option<String>,
    pub record_count: i64,
    pub last_success_at: Option<i64>,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Observation {
    pub record_key: String,
    pub person_hash: String,
    pub content_hash: String,
    pub version: Option<String>,
    pub status: String,
    pub data: String,
    pub first_seen_at: i64,
}

/// One observation to insert or replace.
#[derive(Clone, Debug)]
pub struct ObservationWrite {
    pub kind: &'static str,
    pub record_key: String,
    pub person_hash: String,
    pub content_hash: String,
    pub version: Option<String>,
    pub status: String,
    pub data: String,
    /// For a receivable: the earliest unpaid instalment's due date (YYYY-MM-DD).
    pub due_next: Option<String>,
}

/// How a poll or push is recorded in the source's health.
#[derive(Clone, Copy, Debug)]
pub enum Commit<'a> {
    /// Everyone's records were read: `records` in all; `cursor` is the change feed's head
    /// taken before the read, for a source that reads the feed.
    Snapshot {
        records: i64,
        cursor: Option<&'a str>,
        /// The poll whose earlier batches wait in the staging area, made current here.
        staged: Option<&'a str>,
    },
    /// The change feed was read up to `cursor`.
    Changes { cursor: &'a str },
    /// Records were pushed: the source delivers, so its data may drive reminders.
    Push,
}

/// An event about one record of one person, with the facts an alert is rendered from.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub id: String,
    pub tenant_id: String,
    pub source_id: String,
    pub kind: String,
    pub record_key: String,
    pub person_hash: String,
    pub payload: serde_json::Value,
    /// The alert may not go out after this instant (a reminder for a date that passed).
    pub expires_at: Option<i64>,
    /// Its alerts are rendered and recorded as "would send", never sent.
    pub dry_run: bool,
}

impl NewEvent {
    pub fn topic(&self) -> &'static str {
        topic_of(&self.kind)
    }
}

pub fn topic_of(kind: &str) -> &'static str {
    if kind.starts_with("submission.") {
        "submissions"
    } else if kind.starts_with("document.") {
        "documents"
    } else if kind.starts_with("personal.") {
        "reminders"
    } else {
        "receivables"
    }
}

impl Store {
    /// Connects (creating a SQLite file and its folder when needed) without migrating.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        };
        if backend == Backend::Sqlite {
            if let Some(path) = sqlite_path(url) {
                if let Some(dir) = std::path::Path::new(&path).parent() {
                    if !dir.as_os_str().is_empty() {
                        std::fs::create_dir_all(dir).map_err(|source| StoreError::Folder {
                            path: dir.display().to_string(),
                            source,
                        })?;
                    }
                }
            }
        }
        // SQLite takes one writer at a time; one connection avoids lock upgrades failing
        // with SQLITE_BUSY. PostgreSQL gets a real pool.
        let max = match backend {
            Backend::Sqlite => 1,
            Backend::Postgres => max_connections.max(2),
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            // Short: a database that is gone is told at once (readiness, the admin API),
            // and every worker retries on its own.
            .acquire_timeout(std::time::Duration::from_secs(5))
            // A connection still inside a transaction when it comes back (a COMMIT or
            // ROLLBACK that failed, as on a full disk) is closed, not reused: otherwise
            // later "transactions" would be savepoints inside one that never commits, and
            // this process would see writes no one else ever does.
            .after_release(|conn, _| {
                Box::pin(async move {
                    use sqlx::Connection;
                    if conn.is_in_transaction() {
                        // A rollback queued on drop runs with the next command.
                        let _ = conn.ping().await;
                    }
                    Ok(!conn.is_in_transaction())
                })
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        for pragma in [
                            "PRAGMA journal_mode = WAL",
                            "PRAGMA synchronous = NORMAL",
                            "PRAGMA foreign_keys = ON",
                            "PRAGMA busy_timeout = 10000",
                            // 32 MiB of pages per connection (the default is 2 MiB): a
                            // large poll's transaction otherwise reads most pages back
                            // through the write-ahead log's index.
                            "PRAGMA cache_size = -32768",
                        ] {
                            sqlx::query(pragma).execute(&mut *conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect(url)
            .await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Applies the embedded migrations of this backend; returns how many were new.
    pub async fn migrate(&self) -> Result<usize> {
        let migrator = match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite"),
            Backend::Postgres => sqlx::migrate!("migrations/postgres"),
        };
        let before = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        Ok(n as usize)
    }

    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn upsert_tenant(&self, id: &str, name: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn ensure_source(&self, tenant: &str, source: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sources (tenant_id, source_id, state) VALUES ($1, $2, 'new')
             ON CONFLICT (tenant_id, source_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(source)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ----- citizens -------------------------------------------------------------------

    /// Enrols a citizen with a verified e-mail contact and every topic subscribed on it.
    /// Returns the citizen's id, and false when the person was already enrolled.
    #[allow(clippy::too_many_arguments)]
    pub async fn add_citizen(
        &self,
        tenant: &str,
        person_hash: &str,
        person_ref_enc: &str,
        locale: Option<&str>,
        email_enc: &str,
        email_hash: &str,
        now: i64,
    ) -> Result<(String, bool)> {
        let mut tx = self.pool.begin().await?;
        let existing =
            sqlx::query("SELECT id FROM citizens WHERE tenant_id = $1 AND person_hash = $2")
                .bind(tenant)
                .bind(person_hash)
                .fetch_optional(&mut *tx)
                .await?;
        let (id, created) = match existing {
            Some(row) => (row.try_get::<String, _>("id")?, false),
            None => {
                let id = new_id();
                sqlx::query(
                    "INSERT INTO citizens (id, tenant_id, person_hash, person_ref_enc, locale, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(&id)
                .bind(tenant)
                .bind(person_hash)
                .bind(person_ref_enc)
                .bind(locale.map(str::to_string))
                .bind(now)
                .execute(&mut *tx)
                .await?;
                (id, true)
            }
        };
        insert_contact(&mut tx, &id, "email", email_enc, email_hash, now).await?;
        tx.commit().await?;
        Ok((id, created))
    }

    /// Adds a verified contact on another channel (an SMS number) to a citizen, subscribed
    /// to every topic on it. Returns false when the citizen does not exist.
    pub async fn add_contact(
        &self,
        citizen_id: &str,
        channel: &str,
        address_enc: &str,
        address_hash: &str,
        now: i64,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM citizens WHERE id = $1")
            .bind(citizen_id)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if !exists {
            return Ok(false);
        }
        insert_contact(&mut tx, citizen_id, channel, address_enc, address_hash, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Sets how a citizen is told: their own SMS quiet hours (`None` keeps the current
    /// setting, `Some("")` returns to the municipality's) and `immediate` or `daily`.
    pub async fn set_delivery_preferences(
        &self,
        citizen_id: &str,
        quiet_hours: Option<&str>,
        delivery: Option<&str>,
    ) -> Result<bool> {
        let empty_to_null = |v: Option<&str>| v.map(|s| (!s.is_empty()).then(|| s.to_string()));
        Ok(sqlx::query(
            "UPDATE citizens SET
                quiet_hours = CASE WHEN $2 = 1 THEN $3 ELSE quiet_hours END,
                delivery = CASE WHEN $4 = 1 THEN $5 ELSE delivery END
             WHERE id = $1",
        )
        .bind(citizen_id)
        .bind(i64::from(quiet_hours.is_some()))
        .bind(empty_to_null(quiet_hours).flatten())
        .bind(i64::from(delivery.is_some()))
        .bind(empty_to_null(delivery).flatten())
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    pub async fn list_citizens(&self, tenant: Option<&str>) -> Result<Vec<CitizenRow>> {
        Ok(sqlx::query_as::<_, CitizenRow>(
            "SELECT c.id, c.tenant_id, c.person_ref_enc, c.locale, c.created_at,
                    (SELECT k.address_enc FROM contacts k WHERE k.citizen_id = c.id
                       AND k.channel = 'email' AND k.verified_at IS NOT NULL
                     ORDER BY k.created_at LIMIT 1) AS email_enc
             FROM citizens c WHERE ($1 = '' OR c.tenant_id = $1) ORDER BY c.created_at, c.id",
        )
        .bind(tenant.unwrap_or(""))
        .fetch_all(&self.pool)
        .await?)
    }

    /// Removes a citizen and everything personal; alerts not yet sent are suppressed.
    pub async fn remove_citizen(&self, id: &str, now: i64) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'suppressed', last_error = 'citizen removed', updated_at = $2
             WHERE citizen_id = $1 AND state IN ('queued', 'sending', 'held', 'digested')",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // The citizen's own reminders live on in their events (the note sealed): gone too.
        for sql in [
            "DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT o.id FROM outbox o
               JOIN events e ON e.id = o.event_id
               WHERE o.citizen_id = $1 AND e.source_id = 'personal')",
            "DELETE FROM outbox WHERE citizen_id = $1 AND event_id IN
               (SELECT id FROM events WHERE source_id = 'personal')",
            "DELETE FROM events WHERE source_id = 'personal' AND person_hash =
               (SELECT person_hash FROM citizens WHERE id = $1)
               AND tenant_id = (SELECT tenant_id FROM citizens WHERE id = $1)",
            "DELETE FROM subscriptions WHERE citizen_id = $1",
            "DELETE FROM contacts WHERE citizen_id = $1",
            "DELETE FROM tracked_submissions WHERE citizen_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        let n = sqlx::query("DELETE FROM citizens WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        tx.commit().await?;
        Ok(n > 0)
    }

    // ----- sources --------------------------------------------------------------------

    pub async fn source_health(&self, tenant: &str, source: &str) -> Result<Option<SourceHealth>> {
        let row = sqlx::query(
            "SELECT state, consecutive_failures, total_failures, total_polls, last_error,
                    record_count, last_success_at
             FROM sources WHERE tenant_id = $1 AND source_id = $2",
        )
        .bind(tenant)
        .bind(source)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(SourceHealth::from_row).transpose()?)
    }

    /// Records a failed poll; returns the number of failures in a row.
    pub async fn record_poll_failure(
        &self,
        tenant: &str,
        source: &str,
        state: &str,
        error: &str,
        now: i64,
    ) -> Result<i64> {
        self.ensure_source(tenant, source).await?;
        let row = sqlx::query(
            "UPDATE sources SET state = $3, consecutive_failures = consecutive_failures + 1,
                total_failures = total_failures + 1, total_polls = total_polls + 1,
                last_poll_at = $4, last_error = $5
             WHERE tenant_id = $1 AND source_id = $2 RETURNING consecutive_failures",
        )
        .bind(tenant)
        .bind(source)
        .bind(state)
        .bind(now)
        .bind(error)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("consecutive_failures")?)
    }

    pub async fn list_sources(&self) -> Result<Vec<(String, String, SourceHealth)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, source_id, state, consecutive_failures, total_failures,
                    total_polls, last_error, record_count, last_success_at
             FROM sources ORDER BY tenant_id, source_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("tenant_id")?,
                    r.try_get("source_id")?,
                    SourceHealth::from_row(r)?,
                ))
            })
            .collect()
    }

    // ----- observations ---------------------------------------------------------------

    pub async fn observations(
        &self,
        tenant: &str,
        source: &str,
        kind: &str,
    ) -> Result<HashMap<String, Observation>> {
        let rows = sqlx::query(
            "SELECT record_key, person_hash, content_hash, version, status, data, first_seen_at
             FROM observations WHERE tenant_id = $1 AND source_id = $2 AND kind = $3",
        )
        .bind(tenant)
        .bind(source)
        .bind(kind)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let o = Observation::from_row(r)?;
                Ok((o.record_key.clone(), o))
            })
            .collect()
    }

    pub async fn observation(
        &self,
        tenant: &str,
        source: &str,
        kind: &str,
        key: &str,
    ) -> Result<Option<Observation>> {
        let row = sqlx::query(
            "SELECT record_key, person_hash, content_hash, version, status, data, first_seen_at
             FROM observations
             WHERE tenant_id = $1 AND source_id = $2 AND kind = $3 AND record_key = $4",
        )
        .bind(tenant)
        .bind(source)
        .bind(kind)
        .bind(key)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(Observation::from_row).transpose()?)
    }

    /// Receivables not settled, due by `horizon` (YYYY-MM-DD) and not yet evaluated on
    /// `today`, from sources whose last poll succeeded and that are not paused: the input of
    /// the reminder and overdue rules. A failing source's stale data never reminds anyone.
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
               AND o.status NOT IN ('paid', 'written_off')
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
    pub async fn commit_poll(
        &self,
        tenant: &str,
        source: &str,
        writes: &[ObservationWrite],
        events: &[NewEvent],
        commit: Commit<'_>,
        now: i64,
    ) -> Result<usize> {
        let mut tx = self.pool.begin().await?;
        let mut alerts = 0;
        if let Commit::Snapshot {
            staged: Some(poll_id),
            ..
        } = commit
        {
            alerts += staging::apply_staged(&mut tx, poll_id, now).await?;
        }
        upsert_observations(&mut tx, tenant, source, writes, now).await?;
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
        let alerts = insert_events(&mut tx, events, now).await?;
        for (source, key) in evaluated {
            sqlx::query(
                "UPDATE observations SET rules_day = $4
                 WHERE tenant_id = $1 AND source_id = $2 AND kind = 'receivable' AND record_key = $3",
            )
            .bind(tenant)
            .bind(source)
            .bind(key)
            .bind(today)
            .execute(&mut *tx)
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
        let mut tx = self.pool.begin().await?;
        let alerts = insert_events(&mut tx, events, now).await?;
        tx.commit().await?;
        Ok(alerts)
    }

    /// The keyed hashes of the people enrolled in a tenant.
    pub async fn person_hashes(&self, tenant: &str) -> Result<std::collections::HashSet<String>> {
        let rows = sqlx::query("SELECT person_hash FROM citizens WHERE tenant_id = $1")
            .bind(tenant)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(|r| Ok(r.try_get("person_hash")?)).collect()
    }

    pub async fn event_exists(&self, id: &str) -> Result<bool> {
        Ok(sqlx::query("SELECT 1 AS one FROM events WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    pub async fn count(&self, table: CountOf) -> Result<i64> {
        let sql = match table {
            CountOf::Events => "SELECT COUNT(*) AS n FROM events",
            CountOf::Observations => "SELECT COUNT(*) AS n FROM observations",
            CountOf::Outbox => "SELECT COUNT(*) AS n FROM outbox",
            CountOf::Citizens => "SELECT COUNT(*) AS n FROM citizens",
        };
        Ok(sqlx::query(sql).fetch_one(&self.pool).await?.try_get("n")?)
    }
}

#[derive(Clone, Copy, Debug)]
pub enum CountOf {
    Events,
    Observations,
    Outbox,
    Citizens,
}

/// Adds a verified contact on `channel` (unless the citizen has that address already),
/// subscribed to every topic on it. Runs inside the caller's transaction.
async fn insert_contact(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    citizen_id: &str,
    channel: &str,
    address_enc: &str,
    address_hash: &str,
    now: i64,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO contacts (id, citizen_id, channel, address_enc, address_hash, verified_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (citizen_id, channel, address_hash) DO NOTHING",
    )
    .bind(new_id())
    .bind(citizen_id)
    .bind(channel)
    .bind(address_enc)
    .bind(address_hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    for topic in TOPICS {
        sqlx::query(
            "INSERT INTO subscriptions (citizen_id, topic, channel, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(citizen_id)
        .bind(*topic)
        .bind(channel)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A subscribed citizen with a usable contact: (citizen id, topic, channel).
/// (citizen, topic, channel, the citizen's own reminder days).
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

/// Rows per multi-row statement (well under both engines' parameter limits).
const BATCH: usize = 200;

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// Binds what an observation write says of its record, from `kind` to `data`, in the
/// order both the observations and the staging table list those columns.
fn bind_write<'q>(q: AnyQuery<'q>, w: &'q ObservationWrite) -> AnyQuery<'q> {
    q.bind(w.kind)
        .bind(&w.record_key)
        .bind(&w.person_hash)
        .bind(&w.content_hash)
        .bind(w.version.clone())
        .bind(&w.status)
        .bind(&w.data)
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
                rules_day = NULL",
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
async fn insert_events(
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
            q = q
                .bind(&e.id)
                .bind(&e.tenant_id)
                .bind(&e.source_id)
                .bind(&e.kind)
                .bind(&e.record_key)
                .bind(&e.person_hash)
                .bind(e.payload.to_string())
                .bind(now);
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
                               AND k.suppressed_at IS NULL)",
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

pub(crate) fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next()?;
    if path.is_empty() || path == ":memory:" {
        None
    } else {
        Some(path.to_string())
    }
}
