//! Calendar feeds: one per citizen and municipality, made on the citizen's request and
//! revoked by deleting it (an account deleted takes it along).

use super::{new_id, Result, Store};
use sqlx::Row;

impl Store {
    /// The citizen's feed id, made now if there is none.
    pub async fn calendar_feed_create(&self, citizen_id: &str, now: i64) -> Result<String> {
        sqlx::query(
            "INSERT INTO calendar_feeds (id, citizen_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (citizen_id) DO NOTHING",
        )
        .bind(new_id())
        .bind(citizen_id)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(self.calendar_feed_of(citizen_id).await?.unwrap_or_default())
    }

    /// The citizen's feed id, if they have one.
    pub async fn calendar_feed_of(&self, citizen_id: &str) -> Result<Option<String>> {
        self.feed_column(
            "SELECT id AS v FROM calendar_feeds WHERE citizen_id = $1",
            citizen_id,
        )
        .await
    }

    /// The citizen a feed belongs to, if it still stands.
    pub async fn calendar_feed_owner(&self, id: &str) -> Result<Option<String>> {
        self.feed_column(
            "SELECT citizen_id AS v FROM calendar_feeds WHERE id = $1",
            id,
        )
        .await
    }

    async fn feed_column(&self, sql: &str, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query(sql)
            .bind(key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| r.try_get("v"))
            .transpose()?)
    }

    /// Ends the citizen's feed: its URL answers 404 from now on.
    pub async fn calendar_feed_revoke(&self, citizen_id: &str) -> Result<bool> {
        Ok(
            sqlx::query("DELETE FROM calendar_feeds WHERE citizen_id = $1")
                .bind(citizen_id)
                .execute(&self.pool)
                .await?
                .rows_affected()
                > 0,
        )
    }
}
