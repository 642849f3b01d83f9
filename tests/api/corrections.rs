//! Correction requests: a forgotten check-out and a missed day approved (the record
//! amended or replaced, flagged, audited with before and after), a rejection, who may
//! review, and malformed times.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::attendance_helpers::*;
use crate::helpers::{assert_error, Member, TestApp};

async fn ask(app: &TestApp, m: &Member, body: Value) -> Value {
    let (status, c) = app
        .post("/api/v1/attendance/corrections", Some(&m.token), body)
        .await;
    assert_eq!(status, StatusCode::CREATED, "{c}");
    assert_eq!(c["status"], "pending");
    c
}

async fn review(app: &TestApp, m: &Member, id: &str, verdict: &str) -> (StatusCode, Value) {
    app.post(
        &format!("/api/v1/attendance/corrections/{id}/{verdict}"),
        Some(&m.token),
        json!({"note": "checked the badge log"}),
    )
    .await
}

#[tokio::test]
async fn an_approved_correction_closes_a_forgotten_check_out_and_is_audited() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Fixes", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    app.clock.set(at("2026-11-23T09:20:00+05:30"));
    let rec = check_in(&app, &ana).await;
    app.clock.set(at("2026-11-24T10:00:00+05:30"));
    let c = ask(
        &app,
        &ana,
        json!({"date": "2026-11-23", "checkOutTime": "2026-11-23T18:30:00+05:30",
               "reason": "forgot to check out"}),
    )
    .await;
    assert_eq!(c["userId"], ana.user_id.as_str());
    assert_eq!(c["checkOutTime"], "2026-11-23T13:00:00.000Z");
    let cid = id_of(&c);
    let (status, body) = review(&app, &ana, &cid, "approve").await;
    assert_error(status, &body, 403, "forbidden");
    let (status, done) = review(&app, &admin, &cid, "approve").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "approved");
    assert_eq!(done["attendanceId"], id_of(&rec).as_str());
    assert_eq!(done["reviewedBy"], admin.user_id.as_str());
    let (_, fixed) = app
        .get(&format!("/api/v1/attendance/{}", id_of(&rec)), &ana.token)
        .await;
    assert_eq!(fixed["checkOutTime"], "2026-11-23T13:00:00.000Z", "{fixed}");
    assert_eq!(fixed["workingHours"], 550);
    assert_eq!(fixed["status"], "late");
    assert_eq!(fixed["corrected"], true);
    let (_, logs) = app
        .get(
            "/api/v1/audit-logs?action=attendance_corrected",
            &admin.token,
        )
        .await;
    let entry = &logs["data"][0];
    assert_eq!(entry["resourceId"], id_of(&rec).as_str(), "{logs}");
    assert!(entry["metadata"]["before"]["checkOutTime"].is_null());
    assert_eq!(
        entry["metadata"]["after"]["checkOutTime"],
        "2026-11-23T13:00:00.000Z"
    );
    let (status, body) = review(&app, &admin, &cid, "approve").await;
    assert_error(status, &body, 409, "correction_not_pending");
    // The user may check in again now the record is closed.
    check_in(&app, &ana).await;
}

/// Correcting the afternoon's record keeps it on time (only the day's first check-in
/// can be late); correcting the morning's to a late hour makes it late.
#[tokio::test]
async fn a_corrected_return_after_lunch_is_not_late_but_a_late_first_check_in_is() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Lunch", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let morning = morning_before_lunch(&app, &ana, "2026-11-23").await;
    let afternoon = check_in(&app, &ana).await;
    app.clock.set(at("2026-11-24T10:00:00+05:30"));
    // Asks for new times on one record, approves, and answers the record.
    let fix = |rec: &Value, check_in: &str, check_out: &str| {
        let (id, body) = (
            id_of(rec),
            json!({"date": "2026-11-23", "attendanceId": id_of(rec), "checkInTime": check_in,
                   "checkOutTime": check_out, "reason": "badge log"}),
        );
        let (app, ana, admin) = (&app, &ana, &admin);
        async move {
            let c = ask(app, ana, body).await;
            let (s, done) = review(app, admin, &id_of(&c), "approve").await;
            assert_eq!(s, StatusCode::OK, "{done}");
            app.get(&format!("/api/v1/attendance/{id}"), &ana.token)
                .await
                .1
        }
    };
    let rec = fix(
        &afternoon,
        "2026-11-23T13:45:00+05:30",
        "2026-11-23T18:30:00+05:30",
    )
    .await;
    assert_eq!(
        (&rec["isLate"], &rec["status"]),
        (&json!(false), &json!("present")),
        "{rec}"
    );
    let rec = fix(
        &morning,
        "2026-11-23T10:30:00+05:30",
        "2026-11-23T13:00:00+05:30",
    )
    .await;
    assert_eq!(rec["isLate"], true, "{rec}");
}

