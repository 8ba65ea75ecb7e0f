//! The identity providers in use: the SP and the SAML IdPs built from the config (those
//! described by metadata swapped in as their metadata is read and refreshed), the OIDC
//! providers, the login buttons, the per-client login rate limit, and the worker that
//! keeps SAML metadata and OIDC keys fresh.

use super::login::Identity;
use super::oidc::OidcIdp;
use super::saml::{IdpError, SamlIdp, Sp};
use crate::config::{Config, SamlIdpConfig};
use std::net::IpAddr;
use std::sync::{Arc, RwLock};

/// The identity providers and the SP, built from the config.
pub struct Logins {
    pub sp: Option<Sp>,
    saml_configs: Vec<SamlIdpConfig>,
    /// The SAML IdPs ready for use; one described by metadata that could not be read yet
    /// (or whose metadata expired) is missing until a refresh succeeds.
    saml: RwLock<Arc<Vec<SamlIdp>>>,
    pub oidc: Vec<OidcIdp>,
    /// Login requests per client address (see [`super::ratelimit`]).
    limiter: super::ratelimit::LoginLimiter,
    /// Fetches metadata: no redirects, short timeouts.
    http: reqwest::Client,
}

impl Logins {
    /// The SP and the IdPs of `config`. An IdP whose metadata cannot be read now keeps
    /// what `previous` (the running configuration's) had for it, else waits for the next
    /// refresh; the others work.
    pub async fn build(
        config: &Config,
        now_ms: i64,
        previous: Option<&Logins>,
    ) -> anyhow::Result<Logins> {
        let id = &config.identity;
        let sp = match (&id.key_file, &id.cert_file) {
            (Some(k), Some(c)) => {
                let public = config.web.public_url();
                let public = public.trim_end_matches('/');
                Some(Sp {
                    entity_id: id
                        .entity_id
                        .clone()
                        .unwrap_or_else(|| format!("{public}/saml/metadata")),
                    acs_url: format!("{public}/saml/acs"),
                    slo_url: format!("{public}/saml/slo"),
                    keys: super::SpKeys::load(k, c)?,
                    skew_ms: id.clock_skew_secs as i64 * 1000,
                    sp_type: id
                        .saml
                        .first()
                        .map(|i| i.sp_type.clone())
                        .unwrap_or_else(|| "public".into()),
                    metadata_cache: Default::default(),
                })
            }
            _ => None,
        };
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(std::time::Duration::from_secs(5))
            .timeout(std::time::Duration::from_secs(15))
            .build()?;
        let mut oidc = Vec::new();
        for o in &id.oidc {
            let secret = crate::config::read_secret(
                o.client_secret_file.as_deref(),
                &format!("oidc-{}.secret", o.id),
            )?;
            let key_file = o.decryption_key_file.as_ref().or(id.key_file.as_ref());
            let decryption_key = match key_file.filter(|_| o.encrypted_id_token) {
                Some(f) => Some(std::fs::read(f).map_err(|e| {
                    anyhow::anyhow!("identity provider {}: {}: {e}", o.id, f.display())
                })?),
                None => None,
            };
            oidc.push(OidcIdp::new(o, secret, decryption_key).map_err(anyhow::Error::msg)?);
        }
        let logins = Logins {
            sp,
            saml_configs: id.saml.clone(),
            saml: RwLock::new(Arc::new(Vec::new())),
            oidc,
            limiter: super::ratelimit::LoginLimiter::new(
                std::num::NonZeroU32::new(id.login_rate_per_minute)
                    .ok_or_else(|| anyhow::anyhow!("identity.login_rate_per_minute is 0"))?,
                id.login_rate_clients_max,
                now_ms,
            ),
            http,
        };
        for c in &id.saml {
            let Err(e) = logins.load_saml(c, now_ms).await else {
                continue;
            };
            if !c.has_metadata() {
                anyhow::bail!("identity provider {}: {e}", c.id);
            }
            let kept = previous
                .and_then(|p| p.saml_idp(&c.id, now_ms))
                .filter(|old| format!("{:?}", old.config) == format!("{c:?}"));
            match kept {
                Some(old) => {
                    tracing::warn!(idp = %c.id, error = %e, "metadata unreadable; the last good metadata stays in use");
                    logins.put_saml(old);
                }
                None => {
                    tracing::error!(idp = %c.id, error = %e, "identity provider unavailable until its metadata can be read")
                }
            }
        }
        Ok(logins)
    }

