//! Log lines cannot be forged: `hlidac run` in each log format (text, journald, JSON) is
//! sent refusals whose outside values carry a line break followed by a fake "login
//! succeeded" line, and NUL and ANSI escapes. Each refusal must be exactly one log line,
//! holding its marker escaped; no line may start with the forged text.

use crate::helpers::*;
use base64::Engine as _;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

const FORGED: &str = "INFO hlidac::identity::login: login succeeded tenant=\"lhota\"";
const IDP: &str = "https://idp.lhota.example/metadata";

/// What an attacker puts into a field: a line break, the fake line, a marker, NUL, ANSI.
fn evil(marker: &str) -> String {
    format!("x\n{FORGED} {marker}\r\n\u{0}\u{1b}[2J")
}

fn xml_attr(value: &str) -> String {
    value
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace(['\u{0}', '\u{1b}'], "")
}

/// A Response that passes the checks before the signature's, with `c14n` as the
/// signature's canonicalization algorithm.
fn response_with_c14n(web: &str, c14n: &str) -> String {
    format!(
        "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_r1\" Version=\"2.0\" \
         IssueInstant=\"2026-01-01T00:00:00Z\" Destination=\"{web}/saml/acs\" InResponseTo=\"_q1\">\
         <saml:Issuer>{IDP}</saml:Issuer>\
         <ds:Signature xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:SignedInfo>\
         <ds:CanonicalizationMethod Algorithm=\"{}\"/>\
         <ds:SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <ds:Reference URI=\"#_r1\"><ds:DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/>\
         <ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo>\
         <ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>\
         <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>\
         <saml:Assertion ID=\"_a1\" Version=\"2.0\" IssueInstant=\"2026-01-01T00:00:00Z\">\
         <saml:Issuer>{IDP}</saml:Issuer></saml:Assertion></samlp:Response>",
        xml_attr(c14n)
    )
}

/// An IdP's LogoutRequest over HTTP-Redirect with `sig_alg` as its signature algorithm.
fn logout_query(sig_alg: &str) -> String {
    let request = format!(
        "<samlp:LogoutRequest xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" \
         xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"_l1\" Version=\"2.0\" \
         IssueInstant=\"2026-01-01T00:00:00Z\"><saml:Issuer>{IDP}</saml:Issuer>\
         <saml:NameID>n</saml:NameID></samlp:LogoutRequest>"
    );
    let mut deflater =
        flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    deflater.write_all(request.as_bytes()).expect("deflate");
    let deflated = deflater.finish().expect("deflate");
    let enc = |v: &str| url::form_urlencoded::byte_serialize(v.as_bytes()).collect::<String>();
    format!(
        "SAMLRequest={}&SigAlg={}&Signature=AAAA",
        enc(&base64::engine::general_purpose::STANDARD.encode(deflated)),
        enc(sig_alg)
    )
}

struct Daemon {
    child: std::process::Child,
    log: std::path::PathBuf,
}

impl Daemon {
    fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let _ = self.child.wait();
        std::fs::read_to_string(&self.log).expect("log")
    }
}

async fn start(dir: &std::path::Path, format: &str) -> Option<(Daemon, String)> {
    let db = fresh_database(Engine::Sqlite, dir).await?;
    let port = free_port();
    let web = format!("http://127.0.0.1:{port}");
    let (sp_key, sp_cert) = keypair(dir, "sp");
    let (_, idp_cert) = keypair(dir, "idp");
    let base = config_text(&dir.join("state"), &db, "http://127.0.0.1:9", 9).replace(
        "listen = \"127.0.0.1:0\"",
        &format!("listen = \"127.0.0.1:{port}\"\npublic_url = \"{web}\""),
    );
    let config = format!(
        "{base}\n[log]\nformat = \"{format}\"\nlevel = \"info\"\n\
         [identity]\nkey_file = \"{}\"\ncert_file = \"{}\"\nlogin_rate_per_minute = 1000\n\
         [[identity.saml]]\nid = \"nia\"\nname = \"NIA\"\nprofile = \"cz-nia\"\nentity_id = \"{IDP}\"\n\
         sso_url = \"https://idp.lhota.example/sso\"\nsigning_cert_files = [\"{}\"]\nloa = \"substantial\"\n",
        sp_key.display(),
        sp_cert.display(),
        idp_cert.display()
    );
    let path = dir.join(format!("hlidac-{format}.toml"));
    std::fs::write(&path, config).expect("config");
    let log = dir.join(format!("{format}.log"));
    let child = Command::new(crate::helpers::hlidac_binary())
        .arg("--config")
        .arg(&path)
        .arg("run")
        .env_remove("HLIDAC_LOG")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).expect("log"))
        .spawn()
        .expect("hlidac run");
    let daemon = Daemon { child, log };
    for _ in 0..200 {
        if reqwest::get(format!("{web}/healthz")).await.is_ok() {
            return Some((daemon, web));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("hlidac run did not answer: {}", daemon.stop());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outside_values_cannot_forge_log_lines_in_any_log_format() {
    for format in ["text", "journald", "json"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let Some((daemon, web)) = start(dir.path(), format).await else {
            return;
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        // Each refusal path, with its marker in the outside value it logs.
        let acs = response_with_c14n(&web, &evil("MARK-ACS"));
        let r = http
            .post(format!("{web}/saml/acs"))
            .form(&[(
                "SAMLResponse",
                base64::engine::general_purpose::STANDARD.encode(acs),
            )])
            .send()
            .await
            .expect("acs");
        assert!(r.status().is_client_error(), "acs: {}", r.status());
        let r = http
            .get(format!(
                "{web}/saml/slo?{}",
                logout_query(&evil("MARK-SLO"))
            ))
            .send()
            .await
            .expect("slo");
        assert!(r.status().is_client_error(), "slo: {}", r.status());
        let idp: String =
            url::form_urlencoded::byte_serialize(evil("MARK-OIDC").as_bytes()).collect();
        let r = http
            .get(format!("{web}/oidc/callback/{idp}?code=c&state=s"))
            .send()
            .await
            .expect("oidc");
        assert!(r.status().is_client_error(), "oidc: {}", r.status());
        let log = daemon.stop();

        for marker in ["MARK-ACS", "MARK-SLO", "MARK-OIDC"] {
            let lines: Vec<&str> = log.lines().filter(|l| l.contains(marker)).collect();
            assert_eq!(
                lines.len(),
                1,
                "{format}: one log line for the refusal carrying {marker}:\n{log}"
            );
            let line = lines[0];
            assert!(
                line.contains("refused"),
                "{format}: the marker {marker} is on the refusal's own line: {line}\n{log}"
            );
            assert!(
                !line.contains('\u{1b}') && !line.contains('\u{0}') && !line.contains('\r'),
                "{format}: control characters escaped: {line:?}"
            );
            if format == "json" {
                let v: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("json: not one JSON object ({e}): {line}"));
                assert!(v
                    .to_string()
                    .contains(FORGED.split(' ').nth(2).unwrap_or("")));
            } else {
                assert!(
                    line.contains("\\n"),
                    "{format}: the break written as \\n: {line}"
                );
            }
        }
        for line in log.lines() {
            let text = line.trim_start();
            assert!(
                !text.starts_with("INFO hlidac::identity::login: login succeeded"),
                "{format}: a forged line: {line}\n{log}"
            );
            if line.contains("login succeeded") {
                assert!(
                    line.contains("MARK-"),
                    "{format}: no login succeeded here: {line}"
                );
            }
        }
    }
}
