//! Reading attendance beyond single records: today's board (everyone with their record
//! or `notCheckedIn`, with counts) and statistics over a range of days.

use std::collections::HashMap;

use chrono::Duration;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{Attendance, AttendanceRow, COLUMNS};
use super::rules::{format_day, parse_day};
use super::service::{average_minute, rules_of};
use super::store::{push_from, Filter};
use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppError, AppResult};
use crate::store::SqlBuf;

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TodayEntry {
    pub user_id: String,
    pub name: String,
    pub role: String,
    pub department: Option<String>,
    /// The latest record's status, or `notCheckedIn`.
    #[schema(example = "notCheckedIn")]
    pub status: String,
    /// Checked in and not yet out.
    pub checked_in: bool,
    /// Today's latest record.
    pub attendance: Option<Attendance>,
}

#[derive(Debug, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TodayCounts {
    pub total: i64,
    pub present: i64,
    pub late: i64,
    pub early: i64,
    pub absent: i64,
    pub not_checked_in: i64,
    /// Currently checked in.
    pub checked_in: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Today {
    /// The organization's local day.
    pub date: String,
    pub counts: TodayCounts,
    pub data: Vec<TodayEntry>,
}

async fn settings_json(state: &AppState, org_id: &str) -> AppResult<String> {
    sqlx::query_scalar("SELECT settings FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound("organization"))
}

/// Admins see every active user; others only themselves.
pub async fn today(state: &AppState, session: &Session) -> AppResult<Today> {
    let rules = rules_of(&settings_json(state, &session.org_id).await?);
    let date = format_day(rules.local_day(state.clock.now()));
    let only = (!session.is_admin()).then_some(session.user_id.as_str());
    let mut q = SqlBuf::new(
        "SELECT id, name, role, department FROM users WHERE deleted_at IS NULL AND is_active = 1 \
         AND organization_id = ",
    );
    q.bind(session.org_id.as_str());
    if let Some(u) = only {
        q.push(" AND id = ").bind(u);
    }
    q.push(" ORDER BY name, id");
    let (sql, args) = q.build();
    let users: Vec<(String, String, String, Option<String>)> = sqlx::query_as_with(&sql, args)
        .fetch_all(state.db.pool())
        .await?;
    let mut q = SqlBuf::new(&format!(
        "SELECT {COLUMNS} FROM attendance a WHERE a.organization_id = "
    ));
    q.bind(session.org_id.as_str());
    q.push(" AND a.date = ").bind(date.as_str());
    if let Some(u) = only {
        q.push(" AND a.user_id = ").bind(u);
    }
    // Latest last: the map below keeps each user's latest record.
    q.push(" ORDER BY COALESCE(a.check_in_time, 0), a.id");
    let (sql, args) = q.build();
    let rows: Vec<AttendanceRow> = sqlx::query_as_with(&sql, args)
        .fetch_all(state.db.pool())
        .await?;
    let mut latest: HashMap<String, Attendance> = HashMap::new();
    for r in rows {
        latest.insert(r.user_id.clone(), r.into());
    }
    let mut counts = TodayCounts::default();
    let data = users
        .into_iter()
        .map(|(user_id, name, role, department)| {
            let attendance = latest.remove(&user_id);
            let checked_in = attendance
                .as_ref()
                .is_some_and(|a| a.check_in_time.is_some() && a.check_out_time.is_none());
            let status = attendance
                .as_ref()
                .map(|a| a.status.as_str().to_string())
                .unwrap_or_else(|| "notCheckedIn".into());
            counts.total += 1;
            counts.checked_in += i64::from(checked_in);
            match status.as_str() {
                "present" => counts.present += 1,
                "late" => counts.late += 1,
                "early" => counts.early += 1,
                "absent" => counts.absent += 1,
                _ => counts.not_checked_in += 1,
            }
            TodayEntry {
                user_id,
                name,
                role,
                department,
                status,
                checked_in,
                attendance,
            }
        })
        .collect();
    Ok(Today { date, counts, data })
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    pub from: String,
    pub to: String,
    pub total_records: i64,
    pub present: i64,
    pub late: i64,
    pub early: i64,
    pub absent: i64,
    /// Percent of person-days attended among person-days attended or absent.
    pub attendance_rate: f64,
    pub average_working_minutes: Option<i64>,
    /// Average local check-in time, `HH:MM`.
    #[schema(example = "09:07")]
    pub average_check_in_time: Option<String>,
}

type StatsRow = (
    i64,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<i64>,
    Option<f64>,
    Option<f64>,
    i64,
    i64,
);

/// Statistics over `filter` (its `from`/`to` default to the last 30 local days).
pub async fn stats(state: &AppState, session: &Session, mut filter: Filter) -> AppResult<Stats> {
    super::service::limit_to_own(session, &mut filter)?;
    let rules = rules_of(&settings_json(state, &session.org_id).await?);
    let today = rules.local_day(state.clock.now());
    let to = filter.to.as_deref().and_then(parse_day).unwrap_or(today);
    let from = filter
        .from
        .as_deref()
        .and_then(parse_day)
        .unwrap_or(to - Duration::days(29));
    filter.from = Some(format_day(from));
    filter.to = Some(format_day(to));
    let mut q = SqlBuf::new(
        "SELECT COUNT(*),
            CAST(SUM(CASE WHEN a.status = 'present' THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN a.status = 'late' THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN a.status = 'early' THEN 1 ELSE 0 END) AS BIGINT),
            CAST(SUM(CASE WHEN a.status = 'absent' THEN 1 ELSE 0 END) AS BIGINT),
            CAST(AVG(a.working_hours) AS DOUBLE PRECISION),
            CAST(AVG(a.check_in_minute) AS DOUBLE PRECISION),
            COUNT(DISTINCT CASE WHEN a.status <> 'absent' THEN a.user_id || '|' || a.date END),
            COUNT(DISTINCT CASE WHEN a.status = 'absent' THEN a.user_id || '|' || a.date END)",
    );
    push_from(&mut q, &session.org_id, &filter);
    let (sql, args) = q.build();
    let (total, present, late, early, absent, avg_minutes, avg_in, attended_days, absent_days): StatsRow =
        sqlx::query_as_with(&sql, args).fetch_one(state.db.pool()).await?;
    let days = attended_days + absent_days;
    let rate = if days == 0 {
        0.0
    } else {
        (attended_days as f64 * 1000.0 / days as f64).round() / 10.0
    };
    Ok(Stats {
        from: format_day(from),
        to: format_day(to),
        total_records: total,
        present: present.unwrap_or(0),
        late: late.unwrap_or(0),
        early: early.unwrap_or(0),
        absent: absent.unwrap_or(0),
        attendance_rate: rate,
        average_working_minutes: avg_minutes
            .filter(|m| m.is_finite())
            .map(|m| m.round() as i64),
        average_check_in_time: average_minute(avg_in),
    })
}
