//! Protocol 1.1: the server's capabilities, read before an HTTP source's first poll and
//! honoured by every poll after.

use super::poll::PollError;
use crate::config::{AdapterConfig, SourceConfig};
use hlidac_adapters::AdapterError;

/// Reads the server's capabilities, once per adapter (so at start and at every reload),
/// and fails the poll when they rule out what the source is configured for: another
/// protocol, or a kind it does not announce. A server that cannot say (no answer, a bad
/// body) is read as configured this time and asked again next time; what it announces is
/// honoured: its `max_page`, and no change feed, ETag or tracking it does not serve.
pub(super) async fn honour(
    http: &hlidac_adapters::http::HttpAdapter,
    source: &SourceConfig,
) -> Result<(), PollError> {
    let known = http.announced().is_some();
    match http.capabilities().await {
        Ok(Some(caps)) => {
            let kinds = source.record_kinds();
            if let Some(why) = caps.refuses(&kinds) {
                return Err(AdapterError::Capabilities(why).into());
            }
            if !known {
                let configured_changes =
                    matches!(&source.adapter, AdapterConfig::Http(h) if h.changes);
                tracing::info!(
                    version = %caps.version,
                    max_page = http.max_page(),
                    changes = caps.changes,
                    etag = caps.etag,
                    tracking = caps.tracking,
                    "the source's capabilities"
                );
                if configured_changes && !caps.changes {
                    tracing::warn!(
                        "changes = true, but the source does not announce a change feed: reading its lists"
                    );
                }
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(
            error = %e,
            "the source's capabilities could not be read; reading it as configured"
        ),
    }
    Ok(())
}
