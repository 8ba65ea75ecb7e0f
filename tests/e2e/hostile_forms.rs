//! The hostile requests of the boundary test to the open endpoints other than login:
//! the push endpoint (unsigned, and signed as a municipality's system gone wrong), the
//! one-click unsubscribe links, the admin API without a token, and every citizen form
//! without a session, with a session and no or a forged CSRF token, and with both.

use crate::hostile::PUSH_SECRET;
use crate::hostile_cases::*;
use crate::hostile_shapes::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

fn sign(ts: i64, body: &[u8]) -> Vec<u8> {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(PUSH_SECRET.as_bytes()).expect("key");
    mac.update(format!("{ts}.").as_bytes());
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes())).into_bytes()
}

/// JSON bodies for the push endpoint, unsigned (anyone) and signed (a municipality's
/// system gone wrong).
pub(crate) fn ingest(_ctx: &Ctx) -> Vec<Case> {
    let ep_path = "/ingest/lhota/podatelna";
    let ep = "POST /ingest/lhota/podatelna";
    let record = |field: &str, value: &str| {
        let mut r = serde_json::json!({
            "key": "S-1", "person_ref": "CZ-0000-JANA", "matter": "Žádost",
            "reference": {"filing_number": "MULH 1/2026"}, "status": "received",
            "status_native": "nevyrizen", "history": [], "version": "1"
        });
        if field == "filing_number" {
            r["reference"]["filing_number"] = value.into();
        } else {
            r[field] = value.into();
        }
        serde_json::json!({ "submissions": [r] })
            .to_string()
            .into_bytes()
    };
    // (name, body, what a signed push of it must get)
    let mut bodies: Vec<(String, Vec<u8>, Expect)> = vec![
        (
            "nesting 12,000 [".into(),
            format!("{}{}", "[".repeat(12_000), "]".repeat(12_000)).into_bytes(),
            Expect::Status(400),
        ),
        (
            "nesting 12,000 {\"a\":".into(),
            format!("{}1{}", "{\"a\":".repeat(12_000), "}".repeat(12_000)).into_bytes(),
            Expect::Status(400),
        ),
        (
            // An unknown key of 70 kB in a 70 kB body: within the size limit.
            "key of 70,000 bytes (3-byte char at 65,535)".into(),
            format!("{{\"{}\":1}}", long_name('€')).into_bytes(),
            Expect::Handled,
        ),
        (
            "20,000 CDATA after 256 KiB".into(),
            shapes().swap_remove(2).1,
            Expect::Status(400),
        ),
        (
            "invalid UTF-8".into(),
            [
                b"{\"submissions\":[{\"key\":\"".as_slice(),
                &[0xff, 0xfe, 0xc3, 0x28],
                b"\"}]}",
            ]
            .concat(),
            Expect::Status(400),
        ),
    ];
    // Identifiers take no control character; the matter (free text) may hold a line
    // break, never NUL or an escape.
    for field in [
        "key",
        "person_ref",
        "matter",
        "filing_number",
        "status_native",
    ] {
        for (name, value) in controls(false) {
            let expect = if field == "matter" && name == "line break" {
                Expect::Handled
            } else {
                Expect::Any4xx
            };
            bodies.push((
                format!("{name} in {field}"),
                record(field, &String::from_utf8_lossy(&value)),
                expect,
            ));
        }
    }
    let now = chrono::Utc::now().timestamp();
    let mut out = Vec::new();
    for (name, body, signed_expect) in bodies {
        out.push(case(
            format!("{name}, unsigned"),
            ep,
            post(
                "/ingest/lhota/podatelna",
                "application/json",
                vec![],
                body.clone(),
            ),
            Expect::Status(401),
        ));
        let headers = vec![
            ("X-Hlidac-Timestamp".into(), now.to_string().into_bytes()),
            ("X-Hlidac-Signature".into(), sign(now, &body)),
        ];
        out.push(case(
            format!("{name}, signed"),
            ep,
            post("/ingest/lhota/podatelna", "application/json", headers, body),
            signed_expect,
        ));
    }
    let prefix = b"{\"submissions\":[".to_vec();
    out.push(case(
        "8 MiB, unsigned",
        ep,
        filled(
            post(ep_path, "application/json", vec![], prefix.clone()),
            MIB8,
        ),
        Expect::Status(401),
    ));
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(PUSH_SECRET.as_bytes()).expect("key");
    mac.update(format!("{now}.").as_bytes());
    mac.update(&prefix);
    mac.update(&vec![b'A'; MIB8]);
    let signature = format!("sha256={}", hex::encode(mac.finalize().into_bytes()));
    let headers = vec![
        ("X-Hlidac-Timestamp".into(), now.to_string().into_bytes()),
        ("X-Hlidac-Signature".into(), signature.into_bytes()),
    ];
    out.push(case(
        "8 MiB, signed",
        ep,
        filled(post(ep_path, "application/json", headers, prefix), MIB8),
        Expect::Any4xx,
    ));
    for (name, value) in controls(false) {
        out.push(case(
            format!("{name} in X-Hlidac-Timestamp"),
            ep,
            post(
                "/ingest/lhota/podatelna",
                "application/json",
                vec![("X-Hlidac-Timestamp".into(), value.clone())],
                b"{}".to_vec(),
            ),
            Expect::Any4xx,
        ));
        out.push(case(
            format!("{name} in X-Hlidac-Signature"),
            ep,
            post(
                "/ingest/lhota/podatelna",
                "application/json",
                vec![
                    ("X-Hlidac-Timestamp".into(), now.to_string().into_bytes()),
                    (
                        "X-Hlidac-Signature".into(),
                        [b"sha256=".as_slice(), &value].concat(),
                    ),
                ],
                b"{}".to_vec(),
            ),
            Expect::Any4xx,
        ));
        let target = format!(
            "/ingest/{}/podatelna",
            String::from_utf8_lossy(&pct(&value))
        );
        out.push(case(
            format!("{name} in the tenant"),
            "POST /ingest/…",
            post(&target, "application/json", vec![], b"{}".to_vec()),
            Expect::Any4xx,
        ));
    }
    let target = format!(
        "/ingest/lhota/{}",
        String::from_utf8_lossy(&pct(long_name('€').as_bytes()))
    );
    out.push(case(
        "source name 70,000 bytes",
        "POST /ingest/…",
        post(&target, "application/json", vec![], b"{}".to_vec()),
        Expect::Any4xx,
    ));
    out
}

