//! eID login end to end: a pysaml2 IdP that signs and encrypts (AES-256-CBC) NIA-style
//! assertions, node `oidc-provider` as an OpenID Connect provider, a scripted browser that
//! follows redirects and posts forms, linking through the simulator's registry, the
//! document expiry reminder, and the negative suite of crafted responses and tokens.

use crate::helpers::*;
use base64::Engine as _;
use hlidac::clock::Clock;
use hlidac::identity::dsig::{self, SignWith};
use hlidac::identity::login::Failure;
use openssl::pkey::{PKey, Private};
use openssl::x509::X509;
use std::collections::HashMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// What a crafted response says; each field can be spoiled by a test.
#[derive(Clone)]
struct Forge {
    in_response_to: Option<String>,
    destination: Option<String>,
    recipient: String,
    audience: Option<String>,
    issuer: String,
    not_before_s: i64,
    not_on_or_after_s: i64,
    name_id: String,
    loa: String,
    sign_assertion: bool,
    sign_response: bool,
    with: SignWith,
    two_assertions: bool,
    /// Encrypts the (signed) assertion to the SP before the Response is signed.
    encrypt: Option<Enc>,
    /// Makes the assertion ids unique per forged response (the replay cache remembers them).
    tag: String,
}

const AES256_GCM: &str = "http://www.w3.org/2009/xmlenc11#aes256-gcm";
const AES128_CBC: &str = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
const RSA_OAEP: &str = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
const RSA_OAEP_MGF1P: &str = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
const RSA_1_5: &str = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";

/// How a forged assertion is encrypted: content and key transport algorithms, and
/// whether a ciphertext bit is flipped afterwards.
#[derive(Clone, Copy)]
struct Enc {
    data: &'static str,
    key: &'static str,
    tamper: bool,
}

impl Enc {
    /// AES-256-GCM content, its key sent with the key transport `key`.
    fn gcm_to(key: &'static str) -> Enc {
        Enc {
            data: AES256_GCM,
            key,
            tamper: false,
        }
    }
}

/// An `EncryptedAssertion` of `plain` for the holder of `cert`, as XML Encryption says.
fn encrypt_assertion(plain: &str, cert: &X509, enc: Enc) -> String {
    use openssl::symm::Cipher;
    let (cipher, key_len, gcm) = match enc.data {
        AES256_GCM => (Cipher::aes_256_gcm(), 32, true),
        AES128_CBC => (Cipher::aes_128_cbc(), 16, false),
        other => panic!("no test cipher {other}"),
    };
    let mut key = vec![0u8; key_len];
    openssl::rand::rand_bytes(&mut key).expect("rand");
    let mut data = if gcm {
        let mut iv = [0u8; 12];
        openssl::rand::rand_bytes(&mut iv).expect("rand");
        let mut tag = [0u8; 16];
        let ct =
            openssl::symm::encrypt_aead(cipher, &key, Some(&iv), &[], plain.as_bytes(), &mut tag)
                .expect("gcm");
        [&iv[..], &ct, &tag].concat()
    } else {
        let mut iv = [0u8; 16];
        openssl::rand::rand_bytes(&mut iv).expect("rand");
        let ct = openssl::symm::encrypt(cipher, &key, Some(&iv), plain.as_bytes()).expect("cbc");
        [&iv[..], &ct].concat()
    };
    if enc.tamper {
        let middle = data.len() / 2;
        data[middle] ^= 0x01;
    }
    let rsa = cert.public_key().expect("key").rsa().expect("rsa");
    let padding = if enc.key == RSA_1_5 {
        openssl::rsa::Padding::PKCS1
    } else {
        openssl::rsa::Padding::PKCS1_OAEP
    };
    let mut wrapped = vec![0u8; rsa.size() as usize];
    let n = rsa
        .public_encrypt(&key, &mut wrapped, padding)
        .expect("wrap");
    wrapped.truncate(n);
    let b64 = |b: &[u8]| base64::engine::general_purpose::STANDARD.encode(b);
    format!(
        "<saml:EncryptedAssertion><xenc:EncryptedData xmlns:xenc=\"http://www.w3.org/2001/04/xmlenc#\" \
         Type=\"http://www.w3.org/2001/04/xmlenc#Element\"><xenc:EncryptionMethod Algorithm=\"{data_alg}\"/>\
         <ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><xenc:EncryptedKey>\
         <xenc:EncryptionMethod Algorithm=\"{key_alg}\"/><xenc:CipherData><xenc:CipherValue>{k}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedKey></ds:KeyInfo><xenc:CipherData><xenc:CipherValue>{d}</xenc:CipherValue></xenc:CipherData>\
         </xenc:EncryptedData></saml:EncryptedAssertion>",
        data_alg = enc.data,
        key_alg = enc.key,
        k = b64(&wrapped),
        d = b64(&data),
    )
}

/// What an optional part of a forged response writes: `xml` of its value, or nothing
/// when the test leaves it out.
fn optional(value: &Option<String>, xml: impl Fn(&str) -> String) -> String {
    value.as_deref().map(xml).unwrap_or_default()
}

impl Forge {
    fn new(e: &Eid, in_response_to: &str) -> Forge {
        Forge {
            in_response_to: Some(in_response_to.to_string()),
            destination: Some(format!("{}/saml/acs", e.web)),
            recipient: format!("{}/saml/acs", e.web),
            audience: Some(format!("{}/saml/metadata", e.web)),
            issuer: format!("http://127.0.0.1:{}/metadata", e.idp.port),
            not_before_s: -30,
            not_on_or_after_s: 300,
            name_id: "forged-transient-id".into(),
            loa: "http://eidas.europa.eu/LoA/substantial".into(),
            sign_assertion: true,
            sign_response: true,
            with: SignWith::RsaSha256,
            two_assertions: false,
            encrypt: None,
            tag: hlidac::store::new_id(),
        }
    }

    fn assertion(&self, now: chrono::DateTime<chrono::Utc>, id: &str) -> String {
        let t = |s: i64| {
            (now + chrono::Duration::seconds(s)).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        };
        let irt = optional(&self.in_response_to, |i| format!(" InResponseTo=\"{i}\""));
        let aud = optional(&self.audience, |a| {
            format!("<saml:AudienceRestriction><saml:Audience>{a}</saml:Audience></saml:AudienceRestriction>")
        });
        format!(
            "<saml:Assertion xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" ID=\"{id}\" Version=\"2.0\" IssueInstant=\"{now}\">\
             <saml:Issuer>{iss}</saml:Issuer><!--{id}-->\
             <saml:Subject><saml:NameID Format=\"urn:oasis:names:tc:SAML:2.0:nameid-format:transient\">{name}</saml:NameID>\
             <saml:SubjectConfirmation Method=\"urn:oasis:names:tc:SAML:2.0:cm:bearer\">\
             <saml:SubjectConfirmationData{irt} NotOnOrAfter=\"{until}\" Recipient=\"{rcpt}\"/></saml:SubjectConfirmation></saml:Subject>\
             <saml:Conditions NotBefore=\"{nb}\" NotOnOrAfter=\"{until}\">{aud}</saml:Conditions>\
             <saml:AuthnStatement AuthnInstant=\"{now}\" SessionIndex=\"s1\"><saml:AuthnContext><saml:AuthnContextClassRef>{loa}</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>\
             <saml:AttributeStatement><saml:Attribute Name=\"{EIDAS}PersonIdentifier\"><saml:AttributeValue>{PID}</saml:AttributeValue></saml:Attribute>\
             <saml:Attribute Name=\"{EIDAS}CurrentGivenName\"><saml:AttributeValue>Jana</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>\
             </saml:Assertion>",
            now = t(0),
            iss = self.issuer,
            name = self.name_id,
            until = t(self.not_on_or_after_s),
            nb = t(self.not_before_s),
            rcpt = self.recipient,
            loa = self.loa,
        )
    }

    fn build(&self, e: &Eid) -> String {
        let now = e.t.clock.now();
        let irt = optional(&self.in_response_to, |i| format!(" InResponseTo=\"{i}\""));
        let dest = optional(&self.destination, |d| format!(" Destination=\"{d}\""));
        let (a1, a2) = (format!("_a1{}", self.tag), format!("_a2{}", self.tag));
        let mut assertions = self.assertion(now, &a1);
        if self.two_assertions {
            assertions.push_str(&self.assertion(now, &a2));
        }
        let mut xml = format!(
            "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\" xmlns:saml=\"urn:oasis:names:tc:SAML:2.0:assertion\" \
             ID=\"_r1\" Version=\"2.0\" IssueInstant=\"{now}\"{dest}{irt}><saml:Issuer>{iss}</saml:Issuer><!--_r1-->\
             <samlp:Status><samlp:StatusCode Value=\"urn:oasis:names:tc:SAML:2.0:status:Success\"/></samlp:Status>{assertions}</samlp:Response>",
            now = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            iss = self.issuer,
        );
        let sign = |xml: &str, id: &str| {
            dsig::sign_enveloped_with(
                xml,
                id,
                &e.idp_key,
                &e.idp_cert,
                &format!("<!--{id}-->"),
                self.with,
            )
            .expect("sign")
        };
        if self.sign_assertion {
            xml = sign(&xml, &a1);
            if self.two_assertions {
                xml = sign(&xml, &a2);
            }
        }
        if let Some(enc) = self.encrypt {
            let start = xml.find("<saml:Assertion").expect("assertion");
            let end = xml.find("</saml:Assertion>").expect("end") + "</saml:Assertion>".len();
            let sp_cert = load_pair(&e.dir.path().join("sp.key"), &e.dir.path().join("sp.crt")).1;
            let sealed = encrypt_assertion(&xml[start..end], &sp_cert, enc);
            xml.replace_range(start..end, &sealed);
        }
        if self.sign_response {
            xml = sign(&xml, "_r1");
        }
        xml
    }
}

