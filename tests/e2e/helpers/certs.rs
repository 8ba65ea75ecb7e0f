//! Keys and self-signed certificates made for a test with openssl.

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A self-signed RSA key pair made by openssl, as operators make them.
pub(crate) fn keypair(dir: &Path, name: &str) -> (PathBuf, PathBuf) {
    let key = dir.join(format!("{name}.key"));
    let cert = dir.join(format!("{name}.crt"));
    let ok = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj",
        ])
        .arg(format!("/CN={name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stderr(Stdio::null())
        .status()
        .expect("openssl");
    assert!(ok.success());
    (key, cert)
}

pub(crate) fn load_pair(key: &Path, cert: &Path) -> (PKey<Private>, X509) {
    (
        PKey::private_key_from_pem(&std::fs::read(key).expect("key")).expect("pem key"),
        X509::from_pem(&std::fs::read(cert).expect("cert")).expect("pem cert"),
    )
}