pub(crate) fn unsubscribe(_ctx: &Ctx) -> Vec<Case> {
    let mut tokens: Vec<(String, Vec<u8>)> = controls(false)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    tokens.push(("invalid UTF-8".into(), vec![0xff, 0xfe, b'.', b'a', 0xc3]));
    tokens.push(("70,000 bytes".into(), long_name('€').into_bytes()));
    tokens.push((
        "nesting 12,000 <x>/>".into(),
        "<x>/>".repeat(12_000).into_bytes(),
    ));
    tokens.push((
        "a token of another shape".into(),
        b"abc.all.\r\nINFO x".to_vec(),
    ));
    let mut out = Vec::new();
    for (name, token) in tokens {
        let target = format!("/unsubscribe/{}", String::from_utf8_lossy(&pct(&token)));
        out.push(case(
            format!("{name} in the token"),
            "GET /unsubscribe/…",
            get(target.clone().into_bytes(), vec![]),
            Expect::Any4xx,
        ));
        out.push(case(
            format!("{name} in the token"),
            "POST /unsubscribe/…",
            post(
                &target,
                FORM,
                vec![],
                b"List-Unsubscribe=One-Click".to_vec(),
            ),
            Expect::Any4xx,
        ));
    }
    for (name, value) in controls(false) {
        out.push(case(
            format!("{name} in the body"),
            "POST /unsubscribe/…",
            post(
                "/unsubscribe/abc.all.def",
                FORM,
                vec![],
                form(&[(b"List-Unsubscribe", &value)]),
            ),
            Expect::Any4xx,
        ));
    }
    out.push(case(
        "8 MiB body",
        "POST /unsubscribe/…",
        filled(post("/unsubscribe/abc.all.def", FORM, vec![], vec![]), MIB8),
        Expect::Any4xx,
    ));
    out
}

