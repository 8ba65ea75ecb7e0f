//! Erasure and the writes of a person's records do not cross. A poll reads who is enrolled
//! when it starts and commits later; a person erased in between must not have their
//! records written back. Each write of records (a batch staged, a poll's or push's
//! commit, a rules tick's events), inside its transaction, deletes what is stored of a
//! person it wrote of who is no longer enrolled ([`drop_unenrolled`]): the erasure took
//! the rest already, so that is what the write put there. A relink moves what is stored
//! of the person to the new reference, so that only writes naming the old one are dropped.
//!
//! On SQLite one transaction runs at a time (the pool has one connection; another
//! process waits for the file's write lock, and the check runs after the transaction's
//! first write), so the check sees every erasure committed before it. On PostgreSQL a
//! write takes a shared lock on the tenant's enrolment ([`share`]) and an erasure or a
//! relink an exclusive one ([`begin_excluding`]), both held to the end of the transaction: either
//! the erasure waits for the write and then deletes what it wrote, or the write waits for
//! the erasure and then sees the person gone (statements read what was committed before
//! each began). Writes do not wait for each other.

use super::{marks, on_sqlite, positional, Result};
use std::collections::HashSet;

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// The key of a tenant's enrolment lock, after the lock function's `(`.
const KEY: &str = "hashtext('hlidac enrolment'), hashtext($1))";

/// Before a write of records for `tenant`'s people: no erasure there commits until it ends.
pub(super) async fn share(tx: &mut Tx<'_>, tenant: &str) -> Result<()> {
    if on_sqlite(tx) {
        return Ok(());
    }
    let sql = format!("SELECT pg_advisory_xact_lock_shared({KEY}");
    sqlx::query(&sql).bind(tenant).execute(&mut **tx).await?;
    Ok(())
}

/// How long an erasure or relink asks for its locks without queueing for them. Short of
/// the web's request time-out (30 s by default), so that an erasure asked for on the
/// account page queues in time rather than be cut off.
const TRY_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// Begins the transaction of an erasure or a relink in `tenants` (sorted, so that every
/// such transaction locks in one order), holding their exclusive locks: it waits for the
/// writes in progress. It asks for all of them at once, again and again, and takes none
/// while one is busy, rather than queue: PostgreSQL puts every later request of a
/// tenant's writes behind a queued exclusive one, each holding a connection of the pool.
/// After [`TRY_FOR`] it queues all the same.
pub(super) async fn begin_excluding(pool: &sqlx::AnyPool, tenants: &[&str]) -> Result<Tx<'static>> {
    let started = std::time::Instant::now();
    loop {
        let mut tx = pool.begin().await?;
        if on_sqlite(&tx) {
            return Ok(tx);
        }
        let queue = started.elapsed() >= TRY_FOR;
        let mut all = true;
        for tenant in tenants {
            if queue {
                let sql = format!("SELECT pg_advisory_xact_lock({KEY}");
                sqlx::query(&sql).bind(*tenant).execute(&mut *tx).await?;
            } else {
                let ask = format!("SELECT pg_try_advisory_xact_lock({KEY}");
                let got: bool = sqlx::query_scalar(&ask)
                    .bind(*tenant)
                    .fetch_one(&mut *tx)
                    .await?;
                if !got {
                    all = false;
                    break;
                }
            }
        }
        if all {
            return Ok(tx);
        }
        // The locks taken so far go with the transaction.
        tx.rollback().await?;
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The statements that delete what is stored of people in a tenant: their observations
/// (staged or not) and the events made of them that no alert refers to. `{}` stands for
/// the people's placeholders, from `$2`.
const DELETE_PEOPLE: [&str; 4] = [
    "DELETE FROM observations WHERE tenant_id = $1 AND person_hash IN ({})",
    "DELETE FROM staged_observations WHERE tenant_id = $1 AND person_hash IN ({})",
    "DELETE FROM staged_events WHERE tenant_id = $1 AND person_hash IN ({})",
    "DELETE FROM events WHERE tenant_id = $1 AND person_hash IN ({})
       AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = events.id)",
];

/// Deletes what is stored of `people` (keyed hashes) in a tenant, a batch of people per
/// statement (the staging tables have no index by person: each statement reads them).
pub(super) async fn delete_people(tx: &mut Tx<'_>, tenant: &str, people: &[&str]) -> Result<()> {
    for chunk in people.chunks(super::BATCH) {
        for sql in DELETE_PEOPLE {
            let sql = positional(sql.replace("{}", &marks(2, chunk.len())), on_sqlite(tx));
            let mut q = sqlx::query(&sql).bind(tenant);
            for hash in chunk {
                q = q.bind(*hash);
            }
            q.execute(&mut **tx).await?;
        }
    }
    Ok(())
}

/// After a write of records for `tenant`'s people `written` (keyed hashes), inside its
/// transaction: deletes what is stored of those no longer enrolled (an erasure's rows are
/// gone already, so that is what this write put there). Runs after the transaction's
/// first write (see the module documentation); returns the people dropped.
pub(super) async fn drop_unenrolled(
    tx: &mut Tx<'_>,
    tenant: &str,
    written: &HashSet<&str>,
) -> Result<usize> {
    let mut enrolled = HashSet::new();
    let written: Vec<&str> = written.iter().copied().collect();
    for chunk in written.chunks(super::BATCH) {
        let sql = format!(
            "SELECT person_hash FROM citizens WHERE tenant_id = $1 AND person_hash IN ({})",
            marks(2, chunk.len())
        );
        let sql = positional(sql, on_sqlite(tx));
        let mut q = sqlx::query_scalar::<_, String>(&sql).bind(tenant);
        for hash in chunk {
            q = q.bind(*hash);
        }
        enrolled.extend(q.fetch_all(&mut **tx).await?);
    }
    let gone: Vec<&str> = written
        .into_iter()
        .filter(|hash| !enrolled.contains(*hash))
        .collect();
    delete_people(tx, tenant, &gone).await?;
    Ok(gone.len())
}
