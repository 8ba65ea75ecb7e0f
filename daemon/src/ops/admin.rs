//! Administration shared by the admin API and the CLI: every action checks the caller's
//! role and is written to the audit log, whatever its outcome.

use crate::clock::Clock;
use crate::config::Role;
use crate::crypto::Crypto;
use crate::store::Store;
use crate::store::{AuditEntry, LoginRow, OutboxEntry, ReportRow, StoreError};
use chrono::NaiveDate;

/// Who is acting.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub role: Role,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error("this needs the {0} role")]
    Forbidden(&'static str),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The per-tenant report a municipality owes its working group.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Report {
    pub tenant: String,
    pub name: String,
    pub from: NaiveDate,
    /// Inclusive.
    pub to: NaiveDate,
    pub subscribed_citizens: i64,
    pub alerts_total: i64,
    pub alerts: Vec<ReportRow>,
    /// eID logins by identity provider and outcome.
    pub logins: Vec<LoginRow>,
    /// Reports from the mail system (`hlidac bounce`) by kind: bounce, soft_bounce,
    /// complaint.
    pub mail_feedback: Vec<FeedbackRow>,
}

/// How many reports of one kind came back in the period.
#[derive(Clone, Debug, serde::Serialize)]
pub struct FeedbackRow {
    pub kind: String,
    pub count: i64,
}

impl Report {
    pub fn to_csv(&self) -> String {
        let mut out = String::from("tenant,from,to,kind,channel,state,count\n");
        for r in &self.alerts {
            out.push_str(&format!(
                "{},{},{},{},{},{},{}\n",
                self.tenant, self.from, self.to, r.kind, r.channel, r.state, r.count
            ));
        }
        for l in &self.logins {
            out.push_str(&format!(
                "{},{},{},login,{},{},{}\n",
                self.tenant, self.from, self.to, l.idp, l.outcome, l.count
            ));
        }
        for f in &self.mail_feedback {
            out.push_str(&format!(
                "{},{},{},mail_feedback,,{},{}\n",
                self.tenant, self.from, self.to, f.kind, f.count
            ));
        }
        out.push_str(&format!(
            "{},{},{},subscribed_citizens,,,{}\n",
            self.tenant, self.from, self.to, self.subscribed_citizens
        ));
        out
    }
}

/// The admin operations for one caller, with what they need: the config, the store, the
/// clock and the keys.
pub struct Admin<'a> {
    pub config: &'a crate::config::Config,
    pub store: &'a Store,
    pub clock: &'a dyn Clock,
    pub crypto: &'a Crypto,
    pub caller: Caller,
}

