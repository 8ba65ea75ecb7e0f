//! The probe task: asks the database every second whether it answers, samples its gauges
//! for `/metrics` every few seconds, and e-mails the operator when a trouble that
//! [`crate::health::Health`] recorded begins or ends.

use crate::health::{Notice, Sample, Trouble, PROBE_TIMEOUT};
use crate::notify::Dispatch;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// How often the probe asks the database whether it answers.
const PROBE_EVERY: Duration = Duration::from_secs(1);
/// How often the gauges are sampled from the database.
const SAMPLE_EVERY: Duration = Duration::from_secs(5);

/// Asks the database every second whether it answers (within [`PROBE_TIMEOUT`]), samples
/// its gauges every few seconds, and e-mails the operator each notice.
pub async fn run_probe(dispatch: std::sync::Arc<Dispatch>, stop: CancellationToken) {
    let mut last_sample: Option<Instant> = None;
    loop {
        match tokio::time::timeout(PROBE_TIMEOUT, dispatch.store.ping()).await {
            Ok(Ok(())) => dispatch.health.ok(Trouble::Unreachable),
            Ok(Err(e)) => dispatch.health.failed(Trouble::Unreachable, &e.to_string()),
            Err(_) => dispatch.health.failed(
                Trouble::Unreachable,
                &format!("no answer within {} ms", PROBE_TIMEOUT.as_millis()),
            ),
        }
        if !dispatch.health.is(Trouble::Unreachable)
            && last_sample.is_none_or(|t| t.elapsed() >= SAMPLE_EVERY)
        {
            if let Ok(Ok(s)) =
                tokio::time::timeout(SAMPLE_EVERY, Sample::read(&dispatch.store)).await
            {
                dispatch.health.set_sample(s);
                last_sample = Some(Instant::now());
            }
        }
        for n in dispatch.health.take_notices() {
            tell_operator(&dispatch, &n).await;
        }
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep(PROBE_EVERY) => {}
        }
    }
}

/// E-mails the operator (`watch.operator_email`) that a trouble began or ended.
async fn tell_operator(dispatch: &Dispatch, n: &Notice) {
    if n.trouble == Trouble::Smtp && n.lasted.is_none() {
        return; // it would go through the relay that is failing
    }
    let (subject, body) = match n.lasted {
        None => (
            format!("hlidac: {}", n.trouble.begins()),
            format!(
                "{}.\n\nDetail: {}\n\nReadiness (/readyz) answers 503 while this lasts; the \
                 metric {} is 0. Another e-mail follows when it is over.\n",
                n.trouble.begins(),
                n.detail,
                n.trouble.metric()
            ),
        ),
        Some(lasted) => (
            format!("hlidac: {}", n.trouble.ends()),
            format!(
                "{} after {} s. Waiting alerts go out now.\n",
                n.trouble.ends(),
                lasted.as_secs()
            ),
        ),
    };
    let Some(from) = dispatch
        .config
        .tenants
        .first()
        .map(|t| t.sender.email.clone())
    else {
        return;
    };
    if let Err(e) = crate::notify::email::to_operator(
        &dispatch.config,
        &dispatch.mailer,
        &from,
        &subject,
        &body,
    )
    .await
    {
        tracing::error!(error = %e, "could not e-mail the operator");
    }
}
