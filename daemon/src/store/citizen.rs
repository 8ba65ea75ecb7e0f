//! What the citizen's pages read and change: the citizen's own settings, consent,
//! contacts and their confirmation codes, subscriptions, personal reminders, and the
//! records and alerts shown on the overview. Addresses and notes stay sealed here; the
//! web side opens them for the citizen's own eyes only.

use super::people::end_subscriptions;
use super::{args, new_id, people, run_in, Result, Store};
use crate::crypto::SealedContact;

/// A citizen's own reminder days ("14,3,0"): at most six, each 0 to 90 days, no repeats.
pub fn parse_offsets(text: &str) -> Option<Vec<u32>> {
    let mut list = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let n: u32 = part.parse().ok().filter(|n| *n <= 90)?;
        if list.contains(&n) {
            return None;
        }
        list.push(n);
    }
    (!list.is_empty() && list.len() <= 6).then(|| {
        list.sort_unstable_by(|a, b| b.cmp(a));
        list
    })
}

/// A citizen as the pages see them.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CitizenInfo {
    pub id: String,
    pub tenant_id: String,
    pub person_hash: String,
    pub subject_hash: Option<String>,
    pub locale: Option<String>,
    pub quiet_hours: Option<String>,
    pub delivery: Option<String>,
    pub consented_at: Option<i64>,
    pub reminder_offsets: Option<String>,
    pub created_at: i64,
}

const CITIZEN_COLUMNS: &str = "id, tenant_id, person_hash, subject_hash, locale, quiet_hours, delivery, consented_at, reminder_offsets, created_at";

