//! Check-in and check-out: lateness at the threshold minute, early leaving, working
//! minutes, the organization's timezone across midnight and DST, the window, admins
//! acting for others, one open record per user, and bad input.

use reqwest::StatusCode;
use serde_json::json;

use crate::attendance_helpers::*;
use crate::helpers::assert_error;

#[tokio::test]
async fn the_threshold_minute_is_present_and_the_next_minute_is_late() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T06:00:00+05:30", "Punctual", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    // Asia/Kolkata, 09:00 start, 15 minutes threshold.
    app.clock.set(at("2026-11-25T09:15:59+05:30"));
    let a = check_in(&app, &ana).await;
    assert_eq!(a["status"], "present", "{a}");
    assert_eq!(a["isLate"], false);
    assert_eq!(a["date"], "2026-11-25");
    assert_eq!(a["checkInTime"], "2026-11-25T03:45:59.000Z");
    assert_eq!(a["userId"], ana.user_id.as_str());
    assert_eq!(a["userName"], "Ana");
    assert_eq!(a["organizationId"], admin.org_id.as_str());
    assert_eq!(a["checkInLocation"]["latitude"], 12.9716);
    assert!(a["checkOutTime"].is_null() && a["workingHours"].is_null());
    assert_eq!(a["autoCheckOut"], false);
    assert_eq!(a["corrected"], false);
    app.clock.set(at("2026-11-25T09:16:00+05:30"));
    let b = check_in(&app, &ben).await;
    assert_eq!(b["status"], "late", "{b}");
    assert_eq!(b["isLate"], true);
}

#[tokio::test]
async fn leaving_before_the_end_of_working_hours_is_early_and_minutes_are_whole() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T06:00:00+05:30", "Leavers", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    app.clock.set(at("2026-11-25T09:00:00+05:30"));
    let rec = check_in(&app, &ana).await;
    app.clock.set(at("2026-11-25T17:30:59+05:30"));
    let out = check_out(&app, &ana, &id_of(&rec)).await;
    assert_eq!(out["status"], "early", "{out}");
    assert_eq!(out["workingHours"], 510);
    assert_eq!(out["checkOutTime"], "2026-11-25T12:00:59.000Z");
    assert_eq!(out["checkOutLocation"]["longitude"], 77.5946);
    // A second stint the same day is not coming in late (only the day's first
    // check-in can be), and ending after working hours keeps its status.
    app.clock.set(at("2026-11-25T17:45:00+05:30"));
    let again = check_in(&app, &ana).await;
    assert_eq!(
        (&again["status"], &again["isLate"]),
        (&json!("present"), &json!(false)),
        "{again}"
    );
    app.clock.set(at("2026-11-25T18:00:00+05:30"));
    let out = check_out(&app, &ana, &id_of(&again)).await;
    assert_eq!(out["status"], "present");
    assert_eq!(out["workingHours"], 15);
    let (_, stored) = app
        .get(&format!("/api/v1/attendance/{}", id_of(&rec)), &ana.token)
        .await;
    assert_eq!(stored["status"], "early");
    assert_eq!(stored["workingHours"], 510);
}

/// Only the day's first check-in can be late, also when an admin checks someone in
/// (a different write path from the employee's own).
#[tokio::test]
async fn an_admin_check_in_after_a_break_is_not_late_but_a_first_one_is() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T06:00:00+05:30", "Breaks", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    morning_before_lunch(&app, &ana, "2026-11-25").await;
    for (who, want_status, want_late) in [(&ana, "present", false), (&ben, "late", true)] {
        let body = json!({"location": here(), "userId": who.user_id});
        let (s, rec) = try_check_in(&app, &admin, body).await;
        assert_eq!(s, StatusCode::CREATED, "{rec}");
        assert_eq!(rec["status"], want_status, "{rec}");
        assert_eq!(rec["isLate"], want_late, "{rec}");
    }
}

#[tokio::test]
async fn a_check_in_after_local_midnight_belongs_to_the_new_local_day() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-24T06:00:00+05:30", "Night", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    // 00:10 in Kolkata is still the 24th in UTC.
    app.clock.set(at("2026-11-24T18:40:00Z"));
    let rec = check_in(&app, &ana).await;
    assert_eq!(rec["date"], "2026-11-25", "{rec}");
    assert_eq!(rec["status"], "present");

    set_settings(&app, &admin, json!({"timezone": "America/Los_Angeles"})).await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    // 00:05 in Los Angeles on the 25th is 08:05 UTC.
    app.clock.set(at("2026-11-25T08:05:00Z"));
    let rec = check_in(&app, &ben).await;
    assert_eq!(rec["date"], "2026-11-25", "{rec}");
    app.clock.set(at("2026-11-25T07:55:00Z"));
    let carl = app.add_member(&admin, "Carl", "employee").await;
    let rec = check_in(&app, &carl).await;
    assert_eq!(rec["date"], "2026-11-24", "{rec}");
}

