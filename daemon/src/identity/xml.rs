//! XML for SAML: a strict parser setup and Exclusive XML Canonicalization 1.0 (without
//! comments), which XML signatures are computed over.
//!
//! What comes in: untrusted documents from the browser. They are parsed with no DTD (so no
//! entities beyond the five predefined ones), a node limit, and a size limit; nothing is
//! fetched. Canonical bytes are written from the parsed tree, with element and attribute
//! prefixes as the document spelled them.

use roxmltree::{Document, Node, NodeId};
use std::collections::BTreeMap;

pub const NS_SAMLP: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
pub const NS_SAML: &str = "urn:oasis:names:tc:SAML:2.0:assertion";
pub const NS_MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
pub const NS_DS: &str = "http://www.w3.org/2000/09/xmldsig#";
pub const NS_XENC: &str = "http://www.w3.org/2001/04/xmlenc#";
pub const NS_XENC11: &str = "http://www.w3.org/2009/xmlenc11#";
pub const NS_XML: &str = "http://www.w3.org/XML/1998/namespace";
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";

/// The largest document accepted from a browser or an IdP (metadata included).
pub const MAX_XML_BYTES: usize = 512 * 1024;
const MAX_NODES: u32 = 20_000;
/// Deeper than any SAML message nests; canonicalization recurses once per level.
const MAX_DEPTH: usize = 64;
/// Namespace declarations are copied into every element below them by the parser, so
/// many of them cost memory in proportion to the document's size squared.
const MAX_NAMESPACE_DECLARATIONS: usize = 200;

/// The largest IdP metadata accepted (federation metadata declares namespaces on every
/// claim type and runs longer than any message).
pub const MAX_METADATA_BYTES: usize = 4 * 1024 * 1024;

pub fn parse(text: &str) -> Result<Document<'_>, String> {
    parse_within(text, MAX_XML_BYTES, MAX_NODES, MAX_NAMESPACE_DECLARATIONS)
}

/// IdP metadata: a local file or a signed document, larger than a message.
pub fn parse_metadata(text: &str) -> Result<Document<'_>, String> {
    parse_within(text, MAX_METADATA_BYTES, 400_000, 20_000)
}

fn parse_within(
    text: &str,
    max_bytes: usize,
    max_nodes: u32,
    max_namespaces: usize,
) -> Result<Document<'_>, String> {
    if text.len() > max_bytes {
        return Err(format!("XML larger than {max_bytes} bytes"));
    }
    if text.matches("xmlns").count() > max_namespaces {
        return Err("XML with too many namespace declarations".into());
    }
    // Before the parser sees it: parsing and canonicalizing recurse per level.
    if nesting(text) > MAX_DEPTH {
        return Err(format!("XML nested deeper than {MAX_DEPTH} levels"));
    }
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: max_nodes,
    };
    let doc =
        Document::parse_with_options(text, options).map_err(|e| format!("malformed XML: {e}"))?;
    Ok(doc)
}

/// The deepest element nesting of the text, from its tags alone (comments, CDATA and
/// processing instructions skipped). `<` cannot occur inside an attribute value, so a
/// start tag ends at the last `>` before the next `<`.
fn nesting(text: &str) -> usize {
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    let b = text.as_bytes();
    while let Some(off) = text[i..].find('<') {
        let at = i + off;
        let rest = &text[at..];
        let skip_to = |end: &str| rest.find(end).map(|e| at + e + end.len());
        i = if rest.starts_with("<!--") {
            skip_to("-->").unwrap_or(b.len())
        } else if rest.starts_with("<![CDATA[") {
            skip_to("]]>").unwrap_or(b.len())
        } else if rest.starts_with("<?") || rest.starts_with("<!") {
            skip_to(">").unwrap_or(b.len())
        } else if rest.starts_with("</") {
            depth = depth.saturating_sub(1);
            at + 2
        } else {
            let tag_end = rest[1..].find('<').map(|e| e + 1).unwrap_or(rest.len());
            let tag = &rest[..tag_end];
            let closed = tag.rfind('>').is_some_and(|g| tag[..g].ends_with('/'));
            if !closed {
                depth += 1;
                deepest = deepest.max(depth);
            }
            at + 1
        };
    }
    deepest
}

pub fn is(node: Node, ns: &str, name: &str) -> bool {
    node.is_element() && node.tag_name().name() == name && node.tag_name().namespace() == Some(ns)
}

/// The element children of `node` named `ns:name`.
pub fn children<'a, 'i>(
    node: Node<'a, 'i>,
    ns: &'a str,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children().filter(move |c| is(*c, ns, name))
}

pub fn child<'a, 'i>(node: Node<'a, 'i>, ns: &'a str, name: &'a str) -> Option<Node<'a, 'i>> {
    children(node, ns, name).next()
}

/// Every element in the document named `ns:name`.
pub fn count(doc: &Document, ns: &str, name: &str) -> usize {
    doc.descendants().filter(|n| is(*n, ns, name)).count()
}

