//! XML signature verification with fixed IdP certificates (RSA and EC P-256), on a
//! worker's stack: never a crash, whatever the document, its references and transforms.
#![no_main]

use hlidac::identity::{dsig, xml};
use hlidac_fuzz::{idp_certs, on_worker_stack_as_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    on_worker_stack_as_text(data, |text| {
        let Ok(doc) = xml::parse(text) else {
            return;
        };
        // The root, and the first few elements that carry a signature (an assertion).
        let signed = doc
            .descendants()
            .filter(|n| n.is_element())
            .filter(|n| {
                n.id() == doc.root_element().id()
                    || dsig::signature_of(*n).is_ok_and(|s| s.is_some())
            })
            .take(4);
        for element in signed {
            let _ = dsig::verify_element(&doc, element, idp_certs());
        }
    });
});
