//! Provider failover: the SMS providers or SMTP relays of one channel, tried in priority
//! order (equal priorities share the messages by weight). One that fails, or answers more
//! slowly than `dispatch.slow_ms`, is demoted for `dispatch.demote_secs`: passed over
//! while another works, tried again after. Every demotion is logged and counted
//! (`hlidac_provider_demotions_total`).
//!
//! A temporary failure sends the same message on through the next provider at once; a
//! permanent refusal (a bad number, a 5xx for the recipient) is the message's, not the
//! provider's, and ends the attempt.

use super::SendError;
use crate::health::Metrics;
use rand::Rng;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// One provider and where it stands in the order.
pub struct Candidate<T> {
    pub name: String,
    pub priority: u32,
    pub weight: u32,
    pub provider: T,
}

/// Which providers of a channel are demoted, and until when.
pub struct Demotions {
    channel: &'static str,
    demote_for: Duration,
    until: Mutex<HashMap<String, Instant>>,
    metrics: Arc<Metrics>,
}

impl Demotions {
    pub fn new(channel: &'static str, demote_for: Duration, metrics: Arc<Metrics>) -> Demotions {
        Demotions {
            channel,
            demote_for,
            until: Mutex::new(HashMap::new()),
            metrics,
        }
    }

    /// Demotes `name` (again) for the configured time; logged and counted when it was
    /// not demoted already.
    pub fn demote(&self, name: &str, why: &str) {
        let now = Instant::now();
        let was = {
            let mut until = self.until.lock().unwrap_or_else(|p| p.into_inner());
            let was = until.get(name).is_some_and(|u| *u > now);
            until.insert(name.to_string(), now + self.demote_for);
            was
        };
        if !was {
            tracing::warn!(channel = self.channel, provider = %name, reason = %why,
                demote_secs = self.demote_for.as_secs(), "provider demoted");
            self.metrics.provider_demoted(self.channel, name);
        }
    }

    /// When `name`'s demotion ends, while it lasts; one that has ended is forgotten (and
    /// logged as back).
    pub fn demoted_until(&self, name: &str) -> Option<Instant> {
        let mut until = self.until.lock().unwrap_or_else(|p| p.into_inner());
        match until.get(name) {
            Some(u) if *u > Instant::now() => Some(*u),
            Some(_) => {
                until.remove(name);
                drop(until);
                tracing::info!(channel = self.channel, provider = %name, "provider tried again after its demotion");
                None
            }
            None => None,
        }
    }
}

/// The providers of one channel.
pub struct Failover<T> {
    candidates: Vec<Candidate<T>>,
    pub demotions: Arc<Demotions>,
    slow: Duration,
}

impl<T> Failover<T> {
    pub fn new(candidates: Vec<Candidate<T>>, demotions: Arc<Demotions>, slow: Duration) -> Self {
        Failover {
            candidates,
            demotions,
            slow,
        }
    }

    pub fn providers(&self) -> impl Iterator<Item = &Candidate<T>> {
        self.candidates.iter()
    }

    /// The order to try them in for one message: those not demoted first (ready ones
    /// before the rest, then by priority, equal priorities shuffled by weight), then the
    /// demoted, soonest back first. `only`: a tenant's choice of names, in its order
    /// (empty: all, by priority).
    pub fn order(&self, only: &[String], ready: impl Fn(&T) -> bool) -> Vec<&Candidate<T>> {
        let mut rng = rand::thread_rng();
        let mut keyed: Vec<_> = self
            .candidates
            .iter()
            .filter_map(|c| {
                let priority = if only.is_empty() {
                    c.priority
                } else {
                    only.iter().position(|n| *n == c.name)? as u32
                };
                let demoted = self.demotions.demoted_until(&c.name);
                // A weighted shuffle: lower keys first, more weight → lower keys.
                let draw: f64 = rng.gen_range(f64::EPSILON..1.0);
                let shuffle = -draw.ln() / f64::from(c.weight.max(1));
                let shuffle = if c.weight == 0 { f64::MAX } else { shuffle };
                Some(((demoted, !ready(&c.provider), priority, shuffle), c))
            })
            .collect();
        keyed.sort_by(|(a, _), (b, _)| {
            (a.0.is_some(), a.0, a.1, a.2)
                .cmp(&(b.0.is_some(), b.0, b.1, b.2))
                .then(a.3.total_cmp(&b.3))
        });
        keyed.into_iter().map(|(_, c)| c).collect()
    }

