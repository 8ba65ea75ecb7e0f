//! XML signatures: checking the enveloped signature of one element against the IdP's
//! configured certificates, signing what hlidac sends (metadata, requests), and the
//! query-string signatures of the HTTP-Redirect binding.
//!
//! Only what SAML needs is accepted: one Reference to the signed element's own `ID`,
//! exactly the enveloped-signature and then the exclusive-c14n transform (an
//! InclusiveNamespaces PrefixList honoured there and on CanonicalizationMethod), SHA-256 or
//! stronger. The key in the signature's KeyInfo is never trusted; only configured
//! certificates are.

use super::xml::{self, NS_DS};
use base64::Engine;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Private, Public};
use openssl::x509::X509;
use roxmltree::{Document, Node};
use std::collections::BTreeMap;

/// Why a signature is refused, or could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DsigError {
    #[error("SHA-1 signature refused ({0})")]
    Sha1Signature(String),
    #[error("signature algorithm not accepted: {0}")]
    SignatureAlgorithm(String),
    #[error("SHA-1 digest refused ({0})")]
    Sha1Digest(String),
    #[error("digest algorithm not accepted: {0}")]
    DigestAlgorithm(String),
    #[error("bad base64 in the signature")]
    Base64,
    #[error("<{element}> has no {attribute}")]
    NoAttribute { element: String, attribute: String },
    #[error("<{element}> has no <{child}>")]
    NoChild { element: String, child: String },
    #[error("<{0}> carries two signatures")]
    TwoSignatures(String),
    #[error("the {0} is not signed")]
    NotSigned(String),
    #[error("canonicalization not accepted: {0}")]
    Canonicalization(String),
    #[error("the signature has no Reference")]
    NoReference,
    #[error("the signature has more than one Reference")]
    SeveralReferences,
    #[error("the signature refers to {uri:?}, not to the {element} that carries it")]
    ElsewhereReference { uri: String, element: String },
    #[error("the signature's transforms are not enveloped-signature, then exclusive c14n")]
    Transforms,
    #[error("transform not accepted: {0}")]
    Transform(String),
    #[error("the digest of the {0} does not match: it was changed after signing")]
    DigestMismatch(String),
    #[error(
        "the {0}'s signature does not verify with the IdP's certificate (unknown key or forged)"
    )]
    Forged(String),
    #[error(
        "unexpected content in a canonicalization method, or a PrefixList of over {MAX_PREFIXES} prefixes"
    )]
    PrefixList,
    #[error("malformed ECDSA signature")]
    Ecdsa,
    /// OpenSSL failed (a key, a hash): its words.
    #[error("{0}")]
    Crypto(String),
    #[error("no element to sign")]
    NothingToSign,
    #[error("nowhere to put the signature")]
    NoPlaceholder,
    #[error("the parameter {0} is given twice")]
    RepeatedParameter(String),
    #[error("both SAMLRequest and SAMLResponse")]
    BothMessages,
    #[error("no SAML message")]
    NoMessage,
    #[error("the message is not signed")]
    UnsignedMessage,
    #[error("the message's signature does not verify with the IdP's certificate")]
    ForgedMessage,
    #[error("not a PEM certificate: {0}")]
    NotPem(String),
    #[error("no certificate in the file")]
    NoCertificate,
    #[error("not a certificate: {0}")]
    NotCertificate(String),
    #[error(transparent)]
    Xml(#[from] xml::XmlError),
}

impl From<openssl::error::ErrorStack> for DsigError {
    fn from(e: openssl::error::ErrorStack) -> DsigError {
        DsigError::Crypto(e.to_string())
    }
}

/// For the callers that still report in words.
impl From<DsigError> for String {
    fn from(e: DsigError) -> String {
        e.to_string()
    }
}

const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

