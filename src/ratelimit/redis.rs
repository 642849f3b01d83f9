//! Rate-limit counters in Redis, shared by every node: one `INCR` and `PEXPIRE` per
//! hit, on a key per window, so a limit reached through one node holds on all.

use redis::aio::ConnectionManager;

use super::{Limit, RateLimiter};

pub struct RedisLimiter {
    conn: ConnectionManager,
}

impl RedisLimiter {
    pub async fn connect(url: &str) -> anyhow::Result<RedisLimiter> {
        let client = redis::Client::open(url)?;
        let conn = ConnectionManager::new(client).await?;
        Ok(RedisLimiter { conn })
    }
}

#[async_trait::async_trait]
impl RateLimiter for RedisLimiter {
    async fn hit(&self, key: &str, limit: Limit, now_ms: i64) -> Result<(), u64> {
        let window_ms = (limit.window.as_millis() as i64).max(1);
        let start = now_ms - now_ms.rem_euclid(window_ms);
        let redis_key = format!("rollcall:ratelimit:{key}:{start}");
        let mut conn = self.conn.clone();
        let counted: redis::RedisResult<(i64,)> = redis::pipe()
            .atomic()
            .incr(&redis_key, 1)
            .pexpire(&redis_key, window_ms)
            .ignore()
            .query_async(&mut conn)
            .await;
        match counted {
            Ok((n,)) if n > i64::from(limit.hits) => {
                let retry_ms = start + window_ms - now_ms;
                Err(((retry_ms + 999) / 1000).max(1) as u64)
            }
            Ok(_) => Ok(()),
            Err(e) => {
                // Fail open: a Redis outage must not lock every user out; it is logged.
                tracing::error!(error = %e, "rate limiter unavailable; request allowed");
                Ok(())
            }
        }
    }
}
