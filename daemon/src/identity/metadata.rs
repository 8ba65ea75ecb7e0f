//! An identity provider's SAML metadata: its endpoints and signing certificates, read from
//! a file or a URL, checked, and refreshed.
//!
//! Trust: metadata fetched over the network counts only when signed by a configured
//! metadata signing certificate (a federation's or the IdP's own), so whoever can change
//! the bytes on the way cannot swap the IdP's keys. A local file is configuration like any
//! other; its signature is checked too when a metadata signing certificate is configured.
//! Metadata past its `validUntil` is refused.

use super::dsig;
use super::xml::{self, NS_DS, NS_MD, NS_SAMLP};
use hlidac_adapters::capped::{self, BodyError};
use openssl::x509::X509;
use roxmltree::Node;

const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";

/// What hlidac uses from an IdP's metadata.
#[derive(Clone)]
pub struct IdpMetadata {
    pub sso_redirect: Option<String>,
    pub sso_post: Option<String>,
    pub slo_redirect: Option<String>,
    /// Where LogoutResponses go, when not to `slo_redirect`.
    pub slo_response: Option<String>,
    /// Certificates of `KeyDescriptor`s for signing (or without a `use`).
    pub signing_certs: Vec<X509>,
    /// The earliest `validUntil` on the way to the IdP's descriptor.
    pub valid_until_ms: Option<i64>,
}

