//! `http` adapter: the published pull protocol (version 1), see `adapters/PROTOCOL.md`.
//!
//! `GET {base}/v1/receivables?person_ref=A&person_ref=B` (and `/v1/submissions`) returns
//! `{"records": [...], "complete": true}`; at most `max_page` references go in one call,
//! and each call is one page that the poll diffs before asking for the next. A page that
//! came with an `ETag` is asked for again with `If-None-Match`; `304 Not Modified` means
//! nothing changed for those people. `GET {base}/v1/changes?cursor=…` is the change feed
//! and `GET {base}/v1/submissions/track` the Bulgarian document tracking. A non-2xx status,
//! a time-out, a body that does not parse or `"complete": false` is an error, and the whole
//! poll fails with it; a record that does not follow the protocol is held back alone. The client authenticates with a bearer token, a client certificate
//! (mutual TLS), or both.

use crate::capped::BodyError;
use crate::held::{read_list, Listed};
use crate::records::{
    sane_key, Receivable, Record, RegistryEvent, RegistryEventKind, RegistryPerson, Submission,
};
use crate::source::{AdapterError, MatchRequest, Page, RecordSource, RegistrySource, Snapshot};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Bodies larger than this are refused rather than read into memory.
pub(crate) const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;
/// Change-feed pages read in one poll at most; a feed that never ends is an error.
const MAX_CHANGE_PAGES: usize = 10_000;

/// TLS settings of a client: a client certificate for mutual TLS and the CA that signed
/// the server's certificate, both PEM.
#[derive(Clone, Default)]
pub struct ClientTls {
    /// The client certificate (chain) followed by its private key, PEM.
    pub identity_pem: Option<Vec<u8>>,
    /// Trust this CA (PEM) for the server's certificate, besides the public roots.
    pub ca_pem: Option<Vec<u8>>,
}

/// The HTTP client the adapter and the conformance kit use: a time-out, no redirects
/// followed, and the TLS settings.
pub fn client(timeout: Duration, tls: &ClientTls) -> Result<reqwest::Client, AdapterError> {
    let mut builder = reqwest::Client::builder()
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!("hlidac/", env!("CARGO_PKG_VERSION")))
        .use_rustls_tls();
    if let Some(pem) = &tls.identity_pem {
        let identity = reqwest::Identity::from_pem(pem)
            .map_err(|e| AdapterError::Transport(format!("the client certificate: {e}")))?;
        builder = builder.identity(identity);
    }
    if let Some(pem) = &tls.ca_pem {
        for cert in reqwest::Certificate::from_pem_bundle(pem)
            .map_err(|e| AdapterError::Transport(format!("the CA certificate: {e}")))?
        {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder
        .build()
        .map_err(|e| AdapterError::Transport(e.to_string()))
}

/// What a read of the registry's event feed found.
#[derive(Debug)]
pub enum RegistryFeed {
    /// The events since the cursor (repeats possible), and the cursor to keep.
    Since {
        events: Vec<RegistryEvent>,
        cursor: String,
    },
    /// The registry no longer knows the cursor (`410 Gone`).
    Gone,
}

#[derive(serde::Deserialize)]
struct RegistryPage {
    #[serde(default)]
    events: Vec<RegistryEvent>,
    next_cursor: String,
    #[serde(default)]
    more: bool,
}

/// One page of the change feed.
#[derive(Debug, Default, serde::Deserialize)]
pub struct ChangesPage {
    #[serde(default)]
    pub receivables: Vec<serde_json::Value>,
    #[serde(default)]
    pub submissions: Vec<serde_json::Value>,
    pub next_cursor: String,
    #[serde(default)]
    pub more: bool,
}

/// A page of one of the protocol's cursor feeds: where the feed is read, what it is called
/// in an error, and the cursor the page hands on.
trait FeedPage: DeserializeOwned {
    const PATH: &'static str;
    const WHAT: &'static str;
    fn into_cursor(self) -> String;
}

impl FeedPage for RegistryPage {
    const PATH: &'static str = "/v1/registry/events";
    const WHAT: &'static str = "the registry's event feed";
    fn into_cursor(self) -> String {
        self.next_cursor
    }
}

impl FeedPage for ChangesPage {
    const PATH: &'static str = "/v1/changes";
    const WHAT: &'static str = "the change feed";
    fn into_cursor(self) -> String {
        self.next_cursor
    }
}

/// What a change-feed read found.
#[derive(Debug)]
pub enum Changes {
    /// Every record changed since the cursor (repeats possible), and the cursor to keep.
    Since {
        receivables: Listed<Receivable>,
        submissions: Listed<Submission>,
        cursor: String,
    },
    /// The source no longer knows the cursor (`410 Gone`): read everything again.
    Gone,
}

/// What a server announces at `GET /v1/capabilities`; a field it leaves out is not served
/// (version 1.1; `version` absent means 1).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Capabilities {
    pub protocol: String,
    #[serde(default = "version_one")]
    pub version: String,
    #[serde(default)]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub changes: bool,
    #[serde(default)]
    pub etag: bool,
    #[serde(default)]
    pub tracking: bool,
    /// `GET /v1/registry/events` is served (1.1).
    #[serde(default)]
    pub registry_events: bool,
    pub max_page: Option<usize>,
}

