//! The checks of configured values that only the module using them can make: that the
//! templates render, that keys and certificates load, that sender names, local times,
//! algorithms and endpoints are ones the daemon can use. The configuration module does
//! not depend on those modules; the loader asks a [`Checks`] given by its caller, at the
//! place in the file's order where each value is checked. [`crate::settings`] gives the
//! daemon's own.

use super::{Config, SamlIdpConfig, SmsHttpConfig};
use std::path::Path;

pub trait Checks {
    /// Every tenant's templates: (key, why) for each that does not load.
    fn templates(&self, config: &Config) -> Result<(), Vec<(String, String)>>;
    /// A span of local times, "HH:MM-HH:MM".
    fn local_times(&self, text: &str) -> bool;
    /// A local time, "HH:MM".
    fn local_time(&self, text: &str) -> bool;
    fn sms_sender(&self, sender: &str) -> Result<(), String>;
    fn dkim_key(&self, path: &Path) -> Result<(), String>;
    fn sms_http_templates(&self, http: &SmsHttpConfig) -> Result<(), String>;
    /// PEM certificates, one or more.
    fn certificates(&self, pem: &[u8]) -> Result<(), String>;
    /// The service provider's key and certificate, a pair.
    fn sp_keys(&self, key: &Path, cert: &Path) -> Result<(), String>;
    fn oidc_algorithm(&self, alg: &str) -> bool;
    fn oidc_endpoint(&self, url: &str) -> Result<(), String>;
    /// A SAML identity provider with its metadata file's text.
    fn saml_metadata(&self, idp: &SamlIdpConfig, metadata: &str) -> Result<(), String>;
}
