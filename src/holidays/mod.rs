//! Holidays: days the organization is closed. The absence job skips them.

pub mod model;
mod routes;
pub mod service;
pub mod store;

pub use model::Holiday;
pub use routes::*;
