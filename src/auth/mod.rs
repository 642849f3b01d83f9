//! Authentication: passwords (argon2id), access tokens (HS256 JWT) and refresh
//! families, the `Session` and `Admin` extractors, and the `/auth` endpoints.

pub mod cache;
pub mod codes;
mod extract;
pub mod password;
pub mod recovery;
mod routes;
pub mod service;
pub mod sessions;
pub mod store;
pub mod tokens;

pub use extract::{bearer, Admin, Session};
pub use routes::*;
pub use tokens::TokenKeys;
