//! The check-in and check-out rules: the one place they live. REST handlers and the
//! realtime door call `check_in` and `check_out`, which answer the committed record.

use chrono::{DateTime, Utc};

pub use super::checks::rules_of;
use super::checks::{check_location, match_site, notes, outside_window};
use super::model::{Attendance, AttendanceRow, CheckInRequest, CheckOutRequest, Status};
use super::rules::{format_day, format_minute, parse_day, working_minutes, OrgRules};
use super::store::{self, Close, Filter};
use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{ClientInfo, Page, Paged};
use crate::store::{flag, is_unique_violation};
use crate::validate::Errors;

/// Checks the caller (or, for an admin, `input.userId`) in at the clock's instant.
pub async fn check_in(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    input: CheckInRequest,
) -> AppResult<Attendance> {
    let mut errors = Errors::default();
    let location = check_location("location", input.location.as_ref(), &mut errors);
    let notes = notes(input.notes.as_deref(), &mut errors);
    if let Some(s) = &input.site_id {
        if !crate::id::is_valid(s) {
            errors.push(FieldError::new(
                "siteId",
                "no such site in this organization",
            ));
        }
    }
    let target = input
        .user_id
        .clone()
        .unwrap_or_else(|| session.user_id.clone());
    let on_behalf = target != session.user_id;
    if on_behalf && !session.is_admin() {
        return Err(AppError::Forbidden(
            "only an admin may check someone else in".into(),
        ));
    }
    errors.finish()?;
    let location = location.ok_or_else(|| AppError::validation("location", "is required"))?;
    if !crate::id::is_valid(&target) {
        return Err(AppError::NotFound("user"));
    }
    let ctx = store::context(&state.db, &session.org_id, &target)
        .await?
        .ok_or(AppError::NotFound("user"))?;
    if ctx.is_active == 0 {
        return Err(AppError::Conflict(
            "user_inactive",
            "this user is deactivated".into(),
        ));
    }
    let rules = rules_of(&ctx.settings);
    let now = state.clock.now();
    // Admins may override the window (a late badge-in entered at the desk).
    if !session.is_admin() && !rules.in_window(now) {
        return Err(outside_window(&rules));
    }
    let site_id = if input.site_id.is_some() || rules.require_geofence {
        let enforce = !on_behalf;
        match_site(
            state,
            &session.org_id,
            &location,
            input.site_id.as_deref(),
            enforce,
        )
        .await?
    } else {
        None
    };
    let day = rules.local_day(now);
    let late = rules.is_late(now);
    let now_ms = now.timestamp_millis();
    let row = AttendanceRow {
        id: crate::id::new_id_at(now.timestamp()),
        organization_id: session.org_id.clone(),
        user_id: target.clone(),
        user_name: ctx.name,
        date: format_day(day),
        check_in_time: Some(now_ms),
        check_out_time: None,
        status: if late { Status::Late } else { Status::Present }
            .as_str()
            .into(),
        check_in_location: serde_json::to_string(&location).ok(),
        check_out_location: None,
        working_hours: None,
        is_late: flag(late),
        notes,
        site_id,
        auto_check_out: 0,
        corrected: 0,
        created_at: now_ms,
        updated_at: now_ms,
    };
    let minute = Some(rules.local_minute(now));
    let conflict = |e: sqlx::Error| -> AppError {
        if is_unique_violation(&e) {
            AppError::Conflict(
                "already_checked_in",
                "already checked in: check out the open record first".into(),
            )
        } else {
            e.into()
        }
    };
    let day_closed = now >= rules.closes_at(day);
    if on_behalf || day_closed {
        let mut tx = state.db.pool().begin().await?;
        if day_closed {
            store::delete_absence(&mut tx, &session.org_id, &target, &row.date).await?;
        }
        store::insert(&mut tx, &session.org_id, &row, minute)
            .await
            .map_err(conflict)?;
        if on_behalf {
            crate::audit::record(
                &mut tx,
                &session.org_id,
                Some(&session.user_id),
                "checkin",
                "attendance",
                Some(&row.id),
                serde_json::json!({"userId": target, "onBehalf": true}),
                client,
                now_ms,
            )
            .await?;
        }
        tx.commit().await?;
    } else {
        // The common case is one statement, with no transaction around it.
        let mut conn = state.db.pool().acquire().await?;
        store::insert(&mut conn, &session.org_id, &row, minute)
            .await
            .map_err(conflict)?;
    }
    Ok(row.into())
}

