//! A push body: never a panic; an accepted body has printable, unique keys.
#![no_main]

use hlidac_adapters::push::parse_push_body;
use hlidac_adapters::sane_key;
use libfuzzer_sys::fuzz_target;
use std::collections::HashSet;

fuzz_target!(|data: &[u8]| {
    if let Ok(body) = parse_push_body(data) {
        let mut keys = HashSet::new();
        for r in &body.receivables {
            assert!(sane_key(&r.key) && keys.insert(r.key.clone()));
        }
        keys.clear();
        for s in &body.submissions {
            assert!(sane_key(&s.key) && keys.insert(s.key.clone()));
        }
    }
});