fn version_one() -> String {
    "1".into()
}

impl Capabilities {
    /// Why hlidac cannot read this server for these kinds, if it cannot.
    pub fn refuses(&self, kinds: &[&str]) -> Option<String> {
        if self.protocol != crate::PROTOCOL {
            return Some(format!(
                "the source announces the protocol {:?}; hlidac speaks {:?}",
                self.protocol,
                crate::PROTOCOL
            ));
        }
        let missing: Vec<&&str> = kinds
            .iter()
            .filter(|k| !self.kinds.iter().any(|a| a == *k))
            .collect();
        (!missing.is_empty())
            .then(|| format!("the source does not announce {missing:?} in its capabilities"))
    }
}

#[derive(Clone)]
pub struct HttpAdapter {
    base_url: String,
    token: Option<String>,
    timeout: Duration,
    max_page: usize,
    client: reqwest::Client,
    /// The server's capabilities once read: once per adapter, so at start and at every
    /// reload (which builds new adapters).
    caps: std::sync::Arc<std::sync::Mutex<Option<Capabilities>>>,
}

impl std::fmt::Debug for HttpAdapter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpAdapter")
            .field("base_url", &self.base_url)
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("timeout", &self.timeout)
            .field("max_page", &self.max_page)
            .finish()
    }
}

impl HttpAdapter {
    pub fn new(
        base_url: &str,
        token: Option<String>,
        timeout: Duration,
        max_page: usize,
    ) -> Result<Self, AdapterError> {
        Self::with_tls(base_url, token, timeout, max_page, &ClientTls::default())
    }

    pub fn with_tls(
        base_url: &str,
        token: Option<String>,
        timeout: Duration,
        max_page: usize,
        tls: &ClientTls,
    ) -> Result<Self, AdapterError> {
        Ok(HttpAdapter {
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            timeout,
            max_page: max_page.max(1),
            client: client(timeout, tls)?,
            caps: Default::default(),
        })
    }

    /// Person references per request: the configured `max_page`, or the server's, if that
    /// is smaller.
    pub fn max_page(&self) -> usize {
        match self.announced().and_then(|c| c.max_page) {
            Some(theirs) => self.max_page.min(theirs.max(1)),
            None => self.max_page,
        }
    }

