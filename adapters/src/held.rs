//! Records held back alone: a list is read record by record, so that one record that does
//! not follow the protocol is set aside and named by its key while the rest of the list
//! goes on. Whether too many were set aside is the daemon's call (`max_held_share`).
//!
//! The open vocabularies are applied here too, before a record is read: a fee `kind`
//! outside the protocol's list becomes `other`, its word kept in `kind_native`.

use crate::records::{sane_key, Receivable, Record, Tombstone};
use crate::source::AdapterError;
use serde_json::Value;

/// A record the source sent that does not follow the protocol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// `receivable` or `submission`.
    pub kind: &'static str,
    /// The record's key, when it has a printable one.
    pub key: Option<String>,
    /// Where and what is wrong: a field path and serde's words, the values left out
    /// (they may be a person's data).
    pub error: String,
}

impl std::fmt::Display for Held {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.key {
            Some(key) => write!(f, "{} {key:?}: {}", self.kind, self.error),
            None => write!(f, "a {} without a usable key: {}", self.kind, self.error),
        }
    }
}

/// A list as it was read: the records that follow the protocol, those held back, and the
/// tombstones of records that left the source (protocol 1.1).
#[derive(Debug)]
pub struct Listed<T> {
    pub records: Vec<T>,
    pub held: Vec<Held>,
    pub withdrawn: Vec<Tombstone>,
}

impl<T> Default for Listed<T> {
    fn default() -> Self {
        Listed {
            records: Vec::new(),
            held: Vec::new(),
            withdrawn: Vec::new(),
        }
    }
}

impl<T> Listed<T> {
    /// Every record, or the first held one as an error: for callers that take a list whole.
    pub fn strict(mut self) -> Result<Vec<T>, AdapterError> {
        match self.held.drain(..).next() {
            Some(h) => Err(AdapterError::Malformed(h.to_string())),
            None => Ok(self.records),
        }
    }

    /// How many entries the source sent: records, held ones and tombstones.
    pub fn sent(&self) -> usize {
        self.records.len() + self.held.len() + self.withdrawn.len()
    }
}

impl<T: Record> Listed<T> {
    /// Appends a later list (the next page). Of a record and a tombstone with the same
    /// key, the later one stands: a change feed may withdraw a record and bring it back.
    pub fn extend(&mut self, other: Listed<T>) {
        self.held.extend(other.held);
        for r in other.records {
            self.push(Ok(Entry::Record(r)));
        }
        for t in other.withdrawn {
            self.push(Ok(Entry::Withdrawn(t)));
        }
    }

    /// Adds one entry as [`read_entry`] read it; it replaces an earlier record or
    /// tombstone of the other sort with its key (tombstones are rare: the search is short).
    pub fn push(&mut self, entry: Result<Entry<T>, Held>) {
        match entry {
            Ok(Entry::Record(r)) => {
                if !self.withdrawn.is_empty() {
                    self.withdrawn.retain(|t| t.key != r.key());
                }
                self.records.push(r)
            }
            Ok(Entry::Withdrawn(t)) => {
                self.records.retain(|r| r.key() != t.key);
                self.withdrawn.push(t)
            }
            Err(h) => self.held.push(h),
        }
    }
}

/// One entry of a list: a record, or the tombstone of one (it has `withdrawn`).
#[derive(Debug)]
pub enum Entry<R> {
    Record(R),
    Withdrawn(Tombstone),
}

/// Reads one entry of a list: a tombstone when it says `withdrawn`, else a record.
pub fn read_entry<R: Record>(value: Value) -> Result<Entry<R>, Held> {
    if value.get("withdrawn").is_none() {
        return read_one(value).map(Entry::Record);
    }
    let key = value
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| sane_key(k))
        .map(str::to_string);
    let mut t: Tombstone = serde_path_to_error::deserialize(value).map_err(|e| Held {
        kind: R::KIND,
        key: key.clone(),
        error: describe(&e),
    })?;
    if key.is_none() || !sane_key(&t.person_ref) {
        return Err(Held {
            kind: R::KIND,
            key,
            error: "a tombstone needs a printable key and person_ref".into(),
        });
    }
    t.kind = R::KIND;
    Ok(Entry::Withdrawn(t))
}

/// Records of both kinds as JSON, before they are read one by one: the body of a push and
/// of a file source.
#[derive(Debug, Default, serde::Deserialize)]
pub struct RawRecords {
    #[serde(default)]
    pub receivables: Vec<Value>,
    #[serde(default)]
    pub submissions: Vec<Value>,
}

impl RawRecords {
    /// The records of kind `R`.
    pub fn of_kind<R: Record>(self) -> Vec<Value> {
        if R::LIST == Receivable::LIST {
            self.receivables
        } else {
            self.submissions
        }
    }
}

/// Reads one record from its JSON, after its open vocabularies.
pub fn read_one<R: Record>(mut value: Value) -> Result<R, Held> {
    let key = value
        .get("key")
        .and_then(Value::as_str)
        .filter(|k| sane_key(k))
        .map(str::to_string);
    R::open_vocabulary(&mut value);
    serde_path_to_error::deserialize(value).map_err(|e| Held {
        kind: R::KIND,
        key,
        error: describe(&e),
    })
}

