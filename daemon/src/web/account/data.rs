//! The citizen's data: the export (JSON) and deleting the account, with what is forgotten.

use super::*;

/// Everything held about the citizen, as JSON, opened for them.
pub(super) async fn export(Visitor(v): Citizen) -> Answer {
    let data = export_json(&v).await.or_try_later(&v)?;
    let mut r = serde_json::to_string_pretty(&data)
        .unwrap_or_default()
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"hlidac-export.json\""),
    );
    Ok(r)
}

/// The export: who, when, and each municipality's record.
#[derive(serde::Serialize)]
pub(super) struct Export {
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
    consented_at: Option<i64>,
    enrolled_at: i64,
    contacts: Vec<ExportedContact>,
    subscriptions: Vec<ExportedSubscription>,
    documents: Vec<DocumentView>,
    records: Vec<ExportedSourceRecord>,
    reminders: Vec<ExportedReminder>,
    alerts: Vec<ExportedAlert>,
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

pub(super) async fn export_json(v: &Visit) -> Result<Export, crate::store::StoreError> {
    let app = &v.app;
    let citizens = match &v.citizen.subject_hash {
        Some(s) => app.store.citizens_of_subject(s).await?,
        None => vec![v.citizen.clone()],
    };
    let mut out = Vec::new();
    for c in citizens {
        let contacts = app.store.contacts_of(&c.id).await?;
        let subscriptions = app.store.subscriptions_of(&c.id).await?;
        let records = app
            .store
            .person_records(&c.tenant_id, &c.person_hash)
            .await?;
        let reminders = app.store.reminders_of(&c.id).await?;
        let alerts = app.store.citizen_alerts(&c.id, i64::MAX).await?;
        let feed = app.store.calendar_feed_of(&c.id).await?;
        out.push(ExportedRecord {
            municipality: ExportedTenant {
                name: app
                    .config
                    .tenant(&c.tenant_id)
                    .map(|t| t.name.clone())
                    .unwrap_or_default(),
                id: c.tenant_id.clone(),
            },
            registry_person: person_ref_of(app, &c).await,
            documents: documents_of(app, &c.id).await?,
            contacts: contacts
                .into_iter()
                .map(|k| ExportedContact {
                    address: app.crypto.open(&k.address_enc).unwrap_or_default(),
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
                    note: app.crypto.open(&r.note_enc).unwrap_or_default(),
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
            calendar_feed: feed.map(|id| crate::web::calendar::feed_url(app, &id)),
            language: c.locale,
            delivery: c.delivery,
            quiet_hours: c.quiet_hours,
            consented_at: c.consented_at,
            enrolled_at: c.created_at,
        });
    }
    Ok(Export {
        exported_at: v.now(),
        name: v.profile.name.clone(),
        municipalities: out,
    })
}

/// The registry's reference of a citizen, opened for their export.
pub(super) async fn person_ref_of(app: &App, c: &CitizenInfo) -> Option<String> {
    let sealed = app.store.person_ref_enc(&c.id).await.ok()??;
    app.crypto.open(&sealed).ok()
}

/// The account page: the data export and the way to delete the account.
pub(super) async fn account_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    let done = q.done.as_deref();
    v.page(&ACCOUNT, StatusCode::OK, done, Fields::new(), Empty {})
}

pub(super) async fn delete_page(Visitor(v): Citizen) -> Response {
    v.page(&DELETE, StatusCode::OK, None, Fields::new(), Empty {})
}

pub(super) async fn delete_account(Posted(v, form): Posted<false>) -> Answer {
    if form.get("confirm") != Some("yes") {
        let errors = Fields::from([("confirm", v.t("error-confirm"))]);
        return Ok(v.page(&DELETE, StatusCode::BAD_REQUEST, None, errors, Empty {}));
    }
    forget(&v).await.or_try_later(&v)?;
    tracing::info!(tenant = %v.tenant.id, "a citizen deleted their account");
    let mut r = pages::end(
        v.lang,
        "deleted",
        i18n::t(
            v.lang,
            "deleted-text",
            &[("tenant", v.tenant.name.as_str().into())],
        ),
        Some(TenantRef::of(&v.tenant)),
        &[(format!("/t/{}/", v.tenant.id), "to-start")],
    );
    clear_session(&mut r);
    Ok(r)
}

/// Removes the person's record in this municipality and ends the session.
pub(super) async fn forget_here(v: &Visit) -> Result<(), crate::store::StoreError> {
    v.app.store.remove_citizen(&v.citizen.id, v.now()).await?;
    let _ = v
        .app
        .store
        .end_session(&v.app.identity.session_hash(&v.cookie))
        .await;
    Ok(())
}

/// Removes the person's record in every municipality they logged in to: contacts,
/// subscriptions, reminders, documents, sessions; alerts not yet sent are stopped.
pub(super) async fn forget(v: &Visit) -> Result<(), crate::store::StoreError> {
    let citizens = match &v.citizen.subject_hash {
        Some(s) => v.app.store.citizens_of_subject(s).await?,
        None => vec![v.citizen.clone()],
    };
    for c in citizens {
        v.app.store.remove_citizen(&c.id, v.now()).await?;
    }
    let _ = v
        .app
        .store
        .end_session(&v.app.identity.session_hash(&v.cookie))
        .await;
    Ok(())
}

pub(super) fn clear_session(r: &mut Response) {
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
}
