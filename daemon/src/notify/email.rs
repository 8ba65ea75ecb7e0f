//! E-mail transports: SMTP relays (pooled connections; STARTTLS, implicit TLS or plain
//! for a local relay; several tried in failover order, a relay's own refusal of the
//! login or the sender told apart from a refusal of the message) and `file`, which writes
//! each message as `<alert id>.eml` for the demo and for testing.

use super::failover::{Candidate, Demotions, Failover};
use super::limit::TokenBucket;
use crate::config::{Config, EmailConfig, SmtpConfig, SmtpTls};
use crate::health::Metrics;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a 4xx reply, a refused connection, a time-out.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Trying again will not help: a 5xx reply to the recipient or the message.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// The provider refused for a reason of its own (its authentication, the sender): the
    /// next provider may take the message; with none left, it counts as permanent.
    #[error("refused by the provider: {0}")]
    Provider(String),
    /// Not sent because the dispatcher is stopping: no provider's fault, tried again later.
    #[error("not sent: {0}")]
    Stopped(String),
}

#[derive(Clone)]
pub enum Mailer {
    /// One or more relays, in failover order.
    Smtp(Arc<Failover<SmtpPool>>),
    File(PathBuf),
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Mailer::Smtp(_) => f.write_str("Mailer::Smtp"),
            Mailer::File(p) => write!(f, "Mailer::File({})", p.display()),
        }
    }
}

impl Mailer {
    pub fn from_config(config: &Config, metrics: &Arc<Metrics>) -> anyhow::Result<Mailer> {
        use anyhow::Context;
        Ok(match &config.email {
            EmailConfig::File(f) => {
                std::fs::create_dir_all(&f.dir)
                    .with_context(|| format!("while creating email.dir {}", f.dir.display()))?;
                Mailer::File(f.dir.clone())
            }
            EmailConfig::Smtp(first) => {
                let mut relays = Vec::new();
                for s in first.all_relays() {
                    let credentials = match (&s.username, &s.password_file) {
                        (Some(user), Some(file)) => {
                            let password = std::fs::read_to_string(file).with_context(|| {
                                format!("while reading email.password_file {}", file.display())
                            })?;
                            Some(Credentials::new(user.clone(), password.trim().to_string()))
                        }
                        _ => None,
                    };
                    relays.push(Candidate {
                        name: s.name.clone().unwrap_or_default(),
                        priority: s.priority.unwrap_or(0),
                        weight: s.weight,
                        provider: SmtpPool {
                            bucket: s.rate_per_sec.map(TokenBucket::new),
                            config: s,
                            credentials,
                            hello: ClientId::default(),
                            idle: Mutex::new(Vec::new()),
                        },
                    });
                }
                let d = &config.dispatch;
                let demotions =
                    Demotions::new("email", Duration::from_secs(d.demote_secs), metrics.clone());
                Mailer::Smtp(Arc::new(Failover::new(
                    relays,
                    Arc::new(demotions),
                    Duration::from_millis(d.slow_ms),
                )))
            }
        })
    }

    pub async fn send(&self, message: &Message, alert_id: &str) -> Result<(), SendError> {
        self.send_gated(message, alert_id, None, &[])
            .await
            .map(drop)
    }

    /// Sends a message; with a gate, the end of its data (the moment the server takes
    /// it) waits for a permit, which is handed back with the result: whoever holds it
    /// knows this message may be with the server while its record is not yet written.
    /// `relays`: the tenant's `email_relays` (empty: all, in priority order).
    pub async fn send_gated(
        &self,
        message: &Message,
        alert_id: &str,
        gate: Option<&Arc<Semaphore>>,
        relays: &[String],
    ) -> Result<Option<OwnedSemaphorePermit>, SendError> {
        match self {
            Mailer::Smtp(pools) => pools
                .send(relays, |_| true, |pool, _| pool.send(message, gate))
                .await
                .map(|(permit, _)| permit),
            Mailer::File(dir) => {
                let tmp = dir.join(format!(".{alert_id}.eml.tmp"));
                let path = dir.join(format!("{alert_id}.eml"));
                let bytes = message.formatted();
                let write = async {
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                };
                write.await.map(|()| None).map_err(|e| {
                    SendError::Temporary(format!("cannot write {}: {e}", path.display()))
                })
            }
        }
    }
}

