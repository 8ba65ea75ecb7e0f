//! An ID token and the provider's JWKS, checked offline as the OpenID Connect callback
//! checks them (`oidc::check_id_token_offline`: JWKS parsing, key choice, signature,
//! issuer, audience, nonce, expiry with the skew), with a fixed provider and clock, on a
//! worker's stack. The input is the JWKS, a NUL byte, then the token. Never a crash.
#![no_main]

use hlidac::config::OidcIdpConfig;
use hlidac::identity::oidc::check_id_token_offline;
use hlidac_fuzz::{on_worker_stack, NOW_MS, SKEW_MS};
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

/// The nonce and the provider of the seed token (`make-seeds`).
const NONCE: &str = "n-0S6_WzA2Mj";

fn provider() -> &'static OidcIdpConfig {
    static CONFIG: OnceLock<OidcIdpConfig> = OnceLock::new();
    CONFIG.get_or_init(|| {
        serde_json::from_value(serde_json::json!({
            "id": "op",
            "name": "op",
            "profile": "generic-oidc",
            "issuer": "https://op.example",
            "client_id": "hlidac",
            "acr_levels": { "http://eidas.europa.eu/LoA/substantial": "substantial" },
        }))
        .expect("a provider's configuration")
    })
}

fuzz_target!(|data: &[u8]| {
    let Some(at) = data.iter().position(|b| *b == 0) else {
        return;
    };
    let (jwks, token) = (&data[..at], &data[at + 1..]);
    let Ok(token) = std::str::from_utf8(token) else {
        return;
    };
    on_worker_stack(|| {
        let _ = check_id_token_offline(provider(), jwks, token, NONCE, NOW_MS, SKEW_MS);
    });
});