    /// The SAML IdPs ready for use at `now_ms` (metadata past its validUntil is not).
    pub fn saml(&self, now_ms: i64) -> Vec<SamlIdp> {
        let list = self.saml.read().unwrap_or_else(|p| p.into_inner()).clone();
        list.iter()
            .filter(|i| i.valid_until_ms.is_none_or(|u| now_ms < u))
            .cloned()
            .collect()
    }

    pub fn saml_idp(&self, id: &str, now_ms: i64) -> Option<SamlIdp> {
        self.saml(now_ms).into_iter().find(|i| i.config.id == id)
    }

    fn put_saml(&self, idp: SamlIdp) {
        let mut slot = self.saml.write().unwrap_or_else(|p| p.into_inner());
        let mut list: Vec<SamlIdp> = slot
            .iter()
            .filter(|i| i.config.id != idp.config.id)
            .cloned()
            .collect();
        list.push(idp);
        *slot = Arc::new(list);
    }

    /// When an IdP's metadata should be read again: its refresh interval, or sooner when
    /// its metadata expires before (five minutes ahead).
    pub fn next_refresh_ms(&self, config: &SamlIdpConfig, now_ms: i64) -> i64 {
        let regular = now_ms + config.metadata_refresh_secs as i64 * 1000;
        let current = self.saml.read().unwrap_or_else(|p| p.into_inner()).clone();
        let expiry = current
            .iter()
            .find(|i| i.config.id == config.id)
            .and_then(|i| i.valid_until_ms)
            .map(|u| (u - 5 * 60 * 1000).max(now_ms + 60_000));
        expiry.map_or(regular, |e| e.min(regular))
    }

    /// Reads an IdP's metadata (when it has any) and puts the IdP in use.
    async fn load_saml(&self, config: &SamlIdpConfig, now_ms: i64) -> Result<(), IdpError> {
        let text = match (&config.metadata_file, &config.metadata_url) {
            (Some(f), _) => {
                Some(
                    std::fs::read_to_string(f).map_err(|error| IdpError::ReadFile {
                        path: f.clone(),
                        error,
                    })?,
                )
            }
            (None, Some(u)) => Some(super::metadata::fetch(&self.http, u).await?),
            (None, None) => None,
        };
        let idp = SamlIdp::assemble(config, text.as_deref(), Some(now_ms))?;
        // No going back to an older document (one that may still list a retired key).
        let current = self.saml.read().unwrap_or_else(|p| p.into_inner()).clone();
        if let Some(old) = current.iter().find(|i| i.config.id == config.id) {
            if let (Some(was), Some(new)) = (old.valid_until_ms, idp.valid_until_ms) {
                if new < was {
                    return Err(IdpError::OlderMetadata);
                }
            }
        }
        self.put_saml(idp);
        Ok(())
    }

    /// Reads an IdP's metadata again. On failure the last good metadata stays in use
    /// until its validUntil; then the IdP is taken out of use. False when it failed.
    pub async fn refresh_saml(&self, config: &SamlIdpConfig, now_ms: i64) -> bool {
        match self.load_saml(config, now_ms).await {
            Ok(()) => {
                tracing::info!(idp = %config.id, "identity provider metadata refreshed");
                true
            }
            Err(e) => {
                let mut slot = self.saml.write().unwrap_or_else(|p| p.into_inner());
                let expired = slot.iter().any(|i| {
                    i.config.id == config.id && i.valid_until_ms.is_some_and(|u| now_ms >= u)
                });
                if expired {
                    let list = slot
                        .iter()
                        .filter(|i| i.config.id != config.id)
                        .cloned()
                        .collect();
                    *slot = Arc::new(list);
                    tracing::error!(idp = %config.id, error = %e, "metadata refresh failed and the last metadata expired: the identity provider is out of use");
                } else {
                    tracing::warn!(idp = %config.id, error = %e, "metadata refresh failed; the last good metadata stays in use");
                }
                false
            }
        }
    }

