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
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("read the port");
        let port = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("{what} did not start: {line:?}"));
        Peer { child, port }
    }
}

impl Drop for Peer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
