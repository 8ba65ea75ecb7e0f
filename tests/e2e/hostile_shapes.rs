//! The hostile shapes of the boundary test as bytes: nesting of 12,000 levels (also as
//! `<x>/>` repeated), 20,000 CDATA sections after 256 KiB of text, names of 70,000 bytes
//! with a multi-byte character across the 65,535-byte mark, invalid UTF-8, and the line
//! break, NUL and ANSI values put in every field; the SAML messages they are put in, and
//! the encodings that carry them (form, base64, deflate).

use crate::hostile_cases::Ctx;
use base64::Engine as _;
use std::io::Write;

pub(crate) const MIB8: usize = 8 * 1024 * 1024;

/// Every byte but letters and digits percent-encoded.
pub(crate) fn pct(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len() * 3);
    for b in v {
        if b.is_ascii_alphanumeric() {
            out.push(*b);
        } else {
            out.extend(format!("%{b:02X}").as_bytes());
        }
    }
    out
}

pub(crate) fn form(fields: &[(&[u8], &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, v) in fields {
        if !out.is_empty() {
            out.push(b'&');
        }
        out.extend(pct(k));
        out.push(b'=');
        out.extend(pct(v));
    }
    out
}

pub(crate) fn b64(v: &[u8]) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .encode(v)
        .into_bytes()
}

pub(crate) fn deflate(v: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(v).expect("deflate");
    e.finish().expect("deflate")
}

/// A name of 70,000 bytes whose multi-byte character `ch` straddles byte 65,535.
pub(crate) fn long_name(ch: char) -> String {
    let n = ch.len_utf8();
    let mut s = "a".repeat(65_536 - n);
    s.push(ch);
    s.push_str(&"b".repeat(70_000 - 65_536));
    s
}

/// The line-break, NUL and ANSI values put in every field. For XML, `xml` is true: a
/// line break then comes as character references (which reach attribute values).
pub(crate) fn controls(xml: bool) -> Vec<(&'static str, Vec<u8>)> {
    let forged = "2026-01-01T00:00:00Z  INFO hlidac: login succeeded tenant=\"lhota\"";
    if xml {
        vec![
            (
                "line break (character reference)",
                format!("x&#13;&#10;{}&#10;", forged.replace('"', "&quot;")).into_bytes(),
            ),
            ("NUL", b"x\0y".to_vec()),
            (
                "ANSI escape",
                b"x\x1b[2J\x1b[31mINFO login succeeded".to_vec(),
            ),
            ("ANSI escape (character reference)", b"x&#27;[31m".to_vec()),
        ]
    } else {
        vec![
            ("line break", format!("x\r\n{forged}\n").into_bytes()),
            ("NUL", b"x\0y".to_vec()),
            (
                "ANSI escape",
                b"x\x1b[2J\x1b[31mINFO login succeeded".to_vec(),
            ),
        ]
    }
}

/// Every hostile shape that is not a control character, as bytes.
pub(crate) fn shapes() -> Vec<(&'static str, Vec<u8>)> {
    let mut cdata = b"<a>".to_vec();
    cdata.extend(vec![b't'; 256 * 1024]);
    for _ in 0..20_000 {
        cdata.extend(b"<![CDATA[c]]>");
    }
    cdata.extend(b"</a>");
    let mut bad = b"<a>".to_vec();
    bad.extend([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8, 0x88]);
    bad.extend(b"</a>");
    vec![
        (
            "nesting 12,000 <x>",
            format!("{}{}", "<x>".repeat(12_000), "</x>".repeat(12_000)).into_bytes(),
        ),
        (
            "nesting 12,000 <x>/>",
            format!("{}{}", "<x>/>".repeat(12_000), "</x>".repeat(12_000)).into_bytes(),
        ),
        ("20,000 CDATA after 256 KiB", cdata),
        (
            "element name 70,000 bytes (3-byte char at 65,535)",
            format!("<{0}>x</{0}>", long_name('€')).into_bytes(),
        ),
        (
            "element name 70,000 bytes (4-byte char at 65,535)",
            format!("<{0}>x</{0}>", long_name('𝄞')).into_bytes(),
        ),
        (
            "attribute name 70,000 bytes (2-byte char at 65,535)",
            format!("<a {}=\"1\">x</a>", long_name('ž')).into_bytes(),
        ),
        (
            "attribute name 70,000 bytes (3-byte char at 65,535)",
            format!("<a {}=\"1\">x</a>", long_name('€')).into_bytes(),
        ),
        ("invalid UTF-8", bad),
    ]
}

