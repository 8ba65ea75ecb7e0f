//! Bytes from the SMSC as the SMPP link reads them: PDU by PDU (length-checked), and the
//! delivery receipt of each deliver_sm, on a worker's stack. Never a crash, and each PDU
//! read took at least its 16-byte header from the input.
#![no_main]

use hlidac::notify::smpp::read_incoming;
use hlidac_fuzz::on_worker_stack;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    on_worker_stack(|| {
        let (pdus, error) = read_incoming(data);
        assert!(pdus.len() * 16 <= data.len());
        assert!(error.is_some() || data.is_empty() || !pdus.is_empty());
    });
});
