//! A citizen's calendar as an iCalendar feed (RFC 5545), fetched by a calendar app without
//! a login at `/cal/<id>.<mac>.ics`: each unpaid fee's due dates (each instalment's) with
//! the amount and how to pay, each document's expiry, and the citizen's own reminders.
//! Every entry is a whole day with display alarms at the citizen's own reminder days (the
//! municipality's when they chose none; the document days for documents), at 09:00 local
//! time, in the citizen's language; the calendar names the municipality's time zone. A
//! paid, cancelled or withdrawn fee has no entry. A forged URL, a revoked feed and a
//! deleted account answer 404 alike.
//!
//! What comes in: a path segment, untrusted; it is length-checked and its MAC verified
//! before the database is asked. What goes out: the feed, nothing personal in logs.

use super::CurrentApp;
use crate::citizens::Citizens;
use crate::config::TenantConfig;
use crate::i18n::{self, Arg};
use crate::store::CitizenInfo;
use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use hlidac_adapters::{Receivable, Withdrawal};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};

pub fn routes() -> Router<CurrentApp> {
    Router::new().route("/cal/{token}", get(feed))
}

async fn feed(State(current): State<CurrentApp>, Path(token): Path<String>) -> Response {
    let app = current.borrow().clone();
    let not_found = || (StatusCode::NOT_FOUND, "not found\n").into_response();
    let citizen = match app.citizens.feed_owner(&token).await {
        Ok(Some(c)) => c,
        Ok(None) => return not_found(),
        Err(e) => return unavailable(e),
    };
    let Some(tenant) = app.config.tenant(&citizen.tenant_id).cloned() else {
        return not_found();
    };
    match calendar(&app.citizens, &tenant, &citizen).await {
        Ok(ics) => {
            let mut r = ics.into_response();
            let h = r.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => unavailable(e),
    }
}

fn unavailable(e: crate::store::StoreError) -> Response {
    tracing::error!(error = %e, "calendar feed: database error");
    (StatusCode::SERVICE_UNAVAILABLE, "try again later\n").into_response()
}

/// Display alarms at 09:00 local time `days` before a whole-day entry.
fn alarms(event: &mut Event, text: &str, days: &[u32]) {
    for d in days {
        let before = chrono::Duration::days(i64::from(*d)) - chrono::Duration::hours(9);
        event.alarm(Alarm::display(text, -before));
    }
}

/// The citizen's calendar, written out.
async fn calendar(
    citizens: &Citizens,
    t: &TenantConfig,
    c: &CitizenInfo,
) -> Result<String, crate::store::StoreError> {
    let lang = i18n::locale_for(c.locale.as_deref().unwrap_or(&t.locale));
    let word = |id: &str, args: &[(&str, Arg)]| i18n::t(lang, id, args);
    let offsets: Vec<u32> = c
        .reminder_offsets
        .as_deref()
        .and_then(crate::store::parse_offsets)
        .unwrap_or_else(|| t.reminder_offsets_days.clone());
    let uid = |what: &str| citizens.calendar_uid(what);
    let mut cal = Calendar::new();
    cal.name(&word(
        "calendar-name",
        &[("tenant", t.name.as_str().into())],
    ))
    .timezone(t.time_zone.as_str());
    for (kind, status, data) in citizens.records(t, c).await? {
        if kind != "receivable" || Withdrawal::STATUSES.contains(&status.as_str()) {
            continue;
        }
        let Ok(r) = serde_json::from_str::<Receivable>(&data) else {
            continue;
        };
        let how = how_to_pay(lang, &r, &t.name);
        let several = r.instalments.len() > 1;
        for i in r.unpaid_instalments() {
            let amount = i18n::money(lang, &i.amount.to_string(), &r.currency);
            let summary = if several {
                word(
                    "calendar-instalment",
                    &[
                        ("title", r.title.as_str().into()),
                        ("no", Arg::Num(f64::from(i.no))),
                        ("amount", amount.as_str().into()),
                    ],
                )
            } else {
                word(
                    "calendar-fee",
                    &[
                        ("title", r.title.as_str().into()),
                        ("amount", amount.as_str().into()),
                    ],
                )
            };
            let mut e = Event::new();
            e.uid(&uid(&format!("{}:receivable:{}:{}", t.id, r.key, i.no)))
                .summary(&summary)
                .description(&format!("{summary}\n{how}"))
                .all_day(i.due_date);
            alarms(&mut e, &summary, &offsets);
            cal.push(e.done());
        }
    }
    for d in citizens.documents(&c.id).await? {
        let Ok(until) = d.valid_until.parse::<chrono::NaiveDate>() else {
            continue;
        };
        let kind = word("document-kind", &[("kind", d.kind.as_str().into())]);
        let summary = word("calendar-document", &[("kind", kind.as_str().into())]);
        let mut e = Event::new();
        e.uid(&uid(&format!("{}:document:{}", t.id, d.key)))
            .summary(&summary)
            .all_day(until);
        alarms(&mut e, &summary, &t.document_offsets_days);
        cal.push(e.done());
    }
    for r in citizens.reminders(&c.id).await? {
        let Ok(day) = r.date.parse::<chrono::NaiveDate>() else {
            continue;
        };
        let summary = word("calendar-reminder", &[("note", r.note.as_str().into())]);
        let mut e = Event::new();
        e.uid(&uid(&format!("{}:reminder:{}", t.id, r.id)))
            .summary(&summary)
            .all_day(day);
        alarms(&mut e, &summary, &[0]);
        cal.push(e.done());
    }
    Ok(cal.done().to_string())
}

/// How to pay a fee, a labelled line each, as the overview says it.
fn how_to_pay(lang: &str, r: &Receivable, beneficiary: &str) -> String {
    let Some(p) = &r.payment else {
        return String::new();
    };
    let iban = crate::pay::iban_of(r).map(|i| crate::pay::iban_grouped(&i));
    [
        ("label-beneficiary", Some(beneficiary.to_string())),
        ("label-account", p.account.clone()),
        ("label-iban", iban),
        ("label-bic", p.bic.clone()),
        ("label-variable-symbol", p.variable_symbol.clone()),
        ("label-constant-symbol", p.constant_symbol.clone()),
        ("label-specific-symbol", p.specific_symbol.clone()),
        ("label-payment-model", p.model.clone()),
        ("label-payment-reference", p.reference.clone()),
        ("label-payment-code", p.code.clone()),
    ]
    .into_iter()
    .filter_map(|(id, v)| Some(format!("{}: {}", i18n::t(lang, id, &[]), v?)))
    .collect::<Vec<_>>()
    .join("\n")
}
