//! The dispatch service: what the dispatcher, the renderer and the senders need, and
//! nothing more. [`crate::app::App`] builds it once per configuration and hands it out.

use super::limit::TokenBucket;
use super::{Mailer, SmsProviders, Templates};
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::Crypto;
use crate::health::{Health, Heartbeats, Metrics};
use crate::store::Store;
use std::collections::HashMap;
use std::sync::Arc;

/// Token buckets per channel (`None`: no limit); each SMTP relay has its own.
#[derive(Debug, Default)]
pub struct Limits {
    pub sms: Option<TokenBucket>,
}

pub struct Dispatch {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Crypto,
    pub mailer: Mailer,
    /// The SMS providers, when `[sms]` is configured.
    pub sms: Option<SmsProviders>,
    pub limits: Limits,
    pub templates: Templates,
    pub metrics: Arc<Metrics>,
    pub heartbeats: Arc<Heartbeats>,
    /// What the dispatcher learns of the database and the relay.
    pub health: Arc<Health>,
    /// This process, as it appears in claims and leases.
    pub instance: String,
    /// Each tenant's DKIM signing key, by tenant id.
    pub dkim: HashMap<String, lettre::message::dkim::DkimConfig>,
}

impl Dispatch {
    /// The tenant's DKIM signing key, when it has one.
    pub fn dkim(&self, tenant: &str) -> Option<&lettre::message::dkim::DkimConfig> {
        self.dkim.get(tenant)
    }
}
