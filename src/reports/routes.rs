//! HTTP doors for `/reports`: daily, weekly, monthly and custom reports (admins).

use axum::extract::State;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use utoipa::IntoParams;

use super::model::Report;
use super::period::{self, Period};
use super::service;
use crate::app::AppState;
use crate::auth::Admin;
use crate::error::{AppError, AppResult, ErrorBody};
use crate::extract::{Json, Query};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/daily", get(daily_report))
        .route("/reports/weekly", get(weekly_report))
        .route("/reports/monthly", get(monthly_report))
        .route("/reports/custom", get(custom_report))
        .route("/reports/analytics", get(super::analytics::analytics))
        .route("/reports/export/csv", get(super::export::export_csv))
        .route("/reports/export/pdf", get(super::documents::export_pdf))
        .route("/reports/export/xlsx", get(super::documents::export_xlsx))
}

/// Which period, and whom. Each endpoint reads the period fields it needs.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `YYYY-MM-DD` (daily, weekly); today when absent.
    pub date: Option<String>,
    /// `YYYY-MM` (monthly; this month when absent). Exports and analytics take it
    /// instead of `from` and `to` for a whole month.
    pub month: Option<String>,
    /// `YYYY-MM-DD` (custom, exports, analytics).
    pub from: Option<String>,
    pub to: Option<String>,
    pub department: Option<String>,
    pub user_id: Option<String>,
    /// `admin`, `employee` or `student`; employees and students when absent.
    pub role: Option<String>,
    /// Exports only: `summary` (default) or `records`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

impl ReportQuery {
    /// The exports' and analytics' period: a `month` alone, or `from` and `to`.
    pub fn range(&self) -> AppResult<Period> {
        match (&self.month, &self.from, &self.to) {
            (Some(month), None, None) => {
                period::monthly("month", month).map_err(|e| AppError::Validation(vec![e]))
            }
            _ => self.between(),
        }
    }

    pub fn filter(&self) -> AppResult<super::store::Filter> {
        service::filter(
            self.role.as_deref(),
            self.department.clone(),
            self.user_id.clone(),
        )
    }

    /// `from` and `to`, both required, at most 366 days apart (the custom report).
    fn between(&self) -> AppResult<Period> {
        let mut errors = crate::validate::Errors::default();
        let need = |field: &str, v: &Option<String>, errors: &mut crate::validate::Errors| match v {
            Some(raw) => errors.take(period::parse_date(field, raw)),
            None => {
                errors.push(crate::error::FieldError::new(
                    field,
                    "is required (YYYY-MM-DD)",
                ));
                None
            }
        };
        let from = need("from", &self.from, &mut errors);
        let to = need("to", &self.to, &mut errors);
        errors.finish()?;
        match (from, to) {
            (Some(from), Some(to)) => {
                period::custom(from, to).map_err(|e| AppError::Validation(vec![e]))
            }
            _ => Err(AppError::validation("from", "is required (YYYY-MM-DD)")),
        }
    }
}

async fn run(
    state: &AppState,
    org_id: &str,
    q: &ReportQuery,
    pick: impl FnOnce(&service::Context) -> AppResult<Period>,
) -> AppResult<Json<Report>> {
    let filter = q.filter()?;
    let ctx = service::context(state, org_id).await?;
    let period = pick(&ctx)?;
    service::report(state, &ctx, period, &filter)
        .await
        .map(Json)
}

fn date_or_today(ctx: &service::Context, raw: &Option<String>) -> AppResult<chrono::NaiveDate> {
    match raw {
        Some(d) => period::parse_date("date", d).map_err(|e| AppError::Validation(vec![e])),
        None => Ok(ctx.today),
    }
}

#[utoipa::path(get, path = "/api/v1/reports/daily", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn daily_report(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Report>> {
    run(&state, &s.org_id, &q, |ctx| {
        Ok(period::daily(date_or_today(ctx, &q.date)?))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/reports/weekly", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn weekly_report(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Report>> {
    run(&state, &s.org_id, &q, |ctx| {
        Ok(period::weekly(
            date_or_today(ctx, &q.date)?,
            service::week_start(ctx),
        ))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/reports/monthly", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn monthly_report(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Report>> {
    run(&state, &s.org_id, &q, |ctx| {
        let month = q
            .month
            .clone()
            .unwrap_or_else(|| ctx.today.format("%Y-%m").to_string());
        period::monthly("month", &month).map_err(|e| AppError::Validation(vec![e]))
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/reports/custom", tag = "reports", params(ReportQuery),
    responses((status = 200, body = Report), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn custom_report(
    State(state): State<AppState>,
    Admin(s): Admin,
    Query(q): Query<ReportQuery>,
) -> AppResult<Json<Report>> {
    run(&state, &s.org_id, &q, |_| q.between()).await
}