/// A signature or digest algorithm by URI: None for anything not accepted.
fn signature_alg(uri: &str) -> Result<(MessageDigest, bool), DsigError> {
    Ok(match uri {
        RSA_SHA256 => (MessageDigest::sha256(), false),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384" => (MessageDigest::sha384(), false),
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512" => (MessageDigest::sha512(), false),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256" => (MessageDigest::sha256(), true),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384" => (MessageDigest::sha384(), true),
        "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512" => (MessageDigest::sha512(), true),
        u if u.contains("sha1") => return Err(DsigError::Sha1Signature(u.into())),
        u => return Err(DsigError::SignatureAlgorithm(u.into())),
    })
}

fn digest_alg(uri: &str) -> Result<MessageDigest, DsigError> {
    Ok(match uri {
        SHA256 => MessageDigest::sha256(),
        "http://www.w3.org/2001/04/xmldsig-more#sha384" => MessageDigest::sha384(),
        "http://www.w3.org/2001/04/xmlenc#sha512" => MessageDigest::sha512(),
        u if u.contains("sha1") => return Err(DsigError::Sha1Digest(u.into())),
        u => return Err(DsigError::DigestAlgorithm(u.into())),
    })
}

fn b64(text: &str) -> Result<Vec<u8>, DsigError> {
    xml::base64_content(text).ok_or(DsigError::Base64)
}

fn attr<'a>(node: Node<'a, '_>, name: &str) -> Result<&'a str, DsigError> {
    node.attribute(name).ok_or_else(|| DsigError::NoAttribute {
        element: node.tag_name().name().into(),
        attribute: name.into(),
    })
}

fn need<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> Result<Node<'a, 'i>, DsigError> {
    xml::child(node, ns, name).ok_or_else(|| DsigError::NoChild {
        element: node.tag_name().name().into(),
        child: name.into(),
    })
}

/// The signature that is a direct child of `element`, if any; more than one is refused.
pub fn signature_of<'a, 'i>(element: Node<'a, 'i>) -> Result<Option<Node<'a, 'i>>, DsigError> {
    let mut sigs = xml::children(element, NS_DS, "Signature");
    let first = sigs.next();
    if sigs.next().is_some() {
        return Err(DsigError::TwoSignatures(element.tag_name().name().into()));
    }
    Ok(first)
}

/// Checks that `element` carries an enveloped signature over itself, made by one of
/// `certs`. The element's ID must be unique in the document, so the reference cannot
/// point anywhere else.
pub fn verify_element(doc: &Document, element: Node, certs: &[X509]) -> Result<(), DsigError> {
    let name = element.tag_name().name();
    let sig = signature_of(element)?.ok_or_else(|| DsigError::NotSigned(name.into()))?;
    let id = xml::unique_id(doc, element)?;
    let signed_info = need(sig, NS_DS, "SignedInfo")?;
    let c14n_method = need(signed_info, NS_DS, "CanonicalizationMethod")?;
    let c14n = attr(c14n_method, "Algorithm")?;
    if c14n != xml::EXC_C14N {
        return Err(DsigError::Canonicalization(c14n.into()));
    }
    let (md, ecdsa) = signature_alg(attr(
        need(signed_info, NS_DS, "SignatureMethod")?,
        "Algorithm",
    )?)?;
    let mut refs = xml::children(signed_info, NS_DS, "Reference");
    let reference = refs.next().ok_or(DsigError::NoReference)?;
    if refs.next().is_some() {
        return Err(DsigError::SeveralReferences);
    }
    let uri = attr(reference, "URI")?;
    if uri.strip_prefix('#') != Some(id) {
        return Err(DsigError::ElsewhereReference {
            uri: uri.into(),
            element: name.into(),
        });
    }
    // Exactly enveloped-signature, then exclusive c14n (SAML core 5.4.4): with either
    // missing, or in another order, a verifier digests other octets (inclusive c14n, or the
    // signature itself) than the ones computed here.
    let transforms: Vec<Node> = xml::child(reference, NS_DS, "Transforms")
        .map(|t| xml::children(t, NS_DS, "Transform").collect())
        .unwrap_or_default();
    let [enveloped, exclusive] = transforms[..] else {
        return Err(DsigError::Transforms);
    };
    for (t, want) in [(enveloped, ENVELOPED), (exclusive, xml::EXC_C14N)] {
        let alg = attr(t, "Algorithm")?;
        if alg != want {
            return Err(DsigError::Transform(alg.into()));
        }
    }
    let inclusive = prefix_list(exclusive)?;
    let digest_md = digest_alg(attr(need(reference, NS_DS, "DigestMethod")?, "Algorithm")?)?;
    let expected = b64(xml::strict_text(need(reference, NS_DS, "DigestValue")?)?)?;
    let canonical = xml::exc_c14n(doc, element, Some(sig.id()), &inclusive);
    let actual = openssl::hash::hash(digest_md, &canonical)?;
    if !crate::crypto::same(&actual, &expected) {
        return Err(DsigError::DigestMismatch(name.into()));
    }
    let signed_bytes = xml::exc_c14n(doc, signed_info, None, &prefix_list(c14n_method)?);
    let value = b64(xml::strict_text(need(sig, NS_DS, "SignatureValue")?)?)?;
    let value = if ecdsa { ecdsa_to_der(&value)? } else { value };
    for cert in certs {
        let key = cert.public_key()?;
        if verify_bytes(&key, md, &signed_bytes, &value) {
            return Ok(());
        }
    }
    Err(DsigError::Forged(name.into()))
}

