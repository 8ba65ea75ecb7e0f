//! Confirming a contact: asking for the link or code, the code typed on the contacts
//! page, and the link's landing page (the checks are the citizen service's).

use super::*;
use crate::citizens::{CitizenError, CodeCheck, Sent};
use axum::http::Method;

/// Sends a contact of the visiting citizen its confirmation; the notice to show (None
/// when there is nothing to confirm). A relay that refuses: "try later".
pub(super) async fn send_confirmation(
    v: &Visit,
    contact_id: &str,
) -> Result<Option<&'static str>, PageError> {
    let citizens = &v.app.citizens;
    let sent = citizens.send_confirmation(&v.tenant, &v.citizen.id, contact_id, v.lang);
    match sent.await {
        Ok(sent) => Ok(sent.map(Sent::notice)),
        Err(CitizenError::NotSent(_)) => Err(PageError::TryLater(v.lang.into())),
        Err(CitizenError::Store(e)) => Err(PageError::try_later(v.lang, e)),
    }
}

pub(super) async fn contact_code(
    Path((_, id)): Path<(String, String)>,
    Posted(v, form): Posted<true>,
) -> Answer {
    let code = form.get("code").unwrap_or("").trim();
    let checked = v
        .db(v.app.citizens.check_code(&v.citizen.id, &id, code))
        .await?;
    let key = match checked.ok_or_else(|| v.not_found())? {
        CodeCheck::Confirmed => return Ok(v.redirect_to("contacts?done=verified")),
        CodeCheck::Malformed => "error-code",
        CodeCheck::Wrong => "error-code-wrong",
        CodeCheck::Expired => "error-code-expired",
    };
    // The contacts page again, the code's message next to that contact's code field.
    let errors = Fields::from([("code", v.t(key)), ("code_for", id)]);
    let refused = Refused {
        form: Fields::new(),
        errors,
    };
    contacts_view(&v, None, refused).await
}

/// The link from the confirmation e-mail, without logging in: the page (GET) asks to
/// confirm with a button (a mail scanner fetching the link confirms nothing); the button's
/// POST confirms.
pub(super) async fn verify(
    method: Method,
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Answer {
    verify_link(&current, &token, &headers, method == Method::POST).await
}

pub(super) async fn verify_link(
    current: &CurrentApp,
    token: &str,
    headers: &HeaderMap,
    confirm: bool,
) -> Answer {
    let app = current.borrow().clone();
    let failed = |lang: &str, e: crate::store::StoreError| {
        tracing::error!(error = %e, "verify link: database error");
        PageError::TryLater(lang.into())
    };
    let owner = app.citizens.link_owner(token).await;
    let owner = owner.map_err(|e| failed(i18n::REFERENCE, e))?;
    let citizen = owner.as_ref().and_then(|o| o.citizen.as_ref());
    let lang = pages::language(
        None,
        headers,
        citizen.and_then(|c| c.locale.as_deref()),
        citizen
            .and_then(|c| app.config.tenant(&c.tenant_id))
            .map(|t| t.locale.as_str())
            .unwrap_or(i18n::REFERENCE),
    );
    let bad = || {
        pages::message(
            StatusCode::BAD_REQUEST,
            lang,
            "verify-bad",
            "verify-bad-text",
        )
    };
    let Some((owner, c)) = owner
        .as_ref()
        .filter(|o| !o.verified)
        .and_then(|o| Some((o, o.citizen.as_ref()?)))
    else {
        return Ok(bad());
    };
    let address = app
        .citizens
        .contact_address(&owner.citizen_id, &owner.contact_id)
        .await
        .map_err(|e| failed(lang, e))?;
    let Some(address) = address else {
        return Ok(bad());
    };
    let tenant = app.config.tenant(&c.tenant_id);
    if !confirm {
        let page = VerifyLink {
            title: i18n::t(lang, "verify-confirm", &[]),
            tenant: tenant.map(TenantRef::of),
            address,
            here: format!("/verify/{token}"),
        };
        return Ok(pages::respond(StatusCode::OK, "verify.html", lang, page));
    }
    let confirmed = app.citizens.confirm_by_link(&owner.contact_id).await;
    if !confirmed.map_err(|e| failed(lang, e))? {
        return Ok(bad());
    }
    tracing::info!("a contact was confirmed by its link");
    let (id, name) = tenant
        .map(|t| (t.id.as_str(), t.name.as_str()))
        .unwrap_or_default();
    Ok(pages::end(
        lang,
        "verify-ok",
        i18n::t(
            lang,
            "verify-ok-text",
            &[("address", address.into()), ("tenant", name.into())],
        ),
        tenant.map(TenantRef::of),
        &[
            (format!("/t/{id}/me"), "to-overview"),
            (format!("/t/{id}/settings"), "to-settings"),
        ],
    ))
}
