//! The feedback webhook's body (`POST /feedback/<tenant>`), as relay providers send it:
//! the JSON read into reports, each report's return path checked. Never a crash; at most
//! 100 reports from one body, and a body past the size limit is refused before parsing.
#![no_main]

use hlidac::crypto::Crypto;
use hlidac::notify::feedback::{from_json, verp_alert, MAX_REPORT_BYTES, MAX_WEBHOOK_EVENTS};
use hlidac_fuzz::on_worker_stack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    on_worker_stack(|| {
        let crypto = Crypto::from_master(&[7u8; 32]);
        match from_json(data) {
            Ok(reports) => {
                assert!(data.len() <= MAX_REPORT_BYTES);
                assert!(reports.len() <= MAX_WEBHOOK_EVENTS);
                for r in &reports {
                    assert_eq!(r.verp.len(), 1);
                    let _ = verp_alert(&crypto, &r.verp[0]);
                }
            }
            Err(why) => assert!(!why.is_empty()),
        }
    });
});
