//! The organization settings attendance adds: defaults (also for rows written before
//! they existed), validation, clearing with null; and the OpenAPI document listing
//! every attendance endpoint with its errors.

use reqwest::StatusCode;
use serde_json::json;

use crate::attendance_helpers::*;
use crate::helpers::{assert_error, json_of};

#[tokio::test]
async fn attendance_settings_have_defaults_even_for_old_rows() {
    let app = spawn().await;
    let admin = app.register_org("Defaults").await;
    let (_, org) = app.get("/api/v1/organization", &admin.token).await;
    let s = &org["settings"];
    assert_eq!(
        s["workingDays"],
        json!(["monday", "tuesday", "wednesday", "thursday", "friday"])
    );
    assert!(
        s["attendanceWindow"].is_null() && s["autoCheckOut"].is_null(),
        "{s}"
    );
    assert_eq!(
        (s["absentAfter"].as_i64(), s["requireGeofence"].as_bool()),
        (Some(120), Some(false))
    );
    assert_eq!(s["weekStart"], "monday");
    // A row written before these settings existed.
    sqlx::query("UPDATE organizations SET settings = $1 WHERE id = $2")
        .bind(r#"{"workingHours":{"start":"08:00","end":"17:00"},"lateThreshold":5,"timezone":"UTC"}"#)
        .bind(&admin.org_id)
        .execute(app.state.db.pool())
        .await
        .unwrap();
    let (_, org) = app.get("/api/v1/organization", &admin.token).await;
    assert_eq!(org["settings"]["workingHours"]["start"], "08:00");
    assert_eq!(org["settings"]["absentAfter"], 120);
    assert_eq!(org["settings"]["workingDays"].as_array().unwrap().len(), 5);
    set_settings(
        &app,
        &admin,
        json!({"workingDays": ["Monday", "saturday"], "attendanceWindow": {"start": "22:00", "end": "06:00"},
               "absentAfter": 30, "autoCheckOut": "23:30", "requireGeofence": true, "weekStart": "sunday"}),
    )
    .await;
    let (_, org) = app.get("/api/v1/organization", &admin.token).await;
    let s = &org["settings"];
    assert_eq!(s["workingDays"], json!(["monday", "saturday"]));
    assert_eq!(
        s["attendanceWindow"],
        json!({"start": "22:00", "end": "06:00"})
    );
    assert_eq!(
        (s["autoCheckOut"].as_str(), s["weekStart"].as_str()),
        (Some("23:30"), Some("sunday"))
    );
    set_settings(
        &app,
        &admin,
        json!({"autoCheckOut": null, "attendanceWindow": null}),
    )
    .await;
    let (_, org) = app.get("/api/v1/organization", &admin.token).await;
    assert!(
        org["settings"]["autoCheckOut"].is_null() && org["settings"]["attendanceWindow"].is_null()
    );
    assert_eq!(org["settings"]["requireGeofence"], true);
}

#[tokio::test]
async fn bad_attendance_settings_are_422_naming_the_field() {
    let app = spawn().await;
    let admin = app.register_org("BadRules").await;
    for (settings, field) in [
        (json!({"workingDays": ["funday"]}), "settings.workingDays"),
        (
            json!({"workingDays": ["monday", "monday"]}),
            "settings.workingDays",
        ),
        (
            json!({"attendanceWindow": {"start": "7am", "end": "10:00"}}),
            "settings.attendanceWindow.start",
        ),
        (
            json!({"attendanceWindow": {"start": "09:00", "end": "09:00"}}),
            "settings.attendanceWindow.end",
        ),
        (json!({"absentAfter": 1441}), "settings.absentAfter"),
        (json!({"absentAfter": -5}), "settings.absentAfter"),
        (json!({"autoCheckOut": "25:00"}), "settings.autoCheckOut"),
        (json!({"weekStart": "someday"}), "settings.weekStart"),
        (
            json!({"requireGeofence": "yes"}),
            "settings.requireGeofence",
        ),
    ] {
        let (status, body) = app
            .put(
                "/api/v1/organization",
                &admin.token,
                json!({ "settings": settings }),
            )
            .await;
        assert_error(status, &body, 422, "validation_failed");
        assert_eq!(
            body["error"]["details"][0]["field"], field,
            "{settings}: {body}"
        );
    }
}

#[tokio::test]
async fn the_openapi_document_lists_every_attendance_endpoint_with_its_errors() {
    let app = spawn().await;
    let (status, doc) = json_of(
        app.client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/v1/attendance", "get"),
        ("/api/v1/attendance/checkin", "post"),
        ("/api/v1/attendance/{id}/checkout", "put"),
        ("/api/v1/attendance/{id}", "get"),
        ("/api/v1/attendance/today", "get"),
        ("/api/v1/attendance/stats", "get"),
        ("/api/v1/users/{id}/attendance", "get"),
        ("/api/v1/attendance/corrections", "get"),
        ("/api/v1/attendance/corrections", "post"),
        ("/api/v1/attendance/corrections/{id}", "get"),
        ("/api/v1/attendance/corrections/{id}/approve", "post"),
        ("/api/v1/attendance/corrections/{id}/reject", "post"),
        ("/api/v1/sites", "get"),
        ("/api/v1/sites", "post"),
        ("/api/v1/sites/{id}", "put"),
        ("/api/v1/sites/{id}", "delete"),
        ("/api/v1/holidays", "get"),
        ("/api/v1/holidays", "post"),
        ("/api/v1/holidays/{id}", "put"),
        ("/api/v1/holidays/{id}", "delete"),
    ] {
        let op = &paths[path][method];
        assert!(
            op.is_object(),
            "{method} {path} missing from the OpenAPI document"
        );
        assert!(
            op["responses"]["401"].is_object(),
            "{method} {path} does not document 401"
        );
    }
    let checkin = &paths["/api/v1/attendance/checkin"]["post"]["responses"];
    for code in ["201", "400", "403", "404", "409", "415", "422"] {
        assert!(
            checkin[code].is_object(),
            "check-in does not document {code}"
        );
    }
    for schema in [
        "Attendance",
        "Site",
        "Holiday",
        "Correction",
        "Stats",
        "Today",
        "Settings",
    ] {
        assert!(
            doc["components"]["schemas"][schema].is_object(),
            "{schema} schema missing"
        );
    }
}
