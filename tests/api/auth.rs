//! Registration, password login and `me`: happy paths, each bad input, and that no
//! response or stored row gives away a secret.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, assert_no_secrets, spawn_app};

#[tokio::test]
async fn register_creates_the_organization_and_its_admin() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": "Acme Corp", "name": "Ana", "email": "Ana@Acme.com",
                   "password": "a long enough password", "timezone": "America/Los_Angeles",
                   "phoneNumber": "+14155550100"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_no_secrets(&body["user"]);
    assert!(body["accessToken"].as_str().unwrap().split('.').count() == 3);
    assert!(body["refreshToken"].as_str().unwrap().len() >= 22);
    assert_eq!(body["expiresIn"], 900);
    assert_eq!(body["user"]["email"], "ana@acme.com");
    assert_eq!(body["user"]["role"], "admin");
    assert_eq!(body["user"]["phoneNumber"], "+14155550100");
    let org = &body["organization"];
    assert!(rollcall::id::is_valid(org["_id"].as_str().unwrap()));
    assert_eq!(body["user"]["organizationId"], org["_id"]);
    assert_eq!(org["settings"]["timezone"], "America/Los_Angeles");
    assert_eq!(org["settings"]["workingHours"]["start"], "09:00");
    assert_eq!(org["subscription"]["maxUsers"], 50);
    let created = body["user"]["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
}

#[tokio::test]
async fn stored_passwords_are_argon2id_with_owasp_parameters() {
    let app = spawn_app().await;
    let admin = app.register_org("Hashers").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&admin.user_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
}

#[tokio::test]
async fn register_rejects_each_bad_field_with_details() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": " ", "name": "", "email": "not-an-email", "password": "short",
                   "timezone": "Mars/Olympus", "phoneNumber": "12"}),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let fields: Vec<&str> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for f in [
        "organizationName",
        "name",
        "email",
        "password",
        "timezone",
        "phoneNumber",
    ] {
        assert!(fields.contains(&f), "{f} not reported: {body}");
    }
}

#[tokio::test]
async fn register_rejects_missing_and_unknown_fields() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": "X"}),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    // The missing field is named in `field`, not only in the message.
    assert_eq!(
        body["error"]["details"][0],
        json!({"field": "name", "message": "is required"})
    );
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": "X", "name": "A", "email": "a@x.com", "password": "long enough pw",
                   "role": "admin"}),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": 5, "name": "A", "email": "a@x.com", "password": "x"}),
        )
        .await;
    assert_error(status, &body, 422, "validation_failed");
    assert_eq!(body["error"]["details"][0]["field"], "organizationName");
}

#[tokio::test]
async fn register_with_a_taken_email_is_409_and_creates_nothing() {
    let app = spawn_app().await;
    let admin = app.register_org("First").await;
    let orgs_before: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    let (status, body) = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"organizationName": "Second", "name": "B", "email": admin.email.to_uppercase(),
                   "password": "a long enough password"}),
        )
        .await;
    assert_error(status, &body, 409, "email_taken");
    let orgs_after: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organizations")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(
        orgs_before, orgs_after,
        "a half-registered organization was left behind"
    );
}

#[tokio::test]
async fn login_returns_the_pair_and_records_last_login() {
    let app = spawn_app().await;
    let admin = app.register_org("Logins").await;
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email.to_uppercase(), "password": admin.password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_no_secrets(&body["user"]);
    assert!(body["user"]["lastLoginAt"].is_string());
    let (status, me) = app
        .get("/api/v1/auth/me", body["accessToken"].as_str().unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(me["_id"], admin.user_id);
    assert_no_secrets(&me);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_answer() {
    let app = spawn_app().await;
    let admin = app.register_org("Same").await;
    let (s1, b1) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email, "password": "wrong password"}),
        )
        .await;
    let (s2, b2) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "ghost@nowhere.test", "password": "wrong password"}),
        )
        .await;
    assert_error(s1, &b1, 401, "invalid_credentials");
    assert_eq!((s1, b1), (s2, b2));
}

#[tokio::test]
async fn login_rejects_missing_fields() {
    let app = spawn_app().await;
    let (status, body) = app
        .post("/api/v1/auth/login", None, json!({"email": "a@b.com"}))
        .await;
    assert_error(status, &body, 422, "validation_failed");
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/api/v1/auth/me"))
        .send()
        .await
        .unwrap();
    let (status, body) = crate::helpers::json_of(resp).await;
    assert_error(status, &body, 401, "missing_token");
    let (status, body) = app.get("/api/v1/auth/me", "not.a.token").await;
    assert_error(status, &body, 401, "invalid_token");
}

#[tokio::test]
async fn access_tokens_expire_after_fifteen_minutes() {
    let app = spawn_app().await;
    let admin = app.register_org("Expiry").await;
    app.clock.advance(chrono::Duration::minutes(14));
    assert_eq!(
        app.get("/api/v1/auth/me", &admin.token).await.0,
        StatusCode::OK
    );
    app.clock.advance(chrono::Duration::minutes(2));
    let (status, body) = app.get("/api/v1/auth/me", &admin.token).await;
    assert_error(status, &body, 401, "invalid_token");
}

#[tokio::test]
async fn a_user_without_a_password_cannot_sign_in_with_any_password() {
    let app = spawn_app().await;
    let admin = app.register_org("NoPassword").await;
    let (s, b) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": "Imported", "email": "imported@x.test", "role": "employee"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    let dummy = String::from_utf8(rollcall::auth::password::DUMMY_PASSWORD.to_vec()).unwrap();
    for password in [dummy.as_str(), "", "anything at all"] {
        let (s, b) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": "imported@x.test", "password": password}),
            )
            .await;
        assert_error(s, &b, 401, "invalid_credentials");
    }
}
