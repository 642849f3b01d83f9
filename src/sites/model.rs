//! The Site document and its requests.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{from_millis, rfc3339_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Site {
    #[serde(rename = "_id")]
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_meters: f64,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

pub const COLUMNS: &str =
    "id, organization_id, name, address, latitude, longitude, radius_meters, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub struct SiteRow {
    pub id: String,
    pub organization_id: String,
    pub name: String,
    pub address: Option<String>,
    pub latitude: f64,
    pub longitude: f64,
    pub radius_meters: f64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<SiteRow> for Site {
    fn from(r: SiteRow) -> Site {
        Site {
            id: r.id,
            organization_id: r.organization_id,
            name: r.name,
            address: r.address,
            latitude: r.latitude,
            longitude: r.longitude,
            radius_meters: r.radius_meters,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

/// `POST /sites` (every field but `address` required) and `PUT /sites/:id` (any subset).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SiteRequest {
    pub name: Option<String>,
    pub address: Option<String>,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    /// 1 to 100000 meters.
    pub radius_meters: Option<f64>,
}
