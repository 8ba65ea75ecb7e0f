//! Amounts: never a panic, and an accepted amount prints back to the same amount.
#![no_main]

use hlidac_adapters::Money;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(m) = Money::parse(text) {
            assert_eq!(Money::parse(&m.to_string()), Ok(m), "{text:?}");
        }
    }
});