/// A citizen's settings as the settings page saves them.
pub struct SettingsIn<'a> {
    pub subscriptions: &'a [(String, String)],
    pub quiet_hours: Option<&'a str>,
    pub delivery: &'a str,
    pub locale: &'a str,
    /// Own reminder days ("14,3,0"); None: the municipality's.
    pub reminder_offsets: Option<&'a str>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContactRow {
    pub id: String,
    pub channel: String,
    pub address_enc: String,
    pub verified_at: Option<i64>,
    pub suppressed_at: Option<i64>,
    /// A bounce made it undeliverable (it needs confirming again).
    pub undeliverable_at: Option<i64>,
    pub created_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Challenge {
    pub code_hash: String,
    pub attempts: i64,
    pub expires_at: i64,
    pub sent_at: i64,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AlertRow {
    pub kind: String,
    pub channel: String,
    pub state: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReminderRow {
    pub id: String,
    pub citizen_id: String,
    pub due_date: String,
    pub note_enc: String,
}

impl Store {
    pub async fn citizen(&self, id: &str) -> Result<Option<CitizenInfo>> {
        self.optional(
            &format!("SELECT {CITIZEN_COLUMNS} FROM citizens WHERE id = $1"),
            args![id],
        )
        .await
    }

    /// Every municipality's record of the person who logged in (one identity, linked in
    /// each municipality where they logged in).
    pub async fn citizens_of_subject(&self, subject_hash: &str) -> Result<Vec<CitizenInfo>> {
        self.all(
            &format!(
                "SELECT {CITIZEN_COLUMNS} FROM citizens WHERE subject_hash = $1 ORDER BY created_at, id"
            ),
            args![subject_hash],
        )
        .await
    }

    pub async fn person_ref_enc(&self, citizen_id: &str) -> Result<Option<String>> {
        self.optional_value(
            "SELECT person_ref_enc FROM citizens WHERE id = $1",
            args![citizen_id],
        )
        .await
    }

    pub async fn set_consent(&self, id: &str, now: i64) -> Result<()> {
        self.run(
            "UPDATE citizens SET consented_at = $2 WHERE id = $1",
            args![id, now],
        )
        .await?;
        Ok(())
    }

    /// (kind, status, data) of the records the municipality's sources hold about a person;
    /// a record its source withdrew has the status `withdrawn` or `cancelled`.
    pub async fn person_records(
        &self,
        tenant: &str,
        person_hash: &str,
    ) -> Result<Vec<(String, String, String)>> {
        self.all(
            "SELECT kind, status, data FROM observations WHERE tenant_id = $1 AND person_hash = $2
             ORDER BY kind, record_key",
            args![tenant, person_hash],
        )
        .await
    }

    /// The latest alerts of a citizen, newest first.
    pub async fn citizen_alerts(&self, citizen_id: &str, limit: i64) -> Result<Vec<AlertRow>> {
        self.all(
            "SELECT kind, channel, state, created_at, sent_at FROM outbox
             WHERE citizen_id = $1 AND dry_run = 0 ORDER BY created_at DESC, id LIMIT $2",
            args![citizen_id, limit],
        )
        .await
    }

    pub async fn subscriptions_of(&self, citizen_id: &str) -> Result<Vec<(String, String)>> {
        self.all(
            "SELECT topic, channel FROM subscriptions WHERE citizen_id = $1 ORDER BY topic, channel",
            args![citizen_id],
        )
        .await
    }

    /// Replaces a citizen's subscriptions and delivery settings in one transaction.
    pub async fn save_settings(
        &self,
        citizen_id: &str,
        s: &SettingsIn<'_>,
        now: i64,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        end_subscriptions(&mut tx, citizen_id).await?;
        for (topic, channel) in s.subscriptions {
            run_in(
                &mut tx,
                "INSERT INTO subscriptions (citizen_id, topic, channel, created_at) VALUES ($1, $2, $3, $4)",
                args![citizen_id, topic, channel, now],
            )
            .await?;
        }
        run_in(
            &mut tx,
            "UPDATE citizens SET quiet_hours = $2, delivery = $3, locale = $4, reminder_offsets = $5
             WHERE id = $1",
            args![citizen_id, s.quiet_hours, s.delivery, s.locale, s.reminder_offsets],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// (person hash, own reminder days) of a tenant's citizens who chose their own.
    pub async fn custom_offsets(&self, tenant: &str) -> Result<Vec<(String, String)>> {
        self.all(
            "SELECT person_hash, reminder_offsets FROM citizens
             WHERE tenant_id = $1 AND reminder_offsets IS NOT NULL",
            args![tenant],
        )
        .await
    }

    pub async fn contacts_of(&self, citizen_id: &str) -> Result<Vec<ContactRow>> {
        self.all(
            "SELECT id, channel, address_enc, verified_at, suppressed_at, undeliverable_at, created_at
             FROM contacts
             WHERE citizen_id = $1 ORDER BY created_at, id",
            args![citizen_id],
        )
        .await
    }

    /// A contact of this citizen (None for anyone else's).
    pub async fn contact_of(
        &self,
        citizen_id: &str,
        contact_id: &str,
    ) -> Result<Option<ContactRow>> {
        self.optional(
            "SELECT id, channel, address_enc, verified_at, suppressed_at, undeliverable_at, created_at
             FROM contacts
             WHERE citizen_id = $1 AND id = $2",
            args![citizen_id, contact_id],
        )
        .await
    }

    /// The citizen a contact belongs to, and whether it is confirmed.
    pub async fn contact_owner(&self, contact_id: &str) -> Result<Option<(String, Option<i64>)>> {
        self.optional(
            "SELECT citizen_id, verified_at FROM contacts WHERE id = $1",
            args![contact_id],
        )
        .await
    }

    /// Adds an unconfirmed contact; returns its id (the existing one's when the citizen
    /// already has that address).
    pub async fn add_unverified_contact(
        &self,
        citizen_id: &str,
        contact: &SealedContact,
        now: i64,
    ) -> Result<String> {
        let mut tx = self.pool.begin().await?;
        people::insert_contact(&mut tx, citizen_id, contact, None, now).await?;
        tx.commit().await?;
        self.value(
            "SELECT id FROM contacts WHERE citizen_id = $1 AND channel = $2 AND address_hash = $3",
            args![citizen_id, contact.channel, &contact.address_hash],
        )
        .await
    }

    pub async fn verify_contact(&self, contact_id: &str, now: i64) -> Result<bool> {
        let verified = self
            .run(
                "UPDATE contacts SET verified_at = $2, undeliverable_at = NULL, soft_bounces = 0
                 WHERE id = $1 AND verified_at IS NULL",
                args![contact_id, now],
            )
            .await?;
        self.run(
            "DELETE FROM contact_challenges WHERE contact_id = $1",
            args![contact_id],
        )
        .await?;
        Ok(verified > 0)
    }

    pub async fn remove_contact(&self, citizen_id: &str, contact_id: &str) -> Result<bool> {
        self.run(
            "DELETE FROM contacts WHERE citizen_id = $1 AND id = $2",
            args![citizen_id, contact_id],
        )
        .await
        .map(|removed| removed > 0)
    }

    pub async fn challenge(&self, contact_id: &str) -> Result<Option<Challenge>> {
        self.optional(
            "SELECT code_hash, attempts, expires_at, sent_at FROM contact_challenges WHERE contact_id = $1",
            args![contact_id],
        )
        .await
    }

    /// Counts one confirmation sent for a citizen on `day`; returns the day's count.
    pub async fn count_confirmation_send(&self, citizen_id: &str, day: &str) -> Result<i64> {
        self.run(
            "UPDATE citizens SET confirm_sends = CASE WHEN confirm_day = $2 THEN confirm_sends + 1 ELSE 1 END,
                confirm_day = $2 WHERE id = $1",
            args![citizen_id, day],
        )
        .await?;
        self.value(
            "SELECT confirm_sends FROM citizens WHERE id = $1",
            args![citizen_id],
        )
        .await
    }

    /// Subscribes a citizen to `topics` by e-mail, unless they have chosen anything yet.
    pub async fn subscribe_if_none(
        &self,
        citizen_id: &str,
        topics: &[&str],
        now: i64,
    ) -> Result<()> {
        self.subscribe_email(citizen_id, topics, now, true).await
    }

    /// Subscribes a citizen again, by e-mail, to `topics` (an unsubscribe undone).
    pub async fn resubscribe_email(
        &self,
        citizen_id: &str,
        topics: &[&str],
        now: i64,
    ) -> Result<()> {
        self.subscribe_email(citizen_id, topics, now, false).await
    }

    /// E-mail subscriptions to `topics`; with `only_new`, a topic the citizen has chosen
    /// any channel for is left as it is.
    async fn subscribe_email(
        &self,
        citizen_id: &str,
        topics: &[&str],
        now: i64,
        only_new: bool,
    ) -> Result<()> {
        for topic in topics {
            self.run(
                "INSERT INTO subscriptions (citizen_id, topic, channel, created_at)
                 SELECT $1, $2, 'email', $3
                 WHERE $4 = 0
                    OR NOT EXISTS (SELECT 1 FROM subscriptions WHERE citizen_id = $1 AND topic = $2)
                 ON CONFLICT DO NOTHING",
                args![citizen_id, topic, now, i64::from(only_new)],
            )
            .await?;
        }
        Ok(())
    }

    /// A new code for a contact (the old one is gone; failed tries still count).
    pub async fn set_challenge(
        &self,
        contact_id: &str,
        code_hash: &str,
        expires_at: i64,
        now: i64,
    ) -> Result<()> {
        self.run(
            "INSERT INTO contact_challenges (contact_id, code_hash, attempts, expires_at, sent_at)
             VALUES ($1, $2, 0, $3, $4)
             ON CONFLICT (contact_id) DO UPDATE SET code_hash = excluded.code_hash,
                expires_at = excluded.expires_at, sent_at = excluded.sent_at",
            args![contact_id, code_hash, expires_at, now],
        )
        .await?;
        Ok(())
    }

    /// Counts one try of a code; returns the tries so far.
    pub async fn count_attempt(&self, contact_id: &str) -> Result<i64> {
        self.run(
            "UPDATE contact_challenges SET attempts = attempts + 1 WHERE contact_id = $1",
            args![contact_id],
        )
        .await?;
        Ok(self
            .challenge(contact_id)
            .await?
            .map(|c| c.attempts)
            .unwrap_or(i64::MAX))
    }

    pub async fn reminders_of(&self, citizen_id: &str) -> Result<Vec<ReminderRow>> {
        self.all(
            "SELECT id, citizen_id, due_date, note_enc FROM personal_reminders
             WHERE citizen_id = $1 ORDER BY due_date, id",
            args![citizen_id],
        )
        .await
    }

    pub async fn add_reminder(
        &self,
        citizen_id: &str,
        due_date: &str,
        note_enc: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        self.run(
            "INSERT INTO personal_reminders (id, citizen_id, due_date, note_enc, created_at)
             VALUES ($1, $2, $3, $4, $5)",
            args![&id, citizen_id, due_date, note_enc, now],
        )
        .await?;
        Ok(id)
    }

    pub async fn remove_reminder(&self, citizen_id: &str, id: &str) -> Result<bool> {
        self.run(
            "DELETE FROM personal_reminders WHERE citizen_id = $1 AND id = $2",
            args![citizen_id, id],
        )
        .await
        .map(|removed| removed > 0)
    }

    /// A tenant's personal reminders due on or before `day` (YYYY-MM-DD).
    pub async fn reminders_due(
        &self,
        tenant: &str,
        day: &str,
    ) -> Result<Vec<(ReminderRow, String)>> {
        let rows: Vec<(String, String, String, String, String)> = self
            .all(
                "SELECT r.id, r.citizen_id, r.due_date, r.note_enc, c.person_hash FROM personal_reminders r
                 JOIN citizens c ON c.id = r.citizen_id
                 WHERE c.tenant_id = $1 AND r.due_date <= $2",
                args![tenant, day],
            )
            .await?;
        Ok(rows
            .into_iter()
            .map(|(id, citizen_id, due_date, note_enc, person_hash)| {
                let reminder = ReminderRow {
                    id,
                    citizen_id,
                    due_date,
                    note_enc,
                };
                (reminder, person_hash)
            })
            .collect())
    }
}