test_on_each_engine!(saml_login: a_citizen_logs_in_through_a_saml_idp_with_encrypted_assertions_and_is_linked, a_citizen_logs_in_through_a_saml_idp_on_postgres);

async fn saml_login(engine: Engine) {
    let Some(mut e) = setup(engine, None, &[]).await else {
        return;
    };

    // The SP metadata is valid against the OASIS schema kept in the repository.
    let meta = e.dir.path().join("sp.xml");
    run_ok(
        Command::new("xmllint")
            .args(["--noout", "--nonet", "--schema"])
            .arg(repo_root().join("tests/schemas/saml-schema-metadata-2.0.xsd"))
            .arg(&meta),
        "xmllint (scripts/install-deps test installs libxml2-utils)",
    );
    let text = std::fs::read_to_string(&meta).expect("meta");
    assert!(text.contains("<ds:Signature"), "the metadata is signed");

    // The whole login, as a browser: landing page, IdP, auto-post form, citizen's page.
    let b = Browser::new();
    let landing = b.get(&format!("{}/t/lhota/", e.web)).await;
    assert!(landing.body.contains("Identita občana"), "{}", landing.body);
    let at_idp = b.get(&format!("{}/t/lhota/login/nia", e.web)).await;
    assert_eq!(at_idp.status, 200, "{}", at_idp.body);
    let raw = Eid::saml_response_of(&at_idp);
    assert!(
        raw.contains("http://www.w3.org/2001/04/xmlenc#aes256-cbc"),
        "the IdP encrypts with AES-256-CBC"
    );
    assert!(!raw.contains(PID), "the assertion travels encrypted");
    let page = b.consent(b.submit(&at_idp).await).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.url.ends_with("/t/lhota/me"), "{}", page.url);
    assert!(page.body.contains("Jana Nováková"), "{}", page.body);
    assert!(
        page.body.contains("****4821"),
        "the registry's document is shown"
    );
    assert!(b.cookie("__Host-hlidac_session").is_some());
    assert!(
        b.cookie("__Host-hlidac_flow").is_none(),
        "the flow cookie is cleared"
    );

    // What the IdP received: a signed request asking for at least "substantial", with the
    // eIDAS extensions.
    let requests: serde_json::Value =
        reqwest::get(format!("http://127.0.0.1:{}/test/requests", e.idp.port))
            .await
            .expect("requests")
            .json()
            .await
            .expect("json");
    let req = &requests.as_array().expect("list")[0];
    assert_eq!(req["signature_verified"], true);
    assert_eq!(req["requested_authn_context"]["comparison"], "minimum");
    assert_eq!(
        req["requested_authn_context"]["class_refs"][0],
        "http://eidas.europa.eu/LoA/substantial"
    );
    let ext = req["extensions_xml"].as_str().expect("extensions");
    assert!(
        ext.contains("SPType") && ext.contains("RequestedAttribute"),
        "{ext}"
    );
    assert_eq!(
        req["id"].as_str().expect("id").len(),
        33,
        "128-bit request id"
    );

    // The login is counted, and nothing identifying is in the database in clear.
    let (n, rows) = e.logins_ending(None, Some("nia"), "success").await;
    assert!(n > 0, "{rows:?}");
    // SQLite: the database files themselves, main file and WAL (PostgreSQL stores what the
    // same code writes).
    if engine == Engine::Sqlite {
        e.t.app.store.close().await;
        let mut bytes = Vec::new();
        for f in std::fs::read_dir(e.t.dir.path()).expect("dir") {
            let p = f.expect("entry").path();
            if p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("hlidac.db"))
            {
                bytes.extend(std::fs::read(&p).expect("db"));
            }
        }
        let db = String::from_utf8_lossy(&bytes);
        assert!(
            db.contains("saml_replay"),
            "read the database: {} bytes",
            bytes.len()
        );
        for secret in [
            PID,
            JANA,
            "jana.eid@example.cz",
            "+420601123456",
            "Nováková",
            "****4821",
        ] {
            assert!(
                !db.contains(secret),
                "{secret:?} is in the database in clear"
            );
        }
        // The same check finds what is there in clear: the tenant's name.
        assert!(db.contains("Obec Lhota"));
    }
    e.t.restart().await;

    // The identity card expires in 45 days: nothing at 31 days, the reminder at 30.
    let login_time = e.t.clock.now();
    e.t.clock.set(login_time + chrono::Duration::days(14));
    let mails = e.t.cycle().await;
    assert_none_about(&mails, "doklad");
    e.t.clock.set(login_time + chrono::Duration::days(15));
    let mails = e.t.cycle().await;
    let reminder = mails
        .iter()
        .find(|m| m.subject.contains("za 30 dní končí platnost dokladu"))
        .unwrap_or_else(|| panic!("no document reminder in {mails:?}"));
    assert_eq!(reminder.to, JANA_MAIL);
    let until = login_time
        .with_timezone(&chrono_tz::Europe::Prague)
        .date_naive()
        + chrono::Days::new(45);
    let czech = until.format("%-d. %-m. %Y").to_string();
    assert!(
        reminder.body.contains("****4821") && reminder.body.contains(&czech),
        "{czech}: {}",
        reminder.body
    );
    assert!(e.t.cycle().await.is_empty(), "the reminder goes once");
}

#[tokio::test]
async fn logout_ends_the_session_and_goes_through_single_logout() {
    let Some(e) = setup(Engine::Sqlite, None, &[]).await else {
        return;
    };
    let (b, form) = e.to_acs(false).await;
    let me = b.consent(b.submit(&form).await).await;
    assert!(me.body.contains("Jana Nováková"), "{}", me.body);
    assert_eq!(e.sessions().await, 1);
    // Without the CSRF token the form is refused and the session stays.
    let r = b
        .post(
            &format!("{}/logout", e.web),
            &[("csrf".into(), "forged".into())],
        )
        .await;
    assert_eq!(r.status, 403);
    assert_eq!(e.sessions().await, 1);
    let done = b.submit(&me).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.url.contains("/saml/slo?"),
        "went through the IdP's SLO: {}",
        done.url
    );
    assert!(done.body.contains("Odhlášeno"), "{}", done.body);
    // The end page names the municipality and offers to log in again.
    assert!(
        done.body.contains("Obec Lhota") && unescape(&done.body).contains("href=\"/t/lhota/\""),
        "{}",
        done.body
    );
    assert_eq!(e.sessions().await, 0);
    let again = b.get(&format!("{}/t/lhota/me", e.web)).await;
    assert!(
        again.url.ends_with("/t/lhota/"),
        "logged out: {}",
        again.url
    );
}

#[tokio::test]
async fn a_login_below_the_municipality_s_level_of_assurance_is_refused() {
    let Some(e) = setup(Engine::Sqlite, Some("http://eidas.europa.eu/LoA/low"), &[]).await else {
        return;
    };
    let (b, form) = e.to_acs(false).await;
    let page = b.consent(b.submit(&form).await).await;
    assert_eq!(page.status, 403);
    assert!(page.body.contains("úroveň"), "{}", page.body);
    assert_eq!(e.sessions().await, 0);
}

#[tokio::test]
async fn a_citizen_who_cancels_at_the_idp_is_told_so_in_the_municipality_s_language() {
    let Some(e) = setup(Engine::Sqlite, None, &[]).await else {
        return;
    };
    // The IdP answers with a signed Response that carries a status and no assertion.
    let user = serde_json::json!({"error": {
        "status": "urn:oasis:names:tc:SAML:2.0:status:AuthnFailed",
        "message": "the user cancelled"}});
    std::fs::write(e.dir.path().join("user.json"), user.to_string()).expect("user");
    let (b, form) = e.to_acs(false).await;
    let response = Eid::saml_response_of(&form);
    assert!(!response.contains("Assertion"), "{response}");
    let page = b.submit(&form).await;
    assert_eq!(page.status, 403, "{}", page.body);
    assert!(
        page.body.contains("Přihlášení nebylo dokončeno"),
        "a Czech page that says the login was not completed: {}",
        page.body
    );
    assert!(!page.body.contains("assertion"), "{}", page.body);
    assert_eq!(e.sessions().await, 0);
    let (n, rows) = e
        .logins_ending(Some("lhota"), Some("nia"), "declined")
        .await;
    assert!(n > 0, "{rows:?}");
}