#[tokio::test]
async fn los_angeles_rules_follow_the_wall_clock_across_dst_changes() {
    let app = spawn().await;
    let admin = org_at(
        &app,
        "2026-03-01T12:00:00Z",
        "Pacific",
        json!({"timezone": "America/Los_Angeles"}),
    )
    .await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    // 2026-03-08: clocks go from 02:00 PST to 03:00 PDT. 01:30 PST to 03:30 PDT is one hour.
    app.clock.set(at("2026-03-08T09:30:00Z"));
    let night = check_in(&app, &ana).await;
    assert_eq!(night["date"], "2026-03-08");
    app.clock.set(at("2026-03-08T10:30:00Z"));
    let out = check_out(&app, &ana, &id_of(&night)).await;
    assert_eq!(out["workingHours"], 60, "{out}");
    // 16:20 UTC is 09:20 PDT: late (it would be 08:20 under the winter offset).
    app.clock.set(at("2026-03-08T16:20:00Z"));
    let rec = check_in(&app, &ben).await;
    assert_eq!(rec["status"], "late", "{rec}");
    // Leaving at 00:30 UTC on the 9th is 17:30 PDT on the 8th: early.
    app.clock.set(at("2026-03-09T00:30:00Z"));
    let out = check_out(&app, &ben, &id_of(&rec)).await;
    assert_eq!(out["status"], "early", "{out}");
    // 2026-11-01: back to PST. 17:10 UTC is 09:10 PST: on time (10:10 under summer time).
    app.clock.set(at("2026-11-01T17:10:00Z"));
    let rec = check_in(&app, &ana).await;
    assert_eq!(rec["status"], "present", "{rec}");
    assert_eq!(rec["date"], "2026-11-01");
}

#[tokio::test]
async fn check_in_outside_the_window_is_refused_unless_an_admin_does_it() {
    let app = spawn().await;
    let admin = org_at(
        &app,
        "2026-11-25T05:00:00+05:30",
        "Windowed",
        json!({"attendanceWindow": {"start": "07:00", "end": "10:00"}}),
    )
    .await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    app.clock.set(at("2026-11-25T06:59:00+05:30"));
    let (status, body) = try_check_in(&app, &ana, json!({"location": here()})).await;
    assert_error(status, &body, 422, "outside_attendance_window");
    assert!(body["error"]["message"].as_str().unwrap().contains("07:00"));
    let (status, body) = app
        .post(
            "/api/v1/attendance/checkin",
            Some(&admin.token),
            json!({"location": here(), "userId": ben.user_id}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "admin override: {body}");
    assert_eq!(body["userId"], ben.user_id.as_str());
    app.clock.set(at("2026-11-25T07:00:00+05:30"));
    check_in(&app, &ana).await;
    app.clock.set(at("2026-11-25T10:00:01+05:30"));
    let carl = app.add_member(&admin, "Carl", "employee").await;
    let (status, body) = try_check_in(&app, &carl, json!({"location": here()})).await;
    assert_error(status, &body, 422, "outside_attendance_window");
    // Removing the window opens check-in again.
    set_settings(&app, &admin, json!({"attendanceWindow": null})).await;
    check_in(&app, &carl).await;
}

#[tokio::test]
async fn concurrent_check_ins_of_one_user_yield_one_record() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T08:00:00+05:30", "Racers", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let tries = (0..12).map(|_| try_check_in(&app, &ana, json!({"location": here()})));
    let results = futures::future::join_all(tries).await;
    let created = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::CREATED)
        .count();
    assert_eq!(created, 1, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != StatusCode::CREATED) {
        assert_error(*status, body, 409, "already_checked_in");
    }
    let (_, list) = app.get("/api/v1/attendance", &ana.token).await;
    assert_eq!(list["total"], 1, "{list}");
}