    /// The capabilities as read, if they were.
    pub fn announced(&self) -> Option<Capabilities> {
        self.caps.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Reads the server's capabilities unless they were read already. A server that does
    /// not serve them (`404`) is read as configured.
    pub async fn capabilities(&self) -> Result<Option<Capabilities>, AdapterError> {
        if let Some(c) = self.announced() {
            return Ok(Some(c));
        }
        let resp = self.get("/v1/capabilities", &[], None).await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let caps: Capabilities = self.read_json(resp).await?;
        *self.caps.lock().unwrap_or_else(|p| p.into_inner()) = Some(caps.clone());
        Ok(Some(caps))
    }

    /// Whether the server serves the change feed: as announced, or as configured when it
    /// announces nothing.
    pub fn serves_changes(&self) -> bool {
        self.announced().is_none_or(|c| c.changes)
    }

    /// Whether the server serves document tracking, as [`HttpAdapter::serves_changes`].
    pub fn serves_tracking(&self) -> bool {
        self.announced().is_none_or(|c| c.tracking)
    }

    fn map_err(&self, e: reqwest::Error) -> AdapterError {
        if e.is_timeout() {
            AdapterError::Timeout(self.timeout)
        } else if e.is_decode() || e.is_body() {
            AdapterError::Malformed(e.without_url().to_string())
        } else if unsent(&e) && self.base_url.starts_with("https://") {
            AdapterError::Transport(format!(
                "{}; the source closed the connection before the request went out \
                 (a source that asks for a client certificate does so when none or an \
                 unknown one is offered)",
                error_chain(&e.without_url())
            ))
        } else {
            AdapterError::Transport(error_chain(&e.without_url()))
        }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Result<reqwest::Response, AdapterError> {
        send_request(req).await.map_err(|e| self.map_err(e))
    }

    /// A request to `path` on the server, with the bearer token when there is one.
    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        let req = self
            .client
            .request(method, format!("{}{path}", self.base_url));
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn get(
        &self,
        path: &str,
        query: &[(&str, &str)],
        etag: Option<&str>,
    ) -> Result<reqwest::Response, AdapterError> {
        let mut req = self.request(reqwest::Method::GET, path).query(query);
        if let Some(e) = etag {
            req = req.header(reqwest::header::IF_NONE_MATCH, e);
        }
        self.send(req).await
    }

    async fn read_json<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, AdapterError> {
        let status = resp.status();
        let body = match crate::capped::body(resp, MAX_BODY_BYTES).await {
            Ok(body) => body,
            Err(BodyError::TooLarge(limit)) => {
                return Err(AdapterError::Malformed(format!(
                    "body larger than {limit} bytes"
                )))
            }
            Err(BodyError::Broken(e)) => return Err(self.map_err(e)),
        };
        if !status.is_success() {
            return Err(AdapterError::Status {
                status: status.as_u16(),
                message: error_message(&body),
            });
        }
        crate::json::check_depth(&body, crate::json::MAX_DEPTH).map_err(AdapterError::Malformed)?;
        // Redacted: serde names the value it could not take, and a registry's may be a
        // person reference.
        serde_json::from_slice(&body)
            .map_err(|e| AdapterError::Malformed(crate::json::redact(&e.to_string())))
    }

    /// One page (`GET /v1/{T::LIST}`): the records of these people (at most `max_page` of
    /// them), or `NotModified` when `etag` still matches.
    pub async fn page<T: Record>(
        &self,
        person_refs: &[String],
        etag: Option<&str>,
    ) -> Result<Page<T>, AdapterError> {
        let query: Vec<(&str, &str)> = person_refs
            .iter()
            .map(|r| ("person_ref", r.as_str()))
            .collect();
        // A server that does not announce ETags is not asked with one.
        let etag = etag.filter(|_| self.announced().is_none_or(|c| c.etag));
        let resp = self.get(&format!("/v1/{}", T::LIST), &query, etag).await?;
        if resp.status() == reqwest::StatusCode::NOT_MODIFIED {
            return Ok(Page::NotModified);
        }
        let new_etag = resp
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let page: Snapshot<serde_json::Value> = self.read_json(resp).await?;
        Ok(Page::Records {
            listed: read_list::<T>(page.into_complete()?),
            etag: new_etag,
        })
    }

    /// The change feed's current head: the cursor to read from after a full poll.
    pub async fn changes_head(&self) -> Result<String, AdapterError> {
        self.head::<ChangesPage>().await
    }

    /// Every record changed since `cursor`, following the pages to the end.
    pub async fn changes_since(&self, cursor: &str) -> Result<Changes, AdapterError> {
        let mut receivables = Listed::default();
        let mut submissions = Listed::default();
        let next = self
            .feed(cursor, |page: ChangesPage| {
                receivables.extend(read_list(page.receivables));
                submissions.extend(read_list(page.submissions));
                Ok((page.next_cursor, page.more))
            })
            .await?;
        Ok(match next {
            Some(cursor) => Changes::Since {
                receivables,
                submissions,
                cursor,
            },
            None => Changes::Gone,
        })
    }

    /// A cursor feed's current head: the cursor to read from after a full read.
    async fn head<P: FeedPage>(&self) -> Result<String, AdapterError> {
        let resp = self.get(P::PATH, &[], None).await?;
        let page: P = self.read_json(resp).await?;
        Ok(page.into_cursor())
    }

    /// Reads a cursor feed from `cursor` to its end, a page at a time: `take` keeps a page's
    /// items and gives its next cursor and whether there is more. `None` when the source
    /// no longer knows the cursor (`410 Gone`); a page whose cursor is missing or does not
    /// move, or a feed that never ends, is an error.
    async fn feed<P: FeedPage>(
        &self,
        cursor: &str,
        mut take: impl FnMut(P) -> Result<(String, bool), AdapterError>,
    ) -> Result<Option<String>, AdapterError> {
        let what = P::WHAT;
        let mut cursor = cursor.to_string();
        for _ in 0..MAX_CHANGE_PAGES {
            let resp = self
                .get(P::PATH, &[("cursor", cursor.as_str())], None)
                .await?;
            if resp.status() == reqwest::StatusCode::GONE {
                return Ok(None);
            }
            let (next, more) = take(self.read_json(resp).await?)?;
            if next.is_empty() || (more && next == cursor) {
                return Err(AdapterError::Malformed(format!(
                    "{what}: a page without next_cursor, or one that says there is more but does not move it"
                )));
            }
            cursor = next;
            if !more {
                return Ok(Some(cursor));
            }
        }
        Err(AdapterError::Malformed(format!(
            "{what} did not end within {MAX_CHANGE_PAGES} pages"
        )))
    }

    /// The registry's event feed head: the cursor to read from (1.1).
    pub async fn registry_head(&self) -> Result<String, AdapterError> {
        self.head::<RegistryPage>().await
    }

    /// The registry's events since `cursor`, following the pages to the end (1.1). An
    /// event that does not follow the protocol (an unknown type, `identifier_changed`
    /// without `new_person_ref`) fails the read: a registry event is never guessed.
    pub async fn registry_events(&self, cursor: &str) -> Result<RegistryFeed, AdapterError> {
        let mut events = Vec::new();
        let next = self
            .feed(cursor, |page: RegistryPage| {
                for e in &page.events {
                    let new_ref = e.new_person_ref.as_deref().is_some_and(sane_key);
                    if !sane_key(&e.person_ref)
                        || (e.kind == RegistryEventKind::IdentifierChanged && !new_ref)
                    {
                        return Err(AdapterError::Malformed(format!(
                            "registry event {:?} ({}) lacks a usable person reference",
                            e.id,
                            e.kind.as_str()
                        )));
                    }
                }
                events.extend(page.events);
                Ok((page.next_cursor, page.more))
            })
            .await?;
        Ok(match next {
            Some(cursor) => RegistryFeed::Since { events, cursor },
            None => RegistryFeed::Gone,
        })
    }

    /// Bulgarian document tracking: the submission with this registration index and access
    /// code, or `None` when the source knows no such pair.
    pub async fn track(
        &self,
        registration_index: &str,
        access_code: &str,
    ) -> Result<Option<Submission>, AdapterError> {
        let resp = self
            .get(
                "/v1/submissions/track",
                &[
                    ("registration_index", registration_index),
                    ("access_code", access_code),
                ],
                None,
            )
            .await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        let page: Snapshot<serde_json::Value> = self.read_json(resp).await?;
        let values = page.into_complete()?.into_iter().map(tracked).collect();
        let mut records = read_list::<Submission>(values).strict()?;
        match records.len() {
            0 => Ok(None),
            1 => Ok(records.pop()),
            n => Err(AdapterError::Malformed(format!(
                "tracking one document returned {n} records"
            ))),
        }
    }
}

/// A tracked document as a submission: tracking finds it by its registration index and
/// access code, so it needs no person reference (protocol 1.1); one given is kept.
pub fn tracked(mut value: serde_json::Value) -> serde_json::Value {
    if let Some(obj) = value.as_object_mut() {
        obj.entry("person_ref")
            .or_insert_with(|| serde_json::Value::String(String::new()));
    }
    value
}

/// An error with its causes ("error sending request: … : certificate required"), for the
/// TLS failures that reqwest hides a few levels down.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

/// Sends a request as the adapter and the conformance kit do. One the source closed the
/// connection under before it went out is sent once more on a new connection, as nothing
/// of it reached the source; the second try usually reads the source's reason (a TLS
/// alert) that the first one missed.
pub(crate) async fn send_request(
    req: reqwest::RequestBuilder,
) -> Result<reqwest::Response, reqwest::Error> {
    let again = req.try_clone();
    match (req.send().await, again) {
        (Err(e), Some(again)) if unsent(&e) => again.send().await,
        (sent, _) => sent,
    }
}

/// Whether a request failed before any of it was sent: the connection was closed under it
/// between the handshake and the request (hyper calls this canceled).
fn unsent(e: &reqwest::Error) -> bool {
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<hyper::Error>()
            .is_some_and(hyper::Error::is_canceled)
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// The `message` of a protocol error body, or a short excerpt of whatever came back.
fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: String,
        #[serde(default)]
        message: String,
    }
    let text = match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if e.message.is_empty() => e.error,
        Ok(e) => format!("{}: {}", e.error, e.message),
        Err(_) => String::from_utf8_lossy(body).into_owned(),
    };
    if text.trim().is_empty() {
        "(empty body)".into()
    } else {
        crate::hide::excerpt(&text)
    }
}

