//! The login rate limit: `identity.login_rate_per_minute` login requests per client, on
//! `governor`'s GCRA (an allowance of that many at once, refilled evenly over a minute).
//!
//! Time is the daemon's clock (what the caller passes), never going backwards: a test
//! moves it, and a clock set back does not hand out allowances twice.
//!
//! What comes in: the client's address as the trusted proxies name it. An IPv4 client
//! counts by its address, an IPv6 client by its /64 (the block one subscriber usually
//! holds), an IPv4-mapped IPv6 address as the IPv4 address.
//!
//! Memory is bounded: at most `identity.login_rate_clients_max` clients are tracked
//! (a few more while requests race for the last places). Once that many are, a client
//! not tracked yet shares one overflow allowance with every other such client, so a
//! flood from many addresses slows new clients down but never grows the table or
//! takes an allowance from a known client. Once a minute, the first request after it
//! removes the clients whose allowance has been full again for a while
//! (`retain_recent`, shard by shard, never under one lock for the whole table): the table
//! holds the clients of the last two minutes or so.

use dashmap::DashMap;
use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::nanos::Nanos;
use governor::state::keyed::ShrinkableKeyedStateStore;
use governor::state::{InMemoryState, StateStore};
use governor::{Quota, RateLimiter};
use std::net::{IpAddr, Ipv4Addr};
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// How often the table is swept of clients whose allowance is full again.
const SWEEP_EVERY_NS: u64 = 60 * 1_000_000_000;

/// Who an allowance belongs to.
#[derive(Clone, Copy, Debug, Hash, PartialEq, Eq)]
pub enum Client {
    V4(Ipv4Addr),
    /// The first 64 bits of an IPv6 address.
    V6Net(u64),
    /// Every client not tracked while the table is full.
    Overflow,
}

impl Client {
    pub fn of(addr: IpAddr) -> Client {
        match addr.to_canonical() {
            IpAddr::V4(v4) => Client::V4(v4),
            IpAddr::V6(v6) => Client::V6Net((u128::from(v6) >> 64) as u64),
        }
    }
}

/// governor's DashMap store with a cap on its keys: a key not present once the cap is
/// reached is counted as [`Client::Overflow`].
pub struct BoundedStore {
    map: DashMap<Client, InMemoryState>,
    max: usize,
}

impl StateStore for BoundedStore {
    type Key = Client;

    fn measure_and_replace<T, F, E>(&self, key: &Client, f: F) -> Result<T, E>
    where
        F: Fn(Option<Nanos>) -> Result<(T, Nanos), E>,
    {
        let key = if self.map.contains_key(key) || self.map.len() < self.max {
            key
        } else {
            &Client::Overflow
        };
        self.map.measure_and_replace(key, f)
    }
}

impl ShrinkableKeyedStateStore<Client> for BoundedStore {
    fn retain_recent(&self, drop_below: Nanos) {
        ShrinkableKeyedStateStore::retain_recent(&self.map, drop_below)
    }

    fn shrink_to_fit(&self) {
        self.map.shrink_to_fit()
    }

    fn len(&self) -> usize {
        self.map.len()
    }

    fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// governor's clock: the latest time a caller passed, in nanoseconds since the epoch.
#[derive(Clone, Debug, Default)]
pub struct CallerClock(Arc<AtomicU64>);

impl CallerClock {
    /// Moves the clock to `now_ms`, unless it is already past it; returns the time.
    fn advance_to(&self, now_ms: i64) -> u64 {
        let ns = u64::try_from(now_ms).unwrap_or(0).saturating_mul(1_000_000);
        self.0.fetch_max(ns, Ordering::Relaxed).max(ns)
    }
}

impl Clock for CallerClock {
    type Instant = Nanos;

    fn now(&self) -> Nanos {
        Nanos::from(self.0.load(Ordering::Relaxed))
    }
}

/// The login limiter.
pub struct LoginLimiter {
    limiter: RateLimiter<Client, BoundedStore, CallerClock, NoOpMiddleware<Nanos>>,
    clock: CallerClock,
    /// When the next sweep is due (the clock's nanoseconds).
    next_sweep: AtomicU64,
}

impl LoginLimiter {
    pub fn new(per_minute: NonZeroU32, max_clients: usize, now_ms: i64) -> Self {
        let store = BoundedStore {
            map: DashMap::new(),
            max: max_clients.max(1),
        };
        let clock = CallerClock::default();
        let now = clock.advance_to(now_ms);
        LoginLimiter {
            limiter: RateLimiter::new(Quota::per_minute(per_minute), store, clock.clone()),
            clock,
            next_sweep: AtomicU64::new(now.saturating_add(SWEEP_EVERY_NS)),
        }
    }

    /// Counts a login request from `addr` at `now_ms`; false once its allowance is spent.
    pub fn admit(&self, addr: IpAddr, now_ms: i64) -> bool {
        let now = self.clock.advance_to(now_ms);
        self.sweep_when_due(now);
        self.limiter.check_key(&Client::of(addr)).is_ok()
    }

