//! The ID token, without the network: the provider's key set filtered to keys strong
//! enough (RSA of at least 2048 bits, EC P-256 or P-384), an encrypted (JWE) token opened
//! with `josekit`, and every check on the signed token. The signature, issuer, audience,
//! expiry, issue time and nonce are checked by the `openidconnect` crate; hlidac adds what
//! the crate leaves to the application: clear refusals for the header (`none`, HMAC, an
//! algorithm not configured), `azp` whenever present, `nbf`, the clock skew and the key
//! filter. [`check_id_token_offline`] runs all of it from bytes, for the fuzz target.

use super::saml::Refused;
use crate::config::OidcIdpConfig;
use base64::Engine;
use openidconnect::core::{
    CoreGenderClaim, CoreIdTokenVerifier, CoreJsonWebKey, CoreJsonWebKeySet,
    CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
};
use openidconnect::{
    ClaimsVerificationError, ClientId, EmptyAdditionalClaims, IdToken, IssuerUrl, Nonce,
    SignatureVerificationError,
};
use serde_json::Value;
use std::collections::BTreeMap;

/// Signature algorithms hlidac can check; HMAC and `none` are never among them.
pub const ACCEPTED_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
];

/// The most any answer of a provider (discovery, key set, token, userinfo) may carry.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;
/// Keys in one key set, at most.
const MAX_KEYS: usize = 64;
/// The smallest RSA modulus accepted, and the largest the verifier handles.
const MIN_RSA_BITS: usize = 2048;
const MAX_RSA_BITS: usize = 4096;

const B64URL: base64::engine::general_purpose::GeneralPurpose =
    base64::engine::general_purpose::URL_SAFE_NO_PAD;

type Token = IdToken<
    EmptyAdditionalClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// A provider's signing keys as the crate gets them, and why each left-out key (by `kid`)
/// was left out.
#[derive(Clone, Debug)]
pub struct KeySet {
    pub keys: CoreJsonWebKeySet,
    pub refused: BTreeMap<String, String>,
    /// The `kid` of every accepted key.
    pub kids: Vec<String>,
}

/// Why a provider's key set is refused as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeySetError {
    #[error("the key set has {0} bytes; at most {MAX_RESPONSE_BYTES} are read")]
    TooLarge(usize),
    #[error("the key set is not JSON")]
    NotJson,
    #[error("the key set has no \"keys\" array")]
    NoKeys,
    #[error("the key set has {0} keys; at most {MAX_KEYS} are read")]
    TooMany(usize),
}

impl KeySet {
    /// Reads a JWKS document: size-limited, and only keys strong enough kept.
    pub fn parse(bytes: &[u8]) -> Result<KeySet, KeySetError> {
        if bytes.len() > MAX_RESPONSE_BYTES {
            return Err(KeySetError::TooLarge(bytes.len()));
        }
        let doc: Value = serde_json::from_slice(bytes).map_err(|_| KeySetError::NotJson)?;
        let list = doc
            .get("keys")
            .and_then(Value::as_array)
            .ok_or(KeySetError::NoKeys)?;
        if list.len() > MAX_KEYS {
            return Err(KeySetError::TooMany(list.len()));
        }
        let mut set = KeySet {
            keys: CoreJsonWebKeySet::new(Vec::new()),
            refused: BTreeMap::new(),
            kids: Vec::new(),
        };
        let mut keys = Vec::new();
        for jwk in list {
            let kid = jwk.get("kid").and_then(Value::as_str);
            match usable_key(jwk) {
                Ok(None) => {}
                Ok(Some(key)) => {
                    if let Some(kid) = kid {
                        set.kids.push(kid.to_string());
                    }
                    keys.push(key);
                }
                Err(why) => {
                    if let Some(kid) = kid {
                        set.refused.insert(
                            kid.to_string(),
                            format!("the key {kid:?} is refused: {why}"),
                        );
                    }
                }
            }
        }
        set.keys = CoreJsonWebKeySet::new(keys);
        Ok(set)
    }
}

