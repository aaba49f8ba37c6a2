//! Token-bucket request rate limit, keyed by signed-in user or by IP.

use std::time::{Duration, Instant};

use dashmap::DashMap;

use crate::config::RateLimit;

/// Who a bucket belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LimitKey {
    User(String),
    Ip(std::net::IpAddr),
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    refreshed: Instant,
}

/// Buckets of every caller seen recently.
#[derive(Debug)]
pub struct RateLimiter {
    limit: RateLimit,
    buckets: DashMap<LimitKey, Bucket>,
}

impl RateLimiter {
    pub fn new(limit: RateLimit) -> Self {
        Self {
            limit,
            buckets: DashMap::new(),
        }
    }

    /// Takes one token for `key`; `Err(seconds)` says how long to wait when none is left.
    pub fn check(&self, key: LimitKey) -> Result<(), u64> {
        let now = Instant::now();
        let mut bucket = self.buckets.entry(key).or_insert(Bucket {
            tokens: self.limit.burst,
            refreshed: now,
        });
        let elapsed = now.duration_since(bucket.refreshed).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * self.limit.per_second).min(self.limit.burst);
        bucket.refreshed = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            let wait = (1.0 - bucket.tokens) / self.limit.per_second;
            Err(wait.ceil().max(1.0) as u64)
        }
    }

    /// Forgets buckets that have been full for a while, so memory stays bounded.
    pub fn prune(&self) {
        let refill = Duration::from_secs_f64(self.limit.burst / self.limit.per_second);
        let idle = refill + Duration::from_secs(60);
        self.buckets.retain(|_, b| b.refreshed.elapsed() < idle);
    }
}
