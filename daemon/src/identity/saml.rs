//! The SAML 2.0 service provider: signed metadata, signed AuthnRequests (HTTP-Redirect
//! and HTTP-POST) and the checks on a Response posted to the ACS; the checks on the one
//! assertion in it are in [`assertion`], single logout in [`logout`].
//!
//! What comes in: a base64 `SAMLResponse` from the citizen's browser, untrusted. What goes
//! out: an [`Assertion`] only when every check holds; otherwise a reason that names the
//! check, for the log. Nothing from an unverified element is ever read: the assertion used
//! is the one element the verified signature covers, and the document may hold exactly one.

use super::xml::{self, NS_DS, NS_SAML, NS_SAMLP};
use super::{dsig, xenc, SpKeys};
use crate::config::{Loa, Profile, SamlBinding, SamlIdpConfig};
use base64::Engine;
use chrono::{DateTime, SecondsFormat, Utc};
use openssl::x509::X509;
use roxmltree::{Document, Node};
use std::collections::BTreeMap;
use std::io::Write;

/// The root of a SAML 2.0 protocol message that must be a `samlp:{element}` (`called`
/// names it in the refusal).
fn message_root<'a, 'i>(
    doc: &'a Document<'i>,
    element: &str,
    called: &str,
) -> Result<Node<'a, 'i>, Refused> {
    let root = doc.root_element();
    if !xml::is(root, NS_SAMLP, element) {
        return Err(format!("the message is not a {called}").into());
    }
    if root.attribute("Version") != Some("2.0") {
        return Err(format!("the {element} is not SAML 2.0").into());
    }
    Ok(root)
}

mod assertion;
mod logout;
use assertion::Context;
pub use logout::IdpLogout;

const SUCCESS: &str = "urn:oasis:names:tc:SAML:2.0:status:Success";
const BEARER: &str = "urn:oasis:names:tc:SAML:2.0:cm:bearer";
const POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";
const NS_EIDAS: &str = "http://eidas.europa.eu/saml-extensions";
const NS_EAUTH: &str = "urn:bg:egov:eauth:2.0:saml:ext";
const TRANSIENT: &str = "urn:oasis:names:tc:SAML:2.0:nameid-format:transient";

/// Why a response was refused: one sentence naming the failed check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused(pub String);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<String> for Refused {
    fn from(s: String) -> Self {
        Refused(s)
    }
}
impl From<&str> for Refused {
    fn from(s: &str) -> Self {
        Refused(s.to_string())
    }
}
/// A typed error of the checks below, refused in its own words.
macro_rules! refused_from {
    ($($error:ty),*) => {$(
        impl From<$error> for Refused {
            fn from(e: $error) -> Self {
                Refused(e.to_string())
            }
        }
    )*};
}
refused_from!(
    xml::XmlError,
    dsig::DsigError,
    xenc::XencError,
    super::oidc::OidcError,
    super::oidc_token::KeySetError
);

/// A configured IdP with its endpoints and trusted certificates: those configured and
/// those of its (checked) metadata.
#[derive(Clone)]
pub struct SamlIdp {
    pub config: SamlIdpConfig,
    pub certs: Vec<X509>,
    pub sso_url: String,
    pub slo_url: Option<String>,
    /// Where our LogoutResponses go, when the metadata names a `ResponseLocation`.
    pub slo_response_url: Option<String>,
    /// Until when its metadata holds, when the metadata says.
    pub valid_until_ms: Option<i64>,
}

