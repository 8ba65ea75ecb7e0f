//! Citizens as the operator manages them (`hlidac citizen …` and the admin API): adding
//! one with a verified contact, delivery preferences, listing and removing; and what the
//! registry's events do to them (alerts stopped, a reference relinked, the feed's cursor).

use super::enrolment;
use super::*;
use crate::crypto::SealedContact;
use sqlx::Row;

impl Store {
    /// Enrols a citizen with a verified e-mail contact and every topic subscribed on it.
    /// Returns the citizen's id, and false when the person was already enrolled.
    pub async fn add_citizen(
        &self,
        tenant: &str,
        person_hash: &str,
        person_ref_enc: &str,
        locale: Option<&str>,
        email: &SealedContact,
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
                run_in(
                    &mut tx,
                    "INSERT INTO citizens (id, tenant_id, person_hash, person_ref_enc, locale, created_at)
                     VALUES ($1, $2, $3, $4, $5, $6)",
                    args![&id, tenant, person_hash, person_ref_enc, locale.map(str::to_string), now],
                )
                .await?;
                (id, true)
            }
        };
        insert_verified_contact(&mut tx, &id, email, now).await?;
        tx.commit().await?;
        Ok((id, created))
    }

    /// Adds a verified contact on another channel (an SMS number) to a citizen, subscribed
    /// to every topic on it. Returns false when the citizen does not exist.
    pub async fn add_contact(
        &self,
        citizen_id: &str,
        contact: &SealedContact,
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
        insert_verified_contact(&mut tx, citizen_id, contact, now).await?;
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
        self.run(
            "UPDATE citizens SET
                quiet_hours = CASE WHEN $2 = 1 THEN $3 ELSE quiet_hours END,
                delivery = CASE WHEN $4 = 1 THEN $5 ELSE delivery END
             WHERE id = $1",
            args![
                citizen_id,
                i64::from(quiet_hours.is_some()),
                empty_to_null(quiet_hours).flatten(),
                i64::from(delivery.is_some()),
                empty_to_null(delivery).flatten(),
            ],
        )
        .await
        .map(|changed| changed == 1)
    }

    pub async fn list_citizens(&self, tenant: Option<&str>) -> Result<Vec<CitizenRow>> {
        self.all(
            "SELECT c.id, c.tenant_id, c.person_ref_enc, c.locale, c.created_at,
                    (SELECT k.address_enc FROM contacts k WHERE k.citizen_id = c.id
                       AND k.channel = 'email' AND k.verified_at IS NOT NULL
                     ORDER BY k.created_at LIMIT 1) AS email_enc
             FROM citizens c WHERE ($1 = '' OR c.tenant_id = $1) ORDER BY c.created_at, c.id",
            args![tenant.unwrap_or("")],
        )
        .await
    }

    // ----- what the registry reports (protocol 1.1) ---------------------------------------

    /// The citizen enrolled in a tenant for a person, if any.
    pub async fn citizen_of_person(
        &self,
        tenant: &str,
        person_hash: &str,
    ) -> Result<Option<String>> {
        self.optional_value(
            "SELECT id FROM citizens WHERE tenant_id = $1 AND person_hash = $2",
            args![tenant, person_hash],
        )
        .await
    }

    /// Stops every alert to a citizen: the subscriptions end and what waits is suppressed.
    /// The citizen stays enrolled, their data kept.
    pub async fn stop_alerts(&self, citizen_id: &str, reason: &str, now: i64) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        end_subscriptions(&mut tx, citizen_id).await?;
        run_in(
            &mut tx,
            "UPDATE outbox SET state = 'suppressed', last_error = $2, updated_at = $3
             WHERE citizen_id = $1 AND state IN ('queued', 'held', 'digested')",
            args![citizen_id, reason, now],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Moves a tenant's citizen from one person reference to another; false when no one
    /// has the old one, or someone has the new one already.
    pub async fn relink_person(
        &self,
        tenant: &str,
        old_hash: &str,
        new_hash: &str,
        new_ref_enc: &str,
    ) -> Result<bool> {
        let mut tx = enrolment::begin_excluding(&self.pool, &[tenant]).await?;
        let moved = run_in(
            &mut tx,
            "UPDATE citizens SET person_hash = $3, person_ref_enc = $4
             WHERE tenant_id = $1 AND person_hash = $2
               AND NOT EXISTS (SELECT 1 FROM citizens c WHERE c.tenant_id = $1 AND c.person_hash = $3)",
            args![tenant, old_hash, new_hash, new_ref_enc],
        )
        .await?;
        if moved > 0 {
            // What is stored of the person moves with them: a later erasure finds it, and a
            // write still naming the old reference drops only what it wrote.
            for table in [
                "observations",
                "staged_observations",
                "staged_events",
                "events",
            ] {
                let sql = format!(
                    "UPDATE {table} SET person_hash = $3 WHERE tenant_id = $1 AND person_hash = $2"
                );
                run_in(&mut tx, &sql, args![tenant, old_hash, new_hash]).await?;
            }
        }
        tx.commit().await?;
        Ok(moved > 0)
    }

    /// Where a registry source's event feed was read to.
    pub async fn registry_cursor(&self, tenant: &str, source: &str) -> Result<Option<String>> {
        self.source_cursor(
            "SELECT registry_cursor FROM sources WHERE tenant_id = $1 AND source_id = $2",
            tenant,
            source,
        )
        .await
    }

    pub async fn set_registry_cursor(
        &self,
        tenant: &str,
        source: &str,
        cursor: &str,
    ) -> Result<()> {
        self.run(
            "UPDATE sources SET registry_cursor = $3 WHERE tenant_id = $1 AND source_id = $2",
            args![tenant, source, cursor],
        )
        .await?;
        Ok(())
    }
}

/// Ends every subscription of a citizen, inside the caller's transaction.
pub(super) async fn end_subscriptions(
    tx: &mut sqlx::AnyConnection,
    citizen_id: &str,
) -> Result<()> {
    run_in(
        tx,
        "DELETE FROM subscriptions WHERE citizen_id = $1",
        args![citizen_id],
    )
    .await?;
    Ok(())
}

/// Adds a contact, confirmed at `verified_at` or not yet, unless the citizen has that
/// address already. Runs inside the caller's transaction.
pub(super) async fn insert_contact(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    citizen_id: &str,
    contact: &SealedContact,
    verified_at: Option<i64>,
    now: i64,
) -> Result<()> {
    run_in(
        tx,
        "INSERT INTO contacts (id, citizen_id, channel, address_enc, address_hash, verified_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (citizen_id, channel, address_hash) DO NOTHING",
        args![
            new_id(),
            citizen_id,
            contact.channel,
            &contact.address_enc,
            &contact.address_hash,
            verified_at,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Adds a confirmed contact (unless the citizen has that address already), subscribed to
/// every topic on its channel. Runs inside the caller's transaction.
async fn insert_verified_contact(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    citizen_id: &str,
    contact: &SealedContact,
    now: i64,
) -> Result<()> {
    insert_contact(tx, citizen_id, contact, Some(now), now).await?;
    for topic in TOPICS {
        run_in(
            tx,
            "INSERT INTO subscriptions (citizen_id, topic, channel, created_at)
             VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
            args![citizen_id, *topic, contact.channel, now],
        )
        .await?;
    }
    Ok(())
}
