//! Person references kept out of what a source says. A source's error message and an
//! exec program's stderr reach the log, the source's health and the operator's e-mail; a
//! source may name the people it was asked about there, and their references are national
//! identifiers. [`Hider`] replaces each reference by `…`: as it is, as a query string
//! encodes it, and with its slashes JSON-escaped; and one cut off where an [`excerpt`]
//! was cut. An Aho-Corasick automaton finds them all in one pass, however many people.

use aho_corasick::{AhoCorasick, MatchKind};

/// The most of a source's message kept, in characters.
pub const MESSAGE_CHARS: usize = 300;

/// What ends an excerpt that was cut.
pub const CUT_MARK: &str = " [cut]";

/// At most [`MESSAGE_CHARS`] characters of `text`, marked with [`CUT_MARK`] when cut.
pub fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MESSAGE_CHARS) {
        Some((at, _)) => format!("{}{CUT_MARK}", &text[..at]),
        None => text.to_string(),
    }
}

/// Finds references in a text and hides them; built once for many texts.
pub struct Hider {
    /// Every form of every reference, the longest first.
    forms: Vec<String>,
    automaton: Option<AhoCorasick>,
}

impl Hider {
    pub fn new(refs: &[String]) -> Hider {
        let mut forms: Vec<String> = Vec::new();
        for r in refs.iter().filter(|r| !r.is_empty()) {
            let encoded: String = url::form_urlencoded::byte_serialize(r.as_bytes()).collect();
            forms.extend([r.clone(), encoded, r.replace('/', "\\/")]);
        }
        forms.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        forms.dedup();
        let automaton = (!forms.is_empty())
            .then(|| {
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .build(&forms)
                    .ok()
            })
            .flatten();
        Hider { forms, automaton }
    }

    /// `text` with every reference in it replaced by `…`. In an excerpt that was cut, a
    /// reference cut off at its end goes too.
    pub fn hide(&self, text: &str) -> String {
        let (body, cut) = match text.strip_suffix(CUT_MARK) {
            Some(body) => (body, true),
            None => (text, false),
        };
        let mut out = String::with_capacity(body.len());
        match &self.automaton {
            Some(a) => a.replace_all_with(body, &mut out, |_, _, dst| {
                dst.push('…');
                true
            }),
            None => out.push_str(body),
        }
        if cut {
            let tail = self
                .forms
                .iter()
                .filter_map(|f| {
                    (1..f.len())
                        .rev()
                        .find(|&n| f.is_char_boundary(n) && out.ends_with(&f[..n]))
                })
                .max();
            if let Some(n) = tail {
                out.truncate(out.len() - n);
                out.push('…');
            }
            out.push_str(CUT_MARK);
        }
        out
    }
}

/// `text` with each of `refs` in it hidden (see [`Hider`]).
pub fn hide_refs(text: &str, refs: &[String]) -> String {
    Hider::new(refs).hide(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_are_hidden_whole_encoded_escaped_and_cut_off() {
        let refs = [
            "CZ-1".to_string(),
            "CZ-12".to_string(),
            "8001/0101".to_string(),
            String::new(),
        ];
        let hider = Hider::new(&refs);
        let hidden = |text: &str| hider.hide(text);
        assert_eq!(hidden("no CZ-12 here, nor CZ-1"), "no … here, nor …");
        assert_eq!(
            hidden("GET /v1?person_ref=8001%2F0101 failed"),
            "GET /v1?person_ref=… failed"
        );
        assert_eq!(hidden(r#"{"person":"8001\/0101"}"#), r#"{"person":"…"}"#);
        assert_eq!(hidden("nothing to hide"), "nothing to hide");
        // Only an excerpt that was cut loses the start of a reference at its end.
        assert_eq!(hidden("status 80"), "status 80");
        let cut = excerpt(&format!("{}person_ref=8001/0101 and more", "x".repeat(282)));
        assert!(cut.ends_with("=8001/01 [cut]"), "{cut}");
        assert!(
            hidden(&cut).ends_with("person_ref=… [cut]"),
            "{}",
            hidden(&cut)
        );
        let cut = excerpt(&format!("{}ref=8001%2F01xx", "x".repeat(287)));
        assert!(hidden(&cut).ends_with("ref=… [cut]"), "{}", hidden(&cut));
        assert_eq!(excerpt("short"), "short");
        assert_eq!(hide_refs("CZ-12", &[]), "CZ-12");
    }

    #[test]
    fn an_adapter_error_hides_references_or_drops_its_message() {
        use crate::AdapterError;
        let refs = ["CZ-12".to_string()];
        let e = AdapterError::Status {
            status: 500,
            message: "CZ-12 unknown".into(),
        };
        let hidden = e.hiding(&refs).to_string();
        assert_eq!(hidden, "the source answered HTTP 500: … unknown");
        let e = AdapterError::Transport("CZ-12 unknown".into()).without_message();
        assert!(!e.to_string().contains("CZ"), "{e}");
    }
}
