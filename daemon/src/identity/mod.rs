//! National eID login: SAML 2.0 ([`saml`]) and OpenID Connect ([`oidc`]), each mapped by
//! an attribute profile onto one [`VerifiedIdentity`], which linking then resolves to a
//! registry person.
//!
//! What comes in: messages from identity providers, through the citizen's browser, never
//! trusted until every check holds. What goes out: a verified identity, or a reason (for
//! the log) and a plain page for the citizen. No identifier or attribute value is logged.

pub mod dsig;
pub mod idps;
pub mod login;
pub mod metadata;
pub mod oidc;
pub mod oidc_loa;
pub mod oidc_token;
pub mod ratelimit;
pub mod saml;
mod sessions;
pub mod xenc;
pub mod xml;

use crate::config::{Loa, Profile};
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::collections::BTreeMap;
use std::path::Path;

/// `bytes` random bytes as URL-safe base64: cookies, state, nonce, PKCE verifiers.
pub fn random_token(bytes: usize) -> String {
    use base64::Engine;
    use rand::RngCore;
    let mut b = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut b);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b)
}

/// The SP's key pair: signs what hlidac sends, decrypts what it receives.
#[derive(Clone)]
pub struct SpKeys {
    pub key: PKey<Private>,
    pub cert: X509,
}

/// Why the SP's key and certificate cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SpKeysError {
    #[error("{}: {error}", path.display())]
    Read {
        path: std::path::PathBuf,
        error: std::io::Error,
    },
    #[error("{} is not a PEM private key", .0.display())]
    NotKey(std::path::PathBuf),
    #[error("{} is not a PEM certificate", .0.display())]
    NotCertificate(std::path::PathBuf),
    #[error("{} is not an RSA key", .0.display())]
    NotRsa(std::path::PathBuf),
    #[error("{} is an RSA key of {bits} bits; at least 2048 are needed", path.display())]
    Short { path: std::path::PathBuf, bits: u32 },
    #[error("{}", .0)]
    Crypto(String),
    #[error("{} and {} are not a pair", key.display(), cert.display())]
    NotAPair {
        key: std::path::PathBuf,
        cert: std::path::PathBuf,
    },
}

impl SpKeys {
    pub fn load(key_file: &Path, cert_file: &Path) -> Result<SpKeys, SpKeysError> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|error| SpKeysError::Read {
                path: path.to_path_buf(),
                error,
            })
        };
        let key = PKey::private_key_from_pem(&read(key_file)?)
            .map_err(|_| SpKeysError::NotKey(key_file.to_path_buf()))?;
        let cert = X509::from_pem(&read(cert_file)?)
            .map_err(|_| SpKeysError::NotCertificate(cert_file.to_path_buf()))?;
        // The SP signs with RSA (its metadata and requests say rsa-sha256) and IdPs
        // encrypt to it with RSA-OAEP.
        let rsa = key
            .rsa()
            .map_err(|_| SpKeysError::NotRsa(key_file.to_path_buf()))?;
        if rsa.size() * 8 < 2048 {
            return Err(SpKeysError::Short {
                path: key_file.to_path_buf(),
                bits: rsa.size() * 8,
            });
        }
        let public = cert
            .public_key()
            .map_err(|e| SpKeysError::Crypto(e.to_string()))?;
        if !key.public_eq(&public) {
            return Err(SpKeysError::NotAPair {
                key: key_file.to_path_buf(),
                cert: cert_file.to_path_buf(),
            });
        }
        Ok(SpKeys { key, cert })
    }
}

/// Who logged in, as the identity provider vouches for it.
#[derive(Clone, Debug, Default)]
pub struct VerifiedIdentity {
    pub idp: String,
    /// The provider's identifier of the person (NIA's BSI, eAuth's PNOBG-…, an OIDC `sub`).
    pub subject: String,
    pub given_name: Option<String>,
    pub family_name: Option<String>,
    pub date_of_birth: Option<String>,
    pub address: Option<String>,
    pub loa: Option<Loa>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// What is sent to the registry to find the person.
    pub registry_identity: serde_json::Map<String, serde_json::Value>,
}

