//! Alert settings: topics and channels, quiet hours, language, delivery and the citizen's
//! own reminder days. Quiet hours come as two time fields (`quiet_from`, `quiet_to`) and
//! the reminder days as tick boxes (`offset`, with `offsets_ticked`); the older text forms
//! (`quiet_hours` = "HH:MM-HH:MM", `offsets` = "14, 3, 0") are still read.

use super::*;

pub(super) async fn settings_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Answer {
    let subscribed = v.db(v.app.citizens.subscriptions(&v.citizen.id)).await?;
    let c = &v.citizen;
    let chosen = Chosen {
        subscribed,
        delivery: c.delivery.clone().unwrap_or_else(|| "immediate".into()),
        quiet_hours: c.quiet_hours.clone().unwrap_or_default(),
        citizen_locale: c.locale.clone().unwrap_or_else(|| v.tenant.locale.clone()),
        offsets: c.reminder_offsets.clone().unwrap_or_default(),
    };
    let body = settings_view(&v, chosen);
    let done = q.done.as_deref();
    Ok(v.page(&SETTINGS, StatusCode::OK, done, Fields::new(), body))
}

/// The settings as saved, or as a refused form gave them.
struct Chosen {
    /// `topic:channel` pairs.
    subscribed: Vec<String>,
    delivery: String,
    /// "HH:MM-HH:MM", or empty.
    quiet_hours: String,
    citizen_locale: String,
    /// The reminder days as stored ("14,3,0"), or empty for the municipality's.
    offsets: String,
}

/// The settings page with `chosen` in its fields.
fn settings_view(v: &Visit, chosen: Chosen) -> Settings {
    let quiet = chosen.quiet_hours.as_str();
    let (from, to) = quiet.split_once('-').unwrap_or((quiet, ""));
    let tenant_days = &v.tenant.reminder_offsets_days;
    let ticked: Vec<u32> = match Some(chosen.offsets.as_str()).filter(|o| !o.trim().is_empty()) {
        Some(o) => o.split(',').filter_map(|d| d.trim().parse().ok()).collect(),
        None => tenant_days.clone(),
    };
    let days: Vec<String> = tenant_days.iter().map(u32::to_string).collect();
    Settings {
        topics: TOPICS.iter().map(|&id| TopicView { id }).collect(),
        quiet_from: from.trim().into(),
        quiet_to: to.trim().into(),
        offset_choices: offset_choices(tenant_days, &ticked)
            .into_iter()
            .map(|d| OffsetChoice {
                days: d,
                ticked: ticked.contains(&d),
            })
            .collect(),
        tenant_offsets: days.join(", "),
        subscribed: chosen.subscribed,
        delivery: chosen.delivery,
        citizen_locale: chosen.citizen_locale,
    }
}

/// The days before a due date offered as tick boxes: the usual ones, the municipality's
/// and the citizen's own, furthest first.
fn offset_choices(tenant: &[u32], ticked: &[u32]) -> Vec<u32> {
    let mut days: Vec<u32> = [30, 14, 7, 3, 1, 0]
        .into_iter()
        .chain(tenant.iter().copied())
        .chain(ticked.iter().copied())
        .filter(|d| *d <= 90)
        .collect();
    days.sort_unstable_by(|a, b| b.cmp(a));
    days.dedup();
    days
}

/// The quiet hours a form gives: two time fields, or the older "HH:MM-HH:MM" text;
/// `Ok("")` for none, `Err` with what was typed when it is not a time window.
fn quiet_hours_of(form: &FormData) -> Result<String, String> {
    let text = match (form.get("quiet_from"), form.get("quiet_to")) {
        (None, None) => form.get("quiet_hours").unwrap_or("").trim().to_string(),
        (from, to) => {
            let (from, to) = (from.unwrap_or("").trim(), to.unwrap_or("").trim());
            if from.is_empty() && to.is_empty() {
                String::new()
            } else {
                format!("{from}-{to}")
            }
        }
    };
    if text.is_empty()
        || (text.len() <= 11 && crate::notify::schedule::Window::parse(&text).is_some())
    {
        Ok(text)
    } else {
        Err(text.chars().take(11).collect())
    }
}

