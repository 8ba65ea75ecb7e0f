//! Alert settings: topics and channels, quiet hours, language, delivery and the citizen's
//! own reminder days.

use super::*;

pub(super) async fn settings_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    let subscribed: Vec<String> = match v.app.store.subscriptions_of(&v.citizen.id).await {
        Ok(s) => s.into_iter().map(|(t, c)| format!("{t}:{c}")).collect(),
        Err(e) => return v.failed(e),
    };
    let ctx = settings_ctx(
        &v,
        q.done.as_deref(),
        json!({
            "subscribed": subscribed,
            "delivery": v.citizen.delivery.clone().unwrap_or_else(|| "immediate".into()),
            "quiet_hours": v.citizen.quiet_hours.clone().unwrap_or_default(),
            "citizen_locale": v.citizen.locale.clone().unwrap_or_else(|| v.tenant.locale.clone()),
            "offsets": v.citizen.reminder_offsets.as_deref().unwrap_or("").replace(',', ", "),
        }),
        json!({}),
    );
    v.page(StatusCode::OK, "settings.html", ctx)
}

/// The settings page with `shown` (subscribed, delivery, quiet_hours, citizen_locale,
/// offsets) in its fields.
pub(super) fn settings_ctx(v: &Visit, done: Option<&str>, shown: Value, errors: Value) -> Value {
    let mut ctx = v.base("title-settings", "settings", done);
    ctx["topics"] = TOPICS
        .iter()
        .map(|t| json!({"id": t}))
        .collect::<Vec<_>>()
        .into();
    for key in [
        "subscribed",
        "delivery",
        "quiet_hours",
        "citizen_locale",
        "offsets",
    ] {
        ctx[key] = shown[key].clone();
    }
    let days: Vec<String> = v
        .tenant
        .reminder_offsets_days
        .iter()
        .map(u32::to_string)
        .collect();
    ctx["tenant_offsets"] = days.join(", ").into();
    ctx["errors"] = errors;
    ctx
}

pub(super) async fn settings_save(Posted(v, form): Posted<true>) -> Response {
    let mut errors = serde_json::Map::new();
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
                errors.insert("topics".into(), v.t("error-choice").into());
            }
        }
    }
    let delivery = form.get("delivery").unwrap_or("immediate");
    if !matches!(delivery, "immediate" | "daily") {
        errors.insert("delivery".into(), v.t("error-choice").into());
    }
    let quiet = form.get("quiet_hours").unwrap_or("").trim();
    if !quiet.is_empty()
        && (quiet.len() > 11 || crate::notify::schedule::Window::parse(quiet).is_none())
    {
        errors.insert("quiet_hours".into(), v.t("error-quiet-hours").into());
    }
    let offsets_text = form.get("offsets").unwrap_or("").trim();
    let offsets = if offsets_text.is_empty() {
        None
    } else {
        match crate::store::parse_offsets(offsets_text) {
            Some(list) => Some(
                list.iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
            ),
            None => {
                errors.insert("offsets".into(), v.t("error-offsets").into());
                None
            }
        }
    };
    let locale = form.get("locale").unwrap_or(&v.tenant.locale);
    let locale = i18n::LOCALES.iter().find(|l| **l == locale).copied();
    if locale.is_none() {
        errors.insert("locale".into(), v.t("error-choice").into());
    }
    if !errors.is_empty() {
        let subscribed: Vec<String> = subscriptions
            .iter()
            .map(|(t, c)| format!("{t}:{c}"))
            .collect();
        let ctx = settings_ctx(
            &v,
            None,
            json!({
                "subscribed": subscribed,
                "delivery": if matches!(delivery, "immediate" | "daily") { delivery } else { "immediate" },
                "quiet_hours": quiet.chars().take(11).collect::<String>(),
                "citizen_locale": locale.unwrap_or(v.lang),
                "offsets": offsets_text.chars().take(40).collect::<String>(),
            }),
            errors.into(),
        );
        return v.page(StatusCode::BAD_REQUEST, "settings.html", ctx);
    }
    let locale = locale.unwrap_or(i18n::REFERENCE);
    match v
        .app
        .store
        .save_settings(
            &v.citizen.id,
            &crate::store::SettingsIn {
                subscriptions: &subscriptions,
                quiet_hours: (!quiet.is_empty()).then_some(quiet),
                delivery,
                locale,
                reminder_offsets: offsets.as_deref(),
            },
            v.now(),
        )
        .await
    {
        Ok(()) => {
            let mut r = redirect(&format!(
                "/t/{}/settings?done=saved&lang={locale}",
                v.tenant.id
            ));
            remember_language(&mut r, locale);
            r
        }
        Err(e) => v.failed(e),
    }
}

// ----- contacts ----------------------------------------------------------------------