    /// (id, label) of every configured IdP, for the login page.
    pub fn buttons(&self) -> Vec<(String, String)> {
        self.saml_configs
            .iter()
            .map(|i| (i.id.clone(), i.name.clone()))
            .chain(
                self.oidc
                    .iter()
                    .map(|i| (i.config.id.clone(), i.config.name.clone())),
            )
            .collect()
    }

    /// Whether `idp` is one of the configured SAML IdPs (in use or waiting for metadata).
    pub fn is_saml(&self, idp: &str) -> bool {
        self.saml_configs.iter().any(|c| c.id == idp)
    }

    /// Counts a login request from `addr` at `now_ms`; false once its allowance is spent.
    pub fn admit(&self, addr: IpAddr, now_ms: i64) -> bool {
        self.limiter.admit(addr, now_ms)
    }
}

/// Keeps the metadata of every IdP described by it fresh: each on its own interval, a
/// failed read again after a minute; and the discovery document and keys of every OIDC
/// provider once they are older than its `jwks_refresh_secs`.
pub async fn refresh_metadata(identity: Arc<Identity>, stop: tokio_util::sync::CancellationToken) {
    tokio::join!(
        refresh_saml_metadata(identity.clone(), stop.clone()),
        refresh_oidc_keys(identity, stop)
    );
}

/// Looks every minute whether an OIDC provider's keys are due, and reads them when so.
async fn refresh_oidc_keys(identity: Arc<Identity>, stop: tokio_util::sync::CancellationToken) {
    if identity.logins.oidc.is_empty() {
        return;
    }
    let mut tick = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tick.tick() => {}
        }
        for oidc in &identity.logins.oidc {
            if let Err(e) = oidc.keep_fresh(identity.clock.now_ms()).await {
                tracing::warn!(idp = %oidc.config.id, error = %e, "the OpenID Connect provider could not be read");
            }
        }
    }
}

async fn refresh_saml_metadata(identity: Arc<Identity>, stop: tokio_util::sync::CancellationToken) {
    use tokio::time::{Duration, Instant};
    let configs: Vec<SamlIdpConfig> = identity
        .config
        .identity
        .saml
        .iter()
        .filter(|c| c.has_metadata())
        .cloned()
        .collect();
    if configs.is_empty() {
        return;
    }
    let retry = Duration::from_secs(60);
    let start = Instant::now();
    // A time of the daemon's clock as a tokio instant.
    let after = |from: Instant, now_ms: i64, at_ms: i64| {
        from + Duration::from_millis(at_ms.saturating_sub(now_ms).max(0) as u64)
    };
    let now_ms = identity.clock.now_ms();
    let mut due: Vec<Instant> = configs
        .iter()
        .map(|c| match identity.logins.saml_idp(&c.id, now_ms) {
            Some(_) => after(start, now_ms, identity.logins.next_refresh_ms(c, now_ms)),
            None => start + retry,
        })
        .collect();
    loop {
        let next = due.iter().min().copied().unwrap_or(start + retry);
        tokio::select! {
            _ = stop.cancelled() => return,
            _ = tokio::time::sleep_until(next) => {}
        }
        let now = Instant::now();
        for (c, d) in configs.iter().zip(due.iter_mut()) {
            if *d <= now {
                let now_ms = identity.clock.now_ms();
                *d = if identity.logins.refresh_saml(c, now_ms).await {
                    after(now, now_ms, identity.logins.next_refresh_ms(c, now_ms))
                } else {
                    now + retry
                };
            }
        }
    }
}
