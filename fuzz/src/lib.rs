//! What the fuzz targets share: each input is checked on a thread with a tokio worker's
//! stack, and the SAML targets check against fixed keys, identity providers and a fixed
//! clock (the keys in `keys/`, made by `make-seeds` together with the signed seeds).

use hlidac::identity::saml::{SamlIdp, Sp};
use hlidac::identity::SpKeys;
use openssl::pkey::PKey;
use openssl::x509::X509;
use std::sync::OnceLock;

/// The stack of a tokio worker thread (tokio's default `thread_stack_size`), where the
/// daemon's handlers run.
pub const WORKER_STACK: usize = 2 << 20;

/// Runs `work` on a new thread with [`WORKER_STACK`] bytes of stack and waits for it, so
/// that a recursion deep enough to overflow a worker crashes the fuzz run too (the main
/// thread's stack is larger). A panic on that thread is raised again here.
pub fn on_worker_stack<F: FnOnce() + Send>(work: F) {
    std::thread::scope(|s| {
        let worker = std::thread::Builder::new()
            .name("worker".into())
            .stack_size(WORKER_STACK)
            .spawn_scoped(s, work)
            .expect("a thread for the input");
        if let Err(panic) = worker.join() {
            std::panic::resume_unwind(panic);
        }
    });
}

/// Runs `check` with the input as text on a worker's stack ([`on_worker_stack`]); an input
/// that is not UTF-8 is passed over.
pub fn on_worker_stack_as_text<F: FnOnce(&str) + Send>(data: &[u8], check: F) {
    if let Ok(text) = std::str::from_utf8(data) {
        on_worker_stack(|| check(text));
    }
}

/// The fixed clock: 2026-01-01T00:01:00Z, a minute after the seeds were issued.
pub const NOW_MS: i64 = 1_767_225_660_000;
pub const SKEW_MS: i64 = 60_000;
pub const SP_ENTITY_ID: &str = "https://hlidac.example/saml/metadata";
pub const ACS_URL: &str = "https://hlidac.example/saml/acs";
pub const SLO_URL: &str = "https://hlidac.example/saml/slo";
/// An IdP that must sign its Responses (the default).
pub const IDP_ENTITY_ID: &str = "https://idp.example/metadata";
/// An IdP configured with `require_signed_response = false` (its assertions are signed):
/// a changed Response around a signed assertion gets further into the checks.
pub const IDP_B_ENTITY_ID: &str = "https://idp-b.example/metadata";

const SP_KEY: &[u8] = include_bytes!("../keys/sp.key");
const SP_CERT: &[u8] = include_bytes!("../keys/sp.crt");
const IDP_CERT: &[u8] = include_bytes!("../keys/idp.crt");
const IDP_EC_CERT: &[u8] = include_bytes!("../keys/idp-ec.crt");

/// The IdP's certificates: RSA and EC P-256.
pub fn idp_certs() -> &'static [X509] {
    static CERTS: OnceLock<Vec<X509>> = OnceLock::new();
    CERTS.get_or_init(|| {
        vec![
            X509::from_pem(IDP_CERT).expect("keys/idp.crt"),
            X509::from_pem(IDP_EC_CERT).expect("keys/idp-ec.crt"),
        ]
    })
}

/// hlidac's service provider and the two identity providers it trusts.
pub struct Saml {
    pub sp: Sp,
    pub idps: Vec<SamlIdp>,
}

pub fn saml() -> &'static Saml {
    static SAML: OnceLock<Saml> = OnceLock::new();
    SAML.get_or_init(|| {
        let sp = Sp {
            entity_id: SP_ENTITY_ID.into(),
            acs_url: ACS_URL.into(),
            slo_url: SLO_URL.into(),
            keys: SpKeys {
                key: PKey::private_key_from_pem(SP_KEY).expect("keys/sp.key"),
                cert: X509::from_pem(SP_CERT).expect("keys/sp.crt"),
            },
            skew_ms: SKEW_MS,
            sp_type: "public".into(),
            metadata_cache: Default::default(),
        };
        let idp = |id: &str, entity_id: &str, require_signed_response: bool| {
            let config = serde_json::from_value(serde_json::json!({
                "id": id,
                "name": id,
                "profile": "eidas",
                "entity_id": entity_id,
                "sso_url": "https://idp.example/sso",
                "slo_url": "https://idp.example/slo",
                "require_signed_response": require_signed_response,
            }))
            .expect("an IdP configuration");
            SamlIdp {
                config,
                certs: idp_certs().to_vec(),
                sso_url: "https://idp.example/sso".into(),
                slo_url: Some("https://idp.example/slo".into()),
                slo_response_url: None,
                valid_until_ms: None,
            }
        };
        Saml {
            sp,
            idps: vec![
                idp("idp", IDP_ENTITY_ID, true),
                idp("idp-b", IDP_B_ENTITY_ID, false),
            ],
        }
    })
}
