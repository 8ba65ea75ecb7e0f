//! The login stage as the web pages call it: start a login at an IdP, take its answer
//! (SAML ACS or OIDC callback), link the verified identity to the tenant's registry person,
//! and open a session. Every refusal is logged with its reason (never a personal value),
//! counted in the login counts, and leaves no session behind.

use super::oidc::Pending;
use super::saml::{Answer, Outgoing, Refused};
use super::{map_profile, VerifiedIdentity};
use crate::clock::Clock;
use crate::config::{Config, SourceKind};
use crate::crypto::Crypto;
use crate::store::{DocumentIn, LinkIn, NewSession, Store};
use hlidac_adapters::source::{MatchRequest, RegistrySource};
use hlidac_adapters::{Adapter, RegistryPerson};
use std::collections::HashMap;
use std::sync::Arc;

pub use super::idps::{refresh_metadata, Logins};

/// How a login ended badly, for the citizen's page and the login counts.
#[derive(Debug)]
pub enum Failure {
    /// A check failed: the reason goes to the log only.
    Refused(String),
    /// The identity was verified but the registry does not know the person.
    NotLinked(String),
    /// The login's level of assurance is below the municipality's minimum.
    LowLoa,
    /// The IdP answered that it did not log the citizen in (they cancelled, or it failed):
    /// its status codes, by name.
    Declined(String),
    /// Too many attempts from this address.
    TooMany,
    /// No such tenant or identity provider.
    Unknown,
    /// Something on our side (database, registry unreachable).
    Error(String),
}

impl Failure {
    pub fn outcome(&self) -> &'static str {
        match self {
            Failure::Refused(_) => "refused",
            Failure::NotLinked(_) => "not_linked",
            Failure::LowLoa => "low_loa",
            Failure::Declined(_) => "declined",
            Failure::TooMany => "rate_limited",
            Failure::Unknown => "unknown",
            Failure::Error(_) => "error",
        }
    }
}

impl From<crate::store::StoreError> for Failure {
    fn from(e: crate::store::StoreError) -> Self {
        Failure::Error(e.to_string())
    }
}

impl From<Refused> for Failure {
    fn from(r: Refused) -> Self {
        Failure::Refused(r.0)
    }
}

/// A session just opened: the cookie value to set.
pub struct Opened {
    pub tenant: String,
    pub cookie: String,
}

/// What the session keeps sealed: the name shown, and what SLO needs.
#[derive(serde::Serialize, serde::Deserialize, Default)]
pub struct SessionProfile {
    pub name: String,
    pub name_id: Option<String>,
    pub name_id_format: Option<String>,
    pub session_index: Option<String>,
}

impl std::fmt::Debug for Opened {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Opened({}, [session])", self.tenant)
    }
}

/// The login service: eID flows, linking a verified identity to the registry, sessions
/// and logout. It holds only what it needs: the config, the store, the clock, the keys,
/// the identity providers, and the tenants' registry sources.
/// Why the registry could not say who a person is.
#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("the municipality has no registry source")]
    NoRegistry,
    /// The adapter's error may quote the registry's answer, which may quote the identity:
    /// only its kind is kept (`status` for a 400 or 409, `timeout`, …).
    #[error("the registry could not be asked ({0})")]
    Registry(&'static str),
    /// 400 (a malformed request) or 409 (the identifier is known, other attributes
    /// contradict): the protocol's refusals.
    #[error("the registry refused the match (HTTP {0})")]
    Refused(u16),
}

pub struct Identity {
    pub config: Arc<Config>,
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub crypto: Crypto,
    pub logins: Logins,
    /// Each tenant's registry source, by tenant id.
    registries: HashMap<String, Adapter>,
}

