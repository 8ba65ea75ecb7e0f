//! Erasure and the writes of a person's records do not cross. A poll reads who is enrolled
//! when it starts and commits later; a person erased in between must not have their
//! records written back. Each write of records, inside its transaction, drops what it
//! wrote for a person who is no longer enrolled ([`drop_unenrolled`]).
//!
//! On SQLite one transaction runs at a time (the pool has one connection; another
//! process waits for the file's write lock, and the check runs after the transaction's
//! first write), so the check sees every erasure committed before it. On PostgreSQL the write takes a shared lock on the tenant's enrolment ([`share`]) and
//! an erasure an exclusive one ([`exclude`]), both held to the end of the transaction:
//! either the erasure waits for the write and then deletes what it wrote, or the write
//! waits for the erasure and then sees the person gone. Writes do not wait for each other.

use super::{marks, on_sqlite, positional, run_in, Result};
use std::collections::HashSet;

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

/// The advisory lock of a tenant's enrolment, as (`lock function`, tenant).
async fn lock(tx: &mut Tx<'_>, function: &str, tenant: &str) -> Result<()> {
    if on_sqlite(tx) {
        return Ok(());
    }
    let sql = format!("SELECT {function}(hashtext('hlidac enrolment'), hashtext($1))");
    sqlx::query(&sql).bind(tenant).execute(&mut **tx).await?;
    Ok(())
}

/// Before a write of records for `tenant`'s people: no erasure there commits until it ends.
pub(super) async fn share(tx: &mut Tx<'_>, tenant: &str) -> Result<()> {
    lock(tx, "pg_advisory_xact_lock_shared", tenant).await
}

/// Before an erasure in `tenant`: waits for the writes in progress, and holds new ones.
pub(super) async fn exclude(tx: &mut Tx<'_>, tenant: &str) -> Result<()> {
    lock(tx, "pg_advisory_xact_lock", tenant).await
}

/// Deletes what is stored of a person in a tenant: their observations (staged or not) and
/// the events made of them that no alert refers to. Returns the rows deleted.
pub(super) async fn delete_person(tx: &mut Tx<'_>, tenant: &str, person_hash: &str) -> Result<u64> {
    let mut n = 0;
    for sql in [
        "DELETE FROM observations WHERE tenant_id = $1 AND person_hash = $2",
        "DELETE FROM staged_observations WHERE tenant_id = $1 AND person_hash = $2",
        "DELETE FROM staged_events WHERE tenant_id = $1 AND person_hash = $2",
        "DELETE FROM events WHERE tenant_id = $1 AND person_hash = $2
           AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.event_id = events.id)",
    ] {
        n += run_in(tx, sql, super::args![tenant, person_hash]).await?;
    }
    Ok(n)
}

/// After a write of records for `tenant`'s people `written` (keyed hashes), inside its
/// transaction: deletes what is stored of those no longer enrolled. Runs after the
/// transaction's first write (see the module documentation); returns the people dropped.
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
    let mut dropped = 0;
    for hash in written {
        if !enrolled.contains(hash) {
            delete_person(tx, tenant, hash).await?;
            dropped += 1;
        }
    }
    Ok(dropped)
}
