//! Contacts: the list, adding one (which sends its confirmation), sending it again and
//! removing one.

use super::*;

pub(super) async fn contacts_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    contacts_view(&v, StatusCode::OK, q.done.as_deref(), json!({}), json!({})).await
}

pub(super) async fn contacts_view(
    v: &Visit,
    status: StatusCode,
    done: Option<&str>,
    form: Value,
    errors: Value,
) -> Response {
    let rows = match v.app.store.contacts_of(&v.citizen.id).await {
        Ok(r) => r,
        Err(e) => return v.failed(e),
    };
    let mut contacts = Vec::new();
    for c in rows {
        let code_sent = match v.app.store.challenge(&c.id).await {
            Ok(ch) => ch.is_some_and(|ch| ch.code_hash != LINK_MARK),
            Err(e) => return v.failed(e),
        };
        contacts.push(json!({
            "id": c.id,
            "channel": c.channel,
            "address": v.app.crypto.open(&c.address_enc).unwrap_or_default(),
            "verified": c.verified_at.is_some(),
            "undeliverable": c.undeliverable_at.is_some(),
            "code_sent": code_sent,
        }));
    }
    let mut ctx = v.base("title-contacts", "contacts", done);
    ctx["contacts"] = contacts.into();
    ctx["form"] = form;
    ctx["errors"] = errors;
    v.page(status, "contacts.html", ctx)
}

/// What a contact challenge row holds for an e-mail link (its resend time only).
pub(super) const LINK_MARK: &str = "link";

pub(super) async fn contact_add(Posted(v, form): Posted<true>) -> Response {
    let email = form.get("email").unwrap_or("").trim().to_string();
    let phone: String = form
        .get("phone")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut errors = serde_json::Map::new();
    let email_ok = (!email.is_empty())
        .then(|| {
            (email.len() <= 254)
                .then(|| email.parse::<lettre::Address>().ok())
                .flatten()
        })
        .flatten();
    if !email.is_empty() && email_ok.is_none() {
        errors.insert("email".into(), v.t("error-email").into());
    }
    if !phone.is_empty() && (phone.len() > 16 || crate::notify::sms::check_phone(&phone).is_err()) {
        errors.insert("phone".into(), v.t("error-phone").into());
    }
    if email.is_empty() && phone.is_empty() {
        errors.insert("email".into(), v.t("error-contact-empty").into());
    }
    match v.app.store.contacts_of(&v.citizen.id).await {
        Ok(list) if list.len() >= CONTACTS_MAX => {
            errors.insert("email".into(), v.t("error-contacts-limit").into());
        }
        Ok(_) => {}
        Err(e) => return v.failed(e),
    }
    if !errors.is_empty() {
        let shown = json!({
            "email": email.chars().take(254).collect::<String>(),
            "phone": phone.chars().take(16).collect::<String>(),
        });
        return contacts_view(&v, StatusCode::BAD_REQUEST, None, shown, errors.into()).await;
    }
    let now = v.now();
    let mut added = Vec::new();
    if let Some(address) = email_ok {
        let address = address.to_string();
        let hash = v.app.crypto.hash("email", &address.to_lowercase());
        match v
            .app
            .store
            .add_unverified_contact(
                &v.citizen.id,
                "email",
                &v.app.crypto.seal(&address),
                &hash,
                now,
            )
            .await
        {
            Ok(id) => added.push(id),
            Err(e) => return v.failed(e),
        }
    }
    if !phone.is_empty() {
        let hash = v.app.crypto.hash("sms", &phone);
        match v
            .app
            .store
            .add_unverified_contact(&v.citizen.id, "sms", &v.app.crypto.seal(&phone), &hash, now)
            .await
        {
            Ok(id) => added.push(id),
            Err(e) => return v.failed(e),
        }
    }
    // Each new contact gets its confirmation at once.
    let mut done = "contact-added";
    for id in &added {
        match send_confirmation(&v, id).await {
            Ok(Some(d)) => done = d,
            Ok(None) => {}
            Err(r) => return r,
        }
    }
    redirect(&format!("/t/{}/contacts?done={done}", v.tenant.id))
}

pub(super) async fn contact_send(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Response {
    match v.app.store.contact_of(&v.citizen.id, &id).await {
        Ok(Some(_)) => {}
        Ok(None) => return v.not_found(),
        Err(e) => return v.failed(e),
    }
    match send_confirmation(&v, &id).await {
        Ok(Some(done)) => redirect(&format!("/t/{}/contacts?done={done}", v.tenant.id)),
        Ok(None) => redirect(&format!("/t/{}/contacts", v.tenant.id)),
        Err(r) => r,
    }
}

pub(super) async fn contact_remove(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Response {
    match v.app.store.remove_contact(&v.citizen.id, &id).await {
        Ok(true) => redirect(&format!("/t/{}/contacts?done=removed", v.tenant.id)),
        Ok(false) => v.not_found(),
        Err(e) => v.failed(e),
    }
}
