//! The dispatcher: claims due alerts under a lease, re-checks and renders each one, sends
//! it, and records the attempt. No database transaction is open while a message is sent.
//!
//! Three stages run together: the claimer takes batches and renders them (`render.rs`: one
//! query for their events, one for their recipients), the senders send `dispatch.concurrency`
//! messages at a time, and the recorder commits each group of finished attempts in one
//! transaction as soon as they come in, so the state of every alert is durable moments
//! after its send ends.
//!
//! Delivery is at-least-once: a dispatcher that dies mid-send leaves the alert `sending`
//! until its lease runs out and another takes it; the Message-ID is derived from the
//! alert's id, so a duplicate after a crash is recognisable.

use super::Dispatch;
use crate::health::Trouble;
use crate::notify::render::{prepare_batch, Outgoing};
use crate::notify::SendError;
use crate::store::{AlertState, ClaimedAlert, Finish, Finished, StoreError};
use futures::StreamExt;
use rand::Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tokio::sync::{mpsc, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DispatchReport {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    pub dead: usize,
    pub suppressed: usize,
    pub expired: usize,
    pub would_send: usize,
    /// Waiting for quiet hours to end or for their digest.
    pub deferred: usize,
}

impl DispatchReport {
    fn count(&mut self, finish: &Finish) {
        match finish.state {
            AlertState::Queued if !finish.counts => self.deferred += 1,
            AlertState::Held => self.deferred += 1,
            AlertState::Sent | AlertState::Delivered => self.sent += 1,
            AlertState::Queued => self.retried += 1,
            AlertState::Failed => self.failed += 1,
            AlertState::Dead => self.dead += 1,
            AlertState::Suppressed => self.suppressed += 1,
            AlertState::Expired => self.expired += 1,
            AlertState::WouldSend => self.would_send += 1,
            AlertState::Sending => {}
        }
    }
}

/// Sends every alert due now; for tests and one-shot runs.
pub async fn dispatch_pending(dispatch: &Dispatch) -> Result<DispatchReport, StoreError> {
    dispatch_pending_until(dispatch, &CancellationToken::new()).await
}

enum Done {
    /// With the in-doubt permit its send held, given back once the record is written.
    Finished(Box<Finished>, Option<OwnedSemaphorePermit>),
    /// Claimed but not sent (shutdown, the database failing): give it back as if never
    /// claimed.
    Release(ClaimedAlert),
    /// Its lease was taken back by another dispatcher: nothing to record.
    Lost,
    End,
}

/// Sends alerts due now until none are left or `stop` is cancelled; a message being sent
/// when `stop` fires is finished, the rest of the claimed ones are released.
///
/// When the database fails, the round ends with the error, but only after everything it
/// claimed is recorded or released: the recorder retries until the database takes it (or
/// shortly after `stop`), and while it cannot write, no new message is started and no
/// end of data is sent beyond the in-doubt bound.
pub async fn dispatch_pending_until(
    dispatch: &Dispatch,
    stop: &CancellationToken,
) -> Result<DispatchReport, StoreError> {
    let cfg = &dispatch.config.dispatch;
    let now = dispatch.clock.now_ms();
    dispatch.store.requeue_expired_leases(now).await?;
    dispatch.store.gather_digests(now).await?;
    let lease_ms = (cfg.lease_secs as i64) * 1000;
    let (work_tx, mut work_rx) = mpsc::channel::<(ClaimedAlert, Outgoing)>(cfg.batch_size as usize);
    let (done_tx, mut done_rx) = mpsc::unbounded_channel::<Done>();
    // Set while the recorder cannot write: claim nothing more, start no send.
    let blocked = AtomicBool::new(false);

    let claim = async {
        let result: Result<(), StoreError> = async {
            while !stop.is_cancelled() && !blocked.load(Ordering::Acquire) {
                let lease_until = dispatch.clock.now_ms() + lease_ms;
                let batch = tokio::select! {
                    biased;
                    _ = stop.cancelled() => break,
                    b = dispatch.store.claim_due(now, lease_until, cfg.batch_size) => b?,
                };
                let full = batch.len() as u32 == cfg.batch_size;
                let prepared = match prepare_batch(dispatch, batch.clone()).await {
                    Ok(p) => p,
                    Err(e) => {
                        for alert in batch {
                            let _ = done_tx.send(Done::Release(alert));
                        }
                        return Err(e);
                    }
                };
                for (alert, prepared) in prepared {
                    match prepared {
                        Ok(out) => {
                            if let Err(mpsc::error::SendError((alert, _))) =
                                work_tx.send((alert, out)).await
                            {
                                let _ = done_tx.send(Done::Release(alert));
                            }
                        }
                        Err(finish) => {
                            let _ = done_tx.send(Done::Finished(
                                Box::new(Finished {
                                    alert,
                                    finish,
                                    started_at: dispatch.clock.now_ms(),
                                }),
                                None,
                            ));
                        }
                    }
                }
                if !full {
                    break;
                }
            }
            Ok(())
        }
        .await;
        drop(work_tx);
        result
    };

    let in_doubt = Arc::new(Semaphore::new(cfg.in_doubt() as usize));
    let send = async {
        let jobs = futures::stream::poll_fn(|cx| work_rx.poll_recv(cx));
        jobs.for_each_concurrent(cfg.concurrency as usize, |(alert, out)| {
            let done_tx = &done_tx;
            let in_doubt = &in_doubt;
            let blocked = &blocked;
            async move {
                if stop.is_cancelled() || blocked.load(Ordering::Acquire) {
                    let _ = done_tx.send(Done::Release(alert));
                    return;
                }
                let _ = done_tx.send(send_one(dispatch, alert, out, in_doubt).await);
            }
        })
        .await;
    };

    let record = async {
        let mut report = DispatchReport::default();
        let mut open = true;
        while open {
            let Some(first) = done_rx.recv().await else {
                break;
            };
            let mut finished = Vec::new();
            let mut released = Vec::new();
            let mut permits = Vec::new();
            let mut next = Some(first);
            while let Some(item) = next.take() {
                match item {
                    Done::Finished(f, permit) => {
                        finished.push(*f);
                        permits.extend(permit);
                    }
                    Done::Release(a) => released.push(a),
                    Done::Lost => {}
                    Done::End => open = false,
                }
                if finished.len() + released.len() < 1000 {
                    next = done_rx.try_recv().ok();
                }
            }
            for f in &finished {
                report.count(&f.finish);
                if matches!(f.finish.state, AlertState::Dead | AlertState::Failed) {
                    tracing::warn!(alert = %f.alert.id, tenant = %f.alert.tenant_id,
                        kind = %f.alert.kind, channel = %f.alert.channel,
                        state = f.finish.state.as_str(), detail = ?f.finish.detail,
                        "alert not delivered");
                }
            }
            if let Err(e) = write_until_done(dispatch, stop, &blocked, &finished, &released).await {
                // Given up at shutdown: whatever waits at the gate must not complete its
                // message now, or more would be in doubt than the bound allows.
                in_doubt.close();
                return Err(e);
            }
            // Written: these messages are no longer in doubt.
            drop(permits);
        }
        Ok::<_, StoreError>(report)
    };

    let produce = async {
        let (claimed, ()) = tokio::join!(claim, send);
        let _ = done_tx.send(Done::End);
        claimed
    };
    let (claimed, recorded) = tokio::join!(produce, record);
    let report = recorded?;
    claimed?;
    Ok(report)
}

/// Records finished attempts and gives back unsent claims, retrying with backoff while the
/// database refuses; `blocked` is set meanwhile. After `stop` it tries a few more times,
/// then gives up (what it held is in doubt or comes back when its lease runs out).
async fn write_until_done(
    dispatch: &Dispatch,
    stop: &CancellationToken,
    blocked: &AtomicBool,
    finished: &[Finished],
    released: &[ClaimedAlert],
) -> Result<(), StoreError> {
    let mut wait = std::time::Duration::from_millis(50);
    let mut tries_after_stop = 0;
    // What is written is not written again (its attempt rows would be doubled).
    let (mut finished, mut released) = (finished, released);
    loop {
        // After `stop`, each try is bounded, so that shutdown keeps its grace period.
        let limit = if stop.is_cancelled() {
            std::time::Duration::from_secs(1)
        } else {
            std::time::Duration::MAX
        };
        let written = async {
            if !finished.is_empty() {
                dispatch
                    .store
                    .finish_alerts(finished, dispatch.clock.now_ms())
                    .await?;
                finished = &[];
            }
            if !released.is_empty() {
                dispatch.store.release(released).await?;
                released = &[];
            }
            Ok::<_, StoreError>(())
        };
        let written = match tokio::time::timeout(limit, written).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Db(sqlx::Error::PoolTimedOut)),
        };
        match written {
            Ok(()) => {
                dispatch.health.ok(Trouble::Unwritable);
                blocked.store(false, Ordering::Release);
                dispatch.heartbeats.dispatcher();
                return Ok(());
            }
            Err(e) => {
                dispatch.health.write_failed(&e);
                blocked.store(true, Ordering::Release);
                if stop.is_cancelled() {
                    tries_after_stop += 1;
                    if tries_after_stop > 2 {
                        tracing::error!(error = %e, finished = finished.len(),
                            released = released.len(),
                            "stopping with attempts unrecorded: their alerts go out again after their lease");
                        return Err(e);
                    }
                }
                // Waiting on the database is not a wedged dispatcher: readiness tells it.
                dispatch.heartbeats.dispatcher();
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(std::time::Duration::from_secs(2));
            }
        }
    }
}

