//! The Attendance document (seed schema, plus `siteId`, `autoCheckOut`, `corrected` and
//! `userName`), the row it is read from, and the request bodies of check-in and check-out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{from_millis, rfc3339_ms, rfc3339_ms_opt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Present,
    Late,
    Early,
    Absent,
}

impl Status {
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Present => "present",
            Status::Late => "late",
            Status::Early => "early",
            Status::Absent => "absent",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        match s {
            "present" => Some(Status::Present),
            "late" => Some(Status::Late),
            "early" => Some(Status::Early),
            "absent" => Some(Status::Absent),
            _ => None,
        }
    }
}

/// Where a punch happened. `accuracy` (meters) is kept when the device reported it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Location {
    pub latitude: f64,
    pub longitude: f64,
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Attendance {
    #[serde(rename = "_id")]
    #[schema(example = "6564a1f0c2a4b3d2e1f00001")]
    pub id: String,
    pub user_id: String,
    /// The user's name when the record was written.
    pub user_name: String,
    pub organization_id: String,
    /// The organization's local day, `YYYY-MM-DD`.
    #[schema(example = "2026-11-25")]
    pub date: String,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub check_in_time: Option<DateTime<Utc>>,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub check_out_time: Option<DateTime<Utc>>,
    pub status: Status,
    pub check_in_location: Option<Location>,
    pub check_out_location: Option<Location>,
    /// Whole minutes between check-in and check-out.
    pub working_hours: Option<i64>,
    pub is_late: bool,
    pub notes: Option<String>,
    /// The geofenced site the check-in matched.
    pub site_id: Option<String>,
    /// Checked out by the organization's `autoCheckOut` setting, not by the person.
    pub auto_check_out: bool,
    /// Changed by an approved correction request.
    pub corrected: bool,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

/// The columns an `Attendance` is read from, on the table aliased `a`.
pub const COLUMNS: &str = "a.id, a.organization_id, a.user_id, a.user_name, a.date, \
     a.check_in_time, a.check_out_time, a.status, a.check_in_location, a.check_out_location, \
     a.working_hours, a.is_late, a.notes, a.site_id, a.auto_check_out, a.corrected, \
     a.created_at, a.updated_at";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRow {
    pub id: String,
    pub organization_id: String,
    pub user_id: String,
    pub user_name: String,
    pub date: String,
    pub check_in_time: Option<i64>,
    pub check_out_time: Option<i64>,
    pub status: String,
    pub check_in_location: Option<String>,
    pub check_out_location: Option<String>,
    pub working_hours: Option<i64>,
    pub is_late: i64,
    pub notes: Option<String>,
    pub site_id: Option<String>,
    pub auto_check_out: i64,
    pub corrected: i64,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AttendanceRow {
    /// Marks the record late or not. Its status follows (`late` or `present`); a
    /// record already `early` or `absent` keeps that.
    pub fn set_late(&mut self, late: bool) {
        self.is_late = i64::from(late);
        let (from, to) = if late {
            (Status::Present, Status::Late)
        } else {
            (Status::Late, Status::Present)
        };
        if self.status == from.as_str() {
            self.status = to.as_str().into();
        }
    }
}

/// Locations are only written from a valid `Location`.
fn location(raw: Option<&str>) -> Option<Location> {
    raw.and_then(|s| serde_json::from_str(s).ok())
}

impl From<AttendanceRow> for Attendance {
    fn from(r: AttendanceRow) -> Attendance {
        Attendance {
            status: Status::parse(&r.status).unwrap_or(Status::Present),
            check_in_location: location(r.check_in_location.as_deref()),
            check_out_location: location(r.check_out_location.as_deref()),
            id: r.id,
            user_id: r.user_id,
            user_name: r.user_name,
            organization_id: r.organization_id,
            date: r.date,
            check_in_time: r.check_in_time.map(from_millis),
            check_out_time: r.check_out_time.map(from_millis),
            working_hours: r.working_hours,
            is_late: r.is_late != 0,
            notes: r.notes,
            site_id: r.site_id,
            auto_check_out: r.auto_check_out != 0,
            corrected: r.corrected != 0,
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}

/// A location as a client sends it. Fields are optional here so that a missing one is
/// reported by name rather than as a shapeless parse error.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LocationInput {
    #[schema(example = 12.9716)]
    pub latitude: Option<f64>,
    #[schema(example = 77.5946)]
    pub longitude: Option<f64>,
    pub address: Option<String>,
    /// The device's reported GPS accuracy in meters.
    pub accuracy: Option<f64>,
}

/// `POST /attendance/checkin`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckInRequest {
    pub location: Option<LocationInput>,
    pub notes: Option<String>,
    /// Admins only: check this user in.
    pub user_id: Option<String>,
    /// The site the person says they are at; checked against its geofence.
    pub site_id: Option<String>,
}

/// `PUT /attendance/:id/checkout`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CheckOutRequest {
    pub location: Option<LocationInput>,
    pub notes: Option<String>,
}
