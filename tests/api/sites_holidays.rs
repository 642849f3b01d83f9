//! Sites and holidays: admin CRUD, validation, tenancy; and the geofence at check-in
//! (inside, outside with the distance, GPS accuracy up to its cap, a named site).

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::attendance_helpers::*;
use crate::helpers::{assert_error, Member, TestApp};

async fn make_site(app: &TestApp, admin: &Member, name: &str, radius: f64) -> Value {
    let (status, site) = app
        .post(
            "/api/v1/sites",
            Some(&admin.token),
            json!({"name": name, "latitude": BASE.0, "longitude": BASE.1, "radiusMeters": radius}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{site}");
    site
}

#[tokio::test]
async fn admins_manage_sites_and_members_read_them() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Sites", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let site = make_site(&app, &admin, "HQ", 150.0).await;
    assert_eq!(site["radiusMeters"], 150.0);
    assert_eq!(site["organizationId"], admin.org_id.as_str());
    let id = id_of(&site);
    let (status, body) = app
        .post(
            "/api/v1/sites",
            Some(&ana.token),
            json!({"name": "Mine", "latitude": 1, "longitude": 1, "radiusMeters": 5}),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (_, list) = app.get("/api/v1/sites", &ana.token).await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    let (status, updated) = app
        .put(
            &format!("/api/v1/sites/{id}"),
            &admin.token,
            json!({"name": "Head office", "radiusMeters": 80}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{updated}");
    assert_eq!(updated["name"], "Head office");
    assert_eq!(updated["latitude"], BASE.0);
    for (body, field) in [
        (
            json!({"name": "A", "latitude": 91, "longitude": 0, "radiusMeters": 10}),
            "latitude",
        ),
        (
            json!({"name": "A", "latitude": 0, "longitude": -181, "radiusMeters": 10}),
            "longitude",
        ),
        (
            json!({"name": "A", "latitude": 0, "longitude": 0, "radiusMeters": 0}),
            "radiusMeters",
        ),
        (
            json!({"name": "A", "latitude": 0, "longitude": 0}),
            "radiusMeters",
        ),
        (
            json!({"latitude": 0, "longitude": 0, "radiusMeters": 10}),
            "name",
        ),
    ] {
        let (status, resp) = app
            .post("/api/v1/sites", Some(&admin.token), body.clone())
            .await;
        assert_error(status, &resp, 422, "validation_failed");
        assert_eq!(
            resp["error"]["details"][0]["field"], field,
            "{body}: {resp}"
        );
    }
    let other = app.register_org("Rival").await;
    let (status, body) = app.get(&format!("/api/v1/sites/{id}"), &other.token).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app
        .delete(&format!("/api/v1/sites/{id}"), &other.token)
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, _) = app
        .delete(&format!("/api/v1/sites/{id}"), &admin.token)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, body) = app.get(&format!("/api/v1/sites/{id}"), &admin.token).await;
    assert_error(status, &body, 404, "not_found");
}

#[tokio::test]
async fn the_geofence_admits_inside_refuses_outside_and_forgives_capped_accuracy() {
    let app = spawn().await;
    let admin = org_at(
        &app,
        "2026-11-23T06:00:00+05:30",
        "Fenced",
        json!({"requireGeofence": true}),
    )
    .await;
    let members: Vec<Member> = futures::future::join_all(
        ["Ana", "Ben", "Cy", "Di", "Ed"].map(|n| app.add_member(&admin, n, "employee")),
    )
    .await;
    app.clock.set(at("2026-11-23T09:00:00+05:30"));
    // No sites yet: nobody can be inside one.
    let (status, body) = try_check_in(&app, &members[0], json!({"location": here()})).await;
    assert_error(status, &body, 422, "outside_geofence");
    let site = make_site(&app, &admin, "HQ", 100.0).await;
    let (status, rec) =
        try_check_in(&app, &members[0], json!({"location": north_of_base(60.0)})).await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["siteId"], site["_id"]);
    let (status, body) =
        try_check_in(&app, &members[1], json!({"location": north_of_base(300.0)})).await;
    assert_error(status, &body, 422, "outside_geofence");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("300 m"),
        "{body}"
    );
    let mut loc = north_of_base(120.0);
    loc["accuracy"] = json!(30);
    let (status, rec) = try_check_in(&app, &members[1], json!({"location": loc})).await;
    assert_eq!(status, StatusCode::CREATED, "accuracy 30 m: {rec}");
    assert_eq!(rec["checkInLocation"]["accuracy"], 30.0);
    let mut loc = north_of_base(200.0);
    loc["accuracy"] = json!(5000);
    let (status, body) = try_check_in(&app, &members[2], json!({"location": loc})).await;
    assert_error(status, &body, 422, "outside_geofence");
    // A named site is the only one that counts.
    let (_, far) = app
        .post(
            "/api/v1/sites",
            Some(&admin.token),
            json!({"name": "Depot", "latitude": BASE.0 + 0.1, "longitude": BASE.1, "radiusMeters": 100}),
        )
        .await;
    let (status, body) = try_check_in(
        &app,
        &members[3],
        json!({"location": here(), "siteId": far["_id"]}),
    )
    .await;
    assert_error(status, &body, 422, "outside_geofence");
    let (status, rec) = try_check_in(
        &app,
        &members[3],
        json!({"location": north_of_base(11_119.5), "siteId": far["_id"]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["siteId"], far["_id"]);
    // An admin checking someone in from the desk is not held to the fence.
    let (status, rec) = app
        .post(
            "/api/v1/attendance/checkin",
            Some(&admin.token),
            json!({"location": north_of_base(5000.0), "userId": members[4].user_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
}

#[tokio::test]
async fn admins_manage_holidays_one_per_day() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Holidays", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let (status, h) = app
        .post(
            "/api/v1/holidays",
            Some(&admin.token),
            json!({"date": "2026-12-25", "name": "Christmas"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{h}");
    assert_eq!(h["date"], "2026-12-25");
    let (status, body) = app
        .post(
            "/api/v1/holidays",
            Some(&admin.token),
            json!({"date": "2026-12-25", "name": "Again"}),
        )
        .await;
    assert_error(status, &body, 409, "holiday_exists");
    let (status, body) = app
        .post(
            "/api/v1/holidays",
            Some(&ana.token),
            json!({"date": "2026-12-26", "name": "Mine"}),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    for (body, field) in [
        (json!({"date": "2026-02-30", "name": "Nope"}), "date"),
        (json!({"date": "tomorrow", "name": "Nope"}), "date"),
        (json!({"date": "2026-12-31"}), "name"),
    ] {
        let (status, resp) = app
            .post("/api/v1/holidays", Some(&admin.token), body.clone())
            .await;
        assert_error(status, &resp, 422, "validation_failed");
        assert_eq!(
            resp["error"]["details"][0]["field"], field,
            "{body}: {resp}"
        );
    }
    let id = id_of(&h);
    let (status, moved) = app
        .put(
            &format!("/api/v1/holidays/{id}"),
            &admin.token,
            json!({"date": "2026-12-24"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{moved}");
    assert_eq!(moved["name"], "Christmas");
    let (_, list) = app
        .get("/api/v1/holidays?from=2026-12-01&to=2026-12-31", &ana.token)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    let (status, body) = app.get("/api/v1/holidays?from=December", &ana.token).await;
    assert_error(status, &body, 422, "validation_failed");
    let other = app.register_org("NotYours").await;
    let (status, body) = app
        .get(&format!("/api/v1/holidays/{id}"), &other.token)
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, _) = app
        .delete(&format!("/api/v1/holidays/{id}"), &admin.token)
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, list) = app.get("/api/v1/holidays", &ana.token).await;
    assert_eq!(list, json!([]));
}
