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
mod calendar;
mod citizen;
mod enrolment;
mod erasure;
mod fallback;
pub use fallback::UNDELIVERABLE_NOTICE;
mod feedback;
pub use feedback::{FeedbackApplied, FeedbackIn};
mod identity;
mod migrations;
mod outbox;
mod people;
mod priors;
mod records;
mod run;
use run::{args, run_in};
pub mod single;
mod sources;
mod sql;
use sql::{marks, on_sqlite, positional, value_rows};
mod staging;
mod tracking;
pub use identity::{DocumentIn, DocumentRow, FlowRow, LinkIn, NewSession, SessionRow};
use records::{bind_write, insert_events};

pub use admin::*;
pub use citizen::{
    parse_offsets, AlertRow, Challenge, CitizenInfo, ContactRow, ReminderRow, SettingsIn,
};
pub use priors::*;
pub use tracking::*;

pub use outbox::*;

use sqlx::any::AnyPoolOptions;
use sqlx::AnyPool;
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
    /// Records its last read held back alone, and which (kind, key and what is wrong).
    pub held_records: i64,
    pub held_note: Option<String>,
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
            // No idle or lifetime reaping: sqlx 0.8's reaper can read the pool's idle count
            // while a release is under way, see it wrapped below zero and spin a core for
            // good (sqlx issue 3645; seen here when a runtime shut down with the pool open).
            // Connections are checked before each use, so one a restarted server dropped
            // is replaced all the same.
            .idle_timeout(None)
            .max_lifetime(None)
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
        let migrator = migrations::migrator(self.backend).await?;
        let before = self.applied_migrations().await.unwrap_or(0);
        migrator.run(&self.pool).await?;
        let after = self.applied_migrations().await?;
        Ok(after.saturating_sub(before))
    }

    async fn applied_migrations(&self) -> Result<usize> {
        let n: i64 = self
            .value("SELECT COUNT(*) AS n FROM _sqlx_migrations", args![])
            .await?;
        Ok(n as usize)
    }

    pub async fn ping(&self) -> Result<()> {
        self.run("SELECT 1", args![]).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    pub async fn count(&self, table: CountOf) -> Result<i64> {
        let sql = match table {
            CountOf::Events => "SELECT COUNT(*) AS n FROM events",
            CountOf::Observations => "SELECT COUNT(*) AS n FROM observations",
            CountOf::Outbox => "SELECT COUNT(*) AS n FROM outbox",
            CountOf::Citizens => "SELECT COUNT(*) AS n FROM citizens",
        };
        self.value(sql, args![]).await
    }
}

#[derive(Clone, Copy, Debug)]
pub enum CountOf {
    Events,
    Observations,
    Outbox,
    Citizens,
}

/// Rows per multi-row statement (well under both engines' parameter limits).
pub(super) const BATCH: usize = 200;

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
