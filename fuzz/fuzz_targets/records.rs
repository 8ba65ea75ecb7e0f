//! A page of the pull protocol (lists and change feed): never a panic, and what parses
//! writes back to JSON that parses to the same records.
#![no_main]

use hlidac_adapters::http::ChangesPage;
use hlidac_adapters::{Receivable, Snapshot, Submission};
use libfuzzer_sys::fuzz_target;

fn round_trip<T>(data: &[u8])
where
    T: serde::de::DeserializeOwned + serde::Serialize + PartialEq + std::fmt::Debug,
{
    if let Ok(parsed) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_vec(&parsed).expect("a parsed value serialises");
        let again: T = serde_json::from_slice(&text).expect("what was written parses");
        assert_eq!(parsed, again);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<Snapshot<Receivable>>(data);
    round_trip::<Snapshot<Submission>>(data);
    let _ = serde_json::from_slice::<ChangesPage>(data);
});
