//! Personal reminders: the citizen's own dated notes, added and removed.

use super::*;

pub(super) async fn reminders_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    reminders_view(&v, StatusCode::OK, q.done.as_deref(), json!({}), json!({})).await
}

pub(super) async fn reminders_view(
    v: &Visit,
    status: StatusCode,
    done: Option<&str>,
    form: Value,
    errors: Value,
) -> Response {
    let rows = match v.app.store.reminders_of(&v.citizen.id).await {
        Ok(r) => r,
        Err(e) => return v.failed(e),
    };
    let reminders: Vec<Value> = rows
        .into_iter()
        .map(|r| {
            json!({
                "id": r.id,
                "date": r.due_date,
                "note": v.app.crypto.open(&r.note_enc).unwrap_or_default(),
            })
        })
        .collect();
    let mut ctx = v.base("title-reminders", "reminders", done);
    ctx["reminders"] = reminders.into();
    ctx["form"] = form;
    ctx["errors"] = errors;
    v.page(status, "reminders.html", ctx)
}

/// The most reminders one citizen may keep.
pub(super) const MAX_REMINDERS: usize = 50;

pub(super) async fn reminder_add(Posted(v, form): Posted<true>) -> Response {
    let date_text = form.get("date").unwrap_or("").trim().to_string();
    let note = form.get("note").unwrap_or("").trim().to_string();
    let today = v.app.today(&v.tenant);
    let mut errors = serde_json::Map::new();
    let date = date_text
        .parse::<chrono::NaiveDate>()
        .ok()
        .filter(|d| *d > today && (*d - today).num_days() <= 5 * 366);
    if date.is_none() {
        errors.insert("date".into(), v.t("error-date").into());
    }
    let count = note.chars().count();
    if count == 0
        || count > 140
        || note
            .chars()
            .any(|c| c.is_control() || c == '<' || c == '>' || c == '\u{fffd}')
    {
        errors.insert("note".into(), v.t("error-note").into());
    }
    let existing = match v.app.store.reminders_of(&v.citizen.id).await {
        Ok(r) => r.len(),
        Err(e) => return v.failed(e),
    };
    if existing >= MAX_REMINDERS {
        errors.insert("date".into(), v.t("error-reminders-limit").into());
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        let shown = json!({
            "date": date_text.chars().take(10).collect::<String>(),
            "note": note.chars().take(140).collect::<String>(),
        });
        return reminders_view(&v, StatusCode::BAD_REQUEST, None, shown, errors.into()).await;
    };
    match v
        .app
        .store
        .add_reminder(
            &v.citizen.id,
            &date.to_string(),
            &v.app.crypto.seal(&note),
            v.now(),
        )
        .await
    {
        // A reminder is meant to arrive: by e-mail unless the citizen chose otherwise.
        Ok(_) => match v
            .app
            .store
            .subscribe_if_none(&v.citizen.id, &["reminders"], v.now())
            .await
        {
            Ok(()) => redirect(&format!("/t/{}/reminders?done=reminder-added", v.tenant.id)),
            Err(e) => v.failed(e),
        },
        Err(e) => v.failed(e),
    }
}

pub(super) async fn reminder_remove(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Response {
    match v.app.store.remove_reminder(&v.citizen.id, &id).await {
        Ok(true) => redirect(&format!("/t/{}/reminders?done=removed", v.tenant.id)),
        Ok(false) => v.not_found(),
        Err(e) => v.failed(e),
    }
}

// ----- export and delete -------------------------------------------------------------
