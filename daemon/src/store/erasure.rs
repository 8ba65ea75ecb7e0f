//! Erasure: a citizen removed with everything personal, in one transaction. Alerts not yet
//! sent are suppressed; what the sources said of the person goes too (the records as
//! hlidac kept them, staged or not, and the events made of them); an event an alert was
//! made of stays, emptied and under a new random id, so that the alert is still counted in
//! the reports but no longer says what or whose. A person's records in several
//! municipalities go together or not at all.

use super::enrolment;
use super::*;

type Tx<'c> = sqlx::Transaction<'c, sqlx::Any>;

impl Store {
    /// Removes a citizen (see the module documentation); false when there is none.
    pub async fn remove_citizen(&self, id: &str, now: i64) -> Result<bool> {
        Ok(self.remove_citizens(&[id], now).await? > 0)
    }

    /// Removes citizens (one person's records in the municipalities they logged in to) in
    /// one transaction; returns how many there were.
    pub async fn remove_citizens(&self, ids: &[&str], now: i64) -> Result<usize> {
        // A citizen's municipality never changes: it is read before the locks are taken.
        let mut tenants: Vec<String> = Vec::new();
        for id in ids {
            tenants.extend(
                self.optional_value::<String>(
                    "SELECT tenant_id FROM citizens WHERE id = $1",
                    args![*id],
                )
                .await?,
            );
        }
        tenants.sort();
        tenants.dedup();
        let tenants: Vec<&str> = tenants.iter().map(String::as_str).collect();
        let mut tx = enrolment::begin_excluding(&self.pool, &tenants).await?;
        let sqlite = self.backend == Backend::Sqlite;
        if sqlite {
            // A write first: the file's write lock is taken before anything is read, so
            // another process's commit cannot make this transaction's reads stale.
            for id in ids {
                suppress_alerts(&mut tx, id, now).await?;
            }
        }
        let mut removed = 0;
        for id in ids {
            // Read again under the locks, and hold the row (a relink may have moved it).
            let row: Option<(String, String)> = sqlx::query_as(match self.backend {
                Backend::Sqlite => "SELECT tenant_id, person_hash FROM citizens WHERE id = $1",
                Backend::Postgres => {
                    "SELECT tenant_id, person_hash FROM citizens WHERE id = $1 FOR UPDATE"
                }
            })
            .bind(*id)
            .fetch_optional(&mut *tx)
            .await?;
            let Some((tenant, person_hash)) = row else {
                continue;
            };
            if !sqlite {
                suppress_alerts(&mut tx, id, now).await?;
            }
            erase(&mut tx, id, &tenant, &person_hash).await?;
            removed += 1;
        }
        tx.commit().await?;
        Ok(removed)
    }
}

/// Suppresses the alerts not yet sent to a citizen who is being removed.
async fn suppress_alerts(tx: &mut Tx<'_>, citizen_id: &str, now: i64) -> Result<()> {
    run_in(
        tx,
        "UPDATE outbox SET state = 'suppressed', last_error = 'citizen removed', updated_at = $2
         WHERE citizen_id = $1 AND state IN ('queued', 'sending', 'held', 'digested')",
        args![citizen_id, now],
    )
    .await?;
    Ok(())
}

/// Deletes a citizen's rows and what is stored of their person in their tenant, keeping
/// the events alerts were made of, emptied.
async fn erase(tx: &mut Tx<'_>, id: &str, tenant: &str, person_hash: &str) -> Result<()> {
    // The citizen's own reminders live on in their events (the note sealed): gone too.
    for sql in [
        "DELETE FROM delivery_attempts WHERE outbox_id IN (SELECT o.id FROM outbox o
           JOIN events e ON e.id = o.event_id
           WHERE o.citizen_id = $1 AND e.source_id = 'personal')",
        "DELETE FROM provider_refs WHERE outbox_id IN (SELECT o.id FROM outbox o
           JOIN events e ON e.id = o.event_id
           WHERE o.citizen_id = $1 AND e.source_id = 'personal')",
        "DELETE FROM outbox WHERE citizen_id = $1 AND event_id IN
           (SELECT id FROM events WHERE source_id = 'personal')",
    ] {
        run_in(tx, sql, args![id]).await?;
    }
    run_in(
        tx,
        "DELETE FROM events WHERE source_id = 'personal' AND tenant_id = $1 AND person_hash = $2",
        args![tenant, person_hash],
    )
    .await?;
    enrolment::delete_people(tx, tenant, &[person_hash]).await?;
    for sql in [
        "DELETE FROM subscriptions WHERE citizen_id = $1",
        "DELETE FROM contacts WHERE citizen_id = $1",
        "DELETE FROM tracked_submissions WHERE citizen_id = $1",
        "DELETE FROM calendar_feeds WHERE citizen_id = $1",
        "DELETE FROM mail_feedback WHERE citizen_id = $1",
    ] {
        run_in(tx, sql, args![id]).await?;
    }
    // An event an alert was made of stays for the report, under a new random id (the
    // old one is a hash of the record's key) and with nothing of what or whose.
    let kept: Vec<String> =
        sqlx::query_scalar("SELECT id FROM events WHERE tenant_id = $1 AND person_hash = $2")
            .bind(tenant)
            .bind(person_hash)
            .fetch_all(&mut **tx)
            .await?;
    for old in &kept {
        let new = new_id();
        for sql in [
            "INSERT INTO events (id, tenant_id, source_id, kind, record_key, person_hash,
                payload, created_at)
             SELECT $2, tenant_id, source_id, kind, '', '', '{}', created_at
             FROM events WHERE id = $1",
            "UPDATE outbox SET event_id = $2 WHERE event_id = $1",
        ] {
            run_in(tx, sql, args![old, &new]).await?;
        }
        run_in(tx, "DELETE FROM events WHERE id = $1", args![old]).await?;
    }
    run_in(tx, "DELETE FROM citizens WHERE id = $1", args![id]).await?;
    Ok(())
}