/// Why an IdP's metadata is refused or could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MetadataError {
    #[error("the document is not SAML metadata")]
    NotMetadata,
    #[error("the metadata's signature: {0}")]
    Signature(dsig::DsigError),
    #[error("the metadata does not describe {0:?}")]
    NoEntity(String),
    #[error("the entity has no SAML 2.0 IDPSSODescriptor")]
    NoIdpDescriptor,
    #[error("the IdP's metadata holds no signing certificate")]
    NoSigningCertificate,
    #[error("validUntil {0:?} is not a time")]
    BadValidUntil(String),
    #[error("the metadata expired at {0}")]
    Expired(String),
    /// The URL is not one hlidac fetches.
    #[error(transparent)]
    Url(#[from] super::oidc::OidcError),
    #[error("cannot fetch the metadata: {0}")]
    Fetch(String),
    #[error("the metadata URL answered {0}")]
    Status(reqwest::StatusCode),
    #[error("the metadata is larger than {0} bytes")]
    TooLarge(usize),
    #[error("the metadata is not UTF-8")]
    NotUtf8,
    #[error(transparent)]
    Xml(#[from] xml::XmlError),
    #[error(transparent)]
    Certificate(#[from] dsig::DsigError),
}

/// For the callers that still report in words.
impl From<MetadataError> for String {
    fn from(e: MetadataError) -> String {
        e.to_string()
    }
}

/// Reads the descriptor of `entity_id` from a metadata document (an `EntityDescriptor`, or
/// an `EntitiesDescriptor` holding it). With `signers`, the document's root must carry a
/// signature by one of them. With `now_ms`, metadata past its `validUntil` is refused
/// (without, the validity is read but not judged: `check-config` does that, so that an
/// expiring file does not stop the daemon).
pub fn read(
    text: &str,
    entity_id: &str,
    signers: &[X509],
    now_ms: Option<i64>,
) -> Result<IdpMetadata, MetadataError> {
    let doc = xml::parse_metadata(text)?;
    let root = doc.root_element();
    if !(xml::is(root, NS_MD, "EntityDescriptor") || xml::is(root, NS_MD, "EntitiesDescriptor")) {
        return Err(MetadataError::NotMetadata);
    }
    if !signers.is_empty() {
        dsig::verify_element(&doc, root, signers).map_err(MetadataError::Signature)?;
    }
    let mut valid_until: Option<i64> = None;
    let entity = find_entity(root, entity_id, now_ms, &mut valid_until)?
        .ok_or_else(|| MetadataError::NoEntity(entity_id.into()))?;
    let idp = xml::children(entity, NS_MD, "IDPSSODescriptor")
        .find(|d| {
            d.attribute("protocolSupportEnumeration")
                .is_some_and(|p| p.split_whitespace().any(|p| p == NS_SAMLP))
        })
        .ok_or(MetadataError::NoIdpDescriptor)?;
    check_valid_until(idp, now_ms, &mut valid_until)?;

    let attribute = |name: &str, binding: &str, attr: &str| {
        xml::children(idp, NS_MD, name)
            .find(|s| s.attribute("Binding") == Some(binding))
            .and_then(|s| s.attribute(attr))
            .map(str::to_string)
    };
    let endpoint = |name: &str, binding: &str| attribute(name, binding, "Location");
    let mut signing_certs = Vec::new();
    for kd in xml::children(idp, NS_MD, "KeyDescriptor") {
        if !matches!(kd.attribute("use"), None | Some("signing")) {
            continue;
        }
        for data in xml::child(kd, NS_DS, "KeyInfo")
            .into_iter()
            .flat_map(|ki| xml::children(ki, NS_DS, "X509Data"))
        {
            for c in xml::children(data, NS_DS, "X509Certificate") {
                signing_certs.push(dsig::cert_from_b64(xml::strict_text(c)?)?);
            }
        }
    }
    if signing_certs.is_empty() {
        return Err(MetadataError::NoSigningCertificate);
    }
    Ok(IdpMetadata {
        sso_redirect: endpoint("SingleSignOnService", REDIRECT),
        sso_post: endpoint("SingleSignOnService", POST),
        slo_redirect: endpoint("SingleLogoutService", REDIRECT),
        slo_response: attribute("SingleLogoutService", REDIRECT, "ResponseLocation"),
        signing_certs,
        valid_until_ms: valid_until,
    })
}

/// The `EntityDescriptor` of `entity_id` at or below `node`, with every `validUntil` on
/// the way checked.
fn find_entity<'a, 'i>(
    node: Node<'a, 'i>,
    entity_id: &str,
    now_ms: Option<i64>,
    valid_until: &mut Option<i64>,
) -> Result<Option<Node<'a, 'i>>, MetadataError> {
    if xml::is(node, NS_MD, "EntityDescriptor") {
        if node.attribute("entityID") != Some(entity_id) {
            return Ok(None);
        }
        check_valid_until(node, now_ms, valid_until)?;
        return Ok(Some(node));
    }
    let mut until = *valid_until;
    check_valid_until(node, now_ms, &mut until)?;
    for c in node.children().filter(|c| c.is_element()) {
        if xml::is(c, NS_MD, "EntityDescriptor") || xml::is(c, NS_MD, "EntitiesDescriptor") {
            let mut inner = until;
            if let Some(found) = find_entity(c, entity_id, now_ms, &mut inner)? {
                *valid_until = inner;
                return Ok(Some(found));
            }
        }
    }
    Ok(None)
}

fn check_valid_until(
    node: Node,
    now_ms: Option<i64>,
    valid_until: &mut Option<i64>,
) -> Result<(), MetadataError> {
    if let Some(v) = node.attribute("validUntil") {
        let until = chrono::DateTime::parse_from_rfc3339(v)
            .map_err(|_| MetadataError::BadValidUntil(v.into()))?
            .timestamp_millis();
        if now_ms.is_some_and(|now| now >= until) {
            return Err(MetadataError::Expired(v.into()));
        }
        *valid_until = Some(valid_until.map_or(until, |u| u.min(until)));
    }
    Ok(())
}

/// The most a metadata document may weigh when fetched.
const MAX_FETCH: usize = xml::MAX_METADATA_BYTES;

/// Fetches metadata over HTTP(S): no redirects followed, size-limited.
pub async fn fetch(http: &reqwest::Client, url: &str) -> Result<String, MetadataError> {
    super::oidc::check_endpoint(url)?;
    let response = http
        .get(url)
        .header("Accept", "application/samlmetadata+xml, application/xml")
        .send()
        .await
        .map_err(|e| MetadataError::Fetch(without_url(&e)))?;
    if !response.status().is_success() {
        return Err(MetadataError::Status(response.status()));
    }
    let body = capped::body(response, MAX_FETCH)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(max) => MetadataError::TooLarge(max),
            BodyError::Broken(e) => MetadataError::Fetch(without_url(&e)),
        })?;
    String::from_utf8(body).map_err(|_| MetadataError::NotUtf8)
}

fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "the URL");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::pkey::PKey;

    fn key_and_cert(cn: &str) -> (PKey<openssl::pkey::Private>, X509) {
        let rsa = openssl::rsa::Rsa::generate(2048).expect("rsa");
        let key = PKey::from_rsa(rsa).expect("key");
        let mut name = openssl::x509::X509NameBuilder::new().expect("name");
        name.append_entry_by_text("CN", cn).expect("cn");
        let name = name.build();
        let mut b = X509::builder().expect("builder");
        b.set_version(2).expect("v3");
        b.set_subject_name(&name).expect("subject");
        b.set_issuer_name(&name).expect("issuer");
        b.set_pubkey(&key).expect("pubkey");
        b.set_not_before(&openssl::asn1::Asn1Time::days_from_now(0).expect("t"))
            .expect("nb");
        b.set_not_after(&openssl::asn1::Asn1Time::days_from_now(30).expect("t"))
            .expect("na");
        b.sign(&key, openssl::hash::MessageDigest::sha256())
            .expect("sign");
        (key, b.build())
    }

    fn b64(cert: &X509) -> String {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(cert.to_der().expect("der"))
    }

    const NOW: i64 = 1_800_000_000_000;

    fn entity(id: &str, idp_cert: &X509, valid_until: &str) -> String {
        format!(
            "<md:EntityDescriptor xmlns:md=\"{NS_MD}\" entityID=\"{id}\"{valid_until}>\
             <md:IDPSSODescriptor protocolSupportEnumeration=\"{NS_SAMLP}\">\
             <md:KeyDescriptor use=\"encryption\"><ds:KeyInfo xmlns:ds=\"{NS_DS}\"><ds:X509Data><ds:X509Certificate>AAAA</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
             <md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"{NS_DS}\"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
             <md:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"https://idp.example/slo\"/>\
             <md:SingleSignOnService Binding=\"{POST}\" Location=\"https://idp.example/sso/post\"/>\
             <md:SingleSignOnService Binding=\"{REDIRECT}\" Location=\"https://idp.example/sso\"/>\
             </md:IDPSSODescriptor></md:EntityDescriptor>",
            b64(idp_cert)
        )
    }

    fn signed(text: &str, id: &str, key: &PKey<openssl::pkey::Private>, cert: &X509) -> String {
        dsig::sign_enveloped(text, id, key, cert).expect("sign")
    }

    #[test]
    fn signed_metadata_gives_endpoints_and_signing_certs() {
        let (_, idp_cert) = key_and_cert("idp");
        let (fed_key, fed_cert) = key_and_cert("federation");
        let inner = entity("https://idp.example", &idp_cert, "");
        let text = inner.replacen(
            "entityID",
            "ID=\"_m1\" validUntil=\"2027-01-20T00:00:00Z\" entityID",
            1,
        );
        let text = text.replacen("\">", "\"><!--signature-->", 1);
        let text = signed(&text, "_m1", &fed_key, &fed_cert);
        let trusted = std::slice::from_ref(&fed_cert);
        let idp = "https://idp.example";
        let m = read(&text, idp, trusted, Some(NOW)).expect("accepted");
        assert_eq!(m.sso_redirect.as_deref(), Some("https://idp.example/sso"));
        assert_eq!(m.sso_post.as_deref(), Some("https://idp.example/sso/post"));
        assert_eq!(m.slo_redirect.as_deref(), Some("https://idp.example/slo"));
        assert_eq!(
            m.signing_certs.len(),
            1,
            "the encryption key is not a signing key"
        );
        assert_eq!(
            m.signing_certs[0].to_der().expect("der"),
            idp_cert.to_der().expect("der")
        );
        assert!(m.valid_until_ms.is_some());

        // A changed byte, another signer, no signature, expiry, another entity: refused.
        let refusal = |text: &str, entity: &str, certs: &[X509], now: i64| {
            let refused = read(text, entity, certs, Some(now)).err();
            refused.expect("refused").to_string()
        };
        let tampered = text.replace("https://idp.example/sso\"", "https://evil.example/sso\"");
        assert!(refusal(&tampered, idp, trusted, NOW).contains("signature"));
        let (_, other) = key_and_cert("other");
        assert!(read(&text, idp, &[other], Some(NOW)).is_err());
        let unsigned = entity(idp, &idp_cert, "");
        assert!(
            refusal(&unsigned, idp, trusted, NOW).contains("signature"),
            "unsigned refused"
        );
        assert!(read(&unsigned, idp, &[], Some(NOW)).is_ok());
        let later = chrono::DateTime::parse_from_rfc3339("2027-01-20T00:00:00Z")
            .expect("t")
            .timestamp_millis();
        assert!(refusal(&text, idp, trusted, later).contains("expired"));
        assert!(refusal(&text, "https://other.example", trusted, NOW).contains("does not describe"));
    }

    #[test]
    fn an_aggregate_yields_the_configured_entity_and_its_strictest_validity() {
        let (_, a) = key_and_cert("a");
        let (_, b) = key_and_cert("b");
        let text = format!(
            "<md:EntitiesDescriptor xmlns:md=\"{NS_MD}\" validUntil=\"2027-06-01T00:00:00Z\">{}{}</md:EntitiesDescriptor>",
            entity("https://a.example", &a, ""),
            entity("https://b.example", &b, " validUntil=\"2027-03-01T00:00:00Z\""),
        );
        let m = read(&text, "https://b.example", &[], Some(NOW)).expect("b");
        assert_eq!(
            m.signing_certs[0].to_der().expect("der"),
            b.to_der().expect("der")
        );
        let march = chrono::DateTime::parse_from_rfc3339("2027-03-01T00:00:00Z")
            .expect("t")
            .timestamp_millis();
        assert_eq!(m.valid_until_ms, Some(march));
        let m = read(&text, "https://a.example", &[], Some(NOW)).expect("a");
        assert!(m.valid_until_ms > Some(march));
        let no_keys = text.replace("use=\"signing\"", "use=\"encryption\"");
        let e = read(&no_keys, "https://a.example", &[], Some(NOW)).err();
        assert!(e
            .expect("refused")
            .to_string()
            .contains("no signing certificate"));
    }
}
