//! Idempotent retries of check-in and check-out; reading records (filters, pagination,
//! who sees what), today's board, statistics; and other organizations' records staying
//! out of every answer.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::attendance_helpers::*;
use crate::helpers::{assert_error, json_of, Member, TestApp};

async fn keyed(
    app: &TestApp,
    m: &Member,
    path: &str,
    key: &str,
    body: Value,
    put: bool,
) -> (StatusCode, bool, Value) {
    let req = if put {
        app.client.put(app.url(path))
    } else {
        app.client.post(app.url(path))
    };
    let resp = req
        .bearer_auth(&m.token)
        .header("idempotency-key", key)
        .json(&body)
        .send()
        .await
        .unwrap();
    let replayed = resp.headers().get("idempotent-replayed").is_some();
    let (status, body) = json_of(resp).await;
    (status, replayed, body)
}

#[tokio::test]
async fn the_same_idempotency_key_and_body_replay_the_first_answer() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T08:00:00+05:30", "Retries", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    let body = json!({"location": here(), "notes": "gate 2"});
    let (s1, r1, first) = keyed(
        &app,
        &ana,
        "/api/v1/attendance/checkin",
        "k-1",
        body.clone(),
        false,
    )
    .await;
    assert_eq!((s1, r1), (StatusCode::CREATED, false), "{first}");
    app.clock.advance(chrono::Duration::minutes(5));
    // Same body spelled with its keys in another order.
    let reordered =
        json!({"notes": "gate 2", "location": {"longitude": BASE.1, "latitude": BASE.0}});
    let (s2, r2, second) = keyed(
        &app,
        &ana,
        "/api/v1/attendance/checkin",
        "k-1",
        reordered,
        false,
    )
    .await;
    assert_eq!((s2, r2), (StatusCode::CREATED, true));
    assert_eq!(second, first);
    let (status, _, body2) = keyed(
        &app,
        &ana,
        "/api/v1/attendance/checkin",
        "k-1",
        json!({"location": here()}),
        false,
    )
    .await;
    assert_error(status, &body2, 422, "idempotency_key_reused");
    // Keys are per user: Ben's k-1 is his own.
    let (status, replayed, _) = keyed(
        &app,
        &ben,
        "/api/v1/attendance/checkin",
        "k-1",
        body.clone(),
        false,
    )
    .await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false));
    // A refused request is replayed as refused.
    let (status, _, err) = keyed(
        &app,
        &ana,
        "/api/v1/attendance/checkin",
        "k-2",
        body.clone(),
        false,
    )
    .await;
    assert_error(status, &err, 409, "already_checked_in");
    let path = format!("/api/v1/attendance/{}/checkout", id_of(&first));
    let out_body = json!({"location": here()});
    let (status, _, out) = keyed(&app, &ana, &path, "k-3", out_body.clone(), true).await;
    assert_eq!(status, StatusCode::OK, "{out}");
    let (status, replayed, again) = keyed(&app, &ana, &path, "k-3", out_body.clone(), true).await;
    assert_eq!((status, replayed), (StatusCode::OK, true));
    assert_eq!(again, out);
    let (status, _, body3) = keyed(
        &app,
        &ana,
        &path,
        "k-3",
        json!({"location": north_of_base(5.0)}),
        true,
    )
    .await;
    assert_error(status, &body3, 422, "idempotency_key_reused");
    let (_, list) = app.get("/api/v1/attendance", &ana.token).await;
    assert_eq!(list["total"], 1, "one record however often retried: {list}");
    // After 24 hours a key is forgotten and runs afresh.
    app.clock.advance(chrono::Duration::hours(24));
    let (status, replayed, fresh) =
        keyed(&app, &ana, "/api/v1/attendance/checkin", "k-1", body, false).await;
    assert_eq!((status, replayed), (StatusCode::CREATED, false), "{fresh}");
    assert_ne!(fresh["_id"], first["_id"]);
    let (status, _, bad) = keyed(
        &app,
        &ana,
        "/api/v1/attendance/checkin",
        "",
        json!({"location": here()}),
        false,
    )
    .await;
    assert_error(status, &bad, 422, "validation_failed");
}

