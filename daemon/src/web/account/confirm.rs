//! Confirming a contact: the e-mailed link and the SMS code, how often they may be sent
//! and tried, and the link's landing page.

use super::*;

/// Sends a contact of the visiting citizen its confirmation: a signed link by e-mail or
/// a 6-digit code by SMS, at most once a minute. Returns the notice to show (None when
/// there is nothing to confirm).
pub(super) async fn send_confirmation(
    v: &Visit,
    contact_id: &str,
) -> Result<Option<&'static str>, PageError> {
    let app = &v.app;
    let now = v.now();
    let contact = app.store.contact_of(&v.citizen.id, contact_id).await;
    let Some(contact) = contact.or_try_later(v)?.filter(|c| c.verified_at.is_none()) else {
        return Ok(None);
    };
    match app.store.challenge(contact_id).await.or_try_later(v)? {
        Some(ch) if now - ch.sent_at < RESEND_AFTER_MS => return Ok(Some("wait")),
        // Tried too often: this contact takes no more codes (remove it and add it again,
        // within the day's allowance of confirmations).
        Some(ch) if ch.attempts >= CODE_ATTEMPTS => return Ok(Some("locked")),
        _ => {}
    }
    let today = app.today(&v.tenant).to_string();
    let sends = app.store.count_confirmation_send(&v.citizen.id, &today);
    if sends.await.or_try_later(v)? > SENDS_PER_DAY {
        return Ok(Some("send-limit"));
    }
    let address = app.crypto.open(&contact.address_enc).unwrap_or_default();
    let tenant = &v.tenant;
    let lang = v.lang;
    let args = |extra: Vec<(&'static str, i18n::Arg)>| {
        let mut a = vec![("tenant", i18n::Arg::from(tenant.name.as_str()))];
        a.extend(extra);
        a
    };
    if contact.channel == "email" {
        let expires = now + LINK_VALID_MS;
        let url = format!(
            "{}/verify/{}",
            app.config.web.public_url(),
            link_token(app, contact_id, expires)
        );
        let subject = i18n::t(lang, "verify-email-subject", &args(vec![]));
        let body = format!(
            "{}\n\n{}\n\n{}\n\n{}",
            i18n::t(lang, "alert-hello", &[]),
            i18n::t(lang, "verify-email-body", &args(vec![("url", url.into())])),
            i18n::t(lang, "verify-email-ignore", &[]),
            mail_footer(app, tenant, lang),
        );
        if let Err(e) = send_email(app, tenant, &address, &subject, &body).await {
            tracing::warn!(error = %e, "contact confirmation e-mail not sent");
            return Err(PageError::TryLater(lang.into()));
        }
        let set = app.store.set_challenge(contact_id, LINK_MARK, expires, now);
        set.await.or_try_later(v)?;
        Ok(Some("link-sent"))
    } else {
        let code = format!(
            "{:06}",
            rand::Rng::gen_range(&mut rand::rngs::OsRng, 0..1_000_000u32)
        );
        let text = i18n::t(
            lang,
            "verify-sms-text",
            &args(vec![("code", code.clone().into())]),
        );
        let Some(sms) = app.dispatch.sms.as_ref() else {
            return Err(PageError::TryLater(lang.into()));
        };
        let (sender, text) = crate::notify::sms::outgoing(&app.config, tenant, text);
        let id = crate::store::new_id();
        if let Err(e) = sms
            .send(&tenant.sms_providers, &id, &sender, &address, &text)
            .await
        {
            tracing::warn!(error = %e, "contact confirmation SMS not sent");
            return Err(PageError::TryLater(lang.into()));
        }
        let hash = code_hash(app, contact_id, &code);
        let set = app
            .store
            .set_challenge(contact_id, &hash, now + CODE_VALID_MS, now);
        set.await.or_try_later(v)?;
        Ok(Some("code-sent"))
    }
}

pub(super) fn code_hash(app: &App, contact_id: &str, code: &str) -> String {
    app.crypto
        .hash("sms_code", &format!("{contact_id}\0{code}"))
}

/// `<contact>.<expires>.<mac>`: a confirmation link that holds until `expires`.
pub(super) fn link_token(app: &App, contact_id: &str, expires: i64) -> String {
    let mac = &app
        .crypto
        .hash("verify_link", &format!("{contact_id}.{expires}"))[..32];
    format!("{contact_id}.{expires}.{mac}")
}

/// Sends one e-mail from the municipality, outside the alert queue (the citizen waits
/// for it on the page).
/// The end of an e-mail that is not an alert (a confirmation, the welcome), like an
/// alert's: whom to contact at the municipality and the link to the overview.
pub(super) fn mail_footer(app: &App, tenant: &TenantConfig, lang: &str) -> String {
    format!(
        "--\n{}\n{}: {}\n",
        i18n::t(
            lang,
            "alert-footer-contact",
            &[("contact", tenant.contact_line().into())]
        ),
        i18n::t(lang, "alert-footer-overview", &[]),
        overview_url(app, tenant),
    )
}

/// The citizen's overview in a municipality, as a link in an e-mail.
pub(super) fn overview_url(app: &App, tenant: &TenantConfig) -> String {
    format!("{}/t/{}/me", app.config.web.public_url(), tenant.id)
}

