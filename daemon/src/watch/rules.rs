//! Clock-driven rules: reminders at the tenant's offsets before each unpaid instalment's
//! due date, and one overdue notice the day after it.
//!
//! Times come from the injected clock, in the tenant's time zone. A reminder is sent only
//! for an offset whose day came after hlidac first saw the receivable (the "new fee" alert
//! already told the citizen), and only the nearest such offset: someone enrolled two days
//! before a due date is not sent the fourteen-day reminder. Event ids are deterministic, so
//! evaluating the rules again never sends anything twice.

use super::Watch;
use crate::config::TenantConfig;
use crate::store::{parse_offsets, stable_id, NewEvent, Observation, StoreError};
use chrono::{Days, NaiveDate};
use hlidac_adapters::Receivable;
use std::collections::HashMap;

/// Evaluates the rules for every tenant; returns the number of alerts queued.
pub async fn evaluate(watch: &Watch) -> Result<usize, StoreError> {
    // Login flows, sessions and replay entries past their end are forgotten here.
    let idle_ms = watch.config.identity.session_idle_secs as i64 * 1000;
    watch
        .store
        .purge_identity(watch.clock.now_ms(), idle_ms)
        .await?;
    let mut alerts = 0;
    for tenant in &watch.config.tenants {
        alerts += evaluate_tenant(watch, tenant).await?;
    }
    Ok(alerts)
}

/// The reminder days citizens of `tenant` chose themselves, by person hash (one list for
/// each citizen record of that person; a list that does not parse is left out).
pub(super) async fn own_offsets(
    watch: &Watch,
    tenant: &TenantConfig,
) -> Result<HashMap<String, Vec<Vec<u32>>>, StoreError> {
    let mut own: HashMap<String, Vec<Vec<u32>>> = HashMap::new();
    for (person, offsets) in watch.store.custom_offsets(&tenant.id).await? {
        if let Some(list) = parse_offsets(&offsets) {
            own.entry(person).or_default().push(list);
        }
    }
    Ok(own)
}

pub async fn evaluate_tenant(watch: &Watch, tenant: &TenantConfig) -> Result<usize, StoreError> {
    let today = watch.today(tenant);
    // Citizens' own reminder days, by person: reminders are made for those too, and
    // each citizen gets only the ones of their own days.
    let custom = own_offsets(watch, tenant).await?;
    let max_offset = tenant
        .reminder_offsets_days
        .iter()
        .chain(custom.values().flatten().flatten())
        .copied()
        .max()
        .unwrap_or(0);
    let horizon = today
        .checked_add_days(Days::new(u64::from(max_offset)))
        .unwrap_or(today)
        .to_string();
    let today_text = today.to_string();
    let mut events = Vec::new();
    let mut evaluated = Vec::new();
    for (source_id, obs) in watch
        .store
        .open_receivables(&tenant.id, &today_text, &horizon)
        .await?
    {
        evaluated.push((source_id.clone(), obs.record_key.clone()));
        let Ok(r) = serde_json::from_str::<Receivable>(&obs.data) else {
            tracing::error!(tenant = %tenant.id, source = %source_id, "stored receivable does not parse; skipped");
            continue;
        };
        let dry_run = tenant.dry_run || tenant.source(&source_id).is_some_and(|s| s.dry_run);
        let own = custom
            .get(&obs.person_hash)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        for mut e in receivable_events(tenant, &source_id, &obs, &r, today, own) {
            e.dry_run = dry_run;
            if !watch.store.event_exists(&e.id).await? {
                events.push(e);
            }
        }
    }
    let alerts = watch
        .store
        .commit_rules(
            &tenant.id,
            &evaluated,
            &today_text,
            &events,
            watch.clock.now_ms(),
        )
        .await?;
    Ok(alerts
        + document_reminders(watch, tenant, today).await?
        + personal_reminders(watch, tenant, today).await?)
}

