//! What the daemon knows of itself without waiting on the database: whether the database
//! answers and takes writes, whether the SMTP relay takes messages, and the last sample of
//! the database's gauges (this file); the metrics' registry ([`metrics`]) and its
//! collector ([`gauges`]); the workers' heartbeats ([`heartbeats`]). Every service
//! reports here, so it depends on nothing but the store.
//!
//! What comes in: outcomes reported by the probe task ([`crate::ops::probe`]), the
//! dispatcher's recorder and its senders. What goes out: readiness, the state behind the
//! gauges, and a notice when a trouble starts and when it ends (one log line each; the
//! probe e-mails the operator).
//! It must never block: every reader gets the last known state at once.

pub mod gauges;
pub mod heartbeats;
pub mod metrics;

pub use heartbeats::Heartbeats;
pub use metrics::Metrics;

use crate::store::{LoginRow, SourceHealth, Store, StoreError};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long one probe or one readiness check may wait for the database.
pub const PROBE_TIMEOUT: Duration = Duration::from_millis(900);
/// Temporary SMTP failures in a row (no success between) that make the relay "failing".
const SMTP_FAILURES: u32 = 3;

/// One kind of trouble an operator must hear about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Trouble {
    /// The database does not answer.
    Unreachable,
    /// The database answers but writes fail (a full disk, a read-only file, lock time-outs).
    Unwritable,
    /// The SMTP relay refuses or drops every message.
    Smtp,
}

impl Trouble {
    pub fn begins(self) -> &'static str {
        match self {
            Trouble::Unreachable => {
                "database unreachable: polls, reminders and sending wait until it answers"
            }
            Trouble::Unwritable => {
                "database writes fail (is the disk full?): nothing is sent until state can be written"
            }
            Trouble::Smtp => "SMTP relay failing: e-mail alerts wait and are retried",
        }
    }

    pub fn ends(self) -> &'static str {
        match self {
            Trouble::Unreachable => "database answers again",
            Trouble::Unwritable => "database writes succeed again",
            Trouble::Smtp => "SMTP relay takes messages again",
        }
    }

    pub fn metric(self) -> &'static str {
        match self {
            Trouble::Unreachable => "hlidac_database_up",
            Trouble::Unwritable => "hlidac_database_writable",
            Trouble::Smtp => "hlidac_smtp_up",
        }
    }
}

/// A trouble that began or ended, for the operator e-mail.
#[derive(Clone, Debug)]
pub struct Notice {
    pub trouble: Trouble,
    /// `None` when it began; how long it lasted when it ended.
    pub lasted: Option<Duration>,
    pub detail: String,
}

#[derive(Debug, Default)]
struct Condition {
    since: Option<Instant>,
    /// Failures in a row (for the SMTP relay, which one refused message does not make
    /// failing).
    failures: u32,
}

/// The database's gauges as last read.
#[derive(Clone, Debug, Default)]
pub struct Sample {
    pub counts: Vec<(String, String, i64)>,
    /// When the oldest alert still waiting became due (Unix ms).
    pub oldest_due: Option<i64>,
    pub logins: Vec<LoginRow>,
    pub sources: Vec<(String, String, SourceHealth)>,
    /// Bounces, soft bounces and complaints received: (tenant, kind, count).
    pub feedback: Vec<(String, String, i64)>,
}

#[derive(Debug, Default)]
pub struct Health {
    conditions: Mutex<[Condition; 3]>,
    notices: Mutex<Vec<Notice>>,
    sample: Mutex<Option<(Instant, Sample)>>,
}

fn slot(t: Trouble) -> usize {
    match t {
        Trouble::Unreachable => 0,
        Trouble::Unwritable => 1,
        Trouble::Smtp => 2,
    }
}