pub(super) async fn send_email(
    app: &App,
    tenant: &TenantConfig,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    use lettre::message::Mailbox;
    let from = Mailbox::new(
        Some(
            tenant
                .sender
                .name
                .clone()
                .unwrap_or_else(|| tenant.name.clone()),
        ),
        tenant
            .sender
            .email
            .parse()
            .map_err(|_| "bad sender address")?,
    );
    let to: Mailbox = to.parse().map_err(|_| "bad recipient address")?;
    let mut message = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| e.to_string())?;
    if let Some(dkim) = app.dispatch.dkim(&tenant.id) {
        message.sign(dkim);
    }
    app.dispatch
        .mailer
        .send(&message, &crate::store::new_id())
        .await
        .map_err(|e| e.to_string())
}

pub(super) async fn contact_code(
    Path((_, id)): Path<(String, String)>,
    Posted(v, form): Posted<true>,
) -> Answer {
    let code = form.get("code").unwrap_or("").trim().to_string();
    let contact = v.app.store.contact_of(&v.citizen.id, &id).await;
    let contact = contact.or_try_later(&v)?.ok_or_else(|| v.not_found())?;
    let verified = || redirect(&format!("/t/{}/contacts?done=verified", v.tenant.id));
    if contact.verified_at.is_some() {
        return Ok(verified());
    }
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return code_refused(&v, &id, "error-code").await;
    }
    let challenge = v.app.store.challenge(&id).await.or_try_later(&v)?;
    let now = v.now();
    let Some(ch) = challenge.filter(|c| c.code_hash != LINK_MARK) else {
        return code_refused(&v, &id, "error-code-expired").await;
    };
    if now >= ch.expires_at || ch.attempts >= CODE_ATTEMPTS {
        return code_refused(&v, &id, "error-code-expired").await;
    }
    let attempts = v.app.store.count_attempt(&id).await.or_try_later(&v)?;
    let given = code_hash(&v.app, &id, &code);
    if attempts > CODE_ATTEMPTS
        || given.len() != ch.code_hash.len()
        || !openssl::memcmp::eq(given.as_bytes(), ch.code_hash.as_bytes())
    {
        let key = if attempts >= CODE_ATTEMPTS {
            "error-code-expired"
        } else {
            "error-code-wrong"
        };
        return code_refused(&v, &id, key).await;
    }
    v.db(v.app.store.verify_contact(&id, now)).await?;
    Ok(verified())
}

/// The contacts page again, the code's message next to that contact's code field.
pub(super) async fn code_refused(v: &Visit, contact_id: &str, key: &str) -> Answer {
    let errors = Fields::from([("code", v.t(key)), ("code_for", contact_id.to_string())]);
    contacts_view(v, StatusCode::BAD_REQUEST, None, Fields::new(), errors).await
}

/// The link from the confirmation e-mail, without logging in: the page asks to confirm
/// with a button (a mail scanner fetching the link confirms nothing); the button's POST
/// confirms.
pub(super) async fn verify_page(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    verify_link(&current, &token, &headers, false).await
}

pub(super) async fn verify_confirm(
    State(current): State<CurrentApp>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    verify_link(&current, &token, &headers, true).await
}

pub(super) async fn verify_link(
    current: &CurrentApp,
    token: &str,
    headers: &HeaderMap,
    confirm: bool,
) -> Response {
    let app = current.borrow().clone();
    let now = app.clock.now_ms();
    let parts: Vec<&str> = token.split('.').collect();
    let valid = match parts.as_slice() {
        [contact, expires, mac] if mac.len() == 32 && contact.len() <= 64 => {
            let expires: i64 = expires.parse().unwrap_or(0);
            let want = link_token(&app, contact, expires);
            now < expires
                && want.len() == token.len()
                && openssl::memcmp::eq(want.as_bytes(), token.as_bytes())
        }
        _ => false,
    };
    let failed =
        |lang: &str, e: crate::store::StoreError| PageError::try_later(lang, e).into_response();
    let owner = if valid {
        match app.store.contact_owner(parts[0]).await {
            Ok(o) => o,
            Err(e) => return failed(i18n::REFERENCE, e),
        }
    } else {
        None
    };
    let citizen = match &owner {
        Some((citizen, _)) => app.store.citizen(citizen).await.ok().flatten(),
        None => None,
    };
    let lang = pages::language(
        None,
        headers,
        citizen.as_ref().and_then(|c| c.locale.as_deref()),
        citizen
            .as_ref()
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
    let (Some((citizen_id, None)), Some(c)) = (owner, citizen) else {
        return bad();
    };
    let address = match app.store.contact_of(&citizen_id, parts[0]).await {
        Ok(Some(k)) => app.crypto.open(&k.address_enc).unwrap_or_default(),
        Ok(None) => return bad(),
        Err(e) => return failed(lang, e),
    };
    let tenant = app.config.tenant(&c.tenant_id);
    if !confirm {
        let page = VerifyLink {
            title: i18n::t(lang, "verify-confirm", &[]),
            tenant: tenant.map(TenantRef::of),
            address,
            here: format!("/verify/{token}"),
        };
        return pages::respond(StatusCode::OK, "verify.html", lang, page);
    }
    match app.store.verify_contact(parts[0], now).await {
        Ok(true) => {
            tracing::info!("a contact was confirmed by its link");
            let (id, name) = tenant
                .map(|t| (t.id.as_str(), t.name.as_str()))
                .unwrap_or_default();
            pages::end(
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
            )
        }
        Ok(false) => bad(),
        Err(e) => failed(lang, e),
    }
}
