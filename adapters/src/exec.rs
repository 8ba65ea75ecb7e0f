//! `exec` adapter: runs a program of the municipality's (argv, no shell) that answers one
//! request on stdin with JSON lines on stdout:
//!
//! ```text
//! stdin : {"op": "receivables", "person_refs": ["…", "…"]}
//! stdout: {"protocol": "hlidac-adapter/1"}
//!         {…one record per line…}
//!         {"end": true, "complete": true}
//! ```
//!
//! A non-zero exit, a missing handshake or end line, a line that does not parse,
//! `"complete": false`, more output than allowed or a time-out fails the poll. The program
//! runs under `prlimit` with an address-space limit; what it writes on stderr is logged,
//! each person reference of the run's request in it replaced by `…`.

use crate::held::{read_entry, Listed};
use crate::records::Record;
use crate::source::{AdapterError, RecordSource};
use crate::PROTOCOL;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::AsyncWriteExt;

/// Output larger than this fails the poll instead of filling memory.
const MAX_OUTPUT_BYTES: usize = 256 * 1024 * 1024;
/// The most of one stderr line the daemon holds; the log shows an excerpt
/// ([`crate::hide::excerpt`]).
const STDERR_LINE_BYTES: usize = 4096;

#[derive(Clone, Debug)]
pub struct ExecAdapter {
    /// The program and its arguments.
    pub argv: Vec<String>,
    pub timeout: Duration,
    /// Address-space limit for the program, in bytes.
    pub memory_limit: u64,
    /// Person references per run.
    pub max_page: usize,
}

/// Runs the program once per page of people, with the kind's list (`R::LIST`) as `op`,
/// each run within the time-out.
impl RecordSource for ExecAdapter {
    async fn records<R: Record>(&self, person_refs: &[String]) -> Result<Listed<R>, AdapterError> {
        let mut out = Listed::default();
        for chunk in person_refs.chunks(self.max_page.max(1)) {
            let run = self.run_once::<R>(chunk);
            match tokio::time::timeout(self.timeout, run).await {
                Ok(records) => out.extend(records?),
                Err(_) => return Err(AdapterError::Timeout(self.timeout)),
            }
        }
        Ok(out)
    }
}

impl ExecAdapter {
    async fn run_once<T: Record>(&self, person_refs: &[String]) -> Result<Listed<T>, AdapterError> {
        let request = serde_json::json!({"op": T::LIST, "person_refs": person_refs});
        let Some(program) = self.argv.first() else {
            return Err(AdapterError::Transport(
                "the exec adapter has an empty command".into(),
            ));
        };
        let mut child = tokio::process::Command::new("prlimit")
            .arg(format!("--as={}", self.memory_limit))
            .arg("--")
            .arg(program)
            .args(&self.argv[1..])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| AdapterError::Transport(format!("cannot start {program}: {e}")))?;
        let mut stdin = child
            .stdin
            .take()
            .ok_or_else(|| AdapterError::Transport("no stdin".into()))?;
        let stdout = child
            .stdout
            .take()
            .ok_or_else(|| AdapterError::Transport("no stdout".into()))?;
        let stderr = child
            .stderr
            .take()
            .ok_or_else(|| AdapterError::Transport("no stderr".into()))?;
        let name = program.clone();
        let hider = crate::hide::Hider::new(person_refs);
        let log_stderr = tokio::spawn(async move {
            crate::capped::each_line(stderr, STDERR_LINE_BYTES, |line| {
                let excerpt = hider.hide(&crate::hide::excerpt(line));
                tracing::warn!(program = %name, "adapter stderr: {excerpt}");
            })
            .await
        });
        let mut line = request.to_string();
        line.push('\n');
        // A program that exits without reading its request is judged by its output.
        let _ = stdin.write_all(line.as_bytes()).await;
        drop(stdin);

