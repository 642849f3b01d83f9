//! `GET/PUT /organization`: settings validation, roles, the seat limit.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app, spawn_app_with};

#[tokio::test]
async fn admin_updates_settings_and_they_merge() {
    let app = spawn_app().await;
    let admin = app.register_org("Settings").await;
    let (status, org) = app
        .put(
            "/api/v1/organization",
            &admin.token,
            json!({"name": "Settings Inc", "domain": "Settings.example",
                   "settings": {"workingHours": {"start": "08:30"}, "lateThreshold": 10}}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{org}");
    assert_eq!(org["name"], "Settings Inc");
    assert_eq!(org["domain"], "settings.example");
    assert_eq!(
        org["settings"]["workingHours"],
        json!({"start": "08:30", "end": "18:00"})
    );
    assert_eq!(org["settings"]["lateThreshold"], 10);
    assert_eq!(org["settings"]["timezone"], "Asia/Kolkata");
    let (_, again) = app.get("/api/v1/organization", &admin.token).await;
    assert_eq!(again, org);
}

#[tokio::test]
async fn bad_settings_are_422_and_change_nothing() {
    let app = spawn_app().await;
    let admin = app.register_org("BadSettings").await;
    let (_, before) = app.get("/api/v1/organization", &admin.token).await;
    for (patch, field) in [
        (
            json!({"settings": {"timezone": "Nowhere/City"}}),
            "settings.timezone",
        ),
        (
            json!({"settings": {"workingHours": {"start": "9am"}}}),
            "settings.workingHours.start",
        ),
        (
            json!({"settings": {"workingHours": {"start": "25:00"}}}),
            "settings.workingHours.start",
        ),
        (
            json!({"settings": {"workingHours": {"start": "19:00"}}}),
            "settings.workingHours.end",
        ),
        (
            json!({"settings": {"lateThreshold": 721}}),
            "settings.lateThreshold",
        ),
        (
            json!({"settings": {"lateThreshold": -1}}),
            "settings.lateThreshold",
        ),
        (
            json!({"settings": {"lateThreshold": "ten"}}),
            "settings.lateThreshold",
        ),
        (json!({"subscription": {"maxUsers": 100000}}), ""),
        (json!({"name": ""}), "name"),
        (json!({"domain": "not a domain"}), "domain"),
    ] {
        let (status, body) = app
            .put("/api/v1/organization", &admin.token, patch.clone())
            .await;
        assert_error(status, &body, 422, "validation_failed");
        if !field.is_empty() {
            assert_eq!(
                body["error"]["details"][0]["field"], field,
                "{patch}: {body}"
            );
        }
    }
    let (_, after) = app.get("/api/v1/organization", &admin.token).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn members_read_but_only_admins_change_the_organization() {
    let app = spawn_app().await;
    let admin = app.register_org("Roles").await;
    let emp = app.add_member(&admin, "Emp", "employee").await;
    let (status, org) = app.get("/api/v1/organization", &emp.token).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(org["_id"], admin.org_id);
    let (status, body) = app
        .put("/api/v1/organization", &emp.token, json!({"name": "Mine"}))
        .await;
    assert_error(status, &body, 403, "forbidden");
}

#[tokio::test]
async fn a_domain_belongs_to_one_organization() {
    let app = spawn_app().await;
    let a = app.register_org("A").await;
    let b = app.register_org("B").await;
    assert_eq!(
        app.put(
            "/api/v1/organization",
            &a.token,
            json!({"domain": "acme.com"})
        )
        .await
        .0,
        StatusCode::OK
    );
    let (status, body) = app
        .put(
            "/api/v1/organization",
            &b.token,
            json!({"domain": "acme.com"}),
        )
        .await;
    assert_error(status, &body, 409, "domain_taken");
}

#[tokio::test]
async fn max_users_is_enforced_on_create_and_import() {
    let app = spawn_app_with(|c| c.free_plan_max_users = 3).await;
    let admin = app.register_org("Small").await;
    app.add_member(&admin, "One", "employee").await;
    app.add_member(&admin, "Two", "employee").await;
    let (status, body) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": "Three", "email": "three@x.com", "role": "employee"}),
        )
        .await;
    assert_error(status, &body, 409, "user_limit_reached");
    let resp = app
        .client
        .post(app.url("/api/v1/users/bulk-import"))
        .bearer_auth(&admin.token)
        .header("content-type", "text/csv")
        .body("name,email\nFour,four@x.com\n")
        .send()
        .await
        .unwrap();
    let (status, body) = crate::helpers::json_of(resp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["created"], 0);
    assert_eq!(body["failed"][0]["row"], 2);
    // Deleting a user frees a seat.
    let (_, list) = app.get("/api/v1/users?role=employee", &admin.token).await;
    let victim = list["data"][0]["_id"].as_str().unwrap().to_string();
    assert_eq!(
        app.delete(&format!("/api/v1/users/{victim}"), &admin.token)
            .await
            .0,
        StatusCode::NO_CONTENT
    );
    let (status, _) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": "Three", "email": "three@x.com", "role": "employee"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED);
}
