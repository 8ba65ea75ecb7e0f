//! The whole check of a Response posted to the ACS (`Sp::check_response`), with fixed
//! keys, IdPs and clock, on a worker's stack. The input is the Response's XML (the target
//! base64-encodes it as a browser posts it). Never a crash; an accepted assertion answers
//! a request, names someone and is still valid.
#![no_main]

use base64::Engine;
use hlidac_fuzz::{on_worker_stack, saml, NOW_MS, SKEW_MS};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let posted = base64::engine::general_purpose::STANDARD.encode(data);
    on_worker_stack(|| {
        let s = saml();
        if let Ok(a) = s.sp.check_response(&s.idps, &posted, NOW_MS) {
            assert!(!a.in_response_to.is_empty() && !a.name_id.is_empty());
            assert!(a.valid_until_ms > NOW_MS - SKEW_MS, "accepted when expired");
        }
    });
});
