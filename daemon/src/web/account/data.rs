//! The citizen's data: the export (JSON) and deleting the account, with what is forgotten.

use super::*;

/// Everything held about the citizen, as JSON, opened for them.
pub(super) async fn export(Visitor(v): Citizen) -> Response {
    match export_json(&v).await {
        Ok(data) => {
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
            r
        }
        Err(e) => v.failed(e),
    }
}

pub(super) async fn export_json(v: &Visit) -> Result<Value, crate::store::StoreError> {
    let app = &v.app;
    let citizens = match &v.citizen.subject_hash {
        Some(s) => app.store.citizens_of_subject(s).await?,
        None => vec![v.citizen.clone()],
    };
    let mut out = Vec::new();
    for c in citizens {
        let tenant_name = app
            .config
            .tenant(&c.tenant_id)
            .map(|t| t.name.clone())
            .unwrap_or_default();
        let contacts: Vec<Value> = app
            .store
            .contacts_of(&c.id)
            .await?
            .into_iter()
            .map(|k| {
                json!({
                    "channel": k.channel,
                    "address": app.crypto.open(&k.address_enc).unwrap_or_default(),
                    "confirmed": k.verified_at.is_some(),
                    "stopped": k.suppressed_at.is_some(),
                    "undeliverable_since": k.undeliverable_at,
                    "added_at": k.created_at,
                })
            })
            .collect();
        let subscriptions: Vec<Value> = app
            .store
            .subscriptions_of(&c.id)
            .await?
            .into_iter()
            .map(|(t, ch)| json!({"topic": t, "channel": ch}))
            .collect();
        let documents = documents_of(app, &c.id).await?;
        let records: Vec<Value> = app
            .store
            .person_records(&c.tenant_id, &c.person_hash)
            .await?
            .into_iter()
            .map(|(kind, status, data)| {
                let mut record: Value = serde_json::from_str(&data).unwrap_or(Value::Null);
                if let Some(o) = record.as_object_mut() {
                    o.remove("person_ref");
                }
                let withdrawn = hlidac_adapters::Withdrawal::STATUSES.contains(&status.as_str());
                json!({"kind": kind, "record": record, "withdrawn": withdrawn.then_some(status)})
            })
            .collect();
        let reminders: Vec<Value> = app
            .store
            .reminders_of(&c.id)
            .await?
            .into_iter()
            .map(|r| {
                json!({"date": r.due_date, "note": app.crypto.open(&r.note_enc).unwrap_or_default()})
            })
            .collect();
        let alerts: Vec<Value> = app
            .store
            .citizen_alerts(&c.id, i64::MAX)
            .await?
            .into_iter()
            .map(|a| {
                json!({"kind": a.kind, "channel": a.channel, "state": a.state,
                       "created_at": a.created_at, "sent_at": a.sent_at})
            })
            .collect();
        out.push(json!({
            "municipality": {"id": c.tenant_id, "name": tenant_name},
            "registry_person": person_ref_of(app, &c).await,
            "language": c.locale,
            "delivery": c.delivery,
            "quiet_hours": c.quiet_hours,
            "consented_at": c.consented_at,
            "enrolled_at": c.created_at,
            "contacts": contacts,
            "subscriptions": subscriptions,
            "documents": documents,
            "records": records,
            "reminders": reminders,
            "alerts": alerts,
            // The calendar feed's address, while it stands (revoke it on the overview).
            "calendar_feed": app
                .store
                .calendar_feed_of(&c.id)
                .await?
                .map(|id| crate::web::calendar::feed_url(app, &id)),
        }));
    }
    Ok(json!({
        "exported_at": v.now(),
        "name": v.profile.name,
        "municipalities": out,
    }))
}

/// The registry's reference of a citizen, opened for their export.
pub(super) async fn person_ref_of(app: &App, c: &CitizenInfo) -> Option<String> {
    let sealed = app.store.person_ref_enc(&c.id).await.ok()??;
    app.crypto.open(&sealed).ok()
}

/// The account page: the data export and the way to delete the account.
pub(super) async fn account_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    let ctx = v.base("title-account", "account", q.done.as_deref());
    v.page(StatusCode::OK, "account.html", ctx)
}

pub(super) async fn delete_page(Visitor(v): Citizen) -> Response {
    let ctx = v.base("title-delete", "delete", None);
    v.page(StatusCode::OK, "delete.html", ctx)
}

pub(super) async fn delete_account(Posted(v, form): Posted<false>) -> Response {
    if form.get("confirm") != Some("yes") {
        let mut ctx = v.base("title-delete", "delete", None);
        ctx["errors"] = json!({"confirm": v.t("error-confirm")});
        return v.page(StatusCode::BAD_REQUEST, "delete.html", ctx);
    }
    match forget(&v).await {
        Ok(()) => {
            tracing::info!(tenant = %v.tenant.id, "a citizen deleted their account");
            let mut r = pages::end(
                v.lang,
                "deleted",
                i18n::t(
                    v.lang,
                    "deleted-text",
                    &[("tenant", v.tenant.name.as_str().into())],
                ),
                Some(json!({"id": v.tenant.id, "name": v.tenant.name})),
                &[(format!("/t/{}/", v.tenant.id), "to-start")],
            );
            clear_session(&mut r);
            r
        }
        Err(e) => v.failed(e),
    }
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
