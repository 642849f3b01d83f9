//! Organizations (tenants): the seed's Organization document, its settings
//! (working hours, late threshold, timezone) and its subscription.

pub mod model;
mod routes;
pub mod service;
pub mod store;

pub use model::{AttendanceWindow, Organization, Settings, Subscription, WorkingHours};
pub use routes::*;