/// Moves the signed assertion and puts a forged one where a careless SP would read it.
fn xsw(signed: &str, variant: u8) -> String {
    let doc = roxmltree::Document::parse(signed).expect("parse");
    let root = doc.root_element();
    fn el<'a, 'i>(n: roxmltree::Node<'a, 'i>, name: &str) -> roxmltree::Node<'a, 'i> {
        n.children()
            .find(|c| c.is_element() && c.tag_name().name() == name)
            .expect(name)
    }
    let a = el(root, "Assertion");
    let r_sig = el(root, "Signature").range();
    let a_range = a.range();
    let a_sig = el(a, "Signature").range();
    let original = &signed[a_range.clone()];
    let local_sig = (a_sig.start - a_range.start)..(a_sig.end - a_range.start);
    let unsigned_original = format!(
        "{}{}",
        &original[..local_sig.start],
        &original[local_sig.end..]
    );
    let a_id = a.attribute("ID").expect("id");
    let evil_signed = original
        .replacen(&format!("ID=\"{a_id}\""), "ID=\"_evil\"", 1)
        .replace("Jana", "Eva");
    let evil = unsigned_original
        .replacen(&format!("ID=\"{a_id}\""), "ID=\"_evil\"", 1)
        .replace("Jana", "Eva");
    let close = |s: &str| s.rfind("</").expect("close");
    let before = &signed[..a_range.start];
    let after = &signed[a_range.end..];
    let p = &signed[root.range().start + 1..];
    let prefix = &p[..p.find(':').unwrap_or(0)];
    match variant {
        // 1, 2: a forged Response around the real one, kept inside or beside the signature.
        1 | 2 => {
            let forged = format!("{before}{evil}{after}").replacen(
                &format!("ID=\"{}\"", root.attribute("ID").expect("id")),
                "ID=\"_evilresp\"",
                1,
            );
            let sig_in_forged = forged.find(&signed[r_sig.clone()]).expect("sig");
            if variant == 1 {
                let sig_text = &signed[r_sig.clone()];
                let i = close(sig_text);
                let new_sig = format!(
                    "{}<ds:Object>{}</ds:Object>{}",
                    &sig_text[..i],
                    signed
                        .trim_start_matches(|c| c != '<')
                        .split_once("?>")
                        .map(|(_, r)| r)
                        .unwrap_or(signed),
                    &sig_text[i..]
                );
                format!(
                    "{}{}{}",
                    &forged[..sig_in_forged],
                    new_sig,
                    &forged[sig_in_forged + sig_text.len()..]
                )
            } else {
                let body = signed.split_once("?>").map(|(_, r)| r).unwrap_or(signed);
                format!(
                    "{}{}{}",
                    &forged[..sig_in_forged],
                    body,
                    &forged[sig_in_forged..]
                )
            }
        }
        3 => format!("{before}{evil}{original}{after}"),
        4 => format!(
            "{before}{}{original}{}{after}",
            &evil[..close(&evil)],
            &evil[close(&evil)..]
        ),
        5 => {
            let end = signed.rfind("</").expect("end");
            let rest = &signed[a_range.end..end];
            format!(
                "{before}{evil_signed}{rest}{unsigned_original}{}",
                &signed[end..]
            )
        }
        6 => {
            let i = evil_signed.find("</ds:Signature>").expect("sig end");
            format!(
                "{before}{}{unsigned_original}{}{after}",
                &evil_signed[..i],
                &evil_signed[i..]
            )
        }
        7 => format!("{before}<{prefix}:Extensions>{original}</{prefix}:Extensions>{evil}{after}"),
        _ => {
            let i = evil_signed.find("</ds:Signature>").expect("sig end");
            format!(
                "{before}{}<ds:Object>{unsigned_original}</ds:Object>{}{after}",
                &evil_signed[..i],
                &evil_signed[i..]
            )
        }
    }
}

#[tokio::test]
async fn crafted_saml_responses_are_refused_each_for_its_own_reason() {
    let Some(e) = setup(Engine::Sqlite, None, &[]).await else {
        return;
    };
    let mut cases = 0;
    let mut expect = |reason: String, want: &str, case: &str| {
        assert!(
            reason.contains(want),
            "{case}: refused for {reason:?}, expected {want:?}"
        );
        cases += 1;
    };

    // XSW1–8 on a response the real IdP signed (unencrypted, so it can be rearranged).
    for v in 1..=8u8 {
        let (b, form) = e.to_acs(true).await;
        let signed = Eid::saml_response_of(&form);
        assert!(signed.contains("Assertion") && !signed.contains("EncryptedAssertion"));
        let attack = xsw(&signed, v);
        let reason = e
            .refused(&attack, b.cookie("__Host-hlidac_flow").as_deref())
            .await;
        expect(reason, "2 assertions", &format!("XSW{v}"));
    }
    // The untouched response from the same IdP is accepted (so the refusals above are the
    // rearrangements', not the response's).
    let (b, form) = e.to_acs(true).await;
    let good = Eid::saml_response_of(&form);
    let b64 = base64::engine::general_purpose::STANDARD.encode(&good);
    let (_, ok) =
        e.t.app
            .identity
            .saml_acs(b.cookie("__Host-hlidac_flow").as_deref(), &b64)
            .await;
    assert!(ok.is_ok(), "{ok:?}");
    // Replayed: the same response through a new login.
    let (cookie, _) = e.flow().await;
    expect(e.refused(&good, Some(&cookie)).await, "replayed", "replay");
    let sessions_before = e.sessions().await;

    type Spoil = fn(&mut Forge);
    let crafted: &[(&str, Spoil, &str)] = &[
        (
            "unsigned assertion in a signed response",
            |f| f.sign_assertion = false,
            "the assertion is not signed",
        ),
        (
            "no signature at all",
            |f| {
                f.sign_assertion = false;
                f.sign_response = false
            },
            "not signed",
        ),
        ("SHA-1 signature", |f| f.with = SignWith::RsaSha1, "SHA-1"),
        (
            "comment in NameID",
            |f| f.name_id = "jana@example.cz<!---->.evil.example".into(),
            "comment",
        ),
        (
            "two assertions",
            |f| f.two_assertions = true,
            "2 assertions",
        ),
        (
            "wrong InResponseTo",
            |f| f.in_response_to = Some("_0123456789abcdef0123456789abcdef".into()),
            "InResponseTo",
        ),
        ("unsolicited", |f| f.in_response_to = None, "unsolicited"),
        (
            "expired",
            |f| {
                f.not_before_s = -900;
                f.not_on_or_after_s = -600
            },
            "expired",
        ),
        ("not yet valid", |f| f.not_before_s = 600, "not yet valid"),
        (
            "wrong Audience",
            |f| f.audience = Some("https://other.example/sp".into()),
            "wrong Audience",
        ),
        ("no Audience", |f| f.audience = None, "no Audience"),
        (
            "wrong Recipient",
            |f| f.recipient = "https://other.example/acs".into(),
            "wrong Recipient",
        ),
        (
            "wrong Destination",
            |f| f.destination = Some("https://other.example/acs".into()),
            "wrong Destination",
        ),
        ("no Destination", |f| f.destination = None, "no Destination"),
        (
            "unknown issuer",
            |f| f.issuer = "https://idp.evil.example".into(),
            "unknown issuer",
        ),
        (
            "unsigned assertion inside an encrypted assertion",
            |f| {
                f.sign_assertion = false;
                f.encrypt = Some(Enc::gcm_to(RSA_OAEP))
            },
            "the assertion is not signed",
        ),
        (
            "encrypted assertion in an unsigned response",
            |f| {
                f.sign_response = false;
                f.encrypt = Some(Enc::gcm_to(RSA_OAEP))
            },
            "only in a signed Response",
        ),
        (
            "tampered AES-GCM ciphertext",
            |f| {
                f.encrypt = Some(Enc {
                    tamper: true,
                    ..Enc::gcm_to(RSA_OAEP)
                })
            },
            "decrypt",
        ),
        (
            "RSA PKCS#1 v1.5 key transport",
            |f| f.encrypt = Some(Enc::gcm_to(RSA_1_5)),
            "v1.5 key transport refused",
        ),
    ];
    for &(case, spoil, want) in crafted {
        let (cookie, id) = e.flow().await;
        let mut f = Forge::new(&e, &id);
        spoil(&mut f);
        expect(e.refused(&f.build(&e), Some(&cookie)).await, want, case);
    }
    // Signed by a key the IdP does not have.
    {
        let (cookie, id) = e.flow().await;
        let (k, c) = keypair(e.dir.path(), "stranger");
        let (key, cert) = load_pair(&k, &c);
        let f = Forge {
            sign_assertion: false,
            sign_response: false,
            ..Forge::new(&e, &id)
        };
        let a1 = format!("_a1{}", f.tag);
        let mut xml = f.build(&e);
        xml = dsig::sign_enveloped_with(
            &xml,
            &a1,
            &key,
            &cert,
            &format!("<!--{a1}-->"),
            SignWith::RsaSha256,
        )
        .expect("sign");
        xml =
            dsig::sign_enveloped_with(&xml, "_r1", &key, &cert, "<!--_r1-->", SignWith::RsaSha256)
                .expect("sign");
        expect(
            e.refused(&xml, Some(&cookie)).await,
            "does not verify",
            "unknown key",
        );
    }
    // A response without a login in progress in this browser.
    {
        let (_, id) = e.flow().await;
        expect(
            e.refused(&Forge::new(&e, &id).build(&e), None).await,
            "no login in progress",
            "no flow cookie",
        );
    }
    // The level of assurance below the municipality's minimum.
    {
        let (cookie, id) = e.flow().await;
        let mut f = Forge::new(&e, &id);
        f.loa = "http://eidas.europa.eu/LoA/low".into();
        let b64 = base64::engine::general_purpose::STANDARD.encode(f.build(&e));
        let (_, r) = e.t.app.identity.saml_acs(Some(&cookie), &b64).await;
        assert!(matches!(r, Err(Failure::LowLoa)), "{r:?}");
        cases += 1;
    }
    // The forged response as it should be is accepted, in clear and encrypted each way:
    // the spoiled field is what failed.
    for encrypt in [
        None,
        Some(Enc::gcm_to(RSA_OAEP)),
        Some(Enc {
            data: AES128_CBC,
            key: RSA_OAEP_MGF1P,
            tamper: false,
        }),
    ] {
        let (cookie, id) = e.flow().await;
        let f = Forge {
            encrypt,
            ..Forge::new(&e, &id)
        };
        let b64 = base64::engine::general_purpose::STANDARD.encode(f.build(&e));
        let (_, r) = e.t.app.identity.saml_acs(Some(&cookie), &b64).await;
        assert!(r.is_ok(), "{r:?}");
    }
    assert_eq!(
        e.sessions().await,
        sessions_before + 3,
        "no refused response made a session"
    );
    assert!(cases >= 25, "{cases} SAML cases");

    // Through HTTP: a refusal is a 403 page, sets no session cookie, and is counted.
    let (cookie, id) = e.flow().await;
    let mut f = Forge::new(&e, &id);
    f.audience = Some("https://other.example/sp".into());
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/saml/acs", e.web))
        .header("cookie", format!("__Host-hlidac_flow={cookie}"))
        .form(&[(
            "SAMLResponse",
            base64::engine::general_purpose::STANDARD.encode(f.build(&e)),
        )])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(!r.headers().get_all("set-cookie").iter().any(|v| v
        .to_str()
        .unwrap_or("")
        .starts_with("__Host-hlidac_session=")));
    let (n, rows) = e.logins_ending(None, None, "refused").await;
    assert!(n > 0, "{rows:?}");
}

