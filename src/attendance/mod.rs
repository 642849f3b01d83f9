//! Attendance: check-in and check-out with the organization's rules (lateness, window,
//! geofence, early leaving), idempotent retries, and reading records, today's board and
//! statistics. `service::check_in`/`check_out` are the one place the rules run; REST
//! and the realtime door both call them.

pub mod cache;
mod checks;
pub mod idempotency;
pub mod model;
mod reading;
mod routes;
pub mod rules;
pub mod service;
pub mod store;
mod writer;

pub use cache::RulesCache;
pub use model::{Attendance, CheckInRequest, CheckOutRequest, Location, LocationInput, Status};
pub use routes::*;
pub use writer::PunchWriter;