/// The most prefixes a PrefixList may name: each is looked up at every element
/// canonicalized, before the signature is known to be good. IdPs name a handful.
pub const MAX_PREFIXES: usize = 32;

/// The PrefixList of an exclusive c14n transform or CanonicalizationMethod: its one
/// permitted child, `InclusiveNamespaces` in the exclusive c14n namespace. Each prefix
/// once, in the order first named.
fn prefix_list(method: Node) -> Result<Vec<String>, DsigError> {
    let children: Vec<Node> = method.children().filter(|c| c.is_element()).collect();
    let [list] = children[..] else {
        return match children[..] {
            [] => Ok(Vec::new()),
            _ => Err(DsigError::PrefixList),
        };
    };
    if !xml::is(list, xml::EXC_C14N, "InclusiveNamespaces") {
        return Err(DsigError::PrefixList);
    }
    let mut prefixes: Vec<String> = Vec::new();
    for p in list
        .attribute("PrefixList")
        .unwrap_or("")
        .split_whitespace()
    {
        if prefixes.iter().any(|q| q == p) {
            continue;
        }
        if prefixes.len() == MAX_PREFIXES {
            return Err(DsigError::PrefixList);
        }
        prefixes.push(p.to_string());
    }
    Ok(prefixes)
}

fn verify_bytes(key: &PKey<Public>, md: MessageDigest, data: &[u8], sig: &[u8]) -> bool {
    openssl::sign::Verifier::new(md, key)
        .and_then(|mut v| {
            v.update(data)?;
            v.verify(sig)
        })
        .unwrap_or(false)
}

/// XML-DSig ECDSA values are r‖s; OpenSSL wants DER.
fn ecdsa_to_der(raw: &[u8]) -> Result<Vec<u8>, DsigError> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return Err(DsigError::Ecdsa);
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    let bn = openssl::bn::BigNum::from_slice;
    Ok(openssl::ecdsa::EcdsaSig::from_private_components(bn(r)?, bn(s)?)?.to_der()?)
}

/// Signs the element with `ID = id` in `xml`, putting the signature where the document has
/// the placeholder comment `<!--signature-->` (inside that element, where the schema
/// wants it). Comments are not canonicalised, so the placeholder does not change the digest.
pub fn sign_enveloped(
    text: &str,
    id: &str,
    key: &PKey<Private>,
    cert: &X509,
) -> Result<String, DsigError> {
    sign_enveloped_with(text, id, key, cert, "<!--signature-->", SignWith::RsaSha256)
}

