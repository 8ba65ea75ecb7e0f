//! The other channel: an SMS queued in place of an e-mail alert that bounced permanently
//! or was dead-lettered (the tenant's `fallback`), and the one SMS that tells a citizen
//! their e-mail address stopped working. Each goes only to a verified phone, at most
//! once: the fallback shares its key with the SMS alert the citizen would have had for
//! the same event, so a citizen who has both channels never gets it twice.

use super::{args, new_id, run_in, stable_id, ClaimedAlert, Result};

/// The kind of the SMS that tells a citizen their e-mail address bounces.
pub const UNDELIVERABLE_NOTICE: &str = "notice.undeliverable";

/// Queues the SMS that stands in for e-mail alert `o` in `tx`; false when the citizen
/// has no verified phone, or it is queued already.
pub(super) async fn queue_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    o: &ClaimedAlert,
    now: i64,
) -> Result<bool> {
    let key = stable_id(&["alert", &o.event_id, "sms", &o.citizen_id]);
    insert(tx, &key, &key, o, &o.kind, Some(&o.id), now).await
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    id: &str,
    key: &str,
    o: &ClaimedAlert,
    kind: &str,
    fallback_of: Option<&str>,
    now: i64,
) -> Result<bool> {
    Ok(run_in(
        tx,
        "INSERT INTO outbox (id, dedupe_key, event_id, tenant_id, citizen_id, channel, kind,
            state, next_attempt_at, expires_at, created_at, updated_at, dry_run, fallback_of)
         SELECT $1, $2, $3, $4, $5, 'sms', $6, 'queued', $7, $8, $7, $7, $9, $10
         WHERE EXISTS (SELECT 1 FROM contacts k WHERE k.citizen_id = $5 AND k.channel = 'sms'
                         AND k.verified_at IS NOT NULL AND k.suppressed_at IS NULL
                         AND k.undeliverable_at IS NULL)
         ON CONFLICT (dedupe_key) DO NOTHING",
        args![
            id,
            key,
            &o.event_id,
            &o.tenant_id,
            &o.citizen_id,
            kind,
            now,
            o.expires_at,
            i64::from(o.dry_run),
            fallback_of
        ],
    )
    .await?
        > 0)
}

/// Queues, in `tx`, the SMS that tells the citizen of e-mail alert `o` that their address
/// came back undeliverable; false without a verified phone.
pub(super) async fn notice_in(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    o: &ClaimedAlert,
    now: i64,
) -> Result<bool> {
    let key = stable_id(&[UNDELIVERABLE_NOTICE, &o.citizen_id, &o.id]);
    insert(tx, &new_id(), &key, o, UNDELIVERABLE_NOTICE, None, now).await
}
