//! The overview: per municipality a summary (what is owed, by when, anything overdue),
//! the fees overdue first and then by due date, each with how to pay in full and a
//! payment QR code (also as a PNG to save), submissions with their history, documents,
//! and the alerts sent.

use super::*;

pub(super) async fn overview(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    let mut municipalities = Vec::new();
    let citizens = match &v.citizen.subject_hash {
        Some(s) => v.app.store.citizens_of_subject(s).await,
        None => Ok(vec![v.citizen.clone()]),
    };
    let citizens = match citizens {
        Ok(c) => c,
        Err(e) => return v.failed(e),
    };
    // This municipality first, then the others the person logged in to.
    let (here, others): (Vec<_>, Vec<_>) = citizens
        .into_iter()
        .partition(|c| c.tenant_id == v.tenant.id);
    for c in here.into_iter().chain(others) {
        let Some(t) = v.app.config.tenant(&c.tenant_id) else {
            continue;
        };
        match municipality(&v, t, &c).await {
            Ok(m) => municipalities.push(m),
            Err(e) => return v.failed(e),
        }
    }
    let mut ctx = v.base("title-overview", "me", q.done.as_deref());
    ctx["name"] = v.profile.name.clone().into();
    // Addresses a bounce made undeliverable: said first, with the way to fix it.
    ctx["undeliverable"] = match v.app.store.contacts_of(&v.citizen.id).await {
        Ok(list) => list
            .iter()
            .filter(|k| k.undeliverable_at.is_some())
            .filter_map(|k| v.app.crypto.open(&k.address_enc).ok())
            .collect::<Vec<_>>()
            .into(),
        Err(e) => return v.failed(e),
    };
    ctx["calendar_url"] = match v.app.store.calendar_feed_of(&v.citizen.id).await {
        Ok(feed) => feed
            .map(|id| crate::web::calendar::feed_url(&v.app, &id))
            .into(),
        Err(e) => return v.failed(e),
    };
    ctx["municipalities"] = municipalities.into();
    v.page(StatusCode::OK, "dashboard.html", ctx)
}

/// What one municipality knows about the citizen, for the overview.
pub(super) async fn municipality(
    v: &Visit,
    t: &TenantConfig,
    c: &CitizenInfo,
) -> Result<Value, crate::store::StoreError> {
    let app = &v.app;
    let today = t.today(app.clock.now());
    let mut receivables = Vec::new();
    let mut submissions = Vec::new();
    for (kind, status, data) in app.store.person_records(&t.id, &c.person_hash).await? {
        // A record its source withdrew or cancelled is no longer the citizen's business.
        if hlidac_adapters::Withdrawal::STATUSES.contains(&status.as_str()) {
            continue;
        }
        match kind.as_str() {
            "receivable" => {
                if let Ok(r) = serde_json::from_str::<Receivable>(&data) {
                    receivables.push(receivable_view(&r, &t.name, &t.id, today));
                }
            }
            "submission" => {
                if let Ok(s) = serde_json::from_str::<Submission>(&data) {
                    submissions.push(submission_view(&s));
                }
            }
            _ => {}
        }
    }
    receivables.sort_by_key(order_key);
    let summary = summary_of(&receivables);
    let documents = documents_of(app, &c.id).await?;
    let alerts: Vec<Value> = app
        .store
        .citizen_alerts(&c.id, 30)
        .await?
        .into_iter()
        .map(|a| {
            json!({
                "date": v.date_of(a.sent_at.unwrap_or(a.created_at)),
                // Catalogue variants cannot hold a dot.
                "kind": a.kind.replace('.', "_"),
                "channel": a.channel,
                "state": a.state,
            })
        })
        .collect();
    Ok(json!({
        "id": t.id,
        "name": t.name,
        "summary": summary,
        "receivables": receivables,
        "submissions": submissions,
        "documents": documents,
        "alerts": alerts,
    }))
}

/// Overdue first, then the nearest due date, then those without one.
fn order_key(r: &Value) -> (bool, bool, String) {
    let due = r["due_date"].as_str().unwrap_or("");
    (
        !r["overdue"].as_bool().unwrap_or(false),
        due.is_empty(),
        due.to_string(),
    )
}

