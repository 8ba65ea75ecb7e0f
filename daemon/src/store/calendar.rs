//! Calendar feeds: one per citizen and municipality, made on the citizen's request and
//! revoked by deleting it (an account deleted takes it along).

use super::{args, new_id, Result, Store};

impl Store {
    /// The citizen's feed id, made now if there is none.
    pub async fn calendar_feed_create(&self, citizen_id: &str, now: i64) -> Result<String> {
        self.run(
            "INSERT INTO calendar_feeds (id, citizen_id, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (citizen_id) DO NOTHING",
            args![new_id(), citizen_id, now],
        )
        .await?;
        Ok(self.calendar_feed_of(citizen_id).await?.unwrap_or_default())
    }

    /// The citizen's feed id, if they have one.
    pub async fn calendar_feed_of(&self, citizen_id: &str) -> Result<Option<String>> {
        self.optional_value(
            "SELECT id FROM calendar_feeds WHERE citizen_id = $1",
            args![citizen_id],
        )
        .await
    }

    /// The citizen a feed belongs to, if it still stands.
    pub async fn calendar_feed_owner(&self, id: &str) -> Result<Option<String>> {
        self.optional_value(
            "SELECT citizen_id FROM calendar_feeds WHERE id = $1",
            args![id],
        )
        .await
    }

    /// Ends the citizen's feed: its URL answers 404 from now on.
    pub async fn calendar_feed_revoke(&self, citizen_id: &str) -> Result<bool> {
        self.run(
            "DELETE FROM calendar_feeds WHERE citizen_id = $1",
            args![citizen_id],
        )
        .await
        .map(|revoked| revoked > 0)
    }
}
