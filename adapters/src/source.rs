//! The three kinds of source, [`RecordSource`] through which an adapter serves both kinds
//! of record, and the enum of built-in adapters.

use crate::held::Listed;
use crate::records::{Receivable, Record, RegistryPerson, Submission};
use serde::Deserialize;
use std::future::Future;
use std::time::Duration;

/// Why a poll failed. Every variant means "nothing is known": the caller changes nothing.
/// Messages never carry a person reference or a token.
#[derive(Debug, thiserror::Error)]
pub enum AdapterError {
    #[error("the source answered HTTP {status}: {message}")]
    Status { status: u16, message: String },
    #[error("the source did not answer within {0:?}")]
    Timeout(Duration),
    #[error("could not reach the source: {0}")]
    Transport(String),
    #[error("the source sent data that does not follow the protocol: {0}")]
    Malformed(String),
    #[error("the source marked its list as incomplete")]
    Incomplete,
    #[error("could not read the source's file: {0}")]
    Io(String),
    #[error("this source does not serve {0}")]
    Unsupported(&'static str),
    /// The server's capabilities rule out what hlidac is configured to read from it.
    #[error("{0}")]
    Capabilities(String),
}

impl AdapterError {
    /// The error with its message changed by `f` (the source's words, or hlidac's about them).
    fn map_message(self, f: impl Fn(String) -> String) -> AdapterError {
        match self {
            AdapterError::Status { status, message } => AdapterError::Status {
                status,
                message: f(message),
            },
            AdapterError::Transport(m) => AdapterError::Transport(f(m)),
            AdapterError::Malformed(m) => AdapterError::Malformed(f(m)),
            AdapterError::Io(m) => AdapterError::Io(f(m)),
            AdapterError::Capabilities(m) => AdapterError::Capabilities(f(m)),
            other => other,
        }
    }

    /// The error with each of `refs` (the people a request asked about) hidden in its
    /// message, before it reaches a log, the source's health or an e-mail.
    pub fn hiding(self, refs: &[String]) -> AdapterError {
        self.hidden_by(&crate::hide::Hider::new(refs))
    }

    /// The error with what `hider` finds hidden in its message.
    pub fn hidden_by(self, hider: &crate::hide::Hider) -> AdapterError {
        self.map_message(|m| hider.hide(&m))
    }

    /// The error without its message (when the references to hide are not known).
    pub fn without_message(self) -> AdapterError {
        self.map_message(|_| "(the message is not shown)".to_string())
    }

    /// A short stable label for metrics and the source's health record.
    pub fn label(&self) -> &'static str {
        match self {
            AdapterError::Status { .. } => "status",
            AdapterError::Timeout(_) => "timeout",
            AdapterError::Transport(_) => "transport",
            AdapterError::Malformed(_) => "malformed",
            AdapterError::Incomplete => "incomplete",
            AdapterError::Io(_) => "io",
            AdapterError::Unsupported(_) => "unsupported",
            AdapterError::Capabilities(_) => "capabilities",
        }
    }
}

/// A complete list of records as one poll returned it.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct Snapshot<T> {
    pub records: Vec<T>,
    pub complete: bool,
}

impl<T> Snapshot<T> {
    /// Turns a list that the source itself marked as incomplete into an error.
    pub fn into_complete(self) -> Result<Vec<T>, AdapterError> {
        if self.complete {
            Ok(self.records)
        } else {
            Err(AdapterError::Incomplete)
        }
    }
}

/// One page of a poll: the records of up to a page's worth of people.
#[derive(Debug)]
pub enum Page<T> {
    Records {
        /// The page's records, those held back alone, and the tombstones.
        listed: Listed<T>,
        /// The page's `ETag`, to ask with `If-None-Match` next time.
        etag: Option<String>,
    },
    /// `304 Not Modified`: nothing changed for these people since the `ETag` was given.
    NotModified,
}

/// The identity attributes sent to the registry for matching, with the purpose of the call.
#[derive(Clone, Debug, serde::Serialize)]
pub struct MatchRequest {
    pub purpose: String,
    pub legal_basis: String,
    pub identity: serde_json::Value,
}

pub trait RegistrySource {
    fn match_person(
        &self,
        request: &MatchRequest,
    ) -> impl Future<Output = Result<Option<RegistryPerson>, AdapterError>> + Send;
}

pub trait ReceivablesSource {
    fn receivables(
        &self,
        person_refs: &[String],
    ) -> impl Future<Output = Result<Listed<Receivable>, AdapterError>> + Send;
}

pub trait FilingSource {
    fn submissions(
        &self,
        person_refs: &[String],
    ) -> impl Future<Output = Result<Listed<Submission>, AdapterError>> + Send;
}

/// A source that reads either kind of record the same way, told the kind: it serves
/// [`ReceivablesSource`] and [`FilingSource`] both.
pub trait RecordSource {
    fn records<R: Record>(
        &self,
        person_refs: &[String],
    ) -> impl Future<Output = Result<Listed<R>, AdapterError>> + Send;
}

impl<S: RecordSource + Sync> ReceivablesSource for S {
    async fn receivables(&self, refs: &[String]) -> Result<Listed<Receivable>, AdapterError> {
        self.records(refs).await
    }
}

impl<S: RecordSource + Sync> FilingSource for S {
    async fn submissions(&self, refs: &[String]) -> Result<Listed<Submission>, AdapterError> {
        self.records(refs).await
    }
}

/// The built-in adapters; the daemon's config picks one by its `type` tag.
#[derive(Clone, Debug)]
pub enum Adapter {
    File(crate::file::FileAdapter),
    Http(crate::http::HttpAdapter),
    Exec(crate::exec::ExecAdapter),
}

impl Adapter {
    /// How many person references one page covers: one request or one program run. A file
    /// is read whole, so it is one page.
    pub fn page_size(&self) -> usize {
        match self {
            Adapter::File(_) => usize::MAX,
            Adapter::Http(a) => a.max_page(),
            Adapter::Exec(a) => a.max_page.max(1),
        }
    }

    /// The records of one kind of the people of one page (at most [`Adapter::page_size`]).
    /// An error names none of them.
    pub async fn records_page<R: Record>(
        &self,
        person_refs: &[String],
        etag: Option<&str>,
    ) -> Result<Page<R>, AdapterError> {
        match self {
            Adapter::Http(a) => {
                (a.page(person_refs, etag).await).map_err(|e| e.hiding(person_refs))
            }
            other => {
                let listed = other.records(person_refs).await?;
                Ok(Page::Records { listed, etag: None })
            }
        }
    }

    /// The HTTP adapter, for what only the HTTP protocol offers (change feed, tracking).
    pub fn http(&self) -> Option<&crate::http::HttpAdapter> {
        match self {
            Adapter::Http(a) => Some(a),
            _ => None,
        }
    }
}

/// An error names none of the people asked about.
impl RecordSource for Adapter {
    async fn records<R: Record>(&self, person_refs: &[String]) -> Result<Listed<R>, AdapterError> {
        let listed = match self {
            Adapter::File(a) => a.records(person_refs).await,
            Adapter::Http(a) => a.records(person_refs).await,
            Adapter::Exec(a) => a.records(person_refs).await,
        };
        listed.map_err(|e| e.hiding(person_refs))
    }
}

impl RegistrySource for Adapter {
    async fn match_person(
        &self,
        request: &MatchRequest,
    ) -> Result<Option<RegistryPerson>, AdapterError> {
        match self {
            Adapter::File(_) | Adapter::Exec(_) => {
                Err(AdapterError::Unsupported("registry matching"))
            }
            Adapter::Http(a) => a.match_person(request).await,
        }
    }
}
