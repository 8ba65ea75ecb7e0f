//! A page of the pull protocol (lists, change feed, registry events): never a panic, what
//! parses writes back to JSON that parses to the same records, and a list read entry by
//! entry (records, tombstones, held ones) accounts for every entry.
#![no_main]

use hlidac_adapters::http::ChangesPage;
use hlidac_adapters::held::read_list;
use hlidac_adapters::{RegistryEvent, Receivable, Snapshot, Submission};
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
    round_trip::<Vec<RegistryEvent>>(data);
    if let Ok(values) = serde_json::from_slice::<Vec<serde_json::Value>>(data) {
        let n = values.len();
        let listed = read_list::<Receivable>(values);
        assert!(listed.sent() <= n, "no entry is read twice");
    }
});
