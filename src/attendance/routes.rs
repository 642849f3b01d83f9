//! HTTP doors for attendance: check-in/out (with `Idempotency-Key`), the record list,
//! a record, today's board, statistics, and `/users/:id/attendance`.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use serde::Deserialize;
use serde_json::Value;
use utoipa::IntoParams;

use super::idempotency;
use super::model::{Attendance, CheckInRequest, CheckOutRequest, Status};
use super::reading::{self, Stats, Today};
use super::service;
use super::store::Filter;
use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppResult, ErrorBody, FieldError};
use crate::extract::{parse_json, ClientInfo, Id, Json, PageParams, Paged, Query};
use crate::holidays::service::day_field;
use crate::validate::Errors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/attendance", get(list_attendance))
        .route("/attendance/checkin", post(check_in))
        .route("/attendance/today", get(today))
        .route("/attendance/stats", get(stats))
        .route("/attendance/{id}", get(get_attendance))
        .route("/attendance/{id}/checkout", put(check_out))
        .route("/users/{id}/attendance", get(user_attendance))
}

#[utoipa::path(post, path = "/api/v1/attendance/checkin", tag = "attendance", request_body = CheckInRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 hours")),
    responses((status = 201, body = Attendance),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 403, description = "userId given by a non-admin", body = ErrorBody),
        (status = 404, description = "userId not in the organization", body = ErrorBody),
        (status = 409, description = "already_checked_in, user_inactive, idempotency_in_progress", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "validation_failed, outside_attendance_window, outside_geofence, idempotency_key_reused", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_in(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    let (state, session, client) = (&state, &session, &client);
    idempotency::run(
        state,
        session,
        &headers,
        "checkin",
        &body,
        |json| async move {
            let input: CheckInRequest = parse_json(json.as_bytes())?;
            let record = service::check_in(state, session, client, input).await?;
            Ok((StatusCode::CREATED, record))
        },
    )
    .await
}

#[utoipa::path(put, path = "/api/v1/attendance/{id}/checkout", tag = "attendance", request_body = CheckOutRequest,
    params(("id" = String, Path, description = "Attendance id"),
        ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for 24 hours")),
    responses((status = 200, body = Attendance),
        (status = 400, body = ErrorBody), (status = 401, body = ErrorBody),
        (status = 404, description = "missing, another organization's, or not yours", body = ErrorBody),
        (status = 409, description = "already_checked_out, not_checked_in, idempotency_in_progress", body = ErrorBody),
        (status = 415, body = ErrorBody),
        (status = 422, description = "validation_failed, idempotency_key_reused", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn check_out(
    State(state): State<AppState>,
    session: Session,
    client: ClientInfo,
    headers: HeaderMap,
    Id(id): Id,
    Json(body): Json<Value>,
) -> Response {
    let scope = format!("checkout:{id}");
    let (state, session, client, id) = (&state, &session, &client, &id);
    idempotency::run(state, session, &headers, &scope, &body, |json| async move {
        let input: CheckOutRequest = parse_json(json.as_bytes())?;
        let record = service::check_out(state, session, client, id, input).await?;
        Ok((StatusCode::OK, record))
    })
    .await
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AttendanceQuery {
    /// Admins: one user's records. Others may only name themselves.
    pub user_id: Option<String>,
    /// First local day, `YYYY-MM-DD`.
    pub from: Option<String>,
    /// Last local day, `YYYY-MM-DD`.
    pub to: Option<String>,
    /// `present`, `late`, `early` or `absent`.
    pub status: Option<String>,
    pub department: Option<String>,
    pub page: Option<i64>,
    pub limit: Option<i64>,
}

impl AttendanceQuery {
    fn filter(self, errors: &mut Errors) -> Filter {
        let from = self.from.and_then(|f| errors.take(day_field("from", &f)));
        let to = self.to.and_then(|t| errors.take(day_field("to", &t)));
        if let (Some(f), Some(t)) = (&from, &to) {
            if f > t {
                errors.push(FieldError::new("to", "must not be before from"));
            }
        }
        let status = self.status.and_then(|s| {
            errors.take(
                Status::parse(&s)
                    .map(|s| s.as_str().to_string())
                    .ok_or_else(|| {
                        FieldError::new("status", "must be one of present, late, early, absent")
                    }),
            )
        });
        Filter {
            user_id: self.user_id.filter(|u| !u.trim().is_empty()),
            from,
            to,
            status,
            department: self
                .department
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty()),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/attendance", tag = "attendance", params(AttendanceQuery),
    responses((status = 200, body = inline(Paged<Attendance>)), (status = 401, body = ErrorBody),
        (status = 403, description = "a non-admin asked for someone else", body = ErrorBody),
        (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn list_attendance(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<AttendanceQuery>,
) -> AppResult<Json<Paged<Attendance>>> {
    let mut errors = Errors::default();
    let page = PageParams {
        page: q.page,
        limit: q.limit,
    }
    .parse(&mut errors.0);
    let filter = q.filter(&mut errors);
    errors.finish()?;
    service::list(&state, &session, filter, page)
        .await
        .map(Json)
}

#[utoipa::path(get, path = "/api/v1/users/{id}/attendance", tag = "attendance",
    params(("id" = String, Path, description = "User id"), AttendanceQuery),
    responses((status = 200, body = inline(Paged<Attendance>)), (status = 401, body = ErrorBody),
        (status = 403, description = "a non-admin asked for someone else", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn user_attendance(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
    Query(mut q): Query<AttendanceQuery>,
) -> AppResult<Json<Paged<Attendance>>> {
    // The user must exist here (and be visible to the caller): 404 or 403 otherwise.
    crate::users::service::get_visible(&state, &session, &id).await?;
    q.user_id = Some(id);
    list_attendance(State(state), session, Query(q)).await
}

#[utoipa::path(get, path = "/api/v1/attendance/{id}", tag = "attendance",
    params(("id" = String, Path, description = "Attendance id")),
    responses((status = 200, body = Attendance), (status = 401, body = ErrorBody),
        (status = 404, description = "missing, another organization's, or not yours", body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn get_attendance(
    State(state): State<AppState>,
    session: Session,
    Id(id): Id,
) -> AppResult<Json<Attendance>> {
    service::get(&state, &session, &id).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/attendance/today", tag = "attendance",
    responses((status = 200, body = Today), (status = 401, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn today(State(state): State<AppState>, session: Session) -> AppResult<Json<Today>> {
    reading::today(&state, &session).await.map(Json)
}

#[utoipa::path(get, path = "/api/v1/attendance/stats", tag = "attendance", params(AttendanceQuery),
    responses((status = 200, body = Stats), (status = 401, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<AppState>,
    session: Session,
    Query(q): Query<AttendanceQuery>,
) -> AppResult<Json<Stats>> {
    let mut errors = Errors::default();
    if q.page.is_some() || q.limit.is_some() {
        errors.push(FieldError::new("page", "statistics are not paginated"));
    }
    let filter = q.filter(&mut errors);
    errors.finish()?;
    reading::stats(&state, &session, filter).await.map(Json)
}
