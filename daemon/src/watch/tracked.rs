//! Documents citizens follow by registration index and access code (Bulgarian document
//! tracking), read at each poll of a source that serves it.

use super::poll::PollError;
use super::Watch;
use crate::config::{SourceConfig, SourceKind, TenantConfig};
use hlidac_adapters::Submission;

/// The documents citizens follow by registration index and access code through this
/// source, as the source has them now, each with its follower's person hash. A document
/// the source no longer finds is left as it was.
pub(super) async fn tracked_submissions(
    watch: &Watch,
    tenant: &TenantConfig,
    source: &SourceConfig,
    http: Option<&hlidac_adapters::http::HttpAdapter>,
) -> Result<Vec<(Submission, String)>, PollError> {
    let (Some(http), true) = (
        http.filter(|h| h.serves_tracking()),
        source.serves(SourceKind::Submissions),
    ) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for t in watch
        .store
        .tracked_submissions(&tenant.id, &source.id)
        .await?
    {
        let index = watch
            .crypto
            .open(&t.index_enc)
            .map_err(|_| PollError::Crypto)?;
        let code = watch
            .crypto
            .open(&t.code_enc)
            .map_err(|_| PollError::Crypto)?;
        let secrets = [index.clone(), code.clone()];
        let found = http.track(&index, &code).await;
        match found.map_err(|e| e.hiding(&secrets))? {
            Some(s) if s.reference.registration_index.as_deref() == Some(index.as_str()) => {
                out.push((s, t.person_hash))
            }
            Some(_) => {
                return Err(PollError::Suspicious(
                    "tracking returned a document with another registration index".into(),
                ))
            }
            None => tracing::info!(
                tracked = %t.id,
                "the source finds no document for a tracked registration index and access code"
            ),
        }
    }
    Ok(out)
}
