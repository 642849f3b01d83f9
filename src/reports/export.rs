//! Exports of a period as attachments, and what they share: CSV here
//! (`type=summary`, the report rows, or `type=records`, one line per attendance
//! record, streamed from the database); PDF and XLSX in `documents`. Times are
//! local to the organization.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::csv::{safe_text, CsvStream};
use super::model::Report;
use super::records::{Record, RecordPages};
use super::routes::ReportQuery;
use super::service;
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Query;

pub(super) const RECORD_HEADER: [&str; 12] = [
    "date",
    "name",
    "email",
    "department",
    "status",
    "checkInTime",
    "checkOutTime",
    "workingMinutes",
    "isLate",
    "autoCheckOut",
    "corrected",
    "notes",
];
pub(super) const SUMMARY_HEADER: [&str; 14] = [
    "name",
    "email",
    "department",
    "role",
    "workingDays",
    "present",
    "late",
    "early",
    "absent",
    "onLeave",
    "attendanceRate",
    "workingMinutes",
    "averageCheckInTime",
    "lateMinutes",
];

pub(super) fn attachment(content_type: &str, filename: String, body: Body) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
        ],
        body,
    )
        .into_response()
}

pub(super) async fn load_report(
    state: &AppState,
    org_id: &str,
    q: &ReportQuery,
) -> AppResult<(service::Context, Report)> {
    let period = q.range()?;
    let filter = q.filter()?;
    let ctx = service::context(state, org_id).await?;
    let report = service::report(state, &ctx, period, &filter).await?;
    Ok((ctx, report))
}

fn summary_cells(r: &super::model::ReportRow) -> Vec<String> {
    let c = &r.counts;
    vec![
        safe_text(&r.name).into_owned(),
        safe_text(&r.email).into_owned(),
        safe_text(r.department.as_deref().unwrap_or("")).into_owned(),
        r.role.clone(),
        c.working_days.to_string(),
        c.present.to_string(),
        c.late.to_string(),
        c.early.to_string(),
        c.absent.to_string(),
        c.on_leave.to_string(),
        format!("{:.1}", c.attendance_rate),
        r.working_minutes.to_string(),
        r.average_check_in_time.clone().unwrap_or_default(),
        r.late_minutes.to_string(),
    ]
}

/// Local "YYYY-MM-DD HH:MM" for instants, remembering the UTC offset of each hour
/// so a million records do not each search the timezone's transitions.
pub(super) struct LocalClock {
    tz: Tz,
    hour: i64,
    offset_secs: i64,
}

impl LocalClock {
    pub(super) fn new(tz: Tz) -> Self {
        LocalClock {
            tz,
            hour: i64::MIN,
            offset_secs: 0,
        }
    }

    pub(super) fn format(&mut self, ms: Option<i64>) -> String {
        let Some(ms) = ms else { return String::new() };
        let hour = ms.div_euclid(3_600_000);
        if hour != self.hour {
            use chrono::{Offset, TimeZone};
            let at = DateTime::<Utc>::from_timestamp_millis(ms).unwrap_or_default();
            self.offset_secs = self
                .tz
                .offset_from_utc_datetime(&at.naive_utc())
                .fix()
                .local_minus_utc() as i64;
            self.hour = hour;
        }
        let local = DateTime::<Utc>::from_timestamp(ms.div_euclid(1000) + self.offset_secs, 0)
            .unwrap_or_default();
        use chrono::{Datelike, Timelike};
        format!(
            "{:04}-{:02}-{:02} {:02}:{:02}",
            local.year(),
            local.month(),
            local.day(),
            local.hour(),
            local.minute()
        )
    }
}

pub(super) fn flag(b: bool) -> &'static str {
    if b {
        "true"
    } else {
        "false"
    }
}

