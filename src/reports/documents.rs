//! The printable (PDF) and spreadsheet (XLSX) exports of a period.

use axum::body::Body;
use axum::extract::State;
use axum::response::Response;

use super::export::{attachment, flag, load_report, LocalClock, RECORD_HEADER, SUMMARY_HEADER};
use super::pdf::{self, Column, PdfReport};
use super::records::RecordPages;
use super::routes::ReportQuery;
use super::xlsx::{self, Cell, Sheet};
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppResult, ErrorBody};
use crate::extract::Query;

/// Rows of records an XLSX workbook carries at most (a sheet holds about a million).
const XLSX_RECORD_LIMIT: usize = 100_000;

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
    // Text goes in as text cells (never formulas), so it needs no neutralising here.
    let mut pages = RecordPages::new(s.org_id.clone(), filter, from.clone(), to.clone());
    let mut clock = LocalClock::new(ctx.tz);
    let mut records = Vec::new();
    'pages: loop {
        let page = pages.next(&state.db).await?;
        if page.is_empty() {
            break;
        }
        for r in page {
            if records.len() == XLSX_RECORD_LIMIT {
                records.push(vec![txt(&format!(
                    "… more than {XLSX_RECORD_LIMIT} records: use the CSV export for all of them"
                ))]);
                break 'pages;
            }
            records.push(vec![
                txt(&r.date),
                txt(&r.person.name),
                txt(&r.person.email),
                txt(r.person.department.as_deref().unwrap_or("")),
                txt(&r.status),
                Cell::Text(clock.format(r.check_in)),
                Cell::Text(clock.format(r.check_out)),
                r.working_minutes.map(num).unwrap_or_else(|| txt("")),
                txt(flag(r.is_late)),
                txt(flag(r.auto_check_out)),
                txt(flag(r.corrected)),
                txt(&r.notes),
            ]);
        }
    }
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
