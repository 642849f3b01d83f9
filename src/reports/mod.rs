//! Reports for admins: daily, weekly, monthly and custom periods in the
//! organization's timezone, analytics, and exports as CSV, PDF and XLSX.

pub mod csv;
pub mod pdf;
pub mod xlsx;
