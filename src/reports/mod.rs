//! Reports for admins: daily, weekly, monthly and custom periods in the
//! organization's timezone, analytics, and exports as CSV, PDF and XLSX.

pub mod analytics;
pub mod csv;
pub mod documents;
pub mod export;
pub mod letters;
pub mod model;
pub mod pdf;
pub mod period;
pub mod records;
mod routes;
pub mod service;
pub mod store;
pub mod xlsx;
pub use routes::*;
