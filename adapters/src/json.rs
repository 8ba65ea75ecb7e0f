//! Limits on JSON from outside, checked before it is parsed, and the parser's messages
//! with the values they quote left out.
//!
//! serde_json refuses nesting past 128 levels when it builds values, but skips an unknown
//! field's value without counting its depth, so a push or an adapter page could carry
//! thousands of levels nobody reads. One linear pass over the bytes counts the nesting of
//! arrays and objects outside strings; it is hand-written because serde_json offers no
//! depth setting and the pass is a dozen lines.

/// Deeper than any record of the protocol nests (a submission's history entry is 4).
pub const MAX_DEPTH: usize = 32;

/// Refuses `bytes` when arrays and objects nest deeper than `max` levels. Malformed JSON
/// passes here and is refused by the parser.
pub fn check_depth(bytes: &[u8], max: usize) -> Result<(), String> {
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for &b in bytes {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > max {
                    return Err(format!("JSON nested deeper than {max} levels"));
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// serde's message with the values it quotes left out (`invalid type: string "…"`): a
/// value may be a person's identifier or address, and the message goes to a log.
pub fn redact(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                for d in chars.by_ref() {
                    if d == '"' {
                        break;
                    }
                }
                out.push_str("\"…\"");
            }
            '`' => {
                let inner: String = chars.by_ref().take_while(|d| *d != '`').collect();
                // Field and variant names are words, and `,` or `}` is what the parser
                // expected; a value is anything else.
                let word = inner.chars().all(|d| d.is_ascii_lowercase() || d == '_');
                let syntax = inner.len() <= 2 && inner.chars().all(|d| d.is_ascii_punctuation());
                if word || syntax {
                    out.push('`');
                    out.push_str(&inner);
                    out.push('`');
                } else {
                    out.push_str("`…`");
                }
            }
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_is_counted_outside_strings_only() {
        assert!(check_depth(br#"{"a":[{"b":[1,2]}]}"#, 4).is_ok());
        assert!(check_depth(br#"{"a":[{"b":[1,2]}]}"#, 3).is_err());
        let deep = format!("{}1{}", r#"{"a":"#.repeat(12_000), "}".repeat(12_000));
        assert!(check_depth(deep.as_bytes(), MAX_DEPTH)
            .expect_err("deep")
            .contains("deeper"));
        let quoted = format!(r#"{{"a":"{}\"{}"}}"#, "[".repeat(100), "{".repeat(100));
        assert!(check_depth(quoted.as_bytes(), 2).is_ok());
    }

    #[test]
    fn a_parser_message_keeps_its_words_and_loses_the_values() {
        assert_eq!(
            redact(r#"invalid type: string "jana@example.cz", expected u32"#),
            r#"invalid type: string "…", expected u32"#
        );
        assert_eq!(
            redact("unknown variant `Jana Nová`, expected one of `bounce`, `complaint`"),
            "unknown variant `…`, expected one of `bounce`, `complaint`"
        );
        assert_eq!(redact("expected `,` or `}`"), "expected `,` or `}`");
        assert_eq!(redact("expected `\"`"), "expected `\"`");
    }
}
