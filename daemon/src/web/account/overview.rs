//! The overview: fees with how to pay and a payment QR code, submissions with their
//! history, documents, and the alerts sent.

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
                    receivables.push(receivable_view(&r, &t.name));
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
        "receivables": receivables,
        "submissions": submissions,
        "documents": documents,
        "alerts": alerts,
    }))
}

pub(super) fn receivable_view(r: &Receivable, beneficiary: &str) -> Value {
    let next_due = r.unpaid_instalments().map(|i| i.due_date).min();
    let outstanding: f64 = r.amount_outstanding.to_string().parse().unwrap_or_default();
    let payable = !r.status.is_settled() && outstanding > 0.0;
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
    json!({
        "title": r.title,
        "period": r.period,
        "currency": r.currency,
        "amount_outstanding": r.amount_outstanding.to_string(),
        "due_date": next_due,
        "status": r.status.as_str(),
        "instalments": r.instalments.iter().map(|i| json!({
            "no": i.no, "due_date": i.due_date, "amount": i.amount.to_string(), "paid": i.paid,
        })).collect::<Vec<_>>(),
        "payment": r.payment,
        "payable": payable,
        "qr": qr.as_ref().map(|(url, _)| url.clone()),
        "qr_caption": qr.map(|(_, c)| c),
    })
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
