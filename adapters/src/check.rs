//! The conformance kit: checks a live endpoint of the pull protocol and says, check by
//! check and in plain words, what passes and what does not. `hlidac adapter check` runs it
//! against a configured source; a municipality's IT or its vendor runs it before going
//! live.

use crate::capped::BodyError;
use crate::http::send_request;
use crate::records::{Receivable, Submission};
use crate::PROTOCOL;
use std::collections::HashSet;
use std::time::{Duration, Instant};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Check {
    pub name: String,
    pub passed: bool,
    pub detail: String,
}

impl std::fmt::Display for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = if self.passed { "PASS" } else { "FAIL" };
        write!(f, "{mark} {}: {}", self.name, self.detail)
    }
}

fn check(name: &str, passed: bool, detail: impl Into<String>) -> Check {
    Check {
        name: name.into(),
        passed,
        detail: detail.into(),
    }
}

/// What to check and how.
pub struct Target<'a> {
    pub base_url: &'a str,
    pub token: Option<&'a str>,
    pub timeout: Duration,
    /// "receivables" and/or "submissions".
    pub kinds: &'a [&'a str],
    /// Test people the municipality agreed to; none = one made-up reference, which must
    /// come back as an empty, complete list.
    pub person_refs: &'a [String],
    /// Client certificate and CA, as the source's adapter uses them.
    pub tls: crate::http::ClientTls,
}

pub async fn run(target: &Target<'_>) -> Vec<Check> {
    let base = target.base_url.trim_end_matches('/');
    let client = match crate::http::client(target.timeout, &target.tls) {
        Ok(c) => c,
        Err(e) => return vec![check("client", false, e.to_string())],
    };
    let get = |path: String, auth: bool| {
        let mut req = client.get(format!("{base}{path}"));
        if let (true, Some(t)) = (auth, target.token) {
            req = req.bearer_auth(t);
        }
        req
    };
    let mut out = Vec::new();
    let mut change_feed = false;

    match send_request(get("/v1/capabilities".into(), true)).await {
        Err(e) => out.push(check(
            "capabilities",
            false,
            format!("no answer: {}", e.without_url()),
        )),
        Ok(resp) if !resp.status().is_success() => out.push(check(
            "capabilities",
            false,
            format!("HTTP {}", resp.status().as_u16()),
        )),
        Ok(resp) => match resp.json::<serde_json::Value>().await {
            Err(_) => out.push(check("capabilities", false, "the body is not JSON")),
            Ok(caps) => {
                change_feed = caps["changes"] == true;
                let version = caps["protocol"].as_str().unwrap_or("(none)");
                out.push(check(
                    "protocol version",
                    version == PROTOCOL,
                    if version == PROTOCOL {
                        // 1.1 adds the minor version; a server without it speaks 1.
                        let minor = caps["version"].as_str().unwrap_or("1");
                        format!("{version}, version {minor}")
                    } else {
                        format!("announces {version:?}, hlidac speaks {PROTOCOL:?}")
                    },
                ));
                let kinds: Vec<&str> = caps["kinds"]
                    .as_array()
                    .map(|k| k.iter().filter_map(|v| v.as_str()).collect())
                    .unwrap_or_default();
                let missing: Vec<&&str> =
                    target.kinds.iter().filter(|k| !kinds.contains(k)).collect();
                out.push(check(
                    "kinds",
                    missing.is_empty(),
                    if missing.is_empty() {
                        format!("serves {}", kinds.join(", "))
                    } else {
                        format!("does not announce {missing:?}")
                    },
                ));
            }
        },
    }

    if target.token.is_some() {
        let status = send_request(get("/v1/capabilities".into(), false))
            .await
            .map(|r| r.status().as_u16());
        out.push(match status {
            Ok(401 | 403) => check(
                "authentication",
                true,
                "refuses a request without the token",
            ),
            Ok(s) => check(
                "authentication",
                false,
                format!("answers HTTP {s} to a request without the token"),
            ),
            Err(e) => check(
                "authentication",
                false,
                format!("no answer: {}", e.without_url()),
            ),
        });
    }

    let nobody = ["hlidac-check-nobody".to_string()];
    let refs: &[String] = if target.person_refs.is_empty() {
        &nobody
    } else {
        target.person_refs
    };
    // Encoded as the adapter encodes them.
    let query: Vec<(&str, &str)> = refs.iter().map(|r| ("person_ref", r.as_str())).collect();
    for kind in target.kinds {
        let started = Instant::now();
        let etag: Option<String>;
        let resp = send_request(get(format!("/v1/{kind}"), true).query(&query)).await;
        let took = started.elapsed();
        let name = format!("{kind} list");
        let body = match resp {
            Err(e) if e.is_timeout() => {
                out.push(check(
                    &name,
                    false,
                    format!("no answer within {:?}", target.timeout),
                ));
                continue;
            }
            Err(e) => {
                out.push(check(
                    &name,
                    false,
                    format!("no answer: {}", e.without_url()),
                ));
                continue;
            }
            Ok(r) if !r.status().is_success() => {
                out.push(check(&name, false, format!("HTTP {}", r.status().as_u16())));
                continue;
            }
            Ok(r) => match (
                r.headers()
                    .get("etag")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
                crate::capped::body(r, crate::http::MAX_BODY_BYTES).await,
            ) {
                (tag, Ok(b)) => {
                    etag = tag;
                    b
                }
                (_, Err(BodyError::TooLarge(limit))) => {
                    out.push(check(
                        &name,
                        false,
                        format!("the body is larger than {limit} bytes"),
                    ));
                    continue;
                }
                (_, Err(BodyError::Broken(e))) => {
                    out.push(check(
                        &name,
                        false,
                        format!("the body broke off: {}", e.without_url()),
                    ));
                    continue;
                }
            },
        };
        out.push(check(
            &format!("{kind} speed"),
            took <= target.timeout / 2,
            format!(
                "answered in {:.2} s (time-out {:?})",
                took.as_secs_f64(),
                target.timeout
            ),
        ));
        let result = match *kind {
            "receivables" => records::<Receivable>(&body, refs, |r| (&r.key, &r.person_ref)),
            _ => records::<Submission>(&body, refs, |r| (&r.key, &r.person_ref)),
        };
        let list_ok = result.is_ok();
        out.push(match result {
            Ok(n) => check(
                &name,
                true,
                format!("{n} record(s), complete, all well-formed"),
            ),
            Err(why) => check(&name, false, why),
        });
        // Only a good list's ETag is worth asking about again.
        if let (Some(etag), true) = (etag, list_ok) {
            let again = send_request(
                get(format!("/v1/{kind}"), true)
                    .query(&query)
                    .header("if-none-match", &etag),
            )
            .await
            .map(|r| r.status().as_u16());
            out.push(match again {
                Ok(304) => check(
                    &format!("{kind} etag"),
                    true,
                    "answers 304 to If-None-Match with the ETag it gave",
                ),
                Ok(s) => check(
                    &format!("{kind} etag"),
                    false,
                    format!("answers HTTP {s} to If-None-Match with its own unchanged ETag"),
                ),
                Err(e) => check(
                    &format!("{kind} etag"),
                    false,
                    format!("no answer: {}", e.without_url()),
                ),
            });
        }
    }

    if change_feed {
        out.extend(check_change_feed(&get).await);
    }
    out
}

