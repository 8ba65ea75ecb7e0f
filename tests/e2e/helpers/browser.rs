//! A scripted browser: follows redirects, keeps cookies, posts forms; and reading forms
//! and text out of the pages it gets.

use std::collections::HashMap;
use std::sync::Mutex;

/// An HTTP client that keeps cookies and follows redirects itself, as a browser would.
pub(crate) struct Browser {
    pub(crate) http: reqwest::Client,
    pub(crate) cookies: Mutex<HashMap<String, String>>,
}

pub(crate) struct Page {
    pub(crate) url: String,
    pub(crate) status: u16,
    pub(crate) body: String,
}

impl Page {
    /// `link` (an action or href on this page) as the address a browser would go to.
    pub(crate) fn resolve(&self, link: &str) -> String {
        reqwest::Url::parse(&self.url)
            .expect("url")
            .join(link)
            .expect("join")
            .to_string()
    }
}

impl Browser {
    pub(crate) fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client"),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    pub(crate) fn cookie(&self, name: &str) -> Option<String> {
        self.cookies.lock().expect("lock").get(name).cloned()
    }

    pub(crate) async fn send(&self, req: reqwest::RequestBuilder) -> reqwest::Response {
        let jar: String = self
            .cookies
            .lock()
            .expect("lock")
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let req = if jar.is_empty() {
            req
        } else {
            req.header("cookie", jar)
        };
        let r = req.send().await.expect("request");
        for v in r.headers().get_all("set-cookie") {
            let v = v.to_str().expect("ascii");
            let (pair, attrs) = v.split_once(';').unwrap_or((v, ""));
            let (name, value) = pair.split_once('=').expect("cookie");
            let mut jar = self.cookies.lock().expect("lock");
            if attrs.contains("Max-Age=0") {
                jar.remove(name);
            } else {
                jar.insert(name.to_string(), value.to_string());
            }
        }
        r
    }

    /// Sends, then follows redirects (GET) until a page.
    pub(crate) async fn go(&self, mut req: reqwest::RequestBuilder, mut url: String) -> Page {
        for _ in 0..20 {
            let r = self.send(req).await;
            if r.status().is_redirection() {
                let loc = r.headers()["location"]
                    .to_str()
                    .expect("location")
                    .to_string();
                url = reqwest::Url::parse(&url)
                    .expect("url")
                    .join(&loc)
                    .expect("join")
                    .to_string();
                req = self.http.get(&url);
                continue;
            }
            let status = r.status().as_u16();
            return Page {
                url,
                status,
                body: r.text().await.expect("body"),
            };
        }
        panic!("too many redirects");
    }

    pub(crate) async fn get(&self, url: &str) -> Page {
        self.go(self.http.get(url), url.to_string()).await
    }

    pub(crate) async fn post(&self, url: &str, fields: &[(String, String)]) -> Page {
        self.go(self.http.post(url).form(fields), url.to_string())
            .await
    }

    /// On the consent page of a first login: agrees, and returns the page that follows.
    pub(crate) async fn consent(&self, page: Page) -> Page {
        if !page.url.ends_with("/consent") {
            return page;
        }
        self.submit_with(&page, "/consent\"", &[("answer", "yes")])
            .await
    }

    /// Posts the form of the page that holds `marker`, with `extra` fields added.
    pub(crate) async fn submit_with(
        &self,
        page: &Page,
        marker: &str,
        extra: &[(&str, &str)],
    ) -> Page {
        let at = page.body.find(marker).expect("marker");
        let form = &page.body[page.body[..at].rfind("<form").expect("form")..];
        let (action, mut fields) = form_of(form);
        fields.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        self.post(&page.resolve(&action), &fields).await
    }

    /// Posts the page's (first) form as a person pressing its button would.
    pub(crate) async fn submit(&self, page: &Page) -> Page {
        let (action, fields) = form_of(&page.body);
        self.post(&page.resolve(&action), &fields).await
    }
}

/// HTML character references as a browser reads them (named ones hlidac writes, and
/// numeric ones).
pub(crate) fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let ch = match name {
            "quot" => Some('"'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "amp" => Some('&'),
            _ => name
                .strip_prefix("#x")
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

pub(crate) fn attr_of(tag: &str, name: &str) -> Option<String> {
    let i = tag.find(&format!("{name}=\""))? + name.len() + 2;
    let end = tag[i..].find('"')?;
    Some(unescape(&tag[i..i + end]))
}

/// The action and the named inputs of the first form in an HTML page.
pub(crate) fn form_of(html: &str) -> (String, Vec<(String, String)>) {
    let start = html.find("<form").expect("a form on the page");
    let end = html[start..].find("</form>").expect("form end") + start;
    let form = &html[start..end];
    let action = attr_of(&form[..form.find('>').expect("tag")], "action").expect("action");
    let fields = form
        .split("<input")
        .skip(1)
        .filter_map(|t| {
            let tag = &t[..t.find('>').unwrap_or(t.len())];
            Some((
                attr_of(tag, "name")?,
                attr_of(tag, "value").unwrap_or_default(),
            ))
        })
        .collect();
    (action, fields)
}