/// Status and minutes of a record closed at `out`.
pub fn closing(
    rules: &OrgRules,
    row: &AttendanceRow,
    check_in: DateTime<Utc>,
    out: DateTime<Utc>,
) -> (Status, i64) {
    let current = Status::parse(&row.status).unwrap_or(Status::Present);
    let early = parse_day(&row.date).is_some_and(|d| rules.is_early(d, out));
    (
        if early { Status::Early } else { current },
        working_minutes(check_in, out),
    )
}

/// Checks out the open record `id` (the caller's own, or anyone's for an admin).
pub async fn check_out(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    id: &str,
    input: CheckOutRequest,
) -> AppResult<Attendance> {
    let mut errors = Errors::default();
    let location = check_location("location", input.location.as_ref(), &mut errors);
    let notes = notes(input.notes.as_deref(), &mut errors);
    errors.finish()?;
    let found = store::get_with_settings(&state.db, &session.org_id, id)
        .await?
        .ok_or(AppError::NotFound("attendance"))?;
    let mut row = found.row;
    let on_behalf = row.user_id != session.user_id;
    if on_behalf && !session.is_admin() {
        return Err(AppError::NotFound("attendance"));
    }
    let Some(check_in) = row.check_in_time.map(crate::time::from_millis) else {
        return Err(AppError::Conflict(
            "not_checked_in",
            "this record has no check-in".into(),
        ));
    };
    if row.check_out_time.is_some() {
        return Err(AppError::Conflict(
            "already_checked_out",
            "this record is already checked out".into(),
        ));
    }
    let rules = rules_of(&found.settings);
    let now = state.clock.now();
    let (status, minutes) = closing(&rules, &row, check_in, now);
    let now_ms = now.timestamp_millis();
    let close = Close {
        check_out_time: now_ms,
        location: location.and_then(|l| serde_json::to_string(&l).ok()),
        working_hours: minutes,
        status: status.as_str(),
        notes: notes.as_deref(),
        auto: false,
        now_ms,
    };
    let already_out = || {
        AppError::Conflict(
            "already_checked_out",
            "this record is already checked out".into(),
        )
    };
    if on_behalf {
        let mut tx = state.db.pool().begin().await?;
        if !store::close(&mut tx, &session.org_id, id, &close).await? {
            return Err(already_out());
        }
        crate::audit::record(
            &mut tx,
            &session.org_id,
            Some(&session.user_id),
            "checkout",
            "attendance",
            Some(id),
            serde_json::json!({"userId": row.user_id, "onBehalf": true}),
            client,
            now_ms,
        )
        .await?;
        tx.commit().await?;
    } else {
        // One conditional UPDATE needs no transaction around it.
        let mut conn = state.db.pool().acquire().await?;
        if !store::close(&mut conn, &session.org_id, id, &close).await? {
            return Err(already_out());
        }
    }
    row.check_out_time = Some(now_ms);
    row.check_out_location = close.location;
    row.working_hours = Some(minutes);
    row.status = status.as_str().into();
    if notes.is_some() {
        row.notes = notes;
    }
    row.updated_at = now_ms;
    Ok(row.into())
}

/// A record as the caller may see it: admins any in the organization, others their own.
pub async fn get(state: &AppState, session: &Session, id: &str) -> AppResult<Attendance> {
    let mut conn = state.db.pool().acquire().await?;
    match store::get(&mut conn, &session.org_id, id).await? {
        Some(r) if session.is_admin() || r.user_id == session.user_id => Ok(r.into()),
        _ => Err(AppError::NotFound("attendance")),
    }
}

pub async fn list(
    state: &AppState,
    session: &Session,
    mut filter: Filter,
    page: Page,
) -> AppResult<Paged<Attendance>> {
    if !session.is_admin() {
        match &filter.user_id {
            Some(u) if *u != session.user_id => {
                return Err(AppError::Forbidden(
                    "you may only see your own attendance".into(),
                ))
            }
            _ => filter.user_id = Some(session.user_id.clone()),
        }
    }
    let (rows, total) = store::list(
        &state.db,
        &session.org_id,
        &filter,
        page.limit,
        page.offset(),
    )
    .await?;
    Ok(Paged::new(
        rows.into_iter().map(Attendance::from).collect(),
        page,
        total,
    ))
}

/// `HH:MM` of an average minute, or none.
pub fn average_minute(avg: Option<f64>) -> Option<String> {
    avg.filter(|a| a.is_finite())
        .map(|a| format_minute(a.round() as i64))
}