    /// Sends through the first provider that takes the message, in [`Self::order`];
    /// returns what it answered and its name. `send` gets the provider and whether it is
    /// the last one to try, and answers with how long the exchange with the provider took
    /// (its own waits left out: a rate limit, the in-doubt gate), or zero when it watches
    /// its speed itself. A provider that fails for now, refuses for reasons of its own or
    /// answers slowly is demoted (when there is another to use).
    pub async fn send<'a, R, F, Fut>(
        &'a self,
        only: &[String],
        ready: impl Fn(&T) -> bool,
        send: F,
    ) -> Result<(R, &'a str), SendError>
    where
        F: Fn(&'a T, bool) -> Fut,
        Fut: Future<Output = Result<(R, Duration), SendError>>,
    {
        let several = self.candidates.len() > 1;
        let order = self.order(only, ready);
        let count = order.len();
        let mut last = None;
        for (i, c) in order.into_iter().enumerate() {
            match send(&c.provider, i + 1 == count).await {
                Ok((r, took)) => {
                    if several && took > self.slow {
                        self.demotions
                            .demote(&c.name, &format!("answered in {} ms", took.as_millis()));
                    }
                    return Ok((r, &c.name));
                }
                Err(e @ (SendError::Temporary(_) | SendError::Provider(_))) => {
                    if several {
                        self.demotions.demote(&c.name, &e.to_string());
                    }
                    last = Some(e);
                }
                // The message's own refusal, or shutdown: no other provider is tried.
                Err(e) => return Err(e),
            }
        }
        Err(match last {
            // No provider would take it for reasons of their own: that lasts.
            Some(SendError::Provider(d)) => SendError::Permanent(d),
            Some(e) => e,
            None => SendError::Temporary("no provider to send through".into()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failover(names: &[(&str, u32, u32)]) -> Failover<String> {
        let metrics = Arc::new(Metrics::new(crate::health::gauges::Gauges::detached()));
        Failover::new(
            names
                .iter()
                .map(|(n, p, w)| Candidate {
                    name: n.to_string(),
                    priority: *p,
                    weight: *w,
                    provider: n.to_string(),
                })
                .collect(),
            Arc::new(Demotions::new("sms", Duration::from_secs(60), metrics)),
            Duration::from_secs(5),
        )
    }

    fn names(f: &Failover<String>, only: &[String]) -> Vec<String> {
        f.order(only, |_| true)
            .into_iter()
            .map(|c| c.name.clone())
            .collect()
    }

    #[test]
    fn priority_then_demotion_then_the_tenants_choice() {
        let f = failover(&[("a", 0, 1), ("b", 1, 1), ("c", 2, 1)]);
        assert_eq!(names(&f, &[]), ["a", "b", "c"]);
        f.demotions.demote("a", "refused the bind");
        assert_eq!(names(&f, &[]), ["b", "c", "a"]);
        f.demotions.demote("b", "time-out");
        // Both demoted: the one back sooner (a) comes first of them.
        assert_eq!(names(&f, &[]), ["c", "a", "b"]);
        let only = ["b".to_string(), "c".to_string()];
        assert_eq!(names(&f, &only), ["c", "b"]);
        // Not ready (an SMPP link not bound yet) comes after the ready ones.
        let order: Vec<_> = f
            .order(&[], |p| p != "c")
            .into_iter()
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(order, ["c", "a", "b"]);
    }

    #[test]
    fn equal_priorities_share_by_weight() {
        let f = failover(&[("a", 0, 3), ("b", 0, 1)]);
        let first_a = (0..4000).filter(|_| names(&f, &[])[0] == "a").count();
        // Weight 3 to 1: a comes first about 3 times in 4.
        assert!((2700..3300).contains(&first_a), "{first_a}");
    }

    #[tokio::test]
    async fn a_temporary_failure_goes_on_to_the_next_and_demotes() {
        let f = failover(&[("a", 0, 1), ("b", 1, 1)]);
        let sent = f
            .send(
                &[],
                |_| true,
                |p: &String, _| {
                    let p = p.clone();
                    async move {
                        if p == "a" {
                            Err(SendError::Temporary("not bound".into()))
                        } else {
                            Ok((p, Duration::ZERO))
                        }
                    }
                },
            )
            .await
            .expect("b takes it");
        assert_eq!(sent, ("b".to_string(), "b"));
        assert!(f.demotions.demoted_until("a").is_some());
        assert!(f.demotions.demoted_until("b").is_none());
        // A permanent refusal is the message's: not passed on, nobody demoted.
        let refused = f
            .send(
                &[],
                |_| true,
                |_: &String, _| async {
                    Err::<((), Duration), _>(SendError::Permanent("bad number".into()))
                },
            )
            .await;
        assert!(matches!(refused, Err(SendError::Permanent(_))));
        assert!(f.demotions.demoted_until("b").is_none());
        // Refused by every provider for reasons of their own (a wrong password): each is
        // demoted and tried, and then it counts as permanent.
        let f = failover(&[("a", 0, 1), ("b", 1, 1)]);
        let tried = std::sync::atomic::AtomicUsize::new(0);
        let refused = f
            .send(
                &[],
                |_| true,
                |_: &String, _| {
                    tried.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    async { Err::<((), Duration), _>(SendError::Provider("535 auth".into())) }
                },
            )
            .await;
        assert!(matches!(refused, Err(SendError::Permanent(_))));
        assert_eq!(tried.load(std::sync::atomic::Ordering::Relaxed), 2);
        assert!(f.demotions.demoted_until("a").is_some());
    }
}
