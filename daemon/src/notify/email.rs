//! E-mail transports: SMTP (pooled; STARTTLS, implicit TLS or plain for a local relay) and
//! `file`, which writes each message as `<alert id>.eml` for the demo and for testing.

use crate::config::{EmailConfig, SmtpTls};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth trying again later: a 4xx reply, a refused connection, a time-out.
    #[error("temporary failure: {0}")]
    Temporary(String),
    /// Trying again will not help: a 5xx reply.
    #[error("permanent failure: {0}")]
    Permanent(String),
}

#[derive(Clone)]
pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
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
    pub fn from_config(config: &EmailConfig) -> anyhow::Result<Mailer> {
        use anyhow::Context;
        Ok(match config {
            EmailConfig::File(f) => {
                std::fs::create_dir_all(&f.dir)
                    .with_context(|| format!("while creating email.dir {}", f.dir.display()))?;
                Mailer::File(f.dir.clone())
            }
            EmailConfig::Smtp(s) => {
                let builder = match s.tls {
                    SmtpTls::None => {
                        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&s.host)
                    }
                    SmtpTls::Starttls => {
                        AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&s.host)
                            .context("while setting up STARTTLS for email.host")?
                    }
                    SmtpTls::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&s.host)
                        .context("while setting up TLS for email.host")?,
                };
                let mut builder = builder
                    .port(s.effective_port())
                    .timeout(Some(Duration::from_secs(s.timeout_secs)))
                    .pool_config(PoolConfig::new().max_size(s.pool_size));
                if let (Some(user), Some(file)) = (&s.username, &s.password_file) {
                    let password = std::fs::read_to_string(file).with_context(|| {
                        format!("while reading email.password_file {}", file.display())
                    })?;
                    builder = builder
                        .credentials(Credentials::new(user.clone(), password.trim().to_string()));
                }
                Mailer::Smtp(builder.build())
            }
        })
    }

    pub async fn send(&self, message: &Message, alert_id: &str) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(t) => match t.send(message.clone()).await {
                Ok(_) => Ok(()),
                Err(e) => {
                    let detail = describe(&e);
                    if e.is_permanent() {
                        Err(SendError::Permanent(detail))
                    } else {
                        Err(SendError::Temporary(detail))
                    }
                }
            },
            Mailer::File(dir) => {
                let tmp = dir.join(format!(".{alert_id}.eml.tmp"));
                let path = dir.join(format!("{alert_id}.eml"));
                let bytes = message.formatted();
                let write = async {
                    tokio::fs::write(&tmp, &bytes).await?;
                    tokio::fs::rename(&tmp, &path).await
                };
                write.await.map_err(|e| {
                    SendError::Temporary(format!("cannot write {}: {e}", path.display()))
                })
            }
        }
    }
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
