//! Integration tests: the real server over HTTP, a fresh database per test, on the
//! engine chosen by `ROLLCALL_TEST_DATABASE` (see `helpers`).

mod attendance;
mod attendance_helpers;
mod audit;
mod auth;
mod bulk_import;
mod helpers;
mod organizations;
mod system;
mod users;
