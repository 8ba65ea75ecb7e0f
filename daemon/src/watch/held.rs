//! Records a read held back alone: one log line for each, and the limit past which the
//! source, not a record, is broken (`max_held_share`).

use super::poll::PollError;
use crate::config::SourceConfig;
use hlidac_adapters::{AdapterError, Held};

/// One log line for each record a read held back (the first twenty of a page), the key
/// escaped and no value of the record in it.
pub(crate) fn report_held(held: &[Held]) {
    for h in held.iter().take(20) {
        tracing::warn!(
            record = ?h.to_string(),
            "a record that does not follow the protocol is held back; the rest of the source goes on"
        );
    }
    if held.len() > 20 {
        tracing::warn!(more = held.len() - 20, "more records held back");
    }
}

/// More than one record held back, and more than `max_held_share` of what was read: the
/// source is broken, not a record, and the whole poll fails.
pub(crate) fn check_held(
    kind: &str,
    held: usize,
    good: usize,
    source: &SourceConfig,
) -> Result<(), PollError> {
    let total = held + good;
    if held > 1 && held as f64 > total as f64 * source.max_held_share {
        return Err(AdapterError::Malformed(format!(
            "{held} of {total} {kind} records do not follow the protocol, more than max_held_share = {}",
            source.max_held_share
        ))
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_record_is_held_alone_but_a_broken_source_fails() {
        let mut source: SourceConfig = toml::from_str(
            "id = \"s\"\nkinds = [\"receivables\"]\n[adapter]\ntype = \"file\"\npath = \"x\"",
        )
        .expect("source");
        assert_eq!(source.max_held_share, 0.1, "the default");
        // One bad record of three is held alone, whatever the share.
        assert!(check_held("receivable", 1, 2, &source).is_ok());
        assert!(check_held("receivable", 0, 0, &source).is_ok());
        // Two of a hundred: a few bad records.
        assert!(check_held("receivable", 2, 98, &source).is_ok());
        // Two of three: the source is broken, the poll fails (and quarantines the source).
        let e = check_held("receivable", 2, 1, &source).expect_err("too many");
        assert!(matches!(e, PollError::Adapter(AdapterError::Malformed(_))));
        assert!(e.to_string().contains("2 of 3 receivable records"), "{e}");
        source.max_held_share = 0.0;
        assert!(check_held("receivable", 2, 98, &source).is_err());
    }
}
