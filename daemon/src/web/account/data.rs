//! The citizen's data: the export (JSON, as a download) and deleting the account (what is
//! forgotten is the citizen service's; the session ends with it).

use super::*;

/// Everything held about the citizen, as JSON, opened for them.
pub(super) async fn export(Visitor(v): Citizen) -> Answer {
    let data = v
        .db(v.app.citizens.export(&v.citizen, &v.profile.name))
        .await?;
    let mut r = serde_json::to_string_pretty(&data)
        .unwrap_or_default()
        .into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"hlidac-export.json\""),
    );
    Ok(r)
}

/// The account page: the data export and the way to delete the account.
pub(super) async fn account_page(Visitor(v): Citizen, Query(q): Query<PageQuery>) -> Response {
    let done = q.done.as_deref();
    v.page(&ACCOUNT, StatusCode::OK, done, Fields::new(), Empty {})
}

pub(super) async fn delete_page(Visitor(v): Citizen) -> Response {
    v.page(&DELETE, StatusCode::OK, None, Fields::new(), Empty {})
}

pub(super) async fn delete_account(Posted(v, form): Posted<false>) -> Answer {
    if form.get("confirm") != Some("yes") {
        let errors = Fields::from([("confirm", v.t("error-confirm"))]);
        return Ok(v.page(&DELETE, StatusCode::BAD_REQUEST, None, errors, Empty {}));
    }
    v.db(v.app.citizens.forget(&v.citizen)).await?;
    end_session(&v).await;
    tracing::info!(tenant = %v.tenant.id, "a citizen deleted their account");
    let mut r = pages::end(
        v.lang,
        "deleted",
        i18n::t(
            v.lang,
            "deleted-text",
            &[("tenant", v.tenant.name.as_str().into())],
        ),
        Some(TenantRef::of(&v.tenant)),
        &[(format!("/t/{}/", v.tenant.id), "to-start")],
    );
    clear_session(&mut r);
    Ok(r)
}

/// Ends the visit's session (its record is gone: the cookie is cleared too).
pub(super) async fn end_session(v: &Visit) {
    v.app.identity.end_session(&v.cookie).await;
}

pub(super) fn clear_session(r: &mut Response) {
    r.headers_mut()
        .append(header::SET_COOKIE, clear_cookie(SESSION_COOKIE, "Lax"));
}
