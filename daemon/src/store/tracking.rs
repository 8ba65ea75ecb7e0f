//! Submissions a citizen follows by registration index and access code (Bulgarian document
//! tracking). The pair is sealed at rest; only its keyed hash is searchable.

use super::{args, new_id, Result, Store};

/// One followed document, with the follower's person hash (the alerts go to them).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct TrackedRow {
    pub id: String,
    pub citizen_id: String,
    pub person_hash: String,
    pub index_enc: String,
    pub code_enc: String,
}

impl Store {
    /// Starts following a document; following it again changes nothing. Returns the id.
    #[allow(clippy::too_many_arguments)]
    pub async fn track_submission(
        &self,
        citizen_id: &str,
        tenant: &str,
        source: &str,
        index_hash: &str,
        index_enc: &str,
        code_enc: &str,
        now: i64,
    ) -> Result<String> {
        let id = new_id();
        self.run(
            "INSERT INTO tracked_submissions
                (id, citizen_id, tenant_id, source_id, index_hash, index_enc, code_enc, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (citizen_id, source_id, index_hash) DO UPDATE SET code_enc = excluded.code_enc",
            args![&id, citizen_id, tenant, source, index_hash, index_enc, code_enc, now],
        )
        .await?;
        self.value(
            "SELECT id FROM tracked_submissions
             WHERE citizen_id = $1 AND source_id = $2 AND index_hash = $3",
            args![citizen_id, source, index_hash],
        )
        .await
    }

    /// The documents followed through one source.
    pub async fn tracked_submissions(&self, tenant: &str, source: &str) -> Result<Vec<TrackedRow>> {
        self.all(
            "SELECT t.id, t.citizen_id, c.person_hash, t.index_enc, t.code_enc
             FROM tracked_submissions t JOIN citizens c ON c.id = t.citizen_id
             WHERE t.tenant_id = $1 AND t.source_id = $2
             ORDER BY t.created_at, t.id",
            args![tenant, source],
        )
        .await
    }

    /// The documents a citizen follows, for their export: source, sealed index and since
    /// when.
    pub async fn tracked_by(&self, citizen_id: &str) -> Result<Vec<(String, String, i64)>> {
        self.all(
            "SELECT source_id, index_enc, created_at FROM tracked_submissions
             WHERE citizen_id = $1 ORDER BY created_at, id",
            args![citizen_id],
        )
        .await
    }

    /// The tenant a citizen is enrolled in, if the citizen exists.
    pub async fn citizen_tenant(&self, citizen_id: &str) -> Result<Option<String>> {
        self.optional_value(
            "SELECT tenant_id FROM citizens WHERE id = $1",
            args![citizen_id],
        )
        .await
    }

    /// Stops following a document; false when there was no such row.
    pub async fn untrack_submission(&self, id: &str) -> Result<bool> {
        self.run("DELETE FROM tracked_submissions WHERE id = $1", args![id])
            .await
            .map(|untracked| untracked > 0)
    }
}