    /// Clients tracked now (the overflow allowance counts as one).
    pub fn tracked(&self) -> usize {
        self.limiter.len()
    }

    /// Once a minute, one caller removes the clients whose allowance is full again.
    fn sweep_when_due(&self, now: u64) {
        let due = self.next_sweep.load(Ordering::Relaxed);
        if now < due {
            return;
        }
        let next = now.saturating_add(SWEEP_EVERY_NS);
        if self
            .next_sweep
            .compare_exchange(due, next, Ordering::Relaxed, Ordering::Relaxed)
            .is_ok()
        {
            self.limiter.retain_recent();
            self.limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A minute boundary, as the daemon's clock gives it.
    const T: i64 = 1_700_000_000_000 / 60_000 * 60_000;

    fn limiter(per_minute: u32, max: usize) -> LoginLimiter {
        LoginLimiter::new(NonZeroU32::new(per_minute).expect("non-zero"), max, T)
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn login_requests_are_limited_per_address_and_minute() {
        let l = limiter(3, 1000);
        let (a, b) = (ip("192.0.2.1"), ip("192.0.2.2"));
        assert!((0..3).all(|_| l.admit(a, T)));
        // The allowance refills evenly: one request every 20 s at 3 a minute.
        assert!(
            !l.admit(a, T + 19_999),
            "the fourth before a third of the minute passed"
        );
        assert!(
            l.admit(b, T + 19_999),
            "another address has its own allowance"
        );
        assert!(l.admit(a, T + 20_000), "a third of the minute refilled one");
        assert!(!l.admit(a, T + 20_000), "and only one");
        assert!(
            (0..3).all(|_| l.admit(a, T + 80_000)),
            "a new minute refilled it all"
        );
        assert!(!l.admit(a, T + 80_000), "but not more than the allowance");
        // A clock set back hands out nothing twice.
        assert!(!l.admit(a, T), "the clock going back refills nothing");
    }

    #[test]
    fn an_ipv6_client_counts_by_its_64_and_mapped_ipv4_as_ipv4() {
        let l = limiter(2, 1000);
        assert!(l.admit(ip("2001:db8:1:2::1"), T));
        assert!(l.admit(ip("2001:db8:1:2:ffff::9"), T));
        assert!(
            !l.admit(ip("2001:db8:1:2::77"), T),
            "one /64 shares an allowance"
        );
        assert!(l.admit(ip("2001:db8:1:3::1"), T), "the next /64 does not");
        assert!(l.admit(ip("192.0.2.2"), T));
        assert!(l.admit(ip("192.0.2.2"), T));
        assert!(!l.admit(ip("::ffff:192.0.2.2"), T), "mapped IPv4 is IPv4");
        assert!(
            l.admit(ip("::ffff:192.0.2.3"), T),
            "and another IPv4 address"
        );
    }

    #[test]
    fn past_the_cap_new_clients_share_one_overflow_allowance() {
        let l = limiter(2, 100);
        for i in 0..99u32 {
            assert!(l.admit(IpAddr::V4(Ipv4Addr::from(0x0a00_0000 + i)), T));
        }
        assert_eq!(l.tracked(), 99);
        // The hundredth client takes the last place; every client after it shares the
        // overflow allowance of two.
        assert!(l.admit(ip("198.51.100.1"), T));
        assert!(l.admit(ip("198.51.100.2"), T));
        assert!(l.admit(ip("2001:db8:9::1"), T));
        assert!(
            !l.admit(ip("198.51.100.3"), T),
            "the overflow allowance is spent"
        );
        assert!(!l.admit(ip("2001:db8:a::1"), T));
        assert_eq!(
            l.tracked(),
            101,
            "the table grew by the overflow entry only"
        );
        // A client tracked before keeps its own allowance.
        assert!(
            l.admit(ip("10.0.0.5"), T),
            "a known client is not in the overflow"
        );
        assert!(
            l.admit(ip("198.51.100.1"), T),
            "nor is the last one admitted"
        );
        // Two minutes later the sweep has dropped every full allowance, and new clients
        // have their own again.
        let later = T + 120_000;
        assert!(l.admit(ip("198.51.100.3"), later));
        assert!(l.tracked() <= 2, "swept: {} left", l.tracked());
        assert!(l.admit(ip("198.51.100.3"), later));
        assert!(
            !l.admit(ip("198.51.100.3"), later),
            "its own allowance of two"
        );
        assert!(l.admit(ip("198.51.100.4"), later));
    }

    #[test]
    fn a_flood_of_addresses_keeps_the_table_at_the_cap() {
        let l = limiter(20, 10_000);
        let started = std::time::Instant::now();
        for i in 0..300_000u32 {
            l.admit(
                IpAddr::V4(Ipv4Addr::from(0x6400_0000 + i)),
                T + i64::from(i),
            );
        }
        assert!(l.tracked() <= 10_001, "{} tracked", l.tracked());
        // The table is never walked per request (a bound loose enough for a busy debug
        // build on a shared machine).
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
    }
}
