//! `[identity]`: eID login, its sessions and rate limits, and each SAML or OpenID
//! Connect identity provider; the levels of assurance.

use super::{n64, yes};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// eIDAS levels of assurance, ordered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
#[derive(strum::IntoStaticStr, strum::VariantArray)]
#[strum(serialize_all = "snake_case")]
pub enum Loa {
    Low,
    Substantial,
    High,
}

impl Loa {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The service provider (SAML) and relying party (OIDC) side of eID login.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct IdentityConfig {
    /// The SAML entity id of this hlidac (default: `<public_url>/saml/metadata`).
    pub entity_id: Option<String>,
    /// The SP's private key (PEM): signs metadata, requests and logouts, and decrypts
    /// assertions. Needed when any `[[identity.saml]]` is configured.
    pub key_file: Option<PathBuf>,
    /// The SP's certificate (PEM) published in the metadata.
    pub cert_file: Option<PathBuf>,
    /// Tolerated clock difference with identity providers.
    pub clock_skew_secs: u64,
    /// A session ends after this long without a request…
    pub session_idle_secs: u64,
    /// …and at the latest this long after the login.
    pub session_max_secs: u64,
    /// A login must come back from the identity provider within this time.
    pub login_timeout_secs: u64,
    /// Login starts and returns allowed per client address (IPv6: per /64) and minute:
    /// that many at once, then refilled evenly over the minute.
    pub login_rate_per_minute: u32,
    /// The most client addresses the login rate limit tracks; past it, new clients share
    /// one allowance until the next sweep (each minute) drops the idle ones.
    pub login_rate_clients_max: usize,
    /// Stated with every registry call (registry exchanges require both).
    pub registry_purpose: String,
    pub registry_legal_basis: String,
    pub saml: Vec<SamlIdpConfig>,
    pub oidc: Vec<OidcIdpConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        IdentityConfig {
            entity_id: None,
            key_file: None,
            cert_file: None,
            clock_skew_secs: 60,
            session_idle_secs: 30 * 60,
            session_max_secs: 8 * 3600,
            login_timeout_secs: 10 * 60,
            login_rate_per_minute: 20,
            login_rate_clients_max: 100_000,
            registry_purpose: "linking a citizen who logged in with eID to the registry \
                record, to send the alerts they asked for"
                .into(),
            registry_legal_basis: "consent of the citizen, Art. 6(1)(a) GDPR".into(),
            saml: Vec::new(),
            oidc: Vec::new(),
        }
    }
}

/// How an identity provider's attributes become one verified identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Profile {
    #[serde(rename = "cz-nia")]
    CzNia,
    #[serde(rename = "eidas")]
    Eidas,
    #[serde(rename = "bg-eauth")]
    BgEauth,
    #[serde(rename = "rs-eid")]
    RsEid,
    #[serde(rename = "generic-oidc")]
    GenericOidc,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SamlBinding {
    #[default]
    Redirect,
    Post,
}

/// A SAML 2.0 identity provider.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SamlIdpConfig {
    /// Short id used in URLs and logs.
    pub id: String,
    /// The login button's label.
    pub name: String,
    pub profile: Profile,
    /// The IdP's entity id (the Issuer of its responses).
    pub entity_id: String,
    /// Where AuthnRequests go; default: the metadata's SingleSignOnService for the binding.
    pub sso_url: Option<String>,
    #[serde(default)]
    pub sso_binding: SamlBinding,
    /// Single logout (HTTP-Redirect); default: the metadata's. Without one, logout is
    /// local only.
    pub slo_url: Option<String>,
    /// The IdP's signing certificates (PEM; several for a key rollover), trusted in
    /// addition to those of its metadata. Without either, nothing could tell a forged
    /// response from a real one.
    #[serde(default)]
    pub signing_cert_files: Vec<PathBuf>,
    /// The IdP's metadata as a local file (read again on each refresh).
    pub metadata_file: Option<PathBuf>,
    /// The IdP's metadata fetched over HTTPS; it must be signed by a
    /// `metadata_signing_cert_files` certificate.
    pub metadata_url: Option<String>,
    /// Who signs the metadata (PEM): the federation or the IdP. Checked whenever given.
    #[serde(default)]
    pub metadata_signing_cert_files: Vec<PathBuf>,
    /// How often the metadata is read again (a failed refresh is retried after a minute;
    /// the last good metadata is used until its validUntil).
    #[serde(default = "n64::<3600>")]
    pub metadata_refresh_secs: u64,
    /// The level of assurance asked for (`Comparison="minimum"`).
    #[serde(default = "default_requested_loa")]
    pub loa: Loa,
    /// Require a signature on the Response as well as on the assertion.
    #[serde(default = "yes")]
    pub require_signed_response: bool,
    /// eIDAS `SPType` sent in the request's extensions.
    #[serde(default = "default_sp_type")]
    pub sp_type: String,
    /// Bulgarian eAuth: the service and provider codes of the `RequestedService` extension.
    pub eauth_service: Option<String>,
    pub eauth_provider: Option<String>,
}

