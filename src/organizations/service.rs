//! Rules for organizations: settings validation and the admin's update.

use serde::Deserialize;
use utoipa::ToSchema;

use super::model::{AttendanceWindow, Organization, Settings, WEEKDAYS};
use super::store;
use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::ClientInfo;
use crate::validate::{self, Errors};

/// A local time of day, `HH:MM` (24-hour).
pub fn parse_hhmm(field: &str, raw: &str) -> Result<chrono::NaiveTime, FieldError> {
    let bad = || FieldError::new(field, "must be a time of day as HH:MM, like 09:00");
    if raw.len() != 5 {
        return Err(bad());
    }
    chrono::NaiveTime::parse_from_str(raw, "%H:%M").map_err(|_| bad())
}

/// An IANA timezone name.
pub fn parse_timezone(field: &str, raw: &str) -> Result<chrono_tz::Tz, FieldError> {
    raw.parse::<chrono_tz::Tz>()
        .map_err(|_| FieldError::new(field, "must be an IANA timezone name, like Asia/Kolkata"))
}

/// Checks a whole settings document.
pub fn check_settings(s: &Settings, errors: &mut Errors) {
    let start = errors.take(parse_hhmm(
        "settings.workingHours.start",
        &s.working_hours.start,
    ));
    let end = errors.take(parse_hhmm(
        "settings.workingHours.end",
        &s.working_hours.end,
    ));
    if let (Some(start), Some(end)) = (start, end) {
        if end <= start {
            errors.push(FieldError::new(
                "settings.workingHours.end",
                "must be after start",
            ));
        }
    }
    if !(0..=720).contains(&s.late_threshold) {
        errors.push(FieldError::new(
            "settings.lateThreshold",
            "must be between 0 and 720 minutes",
        ));
    }
    errors.take(parse_timezone("settings.timezone", &s.timezone));
    check_attendance_settings(s, errors);
}