        let read = crate::capped::all(stdout, MAX_OUTPUT_BYTES).await;
        let status = child
            .wait()
            .await
            .map_err(|e| AdapterError::Transport(e.to_string()))?;
        let _ = log_stderr.await;
        let raw = read
            .map_err(|e| AdapterError::Transport(format!("reading the program's output: {e}")))?
            .ok_or_else(|| AdapterError::Malformed("the program wrote more than 256 MiB".into()))?;
        if !status.success() {
            return Err(AdapterError::Transport(match status.code() {
                Some(code) => format!("the program exited with status {code}"),
                None => "the program was killed (out of memory?)".into(),
            }));
        }
        parse_output(&raw)
    }
}

/// Reads the handshake, the records and the end line.
pub fn parse_output<R: Record>(raw: &[u8]) -> Result<Listed<R>, AdapterError> {
    let text = std::str::from_utf8(raw)
        .map_err(|_| AdapterError::Malformed("output is not UTF-8".into()))?;
    let mut lines = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty());
    let malformed =
        |n: usize, what: &str| AdapterError::Malformed(format!("line {}: {what}", n + 1));
    let (n, first) = lines
        .next()
        .ok_or_else(|| AdapterError::Malformed("no output".into()))?;
    let hello: serde_json::Value =
        serde_json::from_str(first).map_err(|_| malformed(n, "the handshake is not JSON"))?;
    if hello["protocol"] != PROTOCOL {
        return Err(malformed(
            n,
            &format!("expected the handshake {{\"protocol\": \"{PROTOCOL}\"}}"),
        ));
    }
    let mut records = Listed::default();
    for (n, line) in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|_| malformed(n, "not JSON"))?;
        if value.get("end").is_some() {
            return if value["end"] == true && value["complete"] == true {
                Ok(records)
            } else {
                Err(AdapterError::Incomplete)
            };
        }
        records.push(read_entry(value).map_err(|mut held| {
            held.error = format!("line {}: {}", n + 1, held.error);
            held
        }));
    }
    Err(AdapterError::Malformed(
        "the output ended without {\"end\": true}".into(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::Receivable;

    const REC: &str = r#"{"key": "K", "person_ref": "P", "kind": "dog_fee", "title": "t", "currency": "CZK", "amount_due": "1.00", "amount_outstanding": "1.00", "status": "open"}"#;

    #[test]
    fn output_needs_the_handshake_and_the_end_line() {
        let ok = format!(
            "{{\"protocol\": \"{PROTOCOL}\"}}\n{REC}\n{{\"end\": true, \"complete\": true}}\n"
        );
        assert_eq!(
            parse_output::<Receivable>(ok.as_bytes())
                .expect("parses")
                .records
                .len(),
            1
        );
        let no_end = format!("{{\"protocol\": \"{PROTOCOL}\"}}\n{REC}\n");
        assert!(matches!(
            parse_output::<Receivable>(no_end.as_bytes()),
            Err(AdapterError::Malformed(_))
        ));
        let wrong_version = "{\"protocol\": \"hlidac-adapter/9\"}
{\"end\": true, \"complete\": true}
";
        assert!(matches!(
            parse_output::<Receivable>(wrong_version.as_bytes()),
            Err(AdapterError::Malformed(_))
        ));
        let incomplete =
            format!("{{\"protocol\": \"{PROTOCOL}\"}}\n{{\"end\": true, \"complete\": false}}\n");
        assert!(matches!(
            parse_output::<Receivable>(incomplete.as_bytes()),
            Err(AdapterError::Incomplete)
        ));
        // A record that does not follow the protocol is held back alone, by its line.
        let bad_record = format!("{{\"protocol\": \"{PROTOCOL}\"}}\n{{\"key\": 1}}\n{REC}\n{{\"end\": true, \"complete\": true}}\n");
        let listed = parse_output::<Receivable>(bad_record.as_bytes()).expect("parses");
        assert_eq!(listed.records.len(), 1);
        assert_eq!(listed.held.len(), 1);
        assert!(
            listed.held[0].error.starts_with("line 2: "),
            "{:?}",
            listed.held
        );
        let not_json = format!("{{\"protocol\": \"{PROTOCOL}\"}}\n{{\"key\": \n{{\"end\": true, \"complete\": true}}\n");
        assert!(matches!(
            parse_output::<Receivable>(not_json.as_bytes()),
            Err(AdapterError::Malformed(_))
        ));
    }
}
