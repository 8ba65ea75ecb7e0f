//! The assembled daemon: config, store, clock, keys, adapters, mailer and templates, with
//! the stage entry points as methods so tests can drive each step directly.

use crate::clock::Clock;
use crate::config::{AdapterConfig, Config, TenantConfig};
use crate::crypto::Crypto;
use crate::health::metrics::Metrics;
use crate::health::Heartbeats;
use crate::notify::limit::TokenBucket;
use crate::notify::{DispatchReport, Mailer, Templates};
use crate::store::{Store, StoreError};
use crate::watch::poll::{PollError, PollOutcome};
use anyhow::Context;
use hlidac_adapters::{file::FileAdapter, http::HttpAdapter, Adapter};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub struct App {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Crypto,
    /// Rendering and sending alerts: templates, the mailer, the SMS gateway, rate limits.
    pub dispatch: Arc<crate::notify::Dispatch>,
    pub metrics: Arc<Metrics>,
    pub heartbeats: Arc<Heartbeats>,
    /// The database's and the SMTP relay's state, kept across reloads.
    pub health: Arc<crate::health::Health>,
    /// This process among the instances sharing the database (for tick claims).
    pub instance: String,
    /// (name, role, SHA-256 of the token) of each admin token.
    admin_tokens: Vec<(String, crate::config::Role, [u8; 32])>,
    /// The shared secret of each push source.
    push_secrets: HashMap<(String, String), Vec<u8>>,
    /// Each tenant's feedback webhook secret (`feedback_secret_file`).
    feedback_secrets: HashMap<String, Vec<u8>>,
    /// Polls, pushes and the reminder rules.
    pub watch: Arc<crate::watch::Watch>,
    /// eID login: the SP, identity providers and the login rate limit.
    pub identity: Arc<crate::identity::login::Identity>,
    /// What a logged-in citizen reads and changes about themselves.
    pub citizens: Arc<crate::citizens::Citizens>,
}

