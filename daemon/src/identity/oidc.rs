//! The OpenID Connect relying party: discovery, authorization code with PKCE (S256),
//! state and nonce, and strict ID token checks (issuer, audience, asymmetric algorithms
//! only, key by `kid`, expiry with the configured skew). The HTTP client follows no
//! redirects, so a provider cannot send hlidac's requests elsewhere.

use super::saml::Refused;
use crate::config::OidcIdpConfig;
use base64::Engine;
use openssl::bn::BigNum;
use openssl::hash::MessageDigest;
use openssl::pkey::{PKey, Public};
use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::Mutex;

/// Signature algorithms hlidac can check; HMAC and `none` are never among them.
pub const ACCEPTED_ALGS: &[&str] = &[
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384",
];

const B64URL: base64::engine::GeneralPurpose = base64::engine::general_purpose::URL_SAFE_NO_PAD;

#[derive(Clone, Debug)]
struct Discovered {
    authorization_endpoint: String,
    token_endpoint: String,
    userinfo_endpoint: Option<String>,
    jwks_uri: String,
    jwks: Vec<Value>,
}

pub struct OidcIdp {
    pub config: OidcIdpConfig,
    secret: String,
    http: reqwest::Client,
    discovered: Mutex<Option<Discovered>>,
}

/// What a login start keeps until the provider sends the browser back.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// An endpoint must be HTTPS, except on the loopback interface (tests, local proxies).
pub fn check_endpoint(url: &str) -> Result<(), String> {
    let u = url::Url::parse(url).map_err(|_| format!("{url:?} is not a URL"))?;
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if u.scheme() == "https" || (u.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(format!("{url:?} is not an HTTPS endpoint"))
    }
}