/// The text of an element that must hold only text: one text node, no comment, no child
/// element. A comment inside a value (`user@evil.org<!---->.example.cz`) would make
/// canonical bytes and the value differ, so it is refused rather than read.
pub fn strict_text<'a>(node: Node<'a, '_>) -> Result<&'a str, String> {
    let mut text = None;
    for c in node.children() {
        if c.is_text() {
            if text.is_some() {
                return Err(format!("<{}> has split text", node.tag_name().name()));
            }
            text = c.text();
        } else if c.is_comment() {
            return Err(format!("<{}> contains a comment", node.tag_name().name()));
        } else if c.is_element() || c.is_pi() {
            return Err(format!("<{}> contains markup", node.tag_name().name()));
        }
    }
    Ok(text.unwrap_or(""))
}

/// The `ID` attribute of an element, and a check that no other element of the document
/// carries the same value (a signature reference must name exactly one element).
pub fn unique_id<'a, 'i>(doc: &Document<'i>, node: Node<'a, 'i>) -> Result<&'a str, String> {
    let id = node
        .attribute("ID")
        .ok_or_else(|| format!("<{}> has no ID", node.tag_name().name()))?;
    let same = doc
        .descendants()
        .filter(|n| n.is_element() && n.attributes().any(|a| is_id_attr(&a) && a.value() == id))
        .count();
    if same != 1 {
        return Err(format!("the ID {id:?} is used by {same} elements"));
    }
    Ok(id)
}

fn is_id_attr(a: &roxmltree::Attribute) -> bool {
    matches!(a.name(), "ID" | "Id" | "id")
}

/// The prefix of an element as written in the document (`saml` of `<saml:Assertion`).
fn element_prefix<'i>(doc_text: &'i str, node: Node) -> Option<&'i str> {
    let start = node.range().start + 1;
    let rest = &doc_text[start..];
    let end = rest
        .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
        .unwrap_or(rest.len());
    rest[..end].split_once(':').map(|(p, _)| p)
}

fn attribute_qname<'i>(doc_text: &'i str, a: &roxmltree::Attribute) -> &'i str {
    &doc_text[a.range_qname()]
}

/// Exclusive canonical form (without comments) of `apex` and its subtree, leaving out the
/// subtree of `exclude` (the enveloped signature) and rendering the namespaces named in
/// `inclusive` (the InclusiveNamespaces PrefixList) as if used.
pub fn exc_c14n(
    doc: &Document,
    apex: Node,
    exclude: Option<NodeId>,
    inclusive: &[String],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(4096);
    let rendered = BTreeMap::new();
    write_element(
        doc.input_text(),
        apex,
        exclude,
        inclusive,
        &rendered,
        &mut out,
    );
    out
}

fn write_element(
    text: &str,
    node: Node,
    exclude: Option<NodeId>,
    inclusive: &[String],
    rendered: &BTreeMap<String, String>,
    out: &mut Vec<u8>,
) {
    let prefix = element_prefix(text, node).unwrap_or("");
    let in_scope: BTreeMap<&str, &str> = node
        .namespaces()
        .map(|ns| (ns.name().unwrap_or(""), ns.uri()))
        .collect();

    // Namespaces visibly used here: the element's own prefix (the default namespace when it
    // has none) and each prefixed attribute's, plus the inclusive list.
    let mut used: Vec<&str> = vec![prefix];
    let mut attrs: Vec<(&str, &str, &str, &str)> = Vec::new(); // (ns uri, local, qname, value)
    for a in node.attributes() {
        let qname = attribute_qname(text, &a);
        if let Some((p, _)) = qname.split_once(':') {
            if p != "xml" {
                used.push(p);
            }
        }
        attrs.push((a.namespace().unwrap_or(""), a.name(), qname, a.value()));
    }
    for p in inclusive {
        let p = if p == "#default" { "" } else { p.as_str() };
        if in_scope.contains_key(p) {
            used.push(p);
        }
    }
    used.sort_unstable();
    used.dedup();

    let mut next = rendered.clone();
    let mut decls: Vec<(String, String)> = Vec::new();
    for p in used {
        let uri = in_scope.get(p).copied().unwrap_or("");
        let before = rendered.get(p).map(String::as_str).unwrap_or("");
        if p.is_empty() {
            if uri != before {
                decls.push((String::new(), uri.to_string()));
                next.insert(String::new(), uri.to_string());
            }
        } else if rendered.get(p).map(String::as_str) != Some(uri) {
            decls.push((p.to_string(), uri.to_string()));
            next.insert(p.to_string(), uri.to_string());
        }
    }
    attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

    let qname = &text[node.range().start + 1..]
        [..prefix.len() + if prefix.is_empty() { 0 } else { 1 } + node.tag_name().name().len()];
    out.push(b'<');
    out.extend_from_slice(qname.as_bytes());
    for (p, uri) in &decls {
        if p.is_empty() {
            out.extend_from_slice(b" xmlns=\"");
        } else {
            out.extend_from_slice(b" xmlns:");
            out.extend_from_slice(p.as_bytes());
            out.extend_from_slice(b"=\"");
        }
        escape_attr(uri, out);
        out.push(b'"');
    }
    for (_, _, q, v) in &attrs {
        out.push(b' ');
        out.extend_from_slice(q.as_bytes());
        out.extend_from_slice(b"=\"");
        escape_attr(v, out);
        out.push(b'"');
    }
    out.push(b'>');
    for c in node.children() {
        if Some(c.id()) == exclude {
            continue;
        }
        if c.is_element() {
            write_element(text, c, exclude, inclusive, &next, out);
        } else if c.is_text() {
            escape_text(c.text().unwrap_or(""), out);
        } else if c.is_pi() {
            if let Some(pi) = c.pi() {
                out.extend_from_slice(b"<?");
                out.extend_from_slice(pi.target.as_bytes());
                if let Some(v) = pi.value {
                    out.push(b' ');
                    out.extend_from_slice(v.as_bytes());
                }
                out.extend_from_slice(b"?>");
            }
        }
    }
    out.extend_from_slice(b"</");
    out.extend_from_slice(qname.as_bytes());
    out.push(b'>');
}

