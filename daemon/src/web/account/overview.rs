//! The overview: per municipality a summary (what is owed, by when, anything overdue),
//! the fees overdue first and then by due date, each with how to pay in full and a
//! payment QR code (also as a PNG to save), submissions with their history, documents,
//! and the alerts sent.

use super::*;

pub(super) async fn overview(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Answer {
    let citizens = v.db(v.app.citizens.linked(&v.citizen)).await?;
    // This municipality first, then the others the person logged in to.
    let (here, others): (Vec<_>, Vec<_>) = citizens
        .into_iter()
        .partition(|c| c.tenant_id == v.tenant.id);
    let mut municipalities = Vec::new();
    for c in here.into_iter().chain(others) {
        let Some(t) = v.app.config.tenant(&c.tenant_id) else {
            continue;
        };
        municipalities.push(v.db(municipality(&v, t, &c)).await?);
    }
    let contacts = v.db(v.app.citizens.contacts(&v.citizen.id)).await?;
    let body = Overview {
        name: v.profile.name.clone(),
        undeliverable: contacts
            .into_iter()
            .filter(|k| k.undeliverable && !k.address.is_empty())
            .map(|k| k.address)
            .collect(),
        calendar_url: v.db(v.app.citizens.feed(&v.citizen.id)).await?,
        municipalities,
    };
    let done = q.done.as_deref();
    Ok(v.page(&OVERVIEW, StatusCode::OK, done, Fields::new(), body))
}

/// What one municipality knows about the citizen, for the overview.
pub(super) async fn municipality(
    v: &Visit,
    t: &TenantConfig,
    c: &CitizenInfo,
) -> Result<Municipality, crate::store::StoreError> {
    let app = &v.app;
    let today = t.today(app.clock.now());
    let mut receivables = Vec::new();
    let mut submissions = Vec::new();
    for (kind, status, data) in app.citizens.records(t, c).await? {
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
    // Overdue first, then the nearest due date, then those without one.
    receivables.sort_by_key(|r| (!r.overdue, r.due_date.is_none(), r.due_date));
    let alerts = app
        .citizens
        .alerts(&c.id, 30)
        .await?
        .into_iter()
        .map(|a| AlertView {
            date: v.date_of(a.sent_at.unwrap_or(a.created_at)),
            kind: a.kind.replace('.', "_"),
            channel: a.channel,
            state: a.state,
        })
        .collect();
    Ok(Municipality {
        id: t.id.clone(),
        name: t.name.clone(),
        summary: summary_of(&receivables),
        receivables,
        submissions,
        documents: app.citizens.documents(&c.id).await?,
        alerts,
    })
}

/// What the citizen owes here: how many fees, the total per currency, the nearest due
/// date (and which fee), how many are overdue.
fn summary_of(receivables: &[ReceivableView]) -> Summary {
    let payable: Vec<&ReceivableView> = receivables.iter().filter(|r| r.payable).collect();
    let mut totals: Vec<(String, i64)> = Vec::new();
    for r in &payable {
        let amount = hlidac_adapters::Money::parse(&r.amount_outstanding)
            .map(|m| m.0)
            .unwrap_or(0);
        match totals.iter_mut().find(|(c, _)| *c == r.currency) {
            Some((_, sum)) => *sum += amount,
            None => totals.push((r.currency.clone(), amount)),
        }
    }
    let nearest = payable
        .iter()
        .filter(|r| !r.overdue)
        .filter_map(|r| Some((r.due_date?, r.title.as_str())))
        .min();
    Summary {
        count: payable.len(),
        totals: totals
            .into_iter()
            .map(|(currency, sum)| Total {
                currency,
                amount: hlidac_adapters::Money(sum).to_string(),
            })
            .collect(),
        nearest_due: nearest.map(|(d, _)| d),
        nearest_title: nearest.map(|(_, t)| t.to_string()),
        overdue: payable.iter().filter(|r| r.overdue).count(),
    }
}

pub(super) fn receivable_view(
    r: &Receivable,
    beneficiary: &str,
    tenant: &str,
    today: chrono::NaiveDate,
) -> ReceivableView {
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
    let key: String = url::form_urlencoded::byte_serialize(r.key.as_bytes()).collect();
    ReceivableView {
        title: r.title.clone(),
        period: r.period.clone(),
        currency: r.currency.clone(),
        amount_outstanding: r.amount_outstanding.to_string(),
        due_date: next_due,
        overdue,
        status: r.status.as_str(),
        instalments: r
            .instalments
            .iter()
            .map(|i| InstalmentView {
                no: i.no,
                due_date: i.due_date,
                amount: i.amount.to_string(),
                paid: i.paid,
            })
            .collect(),
        payment: r.payment.clone(),
        iban: crate::pay::iban_of(r).map(|i| crate::pay::iban_grouped(&i)),
        payable,
        qr_caption: qr.as_ref().map(|(_, c)| *c),
        qr: qr.map(|(url, _)| url),
        qr_file: format!("/t/{tenant}/qr?key={key}"),
    }
}

/// The payment QR code of one of the citizen's fees as a PNG file, to save and open in a
/// banking app on the same phone.
pub(super) async fn qr_file(Visitor(v): Citizen, Query(q): Query<QrQuery>) -> Answer {
    let records = v.db(v.app.citizens.records(&v.tenant, &v.citizen)).await?;
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
    let png = png.ok_or_else(|| v.not_found())?;
    let mut r = png.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/png"));
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"payment-qr.png\""),
    );
    Ok(r)
}

#[derive(serde::Deserialize)]
pub(super) struct QrQuery {
    #[serde(default)]
    key: String,
}

pub(super) fn submission_view(s: &Submission) -> SubmissionView {
    SubmissionView {
        matter: s.matter.clone(),
        references: crate::watch::diff::known_references(s),
        status: s.status.as_str(),
        deadline: s.deadline,
        history: s
            .history
            .iter()
            .map(|h| StatusAt {
                date: h.at.date_naive().to_string(),
                status: h.status.as_str(),
            })
            .collect(),
    }
}