impl OidcIdp {
    pub fn new(config: &OidcIdpConfig, secret: String) -> Result<OidcIdp, String> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| e.to_string())?;
        Ok(OidcIdp {
            config: config.clone(),
            secret,
            http,
            discovered: Mutex::new(None),
        })
    }

    async fn get_json(&self, url: &str) -> Result<Value, String> {
        check_endpoint(url)?;
        let r = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| format!("{url}: {e}"))?;
        if !r.status().is_success() {
            return Err(format!("{url} answered {}", r.status()));
        }
        r.json().await.map_err(|e| format!("{url}: {e}"))
    }

    async fn discover(&self, refresh_keys: bool) -> Result<Discovered, String> {
        let cached = self.discovered.lock().expect("lock").clone();
        if let (Some(d), false) = (&cached, refresh_keys) {
            return Ok(d.clone());
        }
        let mut d = match cached {
            Some(d) => d,
            None => {
                let url = self.config.discovery_url.clone().unwrap_or_else(|| {
                    format!(
                        "{}/.well-known/openid-configuration",
                        self.config.issuer.trim_end_matches('/')
                    )
                });
                let doc = self.get_json(&url).await?;
                let s = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
                if s("issuer").as_deref() != Some(self.config.issuer.as_str()) {
                    return Err(format!(
                        "the discovery document names another issuer ({:?})",
                        s("issuer")
                    ));
                }
                let d = Discovered {
                    authorization_endpoint: s("authorization_endpoint")
                        .ok_or("no authorization_endpoint")?,
                    token_endpoint: s("token_endpoint").ok_or("no token_endpoint")?,
                    userinfo_endpoint: s("userinfo_endpoint"),
                    jwks_uri: s("jwks_uri").ok_or("no jwks_uri")?,
                    jwks: Vec::new(),
                };
                check_endpoint(&d.authorization_endpoint)?;
                check_endpoint(&d.token_endpoint)?;
                d
            }
        };
        let jwks = self.get_json(&d.jwks_uri).await?;
        d.jwks = jwks
            .get("keys")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        *self.discovered.lock().expect("lock") = Some(d.clone());
        Ok(d)
    }

    /// The authorization URL to send the browser to, and what to keep for the return.
    pub async fn start(&self, redirect_uri: &str) -> Result<(String, Pending), String> {
        let d = self.discover(false).await?;
        let pending = Pending {
            state: super::random_token(16),
            nonce: super::random_token(16),
            verifier: super::random_token(32),
        };
        let challenge = B64URL.encode(openssl::sha::sha256(pending.verifier.as_bytes()));
        let mut url = url::Url::parse(&d.authorization_endpoint).map_err(|e| e.to_string())?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("response_type", "code")
                .append_pair("client_id", &self.config.client_id)
                .append_pair("redirect_uri", redirect_uri)
                .append_pair("scope", &self.config.scopes.join(" "))
                .append_pair("state", &pending.state)
                .append_pair("nonce", &pending.nonce)
                .append_pair("code_challenge", &challenge)
                .append_pair("code_challenge_method", "S256");
            if let Some(acr) = &self.config.acr_values {
                q.append_pair("acr_values", acr);
            }
        }
        Ok((url.into(), pending))
    }

    /// Exchanges the code and checks the ID token; returns the claims (ID token and
    /// userinfo) as strings.
    pub async fn finish(
        &self,
        code: &str,
        redirect_uri: &str,
        pending: &Pending,
        now_ms: i64,
        skew_ms: i64,
    ) -> Result<BTreeMap<String, Vec<String>>, Refused> {
        let d = self.discover(false).await.map_err(Refused)?;
        let body: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("grant_type", "authorization_code")
            .append_pair("code", code)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("code_verifier", &pending.verifier)
            .finish();
        let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
        let basic = base64::engine::general_purpose::STANDARD.encode(format!(
            "{}:{}",
            enc(&self.config.client_id),
            enc(&self.secret)
        ));
        let r = self
            .http
            .post(&d.token_endpoint)
            .header("authorization", format!("Basic {basic}"))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
            .await
            .map_err(|e| Refused(format!("token endpoint unreachable: {e}")))?;
        if !r.status().is_success() {
            return Err(Refused(format!(
                "the token endpoint answered {}",
                r.status()
            )));
        }
        let tokens: Value = r
            .json()
            .await
            .map_err(|_| "the token response is not JSON")?;
        let id_token = tokens
            .get("id_token")
            .and_then(Value::as_str)
            .ok_or("the token response has no id_token")?;
        let claims = self
            .check_id_token(id_token, &pending.nonce, now_ms, skew_ms)
            .await?;
        let mut out = BTreeMap::new();
        flatten(&claims, &mut out);
        if let (Some(url), Some(access)) = (
            d.userinfo_endpoint.as_deref(),
            tokens.get("access_token").and_then(Value::as_str),
        ) {
            check_endpoint(url).map_err(Refused)?;
            let r = self
                .http
                .get(url)
                .bearer_auth(access)
                .send()
                .await
                .map_err(|e| Refused(format!("userinfo unreachable: {e}")))?;
            if r.status().is_success() {
                let info: Value = r.json().await.map_err(|_| "userinfo is not JSON")?;
                if info.get("sub") != claims.get("sub") {
                    return Err("userinfo describes another subject".into());
                }
                let mut extra = BTreeMap::new();
                flatten(&info, &mut extra);
                for (k, v) in extra {
                    out.entry(k).or_insert(v);
                }
            }
        }
        Ok(out)
    }

    /// Every check on an ID token; returns its claims.
    pub async fn check_id_token(
        &self,
        token: &str,
        nonce: &str,
        now_ms: i64,
        skew_ms: i64,
    ) -> Result<Value, Refused> {
        let mut parts = token.split('.');
        let (Some(h), Some(p), Some(s), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err("the ID token is not a signed JWT".into());
        };
        let header: Value = B64URL
            .decode(h)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("the ID token's header is malformed")?;
        let alg = header.get("alg").and_then(Value::as_str).unwrap_or("");
        if alg.eq_ignore_ascii_case("none") {
            return Err("the ID token is unsigned (alg none)".into());
        }
        if alg.starts_with("HS") {
            return Err(Refused(format!("HMAC-signed ID token refused ({alg})")));
        }
        if !self.config.algorithms.iter().any(|a| a == alg) || !ACCEPTED_ALGS.contains(&alg) {
            return Err(Refused(format!("ID token algorithm {alg:?} not accepted")));
        }
        let kid = header.get("kid").and_then(Value::as_str);
        let d = self.discover(false).await.map_err(Refused)?;
        let jwk = match find_key(&d.jwks, kid, alg) {
            Some(k) => k,
            // A provider may have rolled its keys: fetch them again once.
            None => {
                let d = self.discover(true).await.map_err(Refused)?;
                find_key(&d.jwks, kid, alg).ok_or_else(|| {
                    Refused(format!("unknown kid {kid:?}: no such key at the provider"))
                })?
            }
        };
        let key = public_key(&jwk).map_err(Refused)?;
        let sig = B64URL
            .decode(s)
            .map_err(|_| "the ID token's signature is malformed")?;
        let signed = format!("{h}.{p}");
        if !verify(&key, alg, signed.as_bytes(), &sig) {
            return Err("the ID token's signature does not verify".into());
        }
        let claims: Value = B64URL
            .decode(p)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .ok_or("the ID token's claims are malformed")?;
        let iss = claims.get("iss").and_then(Value::as_str);
        if iss != Some(self.config.issuer.as_str()) {
            return Err(Refused(format!("wrong issuer {iss:?}")));
        }
        let auds: Vec<&str> = match claims.get("aud") {
            Some(Value::String(a)) => vec![a.as_str()],
            Some(Value::Array(a)) => a.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !auds.contains(&self.config.client_id.as_str()) {
            return Err("wrong audience: the ID token is for another client".into());
        }
        if auds.len() > 1
            && claims.get("azp").and_then(Value::as_str) != Some(self.config.client_id.as_str())
        {
            return Err("the ID token has several audiences and another azp".into());
        }
        let secs = |k: &str| claims.get(k).and_then(Value::as_i64).map(|s| s * 1000);
        let exp = secs("exp").ok_or("the ID token has no exp")?;
        if now_ms >= exp + skew_ms {
            return Err("the ID token has expired".into());
        }
        let iat = secs("iat").ok_or("the ID token has no iat")?;
        if iat > now_ms + skew_ms {
            return Err("the ID token was issued in the future".into());
        }
        if let Some(nbf) = secs("nbf") {
            if nbf > now_ms + skew_ms {
                return Err("the ID token is not yet valid".into());
            }
        }
        let got = claims.get("nonce").and_then(Value::as_str).unwrap_or("");
        if got.len() != nonce.len() || !openssl::memcmp::eq(got.as_bytes(), nonce.as_bytes()) {
            return Err("wrong nonce: the ID token answers another login".into());
        }
        if claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or("")
            .is_empty()
        {
            return Err("the ID token has no sub".into());
        }
        Ok(claims)
    }
}

