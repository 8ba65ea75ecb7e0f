//! A relay that answers the end of each message after a fixed delay, as a remote relay
//! does, for `scripts/bench scale`: Postfix's smtp-sink delays only in whole seconds.
//! It speaks just enough ESMTP for hlidac's client (EHLO, MAIL, RCPT, DATA, RSET, NOOP,
//! QUIT), keeps nothing, and counts the messages it accepted.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

pub struct SlowRelay {
    pub port: u16,
    accepted: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl SlowRelay {
    pub async fn start(delay: Duration) -> SlowRelay {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let count = accepted.clone();
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let _ = socket.set_nodelay(true);
                tokio::spawn(session(socket, delay, count.clone()));
            }
        });
        SlowRelay {
            port,
            accepted,
            task,
        }
    }

    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::Relaxed)
    }
}

impl Drop for SlowRelay {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(socket: TcpStream, delay: Duration, accepted: Arc<AtomicUsize>) {
    let (read, mut write) = socket.into_split();
    let mut lines = BufReader::new(read);
    if write.write_all(b"220 slow-relay ESMTP\r\n").await.is_err() {
        return;
    }
    let mut line = Vec::new();
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let verb = String::from_utf8_lossy(&line).to_ascii_uppercase();
        let reply: &[u8] = if verb.starts_with("EHLO") {
            b"250-slow-relay\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
        } else if verb.starts_with("DATA") {
            if write.write_all(b"354 go ahead\r\n").await.is_err() {
                return;
            }
            // The message, up to the line with a single dot.
            loop {
                line.clear();
                match lines.read_until(b'\n', &mut line).await {
                    Ok(0) | Err(_) => return,
                    Ok(_) => {}
                }
                if line == b".\r\n" || line == b".\n" {
                    break;
                }
            }
            tokio::time::sleep(delay).await;
            accepted.fetch_add(1, Ordering::Relaxed);
            b"250 2.0.0 accepted\r\n"
        } else if verb.starts_with("QUIT") {
            let _ = write.write_all(b"221 bye\r\n").await;
            return;
        } else {
            // HELO, MAIL, RCPT, RSET, NOOP
            b"250 ok\r\n"
        };
        if write.write_all(reply).await.is_err() {
            return;
        }
    }
}