impl App {
    /// Connects and migrates the store, loads keys, builds adapters and the mailer, and
    /// records the configured tenants and sources.
    pub async fn new(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<App> {
        App::build(config, clock, None).await
    }

    /// A new app for a reloaded configuration: what the running one knows of its identity
    /// providers' metadata is kept when the metadata cannot be read now.
    pub async fn reload(
        config: Config,
        clock: Arc<dyn Clock>,
        running: &App,
    ) -> anyhow::Result<App> {
        App::build(config, clock, Some(running)).await
    }

    async fn build(
        config: Config,
        clock: Arc<dyn Clock>,
        running: Option<&App>,
    ) -> anyhow::Result<App> {
        let store = Store::connect(&config.database_url(), config.database.max_connections)
            .await
            .context("while opening the database (database.url)")?;
        store
            .migrate()
            .await
            .context("while migrating the database")?;
        let crypto = load_key(&config)?;
        let mut adapters = HashMap::new();
        let mut push_secrets = HashMap::new();
        let mut feedback_secrets = HashMap::new();
        for t in &config.tenants {
            if let Some(file) = &t.feedback_secret_file {
                let secret = std::fs::read_to_string(file).with_context(|| {
                    format!("while reading feedback_secret_file {}", file.display())
                })?;
                feedback_secrets.insert(t.id.clone(), secret.trim().as_bytes().to_vec());
            }
            for s in &t.sources {
                let key = (t.id.clone(), s.id.clone());
                if let AdapterConfig::Push(p) = &s.adapter {
                    let secret = std::fs::read_to_string(&p.secret_file).with_context(|| {
                        format!("while reading secret_file {}", p.secret_file.display())
                    })?;
                    push_secrets.insert(key, secret.trim().as_bytes().to_vec());
                } else {
                    adapters.insert(key, build_adapter(&s.adapter)?);
                }
            }
        }
        let templates = Templates::load(&config).map_err(|errors| {
            let lines: Vec<String> = errors
                .iter()
                .map(|(key, why)| format!("{key}: {why}"))
                .collect();
            anyhow::anyhow!(
                "the tenants' templates have errors:\n  {}",
                lines.join("\n  ")
            )
        })?;
        let mut dkim = HashMap::new();
        for t in &config.tenants {
            if let Some(d) = crate::notify::email::dkim_config(t).map_err(anyhow::Error::msg)? {
                dkim.insert(t.id.clone(), d);
            }
        }
        let mut admin_tokens = Vec::new();
        for t in &config.admin.token {
            let token = std::fs::read_to_string(&t.token_file).with_context(|| {
                format!("while reading admin token_file {}", t.token_file.display())
            })?;
            admin_tokens.push((t.name.clone(), t.role, digest(token.trim())));
        }
        let logins = crate::identity::login::Logins::build(
            &config,
            clock.now_ms(),
            running.map(|a| &a.identity.logins),
        )
        .await
        .context("while setting up eID login ([identity])")?;
        let health: Arc<crate::health::Health> =
            running.map(|a| a.health.clone()).unwrap_or_default();
        // Counters run on across a reload, as the health does.
        let metrics = match running {
            Some(a) => a.metrics.clone(),
            None => Arc::new(Metrics::new(crate::health::gauges::Gauges::new(
                health.clone(),
                clock.clone(),
            ))),
        };
        let mailer = Mailer::from_config(&config, &metrics).context("while setting up e-mail")?;
        let sms = crate::notify::SmsProviders::from_config(&config, &store, &clock, &metrics)?;
        let limits = crate::notify::Limits {
            sms: config
                .sms
                .as_ref()
                .and_then(|s| s.rate_per_sec)
                .map(TokenBucket::new),
        };
        let now = clock.now_ms();
        for t in &config.tenants {
            store.upsert_tenant(&t.id, &t.name, now).await?;
            for s in &t.sources {
                store.ensure_source(&t.id, &s.id).await?;
            }
        }
        let config = Arc::new(config);
        let identity = Arc::new(crate::identity::login::Identity::new(
            config.clone(),
            store.clone(),
            clock.clone(),
            crypto.clone(),
            logins,
            |t, s| adapters.get(&(t.to_string(), s.to_string())),
        ));
        let heartbeats = Arc::new(Heartbeats::default());
        let instance = format!("{}-{}", std::process::id(), &crate::store::new_id()[..8]);
        let dispatch = Arc::new(crate::notify::Dispatch {
            config: config.clone(),
            store: store.clone(),
            clock: clock.clone(),
            crypto: crypto.clone(),
            mailer,
            sms,
            limits,
            templates,
            metrics: metrics.clone(),
            heartbeats: heartbeats.clone(),
            health: health.clone(),
            instance: instance.clone(),
            dkim,
        });
        let watch = Arc::new(crate::watch::Watch::new(
            config.clone(),
            store.clone(),
            clock.clone(),
            crypto.clone(),
            metrics.clone(),
            health.clone(),
            heartbeats.clone(),
            instance.clone(),
            dispatch.clone(),
            adapters,
        ));
        let citizens = Arc::new(crate::citizens::Citizens {
            config: config.clone(),
            store: store.clone(),
            clock: clock.clone(),
            crypto: crypto.clone(),
            dispatch: dispatch.clone(),
        });
        Ok(App {
            config,
            store,
            clock,
            crypto,
            dispatch,
            metrics,
            heartbeats,
            health,
            instance,
            admin_tokens,
            push_secrets,
            feedback_secrets,
            watch,
            identity,
            citizens,
        })
    }

    /// The admin caller a bearer token belongs to, compared in constant time.
    pub fn admin_caller(&self, token: &str) -> Option<crate::ops::admin::Caller> {
        let given = digest(token);
        let mut found = None;
        for (name, role, want) in &self.admin_tokens {
            if crate::crypto::same(want, &given) {
                found = Some(crate::ops::admin::Caller {
                    name: name.clone(),
                    role: *role,
                });
            }
        }
        found
    }

    /// The shared secret of a push source, if `tenant/source` is one.
    pub fn push_secret(&self, tenant: &str, source: &str) -> Option<&[u8]> {
        self.push_secrets
            .get(&(tenant.to_string(), source.to_string()))
            .map(Vec::as_slice)
    }

    /// The feedback webhook's secret of a tenant, if it has one.
    pub fn feedback_secret(&self, tenant: &str) -> Option<&[u8]> {
        self.feedback_secrets.get(tenant).map(Vec::as_slice)
    }

    /// The keyed hash under which a person reference is stored.
    pub fn person_hash(&self, person_ref: &str) -> String {
        self.crypto.person_hash(person_ref)
    }

    /// Today in the tenant's time zone, by the injected clock.
    pub fn today(&self, tenant: &TenantConfig) -> chrono::NaiveDate {
        tenant.today(self.clock.now())
    }

    pub async fn poll_source(&self, tenant: &str, source: &str) -> Result<PollOutcome, PollError> {
        let t = self
            .config
            .tenant(tenant)
            .ok_or_else(|| PollError::Suspicious(format!("unknown tenant {tenant}")))?;
        let s = t
            .source(source)
            .ok_or_else(|| PollError::Suspicious(format!("unknown source {source}")))?;
        crate::watch::poll::poll_source(&self.watch, t, s).await
    }

    /// Polls every polled source once, in order; failures are recorded on their sources.
    pub async fn poll_all(&self) {
        for t in &self.config.tenants {
            for s in t.sources.iter().filter(|s| !s.is_push()) {
                let _ = crate::watch::poll::poll_source(&self.watch, t, s).await;
            }
        }
    }

    pub async fn evaluate_rules(&self) -> Result<usize, StoreError> {
        crate::watch::rules::evaluate(&self.watch).await
    }

    pub async fn dispatch_pending(&self) -> Result<DispatchReport, StoreError> {
        crate::notify::dispatch_pending(&self.dispatch).await
    }

    /// Lets a citizen follow a document by its registration index and access code
    /// (Bulgarian document tracking) through an http source that serves submissions.
    /// Returns the tracking id.
    pub async fn track(
        &self,
        citizen_id: &str,
        source: &str,
        registration_index: &str,
        access_code: &str,
    ) -> anyhow::Result<String> {
        let tenant = self
            .store
            .citizen_tenant(citizen_id)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no citizen with id {citizen_id}"))?;
        let source_config = self
            .config
            .tenant(&tenant)
            .and_then(|t| t.source(source))
            .ok_or_else(|| anyhow::anyhow!("no source {source:?} in {tenant}"))?;
        anyhow::ensure!(
            matches!(source_config.adapter, AdapterConfig::Http(_))
                && source_config.serves(crate::config::SourceKind::Submissions),
            "{tenant}/{source} is not an http source of submissions, so it cannot track documents"
        );
        let index = registration_index.trim();
        let code = access_code.trim();
        let sane = |v: &str| !v.is_empty() && v.len() <= 100 && !v.chars().any(char::is_control);
        anyhow::ensure!(
            sane(index),
            "the registration index is empty or not plain text"
        );
        anyhow::ensure!(sane(code), "the access code is empty or not plain text");
        Ok(self
            .store
            .track_submission(
                citizen_id,
                &tenant,
                source,
                &self.crypto.hash("registration_index", index),
                &self.crypto.seal(index),
                &self.crypto.seal(code),
                self.clock.now_ms(),
            )
            .await?)
    }

    /// The person reference the tenant's registry gives for an identity an operator typed
    /// (`hlidac citizen add --match scheme=rs-umcn --match identifier=…`): the same call as
    /// an eID login's. Only `scheme`, `identifier`, `given_name`, `family_name` and
    /// `date_of_birth` may be given; the first two must be.
    pub async fn match_person(
        &self,
        tenant: &str,
        pairs: &[(String, String)],
    ) -> anyhow::Result<String> {
        const KEYS: [&str; 5] = [
            "scheme",
            "identifier",
            "given_name",
            "family_name",
            "date_of_birth",
        ];
        let mut identity = serde_json::Map::new();
        for (key, value) in pairs {
            anyhow::ensure!(
                KEYS.contains(&key.as_str()),
                "--match {key}=…: the registry matches on {KEYS:?}"
            );
            let value = value.trim();
            anyhow::ensure!(
                !value.is_empty() && value.len() <= 256 && !value.chars().any(char::is_control),
                "--match {key}=…: the value is empty or not plain text"
            );
            anyhow::ensure!(
                identity.insert(key.clone(), value.into()).is_none(),
                "--match {key}=… is given twice"
            );
        }
        for key in ["scheme", "identifier"] {
            anyhow::ensure!(identity.contains_key(key), "--match {key}=… is missing");
        }
        match self.identity.match_person(tenant, identity).await {
            Ok(Some(person)) => Ok(person.person_ref),
            Ok(None) => anyhow::bail!("the registry of {tenant} does not know this person"),
            Err(e) => Err(e.into()),
        }
    }

    /// Enrols a citizen by person reference: the reference and the address are stored
    /// hashed and sealed. Returns the citizen's id and whether it is new.
    pub async fn enrol(
        &self,
        tenant: &str,
        person_ref: &str,
        email: &str,
        locale: Option<&str>,
    ) -> anyhow::Result<(String, bool)> {
        anyhow::ensure!(
            self.config.tenant(tenant).is_some(),
            "no tenant {tenant:?} in the config"
        );
        anyhow::ensure!(
            !person_ref.trim().is_empty(),
            "the person reference is empty"
        );
        let address: lettre::Address = email
            .parse()
            // Not echoed: in an import with its columns swapped it is a person reference.
            .map_err(|_| anyhow::anyhow!("the e-mail address is not valid"))?;
        if let Some(l) = locale {
            anyhow::ensure!(
                crate::config::SUPPORTED_LOCALES.contains(&l),
                "locale {l:?} has no templates; use one of {:?}",
                crate::config::SUPPORTED_LOCALES
            );
        }
        let address = address.to_string();
        Ok(self
            .store
            .add_citizen(
                tenant,
                &self.person_hash(person_ref),
                &self.crypto.seal(person_ref),
                locale,
                &self.crypto.seal_contact("email", &address),
                self.clock.now_ms(),
            )
            .await?)
    }

    /// Adds a verified SMS number to an enrolled citizen (subscribed to every topic).
    pub async fn add_phone(&self, citizen_id: &str, phone: &str) -> anyhow::Result<()> {
        crate::notify::sms::check_phone(phone).map_err(anyhow::Error::msg)?;
        let added = self
            .store
            .add_contact(
                citizen_id,
                &self.crypto.seal_contact("sms", phone),
                self.clock.now_ms(),
            )
            .await?;
        anyhow::ensure!(added, "no citizen {citizen_id}");
        Ok(())
    }

    /// Sets a citizen's own SMS quiet hours ("HH:MM-HH:MM", or "" for the municipality's)
    /// and whether alerts come at once (`immediate`) or in a `daily` digest.
    pub async fn set_preferences(
        &self,
        citizen_id: &str,
        quiet_hours: Option<&str>,
        delivery: Option<&str>,
    ) -> anyhow::Result<()> {
        if let Some(q) = quiet_hours.filter(|q| !q.is_empty()) {
            anyhow::ensure!(
                crate::notify::schedule::Window::parse(q).is_some(),
                "{q:?} is not a span of local times; write it as HH:MM-HH:MM"
            );
        }
        if let Some(d) = delivery {
            anyhow::ensure!(
                matches!(d, "immediate" | "daily"),
                "delivery is \"immediate\" or \"daily\", not {d:?}"
            );
        }
        let set = self
            .store
            .set_delivery_preferences(citizen_id, quiet_hours, delivery)
            .await?;
        anyhow::ensure!(set, "no citizen {citizen_id}");
        Ok(())
    }
}

fn build_adapter(config: &AdapterConfig) -> anyhow::Result<Adapter> {
    Ok(match config {
        AdapterConfig::File(f) => Adapter::File(FileAdapter::new(&f.path)),
        AdapterConfig::Push(_) => anyhow::bail!("a push source has no adapter to poll"),
        AdapterConfig::Exec(e) => Adapter::Exec(hlidac_adapters::exec::ExecAdapter {
            argv: e.command.clone(),
            timeout: Duration::from_secs(e.timeout_secs),
            memory_limit: e.memory_limit_mb * 1024 * 1024,
            max_page: e.max_page,
        }),
        AdapterConfig::Http(h) => Adapter::Http(
            HttpAdapter::with_tls(
                &h.base_url,
                http_token(h)?,
                Duration::from_secs(h.timeout_secs),
                h.max_page,
                &client_tls(h)?,
            )
            .context("while building an http adapter")?,
        ),
    })
}

/// The bearer token of an http source, read from its `token_file`.
pub fn http_token(h: &crate::config::HttpAdapterConfig) -> anyhow::Result<Option<String>> {
    h.token_file
        .as_deref()
        .map(|p| {
            std::fs::read_to_string(p)
                .map(|t| t.trim().to_string())
                .with_context(|| format!("while reading token_file {}", p.display()))
        })
        .transpose()
}

/// The client certificate and CA of an http source, read from their files.
pub fn client_tls(
    h: &crate::config::HttpAdapterConfig,
) -> anyhow::Result<hlidac_adapters::http::ClientTls> {
    let read = |p: &std::path::Path| {
        std::fs::read(p).with_context(|| format!("while reading {}", p.display()))
    };
    let identity_pem = match (&h.client_cert_file, &h.client_key_file) {
        (Some(cert), Some(key)) => {
            let mut pem = read(cert)?;
            pem.push(b'\n');
            pem.extend(read(key)?);
            Some(pem)
        }
        _ => None,
    };
    Ok(hlidac_adapters::http::ClientTls {
        identity_pem,
        ca_pem: h.ca_file.as_deref().map(read).transpose()?,
    })
}

/// The key file: configured, a systemd credential, or one created in the state directory.
fn load_key(config: &Config) -> anyhow::Result<Crypto> {
    if let Some(path) = &config.secrets.key_file {
        return Ok(Crypto::load(path, false)?);
    }
    if let Some(dir) = std::env::var_os("CREDENTIALS_DIRECTORY") {
        let path = std::path::Path::new(&dir).join("hlidac.key");
        if path.exists() {
            return Ok(Crypto::load(&path, false)?);
        }
    }
    Ok(Crypto::load(&config.state_dir.join("hlidac.key"), true)?)
}

fn digest(text: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    Sha256::digest(text.as_bytes()).into()
}
