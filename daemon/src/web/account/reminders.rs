//! Personal reminders: the citizen's own dated notes, added and removed.

use super::*;

pub(super) async fn reminders_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Answer {
    reminders_view(&v, q.done.as_deref(), Refused::default()).await
}

/// The reminders page, with a refused form as it was typed.
pub(super) async fn reminders_view(v: &Visit, done: Option<&str>, refused: Refused) -> Answer {
    let rows = v.db(v.app.citizens.reminders(&v.citizen.id)).await?;
    let reminders = rows
        .into_iter()
        .map(|r| ReminderView {
            id: r.id,
            date: r.date,
            note: r.note,
        })
        .collect();
    let (status, errors, form) = refused.parts();
    let body = Reminders { reminders, form };
    Ok(v.page(&REMINDERS, status, done, errors, body))
}

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
    let existing = v.db(v.app.citizens.reminders(&v.citizen.id)).await?;
    if existing.len() >= crate::citizens::REMINDERS_MAX {
        errors.insert("date", v.t("error-reminders-limit"));
    }
    let (Some(date), true) = (date, errors.is_empty()) else {
        let form = Fields::from([
            ("date", date_text.chars().take(10).collect()),
            ("note", note.chars().take(140).collect()),
        ]);
        return reminders_view(&v, None, Refused { form, errors }).await;
    };
    v.db(v.app.citizens.add_reminder(&v.citizen.id, date, &note))
        .await?;
    Ok(v.redirect_to("reminders?done=reminder-added"))
}

pub(super) async fn reminder_remove(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Answer {
    let removed = v
        .db(v.app.citizens.remove_reminder(&v.citizen.id, &id))
        .await?;
    after_removal(&v, removed, "reminders")
}
