//! XML for SAML: a strict parser setup and Exclusive XML Canonicalization 1.0 (without
//! comments), which XML signatures are computed over.
//!
//! What comes in: untrusted documents from the browser. Before a tree is built, a streaming
//! tokenizer (`xmlparser`, iterative) walks the text once and refuses it at the first limit it
//! passes: size, depth, node count, name and attribute-value lengths, namespace
//! declarations, CDATA and any DTD. Only then does `roxmltree` build the tree, with no DTD (so
//! no entities beyond the five predefined ones); nothing is fetched. The depth limit bounds
//! the recursion of canonicalization below. Canonical bytes are written from the parsed tree, with element and attribute
//! prefixes as the document spelled them.

use roxmltree::{Document, Node, NodeId};
use std::collections::BTreeMap;

/// Why an XML document, or a value in it, is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XmlError {
    #[error("XML larger than {0} bytes")]
    TooLarge(usize),
    #[error("malformed XML: {0}")]
    Malformed(String),
    #[error("XML with more than {0} nodes")]
    TooManyNodes(u32),
    #[error("XML element name longer than {0} bytes")]
    LongElementName(usize),
    #[error("XML nested deeper than {0} levels")]
    TooDeep(usize),
    #[error("XML attribute name longer than {0} bytes")]
    LongAttributeName(usize),
    #[error("XML attribute value longer than {0} bytes")]
    LongAttributeValue(usize),
    #[error("XML with too many namespace declarations")]
    TooManyNamespaces,
    #[error("XML with a CDATA section")]
    Cdata,
    #[error("XML with a DTD")]
    Dtd,
    #[error("XML processing instruction name longer than {0} bytes")]
    LongPiName(usize),
    /// The element (by local name) holds its text in several nodes.
    #[error("<{0}> has split text")]
    SplitText(String),
    #[error("<{0}> contains a comment")]
    Comment(String),
    #[error("<{0}> contains markup")]
    Markup(String),
    #[error("<{0}> has no ID")]
    NoId(String),
    #[error("the ID {id:?} is used by {count} elements")]
    DuplicateId { id: String, count: usize },
}

/// For the callers that still report in words.
impl From<XmlError> for String {
    fn from(e: XmlError) -> String {
        e.to_string()
    }
}

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

/// What a document may hold, checked by a streaming tokenizer before the tree is built.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_bytes: usize,
    /// Elements, attributes, text and other tokens together.
    pub max_nodes: u32,
    /// Deeper than any SAML message nests; canonicalization recurses once per level.
    pub max_depth: usize,
    /// Namespace declarations are copied into every element below them by the parser, so
    /// many of them cost memory in proportion to the document's size squared.
    pub max_namespaces: usize,
    /// Element and attribute names (prefix included), in bytes.
    pub max_name_bytes: usize,
    pub max_attribute_value_bytes: usize,
    /// SAML protocol messages need no CDATA; many sections after a long text make the tree
    /// builder copy the text again for each one.
    pub allow_cdata: bool,
}

/// A SAML protocol message from a browser.
pub const MESSAGE_LIMITS: Limits = Limits {
    max_bytes: MAX_XML_BYTES,
    max_nodes: 20_000,
    max_depth: 64,
    max_namespaces: 200,
    max_name_bytes: 256,
    max_attribute_value_bytes: 16 * 1024,
    allow_cdata: false,
};

/// The largest IdP metadata accepted (federation metadata declares namespaces on every
/// claim type and runs longer than any message).
pub const MAX_METADATA_BYTES: usize = 4 * 1024 * 1024;

/// IdP metadata: a local file or a signed document, larger than a message.
pub const METADATA_LIMITS: Limits = Limits {
    max_bytes: MAX_METADATA_BYTES,
    max_nodes: 400_000,
    max_depth: 64,
    max_namespaces: 20_000,
    max_name_bytes: 256,
    max_attribute_value_bytes: 64 * 1024,
    allow_cdata: false,
};

pub fn parse(text: &str) -> Result<Document<'_>, XmlError> {
    parse_within(text, &MESSAGE_LIMITS)
}

pub fn parse_metadata(text: &str) -> Result<Document<'_>, XmlError> {
    parse_within(text, &METADATA_LIMITS)
}

