//! Rate limits against brute force: fixed windows counted per key (a client IP, an
//! account, a phone number). One small interface, so the in-memory counter used by
//! a single node can be swapped for a shared one when several nodes run.

mod redis;

pub use self::redis::RedisLimiter;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::error::AppError;

/// How many hits a key may make per window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limit {
    pub hits: u32,
    pub window: Duration,
}

impl Limit {
    pub const fn new(hits: u32, window_secs: u64) -> Limit {
        Limit {
            hits,
            window: Duration::from_secs(window_secs),
        }
    }
}

/// Counts hits; `Err(seconds)` says how long until the key may try again.
#[async_trait::async_trait]
pub trait RateLimiter: Send + Sync {
    async fn hit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<(), u64>;
}

/// Counters in this process's memory: right for one node.
#[derive(Default)]
pub struct MemoryLimiter {
    windows: Mutex<HashMap<String, (i64, u32)>>,
}

#[async_trait::async_trait]
impl RateLimiter for MemoryLimiter {
    async fn hit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<(), u64> {
        let window_ms = limit.window.as_millis() as i64;
        let start = now_ms - now_ms.rem_euclid(window_ms.max(1));
        let mut map = self.windows.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() > 100_000 {
            // Forget windows that have ended, so the map cannot grow without bound.
            map.retain(|_, (s, _)| *s + window_ms > now_ms);
        }
        let entry = map.entry(key.to_string()).or_insert((start, 0));
        if entry.0 != start {
            *entry = (start, 0);
        }
        entry.1 += 1;
        if entry.1 > limit.hits {
            let retry_ms = start + window_ms - now_ms;
            return Err(((retry_ms + 999) / 1000).max(1) as u64);
        }
        Ok(())
    }
}

/// Checks every `(key, limit)` pair, all of them counted; the first refusal wins.
pub async fn check(
    limiter: &dyn RateLimiter,
    now_ms: i64,
    keys: &[(String, Limit)],
) -> Result<(), AppError> {
    let mut refused: Option<u64> = None;
    for (key, limit) in keys {
        if let Err(retry) = limiter.hit(key, *limit, now_ms).await {
            refused = Some(refused.map_or(retry, |r| r.max(retry)));
        }
    }
    match refused {
        Some(retry_after_secs) => Err(AppError::RateLimited { retry_after_secs }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_key_is_refused_past_its_limit_until_the_window_ends() {
        let l = MemoryLimiter::default();
        let limit = Limit::new(3, 60);
        let t0 = 1_800_000_000_000i64;
        for _ in 0..3 {
            assert!(l.hit("ip:1", limit, t0).await.is_ok());
        }
        let retry = l.hit("ip:1", limit, t0).await.unwrap_err();
        assert!((1..=60).contains(&retry));
        assert!(
            l.hit("ip:2", limit, t0).await.is_ok(),
            "keys are counted apart"
        );
        assert!(
            l.hit("ip:1", limit, t0 + 60_000).await.is_ok(),
            "a new window starts afresh"
        );
    }
}
