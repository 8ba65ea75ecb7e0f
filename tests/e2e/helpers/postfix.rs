//! A real Postfix (Debian's package) on loopback, with its own configuration, queue and log
//! in a temporary folder: it takes mail on a free port, relays it to a sink, and delivers
//! whatever comes back to hlidac's return paths (`bounces+…@<domain>`) through a `pipe`
//! transport to a command, as an operator sets it up for `hlidac bounce`. The master runs
//! as root (Postfix needs it); the pipe runs its command as `nobody`.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

pub struct Postfix {
    dir: tempfile::TempDir,
}

/// Why Postfix cannot run here, if it cannot: not installed, or not root.
pub fn postfix_missing() -> Option<String> {
    if !Path::new("/usr/sbin/postfix").exists() {
        return Some("Postfix is not installed (scripts/install-deps test installs it)".into());
    }
    let uid = Command::new("id").arg("-u").output().ok()?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Some("Postfix's master runs as root only, and the tests do not".into());
    }
    None
}

impl Postfix {
    /// Starts one taking mail on `port` and relaying it to `relay_port` on loopback, and
    /// delivering mail for `bounces+…@domain` to `command` (argv, `${recipient}` as
    /// Postfix expands it).
    pub fn start(port: u16, relay_port: u16, domain: &str, command: &[String]) -> Postfix {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        for sub in ["queue", "data"] {
            std::fs::create_dir(d.join(sub)).expect("postfix folder");
        }
        let status = Command::new("chown")
            .args(["postfix"])
            .arg(d.join("data"))
            .status()
            .expect("chown");
        assert!(status.success());
        std::fs::write(
            d.join("transport"),
            format!(
                "/^bounces\\+.*@{}$/ hlidacbounce:\n",
                domain.replace('.', "\\.")
            ),
        )
        .expect("transport map");
        let main = format!(
            "compatibility_level = 3.6\nqueue_directory = {d}/queue\ndata_directory = {d}/data\n\
             mail_owner = postfix\nsetgid_group = postdrop\ninet_interfaces = 127.0.0.1\n\
             inet_protocols = ipv4\nmyhostname = relay.hlidac.test\nmydomain = hlidac.test\n\
             myorigin = $myhostname\nmydestination =\nlocal_recipient_maps =\nalias_maps =\n\
             alias_database =\nmynetworks = 127.0.0.0/8\nrelayhost = [127.0.0.1]:{relay_port}\n\
             transport_maps = regexp:{d}/transport\nsmtpd_relay_restrictions = permit_mynetworks, reject\n\
             smtp_dns_support_level = disabled\nsmtputf8_enable = no\nmaillog_file = {d}/maillog\n\
             maillog_file_prefixes = {d}\nhlidacbounce_destination_recipient_limit = 1\n\
             delay_warning_time = 0\nbiff = no\n",
            d = d.display()
        );
        std::fs::write(d.join("main.cf"), main).expect("main.cf");
        let mut master = format!("127.0.0.1:{port} inet n - n - - smtpd\n");
        for (name, kind, private, limit, command) in [
            ("pickup", "unix", "n", "1", "pickup"),
            ("cleanup", "unix", "n", "0", "cleanup"),
            ("qmgr", "unix", "n", "1", "qmgr"),
            ("rewrite", "unix", "-", "-", "trivial-rewrite"),
            ("bounce", "unix", "-", "0", "bounce"),
            ("defer", "unix", "-", "0", "bounce"),
            ("trace", "unix", "-", "0", "bounce"),
            ("verify", "unix", "-", "1", "verify"),
            ("flush", "unix", "n", "0", "flush"),
            ("proxymap", "unix", "-", "-", "proxymap"),
            ("smtp", "unix", "-", "-", "smtp"),
            ("relay", "unix", "-", "-", "smtp"),
            ("showq", "unix", "n", "-", "showq"),
            ("error", "unix", "-", "-", "error"),
            ("retry", "unix", "-", "-", "error"),
            ("discard", "unix", "-", "-", "discard"),
            ("anvil", "unix", "-", "1", "anvil"),
            ("scache", "unix", "-", "1", "scache"),
            ("postlog", "unix-dgram", "n", "1", "postlogd"),
        ] {
            master.push_str(&format!(
                "{name} {kind} {private} - n - {limit} {command}\n"
            ));
        }
        master.push_str(&format!(
            "hlidacbounce unix - n n - - pipe\n  flags=Rq user=nobody argv={}\n",
            command.join(" ")
        ));
        std::fs::write(d.join("master.cf"), master).expect("master.cf");
        let out = Command::new("postfix")
            .arg("-c")
            .arg(d)
            .arg("start")
            .output()
            .expect("postfix start");
        let postfix = Postfix { dir };
        assert!(
            out.status.success(),
            "postfix did not start: {}\n{}",
            String::from_utf8_lossy(&out.stderr),
            postfix.log()
        );
        let start = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "postfix does not listen: {}",
                postfix.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        postfix
    }

    /// Its log (`maillog_file`).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("maillog")).unwrap_or_default()
    }
}

/// Makes `path` (and what is in it) the pipe's user's, so that it can read the config and
/// the key and write the database; root, the test, keeps its access.
pub fn give_to_nobody(path: &Path) {
    let status = Command::new("chown")
        .args(["-R", "nobody"])
        .arg(path)
        .status()
        .expect("chown");
    assert!(status.success(), "chown nobody {}", path.display());
}

impl Drop for Postfix {
    fn drop(&mut self) {
        let _ = Command::new("postfix")
            .arg("-c")
            .arg(self.dir.path())
            .arg("stop")
            .output();
    }
}
