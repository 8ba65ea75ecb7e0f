//! The hostile requests of the boundary test, per endpoint, and what each must get. The
//! login endpoints are here: the SAML ACS, `/saml/slo` (GET and POST) and the OIDC
//! callback. SAML messages go where the parser reads them: base64 in a posted form,
//! deflated and base64 in a Redirect-binding query with `SigAlg` and `Signature`, and raw.
//! The other open endpoints are in `hostile_forms`, the shapes in `hostile_shapes`.

use crate::hostile_shapes::*;
use crate::hostile_wire::Req;

/// What the test knows of the running daemon.
pub(crate) struct Ctx {
    pub(crate) web: String,
    pub(crate) idp_entity: String,
    pub(crate) session: String,
    pub(crate) csrf: String,
}

/// The answer a case must get: any 4xx, or exactly one (413 for what is too large).
/// `Handled` is for what an authenticated sender may legitimately send: any answer
/// below 500, and no crash.
pub(crate) enum Expect {
    Any4xx,
    Status(u16),
    Handled,
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Any4xx => write!(f, "a 4xx"),
            Expect::Status(s) => write!(f, "{s}"),
            Expect::Handled => write!(f, "an answer below 500"),
        }
    }
}

pub(crate) struct Case {
    pub(crate) name: String,
    pub(crate) endpoint: String,
    pub(crate) req: Req,
    pub(crate) expect: Expect,
    /// Starts an OIDC login first: its flow cookie is sent and `@STATE@` in the target
    /// becomes its state.
    pub(crate) oidc_flow: bool,
}

pub(crate) fn get(target: Vec<u8>, headers: Vec<(String, Vec<u8>)>) -> Req {
    Req {
        method: "GET",
        target,
        headers,
        body: Vec::new(),
        filler: 0,
    }
}

pub(crate) fn post(
    target: &str,
    content_type: &str,
    headers: Vec<(String, Vec<u8>)>,
    body: Vec<u8>,
) -> Req {
    let mut headers = headers;
    headers.push(("Content-Type".into(), content_type.as_bytes().to_vec()));
    Req {
        method: "POST",
        target: target.as_bytes().to_vec(),
        headers,
        body,
        filler: 0,
    }
}

pub(crate) const FORM: &str = "application/x-www-form-urlencoded";

/// `req` with `n` bytes `A` appended to its target or body when sent.
pub(crate) fn filled(mut req: Req, n: usize) -> Req {
    req.filler = n;
    req
}

pub(crate) fn case(name: impl Into<String>, endpoint: &str, req: Req, expect: Expect) -> Case {
    Case {
        name: name.into(),
        endpoint: endpoint.into(),
        req,
        expect,
        oidc_flow: false,
    }
}

fn acs(ctx: &Ctx) -> Vec<Case> {
    let ep = "POST /saml/acs";
    let mut out = Vec::new();
    for (name, xml) in documents(RESPONSE, ctx, "/saml/acs") {
        let body = form(&[(b"SAMLResponse", &b64(&xml)), (b"RelayState", b"lhota")]);
        out.push(case(
            format!("{name}, base64 in SAMLResponse"),
            ep,
            post("/saml/acs", FORM, vec![], body),
            Expect::Any4xx,
        ));
    }
    for (name, xml) in shapes() {
        out.push(case(
            format!("{name}, raw in SAMLResponse"),
            ep,
            post("/saml/acs", FORM, vec![], form(&[(b"SAMLResponse", &xml)])),
            Expect::Any4xx,
        ));
        out.push(case(
            format!("{name}, raw body"),
            ep,
            post("/saml/acs", "text/xml", vec![], xml),
            Expect::Any4xx,
        ));
    }
    for (name, value) in controls(false) {
        out.push(case(
            format!("{name} in RelayState"),
            ep,
            post(
                "/saml/acs",
                FORM,
                vec![],
                form(&[(b"SAMLResponse", b"PA=="), (b"RelayState", &value)]),
            ),
            Expect::Any4xx,
        ));
        out.push(case(
            format!("{name} in SAMLResponse (not base64)"),
            ep,
            post(
                "/saml/acs",
                FORM,
                vec![],
                form(&[(b"SAMLResponse", &value)]),
            ),
            Expect::Any4xx,
        ));
    }
    out.push(case(
        "8 MiB SAMLResponse",
        ep,
        filled(
            post("/saml/acs", FORM, vec![], b"SAMLResponse=".to_vec()),
            MIB8,
        ),
        Expect::Status(413),
    ));
    out.push(case(
        "8 MiB body, not a form",
        ep,
        filled(post("/saml/acs", FORM, vec![], vec![]), MIB8),
        Expect::Status(413),
    ));
    out
}

