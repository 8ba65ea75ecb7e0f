//! The SMS providers of an instance: each an SMPP link or an HTTP gateway, sent through in
//! failover order ([`super::failover`]).

use super::failover::{Candidate, Demotions, Failover};
use super::smpp::{Named, SmppClient};
use super::sms_http::HttpGateway;
use super::SendError;
use crate::clock::Clock;
use crate::config::Config;
use crate::health::Metrics;
use crate::store::Store;
use std::sync::Arc;
use std::time::Duration;

/// One provider: an SMPP link or an HTTP gateway.
#[derive(Clone)]
pub enum SmsSender {
    Smpp(Arc<SmppClient>),
    Http(Arc<HttpGateway>),
}

impl SmsSender {
    /// Whether a message would go out at once (an SMPP link bound and quick).
    fn ready(&self) -> bool {
        match self {
            SmsSender::Smpp(c) => c.is_ready(),
            SmsSender::Http(_) => true,
        }
    }

    /// Sends one text; the part ids, and how long the gateway took to answer (zero for
    /// SMPP, whose link's speed its enquire_link measures). `last`: no other provider is
    /// left to try, so an SMPP link that answers slowly is used all the same.
    async fn send(
        &self,
        alert_id: &str,
        sender: &str,
        to: &str,
        text: &str,
        last: bool,
    ) -> Result<(Vec<String>, Duration), SendError> {
        match self {
            SmsSender::Smpp(c) => Ok((
                c.send(alert_id, sender, to, text, !last).await?,
                Duration::ZERO,
            )),
            SmsSender::Http(g) => {
                let started = std::time::Instant::now();
                let ids = g.send(alert_id, sender, to, text).await?;
                Ok((ids, started.elapsed()))
            }
        }
    }
}

/// Every SMS provider of `[sms]`.
pub struct SmsProviders(Failover<SmsSender>);

/// What a provider answered for one text: its name and its id for each part.
pub struct Submitted {
    pub provider: String,
    pub ids: Vec<String>,
}

impl SmsProviders {
    /// The providers of `config.sms`, none started yet; `None` without `[sms]`.
    pub fn from_config(
        config: &Config,
        store: &Store,
        clock: &Arc<dyn Clock>,
        metrics: &Arc<Metrics>,
    ) -> anyhow::Result<Option<SmsProviders>> {
        let Some(sms) = &config.sms else {
            return Ok(None);
        };
        let d = &config.dispatch;
        let demotions = Arc::new(Demotions::new(
            "sms",
            Duration::from_secs(d.demote_secs),
            metrics.clone(),
        ));
        let slow = Duration::from_millis(d.slow_ms);
        let all = sms.all_providers();
        let several = all.len() > 1;
        let mut candidates = Vec::new();
        for p in all {
            let provider = match (&p.smpp, &p.http) {
                (Some(smpp), _) => {
                    let named = Named {
                        name: p.name.clone(),
                        demotions: several.then(|| demotions.clone()),
                        slow,
                    };
                    SmsSender::Smpp(Arc::new(SmppClient::new(
                        smpp,
                        named,
                        store.clone(),
                        clock.clone(),
                    )?))
                }
                (None, Some(http)) => SmsSender::Http(Arc::new(HttpGateway::new(http)?)),
                (None, None) => anyhow::bail!("sms provider {:?} needs smpp or http", p.name),
            };
            candidates.push(Candidate {
                name: p.name,
                priority: p.priority.unwrap_or(0),
                weight: p.weight,
                provider,
            });
        }
        Ok(Some(SmsProviders(Failover::new(
            candidates, demotions, slow,
        ))))
    }

    /// Binds every SMPP link, so that receipts for earlier messages come in.
    pub fn start(&self) {
        for c in self.0.providers() {
            if let SmsSender::Smpp(smpp) = &c.provider {
                smpp.start();
            }
        }
    }

    /// Sends one text through the first provider that takes it (`only`: the tenant's
    /// `sms_providers`, empty for all).
    pub async fn send(
        &self,
        only: &[String],
        alert_id: &str,
        sender: &str,
        to: &str,
        text: &str,
    ) -> Result<Submitted, SendError> {
        let (ids, provider) = self
            .0
            .send(only, SmsSender::ready, |p, last| {
                p.send(alert_id, sender, to, text, last)
            })
            .await?;
        Ok(Submitted {
            provider: provider.to_string(),
            ids,
        })
    }
}
