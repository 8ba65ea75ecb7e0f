//! `file` adapter: records from a JSON file on disk, re-read at every poll.
//!
//! The file holds `{"receivables": [...], "submissions": [...], "complete": true}`; a
//! missing `complete` counts as true, because a file is written whole. Used by the demo and
//! by towns that drop an export into a folder. The file is checked as a body from a source
//! is: no larger than [`MAX_FILE_BYTES`] and nested no deeper than the protocol's records.

use crate::held::{read_list, Listed};
use crate::records::Record;
use crate::source::{AdapterError, RecordSource};
use serde::Deserialize;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Files larger than this are refused rather than read into memory (as an HTTP body is).
pub const MAX_FILE_BYTES: usize = crate::http::MAX_BODY_BYTES;

#[derive(Clone, Debug)]
pub struct FileAdapter {
    pub path: PathBuf,
}

#[derive(Deserialize)]
struct FileContents {
    #[serde(flatten)]
    records: crate::held::RawRecords,
    #[serde(default = "yes")]
    complete: bool,
}

fn yes() -> bool {
    true
}

impl FileAdapter {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileAdapter { path: path.into() }
    }

    async fn read(&self) -> Result<FileContents, AdapterError> {
        let malformed =
            |e: String| AdapterError::Malformed(format!("{}: {e}", self.path.display()));
        let bytes = read_within(&self.path, MAX_FILE_BYTES).await?;
        crate::json::check_depth(&bytes, crate::json::MAX_DEPTH).map_err(malformed)?;
        let contents: FileContents = serde_json::from_slice(&bytes)
            .map_err(|e| malformed(crate::json::redact(&e.to_string())))?;
        if !contents.complete {
            return Err(AdapterError::Incomplete);
        }
        Ok(contents)
    }
}

/// The whole file at `path`, refused once it is found larger than `limit` bytes (only
/// `limit + 1` of them are read, whatever the file grows to meanwhile).
async fn read_within(path: &Path, limit: usize) -> Result<Vec<u8>, AdapterError> {
    let io = |e: std::io::Error| AdapterError::Io(format!("{}: {e}", path.display()));
    let file = tokio::fs::File::open(path).await.map_err(io)?;
    crate::capped::all(file, limit)
        .await
        .map_err(io)?
        .ok_or_else(|| {
            AdapterError::Malformed(format!("{}: larger than {limit} bytes", path.display()))
        })
}

/// The records of the people asked about; a record held back is reported whoever it
/// belongs to (its person is not known).
impl RecordSource for FileAdapter {
    async fn records<R: Record>(&self, person_refs: &[String]) -> Result<Listed<R>, AdapterError> {
        let values = self.read().await?.records.of_kind::<R>();
        let wanted: HashSet<&str> = person_refs.iter().map(String::as_str).collect();
        let mut listed = read_list::<R>(values);
        listed.records.retain(|r| wanted.contains(r.person_ref()));
        listed
            .withdrawn
            .retain(|t| wanted.contains(t.person_ref.as_str()));
        Ok(listed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{FilingSource, ReceivablesSource};

    #[tokio::test]
    async fn reads_only_the_people_asked_about_and_refuses_broken_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("export.json");
        let rec = |key: &str, person: &str| {
            serde_json::json!({"key": key, "person_ref": person, "kind": "dog_fee",
                "title": "Poplatek ze psů", "currency": "CZK", "amount_due": "600.00",
                "amount_outstanding": "600.00", "status": "open",
                "instalments": [{"no": 1, "due_date": "2026-05-31", "amount": "600.00"}]})
        };
        let body = serde_json::json!({"receivables": [rec("A", "P1"), rec("B", "P2")]});
        std::fs::write(&path, body.to_string()).expect("write");
        let a = FileAdapter::new(&path);
        let got = a.receivables(&["P2".into()]).await.expect("reads");
        assert_eq!(got.records.len(), 1);
        assert_eq!(got.records[0].key, "B");
        assert!(got.held.is_empty());
        assert!(a
            .submissions(&["P1".into()])
            .await
            .expect("reads")
            .records
            .is_empty());

        std::fs::write(&path, "{\"receivables\": [").expect("write");
        assert!(matches!(
            a.receivables(&["P1".into()]).await,
            Err(AdapterError::Malformed(_))
        ));
        std::fs::write(&path, r#"{"receivables": [], "complete": false}"#).expect("write");
        assert!(matches!(
            a.receivables(&["P1".into()]).await,
            Err(AdapterError::Incomplete)
        ));
        // Nested past what any record needs: refused before it is parsed.
        let deep = format!(
            r#"{{"receivables": [], "x": {}{}}}"#,
            "[".repeat(crate::json::MAX_DEPTH + 1),
            "]".repeat(crate::json::MAX_DEPTH + 1)
        );
        std::fs::write(&path, deep).expect("write");
        match a.receivables(&["P1".into()]).await {
            Err(AdapterError::Malformed(m)) => assert!(m.contains("nested deeper"), "{m}"),
            other => panic!("a deep file: {other:?}"),
        }
        // Larger than the limit: refused after reading one byte past it.
        std::fs::write(&path, r#"{"receivables": []}"#).expect("write");
        assert!(read_within(&path, 19).await.is_ok());
        match read_within(&path, 18).await {
            Err(AdapterError::Malformed(m)) => assert!(m.contains("larger than 18 bytes"), "{m}"),
            other => panic!("a large file: {other:?}"),
        }
        let missing = FileAdapter::new(dir.path().join("nope.json"));
        assert!(matches!(
            missing.receivables(&["P1".into()]).await,
            Err(AdapterError::Io(_))
        ));
    }
}
