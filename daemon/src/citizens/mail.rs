//! E-mails to a citizen outside the alert queue, which the citizen waits for on the page:
//! a contact's confirmation link and the welcome after consent.

use super::Citizens;
use crate::config::TenantConfig;
use crate::i18n;

impl Citizens {
    /// The welcome e-mail, to the citizen's first confirmed address (none: nothing). A
    /// failure to send is logged and changes nothing: the consent stands.
    pub async fn welcome(&self, tenant: &TenantConfig, citizen_id: &str, lang: &str) {
        let contacts = self.contacts(citizen_id).await.unwrap_or_default();
        let Some(address) = contacts
            .into_iter()
            .filter(|k| k.channel == "email" && k.verified && !k.suppressed)
            .map(|k| k.address)
            .find(|a| !a.is_empty())
        else {
            return;
        };
        let name = [("tenant", i18n::Arg::from(tenant.name.as_str()))];
        let body = format!(
            "{}\n\n{}\n\n{}\n{}#calendar\n\n{}",
            i18n::t(lang, "alert-hello", &[]),
            i18n::t(lang, "welcome-body", &name),
            i18n::t(lang, "welcome-calendar", &[]),
            self.overview_url(tenant),
            self.mail_footer(tenant, lang),
        );
        let subject = i18n::t(lang, "welcome-subject", &name);
        if let Err(e) = self.send_email(tenant, &address, &subject, &body).await {
            tracing::warn!(error = %e, "the welcome e-mail was not sent");
        }
    }

    /// The end of an e-mail that is not an alert (a confirmation, the welcome), like an
    /// alert's: whom to contact at the municipality and the link to the overview.
    pub(super) fn mail_footer(&self, tenant: &TenantConfig, lang: &str) -> String {
        format!(
            "--\n{}\n{}: {}\n",
            i18n::t(
                lang,
                "alert-footer-contact",
                &[("contact", tenant.contact_line().into())]
            ),
            i18n::t(lang, "alert-footer-overview", &[]),
            self.overview_url(tenant),
        )
    }

    /// The citizen's overview in a municipality, as a link in an e-mail.
    fn overview_url(&self, tenant: &TenantConfig) -> String {
        format!("{}/t/{}/me", self.config.web.public_url(), tenant.id)
    }

    /// Sends one e-mail from the municipality (DKIM-signed when it signs).
    pub(super) async fn send_email(
        &self,
        tenant: &TenantConfig,
        to: &str,
        subject: &str,
        body: &str,
    ) -> Result<(), String> {
        use lettre::message::Mailbox;
        let from = crate::notify::sender(tenant)?;
        let to: Mailbox = to.parse().map_err(|_| "bad recipient address")?;
        let mut message = lettre::Message::builder()
            .from(from)
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body.to_string())
            .map_err(|e| e.to_string())?;
        if let Some(dkim) = self.dispatch.dkim(&tenant.id) {
            message.sign(dkim);
        }
        self.dispatch
            .mailer
            .send(&message, &crate::store::new_id())
            .await
            .map_err(|e| e.to_string())
    }
}
