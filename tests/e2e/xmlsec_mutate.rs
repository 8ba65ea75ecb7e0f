//! Documents changed for the differential test of XML signatures (`xmlsec_dsig`): text
//! surgery on signed documents, in ways exclusive c14n must not see and in ways it must, and
//! the cases where hlidac's policy is stricter than libxmlsec1.

use crate::xmlsec::{Expect, NS_DS};
use hlidac::identity::xml;
use Expect::*;

// ----- text surgery ---------------------------------------------------------------------

/// A start tag: name, attributes (raw values as written), self-closing.
type Tag = (String, Vec<(String, String)>, bool);

/// Rewrites every start tag of `doc` (the documents hold no `>` inside attribute values).
fn retag(doc: &str, f: impl Fn(&Tag) -> String) -> String {
    let mut out = String::with_capacity(doc.len() * 2);
    let mut rest = doc;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let end = lt + rest[lt..].find('>').expect("tag end") + 1;
        let raw = &rest[lt..end];
        if raw.starts_with("</") || raw.starts_with("<?") || raw.starts_with("<!") {
            out.push_str(raw);
        } else {
            out.push_str(&f(&parse_tag(raw)));
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    let parsed = roxmltree::Document::parse(&out).map(|_| ());
    parsed.expect("the rewritten document parses");
    out
}

fn parse_tag(raw: &str) -> Tag {
    let closing = raw.ends_with("/>");
    let inner = raw[1..raw.len() - if closing { 2 } else { 1 }].trim();
    let name_end = inner.find(char::is_whitespace).unwrap_or(inner.len());
    let mut attrs = Vec::new();
    let mut rest = inner[name_end..].trim_start();
    while !rest.is_empty() {
        let eq = rest.find('=').expect("=");
        let name = rest[..eq].trim().to_string();
        let after = rest[eq + 1..].trim_start();
        let quote = after.chars().next().expect("quote");
        let close = after[1..].find(quote).expect("closing quote") + 1;
        attrs.push((name, after[1..close].to_string()));
        rest = after[close + 1..].trim_start();
    }
    (inner[..name_end].to_string(), attrs, closing)
}

fn write_tag((name, attrs, closing): &Tag, sep: &str, quote: char) -> String {
    let mut s = format!("<{name}");
    for (k, v) in attrs {
        s.push_str(&format!("{sep}{k}={quote}{v}{quote}"));
    }
    s.push_str(if *closing { "/>" } else { ">" });
    s
}

/// Applies `f` to the text between tags (outside comments and PIs).
fn retext(doc: &str, f: impl Fn(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = doc;
    while let Some(lt) = rest.find('<') {
        out.push_str(&f(&rest[..lt]));
        let end = lt + rest[lt..].find('>').expect("tag end") + 1;
        out.push_str(&rest[lt..end]);
        rest = &rest[end..];
    }
    out.push_str(&f(rest));
    out
}

/// Facts about the `nth` signature: its range, the referenced element's, and more.
pub struct Spot {
    sig: std::ops::Range<usize>,
    target: std::ops::Range<usize>,
    /// End of the target's start tag.
    target_open: usize,
    target_is_root: bool,
    pub id: String,
    /// Last text node inside the target (outside the signature) with non-space content.
    last_text: std::ops::Range<usize>,
    /// The first prefixed element child of the target other than the signature: its
    /// start-tag end and prefix.
    first_child: (usize, String),
    /// Where the end tag of the target's last element child starts.
    deep_spot: usize,
    digest: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
    signed_info_open: usize,
}

pub fn spot(doc: &str, nth: usize) -> Spot {
    let d = roxmltree::Document::parse(doc).expect("parse");
    let sig = d
        .descendants()
        .filter(|n| xml::is(*n, NS_DS, "Signature"))
        .nth(nth)
        .expect("signature");
    let target = sig.parent_element().expect("parent");
    let open =
        |n: roxmltree::Node| n.range().start + doc[n.range().start..].find('>').expect(">") + 1;
    let inside_sig = |n: &roxmltree::Node| n.ancestors().any(|a| a == sig);
    let last_text = target
        .descendants()
        .rfind(|n| n.is_text() && !inside_sig(n) && !n.text().unwrap_or("").trim().is_empty())
        .expect("text");
    let name_of = |n: roxmltree::Node| {
        let rest = &doc[n.range().start + 1..];
        rest[..rest.find(['>', ' ', '/']).expect("name end")].to_string()
    };
    let child = target
        .children()
        .find(|c| c.is_element() && *c != sig && name_of(*c).contains(':'))
        .expect("child");
    let child_name = name_of(child);
    let prefix = child_name.split_once(':').expect("prefix").0;
    let last_child = target
        .children()
        .rfind(|c| c.is_element() && *c != sig)
        .expect("last child");
    let last_text_of = &doc[last_child.range()];
    assert!(!last_text_of.ends_with("/>"), "the last child has content");
    let deep_spot = last_child.range().start + last_text_of.rfind("</").expect("end tag");
    let ds = |name: &str| {
        sig.descendants()
            .find(|n| xml::is(*n, NS_DS, name))
            .and_then(|n| n.first_child())
            .expect("value")
            .range()
    };
    Spot {
        sig: sig.range(),
        target: target.range(),
        target_open: open(target),
        target_is_root: target.parent_element().is_none(),
        id: target.attribute("ID").expect("ID").to_string(),
        last_text: last_text.range(),
        first_child: (open(child), prefix.to_string()),
        deep_spot,
        digest: ds("DigestValue"),
        value: ds("SignatureValue"),
        signed_info_open: open(xml::child(sig, NS_DS, "SignedInfo").expect("SignedInfo")),
    }
}

fn insert(doc: &str, at: usize, what: &str) -> String {
    format!("{}{what}{}", &doc[..at], &doc[at..])
}

fn splice(doc: &str, range: std::ops::Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &doc[..range.start], &doc[range.end..])
}

/// The base64 text with its first character changed.
fn flip(doc: &str, range: std::ops::Range<usize>) -> String {
    let text = &doc[range.clone()];
    let first = text.trim_start().chars().next().expect("value");
    let at = range.start + text.find(first).expect("char");
    let other = if first == 'A' { "B" } else { "A" };
    splice(doc, at..at + 1, other)
}

// ----- the cases ------------------------------------------------------------------------

/// Changes exclusive c14n must not see; every signature stays valid.
pub fn invariant(doc: &str) -> Vec<(&'static str, String)> {
    let decl_end = doc
        .find("?>")
        .filter(|_| doc.starts_with("<?xml"))
        .expect("a declaration");
    let no_decl = &doc[decl_end + 2..];
    vec![
        (
            "attributes in reverse order",
            retag(doc, |(n, a, c)| {
                write_tag(
                    &(n.clone(), a.iter().rev().cloned().collect(), *c),
                    " ",
                    '"',
                )
            }),
        ),
        ("single quotes", retag(doc, |t| write_tag(t, " ", '\''))),
        (
            "spaces and line breaks in tags",
            retag(doc, |t| {
                let (name, attrs, closing) = t;
                let mut tag = format!("<{name}");
                for (k, v) in attrs {
                    tag.push_str(&format!("\n\t  {k} =  \"{v}\""));
                }
                tag.push_str(if *closing { " />" } else { "\n>" });
                tag
            }),
        ),
        (
            "empty elements written out",
            retag(doc, |(n, a, c)| {
                let open = write_tag(&(n.clone(), a.clone(), false), " ", '"');
                if *c {
                    format!("{open}</{n}>")
                } else {
                    open
                }
            }),
        ),
        (
            "character references",
            retext(doc, |s| s.replace('a', "&#97;").replace('/', "&#x2F;")),
        ),
        (
            "comments after start tags",
            retag(doc, |t| {
                let tag = write_tag(t, " ", '"');
                if t.0.starts_with("ds:") || t.2 {
                    tag
                } else {
                    format!("{tag}<!-- c -->")
                }
            }),
        ),
        (
            "no XML declaration, comments and PIs around the root",
            format!(
                "<!-- before --><?pi before?>\n{}\n<!-- after --><?pi after?>\n",
                no_decl.trim()
            ),
        ),
        ("CRLF line ends", doc.replace('\n', "\r\n")),
        (
            "unused namespace declarations",
            retag(doc, |(n, a, c)| {
                let mut a = a.clone();
                if !a.iter().any(|(k, _)| k == "xmlns:unused") {
                    a.push(("xmlns:unused".into(), "urn:unused".into()));
                }
                if n.contains(':') && !a.iter().any(|(k, _)| k == "xmlns") {
                    a.push(("xmlns".into(), "urn:unused-default".into()));
                }
                write_tag(&(n.clone(), a, *c), " ", '"')
            }),
        ),
    ]
}

/// Changes exclusive c14n must see (the signature of the `nth` spot breaks), and the cases
/// of hlidac's own policy.
pub fn per_signature(prefix: &str, doc: &str, nth: usize) -> Vec<(&'static str, String, Expect)> {
    let p = spot(doc, nth);
    let sig_text = &doc[p.sig.clone()];
    // Positions after the signature move back by its length once it is taken out.
    let without_sig = splice(doc, p.sig.clone(), "");
    let target_end_tag = p.target.start + doc[p.target.clone()].rfind("</").expect("end tag");
    assert!(
        p.sig.end <= p.deep_spot,
        "the signature precedes the last child"
    );
    let moved = |to: usize| insert(&without_sig, to - sig_text.len(), sig_text);
    let renamed = doc
        .replace(&format!("<{}:", prefix), "<renamed:")
        .replace(&format!("</{}:", prefix), "</renamed:")
        .replace(&format!("xmlns:{}=", prefix), "xmlns:renamed=");
    let redeclared = format!(" xmlns:{}=\"urn:other\"", p.first_child.1);
    let mut cases = vec![
        (
            "signature moved to the end of the signed element",
            moved(target_end_tag),
            Valid,
        ),
        ("text changed", insert(doc, p.last_text.end, "x"), Invalid),
        (
            "attribute added",
            insert(doc, p.target_open - 1, " Zz=\"1\""),
            Invalid,
        ),
        (
            "xml:lang added",
            insert(doc, p.target_open - 1, " xml:lang=\"cs\""),
            Invalid,
        ),
        (
            "namespaced attribute added",
            insert(doc, p.target_open - 1, " xmlns:q=\"urn:q\" q:a=\"1\""),
            Invalid,
        ),
        ("prefix renamed", renamed, Invalid),
        (
            "whitespace between elements",
            insert(doc, p.target_open, "\n  "),
            Invalid,
        ),
        (
            "processing instruction",
            insert(doc, p.target_open, "<?pi data?>"),
            Invalid,
        ),
        (
            "carriage return by reference",
            insert(doc, p.last_text.end, "&#13;"),
            Invalid,
        ),
        (
            "prefix redeclared to another namespace",
            insert(doc, p.first_child.0 - 1, &redeclared),
            Invalid,
        ),
        ("digest value changed", flip(doc, p.digest.clone()), Invalid),
        (
            "signature value changed",
            flip(doc, p.value.clone()),
            Invalid,
        ),
        (
            "whitespace in SignedInfo",
            insert(doc, p.signed_info_open, "\n"),
            Invalid,
        ),
        (
            "comment inside DigestValue",
            insert(doc, p.digest.start + 4, "<!---->"),
            Stricter("contains a comment"),
        ),
        (
            "signature moved into a child element",
            moved(p.deep_spot),
            Stricter("is not signed"),
        ),
    ];
    if !p.target_is_root {
        let root_end = doc.rfind("</").expect("root end");
        cases.push((
            "an unregistered element with the same ID",
            insert(
                doc,
                root_end,
                &format!("<x:Copy xmlns:x=\"urn:x\" ID=\"{}\"/>", p.id),
            ),
            Stricter("used by 2 elements"),
        ));
        // Which element a message is read from is the SAML layer's check (saml.rs, tested
        // in eid.rs); the signature itself still covers the wrapped element.
        cases.push((
            "signed element wrapped in another element",
            insert(
                &insert(doc, p.target.end, "</w:Wrap>"),
                p.target.start,
                "<w:Wrap xmlns:w=\"urn:w\">",
            ),
            Valid,
        ));
        cases.push((
            "a second signed element with the same ID",
            insert(doc, root_end, &doc[p.target.clone()]),
            Invalid,
        ));
    }
    cases
}
