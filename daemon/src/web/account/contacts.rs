//! Contacts: the list, adding one (which sends its confirmation), sending it again and
//! removing one.

use super::*;

pub(super) async fn contacts_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Answer {
    contacts_view(&v, q.done.as_deref(), Refused::default()).await
}

/// The contacts page, with a refused form as it was typed.
pub(super) async fn contacts_view(v: &Visit, done: Option<&str>, refused: Refused) -> Answer {
    let citizens = &v.app.citizens;
    let mut contacts = Vec::new();
    for c in v.db(citizens.contacts(&v.citizen.id)).await? {
        contacts.push(ContactView {
            code_sent: v.db(citizens.code_sent(&c.id)).await?,
            address: c.address,
            verified: c.verified,
            undeliverable: c.undeliverable,
            id: c.id,
            channel: c.channel,
        });
    }
    let (status, errors, form) = refused.parts();
    let body = Contacts { contacts, form };
    Ok(v.page(&CONTACTS, status, done, errors, body))
}

pub(super) async fn contact_add(Posted(v, form): Posted<true>) -> Answer {
    let email = form.get("email").unwrap_or("").trim().to_string();
    let phone: String = form
        .get("phone")
        .unwrap_or("")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let mut errors = Fields::new();
    let email_ok = (!email.is_empty())
        .then(|| {
            (email.len() <= 254)
                .then(|| email.parse::<lettre::Address>().ok())
                .flatten()
        })
        .flatten();
    if !email.is_empty() && email_ok.is_none() {
        errors.insert("email", v.t("error-email"));
    }
    if !phone.is_empty() && (phone.len() > 16 || crate::notify::sms::check_phone(&phone).is_err()) {
        errors.insert("phone", v.t("error-phone"));
    }
    if email.is_empty() && phone.is_empty() {
        errors.insert("email", v.t("error-contact-empty"));
    }
    let held = v.db(v.app.citizens.contacts(&v.citizen.id)).await?;
    if held.len() >= crate::citizens::CONTACTS_MAX {
        errors.insert("email", v.t("error-contacts-limit"));
    }
    if !errors.is_empty() {
        let form = Fields::from([
            ("email", email.chars().take(254).collect()),
            ("phone", phone.chars().take(16).collect()),
        ]);
        return contacts_view(&v, None, Refused { form, errors }).await;
    }
    let mut added = Vec::new();
    if let Some(address) = email_ok {
        let address = address.to_string();
        let id = v.app.citizens.add_contact(&v.citizen.id, "email", &address);
        added.push(v.db(id).await?);
    }
    if !phone.is_empty() {
        let id = v.app.citizens.add_contact(&v.citizen.id, "sms", &phone);
        added.push(v.db(id).await?);
    }
    // Each new contact gets its confirmation at once.
    let mut done = "contact-added";
    for id in &added {
        if let Some(d) = send_confirmation(&v, id).await? {
            done = d;
        }
    }
    Ok(v.redirect_to(&format!("contacts?done={done}")))
}

pub(super) async fn contact_send(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Answer {
    if !v.db(v.app.citizens.has_contact(&v.citizen.id, &id)).await? {
        return Err(v.not_found());
    }
    Ok(match send_confirmation(&v, &id).await? {
        Some(done) => v.redirect_to(&format!("contacts?done={done}")),
        None => v.redirect_to("contacts"),
    })
}

pub(super) async fn contact_remove(
    Path((_, id)): Path<(String, String)>,
    Posted(v, _): Posted<true>,
) -> Answer {
    let removed = v
        .db(v.app.citizens.remove_contact(&v.citizen.id, &id))
        .await?;
    after_removal(&v, removed, "contacts")
}
