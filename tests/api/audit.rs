//! The audit log: what is recorded, with IP and user agent, and who may read it.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app};

#[tokio::test]
async fn logins_user_changes_and_settings_are_audited() {
    let app = spawn_app().await;
    let admin = app.register_org("Audited").await;
    let resp = app
        .client
        .post(app.url("/api/v1/auth/login"))
        .header("user-agent", "RollcallApp/1.0")
        .json(&json!({"email": admin.email, "password": admin.password}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let emp = app.add_member(&admin, "Emp", "employee").await;
    app.put(
        &format!("/api/v1/users/{}", emp.user_id),
        &admin.token,
        json!({"department": "QA"}),
    )
    .await;
    app.put(
        "/api/v1/organization",
        &admin.token,
        json!({"settings": {"lateThreshold": 5}}),
    )
    .await;
    app.delete(&format!("/api/v1/users/{}", emp.user_id), &admin.token)
        .await;
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": admin.email, "password": "wrong one!"}),
    )
    .await;

    let (status, log) = app.get("/api/v1/audit-logs?limit=100", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{log}");
    let actions: Vec<&str> = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for a in [
        "login",
        "login_failed",
        "user_created",
        "user_updated",
        "user_deleted",
        "settings_changed",
    ] {
        assert!(actions.contains(&a), "{a} not audited: {actions:?}");
    }
    let login = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["userAgent"] == "RollcallApp/1.0")
        .unwrap();
    assert_eq!(login["ipAddress"], "127.0.0.1");
    assert_eq!(login["userId"], admin.user_id);
    let settings = log["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "settings_changed")
        .unwrap();
    assert_eq!(
        settings["metadata"]["before"]["settings"]["lateThreshold"],
        15
    );
    assert_eq!(
        settings["metadata"]["after"]["settings"]["lateThreshold"],
        5
    );
    let (_, filtered) = app
        .get("/api/v1/audit-logs?action=user_updated", &admin.token)
        .await;
    assert_eq!(filtered["total"], 1);
    assert_eq!(filtered["data"][0]["resourceId"], emp.user_id);
}

#[tokio::test]
async fn audit_log_is_admin_only_and_per_organization() {
    let app = spawn_app().await;
    let a = app.register_org("A").await;
    let b = app.register_org("B").await;
    let emp = app.add_member(&a, "Emp", "employee").await;
    let (s, body) = app.get("/api/v1/audit-logs", &emp.token).await;
    assert_error(s, &body, 403, "forbidden");
    let (_, log) = app.get("/api/v1/audit-logs?limit=100", &b.token).await;
    assert!(log["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["organizationId"] == b.org_id));
    let (s, body) = app.get("/api/v1/audit-logs?from=yesterday", &a.token).await;
    assert_error(s, &body, 422, "validation_failed");
}
