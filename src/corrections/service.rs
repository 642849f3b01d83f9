//! Rules for correction requests: what a user may ask for, and what approval does to
//! the day's record (in one transaction with the audit entry).

use chrono::{DateTime, Utc};

use super::apply::{corrected, target};
use super::model::{Correction, CorrectionRow, CreateCorrection, Review};
use super::store;
use crate::app::AppState;
use crate::attendance::model::AttendanceRow;
use crate::attendance::rules::{parse_day, OrgRules};
use crate::attendance::service::rules_of;
use crate::attendance::store as records;
use crate::auth::Session;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::{ClientInfo, Page, Paged};
use crate::store::is_unique_violation;
use crate::time::from_millis;
use crate::validate::{self, Errors};

fn instant(field: &str, raw: Option<&str>, errors: &mut Errors) -> Option<DateTime<Utc>> {
    let raw = raw?;
    errors.take(crate::time::parse(raw).ok_or_else(|| {
        FieldError::new(
            field,
            "must be an RFC 3339 instant, like 2026-11-25T09:03:00.000Z",
        )
    }))
}

async fn org_rules(state: &AppState, org_id: &str) -> AppResult<OrgRules> {
    let settings: String = sqlx::query_scalar("SELECT settings FROM organizations WHERE id = $1")
        .bind(org_id)
        .fetch_optional(state.db.pool())
        .await?
        .ok_or(AppError::NotFound("organization"))?;
    Ok(rules_of(&settings))
}

/// A user asks for a correction of their own day.
pub async fn create(
    state: &AppState,
    session: &Session,
    input: CreateCorrection,
) -> AppResult<Correction> {
    let rules = org_rules(state, &session.org_id).await?;
    let now = state.clock.now();
    let mut errors = Errors::default();
    let day = errors.take(
        parse_day(&input.date)
            .ok_or_else(|| FieldError::new("date", "must be a day as YYYY-MM-DD")),
    );
    let check_in = instant("checkInTime", input.check_in_time.as_deref(), &mut errors);
    let check_out = instant("checkOutTime", input.check_out_time.as_deref(), &mut errors);
    let reason = errors.take(validate::name("reason", &input.reason, 1000));
    if input.check_in_time.is_none() && input.check_out_time.is_none() {
        errors.push(FieldError::new(
            "checkInTime",
            "give checkInTime, checkOutTime or both",
        ));
    }
    if let Some(d) = day {
        if d > rules.local_day(now) {
            errors.push(FieldError::new("date", "must not be in the future"));
        }
        if check_in.is_some_and(|t| rules.local_day(t) != d) {
            errors.push(FieldError::new(
                "checkInTime",
                "must fall on the given date",
            ));
        }
    }
    for (field, t) in [("checkInTime", check_in), ("checkOutTime", check_out)] {
        if t.is_some_and(|t| t > now) {
            errors.push(FieldError::new(field, "must not be in the future"));
        }
    }
    if let (Some(i), Some(o)) = (check_in, check_out) {
        if o <= i {
            errors.push(FieldError::new("checkOutTime", "must be after checkInTime"));
        }
    }
    if let Some(a) = &input.attendance_id {
        if !crate::id::is_valid(a) {
            errors.push(FieldError::new("attendanceId", "no such record of yours"));
        }
    }
    errors.finish()?;
    if let Some(a) = &input.attendance_id {
        let mut conn = state.db.pool().acquire().await?;
        match records::get(&mut conn, &session.org_id, a).await? {
            Some(r) if r.user_id == session.user_id && r.date == input.date => {}
            _ => {
                return Err(AppError::validation(
                    "attendanceId",
                    "no such record of yours on that date",
                ))
            }
        }
    }
    let now_ms = now.timestamp_millis();
    let row = CorrectionRow {
        id: crate::id::new_id_at(now.timestamp()),
        organization_id: session.org_id.clone(),
        user_id: session.user_id.clone(),
        attendance_id: input.attendance_id,
        date: input.date,
        check_in_time: check_in.map(|t| t.timestamp_millis()),
        check_out_time: check_out.map(|t| t.timestamp_millis()),
        reason: reason.unwrap_or_default(),
        status: "pending".into(),
        reviewed_by: None,
        reviewed_at: None,
        review_note: None,
        created_at: now_ms,
        updated_at: now_ms,
    };
    store::insert(&state.db, &session.org_id, &row).await?;
    Ok(row.into())
}

pub async fn get(state: &AppState, session: &Session, id: &str) -> AppResult<Correction> {
    let mut conn = state.db.pool().acquire().await?;
    match store::get(&mut conn, &session.org_id, id).await? {
        Some(r) if session.is_admin() || r.user_id == session.user_id => Ok(r.into()),
        _ => Err(AppError::NotFound("correction")),
    }
}

