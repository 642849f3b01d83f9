//! Checks a punch must pass before the rules run: a valid location and notes, the
//! attendance window, and the geofence (which site the location matches).

use super::model::{Location, LocationInput};
use super::rules::OrgRules;
use crate::app::AppState;
use crate::error::{AppError, AppResult, FieldError};
use crate::organizations::Settings;
use crate::sites::{geofence, service as sites};
use crate::validate::{self, Errors};

/// A location from the client, validated; `None` (with the error recorded) when invalid.
pub fn check_location(
    field: &str,
    input: Option<&LocationInput>,
    errors: &mut Errors,
) -> Option<Location> {
    let Some(l) = input else {
        errors.push(FieldError::new(field, "is required"));
        return None;
    };
    let latitude = errors.take(geofence::latitude(&format!("{field}.latitude"), l.latitude));
    let longitude = errors.take(geofence::longitude(
        &format!("{field}.longitude"),
        l.longitude,
    ));
    let address = errors.take(validate::optional_text(
        &format!("{field}.address"),
        l.address.as_deref(),
        500,
    ));
    let accuracy = match l.accuracy {
        Some(a) if !(a.is_finite() && a >= 0.0) => {
            errors.push(FieldError::new(
                format!("{field}.accuracy"),
                "must be a number of meters, 0 or more",
            ));
            None
        }
        a => a,
    };
    Some(Location {
        latitude: latitude?,
        longitude: longitude?,
        address: address?,
        accuracy,
    })
}

pub fn notes(raw: Option<&str>, errors: &mut Errors) -> Option<String> {
    errors
        .take(validate::optional_text("notes", raw, 1000))
        .flatten()
}

pub fn rules_of(settings_json: &str) -> OrgRules {
    // Settings are validated on write; defaults cover rows written before a setting existed.
    let settings: Settings = serde_json::from_str(settings_json).unwrap_or_default();
    OrgRules::from_settings(&settings)
}

pub fn outside_window(rules: &OrgRules) -> AppError {
    let (start, end) = rules.window.unwrap_or_default();
    AppError::Unprocessable(
        "outside_attendance_window",
        format!(
            "check-in is open from {} to {} local time",
            start.format("%H:%M"),
            end.format("%H:%M")
        ),
    )
}

/// The site a check-in matches. With `enforce`, a location outside every candidate
/// site's fence is refused, naming the distance to the nearest one.
pub async fn match_site(
    state: &AppState,
    org_id: &str,
    loc: &Location,
    site_id: Option<&str>,
    enforce: bool,
) -> AppResult<Option<String>> {
    let mut candidates = sites::list(state, org_id).await?;
    if let Some(id) = site_id {
        candidates.retain(|s| s.id == id);
        if candidates.is_empty() {
            return Err(AppError::validation(
                "siteId",
                "no such site in this organization",
            ));
        }
    }
    match sites::nearest(&candidates, loc.latitude, loc.longitude) {
        Some((s, d)) if geofence::inside(d, s.radius_meters, loc.accuracy) => {
            Ok(Some(s.id.clone()))
        }
        _ if !enforce => Ok(None),
        Some((s, d)) => Err(AppError::Unprocessable(
            "outside_geofence",
            format!(
                "the location is {:.0} m from the nearest site, {} (radius {:.0} m)",
                d, s.name, s.radius_meters
            ),
        )),
        None => Err(AppError::Unprocessable(
            "outside_geofence",
            "the organization requires a geofence but has no sites".into(),
        )),
    }
}
