//! Confirming a contact: the e-mailed link and the SMS code, how often they may be sent
//! and tried, and what a link names.

use super::{CitizenError, Citizens};
use crate::config::TenantConfig;
use crate::i18n;
use crate::store::{CitizenInfo, StoreError};

/// How long a confirmation link holds.
const LINK_VALID_MS: i64 = 24 * 3600 * 1000;
/// How long an SMS code holds, how often it may be tried, how soon another may be sent.
const CODE_VALID_MS: i64 = 10 * 60 * 1000;
const CODE_ATTEMPTS: i64 = 5;
const RESEND_AFTER_MS: i64 = 60 * 1000;
/// Confirmations (links and codes) one citizen may have sent a day: a limit against
/// using the form to flood someone's phone or mailbox.
const SENDS_PER_DAY: i64 = 5;
/// What a contact challenge row holds for an e-mail link (its resend time only).
const LINK_MARK: &str = "link";

/// What asking for a confirmation did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sent {
    /// A link went out by e-mail.
    Link,
    /// A code went out by SMS.
    Code,
    /// One went out less than a minute ago: nothing sent.
    Wait,
    /// The code was tried too often: this contact takes no more (remove it and add it
    /// again, within the day's allowance).
    Locked,
    /// The day's allowance of confirmations is used up.
    SendLimit,
}

impl Sent {
    /// The notice the page shows (`notice-…` in the catalogue).
    pub fn notice(self) -> &'static str {
        match self {
            Sent::Link => "link-sent",
            Sent::Code => "code-sent",
            Sent::Wait => "wait",
            Sent::Locked => "locked",
            Sent::SendLimit => "send-limit",
        }
    }
}

/// A code the citizen typed, checked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CodeCheck {
    /// The contact is confirmed (now, or it was already).
    Confirmed,
    /// Not six digits (not counted as a try).
    Malformed,
    /// Not the code sent.
    Wrong,
    /// No code is waiting, it is too old, or it was tried too often.
    Expired,
}

/// Whose contact a confirmation link names.
pub struct LinkOwner {
    pub contact_id: String,
    pub citizen_id: String,
    /// Confirmed already (a link works once).
    pub verified: bool,
    /// The citizen, for the page's language (None when the record is gone).
    pub citizen: Option<CitizenInfo>,
}

impl Citizens {
    /// Sends a contact of the citizen its confirmation: a signed link by e-mail or a
    /// 6-digit code by SMS, at most once a minute. None when there is nothing to confirm
    /// (not theirs, or confirmed already).
    pub async fn send_confirmation(
        &self,
        tenant: &TenantConfig,
        citizen_id: &str,
        contact_id: &str,
        lang: &str,
    ) -> Result<Option<Sent>, CitizenError> {
        let now = self.now();
        let contact = self.store.contact_of(citizen_id, contact_id).await?;
        let Some(contact) = contact.filter(|c| c.verified_at.is_none()) else {
            return Ok(None);
        };
        match self.store.challenge(contact_id).await? {
            Some(ch) if now - ch.sent_at < RESEND_AFTER_MS => return Ok(Some(Sent::Wait)),
            Some(ch) if ch.attempts >= CODE_ATTEMPTS => return Ok(Some(Sent::Locked)),
            _ => {}
        }
        let today = tenant.today(self.clock.now()).to_string();
        let sends = self.store.count_confirmation_send(citizen_id, &today);
        if sends.await? > SENDS_PER_DAY {
            return Ok(Some(Sent::SendLimit));
        }
        let address = self.opened(&contact.address_enc);
        let args = |extra: Vec<(&'static str, i18n::Arg)>| {
            let mut a = vec![("tenant", i18n::Arg::from(tenant.name.as_str()))];
            a.extend(extra);
            a
        };
        if contact.channel == "email" {
            let expires = now + LINK_VALID_MS;
            let url = format!(
                "{}/verify/{}",
                self.config.web.public_url(),
                self.link_token(contact_id, expires)
            );
            let subject = i18n::t(lang, "verify-email-subject", &args(vec![]));
            let body = format!(
                "{}\n\n{}\n\n{}\n\n{}",
                i18n::t(lang, "alert-hello", &[]),
                i18n::t(lang, "verify-email-body", &args(vec![("url", url.into())])),
                i18n::t(lang, "verify-email-ignore", &[]),
                self.mail_footer(tenant, lang),
            );
            if let Err(e) = self.send_email(tenant, &address, &subject, &body).await {
                tracing::warn!(error = %e, "contact confirmation e-mail not sent");
                return Err(CitizenError::NotSent(e));
            }
            (self.store)
                .set_challenge(contact_id, LINK_MARK, expires, now)
                .await?;
            Ok(Some(Sent::Link))
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
            let Some(sms) = self.dispatch.sms.as_ref() else {
                return Err(CitizenError::NotSent("no SMS provider".into()));
            };
            let (sender, text) = crate::notify::sms::outgoing(&self.config, tenant, text);
            let id = crate::store::new_id();
            if let Err(e) = sms
                .send(&tenant.sms_providers, &id, &sender, &address, &text)
                .await
            {
                tracing::warn!(error = %e, "contact confirmation SMS not sent");
                return Err(CitizenError::NotSent(e.to_string()));
            }
            let hash = self.code_hash(contact_id, &code);
            (self.store)
                .set_challenge(contact_id, &hash, now + CODE_VALID_MS, now)
                .await?;
            Ok(Some(Sent::Code))
        }
    }

