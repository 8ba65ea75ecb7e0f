//! The watch service: what polls, pushes and the reminder rules need, and nothing more.
//! [`crate::app::App`] builds it once per configuration.

use crate::clock::Clock;
use crate::config::{Config, TenantConfig};
use crate::crypto::Crypto;
use crate::health::{Health, Heartbeats, Metrics};
use crate::notify::Dispatch;
use crate::store::Store;
use hlidac_adapters::Adapter;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// `ETag`s by (tenant, source), then by page.
type PageTags = HashMap<(String, String), HashMap<String, String>>;

pub struct Watch {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Crypto,
    pub metrics: Arc<Metrics>,
    pub health: Arc<Health>,
    pub heartbeats: Arc<Heartbeats>,
    /// This process among the instances sharing the database (for tick claims).
    pub instance: String,
    /// For the operator's e-mail when a source keeps failing.
    pub dispatch: Arc<Dispatch>,
    /// The built adapter of each polled source, by (tenant, source).
    adapters: HashMap<(String, String), Adapter>,
    /// The `ETag` of each page a full read last committed, by source and page (see
    /// [`super::poll`]).
    etags: Mutex<PageTags>,
}

impl Watch {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        config: Arc<Config>,
        store: Store,
        clock: Arc<dyn Clock>,
        crypto: Crypto,
        metrics: Arc<Metrics>,
        health: Arc<Health>,
        heartbeats: Arc<Heartbeats>,
        instance: String,
        dispatch: Arc<Dispatch>,
        adapters: HashMap<(String, String), Adapter>,
    ) -> Watch {
        Watch {
            config,
            store,
            clock,
            crypto,
            metrics,
            health,
            heartbeats,
            instance,
            dispatch,
            adapters,
            etags: Mutex::default(),
        }
    }

    /// Today in the tenant's time zone, by the injected clock.
    pub fn today(&self, tenant: &TenantConfig) -> chrono::NaiveDate {
        tenant.today(self.clock.now())
    }

    pub fn adapter(&self, tenant: &str, source: &str) -> Option<&Adapter> {
        self.adapters.get(&(tenant.to_string(), source.to_string()))
    }

    /// The `ETag` of a page of a source, as last committed.
    pub fn etag(&self, tenant: &str, source: &str, page: &str) -> Option<String> {
        self.etags
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&(tenant.to_string(), source.to_string()))
            .and_then(|pages| pages.get(page))
            .cloned()
    }

    /// Keeps the `ETag`s of a committed full read of a source, in place of the ones before:
    /// pages that no longer exist (people enrolled or removed) are forgotten.
    pub fn remember_etags(&self, tenant: &str, source: &str, tags: Vec<(String, String)>) {
        self.etags.lock().unwrap_or_else(|p| p.into_inner()).insert(
            (tenant.to_string(), source.to_string()),
            tags.into_iter().collect(),
        );
    }
}