/// Certificates from PEM files.
/// Why a configured SAML IdP cannot be put in use.
#[derive(Debug, thiserror::Error)]
pub enum IdpError {
    #[error("{}: {error}", path.display())]
    ReadFile {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{}: {error}", path.display())]
    Certificate {
        path: std::path::PathBuf,
        error: dsig::DsigError,
    },
    #[error(transparent)]
    Metadata(#[from] super::metadata::MetadataError),
    #[error("the metadata's endpoint: {0}")]
    Endpoint(super::oidc::OidcError),
    #[error("identity provider {0} has no signing certificate")]
    NoSigningCertificate(String),
    #[error("identity provider {id} has no single sign-on URL for the {binding:?} binding")]
    NoSsoUrl { id: String, binding: SamlBinding },
    #[error("the metadata is older than the one in use (an earlier validUntil)")]
    OlderMetadata,
}

/// Why a message to an IdP could not be made.
#[derive(Debug, thiserror::Error)]
pub enum SpError {
    #[error(transparent)]
    Sign(#[from] dsig::DsigError),
    #[error("the message could not be encoded: {0}")]
    Encode(#[from] std::io::Error),
    #[error("the IdP offers no single logout")]
    NoSingleLogout,
    #[error("logout goes over HTTP-Redirect")]
    NotRedirect,
}

impl From<openssl::error::ErrorStack> for SpError {
    fn from(e: openssl::error::ErrorStack) -> SpError {
        SpError::Sign(e.into())
    }
}

pub fn certs_of(files: &[std::path::PathBuf]) -> Result<Vec<X509>, IdpError> {
    let mut certs = Vec::new();
    for f in files {
        let pem = std::fs::read(f).map_err(|error| IdpError::ReadFile {
            path: f.clone(),
            error,
        })?;
        certs.extend(
            dsig::load_certs(&pem).map_err(|error| IdpError::Certificate {
                path: f.clone(),
                error,
            })?,
        );
    }
    Ok(certs)
}

impl SamlIdp {
    /// The IdP from its configuration and, when it is described by metadata, the
    /// metadata's text (checked against the configured metadata signers).
    /// `now_ms`: judge the metadata's validity at that time (None: only read it).
    pub fn assemble(
        config: &SamlIdpConfig,
        metadata: Option<&str>,
        now_ms: Option<i64>,
    ) -> Result<SamlIdp, IdpError> {
        let mut certs = certs_of(&config.signing_cert_files)?;
        let mut sso_url = config.sso_url.clone();
        let mut slo_url = config.slo_url.clone();
        let mut slo_response_url = None;
        let mut valid_until_ms = None;
        if let Some(text) = metadata {
            let signers = certs_of(&config.metadata_signing_cert_files)?;
            let m = super::metadata::read(text, &config.entity_id, &signers, now_ms)?;
            certs.extend(m.signing_certs);
            let sso = match config.sso_binding {
                SamlBinding::Redirect => m.sso_redirect,
                SamlBinding::Post => m.sso_post,
            };
            // Endpoints from metadata are held to what a configured one would be.
            for u in [&sso, &m.slo_redirect, &m.slo_response]
                .into_iter()
                .flatten()
            {
                super::oidc::check_endpoint(u).map_err(IdpError::Endpoint)?;
            }
            if config.slo_url.is_none() {
                slo_response_url = m.slo_response;
            }
            sso_url = sso_url.or(sso);
            slo_url = slo_url.or(m.slo_redirect);
            valid_until_ms = m.valid_until_ms;
        }
        if certs.is_empty() {
            return Err(IdpError::NoSigningCertificate(config.id.clone()));
        }
        let sso_url = sso_url.ok_or_else(|| IdpError::NoSsoUrl {
            id: config.id.clone(),
            binding: config.sso_binding,
        })?;
        Ok(SamlIdp {
            config: config.clone(),
            certs,
            sso_url,
            slo_url,
            slo_response_url,
            valid_until_ms,
        })
    }
}

/// What an accepted assertion says.
#[derive(Debug, Clone)]
pub struct Assertion {
    pub idp: String,
    pub assertion_id: String,
    pub in_response_to: String,
    /// Until when the assertion could be replayed (the replay cache keeps it that long).
    pub valid_until_ms: i64,
    pub name_id: String,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
    pub loa: Option<Loa>,
    pub attributes: BTreeMap<String, Vec<String>>,
}

/// An outgoing message: a URL to redirect to, or a form to post.
pub enum Outgoing {
    Redirect(String),
    Post {
        url: String,
        field: &'static str,
        value: String,
        relay_state: String,
    },
}

pub struct Sp {
    pub entity_id: String,
    pub acs_url: String,
    pub slo_url: String,
    pub keys: SpKeys,
    pub skew_ms: i64,
    /// The eIDAS `SPType` the metadata states.
    pub sp_type: String,
    /// The signed metadata and when it was made: signing on every request would let
    /// anyone keep the CPU busy.
    pub metadata_cache: std::sync::Mutex<Option<(i64, String)>>,
}

/// How long signed SP metadata is served before it is made again (it is valid for a week).
const METADATA_REUSE_MS: i64 = 24 * 3600 * 1000;

/// A 128-bit random identifier, as an xs:ID (it must not start with a digit).
pub fn new_request_id() -> String {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    format!("_{}", hex::encode(b))
}

fn instant(ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn parse_instant(s: &str) -> Result<i64, Refused> {
    DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .map_err(|_| Refused(format!("{s:?} is not a time")))
}

pub fn loa_uri(loa: Loa, profile: Profile) -> String {
    match profile {
        Profile::BgEauth => format!("urn:bg:egov:eauth:2.0:loa:{}", loa.as_str().to_uppercase()),
        _ => format!("http://eidas.europa.eu/LoA/{}", loa.as_str()),
    }
}

/// The level of an AuthnContextClassRef (or an OIDC `acr`): exactly one of the eIDAS URIs
/// or of eAuth's (whose level is spelled in either case). Anything else is no level.
pub fn loa_of(uri: &str) -> Option<Loa> {
    [Loa::Low, Loa::Substantial, Loa::High]
        .into_iter()
        .find(|l| {
            uri == loa_uri(*l, Profile::Eidas)
                || uri.eq_ignore_ascii_case(&loa_uri(*l, Profile::BgEauth))
        })
}

/// The eIDAS natural-person attributes every profile asks for.
const EIDAS_REQUESTED: &[(&str, bool)] = &[
    ("PersonIdentifier", true),
    ("CurrentGivenName", true),
    ("CurrentFamilyName", true),
    ("DateOfBirth", true),
    ("CurrentAddress", false),
    ("PlaceOfBirth", false),
];

impl Sp {
    /// The SP's metadata, signed with its key; valid against the OASIS metadata schema.
    /// Made once a day.
    pub fn metadata(&self, now_ms: i64) -> Result<String, SpError> {
        let mut cache = self
            .metadata_cache
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some((made, text)) = cache.as_ref() {
            if now_ms >= *made && now_ms - made < METADATA_REUSE_MS {
                return Ok(text.clone());
            }
        }
        let text = self.make_metadata(now_ms)?;
        *cache = Some((now_ms, text.clone()));
        Ok(text)
    }

    fn make_metadata(&self, now_ms: i64) -> Result<String, SpError> {
        let cert = base64::engine::general_purpose::STANDARD.encode(self.keys.cert.to_der()?);
        let id = new_request_id();
        let key_info = format!(
            "<ds:KeyInfo xmlns:ds=\"{NS_DS}\"><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>"
        );
        let enc_methods: String = [
            "http://www.w3.org/2009/xmlenc11#aes256-gcm",
            "http://www.w3.org/2009/xmlenc11#aes128-gcm",
            "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
            "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
            "http://www.w3.org/2009/xmlenc11#rsa-oaep",
        ]
        .iter()
        .map(|a| format!("<md:EncryptionMethod Algorithm=\"{a}\"/>"))
        .collect();
        let valid_until = instant(now_ms + 7 * 24 * 3600 * 1000);
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <md:EntityDescriptor xmlns:md=\"{md}\" ID=\"{id}\" entityID=\"{entity}\" validUntil=\"{valid_until}\"><!--signature-->\
             <md:Extensions><eidas:SPType xmlns:eidas=\"{NS_EIDAS}\">{sp_type}</eidas:SPType></md:Extensions>\
             <md:SPSSODescriptor protocolSupportEnumeration=\"{NS_SAMLP}\" AuthnRequestsSigned=\"true\" WantAssertionsSigned=\"true\">\
             <md:KeyDescriptor use=\"signing\">{key_info}</md:KeyDescriptor>\
             <md:KeyDescriptor use=\"encryption\">{key_info}{enc_methods}</md:KeyDescriptor>\
             <md:SingleLogoutService Binding=\"{REDIRECT}\" Location=\"{slo}\"/>\
             <md:NameIDFormat>{TRANSIENT}</md:NameIDFormat>\
             <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>\
             <md:AssertionConsumerService Binding=\"{POST}\" Location=\"{acs}\" index=\"0\" isDefault=\"true\"/>\
             </md:SPSSODescriptor></md:EntityDescriptor>\n",
            md = xml::NS_MD,
            entity = xml::esc(&self.entity_id),
            slo = xml::esc(&self.slo_url),
            acs = xml::esc(&self.acs_url),
            sp_type = xml::esc(&self.sp_type),
        );
        Ok(dsig::sign_enveloped(
            &text,
            &id,
            &self.keys.key,
            &self.keys.cert,
        )?)
    }

    fn extensions(&self, idp: &SamlIdpConfig, loa: Loa) -> String {
        match idp.profile {
            Profile::BgEauth => format!(
                "<samlp:Extensions><egovbga:RequestedService xmlns:egovbga=\"{NS_EAUTH}\">\
                 <egovbga:Service>{}</egovbga:Service><egovbga:Provider>{}</egovbga:Provider>\
                 <egovbga:LevelOfAssurance>{}</egovbga:LevelOfAssurance></egovbga:RequestedService></samlp:Extensions>",
                xml::esc(idp.eauth_service.as_deref().unwrap_or("")),
                xml::esc(idp.eauth_provider.as_deref().unwrap_or("")),
                loa.as_str().to_uppercase(),
            ),
            _ => {
                let attrs: String = EIDAS_REQUESTED
                    .iter()
                    .map(|(name, required)| {
                        format!(
                            "<eidas:RequestedAttribute Name=\"http://eidas.europa.eu/attributes/naturalperson/{name}\" \
                             NameFormat=\"urn:oasis:names:tc:SAML:2.0:attrname-format:uri\" isRequired=\"{required}\"/>"
                        )
                    })
                    .collect();
                format!(
                    "<samlp:Extensions><eidas:SPType xmlns:eidas=\"{NS_EIDAS}\">{}</eidas:SPType>\
                     <eidas:RequestedAttributes xmlns:eidas=\"{NS_EIDAS}\">{attrs}</eidas:RequestedAttributes></samlp:Extensions>",
                    xml::esc(&idp.sp_type)
                )
            }
        }
    }

    /// A signed AuthnRequest for `idp`, asking for at least `loa`.
    pub fn authn_request(
        &self,
        idp: &SamlIdp,
        loa: Loa,
        relay_state: &str,
        now_ms: i64,
    ) -> Result<(String, Outgoing), SpError> {
        let id = new_request_id();
        let text = format!(
            "<samlp:AuthnRequest xmlns:samlp=\"{NS_SAMLP}\" xmlns:saml=\"{NS_SAML}\" ID=\"{id}\" Version=\"2.0\" \
             IssueInstant=\"{now}\" Destination=\"{dest}\" AssertionConsumerServiceURL=\"{acs}\" \
             ProtocolBinding=\"{POST}\" ForceAuthn=\"true\" IsPassive=\"false\">\
             <saml:Issuer>{issuer}</saml:Issuer><!--signature-->{ext}\
             <samlp:NameIDPolicy Format=\"{TRANSIENT}\" AllowCreate=\"true\"/>\
             <samlp:RequestedAuthnContext Comparison=\"minimum\"><saml:AuthnContextClassRef>{loa}</saml:AuthnContextClassRef>\
             </samlp:RequestedAuthnContext></samlp:AuthnRequest>",
            now = instant(now_ms),
            dest = xml::esc(&idp.sso_url),
            acs = xml::esc(&self.acs_url),
            issuer = xml::esc(&self.entity_id),
            ext = self.extensions(&idp.config, loa),
            loa = loa_uri(loa, idp.config.profile),
        );
        let out = match idp.config.sso_binding {
            SamlBinding::Redirect => {
                let unsigned = text.replace("<!--signature-->", "");
                self.redirect(&idp.sso_url, "SAMLRequest", &unsigned, relay_state)?
            }
            SamlBinding::Post => {
                let signed = dsig::sign_enveloped(&text, &id, &self.keys.key, &self.keys.cert)?;
                Outgoing::Post {
                    url: idp.sso_url.clone(),
                    field: "SAMLRequest",
                    value: base64::engine::general_purpose::STANDARD.encode(signed),
                    relay_state: relay_state.to_string(),
                }
            }
        };
        Ok((id, out))
    }

    fn redirect(
        &self,
        endpoint: &str,
        field: &str,
        text: &str,
        relay_state: &str,
    ) -> Result<Outgoing, SpError> {
        let mut deflater =
            flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
        deflater.write_all(text.as_bytes())?;
        let deflated = deflater.finish()?;
        let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let mut query = format!(
            "{field}={}",
            enc(&base64::engine::general_purpose::STANDARD.encode(deflated))
        );
        if !relay_state.is_empty() {
            query.push_str(&format!("&RelayState={}", enc(relay_state)));
        }
        query.push_str(&format!("&SigAlg={}", enc(dsig::RSA_SHA256)));
        let sig = dsig::sign_bytes(&self.keys.key, query.as_bytes())?;
        query.push_str(&format!(
            "&Signature={}",
            enc(&base64::engine::general_purpose::STANDARD.encode(sig))
        ));
        let sep = if endpoint.contains('?') { '&' } else { '?' };
        Ok(Outgoing::Redirect(format!("{endpoint}{sep}{query}")))
    }

    /// Every check on a posted `SAMLResponse` that logged the citizen in; a Response with
    /// another status is refused with it.
    pub fn check_response(
        &self,
        idps: &[SamlIdp],
        saml_response: &str,
        now_ms: i64,
    ) -> Result<Assertion, Refused> {
        match self.read_response(idps, saml_response, now_ms)? {
            Answer::LoggedIn(a) => Ok(a),
            Answer::Declined(d) => Err(Refused(format!(
                "the identity provider did not log the citizen in ({})",
                d.status
            ))),
        }
    }

    /// Every check on a posted `SAMLResponse`, except those that need the database (the
    /// pending request and the replay cache), which the caller does with the result. The
    /// status is read before the assertions: a Response that says the citizen cancelled
    /// (or the IdP failed) carries none, and is an answer, not a forgery.
    pub fn read_response(
        &self,
        idps: &[SamlIdp],
        saml_response: &str,
        now_ms: i64,
    ) -> Result<Answer, Refused> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(saml_response.trim().replace(['\r', '\n', ' '], ""))
            .map_err(|_| "the SAMLResponse is not base64")?;
        let text = String::from_utf8(bytes).map_err(|_| "the SAMLResponse is not UTF-8")?;
        let doc = xml::parse(&text)?;
        let root = message_root(&doc, "Response", "SAML Response")?;
        let issuer = issuer_of(root)?;
        let plain = xml::child(root, NS_SAML, "Assertion");
        let sealed = xml::child(root, NS_SAML, "EncryptedAssertion");
        // Which IdP: the Response's Issuer, else the assertion's.
        let issuer = match (issuer, plain) {
            (Some(i), _) => i.to_string(),
            (None, Some(a)) => issuer_of(a)?.unwrap_or("").to_string(),
            (None, None) => String::new(),
        };
        let idp = idp_of(idps, &issuer, "the Response")?;
        match root.attribute("Destination") {
            Some(d) if d == self.acs_url => {}
            Some(d) => return Err(Refused(format!("wrong Destination {d:?}"))),
            None => return Err("the Response has no Destination".into()),
        }
        let in_response_to = root
            .attribute("InResponseTo")
            .filter(|v| !v.is_empty())
            .ok_or("unsolicited response: no InResponseTo")?
            .to_string();

        // Signatures: the Response's own (required unless configured otherwise), and no
        // signature anywhere else but on the assertion.
        let response_signed = dsig::signature_of(root)?.is_some();
        if status_of(root) != SUCCESS {
            // Nothing is opened and no flow is taken: the page only tells the citizen.
            if response_signed {
                dsig::verify_element(&doc, root, &idp.certs)?;
            }
            return Ok(Answer::Declined(Declined {
                idp: idp.config.id.clone(),
                status: status_codes(root),
            }));
        }
        let assertions = xml::count(&doc, NS_SAML, "Assertion");
        let encrypted = xml::count(&doc, NS_SAML, "EncryptedAssertion");
        if assertions + encrypted != 1 {
            return Err(Refused(format!(
                "the Response carries {} assertions; exactly one is accepted",
                assertions + encrypted
            )));
        }
        if plain.is_none() && sealed.is_none() {
            return Err("the assertion is not where a Response holds it".into());
        }
        if response_signed {
            dsig::verify_element(&doc, root, &idp.certs)?;
        } else if sealed.is_some() {
            // Decrypting what nobody vouched for would let anyone replay or alter
            // ciphertext and watch how hlidac fails.
            return Err("an encrypted assertion is opened only in a signed Response".into());
        } else if idp.config.require_signed_response {
            return Err("the Response is not signed".into());
        }
        let assertion_signed = plain
            .map(dsig::signature_of)
            .transpose()?
            .flatten()
            .is_some();
        let signatures = xml::count(&doc, NS_DS, "Signature");
        if signatures != usize::from(response_signed) + usize::from(assertion_signed) {
            return Err("the Response carries a signature out of place".into());
        }

        let context = Context {
            sp: self,
            idp,
            in_response_to: &in_response_to,
            now_ms,
        };
        match (plain, sealed) {
            (Some(a), _) => context.assertion(&doc, a).map(Answer::LoggedIn),
            (None, Some(e)) => {
                let decrypted = xenc::decrypt_assertion(e, &self.keys.key)?;
                let inner = xml::parse(&decrypted)?;
                let wrapper = inner.root_element();
                let mut elements = wrapper.children().filter(|c| c.is_element());
                let a = elements
                    .next()
                    .filter(|a| xml::is(*a, NS_SAML, "Assertion"))
                    .ok_or("the encrypted data is not an assertion")?;
                if elements.next().is_some()
                    || wrapper
                        .children()
                        .any(|c| c.is_text() && !c.text().unwrap_or("").trim().is_empty())
                    || xml::count(&inner, NS_SAML, "Assertion") != 1
                {
                    return Err("the encrypted data holds more than one assertion".into());
                }
                let sigs = xml::count(&inner, NS_DS, "Signature");
                if sigs != usize::from(dsig::signature_of(a)?.is_some()) {
                    return Err("the assertion carries a signature out of place".into());
                }
                context.assertion(&inner, a).map(Answer::LoggedIn)
            }
            (None, None) => Err("no assertion".into()),
        }
    }
}

/// The configured IdP whose entity id is `issuer`; `what` names the message refused.
fn idp_of<'a>(idps: &'a [SamlIdp], issuer: &str, what: &str) -> Result<&'a SamlIdp, Refused> {
    idps.iter()
        .find(|i| i.config.entity_id == issuer)
        .ok_or_else(|| Refused(format!("{what} comes from an unknown issuer {issuer:?}")))
}

/// The trimmed text of an element's `saml:Issuer`, if it has one.
fn issuer_of<'a>(node: Node<'a, '_>) -> Result<Option<&'a str>, Refused> {
    Ok(xml::child(node, NS_SAML, "Issuer")
        .map(xml::strict_text)
        .transpose()?
        .map(str::trim))
}

/// The status codes of a Response, the top-level one and each nested one, by their last
/// name part (`Responder/AuthnFailed`); an IdP's words, so only a known code's name is kept.
fn status_codes(root: Node) -> String {
    let mut names = Vec::new();
    let mut code =
        xml::child(root, NS_SAMLP, "Status").and_then(|s| xml::child(s, NS_SAMLP, "StatusCode"));
    while let Some(c) = code {
        let value = c.attribute("Value").unwrap_or("");
        let name = value
            .strip_prefix("urn:oasis:names:tc:SAML:2.0:status:")
            .filter(|n| n.len() <= 40 && n.chars().all(|ch| ch.is_ascii_alphanumeric()))
            .unwrap_or("other");
        names.push(name);
        if names.len() == 3 {
            break;
        }
        code = xml::child(c, NS_SAMLP, "StatusCode");
    }
    if names.is_empty() {
        return "none".into();
    }
    names.join("/")
}

/// What a checked Response says.
#[derive(Debug)]
pub enum Answer {
    /// The citizen logged in: the assertion, checked.
    LoggedIn(Assertion),
    /// The IdP did not log the citizen in (cancelled, or failed): its status codes.
    Declined(Declined),
}

#[derive(Debug)]
pub struct Declined {
    pub idp: String,
    /// The status codes by their names, as `Responder/AuthnFailed`.
    pub status: String,
}

/// A protocol message's top-level status code ("" when it has none).
fn status_of<'a>(root: Node<'a, '_>) -> &'a str {
    xml::child(root, NS_SAMLP, "Status")
        .and_then(|s| xml::child(s, NS_SAMLP, "StatusCode"))
        .and_then(|c| c.attribute("Value"))
        .unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_of_assurance_are_read_from_known_uris_only() {
        assert_eq!(
            loa_of("http://eidas.europa.eu/LoA/substantial"),
            Some(Loa::Substantial)
        );
        assert_eq!(loa_of("http://eidas.europa.eu/LoA/high"), Some(Loa::High));
        assert_eq!(loa_of("urn:bg:egov:eauth:2.0:loa:LOW"), Some(Loa::Low));
        assert_eq!(loa_of("http://evil.example/LoA/high"), None);
        assert_eq!(loa_of("http://eidas.europa.eu/LoA/high/extra"), None);
        assert_eq!(loa_of("http://eidas.europa.eu/LoA/NotNotified/high"), None);
        assert_eq!(loa_of("urn:bg:egov:eauth:2.0:loa:x:high"), None);
        assert_eq!(
            loa_uri(Loa::Low, Profile::CzNia),
            "http://eidas.europa.eu/LoA/low"
        );
    }

    #[test]
    fn request_ids_carry_128_random_bits() {
        let a = new_request_id();
        assert_eq!(a.len(), 33);
        assert!(a.starts_with('_'));
        assert_ne!(a, new_request_id());
    }
}