/// A signing key strong enough, `None` for a key not meant for signatures, or why the
/// key is refused.
fn usable_key(jwk: &Value) -> Result<Option<CoreJsonWebKey>, String> {
    let text = |k: &str| jwk.get(k).and_then(Value::as_str);
    if text("use").is_some_and(|u| u != "sig") {
        return Ok(None);
    }
    if let Some(alg) = text("alg") {
        if !ACCEPTED_ALGS.contains(&alg) {
            return Err(format!("algorithm {alg:?} not accepted"));
        }
    }
    let bytes = |k: &str| -> Result<Vec<u8>, String> {
        let s = text(k).ok_or(format!("no {k}"))?;
        B64URL
            .decode(s)
            .map_err(|_| format!("its {k} is malformed"))
    };
    match text("kty") {
        Some("RSA") => {
            let n = bytes("n")?;
            let n = &n[n.iter().take_while(|b| **b == 0).count()..];
            let bits = n
                .first()
                .map_or(0, |b| n.len() * 8 - b.leading_zeros() as usize);
            if bits < MIN_RSA_BITS {
                return Err(format!(
                    "an RSA key of {bits} bits (at least {MIN_RSA_BITS} are needed)"
                ));
            }
            if bits > MAX_RSA_BITS {
                return Err(format!(
                    "an RSA key of {bits} bits (at most {MAX_RSA_BITS} are handled)"
                ));
            }
            let e = bytes("e")?;
            if e.is_empty() || e.len() > 8 {
                return Err("its RSA exponent is malformed".into());
            }
        }
        Some("EC") => {
            let size = match text("crv") {
                Some("P-256") => 32,
                Some("P-384") => 48,
                other => {
                    return Err(format!(
                        "curve {:?} not accepted (P-256 or P-384)",
                        other.unwrap_or_default()
                    ))
                }
            };
            if bytes("x")?.len() != size || bytes("y")?.len() != size {
                return Err("its EC point is malformed".into());
            }
        }
        Some("oct") => return Err("a symmetric key".into()),
        other => {
            return Err(format!(
                "key type {:?} not accepted",
                other.unwrap_or_default()
            ))
        }
    }
    serde_json::from_value(jwk.clone())
        .map(Some)
        .map_err(|_| "malformed".to_string())
}

/// Why an ID token did not pass: a refusal, or a key id the key set does not hold (which
/// may send the caller to read the provider's keys again).
#[derive(Debug)]
pub enum Check {
    Refused(Refused),
    UnknownKey(Option<String>),
}

impl From<&str> for Check {
    fn from(s: &str) -> Check {
        Check::Refused(Refused(s.to_string()))
    }
}

impl From<String> for Check {
    fn from(s: String) -> Check {
        Check::Refused(Refused(s))
    }
}

/// Every check on a signed ID token, from the provider's key set as bytes: what the fuzz
/// target calls. Returns the token's claims.
pub fn check_id_token_offline(
    config: &OidcIdpConfig,
    jwks_json: &[u8],
    token: &str,
    nonce: &str,
    now_ms: i64,
    skew_ms: i64,
) -> Result<Value, Refused> {
    let keys = KeySet::parse(jwks_json).map_err(Refused::from)?;
    check_id_token(config, &keys, token, nonce, now_ms, skew_ms).map_err(|e| match e {
        Check::Refused(r) => r,
        Check::UnknownKey(kid) => unknown_kid(kid.as_deref()),
    })
}

pub fn unknown_kid(kid: Option<&str>) -> Refused {
    Refused(format!(
        "unknown kid {}: no such key at the provider",
        kid_text(kid)
    ))
}

/// A key id for a refusal: quoted (and so escaped), or that there is none.
pub fn kid_text(kid: Option<&str>) -> String {
    kid.map_or_else(|| "(none given)".to_string(), |k| format!("{k:?}"))
}

/// The `kid` of a signed token's header, if it has one (for the caller's refresh).
pub fn header_kid(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    let v: Value = serde_json::from_slice(&B64URL.decode(header).ok()?).ok()?;
    v.get("kid").and_then(Value::as_str).map(str::to_string)
}

/// A part of a compact JWT: base64url of a JSON object; None if it is not one.
fn json_part(part: &str) -> Option<Value> {
    B64URL
        .decode(part)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .filter(Value::is_object)
}

