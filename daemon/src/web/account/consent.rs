//! Consent on the first login: what hlidac will do with the citizen's data, and the answer.

use super::*;

pub(super) async fn consent_page(Visitor(v): Visitor<false>) -> Response {
    let mut ctx = v.base("title-consent", "", None);
    ctx["nav"] = Value::Null;
    v.page(StatusCode::OK, "consent.html", ctx)
}

pub(super) async fn consent_answer(Posted(v, form): Posted<false>) -> Response {
    match form.get("answer") {
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
            match consented.await {
                Ok(()) => redirect(&format!("/t/{}/me", v.tenant.id)),
                Err(e) => v.failed(e),
            }
        }
        // Declining forgets this municipality's record only (another's consent stands).
        Some("no") => match forget_here(&v).await {
            Ok(()) => {
                let mut r = pages::message(
                    StatusCode::OK,
                    v.lang,
                    "consent-declined",
                    "consent-declined-text",
                );
                clear_session(&mut r);
                r
            }
            Err(e) => v.failed(e),
        },
        _ => pages::message(
            StatusCode::BAD_REQUEST,
            v.lang,
            "form-expired",
            "form-expired-text",
        ),
    }
}

// ----- overview ----------------------------------------------------------------------