impl Admin<'_> {
    async fn act<T>(
        &self,
        needs: Role,
        action: &str,
        target: &str,
        work: impl std::future::Future<Output = Result<T, AdminError>>,
    ) -> Result<T, AdminError> {
        let result = if self.caller.role >= needs {
            work.await
        } else {
            Err(AdminError::Forbidden(needs.as_str()))
        };
        let outcome = match &result {
            Ok(_) => "ok".to_string(),
            Err(e) => format!("refused: {e}"),
        };
        self.store
            .audit(
                &self.caller.name,
                self.caller.role.as_str(),
                action,
                target,
                &outcome,
                self.clock.now_ms(),
            )
            .await?;
        result
    }

    fn tenant(&self, tenant: &str) -> Result<&crate::config::TenantConfig, AdminError> {
        self.config
            .tenant(tenant)
            .ok_or_else(|| AdminError::NotFound(format!("no tenant {tenant:?}")))
    }

    pub async fn status(&self) -> Result<serde_json::Value, AdminError> {
        self.act(Role::Support, "status", "-", async {
            let mut sources = Vec::new();
            for (t, s, h) in self.store.list_sources().await? {
                sources.push(serde_json::json!({
                    "tenant": t, "source": s, "state": h.state,
                    "paused": self.store.source_paused(&t, &s).await?,
                    "consecutive_failures": h.consecutive_failures,
                    "total_failures": h.total_failures, "total_polls": h.total_polls,
                    "records": h.record_count, "last_success_at": h.last_success_at,
                    "last_error": h.last_error,
                    "held_records": h.held_records, "held": h.held_note,
                }));
            }
            let alerts: serde_json::Map<String, serde_json::Value> = self
                .store
                .alert_counts()
                .await?
                .into_iter()
                .map(|(k, v)| (k, v.into()))
                .collect();
            Ok(serde_json::json!({"sources": sources, "alerts": alerts}))
        })
        .await
    }

    pub async fn set_paused(
        &self,
        tenant: &str,
        source: &str,
        paused: bool,
    ) -> Result<(), AdminError> {
        let action = if paused {
            "source.pause"
        } else {
            "source.resume"
        };
        self.act(
            Role::Operator,
            action,
            &format!("{tenant}/{source}"),
            async {
                if self.store.set_source_paused(tenant, source, paused).await? {
                    Ok(())
                } else {
                    Err(AdminError::NotFound(format!("no source {tenant}/{source}")))
                }
            },
        )
        .await
    }

    pub async fn outbox(
        &self,
        tenant: Option<&str>,
        state: Option<&str>,
        limit: i64,
    ) -> Result<Vec<OutboxEntry>, AdminError> {
        self.act(Role::Support, "outbox.list", tenant.unwrap_or("*"), async {
            Ok(self
                .store
                .outbox_entries(tenant, state, limit.clamp(1, 1000))
                .await?)
        })
        .await
    }

    pub async fn resend(&self, id: &str) -> Result<(), AdminError> {
        self.act(Role::Operator, "outbox.resend", id, async {
            if self.store.resend(id, self.clock.now_ms()).await? {
                Ok(())
            } else {
                Err(AdminError::NotFound(format!(
                    "no dead or failed alert {id}"
                )))
            }
        })
        .await
    }

    /// Stops every alert to an address (on a citizen's request, or after bounces).
    pub async fn suppress(&self, tenant: &str, email: &str) -> Result<u64, AdminError> {
        self.act(Role::Support, "contact.suppress", tenant, async {
            self.tenant(tenant)?;
            let hash = self.crypto.contact_hash("email", email);
            Ok(self
                .store
                .suppress_contact(tenant, &hash, self.clock.now_ms())
                .await?)
        })
        .await
    }

    /// Alerts created between `from` and `to` (inclusive days, tenant's time zone).
    pub async fn report(
        &self,
        tenant: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Report, AdminError> {
        self.act(
            Role::Admin,
            "report",
            &format!("{tenant} {from}..{to}"),
            async {
                let t = self.tenant(tenant)?;
                if to < from {
                    return Err(AdminError::Invalid("`to` is before `from`".into()));
                }
                let start = |d: NaiveDate| {
                    t.midnight_ms(d)
                        .ok_or_else(|| AdminError::Invalid(format!("{d} has no midnight")))
                };
                let next = to
                    .succ_opt()
                    .ok_or_else(|| AdminError::Invalid("date out of range".into()))?;
                let (start_ms, end_ms) = (start(from)?, start(next)?);
                let alerts = self.store.report_rows(tenant, start_ms, end_ms).await?;
                let logins = self
                    .store
                    .login_rows(Some(tenant), start_ms, end_ms)
                    .await?;
                Ok(Report {
                    tenant: t.id.clone(),
                    name: t.name.clone(),
                    from,
                    to,
                    subscribed_citizens: self.store.subscribed_citizens(tenant).await?,
                    alerts_total: alerts.iter().map(|r| r.count).sum(),
                    alerts,
                    logins,
                    mail_feedback: self
                        .store
                        .feedback_counts(tenant, start_ms, end_ms)
                        .await?
                        .into_iter()
                        .map(|(kind, count)| FeedbackRow { kind, count })
                        .collect(),
                })
            },
        )
        .await
    }

    pub async fn audit_log(&self, limit: i64) -> Result<Vec<AuditEntry>, AdminError> {
        self.act(Role::Admin, "audit.list", "-", async {
            Ok(self.store.audit_entries(limit.clamp(1, 10_000)).await?)
        })
        .await
    }
}