/// Every page of these people in turn (`GET /v1/receivables`, `GET /v1/submissions`).
impl RecordSource for HttpAdapter {
    async fn records<R: Record>(&self, person_refs: &[String]) -> Result<Listed<R>, AdapterError> {
        let mut out = Listed::default();
        for chunk in person_refs.chunks(self.max_page) {
            if let Page::Records { listed, .. } = self.page(chunk, None).await? {
                out.extend(listed);
            }
        }
        Ok(out)
    }
}

impl RegistrySource for HttpAdapter {
    async fn match_person(
        &self,
        request: &MatchRequest,
    ) -> Result<Option<RegistryPerson>, AdapterError> {
        let req = self
            .request(reqwest::Method::POST, "/v1/registry/match")
            .json(request);
        let resp = self.send(req).await?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.read_json(resp).await.map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A source that answers every request with `status` (its line, "200 OK") and `body`.
    async fn answering(status: &'static str, body: &'static str) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        tokio::spawn(async move {
            while let Ok((mut s, _)) = listener.accept().await {
                let mut head = vec![0u8; 16 * 1024];
                let _ = s.read(&mut head).await;
                let answer = format!(
                    "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = s.write_all(answer.as_bytes()).await;
            }
        });
        url
    }

    #[tokio::test]
    async fn a_value_the_source_sent_is_not_repeated_in_its_error() {
        // A registry that sends a person reference as a number.
        let url = answering(
            "200 OK",
            r#"{"events": [{"id": "e1", "type": "deceased", "person_ref": 8001011234}],
                "next_cursor": "c2"}"#,
        )
        .await;
        let a = HttpAdapter::new(&url, None, Duration::from_secs(5), 10).expect("adapter");
        match a.registry_events("c1").await {
            Err(AdapterError::Malformed(m)) => {
                assert!(m.contains("invalid type"), "{m}");
                assert!(!m.contains("8001011234"), "the value is repeated: {m}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn an_error_names_none_of_the_people_asked_about() {
        use crate::source::ReceivablesSource;
        let url = answering(
            "500 Internal Server Error",
            r#"{"error": "internal", "message": "no such person CZ-0000-JANA; CZ-0000-PETR ok"}"#,
        )
        .await;
        let a = HttpAdapter::new(&url, None, Duration::from_secs(5), 10).expect("adapter");
        let adapter = crate::source::Adapter::Http(a);
        let refs = ["CZ-0000-JANA".to_string(), "CZ-0000-PETR".to_string()];
        let paged = adapter.records_page::<crate::Receivable>(&refs, None).await;
        let listed = adapter.receivables(&refs).await.map(|_| ());
        for error in [paged.map(|_| ()), listed] {
            match error {
                Err(AdapterError::Status {
                    status: 500,
                    message,
                }) => {
                    assert_eq!(message, "internal: no such person …; … ok");
                }
                other => panic!("{other:?}"),
            }
        }
    }
}
