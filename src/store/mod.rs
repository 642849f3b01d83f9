//! Storage over two engines through one `sqlx::AnyPool`: SQLite (WAL) embedded by
//! default, PostgreSQL for scale, picked by the scheme of `DATABASE_URL`.
//!
//! Every query is written once with `$1`-style placeholders, which both engines accept.
//! Columns are portable: text ids, `BIGINT` UTC milliseconds for instants, `BIGINT` 0/1
//! for flags, `TEXT` JSON for nested documents. The few engine differences (connection
//! pragmas, migration files) live in this module.

mod migrate;
mod sql;

pub use migrate::{migrate, MIGRATIONS};
pub use sql::{page, SqlBuf};

use std::str::FromStr;
use std::time::Duration;

use anyhow::Context;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The connection pool and which engine is behind it.
#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    engine: Engine,
}

impl Db {
    /// Connects (creating the SQLite file and its folder when missing) without migrating.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        sqlx::any::install_default_drivers();
        let engine = if url.starts_with("sqlite:") {
            Engine::Sqlite
        } else {
            Engine::Postgres
        };
        let url = match engine {
            Engine::Sqlite => sqlite_url(url)?,
            Engine::Postgres => url.to_string(),
        };
        let options = AnyConnectOptions::from_str(&url).context("invalid DATABASE_URL")?;
        let max = match engine {
            // One writer at a time in SQLite; a few readers in WAL mode are enough.
            Engine::Sqlite => 8,
            Engine::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .acquire_timeout(Duration::from_secs(10))
            .after_connect(move |conn, _meta| {
                Box::pin(async move {
                    if engine == Engine::Sqlite {
                        // Checkpoints run in `checkpoint_loop`, not in whichever
                        // commit crosses the threshold.
                        conn.execute(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                             PRAGMA wal_autocheckpoint = 0;",
                        )
                        .await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .context("cannot connect to the database")?;
        if engine == Engine::Sqlite {
            tokio::spawn(checkpoint_loop(pool.clone()));
        }
        Ok(Db { pool, engine })
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn engine(&self) -> Engine {
        self.engine
    }

    /// The ordered string aggregate: `group_concat` in SQLite, `string_agg` in
    /// PostgreSQL; both take `(expr, separator ORDER BY ...)`.
    pub fn string_agg(&self) -> &'static str {
        match self.engine {
            Engine::Sqlite => "group_concat",
            Engine::Postgres => "string_agg",
        }
    }

    /// True when the database answers a trivial query.
    pub async fn ping(&self) -> bool {
        sqlx::query("SELECT 1").execute(&self.pool).await.is_ok()
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// SQLite: copies the write-ahead log back into the database file twice a second, off
/// the writers' path. A checkpoint syncs the database file to disk; run by SQLite's own
/// automatic checkpoint it would stall whichever commit crossed the threshold, and every
/// request queued behind it. PASSIVE never waits for readers or writers, but under
/// constant writes it never catches up with the end of the log either, and the log
/// only starts over once it has: so when the log passes `RESTART_FRAMES` a RESTART
/// checkpoint briefly holds writers back and lets the next write start the log anew.
/// (Without it, a sustained check-in load grew the log by 75 MB/s.)
async fn checkpoint_loop(pool: AnyPool) {
    const RESTART_FRAMES: i64 = 4096;
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        let passive: sqlx::Result<(i64, i64, i64)> =
            sqlx::query_as("PRAGMA wal_checkpoint(PASSIVE)")
                .fetch_one(&pool)
                .await;
        let result = match passive {
            Ok((_, log, _)) if log >= RESTART_FRAMES => {
                sqlx::query("PRAGMA wal_checkpoint(RESTART)")
                    .execute(&pool)
                    .await
                    .map(|_| ())
            }
            other => other.map(|_| ()),
        };
        if let Err(e) = result {
            if pool.is_closed() {
                return;
            }
            tracing::warn!(error = %e, "WAL checkpoint failed");
        }
    }
}

/// `sqlite://path` with the file created when missing (and its folder made).
fn sqlite_url(url: &str) -> anyhow::Result<String> {
    let rest = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    let path = rest.split('?').next().unwrap_or_default();
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
        }
    }
    Ok(if rest.contains("mode=") {
        format!("sqlite://{rest}")
    } else if rest.contains('?') {
        format!("sqlite://{rest}&mode=rwc")
    } else {
        format!("sqlite://{rest}?mode=rwc")
    })
}

/// True for a unique-constraint violation on either engine.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.kind() == sqlx::error::ErrorKind::UniqueViolation)
}

/// Flags are stored as 0/1 on both engines.
pub fn flag(b: bool) -> i64 {
    i64::from(b)
}
