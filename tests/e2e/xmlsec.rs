//! The reference side of the differential tests of hlidac's XML security code: libxmlsec1
//! through Debian's `xmlsec1` command, and hlidac's own answers to the same questions.
//!
//! Why `xmlsec1` and not `xmllint --exc-c14n`: xmllint canonicalizes whole documents only and
//! keeps comments (it asks libxml2 for the *with comments* form), while a signature covers
//! one element and uses the form without comments. `xmlsec1` runs libxml2's canonicalizer
//! inside the transform chain a signature names, and `--store-references --print-debug`
//! prints the exact octets it digests ("PreDigest") and signs ("PreSigned"). So:
//! - canonical bytes of a fixture's element come from `xmlsec1 --sign` of a detached
//!   template whose Reference points at the fixture file, selects the element's subtree with
//!   an XPath Filter 2.0 `intersect`, and ends with the exclusive c14n transform (with the
//!   InclusiveNamespaces PrefixList when the case names one); the PreDigest buffer is the
//!   reference form, and the fixture file is not changed;
//! - signatures are checked with `xmlsec1 --verify` against a public key file (never the key
//!   in KeyInfo, which is self-signed and so not trusted), the Signature chosen by XPath, the
//!   SAML `ID` attributes registered; its PreDigest and PreSigned buffers are compared with
//!   hlidac's canonical form of the referenced element and of SignedInfo.
//!
//! Without the tools the tests are skipped, and fail when `HLIDAC_TEST_REQUIRE_PEERS` is set.

use crate::helpers::{repo_root, run_ok};
use hlidac::identity::{dsig, xml};
use openssl::x509::X509;
use std::path::{Path, PathBuf};
use std::process::Command;

pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const EXC: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
pub const ENVELOPED: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";

