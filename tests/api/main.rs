//! Integration tests: the real server over HTTP, a fresh database per test, on the
//! engine chosen by `ROLLCALL_TEST_DATABASE` (see `helpers`).

mod attendance;
mod attendance_batch;
mod attendance_helpers;
mod attendance_jobs;
mod attendance_reading;
mod attendance_settings;
mod audit;
mod auth;
mod auth_security;
mod bulk_import;
mod corrections;
mod helpers;
mod multinode;
mod organizations;
mod realtime;
mod realtime_guards;
mod reports;
mod sinks;
mod sites_holidays;
mod system;
mod users;