/// The attendance rules' settings: working days, window, closing, auto check-out.
fn check_attendance_settings(s: &Settings, errors: &mut Errors) {
    if s.working_days
        .iter()
        .any(|d| !WEEKDAYS.contains(&d.as_str()))
    {
        errors.push(FieldError::new(
            "settings.workingDays",
            "must list lowercase day names, like monday",
        ));
    }
    let mut seen = s.working_days.clone();
    seen.sort();
    seen.dedup();
    if seen.len() != s.working_days.len() {
        errors.push(FieldError::new(
            "settings.workingDays",
            "must not repeat a day",
        ));
    }
    if let Some(w) = &s.attendance_window {
        let start = errors.take(parse_hhmm("settings.attendanceWindow.start", &w.start));
        let end = errors.take(parse_hhmm("settings.attendanceWindow.end", &w.end));
        if start.is_some() && start == end {
            errors.push(FieldError::new(
                "settings.attendanceWindow.end",
                "must differ from start",
            ));
        }
    }
    if !(0..=1440).contains(&s.absent_after) {
        errors.push(FieldError::new(
            "settings.absentAfter",
            "must be between 0 and 1440 minutes",
        ));
    }
    if let Some(t) = &s.auto_check_out {
        errors.take(parse_hhmm("settings.autoCheckOut", t));
    }
    if !WEEKDAYS.contains(&s.week_start.as_str()) {
        errors.push(FieldError::new(
            "settings.weekStart",
            "must be a lowercase day name, like monday",
        ));
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct WorkingHoursPatch {
    pub start: Option<String>,
    pub end: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SettingsPatch {
    pub working_hours: Option<WorkingHoursPatch>,
    pub late_threshold: Option<i64>,
    pub timezone: Option<String>,
    pub working_days: Option<Vec<String>>,
    /// `null` removes the window.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<AttendanceWindow>)]
    pub attendance_window: Option<Option<AttendanceWindow>>,
    pub absent_after: Option<i64>,
    /// `null` turns automatic check-out off.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub auto_check_out: Option<Option<String>>,
    pub require_geofence: Option<bool>,
    pub week_start: Option<String>,
}

/// Tells a field set to `null` (Some(None)) from a field left out (None).
fn double_option<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// `PUT /organization`: every field optional; settings merge into the current ones.
/// The subscription is not the admin's to change here.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct UpdateOrganization {
    pub name: Option<String>,
    /// A unique domain (e.g. `acme.com`); empty string clears it.
    pub domain: Option<String>,
    pub settings: Option<SettingsPatch>,
}

pub async fn get(state: &AppState, org_id: &str) -> AppResult<Organization> {
    store::get(&state.db, org_id)
        .await?
        .map(Organization::from)
        .ok_or(AppError::NotFound("organization"))
}

pub async fn update(
    state: &AppState,
    session: &Session,
    client: &ClientInfo,
    patch: UpdateOrganization,
) -> AppResult<Organization> {
    let now_ms = state.clock.now().timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    let before: Organization = store::get_in(&mut tx, &session.org_id)
        .await?
        .map(Organization::from)
        .ok_or(AppError::NotFound("organization"))?;
    let mut errors = Errors::default();
    let name = match &patch.name {
        Some(n) => errors.take(validate::name("name", n, 200)),
        None => Some(before.name.clone()),
    };
    let domain = match &patch.domain {
        Some(d) if d.trim().is_empty() => None,
        Some(d) => errors.take(check_domain(d)),
        None => before.domain.clone(),
    };
    let mut settings = before.settings.clone();
    if let Some(p) = &patch.settings {
        if let Some(wh) = &p.working_hours {
            if let Some(s) = &wh.start {
                settings.working_hours.start = s.clone();
            }
            if let Some(e) = &wh.end {
                settings.working_hours.end = e.clone();
            }
        }
        if let Some(t) = p.late_threshold {
            settings.late_threshold = t;
        }
        if let Some(tz) = &p.timezone {
            settings.timezone = tz.clone();
        }
        apply_attendance_patch(&mut settings, p);
    }
    check_settings(&settings, &mut errors);
    errors.finish()?;
    let name = name.unwrap_or_default();
    let result = store::update(
        &mut tx,
        &session.org_id,
        &name,
        domain.as_deref(),
        &settings,
        now_ms,
    )
    .await;
    if let Err(e) = result {
        return Err(if crate::store::is_unique_violation(&e) {
            AppError::Conflict(
                "domain_taken",
                "another organization uses this domain".into(),
            )
        } else {
            e.into()
        });
    }
    let after_settings = serde_json::to_value(&settings).unwrap_or_default();
    crate::audit::record(
        &mut tx,
        &session.org_id,
        Some(&session.user_id),
        "settings_changed",
        "organization",
        Some(&session.org_id),
        serde_json::json!({
            "before": {"name": before.name, "domain": before.domain, "settings": before.settings},
            "after": {"name": name, "domain": domain, "settings": after_settings},
        }),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    state.rules.forget(&session.org_id);
    get(state, &session.org_id).await
}

fn apply_attendance_patch(settings: &mut Settings, p: &SettingsPatch) {
    if let Some(v) = &p.working_days {
        settings.working_days = v.iter().map(|d| d.trim().to_ascii_lowercase()).collect();
    }
    if let Some(v) = &p.attendance_window {
        settings.attendance_window = v.clone();
    }
    if let Some(v) = p.absent_after {
        settings.absent_after = v;
    }
    if let Some(v) = &p.auto_check_out {
        settings.auto_check_out = v.clone();
    }
    if let Some(v) = p.require_geofence {
        settings.require_geofence = v;
    }
    if let Some(v) = &p.week_start {
        settings.week_start = v.trim().to_ascii_lowercase();
    }
}

fn check_domain(raw: &str) -> Result<String, FieldError> {
    let d = raw.trim().to_ascii_lowercase();
    let ok = d.len() <= 253
        && d.contains('.')
        && d.split('.').all(|label| {
            !label.is_empty()
                && label.len() <= 63
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        });
    if ok {
        Ok(d)
    } else {
        Err(FieldError::new(
            "domain",
            "must be a domain name, like acme.com",
        ))
    }
}