impl VerifiedIdentity {
    pub fn display_name(&self) -> String {
        [self.given_name.as_deref(), self.family_name.as_deref()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ")
    }
}

const EIDAS: &str = "http://eidas.europa.eu/attributes/naturalperson/";
const MORIS: &str = "http://schemas.eidentita.cz/moris/2016/identity/claims/";
const STORK_EMAIL: &str = "http://www.stork.gov.eu/1.0/eMail";
const EAUTH: &str = "urn:egov:bg:eauth:2.0:attributes:";
pub const RS: &str = "http://schema.id.rs/claims/";

/// Why an IdP's attributes do not make an identity: its person identifier is missing or
/// not of its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    #[error("the assertion has no eIDAS PersonIdentifier")]
    NoEidasIdentifier,
    #[error("the assertion has no eAuth personIdentifier")]
    NoEauthIdentifier,
    #[error("the eAuth personIdentifier is not PNOBG-…")]
    NotBulgarian,
    #[error("the token has no umcn claim")]
    NoUmcn,
    #[error("the token has no sub")]
    NoSub,
}

/// Maps an IdP's attributes (SAML attribute values, or OIDC claims as strings) onto one
/// identity. A profile without its person identifier is an error, never a guess.
pub fn map_profile(
    profile: Profile,
    idp: &str,
    attributes: &BTreeMap<String, Vec<String>>,
    loa: Option<Loa>,
) -> Result<VerifiedIdentity, ProfileError> {
    let get = |name: &str| {
        attributes
            .get(name)
            .and_then(|v| v.first())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut id = VerifiedIdentity {
        idp: idp.to_string(),
        loa,
        ..Default::default()
    };
    let (scheme, identifier) = match profile {
        Profile::CzNia | Profile::Eidas => {
            let pid =
                get(&format!("{EIDAS}PersonIdentifier")).ok_or(ProfileError::NoEidasIdentifier)?;
            id.given_name = get(&format!("{EIDAS}CurrentGivenName"));
            id.family_name = get(&format!("{EIDAS}CurrentFamilyName"));
            id.date_of_birth = get(&format!("{EIDAS}DateOfBirth"));
            id.address = get(&format!("{EIDAS}CurrentAddress")).map(|a| eidas_address(&a));
            if profile == Profile::CzNia {
                id.email = get(STORK_EMAIL);
                id.phone = get(&format!("{MORIS}phonenumber"));
            }
            id.subject = pid.clone();
            (
                if profile == Profile::CzNia {
                    "cz-nia"
                } else {
                    "eidas"
                },
                pid,
            )
        }
        Profile::BgEauth => {
            let pid =
                get(&format!("{EAUTH}personIdentifier")).ok_or(ProfileError::NoEauthIdentifier)?;
            let egn = pid
                .strip_prefix("PNOBG-")
                .ok_or(ProfileError::NotBulgarian)?
                .to_string();
            if let Some(name) = get(&format!("{EAUTH}personName")) {
                let mut parts: Vec<&str> = name.split_whitespace().collect();
                id.family_name = parts.pop().map(str::to_string);
                if !parts.is_empty() {
                    id.given_name = Some(parts.join(" "));
                }
            }
            id.date_of_birth = get(&format!("{EAUTH}dateOfBirth"));
            id.email = get(&format!("{EAUTH}email"));
            id.phone = get(&format!("{EAUTH}phone"));
            id.address = get(&format!("{EAUTH}canonicalResidenceAddress"));
            id.subject = pid;
            ("bg-egn", egn)
        }
        Profile::RsEid => {
            let umcn = get(&format!("{RS}umcn")).ok_or(ProfileError::NoUmcn)?;
            id.subject = get("sub").ok_or(ProfileError::NoSub)?;
            id.given_name = get(&format!("{RS}givenname")).or_else(|| get("given_name"));
            id.family_name = get(&format!("{RS}familyname")).or_else(|| get("family_name"));
            id.email = get(&format!("{RS}mail")).or_else(|| get("email"));
            id.phone = get("phone_number");
            id.date_of_birth = get("birthdate");
            id.loa = match get(&format!("{RS}ial")).as_deref() {
                Some("1") => Some(Loa::Low),
                Some("2") => Some(Loa::Substantial),
                Some("3") => Some(Loa::High),
                _ => loa,
            };
            ("rs-umcn", umcn)
        }
        Profile::GenericOidc => {
            let sub = get("sub").ok_or(ProfileError::NoSub)?;
            id.given_name = get("given_name");
            id.family_name = get("family_name");
            id.date_of_birth = get("birthdate");
            id.email = get("email").filter(|_| get("email_verified").as_deref() == Some("true"));
            id.phone = get("phone_number");
            id.subject = sub.clone();
            ("oidc", sub)
        }
    };
    let mut r = serde_json::Map::new();
    r.insert("scheme".into(), scheme.into());
    r.insert("identifier".into(), identifier.into());
    for (k, v) in [
        ("given_name", &id.given_name),
        ("family_name", &id.family_name),
        ("date_of_birth", &id.date_of_birth),
    ] {
        if let Some(v) = v {
            r.insert(k.into(), v.clone().into());
        }
    }
    id.registry_identity = r;
    Ok(id)
}

/// eIDAS `CurrentAddress` is base64 of an XML fragment; the readable parts joined.
fn eidas_address(b64: &str) -> String {
    use base64::Engine;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return b64.to_string();
    };
    let text = String::from_utf8_lossy(&bytes);
    let wrapped =
        format!("<a xmlns:eidas=\"http://eidas.europa.eu/attributes/naturalperson\">{text}</a>");
    match xml::parse(&wrapped) {
        Ok(doc) => doc
            .descendants()
            .filter(|n| n.is_text())
            .filter_map(|n| n.text())
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<String>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), vec![v.to_string()]))
            .collect()
    }

    #[test]
    fn nia_attributes_map_onto_one_identity() {
        let a = attrs(&[
            (&format!("{EIDAS}PersonIdentifier"), "CZ/CZ/abc"),
            (&format!("{EIDAS}CurrentGivenName"), "Jana"),
            (&format!("{EIDAS}CurrentFamilyName"), "Nováková"),
            (STORK_EMAIL, "jana@example.cz"),
            (&format!("{MORIS}phonenumber"), "+420601123456"),
        ]);
        let id = map_profile(Profile::CzNia, "nia", &a, Some(Loa::Substantial)).expect("map");
        assert_eq!(id.display_name(), "Jana Nováková");
        assert_eq!(id.registry_identity["identifier"], "CZ/CZ/abc");
        assert_eq!(id.phone.as_deref(), Some("+420601123456"));
        assert!(map_profile(Profile::CzNia, "nia", &BTreeMap::new(), None).is_err());
    }

    #[test]
    fn eauth_and_serbian_identifiers() {
        let a = attrs(&[
            (&format!("{EAUTH}personIdentifier"), "PNOBG-8001010000"),
            (&format!("{EAUTH}personName"), "Иван Петров Иванов"),
        ]);
        let id = map_profile(Profile::BgEauth, "eauth", &a, Some(Loa::High)).expect("map");
        assert_eq!(id.registry_identity["identifier"], "8001010000");
        assert_eq!(id.family_name.as_deref(), Some("Иванов"));
        let a = attrs(&[
            ("sub", "x"),
            (&format!("{RS}umcn"), "0101985710000"),
            (&format!("{RS}ial"), "2"),
        ]);
        let id = map_profile(Profile::RsEid, "rs", &a, None).expect("map");
        assert_eq!(id.loa, Some(Loa::Substantial));
        assert_eq!(id.registry_identity["scheme"], "rs-umcn");
    }
}