/// The reminders citizens set themselves, on their day: one event each (its note still
/// sealed), then the reminder is gone.
async fn personal_reminders(
    watch: &Watch,
    tenant: &TenantConfig,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let mut events = Vec::new();
    let due = watch
        .store
        .reminders_due(&tenant.id, &today.to_string())
        .await?;
    for (r, person_hash) in &due {
        let id = stable_id(&[&tenant.id, &r.id, "personal"]);
        if watch.store.event_exists(&id).await? {
            continue;
        }
        events.push(NewEvent {
            id,
            tenant_id: tenant.id.clone(),
            source_id: "personal".into(),
            kind: "personal.reminder".into(),
            record_key: r.id.clone(),
            person_hash: person_hash.clone(),
            payload: serde_json::json!({"key": r.id, "date": r.due_date, "note_enc": r.note_enc}),
            expires_at: end_of_day(tenant, today),
            dry_run: tenant.dry_run,
        });
    }
    let alerts = watch
        .store
        .insert_events(&events, watch.clock.now_ms())
        .await?;
    for (r, _) in &due {
        watch.store.remove_reminder(&r.citizen_id, &r.id).await?;
    }
    Ok(alerts)
}

/// Reminders before a document (identity card, passport) expires, at the tenant's
/// `document_offsets_days`: the nearest offset reached whose day was not before hlidac
/// first saw the document (the registry reports documents at each login).
async fn document_reminders(
    watch: &Watch,
    tenant: &TenantConfig,
    today: NaiveDate,
) -> Result<usize, StoreError> {
    let max_offset = tenant
        .document_offsets_days
        .iter()
        .copied()
        .max()
        .unwrap_or(0);
    let horizon = today
        .checked_add_days(Days::new(u64::from(max_offset)))
        .unwrap_or(today);
    let mut events = Vec::new();
    for d in watch
        .store
        .documents_expiring(&tenant.id, &today.to_string(), &horizon.to_string())
        .await?
    {
        let Ok(until) = d.valid_until.parse::<NaiveDate>() else {
            continue;
        };
        let first_seen = tenant.date_of_ms(d.first_seen_at).unwrap_or(today);
        let days_left = (until - today).num_days();
        let offset = tenant
            .document_offsets_days
            .iter()
            .copied()
            .filter(|&o| i64::from(o) >= days_left)
            .filter(|&o| {
                until
                    .checked_sub_days(Days::new(u64::from(o)))
                    .is_some_and(|day| day >= first_seen)
            })
            .min();
        let Some(o) = offset else { continue };
        let id = stable_id(&[
            &tenant.id,
            &d.citizen_id,
            &d.doc_key,
            "expiry",
            &d.valid_until,
            &o.to_string(),
        ]);
        if watch.store.event_exists(&id).await? {
            continue;
        }
        let number = d
            .number_enc
            .as_deref()
            .and_then(|n| watch.crypto.open(n).ok());
        events.push(NewEvent {
            id,
            tenant_id: tenant.id.clone(),
            source_id: "registry".into(),
            kind: "document.expiry".into(),
            record_key: d.doc_key.clone(),
            person_hash: d.person_hash.clone(),
            payload: serde_json::json!({
                "key": d.doc_key,
                "title": d.kind,
                "kind": d.kind,
                "number_masked": number,
                "valid_until": d.valid_until,
                "days_left": days_left,
            }),
            expires_at: end_of_day(tenant, until),
            dry_run: tenant.dry_run,
        });
    }
    watch
        .store
        .insert_events(&events, watch.clock.now_ms())
        .await
}

