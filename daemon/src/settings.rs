//! The configuration as the daemon loads it: parsed and checked by [`crate::config`],
//! with the checks only the notify and identity modules can make ([`Full`]): templates,
//! DKIM and SP keys, certificates, SAML metadata, SMS senders and gateways, local times,
//! OIDC algorithms and endpoints. Every command and test loads through here.

use crate::config::{Checks, Config, ConfigErrors, Overrides, SamlIdpConfig, SmsHttpConfig};
use std::path::Path;

/// The daemon's own checks of configured values.
pub struct Full;

impl Checks for Full {
    fn templates(&self, config: &Config) -> Result<(), Vec<(String, String)>> {
        crate::notify::Templates::load(config).map(|_| ())
    }

    fn local_times(&self, text: &str) -> bool {
        crate::notify::schedule::Window::parse(text).is_some()
    }

    fn local_time(&self, text: &str) -> bool {
        crate::notify::schedule::parse_hhmm(text).is_some()
    }

    fn sms_sender(&self, sender: &str) -> Result<(), String> {
        crate::notify::sms::check_sender(sender)
    }

    fn dkim_key(&self, path: &Path) -> Result<(), String> {
        crate::notify::email::dkim_key(path).map(|_| ())
    }

    fn sms_http_templates(&self, http: &SmsHttpConfig) -> Result<(), String> {
        crate::notify::sms_http::check_templates(http)
    }

    fn certificates(&self, pem: &[u8]) -> Result<(), String> {
        crate::identity::dsig::load_certs(pem)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn sp_keys(&self, key: &Path, cert: &Path) -> Result<(), String> {
        crate::identity::SpKeys::load(key, cert)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    fn oidc_algorithm(&self, alg: &str) -> bool {
        crate::identity::oidc::ACCEPTED_ALGS.contains(&alg)
    }

    fn oidc_endpoint(&self, url: &str) -> Result<(), String> {
        crate::identity::oidc::check_endpoint(url).map_err(|e| e.to_string())
    }

    fn saml_metadata(&self, idp: &SamlIdpConfig, metadata: &str) -> Result<(), String> {
        crate::identity::saml::SamlIdp::assemble(idp, Some(metadata), None)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

/// Loads and checks the config file at `path`, with `overrides`.
pub fn load(path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    crate::config::load(path, overrides, &Full)
}

/// Loads and checks config text as if read from `path`.
pub fn load_str(text: &str, path: &Path, overrides: &Overrides) -> Result<Config, ConfigErrors> {
    crate::config::load_str(text, path, overrides, &Full)
}