impl SamlIdpConfig {
    /// Whether the IdP is described by metadata (a file or a URL).
    pub fn has_metadata(&self) -> bool {
        self.metadata_file.is_some() || self.metadata_url.is_some()
    }
}

fn default_requested_loa() -> Loa {
    Loa::Substantial
}
fn default_sp_type() -> String {
    "public".into()
}

/// An OpenID Connect provider.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcIdpConfig {
    pub id: String,
    pub name: String,
    pub profile: Profile,
    /// Must equal the `iss` of its ID tokens exactly.
    pub issuer: String,
    /// Where the provider's configuration is (default: `<issuer>/.well-known/openid-configuration`).
    pub discovery_url: Option<String>,
    pub client_id: String,
    /// The client secret (client_secret_basic); default: the systemd credential
    /// `oidc-<id>.secret`.
    pub client_secret_file: Option<PathBuf>,
    #[serde(default = "default_scopes")]
    pub scopes: Vec<String>,
    /// Signature algorithms accepted on ID tokens (asymmetric only).
    #[serde(default = "default_algs")]
    pub algorithms: Vec<String>,
    /// How the `acr` values this provider returns map onto levels of assurance (default:
    /// the eIDAS URIs `http://eidas.europa.eu/LoA/low|substantial|high`). A login whose
    /// `acr` is missing or not in this table has no level, and is refused.
    pub acr_levels: Option<BTreeMap<String, Loa>>,
    /// The provider asserts its level by other means than `acr` (its contract, or rs-eid's
    /// `ial` claim): a login without a known `acr` is then taken at `loa` (rs-eid: at its
    /// `ial` when present). `check-config` says so for each such provider.
    #[serde(default)]
    pub loa_asserted_otherwise: bool,
    /// The level taken for a login without a known `acr`, with `loa_asserted_otherwise`.
    #[serde(default = "default_oidc_loa")]
    pub loa: Loa,
    /// Sent as `acr_values` (space-separated), and as the values of the essential `acr`
    /// claim; default: the `acr_levels` values at or above the municipality's minimum.
    pub acr_values: Option<String>,
    /// Tolerated clock difference on this provider's tokens (default: the identity
    /// section's `clock_skew_secs`).
    pub clock_skew_secs: Option<u64>,
    /// How old the provider's discovery document and signing keys may grow before they
    /// are read again (looked at every minute and at each login; an ID token naming an
    /// unknown key makes them read again, at most once a minute).
    #[serde(default = "n64::<3600>")]
    pub jwks_refresh_secs: u64,
    /// The provider encrypts its ID tokens (JWE, RSA-OAEP with A256CBC-HS512, as the Czech
    /// NIA does); an unencrypted ID token is then refused.
    #[serde(default)]
    pub encrypted_id_token: bool,
    /// The RSA key (PEM) the ID tokens are encrypted to; default: `identity.key_file`.
    pub decryption_key_file: Option<PathBuf>,
}

fn default_scopes() -> Vec<String> {
    vec!["openid".into(), "profile".into(), "email".into()]
}
fn default_algs() -> Vec<String> {
    vec!["RS256".into(), "PS256".into(), "ES256".into()]
}
fn default_oidc_loa() -> Loa {
    Loa::Low
}