pub fn parse_within<'i>(text: &'i str, limits: &Limits) -> Result<Document<'i>, XmlError> {
    if text.len() > limits.max_bytes {
        return Err(XmlError::TooLarge(limits.max_bytes));
    }
    // Before the tree is built: the tree builder and canonicalization recurse per level.
    precheck(text, limits)?;
    let options = roxmltree::ParsingOptions {
        allow_dtd: false,
        nodes_limit: limits.max_nodes,
    };
    let doc = Document::parse_with_options(text, options)
        .map_err(|e| XmlError::Malformed(e.to_string()))?;
    Ok(doc)
}

/// Walks the document's tokens once, iteratively, and refuses it at the first limit it
/// passes. A token the tokenizer cannot read is malformed XML.
fn precheck(text: &str, limits: &Limits) -> Result<(), XmlError> {
    use xmlparser::{ElementEnd, Token};
    let (mut depth, mut nodes, mut namespaces) = (0usize, 0u32, 0usize);
    let name_len = |prefix: &str, local: &str| prefix.len() + local.len();
    // `<:a>` or `<a:>`: not a qualified name (Namespaces in XML), though the tokenizer and
    // the tree builder take it; canonicalized, it would not read back the same.
    let qname = |prefix: &xmlparser::StrSpan, local: &xmlparser::StrSpan| {
        let colon = local.start() > 0 && text.as_bytes()[local.start() - 1] == b':';
        if local.is_empty() || (colon && prefix.is_empty()) {
            Err(XmlError::Malformed(format!(
                "a name with an empty prefix or local part at byte {}",
                local.start()
            )))
        } else {
            Ok(())
        }
    };
    for token in xmlparser::Tokenizer::from(text) {
        let token = token.map_err(|e| XmlError::Malformed(e.to_string()))?;
        nodes += 1;
        if nodes > limits.max_nodes {
            return Err(XmlError::TooManyNodes(limits.max_nodes));
        }
        match token {
            Token::ElementStart { prefix, local, .. } => {
                qname(&prefix, &local)?;
                if name_len(&prefix, &local) > limits.max_name_bytes {
                    return Err(XmlError::LongElementName(limits.max_name_bytes));
                }
                depth += 1;
                if depth > limits.max_depth {
                    return Err(XmlError::TooDeep(limits.max_depth));
                }
            }
            Token::ElementEnd { end, .. } if !matches!(end, ElementEnd::Open) => {
                depth = depth.saturating_sub(1);
            }
            Token::Attribute {
                prefix,
                local,
                value,
                ..
            } => {
                qname(&prefix, &local)?;
                if name_len(&prefix, &local) > limits.max_name_bytes {
                    return Err(XmlError::LongAttributeName(limits.max_name_bytes));
                }
                if value.len() > limits.max_attribute_value_bytes {
                    return Err(XmlError::LongAttributeValue(
                        limits.max_attribute_value_bytes,
                    ));
                }
                if prefix.as_str() == "xmlns" || (prefix.is_empty() && local.as_str() == "xmlns") {
                    namespaces += 1;
                    if namespaces > limits.max_namespaces {
                        return Err(XmlError::TooManyNamespaces);
                    }
                }
            }
            Token::Cdata { .. } if !limits.allow_cdata => {
                return Err(XmlError::Cdata);
            }
            Token::DtdStart { .. } | Token::EmptyDtd { .. } | Token::EntityDeclaration { .. } => {
                return Err(XmlError::Dtd);
            }
            Token::ProcessingInstruction { target, .. } if target.len() > limits.max_name_bytes => {
                return Err(XmlError::LongPiName(limits.max_name_bytes));
            }
            _ => {}
        }
    }
    Ok(())
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
pub fn strict_text<'a>(node: Node<'a, '_>) -> Result<&'a str, XmlError> {
    let name = || node.tag_name().name().to_string();
    let mut text = None;
    for c in node.children() {
        if c.is_text() {
            if text.is_some() {
                return Err(XmlError::SplitText(name()));
            }
            text = c.text();
        } else if c.is_comment() {
            return Err(XmlError::Comment(name()));
        } else if c.is_element() || c.is_pi() {
            return Err(XmlError::Markup(name()));
        }
    }
    Ok(text.unwrap_or(""))
}

/// The bytes of an element's base64 content (XML may wrap it over lines).
pub fn base64_content(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    let clean: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// The `ID` attribute of an element, and a check that no other element of the document
/// carries the same value (a signature reference must name exactly one element).
pub fn unique_id<'a, 'i>(doc: &Document<'i>, node: Node<'a, 'i>) -> Result<&'a str, XmlError> {
    let id = node
        .attribute("ID")
        .ok_or_else(|| XmlError::NoId(node.tag_name().name().to_string()))?;
    let same = doc
        .descendants()
        .filter(|n| n.is_element() && n.attributes().any(|a| is_id_attr(&a) && a.value() == id))
        .count();
    if same != 1 {
        return Err(XmlError::DuplicateId {
            id: id.to_string(),
            count: same,
        });
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

/// Canonical XML's escapes for text: `&`, `<`, `>` and CR.
fn escape_text(s: &str, out: &mut Vec<u8>) {
    escape(s, out, |b| match b {
        b'>' => Some(&b"&gt;"[..]),
        _ => None,
    })
}

/// Canonical XML's escapes for attribute values: `&`, `<`, `"`, tab, LF and CR.
fn escape_attr(s: &str, out: &mut Vec<u8>) {
    escape(s, out, |b| match b {
        b'"' => Some(&b"&quot;"[..]),
        b'\t' => Some(&b"&#x9;"[..]),
        b'\n' => Some(&b"&#xA;"[..]),
        _ => None,
    })
}

/// Writes `s` with `&`, `<` and CR escaped, and the bytes `more` names.
fn escape(s: &str, out: &mut Vec<u8>, more: impl Fn(u8) -> Option<&'static [u8]>) {
    for b in s.bytes() {
        let escaped = match b {
            b'&' => Some(&b"&amp;"[..]),
            b'<' => Some(&b"&lt;"[..]),
            b'\r' => Some(&b"&#xD;"[..]),
            _ => more(b),
        };
        match escaped {
            Some(e) => out.extend_from_slice(e),
            None => out.push(b),
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

    /// Why `parse` refused a document (the test fails if it accepted it).
    fn refusal(xml: &str) -> String {
        match parse(xml) {
            Ok(_) => panic!("accepted a document of {} bytes", xml.len()),
            Err(e) => e.to_string(),
        }
    }

    /// Each (document, what its refusal must name) is refused with that reason.
    fn refused_for(cases: &[(&str, String, &str)]) {
        for (name, xml, reason) in cases {
            let why = refusal(xml);
            assert!(
                why.contains(reason),
                "{name}: {why:?} does not say {reason:?}"
            );
        }
    }

    #[test]
    fn deep_nesting_and_namespace_floods_are_refused_before_canonicalization() {
        let fine = format!("{}{}", "<a><b/>x".repeat(60), "</a>".repeat(60));
        assert!(parse(&fine).is_ok());
        let flood: String = (0..300).map(|i| format!("<b xmlns:p{i}=\"u\"/>")).collect();
        refused_for(&[
            (
                "too deep",
                format!("{}{}", "<a>".repeat(10_000), "</a>".repeat(10_000)),
                "nested",
            ),
            // `/>` in text does not close an element.
            (
                "too deep",
                format!("<r>{}</r>", "<x>/>".repeat(12_000)),
                "nested",
            ),
            (
                "65 levels",
                format!("{}{}", "<a><b/>x".repeat(65), "</a>".repeat(65)),
                "nested",
            ),
            (
                "too many namespaces",
                format!("<r>{flood}</r>"),
                "namespace",
            ),
        ]);
    }

    #[test]
    fn cdata_long_names_and_node_floods_are_refused() {
        let long = "é".repeat(40_000);
        let value = "v".repeat(20_000);
        refused_for(&[
            (
                "cdata",
                format!("<r>{}{}</r>", "t".repeat(1000), "<![CDATA[x]]>".repeat(3)),
                "CDATA",
            ),
            (
                "attribute name",
                format!("<r {long}=\"1\"/>"),
                "attribute name",
            ),
            ("element name", format!("<{long}/>"), "element name"),
            (
                "attribute value",
                format!("<r a=\"{value}\"/>"),
                "attribute value",
            ),
            (
                "nodes",
                format!("<r>{}</r>", "<e/>".repeat(30_000)),
                "nodes",
            ),
            ("malformed", "<r><a></r>".into(), "malformed"),
            ("empty prefix", "<r><:a/></r>".into(), "empty prefix"),
            (
                "empty attribute prefix",
                "<r :a=\"1\"/>".into(),
                "empty prefix",
            ),
            ("size", "x".repeat(MAX_XML_BYTES + 1), "larger"),
        ]);
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
