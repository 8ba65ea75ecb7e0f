//! Consent on the first login: what hlidac will do with the citizen's data, and the answer.
//! Agreeing sends a welcome e-mail to the citizen's confirmed address: what will come,
//! the overview, and the offer of a calendar feed.

use super::*;

pub(super) async fn consent_page(Visitor(v): Visitor<false>) -> Response {
    v.page(&CONSENT, StatusCode::OK, None, Fields::new(), Empty {})
}

pub(super) async fn consent_answer(Posted(v, form): Posted<false>) -> Answer {
    Ok(match form.get("answer") {
        Some("yes") => {
            // Agreeing to be told: by e-mail about every topic, until the citizen
            // chooses otherwise (only confirmed contacts ever receive anything).
            let consented = async {
                v.app.store.set_consent(&v.citizen.id, v.now()).await?;
                v.app
                    .store
                    .subscribe_if_none(&v.citizen.id, TOPICS, v.now())
                    .await
            };
            consented.await.or_try_later(&v)?;
            welcome(&v).await;
            redirect(&format!("/t/{}/me", v.tenant.id))
        }
        // Declining forgets this municipality's record only (another's consent stands).
        Some("no") => {
            forget_here(&v).await.or_try_later(&v)?;
            let mut r = pages::message(
                StatusCode::OK,
                v.lang,
                "consent-declined",
                "consent-declined-text",
            );
            clear_session(&mut r);
            r
        }
        _ => pages::message(
            StatusCode::BAD_REQUEST,
            v.lang,
            "form-expired",
            "form-expired-text",
        ),
    })
}

/// The welcome e-mail, to the citizen's first confirmed address (none: nothing). A
/// failure to send is logged and changes nothing: the consent stands.
async fn welcome(v: &Visit) {
    let contacts = v
        .app
        .store
        .contacts_of(&v.citizen.id)
        .await
        .unwrap_or_default();
    let Some(address) = contacts
        .iter()
        .filter(|k| k.channel == "email" && k.verified_at.is_some() && k.suppressed_at.is_none())
        .find_map(|k| v.app.crypto.open(&k.address_enc).ok())
    else {
        return;
    };
    let t = &v.tenant;
    let tenant = [("tenant", i18n::Arg::from(t.name.as_str()))];
    let body = format!(
        "{}\n\n{}\n\n{}\n{}#calendar\n\n{}",
        i18n::t(v.lang, "alert-hello", &[]),
        i18n::t(v.lang, "welcome-body", &tenant),
        i18n::t(v.lang, "welcome-calendar", &[]),
        overview_url(&v.app, t),
        mail_footer(&v.app, t, v.lang),
    );
    let subject = i18n::t(v.lang, "welcome-subject", &tenant);
    if let Err(e) = send_email(&v.app, t, &address, &subject, &body).await {
        tracing::warn!(error = %e, "the welcome e-mail was not sent");
    }
}
