//! The Users endpoints: create, list with filters, get, update, delete; roles and
//! tenant rules; no response carries a secret.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, assert_no_secrets, spawn_app};

#[tokio::test]
async fn admin_creates_a_user_who_can_then_sign_in() {
    let app = spawn_app().await;
    let admin = app.register_org("Create").await;
    let (status, user) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": "Bo Worker", "email": "BO@x.com", "role": "employee", "department": "Sales",
                   "phoneNumber": "+919876543210", "password": "bo's password"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{user}");
    assert_no_secrets(&user);
    assert_eq!(user["email"], "bo@x.com");
    assert_eq!(user["organizationId"], admin.org_id);
    assert_eq!(user["isActive"], true);
    assert_eq!(user["department"], "Sales");
    let (status, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "bo@x.com", "password": "bo's password"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn create_rejects_bad_input() {
    let app = spawn_app().await;
    let admin = app.register_org("BadCreate").await;
    let cases = [
        (
            json!({"name": "A", "email": "nope", "role": "employee"}),
            "email",
        ),
        (
            json!({"name": "A", "email": "a@x.com", "role": "boss"}),
            "role",
        ),
        (
            json!({"name": "", "email": "a@x.com", "role": "employee"}),
            "name",
        ),
        (
            json!({"name": "A", "email": "a@x.com", "role": "employee", "phoneNumber": "55"}),
            "phoneNumber",
        ),
        (
            json!({"name": "A", "email": "a@x.com", "role": "employee", "password": "short"}),
            "password",
        ),
        (
            json!({"name": "A", "email": "a@x.com", "role": "employee", "organizationId": admin.org_id}),
            "",
        ),
        (json!({"email": "a@x.com", "role": "employee"}), ""),
    ];
    for (body, field) in cases {
        let (status, resp) = app
            .post("/api/v1/users", Some(&admin.token), body.clone())
            .await;
        assert_error(status, &resp, 422, "validation_failed");
        if !field.is_empty() {
            assert_eq!(resp["error"]["details"][0]["field"], field, "{body}");
        }
    }
    let (_, list) = app.get("/api/v1/users", &admin.token).await;
    assert_eq!(list["total"], 1, "a rejected user was stored: {list}");
}

#[tokio::test]
async fn duplicate_email_or_phone_is_409() {
    let app = spawn_app().await;
    let admin = app.register_org("Dupes").await;
    let first =
        json!({"name": "A", "email": "a@x.com", "role": "employee", "phoneNumber": "+14155550100"});
    assert_eq!(
        app.post("/api/v1/users", Some(&admin.token), first).await.0,
        StatusCode::CREATED
    );
    let (s, b) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": "B", "email": "A@X.com", "role": "employee"}),
        )
        .await;
    assert_error(s, &b, 409, "email_taken");
    let (s, b) = app
        .post("/api/v1/users", Some(&admin.token), json!({"name": "C", "email": "c@x.com", "role": "employee", "phoneNumber": "+1 415 555 0100"}))
        .await;
    assert_error(s, &b, 409, "phone_taken");
}

#[tokio::test]
async fn non_admins_cannot_manage_users() {
    let app = spawn_app().await;
    let admin = app.register_org("NonAdmin").await;
    let emp = app.add_member(&admin, "Emp", "employee").await;
    let (s, b) = app.get("/api/v1/users", &emp.token).await;
    assert_error(s, &b, 403, "forbidden");
    let (s, b) = app
        .post(
            "/api/v1/users",
            Some(&emp.token),
            json!({"name": "X", "email": "x@x.com", "role": "admin"}),
        )
        .await;
    assert_error(s, &b, 403, "forbidden");
    let (s, b) = app
        .delete(&format!("/api/v1/users/{}", admin.user_id), &emp.token)
        .await;
    assert_error(s, &b, 403, "forbidden");
    let (s, b) = app
        .get(&format!("/api/v1/users/{}", admin.user_id), &emp.token)
        .await;
    assert_error(s, &b, 403, "forbidden");
    let (s, me) = app
        .get(&format!("/api/v1/users/{}", emp.user_id), &emp.token)
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_no_secrets(&me);
}

#[tokio::test]
async fn list_filters_and_paginates() {
    let app = spawn_app().await;
    let admin = app.register_org("Lists").await;
    for (name, role, dep) in [
        ("Zed Student", "student", "Batch A"),
        ("Amy Employee", "employee", "Sales"),
        ("Bob Employee", "employee", "Ops"),
        ("Cat Employee", "employee", "Sales"),
    ] {
        let email = format!(
            "{}@people.test",
            name.split(' ').next().unwrap().to_lowercase()
        );
        let (s, _) = app
            .post(
                "/api/v1/users",
                Some(&admin.token),
                json!({"name": name, "email": email, "role": role, "department": dep}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, all) = app.get("/api/v1/users", &admin.token).await;
    assert_eq!(all["total"], 5);
    assert_eq!(all["page"], 1);
    assert_eq!(all["limit"], 20);
    for u in all["data"].as_array().unwrap() {
        assert_no_secrets(u);
    }
    let (_, emps) = app
        .get("/api/v1/users?role=employee&department=Sales", &admin.token)
        .await;
    let names: Vec<&str> = emps["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Amy Employee", "Cat Employee"]);
    let (_, found) = app.get("/api/v1/users?search=BOB", &admin.token).await;
    assert_eq!(found["total"], 1);
    let (_, found) = app
        .get("/api/v1/users?search=people.test", &admin.token)
        .await;
    assert_eq!(found["total"], 4);
    let (_, wild) = app.get("/api/v1/users?search=%25", &admin.token).await;
    assert_eq!(wild["total"], 0, "a % in search must match literally");
    let (_, page2) = app.get("/api/v1/users?limit=2&page=2", &admin.token).await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 2);
    assert_eq!(page2["total"], 5);
    assert_eq!(page2["page"], 2);
    let (_, inactive) = app.get("/api/v1/users?isActive=false", &admin.token).await;
    assert_eq!(inactive["total"], 0);
}

#[tokio::test]
async fn list_rejects_bad_query_parameters() {
    let app = spawn_app().await;
    let admin = app.register_org("BadQuery").await;
    for (q, field) in [
        ("limit=101", "limit"),
        ("limit=0", "limit"),
        ("page=0", "page"),
        ("page=abc", "page"),
        ("role=boss", "role"),
        ("isActive=maybe", "isActive"),
        ("color=red", ""),
    ] {
        let (s, b) = app.get(&format!("/api/v1/users?{q}"), &admin.token).await;
        assert_error(s, &b, 422, "validation_failed");
        if !field.is_empty() {
            assert_eq!(b["error"]["details"][0]["field"], field, "{q}: {b}");
        }
    }
    // A number that is not one is reported in the client's words, not Rust's.
    let (s, b) = app.get("/api/v1/users?page=abc", &admin.token).await;
    assert_error(s, &b, 422, "validation_failed");
    assert_eq!(
        b["error"]["details"][0]["message"], "expected a whole number",
        "{b}"
    );
}

#[tokio::test]
async fn users_of_another_organization_are_not_found() {
    let app = spawn_app().await;
    let a = app.register_org("A").await;
    let b = app.register_org("B").await;
    let b_emp = app.add_member(&b, "B Emp", "employee").await;
    let path = format!("/api/v1/users/{}", b_emp.user_id);
    let (s, body) = app.get(&path, &a.token).await;
    assert_error(s, &body, 404, "not_found");
    let (s, body) = app.put(&path, &a.token, json!({"name": "Hijacked"})).await;
    assert_error(s, &body, 404, "not_found");
    let (s, body) = app.delete(&path, &a.token).await;
    assert_error(s, &body, 404, "not_found");
    let (_, list) = app.get("/api/v1/users", &a.token).await;
    assert!(list["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["organizationId"] == a.org_id));
    let (_, still) = app.get(&path, &b.token).await;
    assert_eq!(still["name"], "B Emp");
    let (s, body) = app.get("/api/v1/users/not-an-id", &a.token).await;
    assert_error(s, &body, 404, "not_found");
}

#[tokio::test]
async fn users_change_their_own_name_and_phone_only() {
    let app = spawn_app().await;
    let admin = app.register_org("SelfEdit").await;
    let emp = app.add_member(&admin, "Emp", "employee").await;
    let path = format!("/api/v1/users/{}", emp.user_id);
    let (s, me) = app
        .put(
            &path,
            &emp.token,
            json!({"name": "Emp Renamed", "phoneNumber": "+14155550199"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{me}");
    assert_eq!(me["name"], "Emp Renamed");
    for forbidden in [
        json!({"role": "admin"}),
        json!({"isActive": false}),
        json!({"department": "Boss"}),
    ] {
        let (s, b) = app.put(&path, &emp.token, forbidden).await;
        assert_error(s, &b, 403, "forbidden");
    }
    let (s, b) = app
        .put(
            &format!("/api/v1/users/{}", admin.user_id),
            &emp.token,
            json!({"name": "X"}),
        )
        .await;
    assert_error(s, &b, 403, "forbidden");
    let (s, b) = app
        .put(
            &path,
            &emp.token,
            json!({"organizationId": "6564a1f0c2a4b3d2e1f00001"}),
        )
        .await;
    assert_error(s, &b, 422, "validation_failed");
    let (_, me) = app.get("/api/v1/auth/me", &emp.token).await;
    assert_eq!(me["role"], "employee");
}

#[tokio::test]
async fn admin_changes_role_and_deactivation_ends_sessions() {
    let app = spawn_app().await;
    let admin = app.register_org("Deactivate").await;
    let emp = app.add_member(&admin, "Emp", "employee").await;
    let path = format!("/api/v1/users/{}", emp.user_id);
    let (s, u) = app
        .put(
            &path,
            &admin.token,
            json!({"role": "student", "department": null}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["role"], "student");
    assert!(u["department"].is_null());
    let (_, me) = app.get("/api/v1/auth/me", &emp.token).await;
    assert_eq!(me["role"], "student", "role changes apply to live sessions");
    let (s, u) = app
        .put(&path, &admin.token, json!({"isActive": false}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u["isActive"], false);
    let (s, b) = app.get("/api/v1/auth/me", &emp.token).await;
    assert_error(s, &b, 401, "invalid_token");
    let (s, b) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": emp.email, "password": emp.password}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_credentials");
}

#[tokio::test]
async fn an_admin_cannot_demote_deactivate_or_delete_themselves() {
    let app = spawn_app().await;
    let admin = app.register_org("Selfish").await;
    let path = format!("/api/v1/users/{}", admin.user_id);
    let (s, b) = app
        .put(&path, &admin.token, json!({"role": "employee"}))
        .await;
    assert_error(s, &b, 409, "cannot_demote_self");
    let (s, b) = app
        .put(&path, &admin.token, json!({"isActive": false}))
        .await;
    assert_error(s, &b, 409, "cannot_demote_self");
    let (s, b) = app.delete(&path, &admin.token).await;
    assert_error(s, &b, 409, "cannot_delete_self");
}

#[tokio::test]
async fn delete_ends_sessions_and_hides_the_user() {
    let app = spawn_app().await;
    let admin = app.register_org("Deleter").await;
    let emp = app.add_member(&admin, "Gone", "employee").await;
    let path = format!("/api/v1/users/{}", emp.user_id);
    let (s, _) = app.delete(&path, &admin.token).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, b) = app.get(&path, &admin.token).await;
    assert_error(s, &b, 404, "not_found");
    let (s, b) = app.get("/api/v1/auth/me", &emp.token).await;
    assert_error(s, &b, 401, "invalid_token");
    let (s, b) = app.delete(&path, &admin.token).await;
    assert_error(s, &b, 404, "not_found");
    // The row stays (its attendance is kept for reports), marked deleted.
    let deleted: Option<i64> = sqlx::query_scalar("SELECT deleted_at FROM users WHERE id = $1")
        .bind(&emp.user_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert!(deleted.is_some());
}
