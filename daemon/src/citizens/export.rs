//! The data export: everything held about the person, in every municipality they logged
//! in to with this eID, opened for them (the registry's reference once per municipality,
//! not in each record).

use super::Citizens;
use crate::store::{CitizenInfo, StoreError};

/// The export: who, when, and each municipality's record.
#[derive(serde::Serialize)]
pub struct Export {
    exported_at: i64,
    name: String,
    municipalities: Vec<ExportedRecord>,
}

/// Everything one municipality holds about the citizen.
#[derive(serde::Serialize)]
struct ExportedRecord {
    municipality: ExportedTenant,
    registry_person: Option<String>,
    language: Option<String>,
    delivery: Option<String>,
    quiet_hours: Option<String>,
    /// The citizen's own reminder days before a due date (the municipality's when none).
    reminder_days: Option<String>,
    consented_at: Option<i64>,
    enrolled_at: i64,
    contacts: Vec<ExportedContact>,
    subscriptions: Vec<ExportedSubscription>,
    documents: Vec<super::Document>,
    records: Vec<ExportedSourceRecord>,
    reminders: Vec<ExportedReminder>,
    alerts: Vec<ExportedAlert>,
    /// Documents followed by registration index (the access code is kept sealed for the
    /// source and not repeated here, as a password would not be).
    followed_documents: Vec<ExportedTracked>,
    /// What the mail system reported about e-mails sent to the citizen.
    mail_reports: Vec<ExportedMailReport>,
    /// The calendar feed's address, while it stands (revoke it on the overview).
    calendar_feed: Option<String>,
}

#[derive(serde::Serialize)]
struct ExportedTenant {
    id: String,
    name: String,
}

#[derive(serde::Serialize)]
struct ExportedContact {
    channel: String,
    address: String,
    confirmed: bool,
    stopped: bool,
    undeliverable_since: Option<i64>,
    added_at: i64,
}

#[derive(serde::Serialize)]
struct ExportedSubscription {
    topic: String,
    channel: String,
}

/// A record a source holds about the person, as it sent it (without the person's
/// reference, given once above), and whether the source withdrew it.
#[derive(serde::Serialize)]
struct ExportedSourceRecord {
    kind: String,
    record: serde_json::Value,
    withdrawn: Option<String>,
}

#[derive(serde::Serialize)]
struct ExportedReminder {
    date: String,
    note: String,
}

#[derive(serde::Serialize)]
struct ExportedAlert {
    kind: String,
    channel: String,
    state: String,
    created_at: i64,
    sent_at: Option<i64>,
}

#[derive(serde::Serialize)]
struct ExportedTracked {
    source: String,
    registration_index: String,
    followed_since: i64,
}

#[derive(serde::Serialize)]
struct ExportedMailReport {
    kind: String,
    status: Option<String>,
    received_at: i64,
}

impl Citizens {
    /// Everything held about the person, in every municipality they logged in to with this
    /// eID, opened for them; `name` as their eID gives it.
    pub async fn export(&self, citizen: &CitizenInfo, name: &str) -> Result<Export, StoreError> {
        let mut out = Vec::new();
        for c in self.linked(citizen).await? {
            let contacts = self.store.contacts_of(&c.id).await?;
            let subscriptions = self.store.subscriptions_of(&c.id).await?;
            let records = self
                .store
                .person_records(&c.tenant_id, &c.person_hash)
                .await?;
            let reminders = self.store.reminders_of(&c.id).await?;
            let alerts = self.store.citizen_alerts(&c.id, i64::MAX).await?;
            let feed = self.store.calendar_feed_of(&c.id).await?;
            let tracked = self.store.tracked_by(&c.id).await?;
            let reports = self.store.feedback_about(&c.id).await?;
            out.push(ExportedRecord {
                municipality: ExportedTenant {
                    name: self
                        .config
                        .tenant(&c.tenant_id)
                        .map(|t| t.name.clone())
                        .unwrap_or_default(),
                    id: c.tenant_id.clone(),
                },
                registry_person: self.person_ref(&c).await,
                documents: self.documents(&c.id).await?,
                contacts: contacts
                    .into_iter()
                    .map(|k| ExportedContact {
                        address: self.opened(&k.address_enc),
                        confirmed: k.verified_at.is_some(),
                        stopped: k.suppressed_at.is_some(),
                        undeliverable_since: k.undeliverable_at,
                        added_at: k.created_at,
                        channel: k.channel,
                    })
                    .collect(),
                subscriptions: subscriptions
                    .into_iter()
                    .map(|(topic, channel)| ExportedSubscription { topic, channel })
                    .collect(),
                records: records
                    .into_iter()
                    .map(|(kind, status, data)| {
                        let mut record: serde_json::Value =
                            serde_json::from_str(&data).unwrap_or_default();
                        if let Some(o) = record.as_object_mut() {
                            o.remove("person_ref");
                        }
                        let withdrawn =
                            hlidac_adapters::Withdrawal::STATUSES.contains(&status.as_str());
                        ExportedSourceRecord {
                            kind,
                            record,
                            withdrawn: withdrawn.then_some(status),
                        }
                    })
                    .collect(),
                reminders: reminders
                    .into_iter()
                    .map(|r| ExportedReminder {
                        note: self.opened(&r.note_enc),
                        date: r.due_date,
                    })
                    .collect(),
                alerts: alerts
                    .into_iter()
                    .map(|a| ExportedAlert {
                        kind: a.kind,
                        channel: a.channel,
                        state: a.state,
                        created_at: a.created_at,
                        sent_at: a.sent_at,
                    })
                    .collect(),
                followed_documents: tracked
                    .into_iter()
                    .map(|(source, index_enc, since)| ExportedTracked {
                        registration_index: self.opened(&index_enc),
                        source,
                        followed_since: since,
                    })
                    .collect(),
                mail_reports: reports
                    .into_iter()
                    .map(|(kind, status, received_at)| ExportedMailReport {
                        kind,
                        status,
                        received_at,
                    })
                    .collect(),
                calendar_feed: feed.map(|id| self.feed_url(&id)),
                language: c.locale,
                delivery: c.delivery,
                quiet_hours: c.quiet_hours,
                reminder_days: c.reminder_offsets,
                consented_at: c.consented_at,
                enrolled_at: c.created_at,
            });
        }
        Ok(Export {
            exported_at: self.now(),
            name: name.to_string(),
            municipalities: out,
        })
    }

    /// The registry's reference of a citizen, opened for their export.
    async fn person_ref(&self, c: &CitizenInfo) -> Option<String> {
        let sealed = self.store.person_ref_enc(&c.id).await.ok()??;
        self.crypto.open(&sealed).ok()
    }
}
