//! The citizen service: what a logged-in citizen reads and changes about themselves —
//! consent, contacts and their confirmation (`confirm.rs`), alert settings, personal
//! reminders, the calendar feed, the data export (`export.rs`) and erasure. The account
//! pages only translate HTTP to it.
//!
//! It holds what it needs: the configuration, the store, the clock, the keys, and the
//! dispatch service for the few messages that go out at once (a confirmation, the
//! welcome: `mail.rs`). What comes in has been checked by the page (field by field);
//! addresses, notes and document numbers are sealed at rest; this service opens them for
//! the citizen's own pages, the export and the calendar feed.

mod confirm;
mod export;
mod mail;

pub use confirm::{CodeCheck, LinkOwner, Sent};
pub use export::Export;

use crate::clock::Clock;
use crate::config::{Config, TenantConfig};
use crate::crypto::Crypto;
use crate::notify::Dispatch;
use crate::store::{CitizenInfo, Store, StoreError};
use std::sync::Arc;

/// Contacts one citizen may keep: a limit against using the form to flood someone.
pub const CONTACTS_MAX: usize = 10;
/// The most reminders one citizen may keep.
pub const REMINDERS_MAX: usize = 50;

/// See the module documentation.
pub struct Citizens {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Crypto,
    /// Sends confirmations and the welcome outside the alert queue.
    pub dispatch: Arc<Dispatch>,
}

/// Why a citizen's request could not be carried out.
#[derive(Debug, thiserror::Error)]
pub enum CitizenError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A confirmation could not be sent now (the relay or the SMS provider refused or is
    /// not configured); nothing was recorded.
    #[error("not sent: {0}")]
    NotSent(String),
}

/// One of the citizen's contacts, its address opened.
pub struct Contact {
    pub id: String,
    pub channel: String,
    pub address: String,
    pub verified: bool,
    pub suppressed: bool,
    /// A bounce made the address undeliverable.
    pub undeliverable: bool,
}

/// A personal reminder, its note opened.
pub struct Reminder {
    pub id: String,
    pub date: String,
    pub note: String,
}

/// A document from the registry, its number opened.
#[derive(serde::Serialize)]
pub struct Document {
    /// The registry's key of the document (not shown).
    #[serde(skip)]
    pub key: String,
    pub kind: String,
    pub number: Option<String>,
    pub valid_until: String,
}

impl Citizens {
    fn now(&self) -> i64 {
        self.clock.now_ms()
    }

    /// The person's records in every municipality they logged in to with this eID (the
    /// one record itself without a linked subject).
    pub async fn linked(&self, c: &CitizenInfo) -> Result<Vec<CitizenInfo>, StoreError> {
        match &c.subject_hash {
            Some(s) => self.store.citizens_of_subject(s).await,
            None => Ok(vec![c.clone()]),
        }
    }

    /// A value sealed for the citizen, in clear; empty if it no longer opens.
    fn opened(&self, sealed: &str) -> String {
        self.crypto.open(sealed).unwrap_or_default()
    }

    pub async fn contacts(&self, citizen_id: &str) -> Result<Vec<Contact>, StoreError> {
        let rows = self.store.contacts_of(citizen_id).await?;
        Ok(rows
            .into_iter()
            .map(|k| Contact {
                address: self.opened(&k.address_enc),
                verified: k.verified_at.is_some(),
                suppressed: k.suppressed_at.is_some(),
                undeliverable: k.undeliverable_at.is_some(),
                id: k.id,
                channel: k.channel,
            })
            .collect())
    }

    /// Adds an e-mail address or phone number as unconfirmed; its id.
    pub async fn add_contact(
        &self,
        citizen_id: &str,
        channel: &'static str,
        address: &str,
    ) -> Result<String, StoreError> {
        let contact = self.crypto.seal_contact(channel, address);
        (self.store)
            .add_unverified_contact(citizen_id, &contact, self.now())
            .await
    }

    /// Whether the citizen has this contact.
    pub async fn has_contact(&self, citizen_id: &str, id: &str) -> Result<bool, StoreError> {
        Ok(self.store.contact_of(citizen_id, id).await?.is_some())
    }

    /// Removes one of the citizen's contacts; false when it is not theirs.
    pub async fn remove_contact(&self, citizen_id: &str, id: &str) -> Result<bool, StoreError> {
        self.store.remove_contact(citizen_id, id).await
    }

    /// Agreeing to be told: by e-mail about every topic, until the citizen chooses
    /// otherwise (only confirmed contacts ever receive anything).
    pub async fn agree(&self, citizen_id: &str) -> Result<(), StoreError> {
        self.store.set_consent(citizen_id, self.now()).await?;
        let topics = crate::store::TOPICS;
        (self.store)
            .subscribe_if_none(citizen_id, topics, self.now())
            .await
    }

    /// `topic:channel` pairs the citizen chose.
    pub async fn subscriptions(&self, citizen_id: &str) -> Result<Vec<String>, StoreError> {
        let pairs = self.store.subscriptions_of(citizen_id).await?;
        Ok(pairs.into_iter().map(|(t, c)| format!("{t}:{c}")).collect())
    }

    /// Stops e-mail about `topic` (None: every topic), from an unsubscribe link; the
    /// topics it stopped, to offer them back.
    pub async fn unsubscribe(
        &self,
        citizen_id: &str,
        topic: Option<&str>,
    ) -> Result<Vec<String>, StoreError> {
        let chosen = self.store.subscriptions_of(citizen_id).await;
        let stopped = chosen
            .unwrap_or_default()
            .into_iter()
            .filter(|(t, ch)| ch == "email" && topic.is_none_or(|want| want == t))
            .map(|(t, _)| t)
            .collect();
        self.store
            .unsubscribe(citizen_id, topic, self.now())
            .await?;
        Ok(stopped)
    }

