//! Rules for holidays: a valid day and name, one holiday per day.

use super::model::{Holiday, HolidayRequest, HolidayRow};
use super::store;
use crate::app::AppState;
use crate::attendance::rules::{format_day, parse_day};
use crate::error::{AppError, AppResult, FieldError};
use crate::validate::{self, Errors};

pub fn day_field(field: &str, raw: &str) -> Result<String, FieldError> {
    parse_day(raw)
        .map(format_day)
        .ok_or_else(|| FieldError::new(field, "must be a day as YYYY-MM-DD"))
}

pub async fn list(
    state: &AppState,
    org_id: &str,
    from: Option<&str>,
    to: Option<&str>,
) -> AppResult<Vec<Holiday>> {
    let mut errors = Errors::default();
    let from = from.and_then(|f| errors.take(day_field("from", f)));
    let to = to.and_then(|t| errors.take(day_field("to", t)));
    errors.finish()?;
    Ok(
        store::list(&state.db, org_id, from.as_deref(), to.as_deref())
            .await?
            .into_iter()
            .map(Holiday::from)
            .collect(),
    )
}

pub async fn get(state: &AppState, org_id: &str, id: &str) -> AppResult<Holiday> {
    store::get(&state.db, org_id, id)
        .await?
        .map(Holiday::from)
        .ok_or(AppError::NotFound("holiday"))
}

fn taken(e: sqlx::Error) -> AppError {
    if crate::store::is_unique_violation(&e) {
        AppError::Conflict(
            "holiday_exists",
            "there is already a holiday on this day".into(),
        )
    } else {
        e.into()
    }
}

/// Merges and validates; `base` is the stored holiday on update.
fn merge(
    base: Option<HolidayRow>,
    req: HolidayRequest,
    id: String,
    now_ms: i64,
) -> AppResult<HolidayRow> {
    let mut errors = Errors::default();
    let date = match (&req.date, &base) {
        (Some(d), _) => errors.take(day_field("date", d)),
        (None, Some(b)) => Some(b.date.clone()),
        (None, None) => errors.take(Err(FieldError::new("date", "is required"))),
    };
    let name = match (&req.name, &base) {
        (Some(n), _) => errors.take(validate::name("name", n, 200)),
        (None, Some(b)) => Some(b.name.clone()),
        (None, None) => errors.take(Err(FieldError::new("name", "is required"))),
    };
    errors.finish()?;
    Ok(HolidayRow {
        id,
        organization_id: String::new(),
        date: date.unwrap_or_default(),
        name: name.unwrap_or_default(),
        created_at: base.map(|b| b.created_at).unwrap_or(now_ms),
        updated_at: now_ms,
    })
}

pub async fn create(state: &AppState, org_id: &str, req: HolidayRequest) -> AppResult<Holiday> {
    let now = state.clock.now();
    let id = crate::id::new_id_at(now.timestamp());
    let row = merge(None, req, id.clone(), now.timestamp_millis())?;
    store::insert(&state.db, org_id, &row)
        .await
        .map_err(taken)?;
    get(state, org_id, &id).await
}

pub async fn update(
    state: &AppState,
    org_id: &str,
    id: &str,
    req: HolidayRequest,
) -> AppResult<Holiday> {
    let base = store::get(&state.db, org_id, id)
        .await?
        .ok_or(AppError::NotFound("holiday"))?;
    let row = merge(
        Some(base),
        req,
        id.to_string(),
        state.clock.now().timestamp_millis(),
    )?;
    if !store::update(&state.db, org_id, &row)
        .await
        .map_err(taken)?
    {
        return Err(AppError::NotFound("holiday"));
    }
    get(state, org_id, id).await
}

pub async fn delete(state: &AppState, org_id: &str, id: &str) -> AppResult<()> {
    if store::delete(&state.db, org_id, id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound("holiday"))
    }
}