/// The admin API without a (valid) token: 401 whatever else is wrong.
pub(crate) fn admin(_ctx: &Ctx) -> Vec<Case> {
    let routes: &[(&str, &str)] = &[
        ("GET", "/admin/v1/status"),
        ("POST", "/admin/v1/tenants/lhota/sources/agenda/pause"),
        ("GET", "/admin/v1/outbox"),
        ("POST", "/admin/v1/outbox/1/resend"),
        ("POST", "/admin/v1/tenants/lhota/contacts/suppress"),
        ("GET", "/admin/v1/tenants/lhota/report"),
        ("GET", "/admin/v1/audit"),
    ];
    let mut auths: Vec<(String, Option<Vec<u8>>)> = vec![
        ("no token".into(), None),
        (
            "a 70,000-byte token".into(),
            Some(format!("Bearer {}", long_name('€')).into_bytes()),
        ),
        (
            "invalid UTF-8 in the token".into(),
            Some(b"Bearer \xff\xfe\xc3(".to_vec()),
        ),
    ];
    for (name, value) in controls(false) {
        auths.push((
            format!("{name} in the token"),
            Some([b"Bearer ".as_slice(), &value].concat()),
        ));
    }
    let mut bodies: Vec<(String, Vec<u8>, usize)> = vec![
        (
            "nesting 12,000 [".into(),
            format!("{}{}", "[".repeat(12_000), "]".repeat(12_000)).into_bytes(),
            0,
        ),
        ("invalid UTF-8".into(), vec![0xff, 0xfe, 0xc3, 0x28], 0),
        ("8 MiB".into(), b"{".to_vec(), MIB8),
    ];
    for (name, value) in controls(false) {
        let v = String::from_utf8_lossy(&value);
        bodies.push((
            format!("{name} in a field"),
            serde_json::json!({"email": v, "reason": v})
                .to_string()
                .into_bytes(),
            0,
        ));
    }
    let mut out = Vec::new();
    for (method, path) in routes {
        let ep = format!("{method} {path}");
        for (name, auth) in &auths {
            let headers: Vec<(String, Vec<u8>)> = auth
                .iter()
                .map(|a| ("Authorization".to_string(), a.clone()))
                .collect();
            let req = if *method == "GET" {
                get(path.as_bytes().to_vec(), headers)
            } else {
                post(path, "application/json", headers, b"{}".to_vec())
            };
            let expect = if name == "no token" {
                Expect::Status(401)
            } else {
                Expect::Any4xx
            };
            out.push(case(name.clone(), &ep, req, expect));
        }
        if *method == "GET" {
            for (name, value) in controls(false) {
                let mut t = path.as_bytes().to_vec();
                t.extend(b"?limit=1&tenant=");
                t.extend(pct(&value));
                out.push(case(
                    format!("{name} in the query, no token"),
                    &ep,
                    get(t, vec![]),
                    Expect::Any4xx,
                ));
            }
        }
        if *method == "POST" {
            for (name, body, filler) in &bodies {
                out.push(case(
                    format!("{name} body, no token"),
                    &ep,
                    filled(
                        post(path, "application/json", vec![], body.clone()),
                        *filler,
                    ),
                    Expect::Any4xx,
                ));
            }
        }
    }
    out
}

