//! The correction request document and its bodies.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{from_millis, rfc3339_ms, rfc3339_ms_opt};

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Correction {
    #[serde(rename = "_id")]
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    /// The record amended (set on approval when the request named none).
    pub attendance_id: Option<String>,
    /// The organization's local day, `YYYY-MM-DD`.
    pub date: String,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub check_in_time: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub check_out_time: Option<DateTime<Utc>>,
    pub reason: String,
    /// `pending`, `approved` or `rejected`.
    #[schema(example = "pending")]
    pub status: String,
    pub reviewed_by: Option<String>,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub reviewed_at: Option<DateTime<Utc>>,
    pub review_note: Option<String>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

pub const COLUMNS: &str = "id, organization_id, user_id, attendance_id, date, check_in_time, \
     check_out_time, reason, status, reviewed_by, reviewed_at, review_note, created_at, updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct CorrectionRow {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub attendance_id: Option<String>,
    pub date: String,
    pub check_in_time: Option<i64>,
    pub check_out_time: Option<i64>,
    pub reason: String,
    pub status: String,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<i64>,
    pub review_note: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<CorrectionRow> for Correction {
    fn from(r: CorrectionRow) -> Correction {
        Correction {
            id: r.id,
            organization_id: r.organization_id,
            user_id: r.user_id,
            attendance_id: r.attendance_id,
            date: r.date,
            check_in_time: r.check_in_time.map(from_millis),
            check_out_time: r.check_out_time.map(from_millis),
            reason: r.reason,
            status: r.status,
            reviewed_by: r.reviewed_by,
            reviewed_at: r.reviewed_at.map(from_millis),
            review_note: r.review_note,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

/// `POST /attendance/corrections`: at least one of the times.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateCorrection {
    #[schema(example = "2026-11-24")]
    pub date: String,
    /// RFC 3339 instant.
    #[schema(example = "2026-11-24T03:30:00.000Z")]
    pub check_in_time: Option<String>,
    #[schema(example = "2026-11-24T12:30:00.000Z")]
    pub check_out_time: Option<String>,
    pub reason: String,
    /// The record to amend; by default the day's first record.
    pub attendance_id: Option<String>,
}

/// `POST /attendance/corrections/:id/approve` and `/reject`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Review {
    pub note: Option<String>,
}
