//! `GET /reports/analytics`: series a chart can draw (attendance rate and late
//! arrivals per day), a department breakdown, the check-in time distribution in
//! 15-minute slots, and the people most often late.

use std::collections::{BTreeMap, HashSet};

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::{hhmm, rate, ReportRow};
use super::period::Period;
use super::routes::ReportQuery;
use super::{service, store};
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppResult, ErrorBody};
use crate::extract::{Json, Query};

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DayPoint {
    pub date: String,
    /// People expected in that day (0 on days off).
    pub expected: i64,
    pub present: i64,
    pub late: i64,
    pub attendance_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DepartmentPoint {
    pub department: Option<String>,
    pub users: i64,
    pub working_days: i64,
    pub present: i64,
    pub absent: i64,
    pub late: i64,
    pub attendance_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SlotPoint {
    /// Local start of the 15-minute slot, `HH:MM`.
    pub slot: String,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LatePoint {
    pub user_id: String,
    pub name: String,
    pub department: Option<String>,
    pub late: i64,
    pub late_minutes: i64,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Analytics {
    pub period: Period,
    pub timezone: String,
    pub daily: Vec<DayPoint>,
    pub departments: Vec<DepartmentPoint>,
    pub check_in_distribution: Vec<SlotPoint>,
    pub top_late_arrivals: Vec<LatePoint>,
}

fn departments(rows: &[ReportRow]) -> Vec<DepartmentPoint> {
    let mut by: BTreeMap<Option<String>, DepartmentPoint> = BTreeMap::new();
    for r in rows {
        let d = by
            .entry(r.department.clone())
            .or_insert_with(|| DepartmentPoint {
                department: r.department.clone(),
                users: 0,
                working_days: 0,
                present: 0,
                absent: 0,
                late: 0,
                attendance_rate: 0.0,
            });
        d.users += 1;
        d.working_days += r.counts.working_days;
        d.present += r.counts.present;
        d.absent += r.counts.absent;
        d.late += r.counts.late;
    }
    by.into_values()
        .map(|mut d| {
            d.attendance_rate = rate(d.working_days - d.absent, d.working_days);
            d
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/reports/analytics", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Analytics), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn analytics(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Analytics>> {
    let period = q.range()?;
    let filter = q.filter()?;
    let ctx = service::context(&state, &s.org_id).await?;
    let report = service::report(&state, &ctx, period.clone(), &filter).await?;
    let calendar = service::calendar(&state, &ctx, &period).await?;
    let counted: HashSet<&str> = report.rows.iter().map(|r| r.user_id.as_str()).collect();
    let from_ms = service::local_midnight_ms(&ctx.tz, period.from);
    let to_ms = service::local_midnight_ms(&ctx.tz, period.to.succ_opt().unwrap_or(period.to));
    let people: Vec<_> = store::people(&state.db, &ctx.org.id, &filter, from_ms, to_ms)
        .await?
        .into_iter()
        .filter(|p| counted.contains(p.id.as_str()))
        .collect();
    let came = service::came_on_joining(&state, &ctx, &period, &people).await?;
    let members: Vec<_> = people
        .iter()
        .map(|p| service::membership(&ctx, p, came.contains(&p.id)))
        .collect();
    let per_day: BTreeMap<String, store::DayTotals> =
        store::totals_per_day(&state.db, &ctx.org.id, &filter, period.from, period.to)
            .await?
            .into_iter()
            .map(|d| (d.date.clone(), d))
            .collect();
    let daily = period
        .days()
        .map(|day| {
            let key = day.format("%Y-%m-%d").to_string();
            let (present, late) = per_day
                .get(&key)
                .map(|d| (d.attended, d.late))
                .unwrap_or((0, 0));
            let expected = if !calendar.is_working(day) || day > ctx.today {
                0
            } else if day == ctx.today {
                // Today is not closed: only those who came are counted yet.
                present
            } else {
                members.iter().filter(|m| m.expects(day)).count() as i64
            };
            DayPoint {
                date: key,
                expected,
                present,
                late,
                attendance_rate: rate(present.min(expected), expected),
            }
        })
        .collect();
    let slots =
        store::check_in_slots(&state.db, &ctx.org.id, &filter, period.from, period.to).await?;
    let mut late: Vec<&ReportRow> = report.rows.iter().filter(|r| r.counts.late > 0).collect();
    late.sort_by(|a, b| {
        b.counts
            .late
            .cmp(&a.counts.late)
            .then(b.late_minutes.cmp(&a.late_minutes))
    });
    Ok(Json(Analytics {
        departments: departments(&report.rows),
        check_in_distribution: slots
            .into_iter()
            .map(|(slot, count)| SlotPoint {
                slot: hhmm(slot * 15),
                count,
            })
            .collect(),
        top_late_arrivals: late
            .into_iter()
            .take(10)
            .map(|r| LatePoint {
                user_id: r.user_id.clone(),
                name: r.name.clone(),
                department: r.department.clone(),
                late: r.counts.late,
                late_minutes: r.late_minutes,
            })
            .collect(),
        daily,
        timezone: report.timezone,
        period,
    }))
}
