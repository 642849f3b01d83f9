//! Coordinates and distances: validation of latitude/longitude and the great-circle
//! (haversine) distance used by the geofence.

use crate::error::FieldError;

/// Mean Earth radius in meters (IUGG).
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// The most GPS inaccuracy a check-in is forgiven: a phone reporting a 2 km error
/// circle must not open every geofence.
pub const ACCURACY_CAP_M: f64 = 50.0;

pub fn latitude(field: &str, v: Option<f64>) -> Result<f64, FieldError> {
    match v {
        None => Err(FieldError::new(field, "is required")),
        Some(x) if x.is_finite() && (-90.0..=90.0).contains(&x) => Ok(x),
        Some(_) => Err(FieldError::new(field, "must be a number from -90 to 90")),
    }
}

pub fn longitude(field: &str, v: Option<f64>) -> Result<f64, FieldError> {
    match v {
        None => Err(FieldError::new(field, "is required")),
        Some(x) if x.is_finite() && (-180.0..=180.0).contains(&x) => Ok(x),
        Some(_) => Err(FieldError::new(field, "must be a number from -180 to 180")),
    }
}

/// Meters between two points on the Earth's surface.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = (lat2 - lat1).to_radians();
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * a.sqrt().min(1.0).asin()
}

/// Whether a point `distance` meters from a site's center counts as inside it, given
/// the device's reported accuracy (capped).
pub fn inside(distance: f64, radius: f64, accuracy: Option<f64>) -> bool {
    let slack = accuracy.unwrap_or(0.0).clamp(0.0, ACCURACY_CAP_M);
    distance <= radius + slack
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_match_known_values() {
        // One degree of latitude is about 111.2 km.
        let d = distance_m(0.0, 0.0, 1.0, 0.0);
        assert!((d - 111_195.0).abs() < 10.0, "{d}");
        assert_eq!(distance_m(12.97, 77.59, 12.97, 77.59), 0.0);
    }

    #[test]
    fn accuracy_widens_the_fence_only_up_to_the_cap() {
        assert!(!inside(120.0, 100.0, None));
        assert!(inside(120.0, 100.0, Some(25.0)));
        assert!(!inside(160.0, 100.0, Some(5000.0)));
    }

    #[test]
    fn coordinates_out_of_range_are_refused() {
        assert!(latitude("lat", Some(91.0)).is_err());
        assert!(latitude("lat", Some(f64::NAN)).is_err());
        assert!(latitude("lat", None).is_err());
        assert!(longitude("lon", Some(-180.5)).is_err());
        assert_eq!(latitude("lat", Some(-90.0)).unwrap(), -90.0);
    }
}
