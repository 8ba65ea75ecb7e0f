//! Single logout over HTTP-Redirect: hlidac's signed LogoutRequest for an IdP session,
//! the IdP's answer to it, a LogoutRequest the IdP sends (the citizen logged out there),
//! and hlidac's signed LogoutResponse to that.
//!
//! What comes in: a query string from the browser, untrusted: split once, inflated within
//! the message size limit, its query signature verified with the issuing IdP's
//! certificates before anything in the message is used.

use super::*;

impl Sp {
    /// A signed LogoutRequest for the IdP's session, over HTTP-Redirect.
    pub fn logout_request(
        &self,
        idp: &SamlIdp,
        name_id: &str,
        name_id_format: Option<&str>,
        session_index: Option<&str>,
        relay_state: &str,
        now_ms: i64,
    ) -> Result<(String, String), SpError> {
        let slo_url = idp.slo_url.as_deref().ok_or(SpError::NoSingleLogout)?;
        let id = new_request_id();
        let format = name_id_format
            .map(|f| format!(" Format=\"{}\"", xml::esc(f)))
            .unwrap_or_default();
        let index = session_index
            .map(|s| format!("<samlp:SessionIndex>{}</samlp:SessionIndex>", xml::esc(s)))
            .unwrap_or_default();
        let text = format!(
            "<samlp:LogoutRequest xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{id}\" Version=\"2.0\" \
             IssueInstant=\"{now}\" Destination=\"{dest}\"><saml:Issuer>{issuer}</saml:Issuer>\
             <saml:NameID{format} NameQualifier=\"{idp_entity}\" SPNameQualifier=\"{issuer}\">{name_id}</saml:NameID>{index}</samlp:LogoutRequest>",
            now = instant(now_ms),
            dest = xml::esc(slo_url),
            issuer = xml::esc(&self.entity_id),
            idp_entity = xml::esc(&idp.config.entity_id),
            name_id = xml::esc(name_id),
        );
        match self.redirect(slo_url, "SAMLRequest", &text, relay_state)? {
            Outgoing::Redirect(url) => Ok((id, url)),
            Outgoing::Post { .. } => Err(SpError::NotRedirect),
        }
    }

