//! Rollcall: the attendance backend behind the Rollcall app.
//!
//! Map of the crate:
//! - `app`: shared state, router assembly, `serve`.
//! - `config`: settings from the environment; `shutdown`: the stop signal.
//! - `error`: the one error type and its JSON shape; `extract`: our extractors.
//! - `store`: the pool over SQLite and PostgreSQL, migrations, the query builder.
//! - `auth`, `organizations`, `users`, `audit`, `attendance`, `sites`, `holidays`,
//!   `corrections`: one folder per domain, each with
//!   `routes` (HTTP), `service` (rules), `store` (SQL), `model` (types).
//! - `jobs`: scheduled work (absence marking, automatic check-out).
//! - `id`, `time`, `validate`: ObjectId-format ids, the clock and instants, field checks.
//! - `observability`: request ids, logs, metrics; `openapi`: the generated document.

pub mod app;
pub mod attendance;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod corrections;
pub mod error;
pub mod extract;
pub mod holidays;
pub mod id;
pub mod jobs;
pub mod notifications;
pub mod notify;
pub mod observability;
pub mod openapi;
pub mod organizations;
pub mod ratelimit;
pub mod realtime;
pub mod reports;
pub mod shutdown;
pub mod sites;
pub mod store;
pub mod time;
pub mod users;
pub mod validate;
