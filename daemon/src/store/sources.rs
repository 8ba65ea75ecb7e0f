//! Tenants and sources: recording the configured ones, and each source's health (failed
//! polls, quarantine) as the poller reports it.

use super::*;
use sqlx::{FromRow, Row};

impl Store {
    pub async fn upsert_tenant(&self, id: &str, name: &str, now: i64) -> Result<()> {
        sqlx::query(
            "INSERT INTO tenants (id, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name",
        )
        .bind(id)
        .bind(name)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn ensure_source(&self, tenant: &str, source: &str) -> Result<()> {
        sqlx::query(
            "INSERT INTO sources (tenant_id, source_id, state) VALUES ($1, $2, 'new')
             ON CONFLICT (tenant_id, source_id) DO NOTHING",
        )
        .bind(tenant)
        .bind(source)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ----- citizens -------------------------------------------------------------------

    pub async fn source_health(&self, tenant: &str, source: &str) -> Result<Option<SourceHealth>> {
        let row = sqlx::query(
            "SELECT state, consecutive_failures, total_failures, total_polls, last_error,
                    record_count, last_success_at, held_records, held_note
             FROM sources WHERE tenant_id = $1 AND source_id = $2",
        )
        .bind(tenant)
        .bind(source)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(SourceHealth::from_row).transpose()?)
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
        let row = sqlx::query(
            "UPDATE sources SET state = $3, consecutive_failures = consecutive_failures + 1,
                total_failures = total_failures + 1, total_polls = total_polls + 1,
                last_poll_at = $4, last_error = $5
             WHERE tenant_id = $1 AND source_id = $2 RETURNING consecutive_failures",
        )
        .bind(tenant)
        .bind(source)
        .bind(state)
        .bind(now)
        .bind(error)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get("consecutive_failures")?)
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

    // ----- observations ---------------------------------------------------------------
}