/// What the citizen owes here: how many fees, the total per currency, the nearest due
/// date (and which fee), how many are overdue.
fn summary_of(receivables: &[Value]) -> Value {
    let payable: Vec<&Value> = receivables
        .iter()
        .filter(|r| r["payable"].as_bool().unwrap_or(false))
        .collect();
    let mut totals: Vec<(String, i64)> = Vec::new();
    for r in &payable {
        let currency = r["currency"].as_str().unwrap_or("").to_string();
        let amount = hlidac_adapters::Money::parse(r["amount_outstanding"].as_str().unwrap_or(""))
            .map(|m| m.0)
            .unwrap_or(0);
        match totals.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, sum)) => *sum += amount,
            None => totals.push((currency, amount)),
        }
    }
    let nearest = payable
        .iter()
        .filter(|r| !r["overdue"].as_bool().unwrap_or(false))
        .filter_map(|r| Some((r["due_date"].as_str()?, r["title"].as_str().unwrap_or(""))))
        .min();
    json!({
        "count": payable.len(),
        "totals": totals.into_iter().map(|(currency, sum)| json!({
            "currency": currency, "amount": hlidac_adapters::Money(sum).to_string(),
        })).collect::<Vec<_>>(),
        "nearest_due": nearest.map(|(d, _)| d),
        "nearest_title": nearest.map(|(_, t)| t),
        "overdue": payable.iter().filter(|r| r["overdue"].as_bool().unwrap_or(false)).count(),
    })
}

pub(super) fn receivable_view(
    r: &Receivable,
    beneficiary: &str,
    tenant: &str,
    today: chrono::NaiveDate,
) -> Value {
    let next_due = r.unpaid_instalments().map(|i| i.due_date).min();
    let payable = !r.status.is_settled() && r.amount_outstanding.0 > 0;
    let overdue = payable
        && (r.status == hlidac_adapters::ReceivableStatus::Overdue
            || next_due.is_some_and(|d| d < today));
    let qr = payable
        .then(|| crate::pay::payment_code(r, beneficiary))
        .flatten()
        .and_then(|(code, caption)| {
            crate::pay::qr_png(&code, 4).map(|png| {
                (
                    format!(
                        "data:image/png;base64,{}",
                        base64::engine::general_purpose::STANDARD.encode(png)
                    ),
                    caption,
                )
            })
        });
    let iban = crate::pay::iban_of(r).map(|i| crate::pay::iban_grouped(&i));
    json!({
        "title": r.title,
        "period": r.period,
        "currency": r.currency,
        "amount_outstanding": r.amount_outstanding.to_string(),
        "due_date": next_due,
        "overdue": overdue,
        "status": r.status.as_str(),
        "instalments": r.instalments.iter().map(|i| json!({
            "no": i.no, "due_date": i.due_date, "amount": i.amount.to_string(), "paid": i.paid,
        })).collect::<Vec<_>>(),
        "payment": r.payment,
        "iban": iban,
        "payable": payable,
        "qr": qr.as_ref().map(|(url, _)| url.clone()),
        "qr_caption": qr.map(|(_, c)| c),
        "qr_file": format!("/t/{tenant}/qr?key={}", url::form_urlencoded::byte_serialize(r.key.as_bytes()).collect::<String>()),
    })
}

/// The payment QR code of one of the citizen's fees as a PNG file, to save and open in a
/// banking app on the same phone.
pub(super) async fn qr_file(Visitor(v): Citizen, Query(q): Query<QrQuery>) -> Response {
    let records = match v
        .app
        .store
        .person_records(&v.tenant.id, &v.citizen.person_hash)
        .await
    {
        Ok(r) => r,
        Err(e) => return v.failed(e),
    };
    let png = records
        .into_iter()
        .filter(|(kind, status, _)| {
            kind == "receivable"
                && !hlidac_adapters::Withdrawal::STATUSES.contains(&status.as_str())
        })
        .filter_map(|(_, _, data)| serde_json::from_str::<Receivable>(&data).ok())
        .find(|r| r.key == q.key && !r.status.is_settled() && r.amount_outstanding.0 > 0)
        .and_then(|r| crate::pay::payment_code(&r, &v.tenant.name))
        .and_then(|(code, _)| crate::pay::qr_png(&code, 8));
    let Some(png) = png else {
        return v.not_found();
    };
    let mut r = png.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"payment-qr.png\""),
    );
    r
}

#[derive(serde::Deserialize)]
pub(super) struct QrQuery {
    #[serde(default)]
    key: String,
}

pub(super) fn submission_view(s: &Submission) -> Value {
    json!({
        "matter": s.matter,
        "references": crate::watch::diff::known_references(s),
        "status": s.status.as_str(),
        "deadline": s.deadline,
        "history": s.history.iter().map(|h| json!({
            "date": h.at.date_naive().to_string(), "status": h.status.as_str(),
        })).collect::<Vec<_>>(),
    })
}

// ----- settings ----------------------------------------------------------------------

/// The citizen's documents from the registry, their numbers opened for the citizen.
pub(super) async fn documents_of(
    app: &App,
    citizen_id: &str,
) -> Result<Vec<Value>, crate::store::StoreError> {
    Ok(app
        .store
        .citizen_documents(citizen_id)
        .await?
        .into_iter()
        .map(|d| {
            json!({
                "kind": d.kind,
                "number": d.number_enc.as_deref().and_then(|n| app.crypto.open(n).ok()),
                "valid_until": d.valid_until,
            })
        })
        .collect())
}