/// E-mails the operator (`watch.operator_email`, when set) from `from`: plain text, sent
/// at once and not through the outbox, since it may tell of the outbox's own trouble.
pub async fn to_operator(
    config: &crate::config::Config,
    mailer: &Mailer,
    from: &str,
    subject: &str,
    body: &str,
) -> Result<(), String> {
    let Some(to) = &config.watch.operator_email else {
        return Ok(());
    };
    let message = Message::builder()
        .from(from.parse().map_err(|_| "bad sender address".to_string())?)
        .to(to
            .parse()
            .map_err(|_| "bad watch.operator_email".to_string())?)
        .subject(subject)
        .header(lettre::message::header::ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(|e| format!("cannot build the message: {e}"))?;
    mailer
        .send(&message, &format!("operator-{}", crate::store::new_id()))
        .await
        .map_err(|e| e.to_string())
}

/// Pooled SMTP connections on lettre's connection layer, over sockets with `TCP_NODELAY`
/// (without it, each message waits for a delayed ACK: tens of milliseconds per alert).
pub struct SmtpPool {
    config: SmtpConfig,
    /// `rate_per_sec` of this relay.
    bucket: Option<TokenBucket>,
    credentials: Option<Credentials>,
    hello: ClientId,
    /// Open connections and when each was last used.
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

/// An idle connection older than this is closed rather than reused.
const MAX_IDLE: Duration = Duration::from_secs(60);

impl SmtpPool {
    fn timeout(&self) -> Duration {
        Duration::from_secs(self.config.timeout_secs)
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let c = &self.config;
        let addr = (c.host.as_str(), c.effective_port());
        let tls = || {
            TlsParameters::new(c.host.clone()).map_err(|e| {
                SendError::Temporary(format!("TLS set-up for email.host: {}", describe(&e)))
            })
        };
        let work = async {
            let mut conn = match c.tls {
                SmtpTls::Tls => AsyncSmtpConnection::connect_tokio1(
                    addr,
                    Some(self.timeout()),
                    &self.hello,
                    Some(tls()?),
                    None,
                )
                .await
                .map_err(|e| SendError::Temporary(describe(&e)))?,
                SmtpTls::None | SmtpTls::Starttls => {
                    let tcp = tokio::net::TcpStream::connect(addr).await.map_err(|e| {
                        SendError::Temporary(format!(
                            "SMTP: cannot connect to {}:{}: {e}",
                            c.host,
                            c.effective_port()
                        ))
                    })?;
                    tcp.set_nodelay(true)
                        .map_err(|e| SendError::Temporary(format!("SMTP: {e}")))?;
                    AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello)
                        .await
                        .map_err(|e| SendError::Temporary(describe(&e)))?
                }
            };
            if c.tls == SmtpTls::Starttls {
                if !conn.can_starttls() {
                    return Err(SendError::Temporary(
                        "the SMTP server does not offer STARTTLS: set email.tls = \"none\" for a local relay, or \"tls\" for implicit TLS".into(),
                    ));
                }
                conn.starttls(tls()?, &self.hello)
                    .await
                    .map_err(|e| SendError::Temporary(describe(&e)))?;
            }
            if let Some(creds) = &self.credentials {
                conn.auth(&[Mechanism::Plain, Mechanism::Login], creds)
                    .await
                    .map_err(|e| {
                        if e.is_permanent() {
                            SendError::Provider(format!(
                                "{}; check email.username and email.password_file",
                                describe(&e)
                            ))
                        } else {
                            SendError::Temporary(describe(&e))
                        }
                    })?;
            }
            Ok(conn)
        };
        match tokio::time::timeout(self.timeout(), work).await {
            Ok(r) => r,
            Err(_) => Err(SendError::Temporary(
                "SMTP: time-out while connecting".into(),
            )),
        }
    }

    fn take_idle(&self) -> Option<AsyncSmtpConnection> {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        while let Some((conn, since)) = idle.pop() {
            if since.elapsed() < MAX_IDLE && !conn.has_broken() {
                return Some(conn);
            }
        }
        None
    }

    fn give_back(&self, conn: AsyncSmtpConnection) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < self.config.pool_size as usize && !conn.has_broken() {
            idle.push((conn, Instant::now()));
        }
    }

    /// Sends one message within twice the time-out (a connection and a send), so that it
    /// always ends within the dispatcher's lease; with the permit, how long the exchange
    /// with the relay took (the rate limit and the in-doubt gate left out).
    async fn send(
        &self,
        message: &Message,
        gate: Option<&Arc<Semaphore>>,
    ) -> Result<(Option<OwnedSemaphorePermit>, Duration), SendError> {
        if let Some(bucket) = &self.bucket {
            bucket.take(1.0).await;
        }
        let started = Instant::now();
        match tokio::time::timeout(self.timeout() * 2, self.send_once(message, gate)).await {
            Ok(Ok((permit, waited))) => Ok((permit, started.elapsed().saturating_sub(waited))),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(SendError::Temporary("SMTP: time-out".into())),
        }
    }

    /// Sends on a pooled or new connection; with the permit, how long it waited at the gate.
    async fn send_once(
        &self,
        message: &Message,
        gate: Option<&Arc<Semaphore>>,
    ) -> Result<(Option<OwnedSemaphorePermit>, Duration), SendError> {
        let envelope = message.envelope().clone();
        let bytes = message.formatted();
        // A pooled connection the server has closed in the meantime fails at once; one more
        // try on a fresh connection tells that apart from a real failure.
        let reused = self.take_idle();
        let was_reused = reused.is_some();
        let mut conn = match reused {
            Some(c) => c,
            None => self.connect().await?,
        };
        let first = tokio::time::timeout(
            self.timeout(),
            transaction(&mut conn, &envelope, &bytes, gate),
        )
        .await;
        let result = match first {
            Ok(Err((e, _))) if was_reused && !e.is_response() => {
                conn.abort().await;
                conn = self.connect().await?;
                tokio::time::timeout(
                    self.timeout(),
                    transaction(&mut conn, &envelope, &bytes, gate),
                )
                .await
            }
            other => other,
        };
        match result {
            Ok(Ok(Gated::Sent(permit, waited))) => {
                self.give_back(conn);
                Ok((permit, waited))
            }
            Ok(Ok(Gated::Closed)) => {
                conn.abort().await;
                Err(SendError::Stopped(
                    "the dispatcher stopped before the end of the message".into(),
                ))
            }
            Ok(Err((e, at_sender))) => {
                let detail = describe(&e);
                if e.is_response() && !conn.has_broken() {
                    // The server refused this message; the connection is still good.
                    self.give_back(conn);
                } else {
                    conn.abort().await;
                }
                if e.is_permanent() && at_sender {
                    // MAIL FROM refused for good (relaying denied): the relay's doing.
                    Err(SendError::Provider(detail))
                } else if e.is_permanent() {
                    Err(SendError::Permanent(detail))
                } else {
                    Err(SendError::Temporary(detail))
                }
            }
            Err(_) => {
                conn.abort().await;
                Err(SendError::Temporary("SMTP: time-out while sending".into()))
            }
        }
    }
}

