//! Exports of a period as attachments: CSV (`type=summary`, the report rows, or
//! `type=records`, one line per attendance record, streamed from the database),
//! a printable PDF, and an XLSX workbook. Times are local to the organization.

use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use futures::TryStreamExt;
use sqlx::Row;

use super::csv::{safe_text, CsvStream};
use super::model::Report;
use super::pdf::{self, Column, PdfReport};
use super::routes::ReportQuery;
use super::service;
use super::store::Filter;
use super::xlsx::{self, Cell, Sheet};
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::Query;
use crate::store::SqlBuf;

const RECORD_HEADER: [&str; 12] = [
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
const SUMMARY_HEADER: [&str; 14] = [
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
/// Rows of records an XLSX workbook carries at most (a sheet holds about a million).
const XLSX_RECORD_LIMIT: usize = 100_000;

fn attachment(content_type: &str, filename: String, body: Body) -> Response {
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

fn local(tz: &Tz, ms: Option<i64>) -> String {
    ms.and_then(DateTime::<Utc>::from_timestamp_millis)
        .map(|d| d.with_timezone(tz).format("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_default()
}

async fn load_report(
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

/// The query behind `type=records`, in date order.
fn records_query<'a>(org_id: &'a str, f: &'a Filter, from: &'a str, to: &'a str) -> SqlBuf<'a> {
    let mut q = SqlBuf::new(
        "SELECT a.date, u.name, u.email, u.department, a.status, a.check_in_time, a.check_out_time,
                a.working_hours, a.is_late, a.auto_check_out, a.corrected, a.notes
         FROM attendance a JOIN users u ON u.id = a.user_id
         WHERE a.organization_id = ",
    );
    q.bind(org_id);
    q.push(" AND a.date >= ")
        .bind(from)
        .push(" AND a.date <= ")
        .bind(to);
    super::store::push_people(&mut q, org_id, f, "a.user_id");
    q.push(" ORDER BY a.date, a.id");
    q
}

fn record_cells(tz: &Tz, row: &sqlx::any::AnyRow) -> Result<[String; 12], sqlx::Error> {
    let text = |i: usize| -> Result<String, sqlx::Error> {
        Ok(safe_text(&row.try_get::<Option<String>, _>(i)?.unwrap_or_default()).into_owned())
    };
    let flag = |i: usize| -> Result<String, sqlx::Error> {
        Ok(if row.try_get::<i64, _>(i)? != 0 {
            "true"
        } else {
            "false"
        }
        .to_string())
    };
    Ok([
        row.try_get::<String, _>(0)?,
        text(1)?,
        text(2)?,
        text(3)?,
        row.try_get::<String, _>(4)?,
        local(tz, row.try_get(5)?),
        local(tz, row.try_get(6)?),
        row.try_get::<Option<i64>, _>(7)?
            .map(|m| m.to_string())
            .unwrap_or_default(),
        flag(8)?,
        flag(9)?,
        flag(10)?,
        text(11)?,
    ])
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
            let pool = state.db.pool().clone();
            let (from, to) = (
                period.from.format("%Y-%m-%d").to_string(),
                period.to.format("%Y-%m-%d").to_string(),
            );
            let org_id = s.org_id.clone();
            tokio::spawn(async move {
                let (sql, args) = records_query(&org_id, &filter, &from, &to).build();
                let mut rows = sqlx::query_with(&sql, args).fetch(&pool);
                let result: anyhow::Result<()> = async {
                    out.record(RECORD_HEADER).await?;
                    while let Some(row) = rows.try_next().await? {
                        out.record(record_cells(&ctx.tz, &row)?).await?;
                    }
                    Ok(())
                }
                .await;
                drop(rows);
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

fn minutes_text(m: i64) -> String {
    format!("{}h {:02}m", m / 60, m % 60)
}

#[utoipa::path(get, path = "/api/v1/reports/export/pdf", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "application/pdf attachment", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_pdf(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let (ctx, report) = load_report(&state, &s.org_id, &q).await?;
    let sm = &report.summary;
    let c = &sm.counts;
    let col = |title, width, right_aligned| Column {
        title,
        width,
        right_aligned,
    };
    let doc = PdfReport {
        title: format!("{} — attendance report", ctx.org.name),
        subtitle: format!(
            "{} to {} · times in {}",
            report.period.from, report.period.to, report.timezone
        ),
        summary: vec![
            ("People".into(), sm.users.to_string()),
            (
                "Working days (person-days)".into(),
                c.working_days.to_string(),
            ),
            (
                "Attendance rate".into(),
                format!("{:.1}%", c.attendance_rate),
            ),
            ("Present".into(), c.present.to_string()),
            ("Late".into(), c.late.to_string()),
            ("Early check-outs".into(), c.early.to_string()),
            ("Absent".into(), c.absent.to_string()),
            (
                "Average working day".into(),
                minutes_text(sm.average_working_minutes),
            ),
        ],
        columns: vec![
            col("Name", 24, false),
            col("Email", 30, false),
            col("Department", 16, false),
            col("Days", 5, true),
            col("Present", 7, true),
            col("Late", 5, true),
            col("Early", 5, true),
            col("Absent", 6, true),
            col("Rate %", 6, true),
            col("Worked", 10, true),
            col("Avg in", 6, true),
            col("Late min", 8, true),
        ],
        rows: report
            .rows
            .iter()
            .map(|r| {
                let c = &r.counts;
                vec![
                    r.name.clone(),
                    r.email.clone(),
                    r.department.clone().unwrap_or_default(),
                    c.working_days.to_string(),
                    c.present.to_string(),
                    c.late.to_string(),
                    c.early.to_string(),
                    c.absent.to_string(),
                    format!("{:.1}", c.attendance_rate),
                    minutes_text(r.working_minutes),
                    r.average_check_in_time.clone().unwrap_or_default(),
                    r.late_minutes.to_string(),
                ]
            })
            .collect(),
        totals: Some(vec![
            format!("Total ({} people)", sm.users),
            String::new(),
            String::new(),
            c.working_days.to_string(),
            c.present.to_string(),
            c.late.to_string(),
            c.early.to_string(),
            c.absent.to_string(),
            format!("{:.1}", c.attendance_rate),
            minutes_text(report.rows.iter().map(|r| r.working_minutes).sum()),
            String::new(),
            report
                .rows
                .iter()
                .map(|r| r.late_minutes)
                .sum::<i64>()
                .to_string(),
        ]),
        footer: format!(
            "Generated {} by Rollcall",
            state
                .clock
                .now()
                .with_timezone(&ctx.tz)
                .format("%Y-%m-%d %H:%M %Z")
        ),
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::render(&doc))
        .await
        .map_err(anyhow::Error::from)?;
    let filename = format!(
        "attendance-{}-to-{}.pdf",
        report.period.from, report.period.to
    );
    Ok(attachment("application/pdf", filename, Body::from(bytes)))
}

#[utoipa::path(get, path = "/api/v1/reports/export/xlsx", tag = "reports", params(ReportQuery),
    responses((status = 200, description = "XLSX attachment",
            content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn export_xlsx(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Response> {
    let (ctx, report) = load_report(&state, &s.org_id, &q).await?;
    let filter = q.filter()?;
    let num = |n: i64| Cell::Number(n as f64);
    let txt = |s: &str| Cell::Text(s.to_string());
    let summary_rows = report
        .rows
        .iter()
        .map(|r| {
            let c = &r.counts;
            vec![
                txt(&r.name),
                txt(&r.email),
                txt(r.department.as_deref().unwrap_or("")),
                txt(&r.role),
                num(c.working_days),
                num(c.present),
                num(c.late),
                num(c.early),
                num(c.absent),
                num(c.on_leave),
                Cell::Number(c.attendance_rate),
                num(r.working_minutes),
                txt(r.average_check_in_time.as_deref().unwrap_or("")),
                num(r.late_minutes),
            ]
        })
        .collect();
    let (from, to) = (
        report.period.from.format("%Y-%m-%d").to_string(),
        report.period.to.format("%Y-%m-%d").to_string(),
    );
    let (sql, args) = records_query(&s.org_id, &filter, &from, &to).build();
    let mut rows = sqlx::query_with(&sql, args).fetch(state.db.pool());
    let mut records = Vec::new();
    while let Some(row) = rows.try_next().await? {
        if records.len() == XLSX_RECORD_LIMIT {
            records.push(vec![txt(&format!(
                "… more than {XLSX_RECORD_LIMIT} records: use the CSV export for all of them"
            ))]);
            break;
        }
        let cells = record_cells(&ctx.tz, &row)?;
        records.push(
            cells
                .iter()
                .enumerate()
                .map(|(i, v)| match (i, v.parse::<f64>()) {
                    (7, Ok(n)) => Cell::Number(n),
                    _ => Cell::Text(v.trim_start_matches('\'').to_string()),
                })
                .collect(),
        );
    }
    drop(rows);
    let sheets = vec![
        Sheet {
            name: "Summary".into(),
            header: SUMMARY_HEADER.to_vec(),
            rows: summary_rows,
        },
        Sheet {
            name: "Records".into(),
            header: RECORD_HEADER.to_vec(),
            rows: records,
        },
    ];
    let bytes = tokio::task::spawn_blocking(move || xlsx::workbook(&sheets))
        .await
        .map_err(anyhow::Error::from)??;
    let filename = format!("attendance-{from}-to-{to}.xlsx");
    Ok(attachment(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        filename,
        Body::from(bytes),
    ))
}
