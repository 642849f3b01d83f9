//! Users of an organization (seed User): admins, employees and students; their
//! management by admins, self-service profile edits, and bulk import from CSV.

pub mod import;
pub mod model;
mod routes;
pub mod service;
pub mod store;

pub use model::{Role, User};
pub use routes::*;
