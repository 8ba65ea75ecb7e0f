//! Token buckets: at most so many messages a second to a provider, with a burst of one
//! second's worth. A message that finds the bucket empty reserves the next token and
//! waits for it, so waiting senders go in turn.

use std::sync::Mutex;
use std::time::{Duration, Instant};

#[derive(Debug)]
pub struct TokenBucket {
    rate: f64,
    burst: f64,
    /// Tokens left (negative: reserved ahead) as of the instant.
    state: Mutex<(f64, Instant)>,
}

impl TokenBucket {
    pub fn new(rate_per_sec: f64) -> TokenBucket {
        let burst = rate_per_sec.max(1.0);
        TokenBucket {
            rate: rate_per_sec,
            burst,
            state: Mutex::new((burst, Instant::now())),
        }
    }

    /// Takes `n` tokens at `now`; returns how long to wait before using them.
    pub fn take_at(&self, n: f64, now: Instant) -> Duration {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (tokens, since) = *state;
        let refilled = (tokens + now.saturating_duration_since(since).as_secs_f64() * self.rate)
            .min(self.burst);
        let left = refilled - n;
        *state = (left, now.max(since));
        if left >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-left / self.rate)
        }
    }

    pub async fn take(&self, n: f64) {
        let wait = self.take_at(n, Instant::now());
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_token_per_interval_in_turn() {
        let bucket = TokenBucket::new(10.0);
        let t0 = Instant::now();
        // A full bucket: ten at once.
        for _ in 0..10 {
            assert_eq!(bucket.take_at(1.0, t0), Duration::ZERO);
        }
        // Then each waits 100 ms longer than the one before it.
        let waits: Vec<u128> = (0..3)
            .map(|_| bucket.take_at(1.0, t0).as_millis())
            .collect();
        assert_eq!(waits, vec![100, 200, 300]);
        // 200 ms later two of the three reservations are paid: the next waits 200 ms.
        let later = t0 + Duration::from_millis(200);
        assert_eq!(bucket.take_at(1.0, later).as_millis(), 200);
        // A three-part SMS takes three tokens.
        let far = t0 + Duration::from_secs(60);
        assert_eq!(bucket.take_at(3.0, far), Duration::ZERO);
        assert_eq!(bucket.take_at(8.0, far).as_millis(), 100);
    }
}