#[tokio::test]
async fn a_citizen_logs_in_through_an_openid_connect_provider() {
    let dir = tempfile::tempdir().expect("tempdir");
    let claims = serde_json::json!({
        "sub": "rs-0001",
        "given_name": "Petar", "family_name": "Petrović",
        "http://schema.id.rs/claims/umcn": "0203985710000",
        "http://schema.id.rs/claims/givenname": "Петар",
        "http://schema.id.rs/claims/familyname": "Петровић",
        "http://schema.id.rs/claims/ial": "2",
        "email": "petar@example.rs", "email_verified": true,
        // The login's level, which the provider states in the ID token's `acr`.
        "acr": "http://eidas.europa.eu/LoA/substantial"
    });
    std::fs::write(dir.path().join("claims.json"), claims.to_string()).expect("claims");
    // Start the daemon first on a known port, then the OP with that redirect URI.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let web_port = listener.local_addr().expect("addr").port();
    let secret = "s3cret-s3cret-s3cret-s3cret-s3cret".to_string();
    let op = start_oidc_op(
        &format!("http://127.0.0.1:{web_port}/oidc/callback/rs"),
        &secret,
        &dir.path().join("claims.json"),
    );
    let issuer = format!("http://127.0.0.1:{}", op.port);
    let Some(e) = setup_on(Engine::Sqlite, None, &[("rs", issuer, secret)], listener).await else {
        return;
    };
    let b = Browser::new();
    let page = b
        .consent(b.get(&format!("{}/t/lhota/login/rs", e.web)).await)
        .await;
    assert_eq!(page.status, 200, "{}: {}", page.url, page.body);
    assert!(page.url.ends_with("/t/lhota/me"), "{}", page.url);
    assert!(page.body.contains("Петар Петровић"), "{}", page.body);
    let (n, rows) = e.logins_ending(None, Some("rs"), "success").await;
    assert!(n > 0, "{rows:?}");
}

/// A provider that answers with the ID token each case crafts.
struct EvilOp {
    issuer: String,
    key: PKey<Private>,
    token: std::sync::Arc<Mutex<String>>,
    /// The key set it publishes: `k1` (the key above) and `weak`, a 1024-bit RSA key.
    jwks: std::sync::Arc<Mutex<serde_json::Value>>,
    /// Times the key set was read.
    jwks_reads: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    /// The token endpoint answers with a redirect to `/elsewhere` (which would give the
    /// token) instead of the token.
    redirect: std::sync::Arc<std::sync::atomic::AtomicBool>,
    elsewhere_hits: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    weak: PKey<Private>,
}

/// An RSA public key as a JWK.
fn rsa_jwk(key: &PKey<Private>, kid: &str) -> serde_json::Value {
    let rsa = key.rsa().expect("rsa");
    let b64 = |b: Vec<u8>| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    serde_json::json!({"kty": "RSA", "kid": kid, "use": "sig", "alg": "RS256",
        "n": b64(rsa.n().to_vec()), "e": b64(rsa.e().to_vec())})
}

fn rsa_key(bits: u32) -> PKey<Private> {
    PKey::from_rsa(openssl::rsa::Rsa::generate(bits).expect("rsa")).expect("pkey")
}

async fn evil_op() -> EvilOp {
    use axum::routing::{get, post};
    use std::sync::atomic::Ordering;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let issuer = format!("http://{}", listener.local_addr().expect("addr"));
    let key = rsa_key(2048);
    let weak = rsa_key(1024);
    let jwks = std::sync::Arc::new(Mutex::new(
        serde_json::json!({"keys": [rsa_jwk(&key, "k1"), rsa_jwk(&weak, "weak")]}),
    ));
    let discovery = serde_json::json!({
        "issuer": issuer, "authorization_endpoint": format!("{issuer}/auth"),
        "token_endpoint": format!("{issuer}/token"), "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"], "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    });
    let token = std::sync::Arc::new(Mutex::new(String::new()));
    let jwks_reads = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let redirect = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let elsewhere_hits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let (t2, t3, j2, r2, r3, h2) = (
        token.clone(),
        token.clone(),
        jwks.clone(),
        jwks_reads.clone(),
        redirect.clone(),
        elsewhere_hits.clone(),
    );
    let elsewhere = format!("{issuer}/elsewhere");
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(move || async move { axum::Json(discovery) }))
        .route("/jwks", get(move || {
            r2.fetch_add(1, Ordering::SeqCst);
            let keys = j2.lock().expect("lock").clone();
            async move { axum::Json(keys) }
        }))
        .route("/token", post(move || {
            let t = t2.lock().expect("lock").clone();
            let redirect = r3.load(Ordering::SeqCst);
            let elsewhere = elsewhere.clone();
            async move {
                use axum::response::IntoResponse;
                if redirect {
                    return axum::response::Redirect::temporary(&elsewhere).into_response();
                }
                axum::Json(serde_json::json!({"id_token": t, "token_type": "Bearer", "access_token": "at"})).into_response()
            }
        }))
        .route("/elsewhere", post(move || {
            h2.fetch_add(1, Ordering::SeqCst);
            let t = t3.lock().expect("lock").clone();
            async move { axum::Json(serde_json::json!({"id_token": t, "token_type": "Bearer", "access_token": "at"})) }
        }));
    tokio::spawn(async move { axum::serve(listener, app).await });
    EvilOp {
        issuer,
        key,
        token,
        jwks,
        jwks_reads,
        redirect,
        elsewhere_hits,
        weak,
    }
}

impl EvilOp {
    fn sign(&self, header: serde_json::Value, claims: serde_json::Value) -> String {
        sign_jwt(&self.key, header, claims)
    }
}

fn sign_jwt(key: &PKey<Private>, header: serde_json::Value, claims: serde_json::Value) -> String {
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let mut s =
        openssl::sign::Signer::new(openssl::hash::MessageDigest::sha256(), key).expect("signer");
    s.update(input.as_bytes()).expect("update");
    format!("{input}.{}", b64(&s.sign_to_vec().expect("sign")))
}

