//! How log fields are written in the text and journald formats, so that no value from
//! outside can forge a log line or pass for another field.
//!
//! What comes in: every event's and span's fields, some of them quoting what a browser, an
//! IdP or an adapter sent (a refusal reason names the algorithm URI it refused). What goes
//! out: one line per event. The message has its control characters (line breaks, NUL, ANSI
//! escapes) written as `\n`, `\u{1b}` and so on; every other field value that is not a plain
//! token is written quoted, with quotes, backslashes and control characters escaped. This is
//! the one place that escapes: call sites log outside values as they are. The JSON format
//! needs no such step, since JSON strings escape control characters and quotes themselves.

use std::fmt::{self, Write};
use tracing::field::{Field, Visit};
use tracing_subscriber::field::RecordFields;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::FormatFields;

/// The field formatter of the text and journald log formats.
#[derive(Clone, Copy, Debug, Default)]
pub struct EscapedFields;

impl<'w> FormatFields<'w> for EscapedFields {
    fn format_fields<R: RecordFields>(&self, mut writer: Writer<'w>, fields: R) -> fmt::Result {
        let mut visitor = Visitor {
            writer: &mut writer,
            first: true,
            result: Ok(()),
        };
        fields.record(&mut visitor);
        visitor.result
    }
}

struct Visitor<'a, 'w> {
    writer: &'a mut Writer<'w>,
    first: bool,
    result: fmt::Result,
}

impl Visitor<'_, '_> {
    fn write(&mut self, field: &Field, value: &str) {
        if self.result.is_err() {
            return;
        }
        let separator = if self.first { "" } else { " " };
        self.first = false;
        self.result = if field.name() == "message" {
            self.writer
                .write_str(separator)
                .and_then(|()| write_message(self.writer, value))
        } else if field.name().starts_with("log.") {
            // Metadata of records bridged from the `log` crate, repeated by the formatter.
            Ok(())
        } else {
            write!(self.writer, "{separator}{}=", field.name())
                .and_then(|()| write_value(self.writer, value))
        };
    }
}

impl Visit for Visitor<'_, '_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.write(field, value);
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        // `%value` and messages arrive here with their Display text.
        let text = format!("{value:?}");
        self.write(field, &text);
    }
}

/// The message as written, with control characters made visible.
fn write_message(out: &mut impl Write, text: &str) -> fmt::Result {
    for c in text.chars() {
        if c.is_control() {
            write!(out, "{}", c.escape_default())?;
        } else {
            out.write_char(c)?;
        }
    }
    Ok(())
}

/// A field value: bare when it is a plain token, else quoted and escaped.
fn write_value(out: &mut impl Write, text: &str) -> fmt::Result {
    let plain = !text.is_empty()
        && text
            .chars()
            .all(|c| c.is_alphanumeric() || "-_.:/@+,()[]#%".contains(c));
    if plain {
        return out.write_str(text);
    }
    out.write_char('"')?;
    for c in text.chars() {
        match c {
            '"' => out.write_str("\\\"")?,
            '\\' => out.write_str("\\\\")?,
            c if c.is_control() => write!(out, "{}", c.escape_default())?,
            c => out.write_char(c)?,
        }
    }
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        let mut out = String::new();
        write_value(&mut out, text).expect("write");
        out
    }

    #[test]
    fn plain_tokens_stay_bare_and_everything_else_is_quoted() {
        assert_eq!(value("lhota"), "lhota");
        assert_eq!(
            value("http://www.w3.org/2000/09/xmldsig#rsa-sha1"),
            "http://www.w3.org/2000/09/xmldsig#rsa-sha1"
        );
        assert_eq!(value(""), "\"\"");
        assert_eq!(
            value("x\nINFO login succeeded tenant=\"lhota\""),
            "\"x\\nINFO login succeeded tenant=\\\"lhota\\\"\""
        );
        assert_eq!(value("a\u{1b}[31m\0b\\"), "\"a\\u{1b}[31m\\u{0}b\\\\\"");
    }

    #[test]
    fn a_message_keeps_its_words_and_loses_its_line_breaks() {
        let mut out = String::new();
        write_message(&mut out, "refused: a\r\nINFO fake\u{1b}[0m").expect("write");
        assert_eq!(out, "refused: a\\r\\nINFO fake\\u{1b}[0m");
        assert!(!out.contains('\n'));
    }
}
