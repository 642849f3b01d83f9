//! Shared steps of the attendance tests: instants, locations, settings, punches.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, Member, TestApp};

/// A server whose access tokens outlive the days these tests move the clock across.
pub async fn spawn() -> TestApp {
    spawn_app_with(|c| c.access_token_ttl = std::time::Duration::from_secs(3 * 366 * 86_400)).await
}

/// An instant from RFC 3339 text with any offset.
pub fn at(s: &str) -> DateTime<Utc> {
    rollcall::time::parse(s).unwrap_or_else(|| panic!("bad instant {s}"))
}

/// A point in Bengaluru, and points due north of it at a distance in meters.
pub const BASE: (f64, f64) = (12.9716, 77.5946);

pub fn north_of_base(meters: f64) -> Value {
    json!({"latitude": BASE.0 + meters / 111_195.0, "longitude": BASE.1})
}

pub fn here() -> Value {
    north_of_base(0.0)
}

/// Registers an organization with the clock at `when` (its creation day matters to
/// the absence job), then applies `settings`.
pub async fn org_at(app: &TestApp, when: &str, name: &str, settings: Value) -> Member {
    app.clock.set(at(when));
    let admin = app.register_org(name).await;
    if settings != json!({}) {
        set_settings(app, &admin, settings).await;
    }
    admin
}

pub async fn set_settings(app: &TestApp, admin: &Member, settings: Value) {
    let (status, body) = app
        .put(
            "/api/v1/organization",
            &admin.token,
            json!({ "settings": settings }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "settings refused: {body}");
}

pub async fn try_check_in(app: &TestApp, m: &Member, body: Value) -> (StatusCode, Value) {
    app.post("/api/v1/attendance/checkin", Some(&m.token), body)
        .await
}

/// Checks `m` in at the current clock; returns the record.
pub async fn check_in(app: &TestApp, m: &Member) -> Value {
    let (status, body) = try_check_in(app, m, json!({"location": here()})).await;
    assert_eq!(status, StatusCode::CREATED, "check-in failed: {body}");
    body
}

pub async fn try_check_out(app: &TestApp, m: &Member, id: &str) -> (StatusCode, Value) {
    app.put(
        &format!("/api/v1/attendance/{id}/checkout"),
        &m.token,
        json!({"location": here()}),
    )
    .await
}

pub async fn check_out(app: &TestApp, m: &Member, id: &str) -> Value {
    let (status, body) = try_check_out(app, m, id).await;
    assert_eq!(status, StatusCode::OK, "check-out failed: {body}");
    body
}

/// A morning's work that ends at lunch: `m` checks in at 09:00 on `day` (in the
/// +05:30 zone the tests' organizations use) and out at 13:00, and the clock is left
/// at 14:00, back from lunch. Returns the morning's record.
pub async fn morning_before_lunch(app: &TestApp, m: &Member, day: &str) -> Value {
    app.clock.set(at(&format!("{day}T09:00:00+05:30")));
    let morning = check_in(app, m).await;
    app.clock.set(at(&format!("{day}T13:00:00+05:30")));
    check_out(app, m, &id_of(&morning)).await;
    app.clock.set(at(&format!("{day}T14:00:00+05:30")));
    morning
}

pub fn id_of(v: &Value) -> String {
    v["_id"].as_str().expect("an _id").to_string()
}