    /// HTTP-Redirect binding: DEFLATE, base64, URL-encode, then sign the query string.
    /// A message the IdP sent over HTTP-Redirect: split once, the issuer found, the query
    /// signature verified with that IdP's certificates. Returns the message's XML, the
    /// IdP and the RelayState.
    fn receive_redirect<'a>(
        &self,
        idps: &'a [SamlIdp],
        raw_query: &str,
        field: &str,
    ) -> Result<(String, &'a SamlIdp, Option<String>), Refused> {
        let m = dsig::RedirectMessage::parse(raw_query)?;
        if m.field != field {
            return Err(Refused(format!("expected a {field}")));
        }
        let text = inflate(&m.message)?;
        let issuer = {
            let doc = xml::parse(&text)?;
            issuer_of(doc.root_element())?.unwrap_or("").to_string()
        };
        let idp = idp_of(idps, &issuer, "the message")?;
        m.verify(&idp.certs)?;
        Ok((text, idp, m.relay_state))
    }

    /// Checks the IdP's LogoutResponse that came over HTTP-Redirect: the query signature
    /// by the IdP, the Destination and the status. Returns (InResponseTo, IdP id).
    pub fn check_logout_response(
        &self,
        idps: &[SamlIdp],
        raw_query: &str,
    ) -> Result<(String, String), Refused> {
        let (text, idp, _) = self.receive_redirect(idps, raw_query, "SAMLResponse")?;
        let doc = xml::parse(&text)?;
        let root = doc.root_element();
        if !xml::is(root, NS_SAMLP, "LogoutResponse") {
            return Err("the message is not a LogoutResponse".into());
        }
        if let Some(d) = root.attribute("Destination") {
            if d != self.slo_url {
                return Err(Refused(format!("wrong Destination {d:?}")));
            }
        }
        let status = status_of(root);
        if status != SUCCESS {
            return Err(Refused(format!(
                "the identity provider did not log out ({status})"
            )));
        }
        let irt = root.attribute("InResponseTo").unwrap_or("").to_string();
        Ok((irt, idp.config.id.clone()))
    }

    /// Checks a LogoutRequest the IdP sent over HTTP-Redirect (the citizen logged out
    /// there, or at another service of the same IdP).
    pub fn check_logout_request(
        &self,
        idps: &[SamlIdp],
        raw_query: &str,
        now_ms: i64,
    ) -> Result<IdpLogout, Refused> {
        let (text, idp, relay_state) = self.receive_redirect(idps, raw_query, "SAMLRequest")?;
        let doc = xml::parse(&text)?;
        let root = message_root(&doc, "LogoutRequest", "LogoutRequest")?;
        let id = root
            .attribute("ID")
            .filter(|i| !i.is_empty() && i.len() <= 256)
            .ok_or("the LogoutRequest has no ID")?;
        match root.attribute("Destination") {
            Some(d) if d == self.slo_url => {}
            Some(d) => return Err(Refused(format!("wrong Destination {d:?}"))),
            None => return Err("the LogoutRequest has no Destination".into()),
        }
        let issued = parse_instant(
            root.attribute("IssueInstant")
                .ok_or("the LogoutRequest has no IssueInstant")?,
        )?;
        if issued > now_ms + self.skew_ms {
            return Err("the LogoutRequest is issued in the future".into());
        }
        let fresh_until = issued + LOGOUT_REQUEST_LIFETIME_MS + self.skew_ms;
        if now_ms >= fresh_until {
            return Err("the LogoutRequest is stale".into());
        }
        if let Some(n) = root.attribute("NotOnOrAfter") {
            if now_ms >= parse_instant(n)? + self.skew_ms {
                return Err("the LogoutRequest has expired".into());
            }
        }
        if xml::child(root, NS_SAML, "EncryptedID").is_some() {
            return Err("an encrypted NameID in a LogoutRequest is not supported".into());
        }
        let name_id = xml::child(root, NS_SAML, "NameID")
            .ok_or("the LogoutRequest has no NameID")
            .and_then(|n| xml::strict_text(n).map_err(|_| "the NameID is not plain text"))?
            .trim()
            .to_string();
        if name_id.is_empty() {
            return Err("the LogoutRequest's NameID is empty".into());
        }
        Ok(IdpLogout {
            id: id.to_string(),
            idp: idp.config.id.clone(),
            name_id,
            relay_state,
            valid_until_ms: fresh_until,
        })
    }

    /// The signed LogoutResponse to an IdP's LogoutRequest: where to send the browser.
    pub fn logout_response(
        &self,
        idp: &SamlIdp,
        in_response_to: &str,
        relay_state: Option<&str>,
        now_ms: i64,
    ) -> Result<String, SpError> {
        let slo_url = idp
            .slo_response_url
            .as_deref()
            .or(idp.slo_url.as_deref())
            .ok_or(SpError::NoSingleLogout)?;
        let text = format!(
            "<samlp:LogoutResponse xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{id}\" Version=\"2.0\" \
             IssueInstant=\"{now}\" Destination=\"{dest}\" InResponseTo=\"{irt}\"><saml:Issuer>{issuer}</saml:Issuer>\
             <samlp:Status><samlp:StatusCode Value=\"{SUCCESS}\"/></samlp:Status></samlp:LogoutResponse>",
            id = new_request_id(),
            now = instant(now_ms),
            dest = xml::esc(slo_url),
            irt = xml::esc(in_response_to),
            issuer = xml::esc(&self.entity_id),
        );
        match self.redirect(slo_url, "SAMLResponse", &text, relay_state.unwrap_or(""))? {
            Outgoing::Redirect(url) => Ok(url),
            Outgoing::Post { .. } => Err(SpError::NotRedirect),
        }
    }
}

/// How long after its IssueInstant an IdP's LogoutRequest is taken.
const LOGOUT_REQUEST_LIFETIME_MS: i64 = 5 * 60 * 1000;

/// A verified LogoutRequest from an IdP.
#[derive(Debug)]
pub struct IdpLogout {
    pub id: String,
    pub idp: String,
    pub name_id: String,
    pub relay_state: Option<String>,
    /// Until when the request would be taken (the replay cache keeps its id that long).
    pub valid_until_ms: i64,
}

/// Undoes the HTTP-Redirect encoding of a message (size-limited).
fn inflate(b64: &str) -> Result<String, Refused> {
    use std::io::Read;
    let raw = base64::engine::general_purpose::STANDARD
        .decode(b64.trim())
        .map_err(|_| "the message is not base64")?;
    let mut out = String::new();
    flate2::read::DeflateDecoder::new(&raw[..])
        .take(xml::MAX_XML_BYTES as u64 + 1)
        .read_to_string(&mut out)
        .map_err(|_| "the message does not inflate")?;
    if out.len() > xml::MAX_XML_BYTES {
        return Err("the message is too large".into());
    }
    Ok(out)
}
