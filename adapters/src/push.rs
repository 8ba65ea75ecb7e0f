//! The body of a push (`POST /ingest/{tenant}/{source}`): the same canonical records as
//! the pull protocol, checked whole before anything is applied.

use crate::records::{sane_key, Receivable, Record, Submission};
use serde::Deserialize;
use std::collections::HashSet;

/// Unknown fields are ignored; unknown values of a status are errors.
#[derive(Debug, Default, Deserialize)]
pub struct PushBody {
    #[serde(default)]
    pub receivables: Vec<Receivable>,
    #[serde(default)]
    pub submissions: Vec<Submission>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushBodyError {
    /// Not JSON, or not the protocol's records (answered 400).
    #[error("the body does not follow the protocol: {0}")]
    Malformed(String),
    /// Well-formed but unusable: an empty, unprintable or repeated key (answered 422).
    #[error("{0}")]
    Invalid(String),
}

/// Parses a push body and checks every key: printable, and unique within its kind. The
/// parser's message names a position and a field, never a value, so it can be logged.
pub fn parse_push_body(body: &[u8]) -> Result<PushBody, PushBodyError> {
    let parsed: PushBody = serde_json::from_slice(body).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "wrong fields or types",
            serde_json::error::Category::Eof => "cut short",
        };
        PushBodyError::Malformed(format!("{kind} at line {} column {}", e.line(), e.column()))
    })?;
    check_keys(&parsed.receivables)?;
    check_keys(&parsed.submissions)?;
    Ok(parsed)
}

fn check_keys<R: Record>(records: &[R]) -> Result<(), PushBodyError> {
    let mut keys = HashSet::new();
    for r in records {
        if !sane_key(r.key()) || !keys.insert(r.key()) {
            return Err(PushBodyError::Invalid(format!(
                "a {} key is empty, has control characters or is repeated",
                R::KIND
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_refused_for_the_right_reason() {
        let rec = r#"{"key": "K", "person_ref": "P", "kind": "dog_fee", "title": "t", "currency": "CZK", "amount_due": "1.00", "amount_outstanding": "1.00", "status": "open"}"#;
        let ok = format!(r#"{{"receivables": [{rec}]}}"#);
        assert_eq!(
            parse_push_body(ok.as_bytes())
                .expect("ok")
                .receivables
                .len(),
            1
        );
        assert!(matches!(
            parse_push_body(b"{\"receivables\": ["),
            Err(PushBodyError::Malformed(_))
        ));
        assert!(matches!(
            parse_push_body(br#"{"receivables": [{"key": 1}]}"#),
            Err(PushBodyError::Malformed(_))
        ));
        let twice = format!(r#"{{"receivables": [{rec}, {rec}]}}"#);
        assert!(matches!(
            parse_push_body(twice.as_bytes()),
            Err(PushBodyError::Invalid(_))
        ));
        let control = ok.replace("\"K\"", "\"K\\u0000\"");
        assert!(matches!(
            parse_push_body(control.as_bytes()),
            Err(PushBodyError::Invalid(_))
        ));
    }
}
