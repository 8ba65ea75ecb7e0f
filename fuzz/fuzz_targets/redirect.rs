//! The HTTP-Redirect binding as `GET /saml/slo` reads it: the raw query split into
//! SAMLRequest or SAMLResponse, RelayState, SigAlg and Signature, the message inflated and
//! parsed, the query signature checked, then the LogoutRequest or LogoutResponse checked
//! (fixed keys, IdPs and clock), on a worker's stack. Never a crash.
//!
//! The first byte chooses the input's form. Even: the rest is the raw query. Odd: the
//! rest is the message's XML, then a line break and what follows the message in the query
//! (`&RelayState=…&SigAlg=…&Signature=…`); the target deflates and encodes the XML as
//! SAMLRequest (bit 1 clear) or SAMLResponse (bit 1 set), so mutations reach the XML.
#![no_main]

use base64::Engine;
use hlidac::identity::dsig::RedirectMessage;
use hlidac_fuzz::{idp_certs, on_worker_stack, saml, NOW_MS};
use libfuzzer_sys::fuzz_target;
use std::io::Write;

fn encoded(xml: &[u8]) -> String {
    let mut deflater = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    deflater.write_all(xml).expect("deflate to memory");
    let deflated = deflater.finish().expect("deflate to memory");
    let b64 = base64::engine::general_purpose::STANDARD.encode(deflated);
    url::form_urlencoded::byte_serialize(b64.as_bytes()).collect()
}

fn query_of(data: &[u8]) -> Option<String> {
    let (&form, rest) = data.split_first()?;
    if form & 1 == 0 {
        return std::str::from_utf8(rest).ok().map(str::to_string);
    }
    let (xml, tail) = match rest.iter().position(|b| *b == b'\n') {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (rest, &[][..]),
    };
    let field = if form & 2 == 0 {
        "SAMLRequest"
    } else {
        "SAMLResponse"
    };
    Some(format!(
        "{field}={}{}",
        encoded(xml),
        std::str::from_utf8(tail).ok()?
    ))
}

fuzz_target!(|data: &[u8]| {
    let Some(query) = query_of(data) else {
        return;
    };
    on_worker_stack(|| {
        let s = saml();
        // As the handler decides between the two.
        let is_request =
            url::form_urlencoded::parse(query.as_bytes()).any(|(k, _)| k == "SAMLRequest");
        if is_request {
            let _ = s.sp.check_logout_request(&s.idps, &query, NOW_MS);
        } else {
            let _ = s.sp.check_logout_response(&s.idps, &query);
        }
        if let Ok(m) = RedirectMessage::parse(&query) {
            let _ = m.verify(idp_certs());
        }
    });
});
