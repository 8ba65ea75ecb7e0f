//! The checks on one assertion, once the Response around it has passed its own: the
//! signature over the assertion (or the Response's), Issuer, Subject and its confirmation
//! (Recipient, InResponseTo, NotOnOrAfter), Conditions and Audience, the authentication
//! context's level, and the attributes, whose values may hold no markup or comment.

use super::*;

pub(super) struct Context<'a> {
    pub(super) sp: &'a Sp,
    pub(super) idp: &'a SamlIdp,
    pub(super) in_response_to: &'a str,
    pub(super) now_ms: i64,
}

impl Context<'_> {
    pub(super) fn assertion(&self, doc: &Document, a: Node) -> Result<Assertion, Refused> {
        let skew = self.sp.skew_ms;
        let now = self.now_ms;
        if a.attribute("Version") != Some("2.0") {
            return Err("the assertion is not SAML 2.0".into());
        }
        dsig::verify_element(doc, a, &self.idp.certs).map_err(|e| match e {
            dsig::DsigError::NotSigned(_) => Refused("the assertion is not signed".into()),
            e => Refused::from(e),
        })?;
        let assertion_id = a.attribute("ID").unwrap_or("").to_string();
        let issuer = issuer_of(a)?;
        if issuer != Some(self.idp.config.entity_id.as_str()) {
            return Err(Refused(format!("the assertion's Issuer is {issuer:?}")));
        }

        let subject = xml::child(a, NS_SAML, "Subject").ok_or("the assertion has no Subject")?;
        let name_id_node =
            xml::child(subject, NS_SAML, "NameID").ok_or("the Subject has no NameID")?;
        let name_id = xml::strict_text(name_id_node)
            .map_err(|e| Refused(format!("NameID refused: {e}")))?
            .trim()
            .to_string();
        if name_id.is_empty() {
            return Err("the NameID is empty".into());
        }
        let mut valid_until = i64::MAX;
        let mut confirmation_error: Option<Refused> = None;
        let mut confirmed = false;
        for sc in xml::children(subject, NS_SAML, "SubjectConfirmation") {
            if sc.attribute("Method") != Some(BEARER) {
                continue;
            }
            let Some(data) = xml::child(sc, NS_SAML, "SubjectConfirmationData") else {
                confirmation_error = Some("bearer confirmation without data".into());
                continue;
            };
            let check = || -> Result<i64, Refused> {
                match data.attribute("Recipient") {
                    Some(r) if r == self.sp.acs_url => {}
                    Some(r) => return Err(Refused(format!("wrong Recipient {r:?}"))),
                    None => return Err("the confirmation has no Recipient".into()),
                }
                match data.attribute("InResponseTo") {
                    Some(irt) if irt == self.in_response_to => {}
                    Some(_) => return Err("the confirmation answers another request".into()),
                    None => return Err("the confirmation has no InResponseTo".into()),
                }
                if data.attribute("NotBefore").is_some() {
                    return Err("a bearer confirmation must not have NotBefore".into());
                }
                let until = parse_instant(
                    data.attribute("NotOnOrAfter")
                        .ok_or("the confirmation has no NotOnOrAfter")?,
                )?;
                if now >= until + skew {
                    return Err("the assertion has expired (SubjectConfirmationData)".into());
                }
                Ok(until)
            };
            match check() {
                Ok(until) => {
                    confirmed = true;
                    valid_until = valid_until.min(until);
                    break;
                }
                Err(e) => confirmation_error = Some(e),
            }
        }
        if !confirmed {
            return Err(
                confirmation_error.unwrap_or_else(|| "no bearer subject confirmation".into())
            );
        }

        let conditions =
            xml::child(a, NS_SAML, "Conditions").ok_or("the assertion has no Conditions")?;
        if let Some(nb) = conditions.attribute("NotBefore") {
            if now + skew < parse_instant(nb)? {
                return Err("the assertion is not yet valid".into());
            }
        }
        let until = parse_instant(
            conditions
                .attribute("NotOnOrAfter")
                .ok_or("the Conditions have no NotOnOrAfter")?,
        )?;
        if now >= until + skew {
            return Err("the assertion has expired".into());
        }
        valid_until = valid_until.min(until);
        let restrictions: Vec<Node> =
            xml::children(conditions, NS_SAML, "AudienceRestriction").collect();
        if restrictions.is_empty() {
            return Err("the assertion names no Audience".into());
        }
        for r in restrictions {
            let mut ok = false;
            for aud in xml::children(r, NS_SAML, "Audience") {
                if xml::strict_text(aud)?.trim() == self.sp.entity_id {
                    ok = true;
                }
            }
            if !ok {
                return Err("wrong Audience: the assertion is meant for another service".into());
            }
        }

        let authn = xml::child(a, NS_SAML, "AuthnStatement")
            .ok_or("the assertion has no AuthnStatement")?;
        let session_index = authn.attribute("SessionIndex").map(str::to_string);
        let class_ref = xml::child(authn, NS_SAML, "AuthnContext")
            .and_then(|c| xml::child(c, NS_SAML, "AuthnContextClassRef"))
            .map(xml::strict_text)
            .transpose()?
            .map(str::trim);
        let loa = class_ref.and_then(loa_of);

        let mut attributes: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for statement in xml::children(a, NS_SAML, "AttributeStatement") {
            for attr in xml::children(statement, NS_SAML, "Attribute") {
                let name = attr.attribute("Name").unwrap_or("").to_string();
                for v in xml::children(attr, NS_SAML, "AttributeValue") {
                    let value = xml::strict_text(v)
                        .map_err(|e| Refused(format!("attribute {name} refused: {e}")))?;
                    attributes
                        .entry(name.clone())
                        .or_default()
                        .push(value.to_string());
                }
            }
        }
        Ok(Assertion {
            idp: self.idp.config.id.clone(),
            assertion_id,
            in_response_to: self.in_response_to.to_string(),
            valid_until_ms: valid_until.saturating_add(skew),
            name_id,
            name_id_format: name_id_node.attribute("Format").map(str::to_string),
            session_index,
            loa,
            attributes,
        })
    }
}
