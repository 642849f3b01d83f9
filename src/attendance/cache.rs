//! Organizations' attendance rules, cached for a second. Check-in and check-out read the
//! rules on every punch; a settings change made through this server applies at once
//! (`forget`), one made through another server within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::rules::OrgRules;
use super::service::rules_of;
use crate::error::{AppError, AppResult};
use crate::store::Db;

pub const TTL: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct RulesCache {
    map: Mutex<HashMap<String, (Instant, Arc<OrgRules>)>>,
}

impl RulesCache {
    pub async fn get(&self, db: &Db, org_id: &str) -> AppResult<Arc<OrgRules>> {
        if let Some((at, rules)) = self.lock().get(org_id) {
            if at.elapsed() < TTL {
                return Ok(rules.clone());
            }
        }
        let settings: String =
            sqlx::query_scalar("SELECT settings FROM organizations WHERE id = $1")
                .bind(org_id)
                .fetch_optional(db.pool())
                .await?
                .ok_or(AppError::NotFound("organization"))?;
        let rules = Arc::new(rules_of(&settings));
        self.lock()
            .insert(org_id.to_string(), (Instant::now(), rules.clone()));
        Ok(rules)
    }

    /// Drops an organization's rules after its settings changed.
    pub fn forget(&self, org_id: &str) {
        self.lock().remove(org_id);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Instant, Arc<OrgRules>)>> {
        // A panic while holding this lock cannot leave the map inconsistent.
        self.map.lock().unwrap_or_else(|p| p.into_inner())
    }
}
