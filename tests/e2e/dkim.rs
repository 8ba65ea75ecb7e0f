//! DKIM: a municipality's e-mails are signed, and the signature verifies with an
//! independent verifier (dkimpy) against the raw message the SMTP server received; a
//! message changed after signing does not.

use crate::helpers::*;
use std::process::Command;

fn openssl(args: &[&str]) -> Vec<u8> {
    let out = run_ok(
        Command::new("openssl").args(args),
        "openssl (scripts/install-deps test)",
    );
    out.stdout
}

fn verify(message: &std::path::Path, public_key: &str) -> String {
    let python = std::env::var("HLIDAC_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = run_ok(
        Command::new(python)
            .arg(repo_root().join("tests/peers/dkim_verify.py"))
            .arg(message)
            .arg(public_key),
        "dkim_verify.py",
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[tokio::test]
async fn sent_mail_carries_a_dkim_signature_that_verifies() {
    let keys = tempfile::tempdir().expect("tempdir");
    let key = keys.path().join("dkim.pem");
    let key_path = key.display().to_string();
    openssl(&["genrsa", "-traditional", "-out", &key_path, "2048"]);
    let der = openssl(&["rsa", "-in", &key_path, "-pubout", "-outform", "DER"]);
    let public = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, der);

    let with_dkim = |c: String| {
        c.replace(
            "sender = { email = \"hlidac@lhota.example\" }",
            &format!("sender = {{ email = \"hlidac@lhota.example\" }}\ndkim = {{ selector = \"hlidac2026\", key_file = \"{key_path}\" }}"),
        )
    };
    let mut t = TestApp::on_sqlite_with(
        crate::timeline::scenario(),
        morning("2026-05-01"),
        with_dkim,
    )
    .await;
    assert_eq!(t.cycle().await.len(), 2);
    let raw = t.smtp.dir.path().join("000001.eml");
    let text = std::fs::read_to_string(&raw).expect("raw message");
    assert!(text.contains("DKIM-Signature:"), "{text}");
    assert!(
        text.contains("list-unsubscribe") || text.contains("List-Unsubscribe:"),
        "{text}"
    );
    assert_eq!(
        verify(&raw, &public),
        "pass hlidac2026._domainkey.lhota.example."
    );

    // The verifier really checks: a changed signed header fails.
    let tampered = t.smtp.dir.path().join("tampered.eml");
    assert!(text.contains("Message-ID: <"), "{text}");
    std::fs::write(
        &tampered,
        text.replacen("Message-ID: <", "Message-ID: <forged-", 1),
    )
    .expect("write");
    assert!(verify(&tampered, &public).starts_with("fail"));
}

#[test]
fn check_config_refuses_a_key_that_is_not_pkcs1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("key.pem");
    openssl(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-out",
        &key.display().to_string(),
    ]); // PKCS#8
    let demo = std::fs::read_to_string(repo_root().join("config/demo.toml")).expect("demo");
    let config = dir.path().join("hlidac.toml");
    let text = demo.replace(
        "reminder_offsets_days = [14, 3, 0]",
        &format!(
            "reminder_offsets_days = [14, 3, 0]\ndkim = {{ selector = \"s\", key_file = \"{}\" }}",
            key.display()
        ),
    );
    std::fs::write(&config, text).expect("config");
    let out = hlidac_with_config(&config)
        .arg("check-config")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(78), "{stderr}");
    assert!(
        stderr.contains("tenant[0].dkim.key_file") && stderr.contains("PKCS#1"),
        "{stderr}"
    );
}