/// The reminder and overdue events that apply to one receivable on `today`.
pub fn receivable_events(
    tenant: &TenantConfig,
    source_id: &str,
    obs: &Observation,
    r: &Receivable,
    today: NaiveDate,
    own_offsets: &[Vec<u32>],
) -> Vec<NewEvent> {
    let first_seen = tenant.date_of_ms(obs.first_seen_at).unwrap_or(today);
    let mut out = Vec::new();
    // Protocol 1.1: the status says whether to press at all, the instalments say when.
    if !r.status.reminds() {
        return out;
    }
    for inst in r.unpaid_instalments() {
        let due = inst.due_date;
        let days_left = (due - today).num_days();
        let base = |kind: &str, id: String, expires_at: Option<i64>| NewEvent {
            id,
            tenant_id: tenant.id.clone(),
            source_id: source_id.to_string(),
            kind: kind.into(),
            record_key: r.key.clone(),
            person_hash: obs.person_hash.clone(),
            payload: receivable_payload(r, Some((inst.due_date, inst.amount, days_left))),
            expires_at,
            dry_run: false,
        };
        if days_left < 0 {
            if !r.status.is_overdue() {
                continue;
            }
            let id = stable_id(&[&tenant.id, source_id, &r.key, "overdue", &due.to_string()]);
            out.push(base("receivable.overdue", id, None));
            continue;
        }
        // The municipality's days and each citizen's own: one event per day reached.
        let mut offsets: Vec<u32> = std::iter::once(&tenant.reminder_offsets_days)
            .chain(own_offsets)
            .filter_map(|list| reminder_offset(list, due, today, first_seen))
            .collect();
        offsets.sort_unstable();
        offsets.dedup();
        for o in offsets {
            let id = stable_id(&[
                &tenant.id,
                source_id,
                &r.key,
                "reminder",
                &due.to_string(),
                &o.to_string(),
            ]);
            let mut e = base("receivable.reminder", id, end_of_day(tenant, due));
            e.payload["offset"] = o.into();
            e.payload["tenant_offsets"] = tenant.reminder_offsets_days.clone().into();
            out.push(e);
        }
    }
    if let Some(d) = r.open_discount() {
        if let Some(o) = reminder_offset(&tenant.reminder_offsets_days, d.until, today, first_seen)
            .filter(|&o| o > 0)
        {
            let id = stable_id(&[
                &tenant.id,
                source_id,
                &r.key,
                "discount",
                &d.until.to_string(),
                &o.to_string(),
            ]);
            let mut payload = receivable_payload(r, None);
            payload["discount_until"] = d.until.to_string().into();
            payload["discount_percent"] = d.percent.clone().into();
            payload["discount_amount"] = r.discounted_amount().map(|m| m.to_string()).into();
            payload["days_left"] = (d.until - today).num_days().into();
            out.push(NewEvent {
                id,
                tenant_id: tenant.id.clone(),
                source_id: source_id.to_string(),
                kind: "receivable.discount_ending".into(),
                record_key: r.key.clone(),
                person_hash: obs.person_hash.clone(),
                payload,
                expires_at: end_of_day(tenant, d.until),
                dry_run: false,
            });
        }
    }
    out
}

/// The reminder offset that applies to `date` on `today`: the smallest configured offset
/// already reached whose day came after hlidac first saw the record.
fn reminder_offset(
    offsets: &[u32],
    date: NaiveDate,
    today: NaiveDate,
    first_seen: NaiveDate,
) -> Option<u32> {
    let days_left = (date - today).num_days();
    offsets
        .iter()
        .copied()
        .filter(|&o| i64::from(o) >= days_left)
        .filter(|&o| {
            date.checked_sub_days(Days::new(u64::from(o)))
                .is_some_and(|d| d > first_seen)
        })
        .min()
}

/// The end of `date` in the tenant's time zone: an alert about that day is useless after.
fn end_of_day(tenant: &TenantConfig, date: NaiveDate) -> Option<i64> {
    tenant.midnight_ms(date.checked_add_days(Days::new(1))?)
}

