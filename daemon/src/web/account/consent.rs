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
            v.db(v.app.citizens.agree(&v.citizen.id)).await?;
            (v.app.citizens)
                .welcome(&v.tenant, &v.citizen.id, v.lang)
                .await;
            v.redirect_to("me")
        }
        // Declining forgets this municipality's record only (another's consent stands).
        Some("no") => {
            v.db(v.app.citizens.forget_here(&v.citizen.id)).await?;
            end_session(&v).await;
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