#[tokio::test]
async fn an_approved_correction_turns_an_absence_into_a_day_worked() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-22T21:00:00+05:30", "Missed", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    rollcall::jobs::run_due(&app.state, at("2026-11-24T08:00:00+05:30"))
        .await
        .unwrap();
    app.clock.set(at("2026-11-24T08:00:00+05:30"));
    let c = ask(
        &app,
        &ana,
        json!({"date": "2026-11-23", "checkInTime": "2026-11-23T08:55:00+05:30",
               "checkOutTime": "2026-11-23T18:05:00+05:30", "reason": "phone was dead"}),
    )
    .await;
    let (status, done) = review(&app, &admin, &id_of(&c), "approve").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let (_, list) = app
        .get(
            "/api/v1/attendance?from=2026-11-23&to=2026-11-23",
            &admin.token,
        )
        .await;
    assert_eq!(list["total"], 1, "{list}");
    let rec = &list["data"][0];
    assert_eq!(rec["status"], "present");
    assert_eq!(rec["workingHours"], 550);
    assert_eq!(rec["corrected"], true);
    assert_eq!(rec["_id"], done["attendanceId"]);
}

#[tokio::test]
async fn a_rejected_correction_changes_nothing_and_is_audited() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Rejects", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    app.clock.set(at("2026-11-23T09:30:00+05:30"));
    let rec = check_in(&app, &ana).await;
    let c = ask(
        &app,
        &ana,
        json!({"date": "2026-11-23", "checkInTime": "2026-11-23T08:59:00+05:30",
               "reason": "I was here earlier", "attendanceId": id_of(&rec)}),
    )
    .await;
    let other = app.register_org("Other").await;
    let (status, body) = review(&app, &other, &id_of(&c), "reject").await;
    assert_error(status, &body, 404, "not_found");
    let (status, done) = review(&app, &admin, &id_of(&c), "reject").await;
    assert_eq!(status, StatusCode::OK, "{done}");
    assert_eq!(done["status"], "rejected");
    assert_eq!(done["reviewNote"], "checked the badge log");
    let (_, same) = app
        .get(&format!("/api/v1/attendance/{}", id_of(&rec)), &ana.token)
        .await;
    assert_eq!(same["checkInTime"], rec["checkInTime"]);
    assert_eq!(same["corrected"], false);
    let (_, logs) = app
        .get(
            "/api/v1/audit-logs?action=correction_rejected",
            &admin.token,
        )
        .await;
    assert_eq!(logs["total"], 1, "{logs}");
    // Lists: the admin sees every request, the user their own, filtered by status.
    let (_, mine) = app
        .get("/api/v1/attendance/corrections?status=rejected", &ana.token)
        .await;
    assert_eq!(mine["total"], 1, "{mine}");
    let (_, pending) = app
        .get(
            "/api/v1/attendance/corrections?status=pending",
            &admin.token,
        )
        .await;
    assert_eq!(pending["total"], 0);
}

#[tokio::test]
async fn malformed_or_impossible_correction_requests_are_422() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-23T06:00:00+05:30", "Picky", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    app.clock.set(at("2026-11-24T12:00:00+05:30"));
    for (body, field) in [
        (
            json!({"date": "2026-11-23", "checkInTime": "9am", "reason": "x"}),
            "checkInTime",
        ),
        (
            json!({"date": "2026-11-23", "checkOutTime": "2026-11-23 18:00", "reason": "x"}),
            "checkOutTime",
        ),
        (
            json!({"date": "23/11/2026", "checkInTime": "2026-11-23T09:00:00+05:30", "reason": "x"}),
            "date",
        ),
        (
            json!({"date": "2026-11-23", "reason": "no times"}),
            "checkInTime",
        ),
        (
            json!({"date": "2026-11-23", "checkInTime": "2026-11-22T09:00:00+05:30", "reason": "x"}),
            "checkInTime",
        ),
        (
            json!({"date": "2026-11-23", "checkInTime": "2026-11-23T09:00:00+05:30",
                "checkOutTime": "2026-11-23T08:00:00+05:30", "reason": "x"}),
            "checkOutTime",
        ),
        (
            json!({"date": "2026-11-25", "checkInTime": "2026-11-25T09:00:00+05:30", "reason": "x"}),
            "date",
        ),
        (
            json!({"date": "2026-11-23", "checkInTime": "2026-11-23T09:00:00+05:30", "reason": " "}),
            "reason",
        ),
        (
            json!({"date": "2026-11-23", "checkInTime": "2026-11-23T09:00:00+05:30", "reason": "x",
                "attendanceId": "0123456789abcdef01234567"}),
            "attendanceId",
        ),
    ] {
        let (status, resp) = app
            .post(
                "/api/v1/attendance/corrections",
                Some(&ana.token),
                body.clone(),
            )
            .await;
        assert_error(status, &resp, 422, "validation_failed");
        assert_eq!(
            resp["error"]["details"][0]["field"], field,
            "{body}: {resp}"
        );
    }
    // A check-out alone for a day with no record cannot be applied.
    let c = ask(
        &app,
        &ana,
        json!({"date": "2026-11-23", "checkOutTime": "2026-11-23T18:00:00+05:30", "reason": "x"}),
    )
    .await;
    let (status, body) = review(&app, &admin, &id_of(&c), "approve").await;
    assert_error(status, &body, 422, "correction_incomplete");
}