pub(crate) const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// A SAML Response with a signature that reaches the checks field by field.
pub(crate) const RESPONSE: &str = r##"<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" ID="@ID@" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="@DESTINATION@" InResponseTo="@IN_RESPONSE_TO@"><saml:Issuer>@ISSUER@</saml:Issuer><ds:Signature><ds:SignedInfo><ds:CanonicalizationMethod Algorithm="@C14N@"/><ds:SignatureMethod Algorithm="@SIGALG@"/><ds:Reference URI="#@ID@"><ds:Transforms><ds:Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/><ds:Transform Algorithm="@TRANSFORM@"/></ds:Transforms><ds:DigestMethod Algorithm="@DIGEST@"/><ds:DigestValue>AAAA</ds:DigestValue></ds:Reference></ds:SignedInfo><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature><samlp:Status><samlp:StatusCode Value="@STATUS@"/></samlp:Status><saml:Assertion ID="_a1" Version="2.0" IssueInstant="2026-01-01T00:00:00Z"><saml:Issuer>@ISSUER@</saml:Issuer><saml:Subject><saml:NameID>@NAMEID@</saml:NameID></saml:Subject></saml:Assertion></samlp:Response>"##;

pub(crate) const LOGOUT_REQUEST: &str = r##"<samlp:LogoutRequest xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="@ID@" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="@DESTINATION@"><saml:Issuer>@ISSUER@</saml:Issuer><saml:NameID>@NAMEID@</saml:NameID><samlp:SessionIndex>@SESSION@</samlp:SessionIndex></samlp:LogoutRequest>"##;

pub(crate) const LOGOUT_RESPONSE: &str = r##"<samlp:LogoutResponse xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="@ID@" Version="2.0" IssueInstant="2026-01-01T00:00:00Z" Destination="@DESTINATION@" InResponseTo="@IN_RESPONSE_TO@"><saml:Issuer>@ISSUER@</saml:Issuer><samlp:Status><samlp:StatusCode Value="@STATUS@"/></samlp:Status></samlp:LogoutResponse>"##;

/// `template` with its fields filled in, `field` (if any) given `value` instead.
pub(crate) fn fill(
    template: &str,
    ctx: &Ctx,
    dest: &str,
    field: Option<&str>,
    value: &[u8],
) -> Vec<u8> {
    let defaults: &[(&str, String)] = &[
        ("@ID@", "_r1".into()),
        ("@DESTINATION@", format!("{}{dest}", ctx.web)),
        ("@IN_RESPONSE_TO@", "_req1".into()),
        ("@ISSUER@", ctx.idp_entity.clone()),
        ("@C14N@", EXC_C14N.into()),
        (
            "@SIGALG@",
            "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256".into(),
        ),
        ("@TRANSFORM@", EXC_C14N.into()),
        ("@DIGEST@", "http://www.w3.org/2001/04/xmlenc#sha256".into()),
        (
            "@STATUS@",
            "urn:oasis:names:tc:SAML:2.0:status:Success".into(),
        ),
        ("@NAMEID@", "x".into()),
        ("@SESSION@", "s1".into()),
    ];
    let mut out = template.as_bytes().to_vec();
    for (marker, default) in defaults {
        let v = if Some(*marker) == field {
            value
        } else {
            default.as_bytes()
        };
        out = crate::hostile_wire::replace_bytes(&out, marker.as_bytes(), v);
    }
    out
}

/// The fields of a template (its markers).
pub(crate) fn fields_of(template: &str) -> Vec<&'static str> {
    [
        "@ID@",
        "@DESTINATION@",
        "@IN_RESPONSE_TO@",
        "@ISSUER@",
        "@C14N@",
        "@SIGALG@",
        "@TRANSFORM@",
        "@DIGEST@",
        "@STATUS@",
        "@NAMEID@",
        "@SESSION@",
    ]
    .into_iter()
    .filter(|m| template.contains(m))
    .collect()
}

/// The XML documents sent to an endpoint: each shape alone and inside the message
/// (where the name ID goes), and each field of the message with each control value.
pub(crate) fn documents(template: &str, ctx: &Ctx, dest: &str) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for (name, shape) in shapes() {
        out.push((format!("{name}, alone"), shape.clone()));
        out.push((
            format!("{name}, in the message"),
            fill(template, ctx, dest, Some("@NAMEID@"), &shape),
        ));
    }
    for field in fields_of(template) {
        for (name, value) in controls(true) {
            out.push((
                format!("{name} in {}", field.trim_matches('@')),
                fill(template, ctx, dest, Some(field), &value),
            ));
        }
    }
    out
}
