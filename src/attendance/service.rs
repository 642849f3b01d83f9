//! The check-in and check-out rules: the one place they live. REST handlers and the
//! realtime door call `check_in` and `check_out`, which answer the committed record.

use chrono::{DateTime, Utc};

pub use super::checks::rules_of;
use super::checks::{check_location, match_site, notes, outside_window};
use super::model::{Attendance, AttendanceRow, CheckInRequest, CheckOutRequest, Status};
use super::rules::{format_day, format_minute, parse_day, working_minutes, OrgRules};
use super::store::{self, Filter};
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
    let rules = state.rules.get(&state.db, &session.org_id).await?;
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
        // Filled from `users` by the insert itself.
        user_name: String::new(),
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
    let written = if on_behalf || day_closed {
        let mut tx = state.db.pool().begin().await?;
        if day_closed {
            store::delete_absence(&mut tx, &session.org_id, &target, &row.date).await?;
        }
        let written = store::insert_check_in(&mut tx, &session.org_id, &row, minute)
            .await
            .map_err(conflict)?;
        if written.is_some() && on_behalf {
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
        written.map(|w| w.fill(row))
    } else {
        // The common case: written with other punches in one statement (`writer`).
        state
            .punches
            .check_in(&session.org_id, row, minute)
            .await
            .map_err(conflict)?
    };
    let Some(row) = written else {
        return Err(missing_user(state, &session.org_id, &target).await);
    };
    let record: Attendance = row.into();
    let (realtime, event) = (state.realtime.clone(), record.clone());
    tokio::spawn(async move { realtime.attendance_new(&event).await });
    Ok(record)
}

/// Why a check-in found no live, active user to insert for.
async fn missing_user(state: &AppState, org_id: &str, user_id: &str) -> AppError {
    match store::context(&state.db, org_id, user_id).await {
        Ok(Some(ctx)) if ctx.is_active == 0 => {
            AppError::Conflict("user_inactive", "this user is deactivated".into())
        }
        Ok(_) => AppError::NotFound("user"),
        Err(e) => e.into(),
    }
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
    let rules = state.rules.get(&state.db, &session.org_id).await?;
    let now = state.clock.now();
    let today = rules.local_day(now);
    let c = store::CheckOut {
        at_ms: now.timestamp_millis(),
        location: location.and_then(|l| serde_json::to_string(&l).ok()),
        notes,
        today: format_day(today),
        today_end_ms: rules.instant(today, rules.end).timestamp_millis(),
        owner: (!session.is_admin()).then(|| session.user_id.clone()),
    };
    let closed = if session.is_admin() {
        // An admin may close someone else's record, which is audited with the change.
        let mut tx = state.db.pool().begin().await?;
        let closed = store::check_out(&mut tx, &session.org_id, id, &c).await?;
        if let Some(row) = closed.as_ref().filter(|r| r.user_id != session.user_id) {
            crate::audit::record(
                &mut tx,
                &session.org_id,
                Some(&session.user_id),
                "checkout",
                "attendance",
                Some(id),
                serde_json::json!({"userId": row.user_id, "onBehalf": true}),
                client,
                c.at_ms,
            )
            .await?;
        }
        tx.commit().await?;
        closed
    } else {
        // The common case: written with other punches in one statement (`writer`).
        state.punches.check_out(&session.org_id, id, c).await?
    };
    match closed {
        Some(row) => {
            let record: Attendance = row.into();
            let (realtime, event) = (state.realtime.clone(), record.clone());
            tokio::spawn(async move { realtime.attendance_update(&event).await });
            Ok(record)
        }
        None => Err(why_not_closed(state, session, id).await),
    }
}

/// Why a check-out closed nothing: no such record (for this caller), or not open.
async fn why_not_closed(state: &AppState, session: &Session, id: &str) -> AppError {
    let mut conn = match state.db.pool().acquire().await {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    match store::get(&mut conn, &session.org_id, id).await {
        Ok(Some(r)) if session.is_admin() || r.user_id == session.user_id => {
            if r.check_in_time.is_none() {
                AppError::Conflict("not_checked_in", "this record has no check-in".into())
            } else {
                AppError::Conflict(
                    "already_checked_out",
                    "this record is already checked out".into(),
                )
            }
        }
        Ok(_) => AppError::NotFound("attendance"),
        Err(e) => e.into(),
    }
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
    limit_to_own(session, &mut filter)?;
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

/// Non-admins read only their own records: naming someone else is 403.
pub fn limit_to_own(session: &Session, filter: &mut Filter) -> AppResult<()> {
    if session.is_admin() {
        return Ok(());
    }
    match &filter.user_id {
        Some(u) if *u != session.user_id => Err(AppError::Forbidden(
            "you may only see your own attendance".into(),
        )),
        _ => {
            filter.user_id = Some(session.user_id.clone());
            Ok(())
        }
    }
}

/// `HH:MM` of an average minute, or none.
pub fn average_minute(avg: Option<f64>) -> Option<String> {
    avg.filter(|a| a.is_finite())
        .map(|a| format_minute(a.round() as i64))
}
