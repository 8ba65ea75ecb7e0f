//! The OpenID Connect relying party on the `openidconnect` crate: discovery, the
//! authorization code flow with PKCE (S256), state and nonce, the code exchange and
//! userinfo. The ID token is checked in [`super::oidc_token`]. hlidac's own parts are what
//! the crate leaves to the application: the HTTP client (no redirects followed, every
//! answer read up to [`MAX_RESPONSE_BYTES`] before parsing), the key set read again once
//! older than `jwks_refresh_secs` and on an unknown `kid` (at most once a minute), with
//! withdrawn keys remembered so that a token signed with one is refused with that reason,
//! and the `acr` asked for as an essential claim. The level of a login (the returned `acr`
//! mapped by the provider's `acr_levels`) is read in [`super::oidc_loa`].

use super::oidc_token::{self, Check, KeySet, MAX_RESPONSE_BYTES};
use super::saml::Refused;
use crate::config::OidcIdpConfig;
use hlidac_adapters::capped::{self, BodyError};
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
    CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJwsSigningAlgorithm,
    CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessToken, AuthenticationContextClass, AuthorizationCode, ClientId, ClientSecret, CsrfToken,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, ExtraTokenFields, IdToken, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    RequestTokenError, Scope, StandardErrorResponse, StandardTokenResponse, SubjectIdentifier,
};
use serde_json::Value;
use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

pub use super::oidc_loa::{acr_levels, acr_wanted, config_notes, level_of_login};
pub use super::oidc_token::{check_id_token_offline, ACCEPTED_ALGS};

/// An unknown `kid` reads the keys again at most this often.
const UNKNOWN_KID_REFRESH_MS: i64 = 60_000;
/// How many withdrawn key ids are remembered (for the reason of a refusal).
const WITHDRAWN_KEPT: usize = 32;

/// An HTTP failure on the way to or from the provider, in plain words.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Fetch(String);

/// The token endpoint's answer. The ID token stays text here: it may be encrypted, and is
/// opened and checked after the exchange.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
pub struct RawIdToken {
    id_token: Option<String>,
}
impl ExtraTokenFields for RawIdToken {}

#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(transparent)]
pub struct TokenAnswer(StandardTokenResponse<RawIdToken, CoreTokenType>);

impl OAuth2TokenResponse for TokenAnswer {
    type TokenType = CoreTokenType;
    fn access_token(&self) -> &AccessToken {
        self.0.access_token()
    }
    fn token_type(&self) -> &CoreTokenType {
        self.0.token_type()
    }
    fn expires_in(&self) -> Option<std::time::Duration> {
        self.0.expires_in()
    }
    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.0.refresh_token()
    }
    fn scopes(&self) -> Option<&Vec<Scope>> {
        self.0.scopes()
    }
}

impl
    openidconnect::TokenResponse<
        AllClaims,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    > for TokenAnswer
{
    /// Always none: the ID token is read as text ([`RawIdToken`]).
    fn id_token(
        &self,
    ) -> Option<
        &IdToken<
            AllClaims,
            CoreGenderClaim,
            CoreJweContentEncryptionAlgorithm,
            CoreJwsSigningAlgorithm,
        >,
    > {
        None
    }
}

/// Every claim of a userinfo answer, for the attribute profile.
#[derive(Clone, Debug, serde::Deserialize, serde::Serialize)]
#[serde(transparent)]
pub struct AllClaims(serde_json::Map<String, Value>);
impl openidconnect::AdditionalClaims for AllClaims {}

type RpClient = openidconnect::Client<
    AllClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenAnswer,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// What was read from the provider, and when.
#[derive(Clone)]
struct Provider {
    metadata: CoreProviderMetadata,
    keys: KeySet,
    read_ms: i64,
}

