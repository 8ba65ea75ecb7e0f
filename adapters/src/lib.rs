//! The adapter contract between hlidac and a municipality's internal systems.
//!
//! What comes in: records from a municipality's receivables module and filing system, and
//! persons from the base registry, each in the canonical shape defined in [`records`].
//! What goes out: nothing but reads; an adapter never changes anything on the municipality's
//! side. What it must never do: turn a failure into data. A time-out, an error page, a body
//! that does not parse or a list marked incomplete is an [`AdapterError`], never an empty or
//! shorter list, because hlidac would otherwise read it as "paid" or "resolved".
//!
//! # Layout
//! - [`records`]: canonical types (`Receivable`, `Submission`, `RegistryPerson`, `Document`);
//!   their closed vocabularies name themselves as serde spells them (strum).
//! - [`money`]: [`Money`], a decimal amount that never passes through a float.
//! - [`source`]: the three source traits and [`Adapter`], the enum of built-in adapters that
//!   the daemon's config picks by its `type` tag; an adapter serves both kinds of record
//!   through one generic [`RecordSource`]. A new adapter is one file and one enum arm.
//! - [`file`], [`http`], [`exec`]: the built-in adapters.
//! - [`held`]: a list read record by record, a record that does not follow the protocol
//!   held back alone; the open vocabularies.
//! - [`json`]: the nesting limit checked before any JSON from outside is parsed.
//! - [`vocab`]: the systems' own words (NSESSS states, events) mapped onto statuses.
//!
//! The municipality simulator, a reference server of the protocol, is the `hlidac-sim`
//! crate: adapters need none of its server stack.

pub mod capped;
pub mod check;
pub mod exec;
pub mod file;
pub mod held;
pub mod hide;
pub mod http;
pub mod json;
pub mod money;
pub mod push;
pub mod records;
pub mod source;
pub mod vocab;

pub use held::{Held, Listed};
pub use records::*;
pub use source::*;

/// The protocol version this crate speaks, as announced by `GET /v1/capabilities`.
pub const PROTOCOL: &str = "hlidac-adapter/1";
/// The minor version of [`PROTOCOL`] hlidac reads, announced as `version` (1.1 adds
/// tombstones, held records, open fee kinds, payment fields, capabilities honoured).
pub const PROTOCOL_VERSION: &str = "1.1";

#[cfg(test)]
mod openapi_tests {
    //! The OpenAPI document (`adapters/openapi.json`) must say what the code does.
    use crate::records::*;
    use serde_json::Value;
    use strum::VariantArray;

    fn doc() -> Value {
        serde_json::from_str(include_str!("../openapi.json")).expect("openapi.json is JSON")
    }

    fn enum_of(doc: &Value, schema: &str, field: &str) -> Vec<String> {
        doc["components"]["schemas"][schema]["properties"][field]["enum"]
            .as_array()
            .unwrap_or_else(|| panic!("{schema}.{field} has an enum"))
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }

    fn names<T: serde::Serialize>(values: &[T]) -> Vec<String> {
        values
            .iter()
            .map(|v| {
                serde_json::to_value(v)
                    .ok()
                    .and_then(|v| v.as_str().map(String::from))
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn enums_and_required_fields_match_the_records() {
        let d = doc();
        assert_eq!(d["openapi"], "3.1.0");
        for (schema, field, names) in [
            ("Receivable", "kind", names(ReceivableKind::VARIANTS)),
            ("Receivable", "status", names(ReceivableStatus::VARIANTS)),
            ("RegistryEvent", "type", names(RegistryEventKind::VARIANTS)),
            ("Submission", "status", names(SubmissionStatus::VARIANTS)),
        ] {
            assert_eq!(enum_of(&d, schema, field), names, "{schema}.{field}");
        }
        // A record with only the required fields parses; dropping any of them does not.
        for (schema, sample) in [
            (
                "Receivable",
                serde_json::json!({"key": "K", "person_ref": "P", "kind": "dog_fee", "title": "t", "currency": "CZK", "amount_due": "1.00", "amount_outstanding": "1.00", "status": "open"}),
            ),
            (
                "Submission",
                serde_json::json!({"key": "K", "person_ref": "P", "matter": "m", "status": "received"}),
            ),
            (
                "TrackedSubmission",
                serde_json::json!({"key": "K", "matter": "m", "status": "received"}),
            ),
            (
                "Tombstone",
                serde_json::json!({"key": "K", "person_ref": "P", "withdrawn": "cancelled"}),
            ),
        ] {
            let required: Vec<String> = d["components"]["schemas"][schema]["required"]
                .as_array()
                .expect("required")
                .iter()
                .map(|v| v.as_str().unwrap_or_default().to_string())
                .collect();
            let parses = |v: &Value| match schema {
                "Receivable" => serde_json::from_value::<Receivable>(v.clone()).is_ok(),
                "TrackedSubmission" => {
                    serde_json::from_value::<Submission>(crate::http::tracked(v.clone())).is_ok()
                }
                "Tombstone" => matches!(
                    crate::held::read_entry::<Receivable>(v.clone()),
                    Ok(crate::held::Entry::Withdrawn(_))
                ),
                _ => serde_json::from_value::<Submission>(v.clone()).is_ok(),
            };
            assert!(parses(&sample), "{schema}: the required fields suffice");
            for field in &required {
                let mut less = sample.clone();
                less.as_object_mut().expect("object").remove(field);
                assert!(
                    !parses(&less),
                    "{schema}.{field} is documented as required but is not"
                );
            }
        }
    }

    #[test]
    fn every_endpoint_of_the_protocol_is_documented() {
        let d = doc();
        for path in [
            "/v1/capabilities",
            "/v1/receivables",
            "/v1/submissions",
            "/v1/registry/match",
            "/v1/changes",
            "/v1/submissions/track",
            "/v1/registry/events",
            "/ingest/{tenant}/{source}",
        ] {
            assert!(
                d["paths"].get(path).is_some(),
                "{path} is not in openapi.json"
            );
        }
        // The vendor's documents hold the protocol alone: the simulator's control
        // endpoints are described in sim/README.md.
        let paths = d["paths"].as_object().expect("paths");
        assert!(paths.keys().all(|p| !p.starts_with("/control")));
        assert!(!include_str!("../PROTOCOL.md").contains("/control/"));
    }
}