/// The change feed: the head has a cursor, a page follows the format, and an unknown
/// cursor is refused with 410 Gone (an empty page there would silently lose changes).
async fn check_change_feed(get: &impl Fn(String, bool) -> reqwest::RequestBuilder) -> Vec<Check> {
    let mut out = Vec::new();
    let head = match send_request(get("/v1/changes".into(), true)).await {
        Ok(r) if r.status().is_success() => r
            .json::<serde_json::Value>()
            .await
            .ok()
            .and_then(|v| v["next_cursor"].as_str().map(str::to_string)),
        _ => None,
    };
    let Some(head) = head else {
        out.push(check(
            "change feed head",
            false,
            "GET /v1/changes without a cursor does not answer {\"next_cursor\": …}",
        ));
        return out;
    };
    out.push(check("change feed head", true, "answers a cursor"));
    let page = send_request(get("/v1/changes".into(), true).query(&[("cursor", &head)])).await;
    out.push(match page {
        Ok(r) if r.status().is_success() => match r.json::<crate::http::ChangesPage>().await {
            Ok(_) => check(
                "change feed page",
                true,
                "the page from the head is well-formed",
            ),
            Err(e) => check(
                "change feed page",
                false,
                format!("the page from the head does not parse: {}", e.without_url()),
            ),
        },
        Ok(r) => check(
            "change feed page",
            false,
            format!("HTTP {} for the head's own cursor", r.status().as_u16()),
        ),
        Err(e) => check(
            "change feed page",
            false,
            format!("no answer: {}", e.without_url()),
        ),
    });
    let bad = send_request(get(
        "/v1/changes?cursor=hlidac-check-unknown-cursor".into(),
        true,
    ))
    .await
    .map(|r| r.status().as_u16());
    out.push(match bad {
        Ok(410) => check("bad cursor", true, "an unknown cursor gets 410 Gone"),
        Ok(s) => check(
            "bad cursor",
            false,
            format!(
                "an unknown cursor gets HTTP {s}, not 410 Gone: changes would be lost instead of read again"
            ),
        ),
        Err(e) => check("bad cursor", false, format!("no answer: {}", e.without_url())),
    });
    out
}

/// Parses a list and checks each record; returns how many there were.
fn records<T: crate::Record>(
    body: &[u8],
    refs: &[String],
    ids: impl Fn(&T) -> (&String, &String),
) -> Result<usize, String> {
    let page: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the body is not JSON: {e}"))?;
    if page["complete"] != true {
        return Err("the list is not marked \"complete\": true".into());
    }
    let list = page["records"].as_array().ok_or("no \"records\" array")?;
    let wanted: HashSet<&str> = refs.iter().map(String::as_str).collect();
    let mut keys = HashSet::new();
    for (i, v) in list.iter().enumerate() {
        let key = v["key"].as_str().unwrap_or("?").to_string();
        // The open vocabularies first, as a poll reads it; the value sent stays in the
        // message, for the vendor at the terminal (a poll's log leaves it out).
        let mut v = v.clone();
        let (key, person) = if v.get("withdrawn").is_some() {
            // A tombstone (1.1): the key, the person and why, nothing more.
            let t: crate::Tombstone = serde_json::from_value(v)
                .map_err(|e| format!("record {i} ({key}), a tombstone: {e}"))?;
            (t.key, t.person_ref)
        } else {
            T::open_vocabulary(&mut v);
            let record: T =
                serde_json::from_value(v).map_err(|e| format!("record {i} ({key}): {e}"))?;
            let (key, person) = ids(&record);
            (key.clone(), person.clone())
        };
        if !wanted.contains(person.as_str()) {
            return Err(format!(
                "record {i} ({key}) belongs to a person that was not asked about"
            ));
        }
        if !keys.insert(key.clone()) {
            return Err(format!("the key {key} appears twice"));
        }
    }
    Ok(list.len())
}
