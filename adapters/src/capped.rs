//! Reading what a peer sends within a size limit, whatever it announces: an HTTP body (a
//! chunked one says nothing of its length) from a source, an identity provider or an SMS
//! gateway, a file source's file and a program's output, and the lines a program writes
//! to stderr (a line without an end would otherwise grow without bound in the daemon).

use tokio::io::{AsyncRead, AsyncReadExt};

/// Why a capped body could not be read.
#[derive(Debug)]
pub enum BodyError {
    /// The body grew past the limit (bytes).
    TooLarge(usize),
    /// The connection failed or timed out while the body came in.
    Broken(reqwest::Error),
}

/// The whole body of `resp`, refused as soon as it grows past `limit` bytes.
pub async fn body(mut resp: reqwest::Response, limit: usize) -> Result<Vec<u8>, BodyError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(BodyError::TooLarge(limit));
    }
    let mut out = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(BodyError::Broken)? {
        if out.len() + chunk.len() > limit {
            return Err(BodyError::TooLarge(limit));
        }
        out.extend_from_slice(&chunk);
    }
    Ok(out)
}

/// Everything `reader` gives, of which at most one byte past `limit` is read: `None` when
/// there was more than `limit` (a file, a program's output).
pub async fn all<R: AsyncRead + Unpin>(
    reader: R,
    limit: usize,
) -> std::io::Result<Option<Vec<u8>>> {
    let mut out = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut out).await?;
    Ok((out.len() <= limit).then_some(out))
}

/// Calls `each` with every line `reader` gives, cut to its first `cap` bytes (the rest of a
/// longer line is read and dropped), until the end of the stream or a read error.
pub async fn each_line<R: AsyncRead + Unpin>(
    mut reader: R,
    cap: usize,
    mut each: impl FnMut(&str),
) {
    let mut line: Vec<u8> = Vec::with_capacity(cap.min(4096));
    let mut cut = false;
    let mut buf = [0u8; 4096];
    loop {
        let n = match reader.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        for &b in &buf[..n] {
            if b == b'\n' {
                each(&String::from_utf8_lossy(&line));
                line.clear();
                cut = false;
            } else if line.len() < cap {
                line.push(b);
            } else {
                cut = true;
            }
        }
    }
    if !line.is_empty() || cut {
        each(&String::from_utf8_lossy(&line));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    #[tokio::test]
    async fn all_of_a_stream_is_read_up_to_the_limit_only() {
        assert_eq!(
            all(&b"12345"[..], 5).await.expect("reads"),
            Some(b"12345".to_vec())
        );
        assert_eq!(all(&b"123456"[..], 5).await.expect("reads"), None);
        // Only one byte past the limit is taken from an endless stream.
        let endless = tokio::io::repeat(b'x');
        assert_eq!(all(endless, 1024).await.expect("reads"), None);
    }

    #[tokio::test]
    async fn a_line_without_end_is_cut_at_the_cap_and_the_next_line_still_comes() {
        let mut input = vec![b'x'; 1 << 20];
        input.extend_from_slice(b"\nnext\nlast");
        let mut lines = Vec::new();
        each_line(&input[..], 100, |l| lines.push(l.to_string())).await;
        assert_eq!(
            lines.len(),
            3,
            "{:?}",
            lines.iter().map(String::len).collect::<Vec<_>>()
        );
        assert_eq!(lines[0], "x".repeat(100));
        assert_eq!(lines[1], "next");
        assert_eq!(lines[2], "last");
    }

    /// A server on loopback that answers one request with a chunked body of `chunks`
    /// chunks of 1 KiB each (no Content-Length).
    async fn chunked_server(chunks: usize) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.expect("accept");
            let mut request = [0u8; 4096];
            let _ = s.read(&mut request).await;
            let head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
            if s.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk = format!("400\r\n{}\r\n", "y".repeat(1024));
            for _ in 0..chunks {
                if s.write_all(chunk.as_bytes()).await.is_err() {
                    return;
                }
            }
            let _ = s.write_all(b"0\r\n\r\n").await;
        });
        format!("http://{addr}/")
    }

    #[tokio::test]
    async fn a_chunked_body_is_refused_once_it_grows_past_the_limit() {
        let client = reqwest::Client::new();
        let small = chunked_server(4).await;
        let resp = client.get(&small).send().await.expect("answer");
        assert_eq!(body(resp, 8 * 1024).await.expect("within").len(), 4 * 1024);
        let large = chunked_server(64).await;
        let resp = client.get(&large).send().await.expect("answer");
        assert!(resp.content_length().is_none(), "the body is chunked");
        assert!(matches!(
            body(resp, 8 * 1024).await,
            Err(BodyError::TooLarge(8192))
        ));
    }
}