/// Sends one rendered alert. It is released unsent when its lease was lost (another
/// dispatcher has it) or cannot be renewed; the in-doubt permit, if the send took one,
/// comes back with the result.
async fn send_one(
    dispatch: &Dispatch,
    mut alert: ClaimedAlert,
    out: Outgoing,
    in_doubt: &Arc<Semaphore>,
) -> Done {
    let lease_ms = (dispatch.config.dispatch.lease_secs as i64) * 1000;
    let started = dispatch.clock.now_ms();
    if alert.lease_until - started < lease_ms / 2 {
        let until = started + lease_ms;
        match dispatch.store.renew_lease(&alert, until).await {
            Ok(true) => alert.lease_until = until,
            Ok(false) => {
                tracing::warn!(alert = %alert.id, "lease ran out before sending; another dispatcher has it");
                return Done::Lost;
            }
            Err(e) => {
                tracing::warn!(alert = %alert.id, "lease not renewed: {e}");
                return Done::Release(alert);
            }
        }
    }
    let timer = std::time::Instant::now();
    let mut permit = None;
    let finish = match out {
        Outgoing::Email(message) => {
            let relays = dispatch
                .config
                .tenant(&alert.tenant_id)
                .map(|t| t.email_relays.as_slice())
                .unwrap_or_default();
            let sent = dispatch
                .mailer
                .send_gated(&message, &alert.id, Some(in_doubt), relays)
                .await;
            match &sent {
                Ok(_) | Err(SendError::Permanent(_) | SendError::Provider(_)) => {
                    dispatch.health.ok(Trouble::Smtp)
                }
                // A send cut short while the database fails says nothing of the relay.
                Err(SendError::Temporary(d)) if dispatch.health.not_ready().is_none() => {
                    dispatch.health.failed(Trouble::Smtp, d)
                }
                Err(SendError::Temporary(_) | SendError::Stopped(_)) => {}
            }
            match sent {
                Ok(p) => {
                    permit = p;
                    Finish::new(AlertState::Sent, None)
                }
                Err(SendError::Permanent(d) | SendError::Provider(d)) => {
                    Finish::new(AlertState::Dead, d)
                }
                Err(SendError::Temporary(d) | SendError::Stopped(d)) => retry(dispatch, &alert, d),
            }
        }
        Outgoing::Sms { from, to, text } => match &dispatch.sms {
            None => Finish::new(
                AlertState::Dead,
                "no SMS provider is configured ([sms])".to_string(),
            ),
            Some(sms) => {
                let parts = crate::notify::sms::plan(&text).parts as i64;
                if let Some(bucket) = &dispatch.limits.sms {
                    bucket.take(parts as f64).await;
                }
                permit = match in_doubt.clone().acquire_owned().await {
                    Ok(p) => Some(p),
                    // The recorder gave up (shutdown): submit nothing more.
                    Err(_) => return Done::Release(alert),
                };
                let providers = dispatch
                    .config
                    .tenant(&alert.tenant_id)
                    .map(|t| t.sms_providers.as_slice())
                    .unwrap_or_default();
                match sms.send(providers, &alert.id, &from, &to, &text).await {
                    Ok(sent) => Finish {
                        parts: Some(parts),
                        refs: sent
                            .ids
                            .into_iter()
                            .map(|id| (sent.provider.clone(), id))
                            .collect(),
                        ..Finish::new(AlertState::Sent, None)
                    },
                    Err(SendError::Permanent(d) | SendError::Provider(d)) => Finish {
                        parts: Some(parts),
                        ..Finish::new(AlertState::Dead, d)
                    },
                    Err(SendError::Temporary(d) | SendError::Stopped(d)) => {
                        retry(dispatch, &alert, d)
                    }
                }
            }
        },
    };
    let mut finish = finish;
    finish.fallback = finish.state == AlertState::Dead
        && alert.channel == "email"
        && alert.kind != crate::store::DIGEST
        && dispatch
            .config
            .tenant(&alert.tenant_id)
            .is_some_and(|t| t.falls_back(&alert.kind));
    let due_for = (finish.state == AlertState::Sent).then(|| {
        std::time::Duration::from_millis((dispatch.clock.now_ms() - alert.due_at).max(0) as u64)
    });
    dispatch.metrics.alert_finished(
        &alert.channel,
        finish.state.as_str(),
        timer.elapsed(),
        due_for,
    );
    Done::Finished(
        Box::new(Finished {
            alert,
            finish,
            started_at: started,
        }),
        permit,
    )
}

/// Schedules another attempt with exponential backoff and jitter, or dead-letters.
fn retry(dispatch: &Dispatch, alert: &ClaimedAlert, detail: String) -> Finish {
    let cfg = &dispatch.config.dispatch;
    if alert.attempts >= i64::from(cfg.max_attempts) {
        return Finish::new(
            AlertState::Dead,
            format!("{detail} (after {} attempts)", alert.attempts),
        );
    }
    let exp = (alert.attempts.max(1) - 1).min(30) as u32;
    let base = cfg
        .backoff_initial_secs
        .saturating_mul(2u64.saturating_pow(exp))
        .min(cfg.backoff_max_secs) as f64;
    let jittered = base * rand::thread_rng().gen_range(0.8..=1.2);
    Finish {
        next_attempt_at: Some(dispatch.clock.now_ms() + (jittered * 1000.0) as i64),
        ..Finish::new(AlertState::Queued, detail)
    }
}
