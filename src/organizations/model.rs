//! The Organization document (seed schema) and its settings.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::time::{rfc3339_ms, rfc3339_ms_opt};

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct WorkingHours {
    /// Local time, `HH:MM`.
    #[schema(example = "09:00")]
    pub start: String,
    #[schema(example = "18:00")]
    pub end: String,
}

/// How the organization works. Stored as one JSON document, so new settings can be
/// added with defaults and old rows keep reading.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Settings {
    pub working_hours: WorkingHours,
    /// Minutes after `workingHours.start` before a check-in counts as late.
    pub late_threshold: i64,
    /// IANA timezone name, e.g. `Asia/Kolkata`.
    #[schema(example = "Asia/Kolkata")]
    pub timezone: String,
    /// Days people are expected in, lowercase English names.
    #[schema(example = json!(["monday", "tuesday", "wednesday", "thursday", "friday"]))]
    pub working_days: Vec<String>,
    /// Local times between which check-in is open; `null`: any time. Admins are not held to it.
    pub attendance_window: Option<AttendanceWindow>,
    /// Minutes after `workingHours.end` when a day closes and missing people count as absent.
    pub absent_after: i64,
    /// Local `HH:MM` at which open records are checked out automatically; `null`: off.
    #[schema(example = "23:00")]
    pub auto_check_out: Option<String>,
    /// Refuse check-ins farther than every site's radius.
    pub require_geofence: bool,
    /// First day of the week in weekly reports.
    #[schema(example = "monday")]
    pub week_start: String,
}

/// Local times of day, `HH:MM`; `start` after `end` spans midnight (night shifts).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq)]
pub struct AttendanceWindow {
    #[schema(example = "07:00")]
    pub start: String,
    #[schema(example = "11:00")]
    pub end: String,
}

/// Names of the days of the week, Monday first, as settings spell them.
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

impl Default for Settings {
    fn default() -> Self {
        Settings {
            working_hours: WorkingHours {
                start: "09:00".into(),
                end: "18:00".into(),
            },
            late_threshold: 15,
            timezone: "UTC".into(),
            working_days: WEEKDAYS[..5].iter().map(|d| d.to_string()).collect(),
            attendance_window: None,
            absent_after: 120,
            auto_check_out: None,
            require_geofence: false,
            week_start: "monday".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// `free`, `pro` or `enterprise`.
    pub plan: String,
    pub max_users: i64,
    #[serde(with = "rfc3339_ms_opt")]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub expires_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Organization {
    #[serde(rename = "_id")]
    pub id: String,
    pub name: String,
    pub domain: Option<String>,
    pub settings: Settings,
    pub subscription: Subscription,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub created_at: DateTime<Utc>,
    #[serde(with = "rfc3339_ms")]
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub domain: Option<String>,
    pub settings: String,
    pub plan: String,
    pub max_users: i64,
    pub expires_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl From<OrganizationRow> for Organization {
    fn from(r: OrganizationRow) -> Organization {
        use crate::time::from_millis;
        Organization {
            id: r.id,
            name: r.name,
            domain: r.domain,
            // Rows are only written from a valid `Settings`; defaults cover older rows.
            settings: serde_json::from_str(&r.settings).unwrap_or_default(),
            subscription: Subscription {
                plan: r.plan,
                max_users: r.max_users,
                expires_at: r.expires_at.map(from_millis),
            },
            created_at: from_millis(r.created_at),
            updated_at: from_millis(r.updated_at),
        }
    }
}