    /// E-mail about `topics` again, undoing an unsubscribe.
    pub async fn resubscribe(&self, citizen_id: &str, topics: &[&str]) -> Result<(), StoreError> {
        (self.store)
            .resubscribe_email(citizen_id, topics, self.now())
            .await
    }

    pub async fn save_settings(
        &self,
        citizen_id: &str,
        settings: &crate::store::SettingsIn<'_>,
    ) -> Result<(), StoreError> {
        (self.store)
            .save_settings(citizen_id, settings, self.now())
            .await
    }

    pub async fn reminders(&self, citizen_id: &str) -> Result<Vec<Reminder>, StoreError> {
        let rows = self.store.reminders_of(citizen_id).await?;
        Ok(rows
            .into_iter()
            .map(|r| Reminder {
                note: self.opened(&r.note_enc),
                id: r.id,
                date: r.due_date,
            })
            .collect())
    }

    /// Adds a reminder; it is meant to arrive, so the citizen is subscribed to reminders
    /// (by e-mail) unless they chose otherwise.
    pub async fn add_reminder(
        &self,
        citizen_id: &str,
        date: chrono::NaiveDate,
        note: &str,
    ) -> Result<(), StoreError> {
        let sealed = self.crypto.seal(note);
        let date = date.to_string();
        (self.store)
            .add_reminder(citizen_id, &date, &sealed, self.now())
            .await?;
        (self.store)
            .subscribe_if_none(citizen_id, &["reminders"], self.now())
            .await
    }

    /// Removes one of the citizen's reminders; false when it is not theirs.
    pub async fn remove_reminder(&self, citizen_id: &str, id: &str) -> Result<bool, StoreError> {
        self.store.remove_reminder(citizen_id, id).await
    }

    /// The citizen's calendar feed address, while it stands.
    pub async fn feed(&self, citizen_id: &str) -> Result<Option<String>, StoreError> {
        let id = self.store.calendar_feed_of(citizen_id).await?;
        Ok(id.map(|id| self.feed_url(&id)))
    }

    /// The URL of a feed: its id and a MAC of it, so that ids cannot be guessed or forged.
    pub fn feed_url(&self, id: &str) -> String {
        format!(
            "{}/cal/{id}.{}.ics",
            self.config.web.public_url(),
            self.crypto.sign("calendar", id)
        )
    }

    /// Whose calendar feed a feed address names, when its MAC holds and the feed stands.
    pub async fn feed_owner(&self, token: &str) -> Result<Option<CitizenInfo>, StoreError> {
        let Some((id, mac)) = token.strip_suffix(".ics").and_then(|t| t.split_once('.')) else {
            return Ok(None);
        };
        if id.len() != 32 || mac.len() != 40 || !self.crypto.verify("calendar", id, mac) {
            return Ok(None);
        }
        match self.store.calendar_feed_owner(id).await? {
            Some(owner) => self.store.citizen(&owner).await,
            None => Ok(None),
        }
    }

    /// A calendar entry's UID: stable for `what`, telling nothing of it.
    pub fn calendar_uid(&self, what: &str) -> String {
        format!("{}@hlidac", self.crypto.hash("calendar-uid", what))
    }

    pub async fn make_feed(&self, citizen_id: &str) -> Result<(), StoreError> {
        let now = self.now();
        self.store.calendar_feed_create(citizen_id, now).await?;
        Ok(())
    }

    pub async fn revoke_feed(&self, citizen_id: &str) -> Result<(), StoreError> {
        self.store.calendar_feed_revoke(citizen_id).await?;
        Ok(())
    }

    /// What a municipality's sources hold about the person: (kind, status, JSON).
    pub async fn records(
        &self,
        tenant: &TenantConfig,
        c: &CitizenInfo,
    ) -> Result<Vec<(String, String, String)>, StoreError> {
        self.store.person_records(&tenant.id, &c.person_hash).await
    }

    /// The citizen's documents from the registry, their numbers opened.
    pub async fn documents(&self, citizen_id: &str) -> Result<Vec<Document>, StoreError> {
        Ok(self
            .store
            .citizen_documents(citizen_id)
            .await?
            .into_iter()
            .map(|d| Document {
                number: d
                    .number_enc
                    .as_deref()
                    .and_then(|n| self.crypto.open(n).ok()),
                key: d.doc_key,
                kind: d.kind,
                valid_until: d.valid_until,
            })
            .collect())
    }

    /// The alerts sent (or being sent) to the citizen, the latest `limit`.
    pub async fn alerts(
        &self,
        citizen_id: &str,
        limit: i64,
    ) -> Result<Vec<crate::store::AlertRow>, StoreError> {
        self.store.citizen_alerts(citizen_id, limit).await
    }

    /// Removes the person's record in this municipality only (declining consent: another
    /// municipality's consent stands).
    pub async fn forget_here(&self, citizen_id: &str) -> Result<(), StoreError> {
        self.store.remove_citizen(citizen_id, self.now()).await?;
        Ok(())
    }

    /// Removes the person's record in every municipality they logged in to: contacts,
    /// subscriptions, reminders, documents, sessions; alerts not yet sent are stopped.
    pub async fn forget(&self, c: &CitizenInfo) -> Result<(), StoreError> {
        let linked = self.linked(c).await?;
        let ids: Vec<&str> = linked.iter().map(|c| c.id.as_str()).collect();
        self.store.remove_citizens(&ids, self.now()).await?;
        Ok(())
    }
}
