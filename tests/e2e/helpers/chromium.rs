//! Debian's Chromium, headless, driven by playwright-core (`tests/peers/browser.js`): the
//! citizen pages as a person sees them, with axe-core on each and a screenshot kept.

use crate::helpers::repo_root;
use serde_json::{json, Value};
use std::process::Stdio;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

/// The pages of a logged-in citizen's account, by their path under `/t/<tenant>/`.
pub(crate) const ACCOUNT_PAGES: &[&str] = &[
    "me",
    "settings",
    "contacts",
    "reminders",
    "account",
    "delete",
];

pub(crate) struct Driver {
    pub(crate) child: tokio::process::Child,
    pub(crate) stdin: tokio::process::ChildStdin,
    lines: tokio::io::Lines<BufReader<tokio::process::ChildStdout>>,
    /// (page, language, violations) of every axe run.
    pub(crate) audits: Vec<(String, String, Vec<Value>)>,
    pub(crate) shots: Vec<String>,
}

impl Driver {
    pub(crate) async fn start(out: &std::path::Path) -> Driver {
        let mut child = tokio::process::Command::new("node")
            .arg(repo_root().join("tests/peers/browser.js"))
            .arg("--out")
            .arg(out)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .kill_on_drop(true)
            .spawn()
            .expect("node (scripts/install-deps test installs it)");
        let stdin = child.stdin.take().expect("stdin");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
        let first = lines.next_line().await.expect("read").unwrap_or_default();
        assert!(
            first.contains("ready"),
            "the browser did not start: {first:?} (scripts/install-deps test installs chromium and playwright-core)"
        );
        Driver {
            child,
            stdin,
            lines,
            audits: Vec::new(),
            shots: Vec::new(),
        }
    }

    pub(crate) async fn call(&mut self, cmd: Value) -> Value {
        self.stdin
            .write_all(format!("{cmd}\n").as_bytes())
            .await
            .expect("write");
        let line = tokio::time::timeout(std::time::Duration::from_secs(60), self.lines.next_line())
            .await
            .expect("the browser answers")
            .expect("read")
            .expect("a line");
        let v: Value = serde_json::from_str(&line).expect("JSON");
        assert!(v.get("error").is_none(), "{cmd}: {v}");
        v
    }

    pub(crate) async fn goto(&mut self, url: &str) -> Value {
        self.call(json!({"cmd": "goto", "url": url})).await
    }

    pub(crate) async fn click(&mut self, selector: &str) -> Value {
        self.call(json!({"cmd": "click", "selector": selector}))
            .await
    }

    /// Presses the submit button of the page's form that posts to `action`.
    pub(crate) async fn submit(&mut self, action: &str) {
        let selector = format!("form[method=post][action='{action}'] button[type=submit]");
        self.click(&selector).await;
    }

    pub(crate) async fn fill(&mut self, selector: &str, value: &str) {
        self.call(json!({"cmd": "fill", "selector": selector, "value": value}))
            .await;
    }

    pub(crate) async fn html(&mut self) -> (String, String) {
        let p = self.call(json!({"cmd": "page"})).await;
        (
            p["url"].as_str().unwrap_or("").to_string(),
            p["html"].as_str().unwrap_or("").to_string(),
        )
    }

    /// axe-core on the page as it is, and a screenshot named after it.
    pub(crate) async fn audit(&mut self, name: &str) {
        let p = self.call(json!({"cmd": "page"})).await;
        let lang = p["lang"].as_str().unwrap_or("").to_string();
        let a = self.call(json!({"cmd": "axe"})).await;
        assert!(a["passes"].as_u64().unwrap_or(0) > 10, "axe ran: {a}");
        let violations = a["violations"].as_array().cloned().unwrap_or_default();
        self.audits
            .push((name.to_string(), lang.clone(), violations));
        let shot = self
            .call(json!({"cmd": "screenshot", "name": format!("{name}-{lang}")}))
            .await;
        self.shots
            .push(shot["path"].as_str().unwrap_or("").to_string());
    }

    /// Each page (and language) where axe found something, with what it found.
    pub(crate) fn violations(&self) -> Vec<String> {
        self.audits
            .iter()
            .filter(|(_, _, v)| !v.is_empty())
            .map(|(p, l, v)| {
                format!(
                    "{p} ({l}): {}",
                    serde_json::to_string(v).unwrap_or_default()
                )
            })
            .collect()
    }

    /// Closes the browser.
    pub(crate) async fn quit(&mut self) {
        let _ = self.stdin.write_all(b"{\"cmd\": \"quit\"}\n").await;
        let _ = tokio::time::timeout(std::time::Duration::from_secs(20), self.child.wait()).await;
    }
}