/// A signed token encrypted as the Czech NIA does: RSA-OAEP with A256CBC-HS512.
fn encrypt_jwt(signed: &str, to: &X509) -> String {
    use josekit::jwe::{JweHeader, RSA_OAEP};
    let mut header = JweHeader::new();
    header.set_content_encryption("A256CBC-HS512");
    header.set_content_type("JWT");
    let pem = to
        .public_key()
        .expect("key")
        .public_key_to_pem()
        .expect("pem");
    let encrypter = RSA_OAEP.encrypter_from_pem(&pem).expect("encrypter");
    josekit::jwe::serialize_compact(signed.as_bytes(), &header, &encrypter).expect("encrypt")
}

/// One login at `idp`: started, answered by its provider with the token `make` builds
/// from the login's nonce, and called back. Returns how it ended.
async fn evil_login(
    e: &Eid,
    op: &EvilOp,
    idp: &str,
    make: impl FnOnce(&str) -> String,
) -> Result<hlidac::identity::login::Opened, Failure> {
    let (cookie, _, q) = oidc_start(e, idp).await;
    *op.token.lock().expect("lock") = make(&q["nonce"]);
    oidc_callback(e, idp, &cookie, &answer(&q["state"])).await
}

/// A login started at `idp`: the flow cookie, the provider's URL the browser is sent to,
/// and that URL's query.
async fn oidc_start(e: &Eid, idp: &str) -> (String, String, HashMap<String, String>) {
    let (cookie, url) = e.start_login(idp).await;
    let query = reqwest::Url::parse(&url)
        .expect("url")
        .query_pairs()
        .into_owned()
        .collect();
    (cookie, url, query)
}

/// The provider's answer to the callback: a code (the test providers take any) and `state`.
fn answer(state: &str) -> HashMap<String, String> {
    [("code".into(), "c".into()), ("state".into(), state.into())].into()
}

/// The callback of the login with the flow cookie `cookie`: how it ended.
async fn oidc_callback(
    e: &Eid,
    idp: &str,
    cookie: &str,
    params: &HashMap<String, String>,
) -> Result<hlidac::identity::login::Opened, Failure> {
    e.t.app
        .identity
        .oidc_callback(idp, Some(cookie), params)
        .await
        .1
}

#[tokio::test]
async fn crafted_id_tokens_and_callbacks_are_refused_each_for_its_own_reason() {
    let op = evil_op().await;
    // A second provider that encrypts its ID tokens to the service's key, as the NIA does.
    let enc_op = evil_op().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let Some(e) = setup_with(
        Engine::Sqlite,
        None,
        &[
            (
                "evil",
                op.issuer.clone(),
                "another-secret-another-secret-00".into(),
            ),
            (
                "evilenc",
                enc_op.issuer.clone(),
                "another-secret-another-secret-01".into(),
            ),
        ],
        listener,
        nia_block,
        |c| {
            c.replace(
                "client_id = \"hlidac-evilenc\"\n",
                "client_id = \"hlidac-evilenc\"\nencrypted_id_token = true\n",
            )
        },
        |_| {},
    )
    .await
    else {
        return;
    };
    let now = e.t.clock.now().timestamp();
    let mut cases = 0;
    type Spoil = fn(&mut serde_json::Value, &mut serde_json::Value, &mut HashMap<String, String>);
    let list: &[(&str, Spoil, &str)] = &[
        (
            "wrong iss",
            |_, c, _| c["iss"] = "http://other.example".into(),
            "wrong issuer",
        ),
        (
            "wrong aud",
            |_, c, _| c["aud"] = "someone-else".into(),
            "wrong audience",
        ),
        ("alg none", |h, _, _| h["alg"] = "none".into(), "alg none"),
        ("HMAC", |h, _, _| h["alg"] = "HS256".into(), "HMAC"),
        (
            "bad signature",
            |_, c, _| c["bad_signature"] = true.into(),
            "signature does not verify",
        ),
        (
            "wrong nonce",
            |_, c, _| c["nonce"] = "another".into(),
            "wrong nonce",
        ),
        (
            "missing state",
            |_, _, p| {
                p.remove("state");
            },
            "missing state",
        ),
        (
            "wrong state",
            |_, _, p| {
                p.insert("state".into(), "forged".into());
            },
            "wrong state",
        ),
        (
            "expired token",
            |_, c, _| {
                let now = c["iat"].as_i64().expect("iat");
                c["exp"] = (now - 3600).into();
                c["iat"] = (now - 7200).into()
            },
            "expired",
        ),
        (
            "unknown kid",
            |h, _, _| h["kid"] = "k2".into(),
            "unknown kid",
        ),
    ];
    for &(case, spoil, want) in list {
        let (cookie, _, q) = oidc_start(&e, "evil").await;
        let mut header = serde_json::json!({"alg": "RS256", "kid": "k1", "typ": "JWT"});
        let mut claims = serde_json::json!({"iss": op.issuer, "aud": "hlidac-evil", "sub": "x1", "nonce": q["nonce"],
            "exp": now + 300, "iat": now, "given_name": "Eva"});
        let mut params = answer(&q["state"]);
        spoil(&mut header, &mut claims, &mut params);
        let mut token = op.sign(header, claims.clone());
        if claims.get("bad_signature").is_some() {
            token.push_str("AAAA");
        }
        *op.token.lock().expect("lock") = token;
        match oidc_callback(&e, "evil", &cookie, &params).await {
            Err(Failure::Refused(reason)) => assert!(
                reason.contains(want),
                "{case}: {reason:?}, expected {want:?}"
            ),
            other => panic!("{case}: {other:?}"),
        }
        cases += 1;
    }
    assert_eq!(cases, 10);
    assert_eq!(e.sessions().await, 0, "no crafted token made a session");

    // A forged callback (wrong state) leaves the pending login alone: the real answer
    // still finds it afterwards (and is then told the registry does not know "x1").
    let (cookie, _, q) = oidc_start(&e, "evil").await;
    let r = oidc_callback(&e, "evil", &cookie, &answer("forged")).await;
    assert!(
        matches!(&r, Err(Failure::Refused(m)) if m.contains("wrong state")),
        "{r:?}"
    );
    *op.token.lock().expect("lock") = op.sign(
        serde_json::json!({"alg": "RS256", "kid": "k1", "typ": "JWT"}),
        serde_json::json!({"iss": op.issuer, "aud": "hlidac-evil", "sub": "x1", "nonce": q["nonce"],
            "exp": now + 300, "iat": now, "given_name": "Eva",
            "acr": "http://eidas.europa.eu/LoA/substantial"}),
    );
    let r = oidc_callback(&e, "evil", &cookie, &answer(&q["state"])).await;
    assert!(matches!(r, Err(Failure::NotLinked(_))), "{r:?}");

    // The login asks for the levels the municipality accepts (substantial by default), as
    // acr_values and as an essential acr claim.
    let (_, url, q) = oidc_start(&e, "evil").await;
    let wanted = [
        "http://eidas.europa.eu/LoA/high",
        "http://eidas.europa.eu/LoA/substantial",
    ];
    assert_eq!(q["acr_values"], wanted.join(" "), "{url}");
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&q["claims"]).expect("claims"),
        serde_json::json!({"id_token": {"acr": {"essential": true, "values": wanted}}}),
        "{url}"
    );

    // The level is the `acr` the provider returns, mapped; without one there is none.
    let claims = |nonce: &str, extra: serde_json::Value| {
        let now = e.t.clock.now().timestamp();
        let mut c = serde_json::json!({"iss": op.issuer, "aud": "hlidac-evil", "sub": "x1",
            "nonce": nonce, "exp": now + 300, "iat": now, "given_name": "Eva",
            "acr": "http://eidas.europa.eu/LoA/substantial"});
        for (k, v) in extra.as_object().expect("object") {
            if v.is_null() {
                c.as_object_mut().expect("object").remove(k);
            } else {
                c[k] = v.clone();
            }
        }
        c
    };
    let k1 = serde_json::json!({"alg": "RS256", "kid": "k1", "typ": "JWT"});
    // A login at "evil" answered with a token signed under `header`, its claims changed
    // by `extra`.
    let signed = |header: &serde_json::Value, extra: serde_json::Value| {
        let (op, claims, header) = (&op, &claims, header.clone());
        evil_login(&e, op, "evil", move |n| op.sign(header, claims(n, extra)))
    };
    let refused =
        |case: &str, r: Result<hlidac::identity::login::Opened, Failure>, want: &str| match r {
            Err(Failure::Refused(reason)) => assert!(
                reason.contains(want),
                "{case}: {reason:?}, expected {want:?}"
            ),
            other => panic!("{case}: {other:?}"),
        };
    let r = signed(
        &k1,
        serde_json::json!({"acr": "http://eidas.europa.eu/LoA/low"}),
    )
    .await;
    assert!(
        matches!(r, Err(Failure::LowLoa)),
        "acr below the minimum: {r:?}"
    );
    let r = signed(&k1, serde_json::json!({"acr": null})).await;
    refused("acr missing", r, "states no level of assurance");
    let r = signed(&k1, serde_json::json!({"acr": "1"})).await;
    refused("acr unknown", r, "states no level of assurance");
    let r = signed(&k1, serde_json::json!({"azp": "someone-else"})).await;
    refused("azp mismatch", r, "azp names another client");
    let r = evil_login(&e, &op, "evil", |n| {
        sign_jwt(
            &op.weak,
            serde_json::json!({"alg": "RS256", "kid": "weak", "typ": "JWT"}),
            claims(n, serde_json::json!({})),
        )
    })
    .await;
    refused("1024-bit RSA key", r, "an RSA key of 1024 bits");
    op.redirect.store(true, std::sync::atomic::Ordering::SeqCst);
    let r = signed(&k1, serde_json::json!({})).await;
    refused(
        "redirect from the token endpoint",
        r,
        "redirect (307 Temporary Redirect), which is not followed",
    );
    op.redirect
        .store(false, std::sync::atomic::Ordering::SeqCst);
    assert_eq!(
        op.elsewhere_hits.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "the redirect was not followed"
    );
    // An answer past the size limit is refused before it is parsed.
    let r = evil_login(&e, &op, "evil", |_| "x".repeat(300 * 1024)).await;
    refused(
        "oversized token response",
        r,
        "answered with more than 262144 bytes",
    );
    // The same token through the token endpoint itself is accepted (and not linked).
    let r = signed(&k1, serde_json::json!({})).await;
    assert!(matches!(r, Err(Failure::NotLinked(_))), "{r:?}");

    // An unknown kid reads the keys again, at most once a minute.
    e.t.clock.advance(chrono::Duration::seconds(61));
    let reads = || op.jwks_reads.load(std::sync::atomic::Ordering::SeqCst);
    let before = reads();
    let k3 = serde_json::json!({"alg": "RS256", "kid": "k3", "typ": "JWT"});
    let r = signed(&k3, serde_json::json!({})).await;
    refused(
        "unknown kid, keys read again",
        r,
        "unknown kid \"k3\": no such key",
    );
    assert_eq!(reads(), before + 1, "the keys were read again once");
    let r = signed(&k3, serde_json::json!({})).await;
    refused("unknown kid again", r, "unknown kid \"k3\": no such key");
    assert_eq!(reads(), before + 1, "not again within the minute");

    // The provider withdraws k1 and publishes k2: after the scheduled refresh (an hour),
    // a token signed with k1 is refused and one with k2 accepted.
    let k2_key = rsa_key(2048);
    *op.jwks.lock().expect("lock") = serde_json::json!({"keys": [rsa_jwk(&k2_key, "k2")]});
    let r = signed(&k1, serde_json::json!({})).await;
    assert!(
        matches!(r, Err(Failure::NotLinked(_))),
        "k1 is trusted until the refresh: {r:?}"
    );
    e.t.clock.advance(chrono::Duration::seconds(3601));
    let r = signed(&k1, serde_json::json!({})).await;
    refused(
        "key withdrawn at the provider",
        r,
        "the provider withdrew this key",
    );
    let r = evil_login(&e, &op, "evil", |n| {
        sign_jwt(
            &k2_key,
            serde_json::json!({"alg": "RS256", "kid": "k2", "typ": "JWT"}),
            claims(n, serde_json::json!({})),
        )
    })
    .await;
    assert!(
        matches!(r, Err(Failure::NotLinked(_))),
        "the new key: {r:?}"
    );

    // Encrypted ID tokens (RSA-OAEP, A256CBC-HS512) to the service's key are opened and
    // checked; one encrypted to another key, or not encrypted, is refused.
    let sp_cert = X509::from_pem(&std::fs::read(e.dir.path().join("sp.crt")).expect("sp cert"))
        .expect("cert");
    let (_, other_cert) = {
        let (k, c) = keypair(e.dir.path(), "other");
        load_pair(&k, &c)
    };
    let enc_claims = |nonce: &str| {
        let now = e.t.clock.now().timestamp();
        serde_json::json!({"iss": enc_op.issuer, "aud": "hlidac-evilenc", "sub": "x2",
            "nonce": nonce, "exp": now + 300, "iat": now, "given_name": "Eva",
            "acr": "http://eidas.europa.eu/LoA/high"})
    };
    let r = evil_login(&e, &enc_op, "evilenc", |n| {
        encrypt_jwt(&enc_op.sign(k1.clone(), enc_claims(n)), &sp_cert)
    })
    .await;
    assert!(
        matches!(r, Err(Failure::NotLinked(_))),
        "an encrypted ID token: {r:?}"
    );
    let r = evil_login(&e, &enc_op, "evilenc", |n| {
        encrypt_jwt(&enc_op.sign(k1.clone(), enc_claims(n)), &other_cert)
    })
    .await;
    refused(
        "encrypted to another key",
        r,
        "cannot be opened with this service's key",
    );
    let r = evil_login(&e, &enc_op, "evilenc", |n| {
        enc_op.sign(k1.clone(), enc_claims(n))
    })
    .await;
    refused(
        "not encrypted",
        r,
        "not encrypted, but this provider encrypts them",
    );
    let r = evil_login(&e, &op, "evil", |n| {
        encrypt_jwt(
            &op.sign(k1.clone(), claims(n, serde_json::json!({}))),
            &sp_cert,
        )
    })
    .await;
    refused(
        "encrypted to a provider that does not",
        r,
        "is encrypted (JWE)",
    );
    assert_eq!(e.sessions().await, 0, "no crafted token made a session");
}

