//! Tenants and sources: recording the configured ones, and each source's health (failed
//! polls, quarantine) as the poller reports it.

use super::*;
use sqlx::{FromRow, Row};

impl Store {
    pub async fn upsert_tenant(&self, id: &str, name: &str, now: i64) -> Result<()> {
        self.run(
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
            args![id, name, now],
        )
        .await?;
        Ok(())
    }

    pub async fn ensure_source(&self, tenant: &str, source: &str) -> Result<()> {
        self.run(
            "INSERT INTO sources (tenant_id, source_id, state) VALUES ($1, $2, 'new')
             ON CONFLICT (tenant_id, source_id) DO NOTHING",
            args![tenant, source],
        )
        .await?;
        Ok(())
    }

    // ----- citizens -------------------------------------------------------------------

    pub async fn source_health(&self, tenant: &str, source: &str) -> Result<Option<SourceHealth>> {
        self.optional(
            "SELECT state, consecutive_failures, total_failures, total_polls, last_error,
                    record_count, last_success_at, held_records, held_note
             FROM sources WHERE tenant_id = $1 AND source_id = $2",
            args![tenant, source],
        )
        .await
    }

    /// Records a failed poll; returns the number of failures in a row.
    pub async fn record_poll_failure(
        &self,
        tenant: &str,
        source: &str,
        state: &str,
        error: &str,
        now: i64,
    ) -> Result<i64> {
        self.ensure_source(tenant, source).await?;
        self.value(
            "UPDATE sources SET state = $3, consecutive_failures = consecutive_failures + 1,
                total_failures = total_failures + 1, total_polls = total_polls + 1,
                last_poll_at = $4, last_error = $5
             WHERE tenant_id = $1 AND source_id = $2 RETURNING consecutive_failures",
            args![tenant, source, state, now, error],
        )
        .await
    }

    pub async fn list_sources(&self) -> Result<Vec<(String, String, SourceHealth)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, source_id, state, consecutive_failures, total_failures,
                    total_polls, last_error, record_count, last_success_at, held_records,
                    held_note
             FROM sources ORDER BY tenant_id, source_id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get("tenant_id")?,
                    r.try_get("source_id")?,
                    SourceHealth::from_row(r)?,
                ))
            })
            .collect()
    }

    /// A cursor a source's row keeps (`sql` selects it by tenant and source): none when
    /// the source is not recorded or has none yet.
    pub(super) async fn source_cursor(
        &self,
        sql: &str,
        tenant: &str,
        source: &str,
    ) -> Result<Option<String>> {
        let cursor: Option<Option<String>> =
            self.optional_value(sql, args![tenant, source]).await?;
        Ok(cursor.flatten())
    }

    // ----- observations ---------------------------------------------------------------
}