#[derive(Default)]
struct Cache {
    provider: Option<Provider>,
    /// When the keys were last read (or tried), for the unknown-kid limit.
    tried_ms: Option<i64>,
    /// Key ids the provider listed once and no longer does.
    withdrawn: VecDeque<String>,
}

pub struct OidcIdp {
    pub config: OidcIdpConfig,
    secret: String,
    http: reqwest::Client,
    /// The RSA key (PEM) encrypted ID tokens are opened with.
    decryption_key: Option<Vec<u8>>,
    cache: Mutex<Cache>,
}

/// What a login start keeps until the provider sends the browser back.
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

/// Why an OpenID provider could not be read or used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OidcError {
    #[error("{0:?} is not a URL")]
    NotUrl(String),
    #[error("{0:?} is not an HTTPS endpoint")]
    NotHttps(String),
    /// A request to the provider failed (the URL, and what went wrong).
    #[error("{0}")]
    Fetch(String),
    #[error("{url} answered {status}")]
    Status {
        url: String,
        status: openidconnect::http::StatusCode,
    },
    #[error("identity provider {0}: encrypted ID tokens need a decryption key")]
    NeedsDecryptionKey(String),
    #[error("the discovery document is malformed ({0})")]
    Discovery(String),
    #[error("the discovery document names another issuer ({0:?})")]
    OtherIssuer(String),
    #[error("the discovery document has no token_endpoint")]
    NoTokenEndpoint,
    #[error(transparent)]
    Keys(#[from] super::oidc_token::KeySetError),
    /// Setting up the HTTP client or the redirect address failed: its words.
    #[error("{0}")]
    Setup(String),
}

/// For the callers that still report in words.
impl From<OidcError> for String {
    fn from(e: OidcError) -> String {
        e.to_string()
    }
}

/// An endpoint must be HTTPS, except on the loopback interface (tests, local proxies).
pub fn check_endpoint(url: &str) -> Result<(), OidcError> {
    let u = url::Url::parse(url).map_err(|_| OidcError::NotUrl(url.into()))?;
    let loopback = matches!(u.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
    if u.scheme() == "https" || (u.scheme() == "http" && loopback) {
        Ok(())
    } else {
        Err(OidcError::NotHttps(url.into()))
    }
}

/// One request to the provider: HTTPS only (loopback excepted), no redirect followed, the
/// answer read up to [`MAX_RESPONSE_BYTES`].
async fn fetch(
    http: &reqwest::Client,
    request: openidconnect::HttpRequest,
) -> Result<openidconnect::HttpResponse, Fetch> {
    let url = request.uri().to_string();
    check_endpoint(&url).map_err(|e| Fetch(e.to_string()))?;
    let (parts, body) = request.into_parts();
    let r = http
        .request(parts.method, &url)
        .headers(parts.headers)
        .body(body)
        .send()
        .await
        .map_err(|e| Fetch(format!("{url} unreachable ({})", e.without_url())))?;
    let status = r.status();
    if status.is_redirection() {
        return Err(Fetch(format!(
            "{url} answered with a redirect ({status}), which is not followed"
        )));
    }
    let headers = r.headers().clone();
    let body = capped::body(r, MAX_RESPONSE_BYTES)
        .await
        .map_err(|e| match e {
            BodyError::TooLarge(max) => Fetch(format!("{url} answered with more than {max} bytes")),
            BodyError::Broken(e) => {
                Fetch(format!("{url}: the answer broke off ({})", e.without_url()))
            }
        })?;
    let mut response = openidconnect::HttpResponse::new(body);
    *response.status_mut() = status;
    *response.headers_mut() = headers;
    Ok(response)
}

/// The crate's HTTP client: [`fetch`] on the daemon's `reqwest` client.
struct Http<'a>(&'a reqwest::Client);

impl<'c> openidconnect::AsyncHttpClient<'c> for Http<'_> {
    type Error = Fetch;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<Output = Result<openidconnect::HttpResponse, Fetch>>
                + Send
                + 'c,
        >,
    >;
    fn call(&'c self, request: openidconnect::HttpRequest) -> Self::Future {
        Box::pin(fetch(self.0, request))
    }
}