/// One SMTP transaction, as lettre's `send` does it, except that the message data (whose
/// end makes the server take the message) waits for a permit from `gate`. An error comes
/// with whether it answered MAIL FROM (the relay refusing the sender, not the recipient).
async fn transaction(
    conn: &mut AsyncSmtpConnection,
    envelope: &lettre::address::Envelope,
    email: &[u8],
    gate: Option<&Arc<Semaphore>>,
) -> Result<Gated, (lettre::transport::smtp::Error, bool)> {
    use lettre::transport::smtp::commands::{Data, Mail, Rcpt};
    use lettre::transport::smtp::extension::{Extension, MailBodyParameter, MailParameter};
    let mut options = Vec::new();
    let non_ascii = |a: &lettre::Address| !AsRef::<str>::as_ref(a).is_ascii();
    if envelope.from().is_some_and(non_ascii) || envelope.to().iter().any(non_ascii) {
        options.push(MailParameter::SmtpUtfEight);
    }
    if !email.is_ascii() && conn.server_info().supports_feature(Extension::EightBitMime) {
        options.push(MailParameter::Body(MailBodyParameter::EightBitMime));
    }
    conn.command(Mail::new(envelope.from().cloned(), options))
        .await
        .map_err(|e| (e, true))?;
    let at_message = |e| (e, false);
    for to in envelope.to() {
        conn.command(Rcpt::new(to.clone(), Vec::new()))
            .await
            .map_err(at_message)?;
    }
    conn.command(Data).await.map_err(at_message)?;
    let waiting = Instant::now();
    let permit = match gate {
        Some(g) => match g.clone().acquire_owned().await {
            Ok(p) => Some(p),
            // The dispatcher gave up recording (shutdown while the database is down): the
            // message must not be completed, or it would be in doubt beyond the bound.
            Err(_) => return Ok(Gated::Closed),
        },
        None => None,
    };
    let waited = waiting.elapsed();
    conn.message(email).await.map_err(at_message)?;
    Ok(Gated::Sent(permit, waited))
}