/// Algorithms hlidac signs with; SHA-1 exists only so that tests can show it refused.
#[derive(Clone, Copy, Debug)]
pub enum SignWith {
    RsaSha256,
    RsaSha1,
}

/// [`sign_enveloped`] with the placeholder and algorithm chosen.
pub fn sign_enveloped_with(
    text: &str,
    id: &str,
    key: &PKey<Private>,
    cert: &X509,
    placeholder: &str,
    with: SignWith,
) -> Result<String, DsigError> {
    let (sig_uri, digest_uri, md) = match with {
        SignWith::RsaSha256 => (RSA_SHA256, SHA256, MessageDigest::sha256()),
        SignWith::RsaSha1 => (
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1",
            "http://www.w3.org/2000/09/xmldsig#sha1",
            MessageDigest::sha1(),
        ),
    };
    let doc = xml::parse(text)?;
    let element = doc
        .descendants()
        .find(|n| n.attribute("ID") == Some(id))
        .ok_or(DsigError::NothingToSign)?;
    let canonical = xml::exc_c14n(&doc, element, None, &[]);
    let digest = openssl::hash::hash(md, &canonical)?;
    let b64e = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    let signed_info = format!(
        "<ds:SignedInfo xmlns:ds=\"{NS_DS}\"><ds:CanonicalizationMethod Algorithm=\"{c}\"></ds:CanonicalizationMethod>\
         <ds:SignatureMethod Algorithm=\"{sig_uri}\"></ds:SignatureMethod><ds:Reference URI=\"#{id}\"><ds:Transforms>\
         <ds:Transform Algorithm=\"{ENVELOPED}\"></ds:Transform><ds:Transform Algorithm=\"{c}\"></ds:Transform></ds:Transforms>\
         <ds:DigestMethod Algorithm=\"{digest_uri}\"></ds:DigestMethod><ds:DigestValue>{d}</ds:DigestValue></ds:Reference></ds:SignedInfo>",
        c = xml::EXC_C14N,
        d = b64e(&digest),
    );
    let si_doc = xml::parse(&signed_info)?;
    let si_c14n = xml::exc_c14n(&si_doc, si_doc.root_element(), None, &[]);
    let mut signer = openssl::sign::Signer::new(md, key)?;
    signer.update(&si_c14n)?;
    let value = signer.sign_to_vec()?;
    let cert_der = cert.to_der()?;
    let signature = format!(
        "<ds:Signature xmlns:ds=\"{NS_DS}\">{si}<ds:SignatureValue>{v}</ds:SignatureValue>\
         <ds:KeyInfo><ds:X509Data><ds:X509Certificate>{c}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></ds:Signature>",
        si = String::from_utf8_lossy(&si_c14n),
        v = b64e(&value),
        c = b64e(&cert_der),
    );
    if !text.contains(placeholder) {
        return Err(DsigError::NoPlaceholder);
    }
    Ok(text.replacen(placeholder, &signature, 1))
}

/// RSA (PKCS#1 v1.5) or ECDSA over SHA-256, as the key is.
pub fn sign_bytes(key: &PKey<Private>, data: &[u8]) -> Result<Vec<u8>, DsigError> {
    let mut signer = openssl::sign::Signer::new(MessageDigest::sha256(), key)?;
    signer.update(data)?;
    Ok(signer.sign_to_vec()?)
}

/// A message that came over the HTTP-Redirect binding, split from the raw query. Each
/// parameter may occur once; the message is decoded from exactly the octets the
/// signature covers.
pub struct RedirectMessage {
    /// `SAMLRequest` or `SAMLResponse`.
    pub field: &'static str,
    /// The parameter's value, URL-decoded (still base64 of DEFLATE).
    pub message: String,
    pub relay_state: Option<String>,
    /// `SAMLRequest=…&RelayState=…&SigAlg=…` as received.
    signed: String,
    sig_alg: Option<String>,
    signature: Option<String>,
}

