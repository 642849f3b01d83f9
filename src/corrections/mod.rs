//! Correction requests for forgotten or wrong punches: a user asks for check-in/out
//! times on a day with a reason; an admin approves (the day's record is created or
//! amended, flagged `corrected`, and the change audited with before and after) or rejects.

mod apply;
pub mod model;
mod routes;
pub mod service;
mod store;

pub use model::Correction;
pub use routes::*;