fn slo(ctx: &Ctx) -> Vec<Case> {
    let mut out = Vec::new();
    let sig = b"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256".to_vec();
    for (param, template) in [
        ("SAMLRequest", LOGOUT_REQUEST),
        ("SAMLResponse", LOGOUT_RESPONSE),
    ] {
        for (name, xml) in documents(template, ctx, "/saml/slo") {
            let query = |value: Vec<u8>| {
                let mut t = b"/saml/slo?".to_vec();
                t.extend(form(&[
                    (param.as_bytes(), &value),
                    (b"RelayState", b"lhota"),
                    (b"SigAlg", &sig),
                    (b"Signature", b"AAAA"),
                ]));
                t
            };
            out.push(case(
                format!("{name}, deflated and base64 in {param}"),
                "GET /saml/slo",
                get(query(b64(&deflate(&xml))), vec![]),
                Expect::Any4xx,
            ));
            out.push(case(
                format!("{name}, base64 in {param}"),
                "POST /saml/slo",
                post(
                    "/saml/slo",
                    FORM,
                    vec![],
                    form(&[(param.as_bytes(), &b64(&xml))]),
                ),
                Expect::Any4xx,
            ));
        }
        for (name, xml) in shapes() {
            let mut t = format!("/saml/slo?{param}=").into_bytes();
            t.extend(pct(&xml));
            out.push(case(
                format!("{name}, raw in {param}"),
                "GET /saml/slo",
                get(t, vec![]),
                Expect::Any4xx,
            ));
        }
        let plain = deflate(&fill(template, ctx, "/saml/slo", None, b""));
        for field in ["SigAlg", "Signature", "RelayState"] {
            for (name, value) in controls(false) {
                let mut fields: Vec<(&[u8], Vec<u8>)> = vec![
                    (param.as_bytes(), b64(&plain)),
                    (b"RelayState", b"lhota".to_vec()),
                    (b"SigAlg", sig.clone()),
                    (b"Signature", b"AAAA".to_vec()),
                ];
                for f in fields.iter_mut() {
                    if f.0 == field.as_bytes() {
                        f.1 = value.clone();
                    }
                }
                let pairs: Vec<(&[u8], &[u8])> =
                    fields.iter().map(|(k, v)| (*k, v.as_slice())).collect();
                let mut t = b"/saml/slo?".to_vec();
                t.extend(form(&pairs));
                out.push(case(
                    format!("{name} in {field} of a {param}"),
                    "GET /saml/slo",
                    get(t, vec![]),
                    Expect::Any4xx,
                ));
            }
        }
    }
    out.push(case(
        "8 MiB query",
        "GET /saml/slo",
        filled(get(b"/saml/slo?SAMLRequest=".to_vec(), vec![]), MIB8),
        Expect::Any4xx,
    ));
    out.push(case(
        "8 MiB body",
        "POST /saml/slo",
        filled(
            post("/saml/slo", FORM, vec![], b"SAMLRequest=".to_vec()),
            MIB8,
        ),
        Expect::Any4xx,
    ));
    out
}

/// The query values of the OIDC callback: each shape and control value in each
/// parameter, without a login and (for `code`) with the state of a real one.
fn oidc(_ctx: &Ctx) -> Vec<Case> {
    let ep = "GET /oidc/callback/rs";
    let mut values: Vec<(String, Vec<u8>)> = controls(false)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    values.push(("70,000-byte value".into(), long_name('€').into_bytes()));
    values.push(("invalid UTF-8".into(), vec![0xff, 0xfe, 0xc3, 0x28]));
    values.push((
        "nesting 12,000 <x>/>".into(),
        "<x>/>".repeat(12_000).into_bytes(),
    ));
    let mut out = Vec::new();
    for param in ["code", "state", "error", "error_description", "iss"] {
        for (name, value) in &values {
            let mut t = b"/oidc/callback/rs?code=c&state=s&".to_vec();
            t.extend(form(&[(param.as_bytes(), value)]));
            out.push(case(
                format!("{name} in {param}, no login"),
                ep,
                get(t, vec![]),
                Expect::Any4xx,
            ));
        }
    }
    for param in ["code", "error", "error_description", "iss"] {
        for (name, value) in &values {
            let mut t = b"/oidc/callback/rs?state=@STATE@&".to_vec();
            t.extend(form(&[(param.as_bytes(), value)]));
            if param != "code" {
                t.extend(b"&code=c");
            }
            let mut c = case(
                format!("{name} in {param}, with the login's state"),
                ep,
                get(t, vec![]),
                Expect::Any4xx,
            );
            c.oidc_flow = true;
            out.push(c);
        }
    }
    let mut t = b"/oidc/callback/rs?".to_vec();
    t.extend(pct(long_name('ž').as_bytes()));
    t.extend(b"=1");
    out.push(case(
        "parameter name 70,000 bytes",
        ep,
        get(t, vec![]),
        Expect::Any4xx,
    ));
    let mut t = b"/oidc/callback/".to_vec();
    t.extend(pct(long_name('€').as_bytes()));
    t.extend(b"?code=c&state=s");
    out.push(case(
        "provider name 70,000 bytes",
        "GET /oidc/callback/…",
        get(t, vec![]),
        Expect::Any4xx,
    ));
    for (name, value) in controls(false) {
        let mut t = b"/oidc/callback/".to_vec();
        t.extend(pct(&value));
        t.extend(b"?code=c&state=s");
        out.push(case(
            format!("{name} in the provider name"),
            "GET /oidc/callback/…",
            get(t, vec![]),
            Expect::Any4xx,
        ));
        out.push(case(
            format!("{name} in the flow cookie"),
            ep,
            get(
                b"/oidc/callback/rs?code=c&state=s".to_vec(),
                vec![(
                    "Cookie".into(),
                    [b"__Host-hlidac_flow=".as_slice(), &value].concat(),
                )],
            ),
            Expect::Any4xx,
        ));
    }
    out.push(case(
        "8 MiB query",
        ep,
        filled(get(b"/oidc/callback/rs?code=".to_vec(), vec![]), MIB8),
        Expect::Any4xx,
    ));
    out
}

pub(crate) fn all_cases(ctx: &Ctx) -> Vec<Case> {
    let mut out = Vec::new();
    use crate::hostile_forms::{admin, citizen, ingest, unsubscribe};
    for part in [acs, slo, oidc, ingest, unsubscribe, admin, citizen] {
        out.extend(part(ctx));
    }
    out
}
