//! A test peer process (an IdP, an OpenID Connect provider, an SMSC) that prints
//! `listening <port>` first, stopped when dropped.

use std::io::BufRead;
use std::process::{Child, Command, Stdio};

/// A test peer process that prints `listening <port>` first.
pub(crate) struct Peer {
    pub(crate) child: Child,
    pub(crate) port: u16,
}

impl Peer {
    pub(crate) fn start(mut cmd: Command, what: &str) -> Peer {
        let mut child = cmd
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}; run scripts/install-deps test"));
        let port = announced_port(&mut child, "listening ")
            .unwrap_or_else(|line| panic!("{what} did not start: {line:?}"));
        Peer { child, port }
    }
}

/// The port a started peer announces on its first line of output as `<prefix><port>`;
/// the line it printed instead when it does not.
pub(crate) fn announced_port(child: &mut Child, prefix: &str) -> Result<u16, String> {
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the port");
    line.trim()
        .strip_prefix(prefix)
        .and_then(|p| p.parse().ok())
        .ok_or(line)
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