fn flatten(claims: &Value, out: &mut BTreeMap<String, Vec<String>>) {
    if let Some(map) = claims.as_object() {
        for (k, v) in map {
            let values = match v {
                Value::String(s) => vec![s.clone()],
                Value::Array(a) => a
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect(),
                Value::Null | Value::Object(_) => continue,
                other => vec![other.to_string()],
            };
            out.insert(k.clone(), values);
        }
    }
}

fn find_key(keys: &[Value], kid: Option<&str>, alg: &str) -> Option<Value> {
    let family = if alg.starts_with("ES") { "EC" } else { "RSA" };
    let usable = |k: &&Value| {
        k.get("kty").and_then(Value::as_str) == Some(family)
            && k.get("use").and_then(Value::as_str).unwrap_or("sig") == "sig"
            && k.get("alg")
                .and_then(Value::as_str)
                .is_none_or(|a| a == alg)
    };
    let mut candidates = keys.iter().filter(usable);
    match kid {
        Some(kid) => candidates
            .find(|k| k.get("kid").and_then(Value::as_str) == Some(kid))
            .cloned(),
        None => {
            let first = candidates.next().cloned();
            // Without a kid, only an unambiguous key will do.
            if candidates.next().is_some() {
                None
            } else {
                first
            }
        }
    }
}

fn public_key(jwk: &Value) -> Result<PKey<Public>, String> {
    let field = |k: &str| -> Result<BigNum, String> {
        let s = jwk
            .get(k)
            .and_then(Value::as_str)
            .ok_or(format!("the key has no {k}"))?;
        let b = B64URL
            .decode(s)
            .map_err(|_| format!("the key's {k} is malformed"))?;
        BigNum::from_slice(&b).map_err(|e| e.to_string())
    };
    match jwk.get("kty").and_then(Value::as_str) {
        Some("RSA") => {
            let rsa = openssl::rsa::Rsa::from_public_components(field("n")?, field("e")?)
                .map_err(|e| e.to_string())?;
            PKey::from_rsa(rsa).map_err(|e| e.to_string())
        }
        Some("EC") => {
            let nid = match jwk.get("crv").and_then(Value::as_str) {
                Some("P-256") => openssl::nid::Nid::X9_62_PRIME256V1,
                Some("P-384") => openssl::nid::Nid::SECP384R1,
                other => return Err(format!("curve {other:?} not accepted")),
            };
            let group = openssl::ec::EcGroup::from_curve_name(nid).map_err(|e| e.to_string())?;
            let key = openssl::ec::EcKey::from_public_key_affine_coordinates(
                &group,
                &*field("x")?,
                &*field("y")?,
            )
            .map_err(|e| e.to_string())?;
            PKey::from_ec_key(key).map_err(|e| e.to_string())
        }
        other => Err(format!("key type {other:?} not accepted")),
    }
}

fn verify(key: &PKey<Public>, alg: &str, data: &[u8], sig: &[u8]) -> bool {
    let md = match &alg[2..] {
        "256" => MessageDigest::sha256(),
        "384" => MessageDigest::sha384(),
        "512" => MessageDigest::sha512(),
        _ => return false,
    };
    let sig = if alg.starts_with("ES") {
        if sig.is_empty() || sig.len() % 2 != 0 {
            return false;
        }
        let (r, s) = sig.split_at(sig.len() / 2);
        match (BigNum::from_slice(r), BigNum::from_slice(s)) {
            (Ok(r), Ok(s)) => match openssl::ecdsa::EcdsaSig::from_private_components(r, s)
                .and_then(|s| s.to_der())
            {
                Ok(der) => der,
                Err(_) => return false,
            },
            _ => return false,
        }
    } else {
        sig.to_vec()
    };
    let Ok(mut v) = openssl::sign::Verifier::new(md, key) else {
        return false;
    };
    if alg.starts_with("PS")
        && (v.set_rsa_padding(openssl::rsa::Padding::PKCS1_PSS).is_err()
            || v.set_rsa_pss_saltlen(openssl::sign::RsaPssSaltlen::DIGEST_LENGTH)
                .is_err())
    {
        return false;
    }
    v.update(data).is_ok() && v.verify(&sig).unwrap_or(false)
}