fn escape_text(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'>' => out.extend_from_slice(b"&gt;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            _ => out.push(b),
        }
    }
}

fn escape_attr(s: &str, out: &mut Vec<u8>) {
    for b in s.bytes() {
        match b {
            b'&' => out.extend_from_slice(b"&amp;"),
            b'<' => out.extend_from_slice(b"&lt;"),
            b'"' => out.extend_from_slice(b"&quot;"),
            b'\t' => out.extend_from_slice(b"&#x9;"),
            b'\n' => out.extend_from_slice(b"&#xA;"),
            b'\r' => out.extend_from_slice(b"&#xD;"),
            _ => out.push(b),
        }
    }
}

/// Escapes text for building XML by hand (element content and attribute values).
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c14n(text: &str, path: &[&str]) -> String {
        let doc = parse(text).expect("parse");
        let mut node = doc.root_element();
        for name in path {
            node = node
                .children()
                .find(|c| c.is_element() && c.tag_name().name() == *name)
                .expect("child");
        }
        String::from_utf8(exc_c14n(&doc, node, None, &[])).expect("utf8")
    }

    #[test]
    fn namespaces_are_rendered_where_used_and_attributes_sorted() {
        let text = r#"<a:R xmlns:a="urn:a" xmlns:b="urn:b" xmlns:unused="urn:u"><b:C z="1" b:y="2" a="3"><!-- c --><a:D>x &amp; y</a:D></b:C></a:R>"#;
        assert_eq!(
            c14n(text, &["C"]),
            r#"<b:C xmlns:b="urn:b" a="3" z="1" b:y="2"><a:D xmlns:a="urn:a">x &amp; y</a:D></b:C>"#
        );
        assert_eq!(
            c14n(text, &[]),
            r#"<a:R xmlns:a="urn:a"><b:C xmlns:b="urn:b" a="3" z="1" b:y="2"><a:D>x &amp; y</a:D></b:C></a:R>"#
        );
    }

    #[test]
    fn default_namespace_and_empty_elements() {
        let text = r#"<R xmlns="urn:r"><E/><n:F xmlns:n="urn:n"><G xmlns=""/></n:F></R>"#;
        assert_eq!(
            c14n(text, &[]),
            r#"<R xmlns="urn:r"><E></E><n:F xmlns:n="urn:n"><G xmlns=""></G></n:F></R>"#
        );
        assert_eq!(c14n(text, &["F"]), r#"<n:F xmlns:n="urn:n"><G></G></n:F>"#);
    }

    #[test]
    fn escapes_follow_the_canonical_rules() {
        let text = "<r a=\"&lt;&quot;&#9;&#10;&#13;\">&gt;&#13;\"</r>";
        assert_eq!(
            c14n(text, &[]),
            "<r a=\"&lt;&quot;&#x9;&#xA;&#xD;\">&gt;&#xD;\"</r>"
        );
    }

    #[test]
    fn deep_nesting_and_namespace_floods_are_refused_before_canonicalization() {
        let deep = format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000));
        assert!(parse(&deep).expect_err("too deep").contains("nested"));
        let fine = format!("{}{}", "<a><b/>x".repeat(60), "</a>".repeat(60));
        assert!(parse(&fine).is_ok());
        assert_eq!(
            nesting("<r a='>'><!-- <x> --><![CDATA[<y>]]><b/><c>t</c></r>"),
            2
        );
        let flood: String = (0..300).map(|i| format!("<b xmlns:p{i}=\"u\"/>")).collect();
        assert!(parse(&format!("<r>{flood}</r>"))
            .expect_err("too many namespaces")
            .contains("namespace"));
    }

    #[test]
    fn a_dtd_is_refused() {
        assert!(parse(r#"<!DOCTYPE r [<!ENTITY e "x">]><r>&e;</r>"#).is_err());
    }

    #[test]
    fn strict_text_refuses_comments() {
        let doc = parse("<n>a@evil.org<!---->.example.cz</n>").expect("parse");
        assert!(strict_text(doc.root_element()).is_err());
        let doc = parse("<n>a@example.cz</n>").expect("parse");
        assert_eq!(strict_text(doc.root_element()), Ok("a@example.cz"));
    }
}
