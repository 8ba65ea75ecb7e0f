//! Personal reminders: the citizen's own dated notes, added and removed.

use super::*;

pub(super) async fn reminders_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Answer {
    reminders_view(
        &v,
        StatusCode::OK,
        q.done.as_deref(),
        Fields::new(),
        Fields::new(),
    )
    .await
}

/// The reminders page; `form` and `errors` those of a refused form.
pub(super) async fn reminders_view(
    v: &Visit,
    status: StatusCode,
    done: Option<&str>,
    form: Fields,
    errors: Fields,
) -> Answer {
    let rows = v.db(v.app.store.reminders_of(&v.citizen.id)).await?;
    let reminders = rows
        .into_iter()
        .map(|r| ReminderView {
            note: v.app.crypto.open(&r.note_enc).unwrap_or_default(),
            id: r.id,
            date: r.due_date,
        })
        .collect();
    let body = Reminders { reminders, form };
    Ok(v.page(&REMINDERS, status, done, errors, body))
}

/// The most reminders one citizen may keep.
pub(super) const MAX_REMINDERS: usize = 50;

pub(super) async fn reminder_add(Posted(v, form): Posted<true>) -> Answer {
    let date_text = form.get("date").unwrap_or("").trim().to_string();
    let note = form.get("note").unwrap_or("").trim().to_string();
    let today = v.app.today(&v.tenant);
    let mut errors = Fields::new();
    let date = date_text
        .parse::<chrono::NaiveDate>()
        .ok()
        .filter(|d| *d > today && (*d - today).num_days() <= 5 * 366);
    if date.is_none() {
        errors.insert("date", v.t("error-date"));
    }
    let count = note.chars().count();
    if count == 0
        || count > 140
        || note
            .chars()
            .any(|c| c.is_control() || c == '<' || c == '>' || c == '\u{fffd}')
    {
        errors.insert("note", v.t("error-note"));
    }
    let existing = v.db(v.app.store.reminders_of(&v.citizen.id)).await?;
    if existing.len() >= MAX_REMINDERS {
        errors.insert("date", v.t("error-reminders-limit"));
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        let shown = Fields::from([
            ("date", date_text.chars().take(10).collect()),
            ("note", note.chars().take(140).collect()),
        ]);
        return reminders_view(&v, StatusCode::BAD_REQUEST, None, shown, errors).await;
    };
    let store = &v.app.store;
    let sealed = v.app.crypto.seal(&note);
    let date = date.to_string();
    let added = store.add_reminder(&v.citizen.id, &date, &sealed, v.now());
    added.await.or_try_later(&v)?;
    // A reminder is meant to arrive: by e-mail unless the citizen chose otherwise.
    let subscribed = store.subscribe_if_none(&v.citizen.id, &["reminders"], v.now());
    subscribed.await.or_try_later(&v)?;
    Ok(redirect(&format!(
        "/t/{}/reminders?done=reminder-added",
        v.tenant.id
    )))
}

pub(super) async fn reminder_remove(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Answer {
    let removed = v.app.store.remove_reminder(&v.citizen.id, &id).await;
    after_removal(&v, removed, "reminders")
}