#[test]
fn check_config_refuses_an_idp_without_a_signing_certificate() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, cert) = keypair(dir.path(), "sp");
    let config = dir.path().join("hlidac.toml");
    std::fs::write(
        &config,
        format!(
            "state_dir = \"{}\"\n[identity]\nkey_file = \"{}\"\ncert_file = \"{}\"\n\
             [[identity.saml]]\nid = \"nia\"\nname = \"NIA\"\nprofile = \"cz-nia\"\nentity_id = \"urn:microsoft:cgg2010:fpsts\"\n\
             sso_url = \"https://nia.example/FPSTS/saml2/basic\"\n\
             [[tenant]]\nid = \"lhota\"\nname = \"Lhota\"\nsender = {{ email = \"a@lhota.example\" }}\n",
            dir.path().join("state").display(),
            key.display(),
            cert.display()
        ),
    )
    .expect("config");
    let (code, text) = check_config_says(&config);
    assert_eq!(code, Some(78), "{text}");
    assert!(
        text.contains("identity.saml[0].signing_cert_files"),
        "{text}"
    );
    assert!(text.contains("no signing certificate"), "{text}");
}

#[test]
fn check_config_says_which_oidc_provider_asserts_its_level_otherwise() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, cert) = keypair(dir.path(), "sp");
    let secret = dir.path().join("oidc.secret");
    std::fs::write(&secret, "s3cret-s3cret-s3cret-s3cret").expect("secret");
    let config = dir.path().join("hlidac.toml");
    let write = |extra: &str| {
        std::fs::write(
            &config,
            format!(
                "state_dir = \"{}\"\n[identity]\nkey_file = \"{}\"\ncert_file = \"{}\"\n\
                 [[identity.oidc]]\nid = \"rs\"\nname = \"eID.gov.rs\"\nprofile = \"rs-eid\"\n\
                 issuer = \"https://eid.gov.rs\"\nclient_id = \"c\"\nclient_secret_file = \"{s}\"\n\
                 loa_asserted_otherwise = true\nloa = \"low\"\n\
                 [[identity.oidc]]\nid = \"nia-oidc\"\nname = \"NIA\"\nprofile = \"generic-oidc\"\n\
                 issuer = \"https://nia-oidc.example\"\nclient_id = \"c\"\nclient_secret_file = \"{s}\"\n\
                 encrypted_id_token = true\n{extra}\
                 [[tenant]]\nid = \"lhota\"\nname = \"Lhota\"\nsender = {{ email = \"a@lhota.example\" }}\n",
                dir.path().join("state").display(),
                key.display(),
                cert.display(),
                s = secret.display(),
            ),
        )
        .expect("config")
    };
    let run = || check_config_says(&config);
    write("");
    let (code, text) = run();
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("note: identity provider rs is configured as asserting its level of assurance by other means than acr"),
        "{text}"
    );
    assert!(!text.contains("identity provider nia-oidc"), "{text}");
    write(
        "jwks_refresh_secs = 5\nacr_levels = {}\ndecryption_key_file = \"/nonexistent/key.pem\"\n",
    );
    let (code, text) = run();
    assert_eq!(code, Some(78), "{text}");
    for want in [
        "identity.oidc[1].jwks_refresh_secs",
        "identity.oidc[1].acr_levels",
        "identity.oidc[1].decryption_key_file",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
}