impl OidcIdp {
    pub fn new(
        config: &OidcIdpConfig,
        secret: String,
        decryption_key: Option<Vec<u8>>,
    ) -> Result<OidcIdp, OidcError> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Setup(e.to_string()))?;
        if config.encrypted_id_token && decryption_key.is_none() {
            return Err(OidcError::NeedsDecryptionKey(config.id.clone()));
        }
        Ok(OidcIdp {
            config: config.clone(),
            secret,
            http,
            decryption_key,
            cache: Mutex::new(Cache::default()),
        })
    }

    fn skew_ms(&self, default_ms: i64) -> i64 {
        self.config
            .clock_skew_secs
            .map_or(default_ms, |s| s as i64 * 1000)
    }

    async fn get(&self, url: &str) -> Result<Vec<u8>, OidcError> {
        let request = openidconnect::http::Request::get(url)
            .header("accept", "application/json")
            .body(Vec::new())
            .map_err(|_| OidcError::NotUrl(url.into()))?;
        let r = fetch(&self.http, request)
            .await
            .map_err(|e| OidcError::Fetch(e.0))?;
        if !r.status().is_success() {
            return Err(OidcError::Status {
                url: url.into(),
                status: r.status(),
            });
        }
        Ok(r.into_body())
    }

    /// Reads the discovery document and the key set.
    async fn read_provider(&self, now_ms: i64) -> Result<Provider, OidcError> {
        let url = self.config.discovery_url.clone().unwrap_or_else(|| {
            format!(
                "{}/.well-known/openid-configuration",
                self.config.issuer.trim_end_matches('/')
            )
        });
        let doc = self.get(&url).await?;
        let metadata: CoreProviderMetadata =
            serde_json::from_slice(&doc).map_err(|e| OidcError::Discovery(e.to_string()))?;
        if metadata.issuer().as_str() != self.config.issuer {
            return Err(OidcError::OtherIssuer(metadata.issuer().as_str().into()));
        }
        check_endpoint(metadata.authorization_endpoint().as_str())?;
        let token = metadata
            .token_endpoint()
            .ok_or(OidcError::NoTokenEndpoint)?;
        check_endpoint(token.as_str())?;
        if let Some(u) = metadata.userinfo_endpoint() {
            check_endpoint(u.as_str())?;
        }
        let jwks = self.get(metadata.jwks_uri().as_str()).await?;
        let keys = KeySet::parse(&jwks)?;
        Ok(Provider {
            metadata,
            keys,
            read_ms: now_ms,
        })
    }

    /// Reads the provider again and puts it in use; a key that was listed and is not any
    /// more is remembered as withdrawn.
    async fn refresh(&self, now_ms: i64) -> Result<Provider, OidcError> {
        self.cache
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .tried_ms = Some(now_ms);
        let fresh = self.read_provider(now_ms).await?;
        let mut cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = &cache.provider {
            let gone: Vec<String> = old
                .keys
                .kids
                .iter()
                .filter(|k| !fresh.keys.kids.contains(k))
                .cloned()
                .collect();
            for kid in gone {
                tracing::info!(idp = %self.config.id, kid = ?kid, "the provider withdrew a signing key");
                cache.withdrawn.push_back(kid);
            }
        }
        cache.withdrawn.retain(|k| !fresh.keys.kids.contains(k));
        while cache.withdrawn.len() > WITHDRAWN_KEPT {
            cache.withdrawn.pop_front();
        }
        cache.provider = Some(fresh.clone());
        Ok(fresh)
    }

    /// The provider as last read; read again when older than `jwks_refresh_secs`. A failed
    /// scheduled read keeps the last good one in use (and is tried again after a minute).
    async fn provider(&self, now_ms: i64) -> Result<Provider, OidcError> {
        let (current, tried) = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            (cache.provider.clone(), cache.tried_ms)
        };
        let due = |p: &Provider| now_ms - p.read_ms >= self.config.jwks_refresh_secs as i64 * 1000;
        match current {
            Some(p) if !due(&p) => Ok(p),
            Some(p) if tried.is_some_and(|t| now_ms - t < UNKNOWN_KID_REFRESH_MS) => Ok(p),
            Some(p) => match self.refresh(now_ms).await {
                Ok(fresh) => Ok(fresh),
                Err(e) => {
                    tracing::warn!(idp = %self.config.id, error = %e, "reading the provider's keys failed; the last good ones stay in use");
                    Ok(p)
                }
            },
            None => self.refresh(now_ms).await,
        }
    }

    /// Reads the provider when it was never read or its keys are due (the scheduled
    /// refresh).
    pub async fn keep_fresh(&self, now_ms: i64) -> Result<(), OidcError> {
        self.provider(now_ms).await.map(|_| ())
    }

    fn client(&self, p: &Provider, redirect_uri: &str) -> Result<RpClient, OidcError> {
        Ok(RpClient::from_provider_metadata(
            p.metadata.clone(),
            ClientId::new(self.config.client_id.clone()),
            Some(ClientSecret::new(self.secret.clone())),
        )
        .set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_string())
                .map_err(|e| OidcError::Setup(e.to_string()))?,
        ))
    }

    /// The authorization URL to send the browser to, and what to keep for the return.
    /// `acr` is asked for twice: as `acr_values` and as an essential claim of the ID token
    /// with the values that reach `min_level`.
    pub async fn start(
        &self,
        redirect_uri: &str,
        acr_wanted: &[String],
        now_ms: i64,
    ) -> Result<(String, Pending), OidcError> {
        let p = self.provider(now_ms).await?;
        let client = self.client(&p, redirect_uri)?;
        let pending = Pending {
            state: super::random_token(16),
            nonce: super::random_token(16),
            verifier: super::random_token(32),
        };
        let challenge = PkceCodeChallenge::from_code_verifier_sha256(&PkceCodeVerifier::new(
            pending.verifier.clone(),
        ));
        let (state, nonce) = (pending.state.clone(), pending.nonce.clone());
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                move || CsrfToken::new(state),
                move || Nonce::new(nonce),
            )
            .set_pkce_challenge(challenge);
        for s in self.config.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(s.clone()));
        }
        for acr in acr_wanted {
            request = request.add_auth_context_value(AuthenticationContextClass::new(acr.clone()));
        }
        if !acr_wanted.is_empty() {
            let claims =
                serde_json::json!({"id_token": {"acr": {"essential": true, "values": acr_wanted}}});
            request = request.add_extra_param("claims", claims.to_string());
        }
        let (url, _, _) = request.url();
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
        default_skew_ms: i64,
    ) -> Result<BTreeMap<String, Vec<String>>, Refused> {
        let p = self.provider(now_ms).await.map_err(Refused::from)?;
        let client = self.client(&p, redirect_uri).map_err(Refused::from)?;
        let http = Http(&self.http);
        let answer = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| Refused(format!("no token endpoint ({e})")))?
            .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
            .request_async(&http)
            .await
            .map_err(|e| match e {
                RequestTokenError::Request(f) => Refused(format!("token endpoint: {f}")),
                RequestTokenError::ServerResponse(r) => Refused(format!(
                    "the token endpoint refused the code ({:?})",
                    r.error().to_string()
                )),
                RequestTokenError::Parse(_, _) => "the token response is malformed".into(),
                RequestTokenError::Other(m) => Refused(format!("token endpoint: {m:?}")),
            })?;
        let raw = answer
            .0
            .extra_fields()
            .id_token
            .as_deref()
            .ok_or("the token response has no id_token")?;
        let signed = match (&self.decryption_key, self.config.encrypted_id_token) {
            (Some(key), true) => oidc_token::decrypt_id_token(key, raw)?,
            _ => raw.to_string(),
        };
        let claims = self
            .check_id_token(
                &signed,
                &pending.nonce,
                now_ms,
                self.skew_ms(default_skew_ms),
            )
            .await?;
        let sub = claims
            .get("sub")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let mut out = BTreeMap::new();
        flatten(&claims, &mut out);
        if let Ok(request) = client.user_info(
            answer.access_token().clone(),
            Some(SubjectIdentifier::new(sub)),
        ) {
            use openidconnect::UserInfoError as U;
            let info: Result<openidconnect::UserInfoClaims<AllClaims, CoreGenderClaim>, _> =
                request.request_async(&http).await;
            match info {
                Ok(info) => {
                    let value = serde_json::to_value(&info).map_err(|e| Refused(e.to_string()))?;
                    let mut extra = BTreeMap::new();
                    flatten(&value, &mut extra);
                    for (k, v) in extra {
                        out.entry(k).or_insert(v);
                    }
                }
                Err(U::ClaimsVerification(_)) => {
                    return Err("userinfo describes another subject".into())
                }
                // The ID token is enough to log in; a userinfo endpoint that fails only
                // gives no more claims.
                Err(U::Response(status, _, _)) => {
                    tracing::warn!(idp = %self.config.id, %status, "userinfo answered with an error");
                }
                Err(U::Request(f)) => return Err(Refused(format!("userinfo: {f}"))),
                Err(U::Parse(_)) => return Err("userinfo is malformed".into()),
                Err(e) => return Err(Refused(format!("userinfo: {:?}", e.to_string()))),
            }
        }
        Ok(out)
    }

    /// Every check on a signed ID token against the provider's keys; an unknown `kid` reads
    /// the keys again (at most once a minute). Returns its claims.
    pub async fn check_id_token(
        &self,
        token: &str,
        nonce: &str,
        now_ms: i64,
        skew_ms: i64,
    ) -> Result<Value, Refused> {
        let p = self.provider(now_ms).await.map_err(Refused::from)?;
        let kid = match oidc_token::check_id_token(
            &self.config,
            &p.keys,
            token,
            nonce,
            now_ms,
            skew_ms,
        ) {
            Ok(claims) => return Ok(claims),
            Err(Check::Refused(r)) => return Err(r),
            Err(Check::UnknownKey(kid)) => kid,
        };
        let (tried, withdrawn) = {
            let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
            (
                cache.tried_ms,
                kid.as_ref().is_some_and(|k| cache.withdrawn.contains(k)),
            )
        };
        if withdrawn {
            return Err(withdrawn_key(kid.as_deref()));
        }
        if tried.is_some_and(|t| now_ms - t < UNKNOWN_KID_REFRESH_MS) {
            return Err(oidc_token::unknown_kid(kid.as_deref()));
        }
        // A provider may have rolled its keys.
        let p = self.refresh(now_ms).await.map_err(Refused::from)?;
        match oidc_token::check_id_token(&self.config, &p.keys, token, nonce, now_ms, skew_ms) {
            Ok(claims) => Ok(claims),
            Err(Check::Refused(r)) => Err(r),
            Err(Check::UnknownKey(kid)) => {
                let cache = self.cache.lock().unwrap_or_else(|p| p.into_inner());
                if kid.as_ref().is_some_and(|k| cache.withdrawn.contains(k)) {
                    Err(withdrawn_key(kid.as_deref()))
                } else {
                    Err(oidc_token::unknown_kid(kid.as_deref()))
                }
            }
        }
    }
}

fn withdrawn_key(kid: Option<&str>) -> Refused {
    Refused(format!(
        "unknown kid {}: the provider withdrew this key",
        oidc_token::kid_text(kid)
    ))
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
