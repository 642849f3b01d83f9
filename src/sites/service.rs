//! Rules for sites: validation of the point and radius; admins manage, members read.

use super::geofence;
use super::model::{Site, SiteRequest, SiteRow};
use super::store;
use crate::app::AppState;
use crate::error::{AppError, AppResult, FieldError};
use crate::validate::{self, Errors};

pub async fn list(state: &AppState, org_id: &str) -> AppResult<Vec<Site>> {
    Ok(store::list(&state.db, org_id)
        .await?
        .into_iter()
        .map(Site::from)
        .collect())
}

pub async fn get(state: &AppState, org_id: &str, id: &str) -> AppResult<Site> {
    store::get(&state.db, org_id, id)
        .await?
        .map(Site::from)
        .ok_or(AppError::NotFound("site"))
}

/// Merges `req` into `base` (a new site when `None`) and validates the result.
fn merge(base: Option<SiteRow>, req: SiteRequest, id: String, now_ms: i64) -> AppResult<SiteRow> {
    let mut errors = Errors::default();
    let name = match (&req.name, &base) {
        (Some(n), _) => errors.take(validate::name("name", n, 200)),
        (None, Some(b)) => Some(b.name.clone()),
        (None, None) => errors.take(Err(FieldError::new("name", "is required"))),
    };
    let address = match (&req.address, &base) {
        (Some(a), _) => errors
            .take(validate::optional_text("address", Some(a), 500))
            .flatten(),
        (None, Some(b)) => b.address.clone(),
        (None, None) => None,
    };
    let latitude = errors.take(geofence::latitude(
        "latitude",
        req.latitude.or(base.as_ref().map(|b| b.latitude)),
    ));
    let longitude = errors.take(geofence::longitude(
        "longitude",
        req.longitude.or(base.as_ref().map(|b| b.longitude)),
    ));
    let radius = match req.radius_meters.or(base.as_ref().map(|b| b.radius_meters)) {
        Some(r) if r.is_finite() && (1.0..=100_000.0).contains(&r) => Some(r),
        Some(_) => errors.take(Err(FieldError::new(
            "radiusMeters",
            "must be from 1 to 100000 meters",
        ))),
        None => errors.take(Err(FieldError::new("radiusMeters", "is required"))),
    };
    errors.finish()?;
    Ok(SiteRow {
        organization_id: String::new(),
        created_at: base.as_ref().map(|b| b.created_at).unwrap_or(now_ms),
        id,
        name: name.unwrap_or_default(),
        address,
        latitude: latitude.unwrap_or_default(),
        longitude: longitude.unwrap_or_default(),
        radius_meters: radius.unwrap_or_default(),
        updated_at: now_ms,
    })
}

pub async fn create(state: &AppState, org_id: &str, req: SiteRequest) -> AppResult<Site> {
    let now = state.clock.now();
    let id = crate::id::new_id_at(now.timestamp());
    let row = merge(None, req, id.clone(), now.timestamp_millis())?;
    store::upsert(&state.db, org_id, &row, true).await?;
    get(state, org_id, &id).await
}

pub async fn update(state: &AppState, org_id: &str, id: &str, req: SiteRequest) -> AppResult<Site> {
    let base = store::get(&state.db, org_id, id)
        .await?
        .ok_or(AppError::NotFound("site"))?;
    let now_ms = state.clock.now().timestamp_millis();
    let row = merge(Some(base), req, id.to_string(), now_ms)?;
    if !store::upsert(&state.db, org_id, &row, false).await? {
        return Err(AppError::NotFound("site"));
    }
    get(state, org_id, id).await
}

pub async fn delete(state: &AppState, org_id: &str, id: &str) -> AppResult<()> {
    if store::delete(&state.db, org_id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("site"))
    }
}

/// The nearest of `sites` to a point, with its distance in meters.
pub fn nearest(sites: &[Site], lat: f64, lon: f64) -> Option<(&Site, f64)> {
    sites
        .iter()
        .map(|s| (s, geofence::distance_m(lat, lon, s.latitude, s.longitude)))
        .min_by(|a, b| a.1.total_cmp(&b.1))
}