#[tokio::test]
async fn a_session_ends_when_idle_and_at_its_absolute_limit() {
    let Some(e) = setup(Engine::Sqlite, None, &[]).await else {
        return;
    };
    let me_url = format!("{}/t/lhota/me", e.web);
    let login = |e: &Eid| {
        let web = e.web.clone();
        async move {
            let b = Browser::new();
            let form = b.get(&format!("{web}/t/lhota/login/nia")).await;
            let page = b.consent(b.submit(&form).await).await;
            assert!(page.body.contains("Jana Nováková"), "{}", page.body);
            b
        }
    };
    // Idle: 29 minutes between requests keep it; 31 end it (session_idle_secs = 1800).
    let b = login(&e).await;
    let t0 = e.t.clock.now();
    e.t.clock.set(t0 + chrono::Duration::minutes(29));
    assert!(b.get(&me_url).await.url.ends_with("/me"));
    e.t.clock.set(t0 + chrono::Duration::minutes(29 + 31));
    assert!(
        b.get(&me_url).await.url.ends_with("/t/lhota/"),
        "ended after 31 idle minutes"
    );
    // Absolute: used every 20 minutes, it still ends 8 hours after the login.
    e.t.clock.set(chrono::Utc::now());
    let b = login(&e).await;
    let t1 = e.t.clock.now();
    let mut minutes = 0;
    loop {
        minutes += 20;
        e.t.clock.set(t1 + chrono::Duration::minutes(minutes));
        let page = b.get(&me_url).await;
        if !page.url.ends_with("/me") {
            break;
        }
        assert!(minutes < 8 * 60, "still logged in after {minutes} minutes");
    }
    assert_eq!(minutes, 8 * 60, "ends at session_max_secs (8 h)");
}

/// The IdP known only by its metadata URL, trusted through the federation's signature.
fn metadata_block(idp: &IdpFiles) -> String {
    format!(
        "[[identity.saml]]\nid = \"nia\"\nname = \"Identita občana\"\nprofile = \"cz-nia\"\n\
         entity_id = \"{u}/metadata\"\nmetadata_url = \"{u}/metadata\"\n\
         metadata_signing_cert_files = [\"{m}\"]\nloa = \"substantial\"\n",
        u = idp.url,
        m = idp.metadata_cert
    )
}

impl Eid {
    fn idp_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.idp.port)
    }

    async fn idp_requests(&self) -> Vec<serde_json::Value> {
        reqwest::get(format!("{}/test/requests", self.idp_url()))
            .await
            .expect("requests")
            .json()
            .await
            .expect("json")
    }

    /// A whole login that ends on Jana's page; the browser holding her session.
    async fn login_as_jana(&self, extra: &str) -> Browser {
        let (b, page) = self.login(extra).await;
        assert!(page.body.contains("Jana Nováková"), "{}", page.body);
        b
    }

    /// A whole login through the IdP (`extra` appended to the IdP's URL); the final page.
    pub(crate) async fn login(&self, extra: &str) -> (Browser, Page) {
        let b = Browser::new();
        let r = b
            .send(b.http.get(format!("{}/t/lhota/login/nia", self.web)))
            .await;
        assert_eq!(r.status(), 303);
        let to_idp = format!("{}{extra}", r.headers()["location"].to_str().expect("loc"));
        let form = b.get(&to_idp).await;
        assert_eq!(form.status, 200, "{}", form.body);
        let page = b.consent(b.submit(&form).await).await;
        (b, page)
    }
}

/// Reads the IdP's metadata again, as the scheduled refresh does: whether it was taken.
async fn refresh_metadata(e: &Eid, config: &hlidac::config::SamlIdpConfig) -> bool {
    e.t.app
        .identity
        .logins
        .refresh_saml(config, e.t.clock.now_ms())
        .await
}

#[tokio::test]
async fn an_idp_known_by_its_signed_metadata_is_trusted_through_it_and_refreshed() {
    let Some(e) = setup_sqlite(metadata_block, |c| c, |_| {}).await else {
        return;
    };
    // No certificate and no endpoint configured: both come from the signed metadata. The
    // assertion comes encrypted with AES-256-GCM this time.
    e.login_as_jana("&gcm=1").await;
    let requests = e.idp_requests().await;
    assert_eq!(
        requests[0]["destination"],
        format!("{}/sso/redirect", e.idp_url()),
        "the SSO endpoint of the metadata"
    );

    // The IdP rolls its key over: until hlidac reads the metadata again, its responses do
    // not verify; after the refresh they do.
    let config = e.t.app.config.identity.saml[0].clone();
    let before_rollover = get_text(&format!("{}/metadata", e.idp_url())).await;
    // (The new metadata's validUntil is a second or more later than the old one's.)
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    reqwest::Client::new()
        .post(format!("{}/test/rotate", e.idp_url()))
        .send()
        .await
        .expect("rotate");
    let (_, page) = e.login("").await;
    assert_eq!(page.status, 403, "{}", page.body);
    let (refused, rows) = e.logins_ending(None, None, "refused").await;
    assert_eq!(refused, 1, "{rows:?}");
    assert!(refresh_metadata(&e, &config).await);
    e.login_as_jana("").await;

    // Metadata that no longer verifies is not taken; the last good metadata stays in use.
    let good = get_text(&format!("{}/metadata", e.idp_url())).await;
    let forged = good.replacen("/sso/redirect", "/sso/elsewhere", 1);
    assert_ne!(forged, good);
    // The old document is still signed by the federation, but older than the one in use:
    // taking it would bring the retired key back.
    for bad in [
        forged.as_str(),
        "<not-metadata/>",
        "",
        before_rollover.as_str(),
    ] {
        reqwest::Client::new()
            .put(format!("{}/test/metadata", e.idp_url()))
            .body(bad.to_string())
            .send()
            .await
            .expect("put");
        assert!(!refresh_metadata(&e, &config).await);
    }
    e.login_as_jana("").await;
    let last = e.idp_requests().await.last().cloned().expect("request");
    assert_eq!(last["destination"], format!("{}/sso/redirect", e.idp_url()));
    // Once the last good metadata is past its validUntil (a day), a failed refresh takes
    // the IdP out of use rather than trusting stale keys.
    e.t.clock.set(e.t.clock.now() + chrono::Duration::hours(25));
    assert!(!refresh_metadata(&e, &config).await);
    assert!(e
        .t
        .app
        .identity
        .logins
        .saml_idp("nia", e.t.clock.now_ms())
        .is_none());
    let r = e.t.app.identity.login_start("lhota", "nia").await;
    assert!(
        matches!(&r, Err(Failure::Error(m)) if m.contains("metadata is not available")),
        "{:?}",
        r.as_ref().err()
    );
}

#[test]
fn check_config_refuses_unsigned_network_metadata_and_a_bad_metadata_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (sp_key, sp_cert) = keypair(dir.path(), "sp");
    let (_, fed_cert) = keypair(dir.path(), "federation");
    let (_, idp_cert) = keypair(dir.path(), "idp");
    let der = |p: &Path| {
        let pem = std::fs::read(p).expect("pem");
        base64::engine::general_purpose::STANDARD
            .encode(X509::from_pem(&pem).expect("cert").to_der().expect("der"))
    };
    // Metadata with a signing key but no signature, for a config that wants one.
    let meta = dir.path().join("idp-metadata.xml");
    std::fs::write(
        &meta,
        format!(
            "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"https://idp.example\">\
             <md:IDPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">\
             <md:KeyDescriptor use=\"signing\"><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:X509Data>\
             <ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\
             <md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" Location=\"https://idp.example/sso\"/>\
             </md:IDPSSODescriptor></md:EntityDescriptor>",
            der(&idp_cert)
        ),
    )
    .expect("write");
    let config = dir.path().join("hlidac.toml");
    let base = format!(
        "state_dir = \"{state}\"\n[[tenant]]\nid = \"lhota\"\nname = \"Lhota\"\nsender = {{ email = \"a@lhota.example\" }}\n\
         [identity]\nkey_file = \"{k}\"\ncert_file = \"{c}\"\n",
        state = dir.path().join("state").display(),
        k = sp_key.display(),
        c = sp_cert.display(),
    );
    let check = |idp: &str| {
        std::fs::write(&config, format!("{base}{idp}")).expect("config");
        check_config_says(&config)
    };
    // The file as it is, with no metadata signer: accepted.
    let file_idp = format!(
        "[[identity.saml]]\nid = \"nia\"\nname = \"NIA\"\nprofile = \"cz-nia\"\nentity_id = \"https://idp.example\"\n\
         metadata_file = \"{}\"\n",
        meta.display()
    );
    let (code, err) = check(&file_idp);
    assert_eq!(code, Some(0), "{err}");
    // The same file when a signer is configured: it is not signed.
    let (code, err) = check(&format!(
        "{file_idp}metadata_signing_cert_files = [\"{}\"]\n",
        fed_cert.display()
    ));
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("identity.saml[0].metadata_file") && err.contains("signature"),
        "{err}"
    );
    // A metadata URL without a signer, and over plain http to another host.
    let (code, err) = check(
        "[[identity.saml]]\nid = \"nia\"\nname = \"NIA\"\nprofile = \"cz-nia\"\nentity_id = \"https://idp.example\"\n\
         metadata_url = \"http://idp.example/metadata\"\n",
    );
    assert_eq!(code, Some(78), "{err}");
    assert!(
        err.contains("identity.saml[0].metadata_signing_cert_files")
            && err.contains("must be signed"),
        "{err}"
    );
    assert!(
        err.contains("identity.saml[0].metadata_url") && err.contains("HTTPS"),
        "{err}"
    );
}