/// The facts an alert about a receivable is rendered from; never the person reference.
pub fn receivable_payload(
    r: &Receivable,
    instalment: Option<(NaiveDate, hlidac_adapters::Money, i64)>,
) -> serde_json::Value {
    let next = r.unpaid_instalments().map(|i| i.due_date).min();
    let (due_date, amount, days_left) = match instalment {
        Some((d, a, n)) => (Some(d), a.to_string(), Some(n)),
        None => (next, r.amount_outstanding.to_string(), None),
    };
    serde_json::json!({
        "key": r.key,
        "title": r.title,
        "kind": r.kind,
        "period": r.period,
        "currency": r.currency,
        "amount_due": r.amount_due.to_string(),
        "amount_outstanding": r.amount_outstanding.to_string(),
        "amount": amount,
        "due_date": due_date,
        "days_left": days_left,
        "days_overdue": days_left.map(|n| -n),
        "status": r.status.as_str(),
        "payment": r.payment,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hlidac_adapters::{Instalment, Money, ReceivableKind, ReceivableStatus};

    fn tenant() -> TenantConfig {
        TenantConfig {
            id: "t".into(),
            name: "T".into(),
            locale: "cs".into(),
            time_zone: "Europe/Prague".into(),
            sender: crate::config::Sender {
                email: "a@b.example".into(),
                name: None,
            },
            reminder_offsets_days: vec![14, 3, 0],
            dry_run: false,
            dkim: None,
            templates_dir: None,
            branding: Default::default(),
            quiet_hours: "20:00-08:00".into(),
            digest_time: "07:00".into(),
            sms_sender: None,
            sms_transliterate: false,
            sms_providers: Vec::new(),
            email_relays: Vec::new(),
            fallback: None,
            fallback_topics: Vec::new(),
            feedback_secret_file: None,
            min_loa: crate::config::Loa::Substantial,
            document_offsets_days: vec![90, 30, 7, 0],
            tell_cancelled: false,
            bounce_soft_limit: 3,
            registry_events: Default::default(),
            sources: vec![],
        }
    }

    fn fee(due: NaiveDate, status: ReceivableStatus) -> Receivable {
        Receivable {
            key: "R1".into(),
            person_ref: String::new(),
            kind: ReceivableKind::DogFee,
            kind_native: None,
            title: "Dog fee".into(),
            period: None,
            currency: "CZK".into(),
            amount_due: Money(60000),
            amount_outstanding: Money(if status.is_settled() { 0 } else { 60000 }),
            instalments: vec![Instalment {
                no: 1,
                due_date: due,
                amount: Money(60000),
                paid: status.is_settled(),
            }],
            due_date: None,
            early_discount: None,
            payment: None,
            status,
            updated_at: None,
            version: None,
        }
    }

    fn obs(first_seen: NaiveDate) -> Observation {
        let at = first_seen
            .and_hms_opt(12, 0, 0)
            .expect("valid")
            .and_utc()
            .timestamp_millis();
        Observation {
            record_key: "R1".into(),
            person_hash: "h".into(),
            content_hash: String::new(),
            version: None,
            status: "open".into(),
            data: String::new(),
            first_seen_at: at,
        }
    }

    /// The events of a fee on `day`, its source marking it overdue once its date passed.
    fn kinds_on(day: NaiveDate, first_seen: NaiveDate, due: NaiveDate) -> Vec<String> {
        let status = if day > due {
            ReceivableStatus::Overdue
        } else {
            ReceivableStatus::Open
        };
        let r = fee(due, status);
        receivable_events(&tenant(), "s", &obs(first_seen), &r, day, &[])
            .into_iter()
            .map(|e| format!("{}@{}", e.kind, e.payload["days_left"]))
            .collect()
    }

    #[test]
    fn reminders_follow_offsets_and_only_the_nearest_one_applies() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let seen = d("2026-05-01");
        let due = d("2026-05-31");
        assert!(
            kinds_on(d("2026-05-16"), seen, due).is_empty(),
            "15 days before: nothing"
        );
        for (day, kind) in [
            ("2026-05-17", "receivable.reminder@14"),
            ("2026-05-20", "receivable.reminder@11"),
            ("2026-05-28", "receivable.reminder@3"),
            ("2026-05-31", "receivable.reminder@0"),
            ("2026-06-01", "receivable.overdue@-1"),
        ] {
            assert_eq!(kinds_on(d(day), seen, due), [kind], "on {day}");
        }
        // Enrolled two days before the due date: no 14- or 3-day reminder, only on the day.
        assert!(kinds_on(d("2026-05-29"), d("2026-05-29"), due).is_empty());
        assert_eq!(
            kinds_on(d("2026-05-31"), d("2026-05-29"), due),
            ["receivable.reminder@0"]
        );
    }

    #[test]
    fn a_citizens_own_days_add_reminders_marked_with_their_day() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let open = fee(d("2026-05-31"), ReceivableStatus::Open);
        let own = vec![vec![10, 1]];
        let on = |day: &str| {
            receivable_events(&tenant(), "s", &obs(d("2026-04-01")), &open, d(day), &own)
                .into_iter()
                .map(|e| e.payload["offset"].as_u64().unwrap_or(99))
                .collect::<Vec<_>>()
        };
        // The municipality's 14, 3, 0 and the citizen's 10 and 1, each on its day.
        assert_eq!(on("2026-05-17"), [14]);
        assert_eq!(on("2026-05-21"), [10, 14]);
        assert_eq!(on("2026-05-28"), [3, 10]);
        assert_eq!(on("2026-05-30"), [1, 3]);
        assert_eq!(parse_offsets("14, 3,0"), Some(vec![14, 3, 0]));
        assert_eq!(parse_offsets("3,3"), None, "repeated");
        assert_eq!(parse_offsets("91"), None, "too far");
        assert_eq!(parse_offsets("1,2,3,4,5,6,7"), None, "too many");
        assert_eq!(parse_offsets("x"), None);
        assert_eq!(parse_offsets(""), None);
    }

    #[test]
    fn the_status_says_whether_to_press_and_the_instalments_when() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        let seen = obs(d("2026-04-01"));
        let kinds = |r: &Receivable, day: &str| -> Vec<String> {
            receivable_events(&tenant(), "s", &seen, r, d(day), &[])
                .into_iter()
                .map(|e| {
                    format!(
                        "{}@{}",
                        e.kind,
                        e.payload["due_date"].as_str().unwrap_or("")
                    )
                })
                .collect()
        };
        let due = d("2026-05-31");
        // An open fee past its date is not overdue until its source says so.
        assert!(kinds(&fee(due, ReceivableStatus::Open), "2026-06-02").is_empty());
        assert_eq!(
            kinds(&fee(due, ReceivableStatus::Overdue), "2026-06-02"),
            ["receivable.overdue@2026-05-31"]
        );
        // Disputed or in enforcement: shown, never pressed.
        for status in [ReceivableStatus::Disputed, ReceivableStatus::InEnforcement] {
            assert!(
                kinds(&fee(due, status), "2026-05-17").is_empty(),
                "{status:?}"
            );
            assert!(
                kinds(&fee(due, status), "2026-06-02").is_empty(),
                "{status:?}"
            );
        }
        // Paid wins over an instalment left unpaid.
        let mut paid = fee(due, ReceivableStatus::Open);
        paid.status = ReceivableStatus::Paid;
        assert!(kinds(&paid, "2026-05-17").is_empty());
        assert!(kinds(&paid, "2026-06-02").is_empty());
        // A fee without instalments is due on its own due_date, for what is outstanding.
        let mut whole = fee(due, ReceivableStatus::Open);
        whole.instalments.clear();
        assert!(
            kinds(&whole, "2026-05-17").is_empty(),
            "no date, no reminder"
        );
        whole.due_date = Some(d("2026-06-30"));
        let e = receivable_events(&tenant(), "s", &seen, &whole, d("2026-06-16"), &[]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].kind, "receivable.reminder");
        assert_eq!(e[0].payload["due_date"], "2026-06-30");
        assert_eq!(e[0].payload["amount"], "600.00");
        // An instalment marked paid is never due, whatever the fee's status.
        let mut first_paid = fee(due, ReceivableStatus::Overdue);
        first_paid.instalments[0].paid = true;
        assert!(kinds(&first_paid, "2026-06-02").is_empty());
    }

    #[test]
    fn settled_receivables_never_remind_and_ids_are_stable() {
        let d = |s: &str| s.parse::<NaiveDate>().expect("date");
        // Events of a fee due on 31 May, first seen on 1 May, as seen on `day`.
        let seen_on = |status, day| {
            let r = fee(d("2026-05-31"), status);
            receivable_events(&tenant(), "s", &obs(d("2026-05-01")), &r, d(day), &[])
        };
        assert!(seen_on(ReceivableStatus::Paid, "2026-06-05").is_empty());
        let a = seen_on(ReceivableStatus::Open, "2026-05-29");
        let b = seen_on(ReceivableStatus::Open, "2026-05-30");
        assert_eq!(
            a[0].id, b[0].id,
            "the 3-day reminder is one event whichever day it is seen"
        );
    }
}