/// The reminder days a form gives, as stored ("14,3,0"): `Ok(None)` for the
/// municipality's own, `Err` with what was given when they are not a valid choice.
fn offsets_of(form: &FormData, tenant: &[u32]) -> Result<Option<String>, String> {
    let text = if form.get("offsets_ticked").is_some() {
        form.all("offset").collect::<Vec<_>>().join(",")
    } else {
        form.get("offsets").unwrap_or("").trim().to_string()
    };
    if text.is_empty() && form.get("offsets_ticked").is_none() {
        return Ok(None);
    }
    match crate::store::parse_offsets(&text) {
        // The municipality's own days, ticked as they are: follow the municipality.
        Some(list) if list == sorted_desc(tenant) => Ok(None),
        Some(list) => Ok(Some(
            list.iter()
                .map(u32::to_string)
                .collect::<Vec<_>>()
                .join(","),
        )),
        None => Err(text.chars().take(40).collect()),
    }
}

fn sorted_desc(days: &[u32]) -> Vec<u32> {
    let mut d = days.to_vec();
    d.sort_unstable_by(|a, b| b.cmp(a));
    d
}

pub(super) async fn settings_save(Posted(v, form): Posted<true>) -> Answer {
    let mut errors = Fields::new();
    let mut subscriptions = Vec::new();
    for s in form.all("sub") {
        match s.split_once(':') {
            Some((t, c)) if TOPICS.contains(&t) && CHANNELS.contains(&c) => {
                let pair = (t.to_string(), c.to_string());
                if !subscriptions.contains(&pair) {
                    subscriptions.push(pair);
                }
            }
            _ => {
                errors.insert("topics", v.t("error-choice"));
            }
        }
    }
    let delivery = form.get("delivery").unwrap_or("immediate");
    if !matches!(delivery, "immediate" | "daily") {
        errors.insert("delivery", v.t("error-choice"));
    }
    let quiet = quiet_hours_of(&form).unwrap_or_else(|typed| {
        errors.insert("quiet_hours", v.t("error-quiet-hours"));
        typed
    });
    let offsets = offsets_of(&form, &v.tenant.reminder_offsets_days);
    let offsets_shown = match &offsets {
        Ok(o) => o.clone().unwrap_or_default(),
        Err(typed) => {
            errors.insert("offsets", v.t("error-offsets"));
            typed.clone()
        }
    };
    let locale = form.get("locale").unwrap_or(&v.tenant.locale);
    let locale = i18n::LOCALES.iter().find(|l| **l == locale).copied();
    if locale.is_none() {
        errors.insert("locale", v.t("error-choice"));
    }
    if !errors.is_empty() {
        let chosen = Chosen {
            subscribed: subscriptions
                .iter()
                .map(|(t, c)| format!("{t}:{c}"))
                .collect(),
            delivery: if matches!(delivery, "immediate" | "daily") {
                delivery
            } else {
                "immediate"
            }
            .into(),
            quiet_hours: quiet,
            citizen_locale: locale.unwrap_or(v.lang).into(),
            offsets: offsets_shown,
        };
        let body = settings_view(&v, chosen);
        return Ok(v.page(&SETTINGS, StatusCode::BAD_REQUEST, None, errors, body));
    }
    let locale = locale.unwrap_or(i18n::REFERENCE);
    let offsets = offsets.ok().flatten();
    let settings = crate::store::SettingsIn {
        subscriptions: &subscriptions,
        quiet_hours: (!quiet.is_empty()).then_some(quiet.as_str()),
        delivery,
        locale,
        reminder_offsets: offsets.as_deref(),
    };
    v.db(v.app.citizens.save_settings(&v.citizen.id, &settings))
        .await?;
    let mut r = v.redirect_to(&format!("settings?done=saved&lang={locale}"));
    remember_language(&mut r, locale);
    Ok(r)
}