#[tokio::test]
async fn the_idp_logs_the_citizen_out_from_its_side() {
    let Some(e) = setup(Engine::Sqlite, None, &[]).await else {
        return;
    };
    let b = e.login_as_jana("").await;
    assert_eq!(e.sessions().await, 1);
    // The citizen logs out at the IdP, which sends its signed LogoutRequest here.
    let r = b
        .send(b.http.get(format!("{}/test/logout", e.idp_url())))
        .await;
    assert_eq!(r.status(), 302);
    let to_sp = r.headers()["location"].to_str().expect("loc").to_string();
    assert!(
        to_sp.starts_with(&format!("{}/saml/slo?SAMLRequest=", e.web)),
        "{to_sp}"
    );
    // A changed signature is refused and ends nothing.
    let forged = to_sp.replacen("&Signature=", "&Signature=AAAA", 1);
    assert_eq!(b.get(&forged).await.status, 400);
    assert_eq!(e.sessions().await, 1);
    // When the database fails the request is not refused but put off: 503, nothing ended,
    // and nothing remembered, so that the IdP's retry is not taken for a replay.
    let pool = e.t.app.store.pool();
    let rename = |from: &str, to: &str| format!("ALTER TABLE {from} RENAME TO {to}");
    let broken = rename("sessions", "sessions_away");
    sqlx::query(&broken).execute(pool).await.expect("rename");
    let put_off = b.get(&to_sp).await;
    assert_eq!(put_off.status, 503, "{}", put_off.body);
    sqlx::query(&rename("sessions_away", "sessions"))
        .execute(pool)
        .await
        .expect("rename back");
    assert_eq!(e.sessions().await, 1);
    // The real one ends the session and answers the IdP with a signed LogoutResponse.
    let done = b.get(&to_sp).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(
        done.url
            .starts_with(&format!("{}/slo/redirect?SAMLResponse=", e.idp_url())),
        "{}",
        done.url
    );
    assert_eq!(e.sessions().await, 0);
    let requests = e.idp_requests().await;
    let asked = requests
        .iter()
        .find(|r| r["binding"] == "idp-logout")
        .expect("logout request");
    let answer = requests
        .iter()
        .find(|r| r["binding"] == "logout-response")
        .expect("answer");
    assert_eq!(answer["signature_verified"], true);
    assert_eq!(answer["in_response_to"], asked["id"]);
    assert_eq!(
        answer["status"],
        "urn:oasis:names:tc:SAML:2.0:status:Success"
    );
    assert_eq!(answer["relay_state"], "idp-logout");
    let me = b.get(&format!("{}/t/lhota/me", e.web)).await;
    assert!(me.url.ends_with("/t/lhota/"), "logged out: {}", me.url);
    // The same request again is a replay.
    e.login_as_jana("").await;
    assert_eq!(b.get(&to_sp).await.status, 400);
    assert_eq!(e.sessions().await, 1, "the replay ended nothing");
}

/// Bulgarian eAuth: the request goes by HTTP-POST with the RequestedService extension.
fn eauth_block(idp: &IdpFiles) -> String {
    format!(
        "[[identity.saml]]\nid = \"nia\"\nname = \"eAuth\"\nprofile = \"bg-eauth\"\n\
         entity_id = \"{u}/metadata\"\nsso_url = \"{u}/sso/post\"\nsso_binding = \"post\"\n\
         signing_cert_files = [\"{c}\"]\nloa = \"substantial\"\n\
         eauth_service = \"2.16.100.1.1.1.1.13\"\neauth_provider = \"2.16.100.1.1.1.1.13.1.1.2\"\n",
        u = idp.url,
        c = idp.cert
    )
}

#[tokio::test]
async fn an_eauth_login_goes_by_http_post_with_the_requested_service() {
    let Some(e) = setup_sqlite(eauth_block, |c| c, |_| {}).await else {
        return;
    };
    let eauth = "urn:egov:bg:eauth:2.0:attributes:";
    let user = serde_json::json!({"loa": null, "attributes": {
        format!("{eauth}personIdentifier"): format!("PNOBG-{EGN}"),
        format!("{eauth}personName"): "Иван Петров",
    }});
    std::fs::write(e.dir.path().join("user.json"), user.to_string()).expect("user");
    let b = Browser::new();
    // hlidac's page posts the signed request to the IdP by itself.
    let to_idp = b.get(&format!("{}/t/lhota/login/nia", e.web)).await;
    assert_eq!(to_idp.status, 200, "{}", to_idp.body);
    let at = to_idp.body.find("SAMLRequest").expect("the request");
    let (action, fields) = form_of(&to_idp.body[to_idp.body[..at].rfind("<form").expect("form")..]);
    assert_eq!(action, format!("{}/sso/post", e.idp_url()));
    assert!(fields.iter().any(|(k, _)| k == "SAMLRequest"));
    let at_idp = b.submit_with(&to_idp, "SAMLRequest", &[]).await;
    assert_eq!(at_idp.status, 200, "{}", at_idp.body);
    let page = b.consent(b.submit(&at_idp).await).await;
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains("Иван Петров"), "{}", page.body);

    let req = &e.idp_requests().await[0];
    assert_eq!(req["binding"], "post");
    assert_eq!(
        req["signature_verified"], true,
        "the enveloped signature verified"
    );
    assert_eq!(
        req["sig_alg"],
        "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    );
    assert_eq!(
        req["requested_authn_context"]["class_refs"][0],
        "urn:bg:egov:eauth:2.0:loa:SUBSTANTIAL"
    );
    assert_contains_all(
        req["extensions_xml"].as_str().expect("extensions"),
        &[
            "urn:bg:egov:eauth:2.0:saml:ext",
            "RequestedService",
            ">2.16.100.1.1.1.1.13<",
            ">2.16.100.1.1.1.1.13.1.1.2<",
            ">SUBSTANTIAL<",
        ],
    );
}

#[tokio::test]
async fn login_requests_are_limited_per_client_behind_a_trusted_proxy() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    fn limited(c: String) -> String {
        c.replace("login_rate_per_minute = 1000", "login_rate_per_minute = 2")
            .replace(
                "public_url =",
                "trusted_proxies = [\"127.0.0.1\"]\npublic_url =",
            )
    }
    let Some(e) = setup_with(
        Engine::Sqlite,
        None,
        &[],
        listener,
        nia_block,
        limited,
        |_| {},
    )
    .await
    else {
        return;
    };
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let start = |client: &'static str| {
        http.get(format!("{}/t/lhota/login/nia", e.web))
            .header("x-forwarded-for", format!("203.0.113.77, {client}"))
            .send()
    };
    // Two logins a minute per client, as the proxy names it.
    assert_eq!(start("198.51.100.1").await.expect("get").status(), 303);
    assert_eq!(start("198.51.100.1").await.expect("get").status(), 303);
    let third = start("198.51.100.1").await.expect("get");
    assert_eq!(third.status(), 429);
    assert!(third.text().await.expect("body").contains("<html"));
    // Another client behind the same proxy has its own allowance; what a client writes
    // before the proxy's entry does not make it another.
    assert_eq!(start("198.51.100.2").await.expect("get").status(), 303);
    assert_eq!(start("198.51.100.2").await.expect("get").status(), 303);
    let spoofed = http
        .get(format!("{}/t/lhota/login/nia", e.web))
        .header("x-forwarded-for", "192.0.2.99, 198.51.100.1")
        .send()
        .await
        .expect("get");
    assert_eq!(spoofed.status(), 429);
    // The POST to the ACS counts too.
    let acs = http
        .post(format!("{}/saml/acs", e.web))
        .header("x-forwarded-for", "198.51.100.1")
        .form(&[("SAMLResponse", "x")])
        .send()
        .await
        .expect("post");
    assert_eq!(acs.status(), 429);
    let (limited, rows) = e.logins_ending(None, None, "rate_limited").await;
    assert_eq!(limited, 3, "{rows:?}");
    // The next minute, the allowance is back.
    e.t.clock
        .set(e.t.clock.now() + chrono::Duration::minutes(1));
    assert_eq!(start("198.51.100.1").await.expect("get").status(), 303);
}
