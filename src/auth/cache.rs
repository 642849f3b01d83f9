//! A one-second memory of sessions found valid, so a busy client's requests do not
//! each re-read its user and revocations: with it a check-in is one statement, not
//! two (measured: the per-request session query was half of the database's work).
//! Entries are keyed by the whole bearer token, so a token seen valid within the second
//! is not decoded and its signature not checked again; its expiry still is.
//!
//! Every revocation made on this node forgets the affected entries at once. A
//! revocation made through another node applies here within `TTL`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::Session;

const TTL: Duration = Duration::from_secs(1);
const MAX_ENTRIES: usize = 50_000;

#[derive(Default)]
pub struct SessionCache {
    entries: Mutex<HashMap<String, (Session, Instant)>>,
}

impl SessionCache {
    /// The session of this bearer token, if it was confirmed less than `TTL` ago.
    pub fn get(&self, token: &str) -> Option<Session> {
        let map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.get(token)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(s, _)| s.clone())
    }

    pub fn put(&self, token: &str, session: &Session) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if map.len() >= MAX_ENTRIES {
            map.retain(|_, (_, at)| at.elapsed() < TTL);
        }
        map.insert(token.to_string(), (session.clone(), Instant::now()));
    }

    /// Forgets every cached session of a user (role change, deactivation, password).
    pub fn forget_user(&self, user_id: &str) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (s, _)| s.user_id != user_id);
    }

    /// Forgets the cached sessions of one sign-in (logout, refresh reuse).
    pub fn forget_family(&self, family: &str) {
        let mut map = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        map.retain(|_, (s, _)| s.family != family);
    }
}