/// Elements whose `ID` attribute a SAML reference may name (xmlsec1 only resolves
/// registered ID attributes; hlidac takes `ID` on any element and requires it unique).
const ID_ELEMENTS: &[&str] = &[
    "urn:oasis:names:tc:SAML:2.0:protocol:Response",
    "urn:oasis:names:tc:SAML:2.0:protocol:AuthnRequest",
    "urn:oasis:names:tc:SAML:2.0:protocol:LogoutRequest",
    "urn:oasis:names:tc:SAML:2.0:protocol:LogoutResponse",
    "urn:oasis:names:tc:SAML:2.0:assertion:Assertion",
    "urn:oasis:names:tc:SAML:2.0:metadata:EntityDescriptor",
    "urn:oasis:names:tc:SAML:2.0:metadata:EntitiesDescriptor",
];

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Expect {
    /// Both accept.
    Valid,
    /// Both refuse.
    Invalid,
    /// libxmlsec1 accepts; hlidac refuses by policy, with a reason containing this.
    Stricter(&'static str),
}

/// A key pair made by openssl for signing test documents; `public` is the bare public key
/// that xmlsec1 verifies with, `cert` what hlidac is configured with.
pub struct Keys {
    pub key: PathBuf,
    pub cert_file: PathBuf,
    pub public: PathBuf,
    pub cert: X509,
}

/// The working directory of one test and its keys.
pub struct Tools {
    pub dir: tempfile::TempDir,
    pub rsa: Keys,
    pub ec: Keys,
}

/// The tools, or None (the test skips) when `xmlsec1` is missing and peers are not required.
pub fn tools() -> Option<Tools> {
    let found = Command::new("xmlsec1").arg("--version").output();
    match found {
        Ok(o) if o.status.success() => {}
        _ => {
            assert!(
                std::env::var_os("HLIDAC_TEST_REQUIRE_PEERS").is_none(),
                "xmlsec1 is missing; run scripts/install-deps test"
            );
            eprintln!("skipped: xmlsec1 is not installed (scripts/install-deps test)");
            return None;
        }
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let rsa = keys(dir.path(), "rsa", &["-newkey", "rsa:2048"]);
    let ec = keys(
        dir.path(),
        "ec",
        &["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"],
    );
    Some(Tools { dir, rsa, ec })
}

fn keys(dir: &Path, name: &str, kind: &[&str]) -> Keys {
    let key = dir.join(format!("{name}.key"));
    let cert_file = dir.join(format!("{name}.crt"));
    run_ok(
        Command::new("openssl")
            .args(["req", "-x509", "-nodes", "-days", "30", "-subj"])
            .arg(format!("/CN={name}"))
            .args(kind)
            .arg("-keyout")
            .arg(&key)
            .arg("-out")
            .arg(&cert_file),
        "openssl",
    );
    let pem = std::fs::read(&cert_file).expect("cert");
    let cert = X509::from_pem(&pem).expect("pem");
    let public = public_key_file(dir, name, &cert);
    Keys {
        key,
        cert_file,
        public,
        cert,
    }
}

/// The bare public key of `cert` as a PEM file, for `xmlsec1 --pubkey-pem`.
pub fn public_key_file(dir: &Path, name: &str, cert: &X509) -> PathBuf {
    let path = dir.join(format!("{name}.pub"));
    let pem = cert
        .public_key()
        .and_then(|k| k.public_key_to_pem())
        .expect("public key");
    std::fs::write(&path, pem).expect("write key");
    path
}

pub fn fixture(path: &str) -> String {
    std::fs::read_to_string(repo_root().join("tests/fixtures").join(path))
        .unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

/// The XPath of the `nth` (from 0) ds:Signature in document order.
fn signature_xpath(nth: usize) -> String {
    format!(
        "(//*[local-name()='Signature' and namespace-uri()='{NS_DS}'])[{}]",
        nth + 1
    )
}

/// The text between each `== {what} data - start buffer:` line and its end marker.
fn buffers(out: &[u8], what: &str) -> Vec<Vec<u8>> {
    let start = format!("== {what} data - start buffer:\n");
    let end = format!("\n== {what} data - end buffer");
    let (start, end) = (start.as_bytes(), end.as_bytes());
    let mut found = Vec::new();
    let mut rest = out;
    while let Some(s) = find(rest, start) {
        let after = &rest[s + start.len()..];
        let e = find(after, end).expect("end of a debug buffer");
        found.push(after[..e].to_vec());
        rest = &after[e..];
    }
    found
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// What libxmlsec1 makes of one element: the exclusive canonical form (without comments) of
/// the first element named `apex` (local name) in `doc`, with `prefixes` as the
/// InclusiveNamespaces PrefixList.
pub fn xmlsec_c14n(t: &Tools, doc: &str, apex: &str, prefixes: Option<&str>) -> Vec<u8> {
    std::fs::write(t.dir.path().join("doc.xml"), doc).expect("write doc");
    let inclusive = prefixes
        .map(|p| format!("<ec:InclusiveNamespaces xmlns:ec=\"{EXC}\" PrefixList=\"{p}\"/>"))
        .unwrap_or_default();
    let template = format!(
        "<Signature xmlns=\"{NS_DS}\"><SignedInfo>\
         <CanonicalizationMethod Algorithm=\"{EXC}\"/>\
         <SignatureMethod Algorithm=\"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256\"/>\
         <Reference URI=\"doc.xml\"><Transforms>\
         <Transform Algorithm=\"http://www.w3.org/2002/06/xmldsig-filter2\">\
         <XPath xmlns=\"http://www.w3.org/2002/06/xmldsig-filter2\" Filter=\"intersect\">(//*[local-name()='{apex}'])[1]</XPath></Transform>\
         <Transform Algorithm=\"{EXC}\">{inclusive}</Transform></Transforms>\
         <DigestMethod Algorithm=\"http://www.w3.org/2001/04/xmlenc#sha256\"/><DigestValue/></Reference>\
         </SignedInfo><SignatureValue/></Signature>"
    );
    std::fs::write(t.dir.path().join("c14n-template.xml"), template).expect("write template");
    let out = run_ok(
        Command::new("xmlsec1")
            .current_dir(t.dir.path())
            .args([
                "--sign",
                "--store-references",
                "--print-debug",
                "--privkey-pem",
            ])
            .arg(&t.rsa.key)
            .arg("c14n-template.xml"),
        &format!("xmlsec1 could not canonicalize <{apex}>"),
    );
    let mut found = buffers(&out.stdout, "PreDigest");
    assert_eq!(found.len(), 1, "one reference");
    found.remove(0)
}

/// hlidac's exclusive canonical form of the first element named `apex`.
pub fn hlidac_c14n(doc: &str, apex: &str, prefixes: Option<&str>) -> Result<Vec<u8>, String> {
    let parsed = xml::parse(doc)?;
    let node = parsed
        .descendants()
        .find(|n| n.is_element() && n.tag_name().name() == apex)
        .ok_or_else(|| format!("no <{apex}>"))?;
    let list = list_of(prefixes);
    Ok(xml::exc_c14n(&parsed, node, None, &list))
}

fn list_of(prefixes: Option<&str>) -> Vec<String> {
    prefixes
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// One verifier's answer about one signature: accepted or not (and why), and the canonical
/// octets it digested for each Reference and signed for SignedInfo, where it got that far.
#[derive(Debug)]
pub struct Answer {
    pub accepted: bool,
    pub reason: String,
    pub pre_digest: Vec<Option<Vec<u8>>>,
    pub pre_signed: Option<Vec<u8>>,
}

/// `xmlsec1 --verify` of the `nth` signature of `doc` with the public key in `public`.
pub fn xmlsec_verify(t: &Tools, doc: &str, nth: usize, public: &Path) -> Answer {
    let file = t.dir.path().join("signed.xml");
    std::fs::write(&file, doc).expect("write doc");
    let mut cmd = Command::new("xmlsec1");
    cmd.args(["--verify", "--store-references", "--store-signatures"])
        .args(["--print-debug", "--pubkey-pem"])
        .arg(public)
        .arg("--node-xpath")
        .arg(signature_xpath(nth));
    for e in ID_ELEMENTS {
        cmd.arg("--id-attr:ID").arg(e);
    }
    let out = cmd.arg(&file).output().expect("xmlsec1");
    let stderr = String::from_utf8_lossy(&out.stderr);
    Answer {
        accepted: out.status.success(),
        reason: stderr
            .lines()
            .filter(|l| !l.contains("X509StoreVerify"))
            .collect::<Vec<_>>()
            .join(" | "),
        pre_digest: buffers(&out.stdout, "PreDigest")
            .into_iter()
            .map(Some)
            .collect(),
        pre_signed: buffers(&out.stdout, "PreSigned").into_iter().next(),
    }
}

/// hlidac's answer: `dsig::verify_element` of the element the `nth` signature refers to
/// (its parent when the reference names no element), and hlidac's exclusive canonical form
/// of each referenced element and of SignedInfo, wherever the algorithms the signature names
/// make that form what a verifier digests or signs.
pub fn hlidac_verify(doc: &str, nth: usize, certs: &[X509]) -> Answer {
    let parsed = match xml::parse(doc) {
        Ok(d) => d,
        Err(e) => {
            return Answer {
                accepted: false,
                reason: e.to_string(),
                pre_digest: Vec::new(),
                pre_signed: None,
            }
        }
    };
    let sig = parsed
        .descendants()
        .filter(|n| xml::is(*n, NS_DS, "Signature"))
        .nth(nth)
        .expect("the signature");
    let by_id = |id: &str| {
        parsed
            .descendants()
            .find(|n| n.is_element() && n.attribute("ID") == Some(id))
    };
    let signed_info = xml::child(sig, NS_DS, "SignedInfo");
    let mut pre_digest = Vec::new();
    let mut first_target = None;
    for reference in signed_info
        .into_iter()
        .flat_map(|si| xml::children(si, NS_DS, "Reference"))
    {
        let target = reference
            .attribute("URI")
            .and_then(|u| u.strip_prefix('#'))
            .and_then(by_id);
        first_target = first_target.or(target);
        let transforms: Vec<_> = xml::child(reference, NS_DS, "Transforms")
            .map(|t| xml::children(t, NS_DS, "Transform").collect())
            .unwrap_or_default();
        let algs: Vec<&str> = transforms
            .iter()
            .map(|t| t.attribute("Algorithm").unwrap_or(""))
            .collect();
        // Comparable when the last transform is exclusive c14n and any other is enveloped.
        let comparable =
            algs.last() == Some(&EXC) && algs[..algs.len() - 1].iter().all(|a| *a == ENVELOPED);
        let canonical = match (target, comparable) {
            (Some(el), true) => {
                let exclude = algs.contains(&ENVELOPED).then(|| sig.id());
                let list = transforms
                    .last()
                    .map(|t| prefix_list(*t))
                    .unwrap_or_default();
                Some(xml::exc_c14n(&parsed, el, exclude, &list))
            }
            _ => None,
        };
        pre_digest.push(canonical);
    }
    let pre_signed = signed_info.and_then(|si| {
        let method = xml::child(si, NS_DS, "CanonicalizationMethod")?;
        (method.attribute("Algorithm") == Some(EXC))
            .then(|| xml::exc_c14n(&parsed, si, None, &prefix_list(method)))
    });
    let element = first_target.unwrap_or_else(|| sig.parent_element().expect("parent"));
    let result = dsig::verify_element(&parsed, element, certs);
    Answer {
        accepted: result.is_ok(),
        reason: result.err().map(|e| e.to_string()).unwrap_or_default(),
        pre_digest,
        pre_signed,
    }
}

/// The PrefixList of a transform's `ec:InclusiveNamespaces` child (in the exc-c14n namespace).
pub fn prefix_list(transform: roxmltree::Node) -> Vec<String> {
    xml::child(transform, EXC, "InclusiveNamespaces")
        .and_then(|n| n.attribute("PrefixList"))
        .map(|p| list_of(Some(p)))
        .unwrap_or_default()
}

/// The document with its `nth` ds:Signature element replaced by `with`.
pub fn replace_signature(doc: &str, nth: usize, with: &str) -> String {
    let parsed = roxmltree::Document::parse(doc).expect("parse");
    let range = parsed
        .descendants()
        .filter(|n| xml::is(*n, NS_DS, "Signature"))
        .nth(nth)
        .expect("signature")
        .range();
    format!("{}{with}{}", &doc[..range.start], &doc[range.end..])
}

/// `xmlsec1 --sign` of the `nth` signature template of `doc` with `keys`.
pub fn xmlsec_sign(t: &Tools, doc: &str, nth: usize, keys: &Keys) -> String {
    let file = t.dir.path().join("template.xml");
    let signed = t.dir.path().join("out.xml");
    std::fs::write(&file, doc).expect("write");
    let mut cmd = Command::new("xmlsec1");
    cmd.arg("--sign")
        .arg("--privkey-pem")
        .arg(format!(
            "{},{}",
            keys.key.display(),
            keys.cert_file.display()
        ))
        .arg("--node-xpath")
        .arg(signature_xpath(nth));
    for e in ID_ELEMENTS {
        cmd.arg("--id-attr:ID").arg(e);
    }
    run_ok(
        cmd.arg("--output").arg(&signed).arg(&file),
        "xmlsec1 could not sign",
    );
    std::fs::read_to_string(&signed).expect("signed")
}

/// A signature template (ds: prefix, declared on the Signature) with empty values.
pub struct Template<'a> {
    pub c14n: &'a str,
    /// Children of CanonicalizationMethod (an InclusiveNamespaces element).
    pub c14n_inner: &'a str,
    pub method: &'a str,
    /// Each Reference: URI, the Transforms element's inner XML (None: no Transforms), digest.
    pub references: Vec<(String, Option<String>, &'a str)>,
    /// The KeyInfo element, if any.
    pub key_info: &'a str,
}

pub const RSA_SHA256: &str = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
pub const SHA256: &str = "http://www.w3.org/2001/04/xmlenc#sha256";

impl<'a> Template<'a> {
    /// What SAML signers write: enveloped, then exclusive c14n, RSA-SHA256, one Reference.
    pub fn saml(id: &str) -> Template<'a> {
        Template {
            c14n: EXC,
            c14n_inner: "",
            method: RSA_SHA256,
            references: vec![(
                format!("#{id}"),
                Some(transforms(&[ENVELOPED, EXC])),
                SHA256,
            )],
            key_info: "",
        }
    }

    pub fn xml(&self) -> String {
        let refs: String = self
            .references
            .iter()
            .map(|(uri, tr, digest)| {
                format!(
                    "<ds:Reference URI=\"{uri}\">{}<ds:DigestMethod Algorithm=\"{digest}\"/>\
                     <ds:DigestValue></ds:DigestValue></ds:Reference>",
                    tr.as_ref()
                        .map(|t| format!("<ds:Transforms>{t}</ds:Transforms>"))
                        .unwrap_or_default()
                )
            })
            .collect();
        format!(
            "<ds:Signature xmlns:ds=\"{NS_DS}\"><ds:SignedInfo><ds:CanonicalizationMethod Algorithm=\"{}\">{}</ds:CanonicalizationMethod>\
             <ds:SignatureMethod Algorithm=\"{}\"/>{refs}</ds:SignedInfo><ds:SignatureValue></ds:SignatureValue>{}</ds:Signature>",
            self.c14n, self.c14n_inner, self.method, self.key_info
        )
    }
}

/// `<ds:Transform>` elements for the algorithms (an `algorithm|inner` entry puts `inner`
/// inside that Transform).
pub fn transforms(algs: &[&str]) -> String {
    algs.iter()
        .map(|a| {
            let (alg, inner) = a.split_once('|').unwrap_or((a, ""));
            format!("<ds:Transform Algorithm=\"{alg}\">{inner}</ds:Transform>")
        })
        .collect()
}