#[tokio::test]
async fn lists_filter_paginate_and_show_members_only_their_own() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Lists", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    app.put(
        &format!("/api/v1/users/{}", ben.user_id),
        &admin.token,
        json!({"department": "Sales"}),
    )
    .await;
    for (day, minute) in [("23", "05"), ("24", "30"), ("25", "10")] {
        app.clock
            .set(at(&format!("2026-11-{day}T09:{minute}:00+05:30")));
        for m in [&ana, &ben] {
            let rec = check_in(&app, m).await;
            app.clock.advance(chrono::Duration::hours(9));
            check_out(&app, m, &id_of(&rec)).await;
            app.clock.advance(chrono::Duration::hours(-9));
        }
    }
    let (_, all) = app.get("/api/v1/attendance?limit=4", &admin.token).await;
    assert_eq!(
        (all["total"].as_i64(), all["data"].as_array().unwrap().len()),
        (Some(6), 4),
        "{all}"
    );
    assert_eq!(all["data"][0]["date"], "2026-11-25");
    let (_, page2) = app
        .get("/api/v1/attendance?limit=4&page=2", &admin.token)
        .await;
    assert_eq!(page2["data"].as_array().unwrap().len(), 2);
    let (_, late) = app
        .get("/api/v1/attendance?status=late", &admin.token)
        .await;
    assert_eq!(late["total"], 2, "{late}");
    let (_, range) = app
        .get(
            &format!(
                "/api/v1/attendance?from=2026-11-24&to=2026-11-25&userId={}",
                ana.user_id
            ),
            &admin.token,
        )
        .await;
    assert_eq!(range["total"], 2);
    let (_, sales) = app
        .get("/api/v1/attendance?department=Sales", &admin.token)
        .await;
    assert_eq!(sales["total"], 3);
    assert!(sales["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["userId"] == ben.user_id.as_str()));
    let (_, mine) = app.get("/api/v1/attendance", &ana.token).await;
    assert_eq!(mine["total"], 3);
    let (status, body) = app
        .get(
            &format!("/api/v1/attendance?userId={}", ben.user_id),
            &ana.token,
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = app
        .get(
            &format!("/api/v1/attendance/{}", id_of(&sales["data"][0])),
            &ana.token,
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (_, hers) = app
        .get(
            &format!("/api/v1/users/{}/attendance", ana.user_id),
            &ana.token,
        )
        .await;
    assert_eq!(hers["total"], 3);
    let (status, body) = app
        .get(
            &format!("/api/v1/users/{}/attendance", ben.user_id),
            &ana.token,
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (_, his) = app
        .get(
            &format!("/api/v1/users/{}/attendance?status=present", ben.user_id),
            &admin.token,
        )
        .await;
    assert_eq!(his["total"], 2, "{his}");
    for q in [
        "from=2026-11-31",
        "to=25-11-2026",
        "status=gone",
        "from=2026-11-25&to=2026-11-24",
        "limit=101",
        "colour=red",
    ] {
        let (status, body) = app
            .get(&format!("/api/v1/attendance?{q}"), &admin.token)
            .await;
        assert_error(status, &body, 422, "validation_failed");
    }
}

#[tokio::test]
async fn today_shows_everyone_with_their_record_and_counts() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Board", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    app.add_member(&admin, "Cy", "student").await;
    app.clock.set(at("2026-11-23T09:05:00+05:30"));
    check_in(&app, &ana).await;
    app.clock.set(at("2026-11-23T09:45:00+05:30"));
    let b = check_in(&app, &ben).await;
    app.clock.set(at("2026-11-23T12:00:00+05:30"));
    check_out(&app, &ben, &id_of(&b)).await;
    let (status, today) = app.get("/api/v1/attendance/today", &admin.token).await;
    assert_eq!(status, StatusCode::OK, "{today}");
    assert_eq!(today["date"], "2026-11-23");
    assert_eq!(
        today["counts"],
        json!({"total": 4, "present": 1, "late": 0, "early": 1, "absent": 0, "notCheckedIn": 2, "checkedIn": 1})
    );
    let by_name = |n: &str| {
        today["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["name"] == n)
            .cloned()
            .unwrap()
    };
    assert_eq!(by_name("Ana")["status"], "present");
    assert_eq!(by_name("Ana")["checkedIn"], true);
    assert_eq!(by_name("Ben")["attendance"]["workingHours"], 135);
    assert_eq!(by_name("Cy")["status"], "notCheckedIn");
    assert!(by_name("Cy")["attendance"].is_null());
    let (_, own) = app.get("/api/v1/attendance/today", &ana.token).await;
    assert_eq!(own["data"].as_array().unwrap().len(), 1);
    assert_eq!(own["data"][0]["userId"], ana.user_id.as_str());
}

#[tokio::test]
async fn stats_count_statuses_rates_and_averages() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-22T21:00:00+05:30", "Stats", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    // Monday: Ana 09:00-18:00, Ben 09:30-17:00 (late, then early). Tuesday: nobody.
    app.clock.set(at("2026-11-23T09:00:00+05:30"));
    let a = check_in(&app, &ana).await;
    app.clock.set(at("2026-11-23T09:30:00+05:30"));
    let b = check_in(&app, &ben).await;
    app.clock.set(at("2026-11-23T17:00:00+05:30"));
    check_out(&app, &ben, &id_of(&b)).await;
    app.clock.set(at("2026-11-23T18:00:00+05:30"));
    check_out(&app, &ana, &id_of(&a)).await;
    rollcall::jobs::run_due(&app.state, at("2026-11-24T21:00:00+05:30"))
        .await
        .unwrap();
    app.clock.set(at("2026-11-25T10:00:00+05:30"));
    let (status, s) = app
        .get(
            "/api/v1/attendance/stats?from=2026-11-23&to=2026-11-24",
            &admin.token,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{s}");
    assert_eq!(
        s,
        json!({"from": "2026-11-23", "to": "2026-11-24", "totalRecords": 4, "present": 1, "late": 0,
               "early": 1, "absent": 2, "attendanceRate": 50.0, "averageWorkingMinutes": 495,
               "averageCheckInTime": "09:15"})
    );
    let (_, mine) = app
        .get("/api/v1/attendance/stats?from=2026-11-23", &ben.token)
        .await;
    assert_eq!(
        (
            mine["early"].as_i64(),
            mine["absent"].as_i64(),
            mine["totalRecords"].as_i64()
        ),
        (Some(1), Some(1), Some(2)),
        "{mine}"
    );
    assert_eq!(mine["averageCheckInTime"], "09:30");
    let (status, body) = app
        .get(
            &format!("/api/v1/attendance/stats?userId={}", ana.user_id),
            &ben.token,
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, body) = app
        .get("/api/v1/attendance/stats?from=yesterday", &admin.token)
        .await;
    assert_error(status, &body, 422, "validation_failed");
}

#[tokio::test]
async fn another_organizations_records_are_not_found_and_never_listed_or_counted() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Ours", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let rival = app.register_org("Theirs").await;
    let eve = app.add_member(&rival, "Eve", "employee").await;
    app.clock.set(at("2026-11-23T09:00:00+05:30"));
    let theirs = check_in(&app, &eve).await;
    let ours = check_in(&app, &ana).await;
    let id = id_of(&theirs);
    let (status, body) = app
        .get(&format!("/api/v1/attendance/{id}"), &admin.token)
        .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = try_check_out(&app, &admin, &id).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = app
        .get(
            &format!("/api/v1/users/{}/attendance", eve.user_id),
            &admin.token,
        )
        .await;
    assert_error(status, &body, 404, "not_found");
    let (_, list) = app
        .get(
            &format!("/api/v1/attendance?userId={}", eve.user_id),
            &admin.token,
        )
        .await;
    assert_eq!(list["total"], 0);
    let (_, list) = app.get("/api/v1/attendance", &admin.token).await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["data"][0]["_id"], ours["_id"]);
    let (_, today) = app.get("/api/v1/attendance/today", &admin.token).await;
    assert!(!today.to_string().contains(&eve.user_id), "{today}");
    let (_, stats) = app.get("/api/v1/attendance/stats", &admin.token).await;
    assert_eq!(stats["totalRecords"], 1, "{stats}");
    let (status, _) = app
        .get(&format!("/api/v1/attendance/{id}"), &rival.token)
        .await;
    assert_eq!(status, StatusCode::OK);
}
