//! Automatic check-out: with the `autoCheckOut` setting, a record still open at that
//! local time is closed at that time and flagged `autoCheckOut: true`. The update only
//! touches open records, so running it twice (or on two servers) closes each once.

use chrono::{DateTime, Utc};

use crate::app::AppState;
use crate::attendance::model::{AttendanceRow, COLUMNS};
use crate::attendance::rules::{parse_day, OrgRules};
use crate::attendance::service::closing;
use crate::attendance::store::{self, Close};
use crate::time::from_millis;

/// Closes one organization's records whose automatic check-out time has come.
pub async fn run(
    state: &AppState,
    org_id: &str,
    rules: &OrgRules,
    now: DateTime<Utc>,
) -> anyhow::Result<u64> {
    if rules.auto_check_out.is_none() {
        return Ok(0);
    }
    let open: Vec<AttendanceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attendance a
         WHERE a.organization_id = $1 AND a.check_in_time IS NOT NULL AND a.check_out_time IS NULL"
    ))
    .bind(org_id)
    .fetch_all(state.db.pool())
    .await?;
    let mut closed = 0;
    let mut conn = state.db.pool().acquire().await?;
    for row in open {
        let (Some(check_in), Some(day)) =
            (row.check_in_time.map(from_millis), parse_day(&row.date))
        else {
            continue;
        };
        let Some(at) = rules.auto_check_out_at(day, check_in) else {
            continue;
        };
        if at > now {
            continue;
        }
        let (status, minutes) = closing(rules, &row, check_in, at);
        let close = Close {
            check_out_time: at.timestamp_millis(),
            location: None,
            working_hours: minutes,
            status: status.as_str(),
            notes: None,
            auto: true,
            now_ms: now.timestamp_millis(),
        };
        if store::close(&mut conn, org_id, &row.id, &close).await? {
            closed += 1;
            let mut record = crate::attendance::Attendance::from(row);
            record.check_out_time = Some(at);
            record.working_hours = Some(minutes);
            record.auto_check_out = true;
            record.status = status;
            state.realtime.attendance_update(&record).await;
        }
    }
    Ok(closed)
}