/// Every check on a signed ID token against `keys`; returns its claims.
pub fn check_id_token(
    config: &OidcIdpConfig,
    keys: &KeySet,
    token: &str,
    nonce: &str,
    now_ms: i64,
    skew_ms: i64,
) -> Result<Value, Check> {
    if token.len() > MAX_RESPONSE_BYTES {
        return Err("the ID token is too large".into());
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() == 5 {
        return Err(
            "the ID token is encrypted (JWE), but this provider is not configured to encrypt them"
                .into(),
        );
    }
    let [h, p, _] = parts[..] else {
        return Err("the ID token is not a signed JWT".into());
    };
    let header = json_part(h).ok_or("the ID token's header is malformed")?;
    let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
    if alg.eq_ignore_ascii_case("none") {
        return Err("the ID token is unsigned (alg none)".into());
    }
    if alg.starts_with("HS") {
        return Err(format!("HMAC-signed ID token refused ({alg:?})").into());
    }
    if !config.algorithms.iter().any(|a| a == alg) || !ACCEPTED_ALGS.contains(&alg) {
        return Err(format!("ID token algorithm {alg:?} not accepted").into());
    }
    let kid = header.get("kid").and_then(Value::as_str);
    if let Some(why) = kid.and_then(|k| keys.refused.get(k)) {
        return Err(why.clone().into());
    }
    let parsed: Token = token
        .parse()
        .map_err(|_| "the ID token is malformed (header or claims)")?;
    let algs: Vec<CoreJwsSigningAlgorithm> = config
        .algorithms
        .iter()
        .filter(|a| ACCEPTED_ALGS.contains(&a.as_str()))
        .filter_map(|a| serde_plain_alg(a))
        .collect();
    let issuer = IssuerUrl::new(config.issuer.clone()).map_err(|_| "the issuer is not a URL")?;
    let later =
        chrono::DateTime::from_timestamp_millis(now_ms.saturating_add(skew_ms)).unwrap_or_default();
    let earlier =
        chrono::DateTime::from_timestamp_millis(now_ms.saturating_sub(skew_ms)).unwrap_or_default();
    let verifier = CoreIdTokenVerifier::new_public_client(
        ClientId::new(config.client_id.clone()),
        issuer,
        keys.keys.clone(),
    )
    .set_allowed_algs(algs)
    // `exp` with the skew: the token counts as valid until `exp + skew`.
    .set_time_fn(move || earlier)
    .set_issue_time_verifier_fn(move |iat| {
        if iat > later {
            Err("was issued in the future".into())
        } else {
            Ok(())
        }
    });
    let claims = parsed
        .claims(&verifier, &Nonce::new(nonce.to_string()))
        .map_err(|e| refusal(e, kid))?;
    if claims.subject().is_empty() {
        return Err("the ID token has no sub".into());
    }
    // The crate verified the signature over these bytes; they are read again for the
    // claims it has no field for (`azp` is checked here, `nbf`, and the profile's claims).
    let raw = json_part(p).ok_or("the ID token's claims are malformed")?;
    match raw.get("azp") {
        None => {}
        Some(Value::String(azp)) if *azp == config.client_id => {}
        Some(_) => {
            return Err("the ID token's azp names another client".into());
        }
    }
    if let Some(nbf) = raw.get("nbf") {
        let nbf = nbf.as_i64().ok_or("the ID token's nbf is not a time")?;
        if nbf.saturating_mul(1000) > now_ms.saturating_add(skew_ms) {
            return Err("the ID token is not yet valid".into());
        }
    }
    Ok(raw)
}

fn serde_plain_alg(alg: &str) -> Option<CoreJwsSigningAlgorithm> {
    serde_json::from_value(Value::String(alg.to_string())).ok()
}

/// The crate's verdict in hlidac's words.
fn refusal(e: ClaimsVerificationError, kid: Option<&str>) -> Check {
    use ClaimsVerificationError as C;
    use SignatureVerificationError as S;
    let text = match e {
        C::InvalidIssuer(m) => format!("wrong issuer ({m:?})"),
        C::InvalidAudience(_) => "wrong audience: the ID token is for another client".into(),
        C::Expired(m) if m.contains("issued in the future") => {
            "the ID token was issued in the future".into()
        }
        C::Expired(_) => "the ID token has expired".into(),
        C::InvalidNonce(_) => "wrong nonce: the ID token answers another login".into(),
        C::SignatureVerification(S::NoMatchingKey) => {
            return Check::UnknownKey(kid.map(str::to_string))
        }
        C::SignatureVerification(S::AmbiguousKeyId(_)) => {
            "the ID token names no key (kid) and the provider has several".into()
        }
        C::SignatureVerification(S::DisallowedAlg(m) | S::UnsupportedAlg(m)) => {
            format!("ID token algorithm not accepted ({m:?})")
        }
        C::SignatureVerification(S::CryptoError(_)) => {
            "the ID token's signature does not verify".into()
        }
        C::SignatureVerification(S::InvalidKey(m)) => {
            format!("the provider's key cannot be used ({m:?})")
        }
        other => format!("the ID token is refused ({:?})", other.to_string()),
    };
    Check::Refused(Refused(text))
}

/// Opens an encrypted ID token (compact JWE, RSA-OAEP or RSA-OAEP-256 with A256CBC-HS512,
/// A128CBC-HS256 or A256GCM) with the service's RSA key; returns the signed token inside.
pub fn decrypt_id_token(key_pem: &[u8], token: &str) -> Result<String, Refused> {
    use josekit::jwe;
    if token.len() > MAX_RESPONSE_BYTES {
        return Err("the ID token is too large".into());
    }
    let parts: Vec<&str> = token.split('.').collect();
    if parts.len() != 5 {
        return Err("the ID token is not encrypted, but this provider encrypts them".into());
    }
    let header = json_part(parts[0]).ok_or("the encrypted ID token's header is malformed")?;
    let text = |k: &str| header.get(k).and_then(Value::as_str).unwrap_or("");
    // Compression would let a small token inflate without bound.
    if header.get("zip").is_some() {
        return Err("a compressed encrypted ID token is refused".into());
    }
    if !matches!(text("enc"), "A256CBC-HS512" | "A128CBC-HS256" | "A256GCM") {
        return Err(Refused(format!(
            "ID token encryption {:?} not accepted",
            text("enc")
        )));
    }
    let decrypter = match text("alg") {
        "RSA-OAEP" => jwe::RSA_OAEP.decrypter_from_pem(key_pem),
        "RSA-OAEP-256" => jwe::RSA_OAEP_256.decrypter_from_pem(key_pem),
        other => {
            return Err(Refused(format!(
                "ID token key encryption {other:?} not accepted"
            )))
        }
    }
    .map_err(|_| "the decryption key cannot be used")?;
    let (payload, _) = jwe::deserialize_compact(token, &decrypter)
        .map_err(|_| "the encrypted ID token cannot be opened with this service's key")?;
    let inner = String::from_utf8(payload).map_err(|_| "the encrypted ID token holds no JWT")?;
    if inner.split('.').count() != 3 {
        return Err("the encrypted ID token holds no signed JWT".into());
    }
    Ok(inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::pkey::{PKey, Private};

    const NOW_MS: i64 = 1_800_000_000_000;

    fn config() -> OidcIdpConfig {
        toml::from_str(
            "id = \"p\"\nname = \"p\"\nprofile = \"generic-oidc\"\nissuer = \"https://op.example\"\nclient_id = \"c\"\n",
        )
        .expect("config")
    }

    fn rsa(bits: u32) -> PKey<Private> {
        PKey::from_rsa(openssl::rsa::Rsa::generate(bits).expect("rsa")).expect("pkey")
    }

    fn jwk(key: &PKey<Private>, kid: &str) -> Value {
        let r = key.rsa().expect("rsa");
        serde_json::json!({"kty": "RSA", "kid": kid, "n": B64URL.encode(r.n().to_vec()),
            "e": B64URL.encode(r.e().to_vec())})
    }

    fn sign(key: &PKey<Private>, kid: &str, claims: Value) -> String {
        let header = serde_json::json!({"alg": "RS256", "kid": kid});
        let input = format!(
            "{}.{}",
            B64URL.encode(header.to_string()),
            B64URL.encode(claims.to_string())
        );
        let mut s = openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), key)
            .expect("signer");
        s.update(input.as_bytes()).expect("update");
        format!("{input}.{}", B64URL.encode(s.sign_to_vec().expect("sign")))
    }

    fn claims() -> Value {
        serde_json::json!({"iss": "https://op.example", "aud": "c", "sub": "s", "nonce": "n",
            "exp": NOW_MS / 1000 + 300, "iat": NOW_MS / 1000})
    }

    #[test]
    fn an_id_token_is_checked_offline_against_the_filtered_key_set() {
        let key = rsa(2048);
        let weak = rsa(1024);
        let jwks = serde_json::json!({"keys": [jwk(&key, "k1"), jwk(&weak, "weak"),
            {"kty": "EC", "kid": "p521", "crv": "P-521", "x": "AA", "y": "AA"},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"}]})
        .to_string();
        let c = config();
        let check = |token: &str, skew: i64| {
            check_id_token_offline(&c, jwks.as_bytes(), token, "n", NOW_MS, skew)
        };
        let ok = check(&sign(&key, "k1", claims()), 0).expect("valid");
        assert_eq!(ok["sub"], "s");
        let why = |token: &str| check(token, 0).expect_err("refused").0;
        assert!(why(&sign(&weak, "weak", claims())).contains("an RSA key of 1024 bits"));
        assert!(why(&sign(&key, "p521", claims())).contains("curve \"P-521\" not accepted"));
        assert!(why(&sign(&key, "hmac", claims())).contains("a symmetric key"));
        assert!(why(&sign(&key, "k9", claims())).contains("unknown kid \"k9\""));
        let mut c2 = claims();
        c2["azp"] = "other".into();
        assert!(why(&sign(&key, "k1", c2)).contains("azp names another client"));
        c2 = claims();
        c2["azp"] = "c".into();
        assert!(
            check(&sign(&key, "k1", c2), 0).is_ok(),
            "azp naming this client"
        );
        // Expired a second ago: refused without skew, accepted with a minute of it.
        c2 = claims();
        c2["exp"] = (NOW_MS / 1000 - 1).into();
        assert!(why(&sign(&key, "k1", c2.clone())).contains("expired"));
        assert!(check(&sign(&key, "k1", c2), 60_000).is_ok());
        c2 = claims();
        c2["iat"] = (NOW_MS / 1000 + 120).into();
        assert!(why(&sign(&key, "k1", c2.clone())).contains("issued in the future"));
        assert!(check(&sign(&key, "k1", c2), 180_000).is_ok());
        c2 = claims();
        c2["nbf"] = (NOW_MS / 1000 + 120).into();
        assert!(why(&sign(&key, "k1", c2)).contains("not yet valid"));
        let big = vec![b' '; MAX_RESPONSE_BYTES + 1];
        let e = check_id_token_offline(&c, &big, "a.b.c", "n", NOW_MS, 0).expect_err("big");
        assert!(e.0.contains("at most 262144 are read"), "{e}");
        assert!(why("a.b.c.d.e").contains("encrypted (JWE)"));
        assert!(why("not a token").contains("not a signed JWT"));
    }

    #[test]
    fn an_encrypted_id_token_opens_with_the_right_key_only() {
        use josekit::jwe::{JweHeader, RSA_OAEP};
        let sp = rsa(2048);
        let other = rsa(2048);
        let inner = sign(&rsa(2048), "k1", claims());
        let mut header = JweHeader::new();
        header.set_content_encryption("A256CBC-HS512");
        let encrypter = RSA_OAEP
            .encrypter_from_pem(sp.public_key_to_pem().expect("pem"))
            .expect("encrypter");
        let jwe = josekit::jwe::serialize_compact(inner.as_bytes(), &header, &encrypter)
            .expect("encrypt");
        let pem = |k: &PKey<Private>| k.private_key_to_pem_pkcs8().expect("pem");
        assert_eq!(decrypt_id_token(&pem(&sp), &jwe).expect("opens"), inner);
        let e = decrypt_id_token(&pem(&other), &jwe).expect_err("another key");
        assert!(e.0.contains("cannot be opened"), "{e}");
        let e = decrypt_id_token(&pem(&sp), &inner).expect_err("plain");
        assert!(e.0.contains("not encrypted"), "{e}");
        header.set_compression("DEF");
        let zipped = josekit::jwe::serialize_compact(inner.as_bytes(), &header, &encrypter)
            .expect("encrypt");
        let e = decrypt_id_token(&pem(&sp), &zipped).expect_err("zip");
        assert!(e.0.contains("compressed"), "{e}");
    }
}
