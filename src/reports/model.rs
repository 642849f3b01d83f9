//! What a report says: its period, a summary, and one row per person.

use serde::Serialize;
use utoipa::ToSchema;

use super::period::Period;

#[derive(Debug, Clone, Default, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Counts {
    /// Working days the person was expected in (from the day they joined, closed days only).
    pub working_days: i64,
    /// Days attended (on time or late); `late` and `early` are parts of it.
    pub present: i64,
    pub late: i64,
    /// Days checked out before `workingHours.end`.
    pub early: i64,
    /// Expected days with no attendance.
    pub absent: i64,
    /// Reserved for leave management; always 0 for now.
    pub on_leave: i64,
    /// `present / workingDays` as a percentage with one decimal, 0 when no days were expected.
    pub attendance_rate: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    #[serde(flatten)]
    pub counts: Counts,
    /// People counted in the report.
    pub users: i64,
    /// Average minutes worked per completed (checked-out) day.
    pub average_working_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ReportRow {
    pub user_id: String,
    pub name: String,
    pub email: String,
    pub department: Option<String>,
    pub role: String,
    #[serde(flatten)]
    pub counts: Counts,
    /// Minutes worked over the period.
    pub working_minutes: i64,
    /// Mean local check-in time, `HH:MM`; null without check-ins.
    pub average_check_in_time: Option<String>,
    /// Minutes after `workingHours.start` summed over late days.
    pub late_minutes: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub period: Period,
    pub timezone: String,
    pub summary: Summary,
    pub rows: Vec<ReportRow>,
}

pub fn rate(present: i64, expected: i64) -> f64 {
    if expected <= 0 {
        0.0
    } else {
        (present as f64 * 1000.0 / expected as f64).round() / 10.0
    }
}

pub fn hhmm(minutes: i64) -> String {
    format!(
        "{:02}:{:02}",
        minutes.div_euclid(60) % 24,
        minutes.rem_euclid(60)
    )
}