/// Reads a list entry by entry.
pub fn read_list<R: Record>(values: Vec<Value>) -> Listed<R> {
    let mut out = Listed::default();
    for value in values {
        out.push(read_entry(value));
    }
    out
}

/// The field and what is wrong with it, without the value that was sent.
fn describe(e: &serde_path_to_error::Error<serde_json::Error>) -> String {
    let path = e.path().to_string();
    let words = crate::json::redact(&e.inner().to_string());
    if path == "." {
        words
    } else {
        format!("{path}: {words}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Receivable, ReceivableKind, Submission, Withdrawal};
    use serde_json::json;

    fn fee(key: &str, kind: &str, amount: Value) -> Value {
        json!({"key": key, "person_ref": "8001011234", "kind": kind, "title": "Komunalna taksa",
               "currency": "RSD", "amount_due": amount, "amount_outstanding": "10.00",
               "status": "open"})
    }

    #[test]
    fn one_bad_record_is_held_by_its_key_and_the_rest_is_read() {
        let listed: Listed<Receivable> = read_list(vec![
            fee("R-1", "waste_fee", json!("10.00")),
            fee("R-2", "waste_fee", json!(8001011234u64)),
            json!({"person_ref": "8001011234"}),
            fee("R-3", "property_tax", json!("10.00")),
        ]);
        let keys: Vec<&str> = listed.records.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["R-1", "R-3"]);
        assert_eq!(listed.held.len(), 2);
        assert_eq!(listed.held[0].key.as_deref(), Some("R-2"));
        assert!(
            listed.held[0].error.starts_with("amount_due: invalid type"),
            "{}",
            listed.held[0].error
        );
        // The value sent (here a national identifier) never reaches the message.
        assert!(!listed.held[0].to_string().contains("8001011234"));
        assert_eq!(listed.held[1].key, None);
        assert!(listed.held[1].error.contains("missing field `key`"));
        let strict = read_list::<Receivable>(vec![fee("R-2", "x", json!(1))]).strict();
        assert!(matches!(strict, Err(AdapterError::Malformed(m)) if m.contains("\"R-2\"")));
    }

    #[test]
    fn an_unknown_fee_kind_is_other_with_its_own_word() {
        let listed: Listed<Receivable> = read_list(vec![
            fee("R-1", "komunalna_taksa", json!("10.00")),
            fee("R-2", "dog_fee", json!("10.00")),
        ]);
        assert!(listed.held.is_empty(), "{:?}", listed.held);
        assert_eq!(listed.records[0].kind, ReceivableKind::Other);
        assert_eq!(
            listed.records[0].kind_native.as_deref(),
            Some("komunalna_taksa")
        );
        assert_eq!(listed.records[0].title, "Komunalna taksa");
        assert_eq!(listed.records[1].kind, ReceivableKind::DogFee);
        assert_eq!(listed.records[1].kind_native, None);
        // A kind that is not even a string is still an error.
        let held = read_list::<Receivable>(vec![fee("R-3", "", json!("1"))]).held;
        assert!(held.is_empty(), "an empty word is an unknown kind: other");
        let mut bad = fee("R-4", "x", json!("1"));
        bad["kind"] = json!(7);
        assert_eq!(read_list::<Receivable>(vec![bad]).held.len(), 1);
    }

    #[test]
    fn a_tombstone_is_read_apart_from_the_records() {
        let listed: Listed<Receivable> = read_list(vec![
            fee("R-1", "waste_fee", json!("10.00")),
            json!({"key": "R-2", "person_ref": "p", "withdrawn": "cancelled", "version": "9"}),
            json!({"key": "R-3", "person_ref": "p", "withdrawn": "withdrawn"}),
            json!({"key": "R-4", "person_ref": "p", "withdrawn": "paid"}),
            json!({"person_ref": "p", "withdrawn": "withdrawn"}),
            json!({"key": "R-5", "withdrawn": "withdrawn"}),
        ]);
        assert_eq!(listed.records.len(), 1);
        assert_eq!(listed.sent(), 6);
        let t: Vec<(&str, &str, Withdrawal)> = listed
            .withdrawn
            .iter()
            .map(|t| (t.kind, t.key.as_str(), t.withdrawn))
            .collect();
        assert_eq!(
            t,
            [
                ("receivable", "R-2", Withdrawal::Cancelled),
                ("receivable", "R-3", Withdrawal::Withdrawn)
            ]
        );
        assert_eq!(listed.withdrawn[0].version.as_deref(), Some("9"));
        // Withdrawal is a closed vocabulary: "paid" there is a bad record, not a payment.
        let held: Vec<Option<&str>> = listed.held.iter().map(|h| h.key.as_deref()).collect();
        assert_eq!(held, [Some("R-4"), None, Some("R-5")]);
        assert!(listed.held[0]
            .error
            .starts_with("withdrawn: unknown variant"));
        assert!(listed.held[2].error.contains("missing field `person_ref`"));
    }

    #[test]
    fn an_unknown_status_is_still_held() {
        let s = json!({"key": "S-1", "person_ref": "p", "matter": "m", "status": "mostly_done"});
        let listed: Listed<Submission> = read_list(vec![s]);
        assert_eq!(listed.held.len(), 1);
        assert!(listed.held[0].error.starts_with("status: unknown variant"));
    }
}