pub async fn list(
    state: &AppState,
    session: &Session,
    user_id: Option<String>,
    status: Option<String>,
    page: Page,
) -> AppResult<Paged<Correction>> {
    let user_id = if session.is_admin() {
        user_id
    } else {
        Some(session.user_id.clone())
    };
    let (rows, total) = store::list(
        &state.db,
        &session.org_id,
        user_id.as_deref(),
        status.as_deref(),
        page.limit,
        page.offset(),
    )
    .await?;
    Ok(Paged::new(
        rows.into_iter().map(Correction::from).collect(),
        page,
        total,
    ))
}

fn not_pending() -> AppError {
    AppError::Conflict(
        "correction_not_pending",
        "this correction request was already reviewed".into(),
    )
}

fn review_note(review: &Review) -> AppResult<Option<String>> {
    validate::optional_text("note", review.note.as_deref(), 1000)
        .map_err(|e| AppError::Validation(vec![e]))
}

/// An admin approves: the record is created or amended, and audited with before/after.
pub async fn approve(
    state: &AppState,
    admin: &Session,
    client: &ClientInfo,
    id: &str,
    review: Review,
) -> AppResult<Correction> {
    let note = review_note(&review)?;
    let rules = org_rules(state, &admin.org_id).await?;
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    let c = store::get(&mut tx, &admin.org_id, id)
        .await?
        .ok_or(AppError::NotFound("correction"))?;
    if c.status != "pending" {
        return Err(not_pending());
    }
    let before = target(&mut tx, &c).await?;
    let existed = before.is_some();
    let name: String =
        sqlx::query_scalar("SELECT name FROM users WHERE organization_id = $1 AND id = $2")
            .bind(&admin.org_id)
            .bind(&c.user_id)
            .fetch_optional(&mut *tx)
            .await?
            .unwrap_or_default();
    let mut after = corrected(&rules, &c, before.clone(), name, now_ms)?;
    // Late by the clock, but not the day's first check-in: coming back is not late.
    if let (1, Some(at)) = (after.is_late, after.check_in_time) {
        if records::came_in_earlier(&mut tx, &after, at).await? {
            after.set_late(false);
        }
    }
    let minute = after
        .check_in_time
        .map(|t| rules.local_minute(from_millis(t)));
    let open_conflict = |e: sqlx::Error| {
        if is_unique_violation(&e) {
            AppError::Conflict(
                "already_checked_in",
                "the user has another open record; close it first".into(),
            )
        } else {
            e.into()
        }
    };
    if existed {
        records::rewrite(&mut tx, &admin.org_id, &after, minute)
            .await
            .map_err(open_conflict)?;
    } else {
        records::insert(&mut tx, &admin.org_id, &after, minute)
            .await
            .map_err(open_conflict)?;
    }
    if !store::settle(
        &mut tx,
        &admin.org_id,
        id,
        "approved",
        Some(&after.id),
        &admin.user_id,
        note.as_deref(),
        now_ms,
    )
    .await?
    {
        return Err(not_pending());
    }
    let snapshot = |r: &AttendanceRow| {
        serde_json::json!({"checkInTime": r.check_in_time.map(|t| crate::time::format(&from_millis(t))),
            "checkOutTime": r.check_out_time.map(|t| crate::time::format(&from_millis(t))),
            "status": r.status, "workingHours": r.working_hours, "isLate": r.is_late != 0})
    };
    crate::audit::record(
        &mut tx,
        &admin.org_id,
        Some(&admin.user_id),
        "attendance_corrected",
        "attendance",
        Some(&after.id),
        serde_json::json!({"correctionId": id, "userId": c.user_id, "date": c.date,
            "before": before.as_ref().map(snapshot), "after": snapshot(&after)}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    let record = crate::attendance::Attendance::from(after);
    if before.is_some() {
        state.realtime.attendance_update(&record).await;
    } else {
        state.realtime.attendance_new(&record).await;
    }
    get(state, admin, id).await
}

/// An admin rejects; nothing else changes.
pub async fn reject(
    state: &AppState,
    admin: &Session,
    client: &ClientInfo,
    id: &str,
    review: Review,
) -> AppResult<Correction> {
    let note = review_note(&review)?;
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    let c = store::get(&mut tx, &admin.org_id, id)
        .await?
        .ok_or(AppError::NotFound("correction"))?;
    if !store::settle(
        &mut tx,
        &admin.org_id,
        id,
        "rejected",
        None,
        &admin.user_id,
        note.as_deref(),
        now_ms,
    )
    .await?
    {
        return Err(not_pending());
    }
    crate::audit::record(
        &mut tx,
        &admin.org_id,
        Some(&admin.user_id),
        "correction_rejected",
        "attendance_correction",
        Some(id),
        serde_json::json!({"userId": c.user_id, "date": c.date, "note": note}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    get(state, admin, id).await
}
