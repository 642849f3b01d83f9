//! Sites: the organization's places of work (a point and a radius). With the
//! `requireGeofence` setting a check-in must fall inside one of them.

pub mod geofence;
pub mod model;
mod routes;
pub mod service;
pub mod store;

pub use model::Site;
pub use routes::*;
