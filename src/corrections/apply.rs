//! What approving a correction does to the day's record: which record it amends, and
//! the record's times with everything that follows from them recomputed.

use sqlx::AnyConnection;

use super::model::CorrectionRow;
use crate::attendance::model::{AttendanceRow, Status};
use crate::attendance::rules::{parse_day, working_minutes, OrgRules};
use crate::attendance::store as records;
use crate::error::{AppError, AppResult};
use crate::store::flag;
use crate::time::from_millis;

/// The record a correction applies to, as it is now (None when the day has none).
pub async fn target(
    conn: &mut AnyConnection,
    c: &CorrectionRow,
) -> AppResult<Option<AttendanceRow>> {
    Ok(match &c.attendance_id {
        Some(id) => records::get(conn, &c.organization_id, id).await?,
        None => records::first_of_day(conn, &c.organization_id, &c.user_id, &c.date).await?,
    })
}

/// Applies the requested times to `row` (or a new record), recomputing what follows.
pub fn corrected(
    rules: &OrgRules,
    c: &CorrectionRow,
    base: Option<AttendanceRow>,
    name: String,
    now_ms: i64,
) -> AppResult<AttendanceRow> {
    let mut row = base.unwrap_or_else(|| AttendanceRow {
        id: crate::id::new_id_at(now_ms / 1000),
        organization_id: c.organization_id.clone(),
        user_id: c.user_id.clone(),
        user_name: name,
        date: c.date.clone(),
        check_in_time: None,
        check_out_time: None,
        status: Status::Absent.as_str().into(),
        check_in_location: None,
        check_out_location: None,
        working_hours: None,
        is_late: 0,
        notes: None,
        site_id: None,
        auto_check_out: 0,
        corrected: 0,
        created_at: now_ms,
        updated_at: now_ms,
    });
    row.check_in_time = c.check_in_time.or(row.check_in_time);
    if c.check_out_time.is_some() {
        row.check_out_time = c.check_out_time;
        row.auto_check_out = 0;
    }
    let Some(check_in) = row.check_in_time.map(from_millis) else {
        return Err(AppError::Unprocessable(
            "correction_incomplete",
            "the day has no check-in, and the request gives none".into(),
        ));
    };
    let late = rules.is_late(check_in);
    row.is_late = flag(late);
    let mut status = if late { Status::Late } else { Status::Present };
    row.working_hours = None;
    if let Some(out) = row.check_out_time.map(from_millis) {
        if out <= check_in {
            return Err(AppError::Unprocessable(
                "correction_incomplete",
                "check-out would precede check-in".into(),
            ));
        }
        row.working_hours = Some(working_minutes(check_in, out));
        if parse_day(&row.date).is_some_and(|d| rules.is_early(d, out)) {
            status = Status::Early;
        }
    }
    row.status = status.as_str().into();
    row.corrected = 1;
    row.updated_at = now_ms;
    Ok(row)
}