#[tokio::test]
async fn an_open_record_blocks_a_second_check_in_until_checked_out() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T08:00:00+05:30", "Open", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let rec = check_in(&app, &ana).await;
    let (status, body) = try_check_in(&app, &ana, json!({"location": here()})).await;
    assert_error(status, &body, 409, "already_checked_in");
    // Still open the next day: check out first.
    app.clock.set(at("2026-11-26T09:00:00+05:30"));
    let (status, body) = try_check_in(&app, &ana, json!({"location": here()})).await;
    assert_error(status, &body, 409, "already_checked_in");
    check_out(&app, &ana, &id_of(&rec)).await;
    let (status, body) = try_check_out(&app, &ana, &id_of(&rec)).await;
    assert_error(status, &body, 409, "already_checked_out");
    check_in(&app, &ana).await;
}

#[tokio::test]
async fn only_the_owner_or_an_admin_checks_out_and_admins_acting_for_others_are_audited() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T08:00:00+05:30", "Desk", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    let (status, body) = app
        .post(
            "/api/v1/attendance/checkin",
            Some(&ben.token),
            json!({"location": here(), "userId": ana.user_id}),
        )
        .await;
    assert_error(status, &body, 403, "forbidden");
    let (status, rec) = app
        .post(
            "/api/v1/attendance/checkin",
            Some(&admin.token),
            json!({"location": here(), "userId": ana.user_id, "notes": "badge reader down"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{rec}");
    assert_eq!(rec["notes"], "badge reader down");
    let id = id_of(&rec);
    let (status, body) = try_check_out(&app, &ben, &id).await;
    assert_error(status, &body, 404, "not_found");
    app.clock.advance(chrono::Duration::hours(2));
    let out = check_out(&app, &admin, &id).await;
    assert_eq!(out["userId"], ana.user_id.as_str());
    assert_eq!(out["workingHours"], 120);
    let (_, logs) = app
        .get("/api/v1/audit-logs?resource=attendance", &admin.token)
        .await;
    let actions: Vec<&str> = logs["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["resourceId"] == id.as_str())
        .map(|l| l["action"].as_str().unwrap())
        .collect();
    assert!(
        actions.contains(&"checkin") && actions.contains(&"checkout"),
        "{logs}"
    );
    // An unknown user is not found; so is a user of another organization.
    let other = app.register_org("Elsewhere").await;
    for user in [other.user_id.as_str(), "0123456789abcdef01234567"] {
        let (status, body) = app
            .post(
                "/api/v1/attendance/checkin",
                Some(&admin.token),
                json!({"location": here(), "userId": user}),
            )
            .await;
        assert_error(status, &body, 404, "not_found");
    }
}

#[tokio::test]
async fn bad_check_in_input_is_422_naming_the_field() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T08:00:00+05:30", "Strict", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    for (body, field) in [
        (json!({}), "location"),
        (json!({"location": null}), "location"),
        (
            json!({"location": {"longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": 91, "longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": -90.5, "longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": 12.0, "longitude": 180.01}}),
            "location.longitude",
        ),
        (
            json!({"location": {"latitude": "NaN", "longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": null, "longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": 1e308, "longitude": 77.0}}),
            "location.latitude",
        ),
        (
            json!({"location": {"latitude": 12.0, "longitude": 77.0, "accuracy": -1}}),
            "location.accuracy",
        ),
        (
            json!({"location": here(), "siteId": "0123456789abcdef01234567"}),
            "siteId",
        ),
        (json!({"location": here(), "siteId": "not-an-id"}), "siteId"),
        (json!({"location": here(), "status": "present"}), ""),
    ] {
        let (status, resp) = try_check_in(&app, &ana, body.clone()).await;
        assert_error(status, &resp, 422, "validation_failed");
        if !field.is_empty() {
            assert_eq!(
                resp["error"]["details"][0]["field"], field,
                "{body}: {resp}"
            );
        }
    }
    // A NaN literal is not JSON at all.
    let resp = app
        .client
        .post(app.url("/api/v1/attendance/checkin"))
        .bearer_auth(&ana.token)
        .header("content-type", "application/json")
        .body(r#"{"location": {"latitude": NaN, "longitude": 77.0}}"#)
        .send()
        .await
        .unwrap();
    let (status, body) = crate::helpers::json_of(resp).await;
    assert_error(status, &body, 400, "malformed_json");
    // Nothing was recorded by any of them.
    let (_, list) = app.get("/api/v1/attendance", &ana.token).await;
    assert_eq!(list["total"], 0);
    let (status, body) = try_check_out(&app, &ana, "0123456789abcdef01234567").await;
    assert_error(status, &body, 404, "not_found");
}