/// The citizen's forms: without a session, with the session but no or a forged CSRF
/// token, and with the session and its token (where a hostile field must be refused).
pub(crate) fn citizen(ctx: &Ctx) -> Vec<Case> {
    let forms: &[(&str, &[&str], bool)] = &[
        ("/t/lhota/consent", &["answer"], true),
        (
            "/t/lhota/settings",
            &["sub", "delivery", "quiet_hours", "offsets", "locale"],
            true,
        ),
        ("/t/lhota/contacts", &["email", "phone"], true),
        ("/t/lhota/contacts/@ID@/send", &[], true),
        ("/t/lhota/contacts/@ID@/code", &["code"], true),
        ("/t/lhota/contacts/@ID@/remove", &[], true),
        ("/t/lhota/reminders", &["date", "note"], true),
        ("/t/lhota/reminders/@ID@/remove", &[], true),
        ("/t/lhota/delete", &["confirm"], true),
        // With its token this one logs out: only without.
        ("/logout", &["extra"], false),
        ("/verify/@ID@", &["extra"], false),
    ];
    let session = format!("__Host-hlidac_session={}", ctx.session).into_bytes();
    // (what, the session cookie, the CSRF token)
    type Auth<'a> = (&'a str, Option<&'a [u8]>, Option<&'a str>);
    let auths: Vec<Auth> = vec![
        ("no session", None, None),
        ("session, no CSRF token", Some(&session), None),
        ("session, forged CSRF token", Some(&session), Some("forged")),
        (
            "session and its CSRF token",
            Some(&session),
            Some(&ctx.csrf),
        ),
    ];
    let mut values: Vec<(String, Vec<u8>)> = controls(false)
        .into_iter()
        .map(|(n, v)| (n.to_string(), v))
        .collect();
    values.push(("invalid UTF-8".into(), vec![0xff, 0xfe, 0xc3, 0x28]));
    let mut out = Vec::new();
    for (path, fields, with_token) in forms {
        for (auth, cookie, csrf) in &auths {
            if csrf == &Some(ctx.csrf.as_str()) && !with_token {
                continue;
            }
            let headers: Vec<(String, Vec<u8>)> = cookie
                .iter()
                .map(|c| ("Cookie".to_string(), c.to_vec()))
                .collect();
            let base: Vec<(&[u8], &[u8])> = csrf
                .iter()
                .map(|c| (b"csrf".as_slice(), c.as_bytes()))
                .collect();
            let ep = format!("POST {}", path.replace("@ID@", "…"));
            // Hostile values in the path's id and in each field.
            for (name, value) in &values {
                let target = path.replace("@ID@", &String::from_utf8_lossy(&pct(value)));
                if path.contains("@ID@") {
                    out.push(case(
                        format!("{name} in the id, {auth}"),
                        &ep,
                        post(&target, FORM, headers.clone(), form(&base)),
                        Expect::Any4xx,
                    ));
                }
                let target = path.replace("@ID@", "nosuch");
                for field in *fields {
                    let mut pairs = base.clone();
                    pairs.push((field.as_bytes(), value));
                    out.push(case(
                        format!("{name} in {field}, {auth}"),
                        &ep,
                        post(&target, FORM, headers.clone(), form(&pairs)),
                        Expect::Any4xx,
                    ));
                }
            }
            let target = path.replace("@ID@", "nosuch");
            let long = long_name('€');
            let mut pairs = base.clone();
            pairs.push((long.as_bytes(), b"1"));
            out.push(case(
                format!("field name 70,000 bytes, {auth}"),
                &ep,
                post(&target, FORM, headers.clone(), form(&pairs)),
                Expect::Any4xx,
            ));
            let nest = "<x>/>".repeat(12_000);
            let mut pairs = base.clone();
            pairs.push((b"note", nest.as_bytes()));
            out.push(case(
                format!("nesting 12,000 <x>/> in a field, {auth}"),
                &ep,
                post(&target, FORM, headers.clone(), form(&pairs)),
                Expect::Any4xx,
            ));
            out.push(case(
                format!("8 MiB body, {auth}"),
                &ep,
                filled(post(&target, FORM, headers.clone(), vec![]), MIB8),
                Expect::Status(413),
            ));
            out.push(case(
                format!("invalid UTF-8 body, not a form, {auth}"),
                &ep,
                post(
                    &target,
                    FORM,
                    headers.clone(),
                    vec![0xff, 0xfe, 0x80, b'=', 0xc3],
                ),
                Expect::Any4xx,
            ));
        }
    }
    for (name, value) in controls(false) {
        out.push(case(
            format!("{name} in the session cookie"),
            "POST /t/lhota/settings",
            post(
                "/t/lhota/settings",
                FORM,
                vec![(
                    "Cookie".into(),
                    [b"__Host-hlidac_session=".as_slice(), &value].concat(),
                )],
                form(&[(b"csrf", ctx.csrf.as_bytes())]),
            ),
            Expect::Any4xx,
        ));
    }
    out
}