fn url_decode(v: &str) -> String {
    url::form_urlencoded::parse(format!("a={v}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl RedirectMessage {
    pub fn parse(raw_query: &str) -> Result<RedirectMessage, DsigError> {
        let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
        for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let known = [
                "SAMLRequest",
                "SAMLResponse",
                "RelayState",
                "SigAlg",
                "Signature",
            ];
            if let Some(k) = known.iter().find(|n| **n == k) {
                if seen.insert(k, v).is_some() {
                    return Err(DsigError::RepeatedParameter(k.to_string()));
                }
            }
        }
        let field = match (seen.get("SAMLRequest"), seen.get("SAMLResponse")) {
            (Some(_), None) => "SAMLRequest",
            (None, Some(_)) => "SAMLResponse",
            (Some(_), Some(_)) => return Err(DsigError::BothMessages),
            (None, None) => return Err(DsigError::NoMessage),
        };
        let mut signed = format!("{field}={}", seen[field]);
        if let Some(r) = seen.get("RelayState") {
            signed.push_str(&format!("&RelayState={r}"));
        }
        if let Some(a) = seen.get("SigAlg") {
            signed.push_str(&format!("&SigAlg={a}"));
        }
        Ok(RedirectMessage {
            field,
            message: url_decode(seen[field]),
            relay_state: seen.get("RelayState").map(|r| url_decode(r)),
            signed,
            sig_alg: seen.get("SigAlg").map(|a| url_decode(a)),
            signature: seen.get("Signature").map(|s| url_decode(s)),
        })
    }

    /// The query signature by one of `certs`.
    pub fn verify(&self, certs: &[X509]) -> Result<(), DsigError> {
        let sig_alg = self.sig_alg.as_deref().ok_or(DsigError::UnsignedMessage)?;
        let signature = self
            .signature
            .as_deref()
            .ok_or(DsigError::UnsignedMessage)?;
        // The Redirect binding carries DER for ECDSA already (it is not XML-DSig).
        let (md, _ecdsa) = signature_alg(sig_alg)?;
        let value = b64(signature)?;
        for cert in certs {
            let key = cert.public_key()?;
            if verify_bytes(&key, md, self.signed.as_bytes(), &value) {
                return Ok(());
            }
        }
        Err(DsigError::ForgedMessage)
    }
}

pub fn load_certs(pem: &[u8]) -> Result<Vec<X509>, DsigError> {
    let certs = X509::stack_from_pem(pem).map_err(|e| DsigError::NotPem(e.to_string()))?;
    if certs.is_empty() {
        return Err(DsigError::NoCertificate);
    }
    Ok(certs)
}

/// A certificate from the base64 DER of metadata's `X509Certificate`.
pub fn cert_from_b64(text: &str) -> Result<X509, DsigError> {
    X509::from_der(&b64(text)?).map_err(|e| DsigError::NotCertificate(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(list: &str) -> Result<Vec<String>, DsigError> {
        let text = format!(
            "<t xmlns:ec=\"{}\"><ec:InclusiveNamespaces PrefixList=\"{list}\"/></t>",
            xml::EXC_C14N
        );
        let doc = roxmltree::Document::parse(&text).expect("xml");
        prefix_list(doc.root_element())
    }

    #[test]
    fn a_prefix_list_names_each_prefix_once_and_at_most_the_limit() {
        assert_eq!(
            listed(" a b  a #default b ").expect("list"),
            ["a", "b", "#default"]
        );
        let most: Vec<String> = (0..MAX_PREFIXES).map(|i| format!("p{i}")).collect();
        assert_eq!(listed(&most.join(" ")).expect("at the limit"), most);
        // Repeats do not count against the limit; one more distinct prefix does.
        let repeated = format!("{} {}", most.join(" "), most.join(" "));
        assert_eq!(listed(&repeated).expect("repeats"), most);
        let over = format!("{} extra", most.join(" "));
        assert!(matches!(listed(&over), Err(DsigError::PrefixList)));
        assert!(matches!(listed(&"a b ".repeat(4000)), Ok(l) if l.len() == 2));
    }
}
