//! `http` adapter: the published pull protocol (version 1), see `adapters/PROTOCOL.md`.
//!
//! `GET {base}/v1/receivables?person_ref=A&person_ref=B` (and `/v1/submissions`) returns
//! `{"records": [...], "complete": true}`; at most `max_page` references go in one call.
//! A non-2xx status, a time-out, a body that does not parse or `"complete": false` is an
//! error, and the whole poll fails with it.

use crate::records::{Receivable, RegistryPerson, Submission};
use crate::source::{
    AdapterError, FilingSource, MatchRequest, ReceivablesSource, RegistrySource, Snapshot,
};
use serde::de::DeserializeOwned;
use std::time::Duration;

/// Bodies larger than this are refused rather than read into memory.
const MAX_BODY_BYTES: usize = 256 * 1024 * 1024;

#[derive(Clone)]
pub struct HttpAdapter {
    base_url: String,
    token: Option<String>,
    timeout: Duration,
    max_page: usize,
    client: reqwest::Client,
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
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("hlidac/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AdapterError::Transport(e.to_string()))?;
        Ok(HttpAdapter {
            base_url: base_url.trim_end_matches('/').to_string(),
            token,
            timeout,
            max_page: max_page.max(1),
            client,
        })
    }

    fn map_err(&self, e: reqwest::Error) -> AdapterError {
        if e.is_timeout() {
            AdapterError::Timeout(self.timeout)
        } else if e.is_decode() || e.is_body() {
            AdapterError::Malformed(e.without_url().to_string())
        } else {
            AdapterError::Transport(e.without_url().to_string())
        }
    }

    fn authorize(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.token {
            Some(t) => req.bearer_auth(t),
            None => req,
        }
    }

    async fn read_json<T: DeserializeOwned>(
        &self,
        resp: reqwest::Response,
    ) -> Result<T, AdapterError> {
        let status = resp.status();
        if let Some(len) = resp.content_length() {
            if len as usize > MAX_BODY_BYTES {
                return Err(AdapterError::Malformed(format!(
                    "body of {len} bytes is too large"
                )));
            }
        }
        let body = resp.bytes().await.map_err(|e| self.map_err(e))?;
        if !status.is_success() {
            return Err(AdapterError::Status {
                status: status.as_u16(),
                message: error_message(&body),
            });
        }
        serde_json::from_slice(&body).map_err(|e| AdapterError::Malformed(e.to_string()))
    }

    async fn list<T: DeserializeOwned>(
        &self,
        path: &str,
        person_refs: &[String],
    ) -> Result<Vec<T>, AdapterError> {
        let mut out = Vec::new();
        for chunk in person_refs.chunks(self.max_page) {
            let query: Vec<(&str, &str)> =
                chunk.iter().map(|r| ("person_ref", r.as_str())).collect();
            let req = self
                .client
                .get(format!("{}{path}", self.base_url))
                .query(&query);
            let resp = self
                .authorize(req)
                .send()
                .await
                .map_err(|e| self.map_err(e))?;
            let page: Snapshot<T> = self.read_json(resp).await?;
            out.extend(page.into_complete()?);
        }
        Ok(out)
    }
}

/// The `message` of a protocol error body, or a short excerpt of whatever came back.
fn error_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct ErrorBody {
        error: String,
        #[serde(default)]
        message: String,
    }
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(e) if e.message.is_empty() => e.error,
        Ok(e) => format!("{}: {}", e.error, e.message),
        Err(_) => {
            let text = String::from_utf8_lossy(body);
            let excerpt: String = text.chars().take(120).collect();
            if excerpt.trim().is_empty() {
                "(empty body)".into()
            } else {
                excerpt
            }
        }
    }
}

impl ReceivablesSource for HttpAdapter {
    async fn receivables(&self, person_refs: &[String]) -> Result<Vec<Receivable>, AdapterError> {
        self.list("/v1/receivables", person_refs).await
    }
}

impl FilingSource for HttpAdapter {
    async fn submissions(&self, person_refs: &[String]) -> Result<Vec<Submission>, AdapterError> {
        self.list("/v1/submissions", person_refs).await
    }
}

impl RegistrySource for HttpAdapter {
    async fn match_person(
        &self,
        request: &MatchRequest,
    ) -> Result<Option<RegistryPerson>, AdapterError> {
        let req = self
            .client
            .post(format!("{}/v1/registry/match", self.base_url))
            .json(request);
        let resp = self
            .authorize(req)
            .send()
            .await
            .map_err(|e| self.map_err(e))?;
        if resp.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        self.read_json(resp).await.map(Some)
    }
}
