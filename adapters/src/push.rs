//! The body of a push (`POST /ingest/{tenant}/{source}`): the same canonical records as
//! the pull protocol, checked whole before anything is applied.

use crate::held::Entry;
use crate::records::{sane_key, Receivable, Record, Submission, Tombstone};
use std::collections::HashSet;

/// Unknown fields are ignored; unknown values of a status are errors; an unknown fee
/// kind is `other` (the open vocabularies of [`crate::held`]).
#[derive(Debug, Default)]
pub struct PushBody {
    pub receivables: Vec<Receivable>,
    pub submissions: Vec<Submission>,
    /// Tombstones of records the system withdrew or cancelled, of both kinds (1.1).
    pub withdrawn: Vec<Tombstone>,
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

/// Parses a push body (after its nesting depth) and checks every record: a printable key,
/// unique within its kind, and one-line texts without control characters. A push is
/// answered at once, so a record that does not follow the protocol refuses the whole body
/// (the sender fixes it and sends again). The messages name a position, a field or a
/// record's key, never another value, so they can be logged.
pub fn parse_push_body(body: &[u8]) -> Result<PushBody, PushBodyError> {
    crate::json::check_depth(body, crate::json::MAX_DEPTH).map_err(PushBodyError::Malformed)?;
    let wire: crate::held::RawRecords = serde_json::from_slice(body).map_err(|e| {
        let kind = match e.classify() {
            serde_json::error::Category::Io => "read error",
            serde_json::error::Category::Syntax => "not JSON",
            serde_json::error::Category::Data => "wrong fields or types",
            serde_json::error::Category::Eof => "cut short",
        };
        PushBodyError::Malformed(format!("{kind} at line {} column {}", e.line(), e.column()))
    })?;
    let mut withdrawn = Vec::new();
    let parsed = PushBody {
        receivables: read_all(wire.receivables, &mut withdrawn)?,
        submissions: read_all(wire.submissions, &mut withdrawn)?,
        withdrawn,
    };
    check_keys(&parsed.receivables, &parsed.withdrawn)?;
    check_keys(&parsed.submissions, &parsed.withdrawn)?;
    Ok(parsed)
}

/// Reads one kind's records; its tombstones go to `withdrawn`.
fn read_all<R: Record>(
    values: Vec<serde_json::Value>,
    withdrawn: &mut Vec<Tombstone>,
) -> Result<Vec<R>, PushBodyError> {
    let mut records = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        match crate::held::read_entry(v) {
            Ok(Entry::Record(r)) => records.push(r),
            Ok(Entry::Withdrawn(t)) => withdrawn.push(t),
            Err(h) => return Err(PushBodyError::Malformed(format!("record {i}: {h}"))),
        }
    }
    Ok(records)
}

fn check_keys<R: Record>(records: &[R], withdrawn: &[Tombstone]) -> Result<(), PushBodyError> {
    let mut keys: HashSet<&str> = withdrawn
        .iter()
        .filter(|t| t.kind == R::KIND)
        .map(|t| t.key.as_str())
        .collect();
    if keys.len() < withdrawn.iter().filter(|t| t.kind == R::KIND).count() {
        return Err(PushBodyError::Invalid(format!(
            "a {} key is repeated",
            R::KIND
        )));
    }
    for r in records {
        if !sane_key(r.key()) || !keys.insert(r.key()) {
            return Err(PushBodyError::Invalid(format!(
                "a {} key is empty, has control characters or is repeated",
                R::KIND
            )));
        }
        if let Some((field, _)) = r
            .texts()
            .into_iter()
            .find(|(_, v)| v.chars().any(char::is_control))
        {
            return Err(PushBodyError::Invalid(format!(
                "{} {:?}: {field} has control characters",
                R::KIND,
                r.key()
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
        match parse_push_body(ok.replace("\"1.00\"", "100").as_bytes()) {
            Err(PushBodyError::Malformed(m)) => assert_eq!(
                m,
                "record 0: receivable \"K\": amount_due: invalid type: integer `…`, expected a decimal string such as \"…\" (never a number)"
            ),
            other => panic!("{other:?}"),
        }
        let unknown_kind = ok.replace("dog_fee", "communal_fee");
        let body = parse_push_body(unknown_kind.as_bytes()).expect("an unknown kind is other");
        assert_eq!(body.receivables[0].kind, crate::ReceivableKind::Other);
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
        for (field, value) in [("person_ref", "\"P\""), ("title", "\"t\"")] {
            let spoiled = ok.replace(
                &format!("\"{field}\": {value}"),
                &format!("\"{field}\": \"x\\nINFO forged \\u001b[2J\""),
            );
            assert_ne!(spoiled, ok);
            match parse_push_body(spoiled.as_bytes()) {
                Err(PushBodyError::Invalid(m)) => {
                    assert_eq!(
                        m,
                        format!("receivable \"K\": {field} has control characters")
                    )
                }
                other => panic!("{field}: {other:?}"),
            }
        }
        let deep = format!(
            r#"{{"receivables": [], "extra": {}1{}}}"#,
            r#"{"a":"#.repeat(12_000),
            "}".repeat(12_000)
        );
        assert!(matches!(
            parse_push_body(deep.as_bytes()),
            Err(PushBodyError::Malformed(m)) if m.contains("deeper")
        ));
    }
}