fn record_cells(clock: &mut LocalClock, r: &Record) -> [String; 12] {
    [
        r.date.clone(),
        safe_text(&r.person.name).into_owned(),
        safe_text(&r.person.email).into_owned(),
        safe_text(r.person.department.as_deref().unwrap_or("")).into_owned(),
        r.status.clone(),
        clock.format(r.check_in),
        clock.format(r.check_out),
        r.working_minutes.map(|m| m.to_string()).unwrap_or_default(),
        flag(r.is_late).into(),
        flag(r.auto_check_out).into(),
        flag(r.corrected).into(),
        safe_text(&r.notes).into_owned(),
    ]
}

#[utoipa::path(get, path = "/api/v1/reports/export/csv", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "text/csv attachment", content_type = "text/csv", body = String),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_csv(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let period = q.range()?;
    let filter = q.filter()?;
    let filename = |kind: &str| format!("attendance-{kind}-{}-to-{}.csv", period.from, period.to);
    match q.kind.as_deref().unwrap_or("summary") {
        "summary" => {
            let (_, report) = load_report(&state, &s.org_id, &q).await?;
            let (mut out, body) = CsvStream::channel();
            tokio::spawn(async move {
                let mut ok = out.record(SUMMARY_HEADER).await.is_ok();
                for r in &report.rows {
                    ok = ok && out.record(summary_cells(r)).await.is_ok();
                }
                if ok {
                    let _ = out.finish().await;
                }
            });
            Ok(attachment(
                "text/csv; charset=utf-8",
                filename("summary"),
                body,
            ))
        }
        "records" => {
            let ctx = service::context(&state, &s.org_id).await?;
            let (mut out, body) = CsvStream::channel();
            let (from, to) = (
                period.from.format("%Y-%m-%d").to_string(),
                period.to.format("%Y-%m-%d").to_string(),
            );
            let db = state.db.clone();
            tokio::spawn(async move {
                let mut pages = RecordPages::new(s.org_id, filter, from, to);
                let mut clock = LocalClock::new(ctx.tz);
                let result: anyhow::Result<()> = async {
                    out.record(RECORD_HEADER).await?;
                    loop {
                        let page = pages.next(&db).await?;
                        if page.is_empty() {
                            return Ok(());
                        }
                        for r in &page {
                            out.record(record_cells(&mut clock, r)).await?;
                        }
                    }
                }
                .await;
                match result {
                    Ok(()) => {
                        let _ = out.finish().await;
                    }
                    Err(e) => {
                        tracing::error!(error = ?e, "CSV export stopped");
                        out.abort("export failed").await;
                    }
                }
            });
            Ok(attachment(
                "text/csv; charset=utf-8",
                filename("records"),
                body,
            ))
        }
        _ => Err(AppError::validation("type", "must be summary or records")),
    }
}

#[cfg(test)]
mod tests {
    use super::LocalClock;

    #[test]
    fn local_times_follow_daylight_saving_changes() {
        let mut clock = LocalClock::new("America/Los_Angeles".parse().unwrap());
        // 2026-03-08: clocks go from 02:00 PST to 03:00 PDT (10:00 UTC).
        let before = chrono::DateTime::parse_from_rfc3339("2026-03-08T09:59:00Z")
            .unwrap()
            .timestamp_millis();
        let after = chrono::DateTime::parse_from_rfc3339("2026-03-08T10:01:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(clock.format(Some(before)), "2026-03-08 01:59");
        assert_eq!(clock.format(Some(after)), "2026-03-08 03:01");
        assert_eq!(clock.format(Some(before)), "2026-03-08 01:59");
        assert_eq!(clock.format(None), "");
        let mut kolkata = LocalClock::new("Asia/Kolkata".parse().unwrap());
        let ms = chrono::DateTime::parse_from_rfc3339("2026-11-24T18:45:00Z")
            .unwrap()
            .timestamp_millis();
        assert_eq!(kolkata.format(Some(ms)), "2026-11-25 00:15");
    }
}
