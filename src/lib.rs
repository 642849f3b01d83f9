//! Rollcall: the attendance backend behind the Rollcall app.
//!
//! Map of the crate:
//! - `app`: shared state, router assembly, `serve`.
//! - `config`: settings from the environment; `shutdown`: the stop signal.
//! - `error`: the one error type and its JSON shape; `extract`: our extractors.
//! - `store`: the pool over SQLite and PostgreSQL, migrations, the query builder.
//! - `auth`, `organizations`, `users`, `audit`: one folder per domain, each with
//!   `routes` (HTTP), `service` (rules), `store` (SQL), `model` (types).
//! - `id`, `time`, `validate`: ObjectId-format ids, the clock and instants, field checks.
//! - `observability`: request ids, logs, metrics; `openapi`: the generated document.

pub mod app;
pub mod audit;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod extract;
pub mod id;
pub mod observability;
pub mod openapi;
pub mod organizations;
pub mod reports;
pub mod shutdown;
pub mod store;
pub mod time;
pub mod users;
pub mod validate;