/// How a gated transaction ended without an SMTP error.
enum Gated {
    /// The server took the message; the permit, if gated, comes with it, and how long
    /// the gate kept it waiting.
    Sent(Option<OwnedSemaphorePermit>, Duration),
    /// The gate closed before the end of the data: nothing was delivered.
    Closed,
}

/// Reads a DKIM signing key (PKCS#1 PEM), saying what is wrong otherwise.
pub fn dkim_key(path: &std::path::Path) -> Result<lettre::message::dkim::DkimSigningKey, String> {
    use lettre::message::dkim::{DkimSigningAlgorithm, DkimSigningKey};
    let pem = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    DkimSigningKey::new(&pem, DkimSigningAlgorithm::Rsa)
        .map_err(|_| format!("{} is not an RSA private key in PKCS#1 PEM", path.display()))
}

/// How a tenant's messages are signed: the headers that matter to a reader and to
/// one-click unsubscribe, relaxed canonicalisation (survives relays that re-fold headers).
pub fn dkim_config(
    tenant: &crate::config::TenantConfig,
) -> Result<Option<lettre::message::dkim::DkimConfig>, String> {
    use lettre::message::dkim::{DkimCanonicalization, DkimCanonicalizationType, DkimConfig};
    use lettre::message::header::HeaderName;
    let Some(d) = &tenant.dkim else {
        return Ok(None);
    };
    let domain = match &d.domain {
        Some(domain) => domain.clone(),
        None => tenant.sender_domain().to_string(),
    };
    let headers = [
        "From",
        "To",
        "Subject",
        "Date",
        "Message-ID",
        "List-Unsubscribe",
        "List-Unsubscribe-Post",
    ]
    .into_iter()
    .map(HeaderName::new_from_ascii_str)
    .collect();
    let relaxed = DkimCanonicalization {
        header: DkimCanonicalizationType::Relaxed,
        body: DkimCanonicalizationType::Relaxed,
    };
    Ok(Some(DkimConfig::new(
        d.selector.clone(),
        domain,
        dkim_key(&d.key_file)?,
        headers,
        relaxed,
    )))
}

/// An SMTP error without addresses: the reply code and the kind of failure.
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let kind = if e.is_timeout() {
        "time-out"
    } else if e.is_permanent() {
        "refused permanently"
    } else if e.is_transient() {
        "refused for now"
    } else if e.is_tls() {
        "TLS failure"
    } else {
        "connection failure"
    };
    match e.status() {
        Some(code) => format!("SMTP {code}: {kind}"),
        None => {
            // Connection-level errors carry no personal data; keep their text short.
            let text: String = e.to_string().chars().take(160).collect();
            if text.contains('@') {
                format!("SMTP: {kind}")
            } else {
                format!("SMTP: {kind}: {text}")
            }
        }
    }
}
