//! XML as the SAML endpoints parse it, canonicalized (exclusive, without comments) as
//! signatures are checked, on a worker's stack: never a crash, and the canonical form of
//! a document is a fixed point (parsed again, it canonicalizes to the same bytes).
#![no_main]

use hlidac::identity::xml;
use hlidac_fuzz::on_worker_stack_as_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    on_worker_stack_as_text(data, |text| {
        let Ok(doc) = xml::parse(text) else {
            return;
        };
        let root = doc.root_element();
        let canonical = xml::exc_c14n(&doc, root, None, &[]);
        // Subtrees, as a signature's reference picks them: each without its first child
        // element (where an enveloped signature sits), with an inclusive prefix list.
        let inclusive = ["saml".to_string(), "xs".into(), "#default".into()];
        for node in root.descendants().filter(|n| n.is_element()).take(8) {
            let first = node.children().find(|c| c.is_element()).map(|c| c.id());
            xml::exc_c14n(&doc, node, first, &inclusive);
        }
        let again = String::from_utf8(canonical.clone()).expect("canonical XML is UTF-8");
        // The canonical form may exceed a limit the original kept (it repeats namespace
        // declarations); what parses must come out the same.
        if let Ok(doc) = xml::parse(&again) {
            let twice = xml::exc_c14n(&doc, doc.root_element(), None, &[]);
            assert!(twice == canonical, "c14n is not a fixed point:\n{again}");
        }
    });
});
