//! The boundary test's client: HTTP/1.1 requests written byte for byte over TCP, so that
//! anything can be in the target, a header or the body (reqwest would refuse to send
//! most of it), read while they are sent, and timed to the status line.

use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// How long a request may go unanswered before it counts as a stall (a guard against a
/// hung test, not a timing assertion).
const NO_ANSWER: Duration = Duration::from_secs(60);

/// An HTTP/1.1 request written byte for byte (so that anything can be in it).
pub(crate) struct Req {
    pub(crate) method: &'static str,
    pub(crate) target: Vec<u8>,
    pub(crate) headers: Vec<(String, Vec<u8>)>,
    pub(crate) body: Vec<u8>,
    /// Bytes `A` appended to the target (GET) or the body (POST) when sent, so that the
    /// 8 MiB cases are not all held in memory at once.
    pub(crate) filler: usize,
}

impl Req {
    pub(crate) fn wire(&self, addr: SocketAddr) -> Vec<u8> {
        let mut w = Vec::with_capacity(self.body.len() + self.target.len() + self.filler + 512);
        let post = self.method == "POST";
        w.extend(self.method.as_bytes());
        w.push(b' ');
        w.extend(&self.target);
        if !post {
            w.resize(w.len() + self.filler, b'A');
        }
        w.extend(format!(" HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n").as_bytes());
        for (name, value) in &self.headers {
            w.extend(name.as_bytes());
            w.extend(b": ");
            w.extend(value);
            w.extend(b"\r\n");
        }
        if post {
            let len = self.body.len() + self.filler;
            w.extend(format!("Content-Length: {len}\r\n").as_bytes());
        }
        w.extend(b"\r\n");
        w.extend(&self.body);
        if post {
            w.resize(w.len() + self.filler, b'A');
        }
        w
    }
}

/// Sends the bytes while reading the answer (a server may answer before the body is
/// in); returns the status and the start of the body, and the time to the status line.
pub(crate) async fn exchange(
    addr: SocketAddr,
    wire: Vec<u8>,
) -> (Result<(u16, String), String>, Duration) {
    let started = Instant::now();
    let stream = match tokio::net::TcpStream::connect(addr).await {
        Ok(s) => s,
        Err(e) => return (Err(format!("connect: {e}")), started.elapsed()),
    };
    let (mut rd, mut wr) = stream.into_split();
    // The write half is kept open until the answer is read: a client that half-closes
    // may have its answer dropped.
    let writer = tokio::spawn(async move {
        let r = wr.write_all(&wire).await;
        (wr, r)
    });
    let mut buf = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    let mut took = None;
    let mut status = None;
    let mut want_len: Option<usize> = None;
    let mut head_len = 0;
    let mut read_error = None;
    let read = tokio::time::timeout(NO_ANSWER, async {
        loop {
            match rd.read(&mut chunk).await {
                Ok(0) => break,
                Ok(n) => {
                    if buf.len() < 256 * 1024 {
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    if status.is_none() {
                        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            took = Some(started.elapsed());
                            head_len = end + 4;
                            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
                            status = head
                                .split_whitespace()
                                .nth(1)
                                .and_then(|s| s.parse::<u16>().ok());
                            want_len = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse().ok());
                        }
                    }
                    if let Some(len) = want_len {
                        if buf.len() >= head_len + len {
                            break;
                        }
                    }
                }
                Err(e) => {
                    read_error = Some(e.to_string());
                    break;
                }
            }
        }
    })
    .await;
    let elapsed = took.unwrap_or_else(|| started.elapsed());
    writer.abort();
    let write_error = match writer.await {
        Ok((_, Err(e))) => Some(e.to_string()),
        _ => None,
    };
    let result = match (status, read) {
        (Some(s), _) => {
            let body = String::from_utf8_lossy(&buf[head_len.min(buf.len())..]);
            Ok((s, body.chars().take(300).collect()))
        }
        (None, Err(_)) => Err(format!("no answer within {}s", NO_ANSWER.as_secs())),
        (None, Ok(())) => Err(format!(
            "connection closed without an answer (read: {}, write: {})",
            read_error.as_deref().unwrap_or("end of stream"),
            write_error.as_deref().unwrap_or("complete")
        )),
    };
    (result, elapsed)
}

pub(crate) fn replace_bytes(hay: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(hay.len());
    let mut i = 0;
    while i < hay.len() {
        if hay[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}