impl Health {
    fn conditions(&self) -> std::sync::MutexGuard<'_, [Condition; 3]> {
        self.conditions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a failure; the first of a run is logged and becomes a notice.
    pub fn failed(&self, trouble: Trouble, detail: &str) {
        let began = {
            let mut c = self.conditions();
            let c = &mut c[slot(trouble)];
            c.failures = c.failures.saturating_add(1);
            let threshold = if trouble == Trouble::Smtp {
                SMTP_FAILURES
            } else {
                1
            };
            if c.since.is_none() && c.failures >= threshold {
                c.since = Some(Instant::now());
                true
            } else {
                false
            }
        };
        if began {
            tracing::warn!(error = %detail, "{}", trouble.begins());
            self.notice(Notice {
                trouble,
                lasted: None,
                detail: detail.to_string(),
            });
        }
    }

    /// Records a success; the end of a run of failures is logged and becomes a notice.
    pub fn ok(&self, trouble: Trouble) {
        let lasted = {
            let mut c = self.conditions();
            let c = &mut c[slot(trouble)];
            c.failures = 0;
            c.since.take().map(|s| s.elapsed())
        };
        if let Some(lasted) = lasted {
            tracing::warn!(
                after_secs = lasted.as_secs(),
                "{} (the trouble is over)",
                trouble.ends()
            );
            self.notice(Notice {
                trouble,
                lasted: Some(lasted),
                detail: String::new(),
            });
        }
    }

    /// A store error from a write: the database is unwritable (when it still answers) or
    /// unreachable.
    pub fn write_failed(&self, e: &StoreError) {
        self.failed(classify(e), &e.to_string());
    }

    /// Whether the trouble is current.
    pub fn is(&self, trouble: Trouble) -> bool {
        self.conditions()[slot(trouble)].since.is_some()
    }

    /// Logs a worker's database error: an error while the database is thought well, a
    /// debug line during a trouble already told.
    pub fn db_error(&self, what: &str, e: &dyn std::fmt::Display) {
        if self.not_ready().is_some() {
            tracing::debug!(error = %e, "{what}");
        } else {
            tracing::error!(error = %e, "{what}");
        }
    }

    /// Why the daemon is not ready to do its work, if it is not.
    pub fn not_ready(&self) -> Option<&'static str> {
        if self.is(Trouble::Unreachable) {
            Some("database unreachable")
        } else if self.is(Trouble::Unwritable) {
            Some("database not writable")
        } else {
            None
        }
    }

    fn notice(&self, n: Notice) {
        self.notices
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(n);
    }

    pub fn take_notices(&self) -> Vec<Notice> {
        std::mem::take(&mut *self.notices.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// Whether an alert is due and has waited longer than `limit`, by the last sample.
    pub fn work_waiting(&self, now_ms: i64, limit: Duration) -> bool {
        let sample = self.sample.lock().unwrap_or_else(|p| p.into_inner());
        sample
            .as_ref()
            .and_then(|(_, s)| s.oldest_due)
            .is_some_and(|t| now_ms - t > limit.as_millis() as i64)
    }

    pub fn set_sample(&self, s: Sample) {
        *self.sample.lock().unwrap_or_else(|p| p.into_inner()) = Some((Instant::now(), s));
    }

    /// The last sample of the database's gauges, and when it was read.
    pub fn sample(&self) -> Option<(Instant, Sample)> {
        self.sample
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

/// Whether a store error means the database is gone or only refuses writes. PostgreSQL
/// going down answers its open connections with an error of its own (SQLSTATE class 57,
/// "operator intervention", or 08, a connection exception): that is the database gone,
/// and the admin API must not wait for it.
pub fn classify(e: &StoreError) -> Trouble {
    match e {
        StoreError::Db(sqlx::Error::Database(db)) => match db.code() {
            Some(code) if code.starts_with("57") || code.starts_with("08") => Trouble::Unreachable,
            _ => Trouble::Unwritable,
        },
        _ => Trouble::Unreachable,
    }
}

impl Sample {
    pub async fn read(store: &Store) -> Result<Sample, StoreError> {
        Ok(Sample {
            counts: store.alert_counts_by_channel().await?,
            oldest_due: store.oldest_pending_due().await?,
            logins: store.login_rows(None, 0, i64::MAX).await?,
            sources: store.list_sources().await?,
            feedback: store.feedback_totals().await?,
        })
    }
}