    /// Whether a code is waiting for the contact (its field is shown).
    pub async fn code_sent(&self, contact_id: &str) -> Result<bool, StoreError> {
        let challenge = self.store.challenge(contact_id).await?;
        Ok(challenge.is_some_and(|ch| ch.code_hash != LINK_MARK))
    }

    /// Checks a code typed for one of the citizen's contacts and confirms the contact
    /// when it is right; None when the contact is not theirs. Every try counts.
    pub async fn check_code(
        &self,
        citizen_id: &str,
        contact_id: &str,
        code: &str,
    ) -> Result<Option<CodeCheck>, StoreError> {
        let Some(contact) = self.store.contact_of(citizen_id, contact_id).await? else {
            return Ok(None);
        };
        if contact.verified_at.is_some() {
            return Ok(Some(CodeCheck::Confirmed));
        }
        if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
            return Ok(Some(CodeCheck::Malformed));
        }
        let challenge = self.store.challenge(contact_id).await?;
        let now = self.now();
        let Some(ch) = challenge.filter(|c| c.code_hash != LINK_MARK) else {
            return Ok(Some(CodeCheck::Expired));
        };
        if now >= ch.expires_at || ch.attempts >= CODE_ATTEMPTS {
            return Ok(Some(CodeCheck::Expired));
        }
        let attempts = self.store.count_attempt(contact_id).await?;
        let given = self.code_hash(contact_id, code);
        if attempts > CODE_ATTEMPTS
            || !crate::crypto::same(given.as_bytes(), ch.code_hash.as_bytes())
        {
            return Ok(Some(if attempts >= CODE_ATTEMPTS {
                CodeCheck::Expired
            } else {
                CodeCheck::Wrong
            }));
        }
        self.store.verify_contact(contact_id, now).await?;
        Ok(Some(CodeCheck::Confirmed))
    }

    fn code_hash(&self, contact_id: &str, code: &str) -> String {
        self.crypto
            .hash("sms_code", &format!("{contact_id}\0{code}"))
    }

    /// `<contact>.<expires>.<mac>`: a confirmation link that holds until `expires`.
    fn link_token(&self, contact_id: &str, expires: i64) -> String {
        let mac = &self
            .crypto
            .hash("verify_link", &format!("{contact_id}.{expires}"))[..32];
        format!("{contact_id}.{expires}.{mac}")
    }

    /// Whose contact a confirmation link names, when its MAC holds and its time has not
    /// run out; None for any other token.
    pub async fn link_owner(&self, token: &str) -> Result<Option<LinkOwner>, StoreError> {
        let parts: Vec<&str> = token.split('.').collect();
        let valid = match parts.as_slice() {
            [contact, expires, mac] if mac.len() == 32 && contact.len() <= 64 => {
                let expires: i64 = expires.parse().unwrap_or(0);
                let want = self.link_token(contact, expires);
                self.now() < expires && crate::crypto::same(want.as_bytes(), token.as_bytes())
            }
            _ => false,
        };
        if !valid {
            return Ok(None);
        }
        let Some((citizen_id, verified_at)) = self.store.contact_owner(parts[0]).await? else {
            return Ok(None);
        };
        let citizen = self.store.citizen(&citizen_id).await.ok().flatten();
        Ok(Some(LinkOwner {
            contact_id: parts[0].to_string(),
            citizen_id,
            verified: verified_at.is_some(),
            citizen,
        }))
    }

    /// The address of one of the citizen's contacts, opened.
    pub async fn contact_address(
        &self,
        citizen_id: &str,
        contact_id: &str,
    ) -> Result<Option<String>, StoreError> {
        let contact = self.store.contact_of(citizen_id, contact_id).await?;
        Ok(contact.map(|k| self.opened(&k.address_enc)))
    }

    /// Confirms a contact by its link; false when it was confirmed meanwhile.
    pub async fn confirm_by_link(&self, contact_id: &str) -> Result<bool, StoreError> {
        self.store.verify_contact(contact_id, self.now()).await
    }
}
