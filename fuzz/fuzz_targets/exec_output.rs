//! An exec adapter's stdout: never a panic; a success always had the handshake.
#![no_main]

use hlidac_adapters::exec::parse_output;
use hlidac_adapters::{Receivable, Submission};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if parse_output::<Receivable>(data).is_ok() || parse_output::<Submission>(data).is_ok() {
        let text = String::from_utf8_lossy(data);
        assert!(text.contains("protocol"), "accepted without a handshake");
    }
});