impl Identity {
    /// The service for `config`; `adapter` gives the built adapter of a tenant's source.
    pub fn new<'a>(
        config: Arc<Config>,
        store: Store,
        clock: Arc<dyn Clock>,
        crypto: Crypto,
        logins: Logins,
        adapter: impl Fn(&str, &str) -> Option<&'a Adapter>,
    ) -> Identity {
        let registries = config
            .tenants
            .iter()
            .filter_map(|t| {
                let s = t.sources.iter().find(|s| s.serves(SourceKind::Registry))?;
                Some((t.id.clone(), adapter(&t.id, &s.id)?.clone()))
            })
            .collect();
        Identity {
            config,
            store,
            clock,
            crypto,
            logins,
            registries,
        }
    }

    /// Asks the tenant's registry source for the person with this identity (`scheme`,
    /// `identifier` and what else is known), stating the configured purpose and legal
    /// basis: the call of an eID login, and of `hlidac citizen add --match`. `Ok(None)`
    /// when the registry knows nobody (404).
    pub async fn match_person(
        &self,
        tenant: &str,
        identity: serde_json::Map<String, serde_json::Value>,
    ) -> Result<Option<RegistryPerson>, MatchError> {
        let registry = self.registries.get(tenant).ok_or(MatchError::NoRegistry)?;
        let request = MatchRequest {
            purpose: self.config.identity.registry_purpose.clone(),
            legal_basis: self.config.identity.registry_legal_basis.clone(),
            identity: serde_json::Value::Object(identity),
        };
        registry.match_person(&request).await.map_err(|e| match e {
            hlidac_adapters::AdapterError::Status {
                status: status @ (400 | 409),
                ..
            } => MatchError::Refused(status),
            e => MatchError::Registry(e.label()),
        })
    }

    pub fn flow_hash(&self, cookie: &str) -> String {
        self.crypto.hash("login_flow", cookie)
    }

    pub fn session_hash(&self, cookie: &str) -> String {
        self.crypto.hash("session", cookie)
    }

    pub(super) fn name_id_hash(&self, idp: &str, name_id: &str) -> String {
        self.crypto.hash("name_id", &format!("{idp}\0{name_id}"))
    }

    /// The CSRF token of a session: derived from its cookie, so nothing is stored.
    pub fn csrf_token(&self, cookie: &str) -> String {
        self.crypto.hash("csrf", cookie)[..32].to_string()
    }

    /// Starts a login at `idp` for `tenant`: returns the flow cookie and where to send
    /// the browser.
    pub async fn login_start(
        &self,
        tenant: &str,
        idp: &str,
    ) -> Result<(String, Outgoing), Failure> {
        let Some(t) = self.config.tenant(tenant) else {
            return Err(Failure::Unknown);
        };
        let now = self.clock.now_ms();
        let expires = now + self.config.identity.login_timeout_secs as i64 * 1000;
        let cookie = super::random_token(32);
        let flow = self.flow_hash(&cookie);
        if self.logins.is_saml(idp) {
            let saml = self.logins.saml_idp(idp, now).ok_or_else(|| {
                Failure::Error("the identity provider's metadata is not available".into())
            })?;
            let sp = self.logins.sp.as_ref().ok_or(Failure::Unknown)?;
            // Ask for what the municipality will accept, not less.
            let (request_id, out) = sp
                .authn_request(&saml, saml.config.loa.max(t.min_loa), tenant, now)
                .map_err(|e| Failure::Error(e.to_string()))?;
            self.store
                .insert_flow(&flow, tenant, idp, &request_id, None, now, expires)
                .await
                .map_err(|e| Failure::Error(e.to_string()))?;
            return Ok((cookie, out));
        }
        if let Some(oidc) = self.logins.oidc.iter().find(|i| i.config.id == idp) {
            let (url, pending) = oidc
                .start(
                    &self.oidc_redirect_uri(idp),
                    &super::oidc::acr_wanted(&oidc.config, t.min_loa),
                    now,
                )
                .await
                .map_err(|e| Failure::Error(format!("the provider's discovery failed: {e}")))?;
            let state_hash = self.crypto.hash("oidc_state", &pending.state);
            let sealed = self
                .crypto
                .seal(&serde_json::to_string(&pending).map_err(|e| Failure::Error(e.to_string()))?);
            self.store
                .insert_flow(&flow, tenant, idp, &state_hash, Some(&sealed), now, expires)
                .await
                .map_err(|e| Failure::Error(e.to_string()))?;
            return Ok((cookie, Outgoing::Redirect(url)));
        }
        Err(Failure::Unknown)
    }

    pub fn oidc_redirect_uri(&self, idp: &str) -> String {
        format!(
            "{}/oidc/callback/{idp}",
            self.config.web.public_url().trim_end_matches('/')
        )
    }

    /// The SAML ACS: checks the response, the pending request it answers (single use) and
    /// the replay cache, then links and opens a session. Also returns (tenant, IdP) as
    /// far as they are known, for the login counts.
    pub async fn saml_acs(
        &self,
        flow_cookie: Option<&str>,
        saml_response: &str,
    ) -> (Option<(String, String)>, Result<Opened, Failure>) {
        let mut who = None;
        let result = self
            .saml_acs_inner(flow_cookie, saml_response, &mut who)
            .await;
        (who, result)
    }

    async fn saml_acs_inner(
        &self,
        flow_cookie: Option<&str>,
        saml_response: &str,
        who: &mut Option<(String, String)>,
    ) -> Result<Opened, Failure> {
        const REPLAYED: &str = "replayed assertion: its ID was accepted before";
        let now = self.clock.now_ms();
        let sp = self.logins.sp.as_ref().ok_or(Failure::Unknown)?;
        let idps = self.logins.saml(now);
        let assertion = match sp.read_response(&idps, saml_response, now)? {
            Answer::LoggedIn(a) => a,
            Answer::Declined(d) => {
                let tenant = self.flow_of(flow_cookie).await.map(|(t, _)| t);
                *who = Some((tenant.unwrap_or_default(), d.idp));
                return Err(Failure::Declined(d.status));
            }
        };
        *who = Some((String::new(), assertion.idp.clone()));
        let replay_key = self.crypto.hash(
            "assertion",
            &format!("{}\0{}", assertion.idp, assertion.assertion_id),
        );
        if self.store.assertion_seen(&replay_key, now).await? {
            return Err(Failure::Refused(REPLAYED.into()));
        }
        let flow = self
            .take_login_flow(
                flow_cookie,
                &assertion.in_response_to,
                "wrong InResponseTo: the response answers another request",
                now,
                who,
            )
            .await?;
        *who = Some((flow.tenant_id.clone(), assertion.idp.clone()));
        if flow.idp != assertion.idp {
            return Err(Failure::Refused(
                "the response comes from another IdP than the login asked".into(),
            ));
        }
        if !self
            .store
            .remember_assertion(&replay_key, assertion.valid_until_ms)
            .await?
        {
            return Err(Failure::Refused(REPLAYED.into()));
        }
        let idp = idps
            .iter()
            .find(|i| i.config.id == assertion.idp)
            .ok_or(Failure::Unknown)?;
        let identity = map_profile(
            idp.config.profile,
            &idp.config.id,
            &assertion.attributes,
            assertion.loa,
        )
        .map_err(|e| Failure::Refused(e.to_string()))?;
        let profile = SessionProfile {
            name: identity.display_name(),
            name_id: Some(assertion.name_id.clone()),
            name_id_format: assertion.name_id_format.clone(),
            session_index: assertion.session_index.clone(),
        };
        self.link_and_open(&flow.tenant_id, identity, profile).await
    }

    /// The OIDC redirect back: state (single use, bound to the flow cookie), code
    /// exchange, ID token checks, then linking. Also returns (tenant, IdP) when known.
    pub async fn oidc_callback(
        &self,
        idp: &str,
        flow_cookie: Option<&str>,
        params: &HashMap<String, String>,
    ) -> (Option<(String, String)>, Result<Opened, Failure>) {
        let mut who = None;
        let result = self
            .oidc_callback_inner(idp, flow_cookie, params, &mut who)
            .await;
        (who, result)
    }

    async fn oidc_callback_inner(
        &self,
        idp: &str,
        flow_cookie: Option<&str>,
        params: &HashMap<String, String>,
        who: &mut Option<(String, String)>,
    ) -> Result<Opened, Failure> {
        let now = self.clock.now_ms();
        let oidc = self
            .logins
            .oidc
            .iter()
            .find(|i| i.config.id == idp)
            .ok_or(Failure::Unknown)?;
        let state = params
            .get("state")
            .ok_or_else(|| Failure::Refused("missing state".into()))?;
        let flow = self
            .take_login_flow(
                flow_cookie,
                &self.crypto.hash("oidc_state", state),
                "wrong state: the answer belongs to another login",
                now,
                who,
            )
            .await?;
        *who = Some((flow.tenant_id.clone(), idp.to_string()));
        if flow.idp != idp {
            return Err(Failure::Refused(
                "the answer comes from another provider than the login asked".into(),
            ));
        }
        if let Some(error) = params.get("error") {
            let error: String = error
                .chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(64)
                .collect();
            return Err(Failure::Refused(format!(
                "the provider did not log the citizen in ({error})"
            )));
        }
        let code = params
            .get("code")
            .ok_or_else(|| Failure::Refused("no authorization code".into()))?;
        let pending: Pending = flow
            .pending_enc
            .as_deref()
            .and_then(|s| self.crypto.open(s).ok())
            .and_then(|s| serde_json::from_str(&s).ok())
            .ok_or_else(|| Failure::Error("the pending login could not be read".into()))?;
        let skew = self.config.identity.clock_skew_secs as i64 * 1000;
        let claims = oidc
            .finish(code, &self.oidc_redirect_uri(idp), &pending, now, skew)
            .await?;
        let loa = super::oidc::level_of_login(&oidc.config, &claims);
        let mut identity = map_profile(oidc.config.profile, idp, &claims, loa)
            .map_err(|e| Failure::Refused(e.to_string()))?;
        // The level is the provider's `acr` (or what it asserts otherwise), never a claim
        // the profile reads on its own.
        identity.loa = loa;
        let profile = SessionProfile {
            name: identity.display_name(),
            ..Default::default()
        };
        self.link_and_open(&flow.tenant_id, identity, profile).await
    }

    /// The (tenant, IdP) of the login this browser has in progress, without taking it: for
    /// a refusal page in the tenant's language before the answer is checked.
    pub async fn flow_of(&self, flow_cookie: Option<&str>) -> Option<(String, String)> {
        let hash = self.flow_hash(flow_cookie?);
        self.store
            .pending_flow(&hash, self.clock.now_ms())
            .await
            .ok()
            .flatten()
    }

    /// Takes the login this browser started, when the answer is for it (`answering`: its
    /// request id or state hash): single use. An answer to another request leaves the
    /// pending login alone, so a forged link cannot cancel it; it is refused with `wrong`.
    async fn take_login_flow(
        &self,
        flow_cookie: Option<&str>,
        answering: &str,
        wrong: &str,
        now: i64,
        who: &mut Option<(String, String)>,
    ) -> Result<crate::store::FlowRow, Failure> {
        let cookie = flow_cookie.ok_or_else(|| {
            Failure::Refused("no login in progress in this browser (no flow cookie)".into())
        })?;
        let hash = self.flow_hash(cookie);
        if let Some(flow) = self.store.take_flow(&hash, answering, now).await? {
            return Ok(flow);
        }
        match self.store.pending_flow(&hash, now).await? {
            Some(pending) => {
                *who = Some(pending);
                Err(Failure::Refused(wrong.into()))
            }
            None => Err(Failure::Refused(
                "no login in progress for this browser, or it timed out".into(),
            )),
        }
    }

    /// Linking ("ztotožnění"): the tenant's registry resolves the identity to a person
    /// and their documents; the citizen is found or enrolled; a session is opened.
    async fn link_and_open(
        &self,
        tenant: &str,
        identity: VerifiedIdentity,
        profile: SessionProfile,
    ) -> Result<Opened, Failure> {
        let t = self.config.tenant(tenant).ok_or(Failure::Unknown)?;
        let loa = identity
            .loa
            .ok_or_else(|| Failure::Refused("the login states no level of assurance".into()))?;
        if loa < t.min_loa {
            return Err(Failure::LowLoa);
        }
        let person = match self
            .match_person(&t.id, identity.registry_identity.clone())
            .await
        {
            Ok(Some(p)) => p,
            Ok(None) => {
                return Err(Failure::NotLinked(
                    "the registry does not know the person".into(),
                ))
            }
            Err(MatchError::NoRegistry) => {
                return Err(Failure::NotLinked(
                    "the municipality has no registry source".into(),
                ))
            }
            Err(e) => return Err(Failure::Error(e.to_string())),
        };
        let now = self.clock.now_ms();
        let mut contacts = Vec::new();
        if let Some(e) = identity
            .email
            .as_deref()
            .and_then(|e| e.parse::<lettre::Address>().ok())
        {
            contacts.push(self.crypto.seal_contact("email", e.as_ref()));
        }
        if let Some(p) = identity
            .phone
            .as_deref()
            .filter(|p| crate::notify::sms::check_phone(p).is_ok())
        {
            contacts.push(self.crypto.seal_contact("sms", p));
        }
        let documents = person
            .documents
            .iter()
            .map(|d| DocumentIn {
                doc_key: self.crypto.hash(
                    "document",
                    &format!("{}\0{}", d.kind, d.number_masked.as_deref().unwrap_or("")),
                )[..32]
                    .to_string(),
                kind: d.kind.clone(),
                number_enc: d.number_masked.as_deref().map(|n| self.crypto.seal(n)),
                valid_until: d.valid_until.to_string(),
            })
            .collect();
        let subject_hash = self.crypto.hash(
            "subject",
            &format!("{}\0{}", identity.idp, identity.subject),
        );
        let citizen = self
            .store
            .link_citizen(
                &LinkIn {
                    tenant,
                    person_hash: &self.crypto.person_hash(&person.person_ref),
                    person_ref_enc: &self.crypto.seal(&person.person_ref),
                    subject_hash: &subject_hash,
                    locale: &t.locale,
                    contacts,
                    documents,
                },
                now,
            )
            .await
            .map_err(|e| Failure::Error(e.to_string()))?;
        let cookie = super::random_token(32);
        let sealed = self
            .crypto
            .seal(&serde_json::to_string(&profile).map_err(|e| Failure::Error(e.to_string()))?);
        let max = self.config.identity.session_max_secs as i64 * 1000;
        let name_id_hash = profile
            .name_id
            .as_deref()
            .map(|n| self.name_id_hash(&identity.idp, n));
        self.store
            .create_session(&NewSession {
                id_hash: &self.session_hash(&cookie),
                tenant,
                citizen_id: &citizen,
                idp: &identity.idp,
                loa: loa.as_str(),
                profile_enc: &sealed,
                name_id_hash: name_id_hash.as_deref(),
                now,
                expires_at: now + max,
            })
            .await
            .map_err(|e| Failure::Error(e.to_string()))?;
        Ok(Opened {
            tenant: tenant.to_string(),
            cookie,
        })
    }

    /// Records how a login ended: one count in its minute, one log line with the reason.
    pub async fn record_login_outcome(
        &self,
        tenant: &str,
        idp: &str,
        result: &Result<Opened, Failure>,
    ) {
        let outcome = match result {
            Ok(_) => "success",
            Err(f) => f.outcome(),
        };
        match result {
            Ok(_) => tracing::info!(tenant, idp, "login succeeded"),
            Err(Failure::Refused(reason))
            | Err(Failure::NotLinked(reason))
            | Err(Failure::Error(reason)) => {
                tracing::warn!(tenant, idp, outcome, reason = %reason, "login refused")
            }
            Err(Failure::Declined(status)) => tracing::warn!(
                tenant,
                idp,
                outcome = "declined",
                status = %status,
                "login not completed: the identity provider answered with a status"
            ),
            Err(f) => tracing::warn!(tenant, idp, outcome = f.outcome(), "login refused"),
        }
        // Only configured names reach the table and the metrics' labels.
        let tenant = if self.config.tenant(tenant).is_some() {
            tenant
        } else {
            "-"
        };
        let known_idp = self.logins.buttons().iter().any(|(id, _)| id == idp);
        let idp = if known_idp || idp == "saml" { idp } else { "-" };
        if let Err(e) = self
            .store
            .record_login(tenant, idp, outcome, self.clock.now_ms())
            .await
        {
            tracing::error!(error = %e, "could not record a login");
        }
    }
}
