//! The Holiday document and its request.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{from_millis, rfc3339_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Holiday {
    #[serde(rename = "_id")]
    pub id: String,
    pub organization_id: String,
    /// The organization's local day, `YYYY-MM-DD`.
    #[schema(example = "2026-12-25")]
    pub date: String,
    pub name: String,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

pub const COLUMNS: &str = "id, organization_id, date, name, created_at, updated_at";

#[derive(sqlx::FromRow)]
pub struct HolidayRow {
    pub id: String,
    pub organization_id: String,
    pub date: String,
    pub name: String,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<HolidayRow> for Holiday {
    fn from(r: HolidayRow) -> Holiday {
        Holiday {
            id: r.id,
            organization_id: r.organization_id,
            date: r.date,
            name: r.name,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

/// `POST /holidays` (both required) and `PUT /holidays/:id` (either).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HolidayRequest {
    #[schema(example = "2026-12-25")]
    pub date: Option<String>,
    #[schema(example = "Christmas")]
    pub name: Option<String>,
}
