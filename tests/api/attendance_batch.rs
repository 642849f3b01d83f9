//! Group commit of check-ins and check-outs (`attendance::writer`): punches that arrive
//! together are written by one statement, and each still gets the answer it would have
//! had alone: conflicts, missing and inactive people, records not open or not the
//! caller's, and two punches for the same person in one batch.

use reqwest::StatusCode;
use rollcall::attendance::model::AttendanceRow;
use rollcall::attendance::store::CheckOut;
use serde_json::{json, Value};

use crate::attendance_helpers::*;
use crate::helpers::{spawn_app_with, Member, TestApp};

/// A check-in row as the service builds it, for `user_id` at `ms`.
fn row(org_id: &str, user_id: &str, ms: i64) -> AttendanceRow {
    AttendanceRow {
        id: rollcall::id::new_id(),
        organization_id: org_id.into(),
        user_id: user_id.into(),
        user_name: String::new(),
        date: "2026-11-25".into(),
        check_in_time: Some(ms),
        check_out_time: None,
        status: "present".into(),
        check_in_location: None,
        check_out_location: None,
        working_hours: None,
        is_late: 0,
        notes: Some("batched".into()),
        site_id: None,
        auto_check_out: 0,
        corrected: 0,
        created_at: ms,
        updated_at: ms,
    }
}

fn check_out_at(ms: i64, owner: Option<&str>) -> CheckOut {
    CheckOut {
        at_ms: ms,
        location: None,
        notes: None,
        today: "2026-11-25".into(),
        // 18:00 in Kolkata: checking out before it is leaving early.
        today_end_ms: at("2026-11-25T18:00:00+05:30").timestamp_millis(),
        owner: owner.map(str::to_string),
    }
}

fn unique_violation(r: &sqlx::Result<Option<AttendanceRow>>) -> bool {
    matches!(r, Err(e) if rollcall::store::is_unique_violation(e))
}

fn metric(text: &str, name: &str) -> u64 {
    text.lines()
        .find_map(|l| l.strip_prefix(name)?.trim().parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

async fn metrics(app: &TestApp) -> String {
    app.client
        .get(format!("{}/metrics", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn deactivate(app: &TestApp, admin: &Member, m: &Member) {
    let (status, body) = app
        .put(
            &format!("/api/v1/users/{}", m.user_id),
            &admin.token,
            json!({"isActive": false}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn check_ins_arriving_together_are_one_statement_and_each_gets_its_own_answer() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T08:00:00+05:30", "Batch In", json!({})).await;
    let org = admin.org_id.clone();
    let (ana, ben, cy, dee, eve) = (
        app.add_member(&admin, "Ana", "employee").await,
        app.add_member(&admin, "Ben", "employee").await,
        app.add_member(&admin, "Cy", "employee").await,
        app.add_member(&admin, "Dee", "employee").await,
        app.add_member(&admin, "Eve", "employee").await,
    );
    deactivate(&app, &admin, &cy).await;
    check_in(&app, &dee).await;
    let before = metrics(&app).await;

    let ms = at("2026-11-25T09:00:00+05:30").timestamp_millis();
    let punches = &app.state.punches;
    let rows = [
        row(&org, &ana.user_id, ms),
        row(&org, &ben.user_id, ms),
        row(&org, &cy.user_id, ms),  // inactive
        row(&org, &dee.user_id, ms), // already has an open record
        row(&org, &eve.user_id, ms), // twice in one batch
        row(&org, &eve.user_id, ms),
        row(&org, "0123456789abcdef01234567", ms), // no such person
        row("0123456789abcdef01234567", &ana.user_id, ms), // another organization
    ];
    let answers = futures::future::join_all(
        rows.iter()
            .map(|r| punches.check_in(&r.organization_id, r.clone(), Some(570))),
    )
    .await;

    let written = |i: usize| answers[i].as_ref().ok().and_then(|r| r.as_ref());
    assert_eq!(
        written(0).map(|r| r.user_name.as_str()),
        Some("Ana"),
        "{:?}",
        answers[0]
    );
    assert_eq!(
        written(1).map(|r| r.user_name.as_str()),
        Some("Ben"),
        "{:?}",
        answers[1]
    );
    assert!(matches!(answers[2], Ok(None)), "inactive: {:?}", answers[2]);
    assert!(
        unique_violation(&answers[3]),
        "open record: {:?}",
        answers[3]
    );
    let eves = [&answers[4], &answers[5]];
    assert_eq!(
        eves.iter()
            .filter(|a| matches!(a, Ok(Some(r)) if r.user_name == "Eve"))
            .count(),
        1,
        "{eves:?}"
    );
    assert_eq!(
        eves.iter().filter(|a| unique_violation(a)).count(),
        1,
        "{eves:?}"
    );
    assert!(matches!(answers[6], Ok(None)), "missing: {:?}", answers[6]);
    assert!(
        matches!(answers[7], Ok(None)),
        "other organization: {:?}",
        answers[7]
    );

    // Ana, Ben and one of Eve's were written by a single statement; the rest ran alone.
    let after = metrics(&app).await;
    let delta = |name| metric(&after, name) - metric(&before, name);
    assert_eq!(delta("rollcall_punch_statements_total"), 1, "{after}");
    assert_eq!(delta("rollcall_punches_batched_total"), 3, "{after}");
    assert_eq!(delta("rollcall_punches_alone_total"), 5, "{after}");

    // What landed is exactly what was answered, with every column from the request.
    let (_, list) = app.get("/api/v1/attendance?limit=100", &admin.token).await;
    let mut names: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["Ana", "Ben", "Dee", "Eve"], "{list}");
    let ana_rec = record_of(&list, "Ana");
    assert_eq!(ana_rec["_id"], json!(rows[0].id));
    assert_eq!(ana_rec["notes"], "batched");
    assert_eq!(ana_rec["status"], "present");
    assert_eq!(ana_rec["checkInTime"], "2026-11-25T03:30:00.000Z");
}

fn record_of<'a>(list: &'a Value, name: &str) -> &'a Value {
    list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userName"] == name)
        .unwrap_or_else(|| panic!("no record of {name}: {list}"))
}

#[tokio::test]
async fn check_outs_arriving_together_are_one_statement_and_each_gets_its_own_answer() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-25T09:00:00+05:30", "Batch Out", json!({})).await;
    let org = admin.org_id.clone();
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    let cy = app.add_member(&admin, "Cy", "employee").await;
    let (a, b, c) = (
        id_of(&check_in(&app, &ana).await),
        id_of(&check_in(&app, &ben).await),
        id_of(&check_in(&app, &cy).await),
    );
    check_out(&app, &cy, &c).await;
    let before = metrics(&app).await;

    // 17:00 is before the end of the working day (18:00): these are early departures.
    let ms = at("2026-11-25T17:00:00+05:30").timestamp_millis();
    let punches = &app.state.punches;
    let outs = [
        (a.clone(), check_out_at(ms, Some(&ana.user_id))), // Ana's own
        (a.clone(), check_out_at(ms, Some(&ana.user_id))), // the same record again
        (b.clone(), check_out_at(ms, Some(&ana.user_id))), // Ben's record, by Ana
        (b.clone(), check_out_at(ms, None)),               // Ben's record, by an admin
        (c.clone(), check_out_at(ms, Some(&cy.user_id))),  // already closed
        (
            "0123456789abcdef01234567".to_string(),
            check_out_at(ms, None),
        ), // no such record
    ];
    let answers = futures::future::join_all(
        outs.iter()
            .map(|(id, c)| punches.check_out(&org, id, c.clone())),
    )
    .await;
    let closed = |i: usize| answers[i].as_ref().ok().and_then(|r| r.as_ref());

    let anas: Vec<_> = [0, 1].into_iter().filter_map(closed).collect();
    assert_eq!(anas.len(), 1, "{answers:?}");
    assert!(answers[..2].iter().all(|a| a.is_ok()), "{answers:?}");
    let ana_row = anas[0];
    assert_eq!(ana_row.id, a);
    assert_eq!(ana_row.status, "early");
    assert_eq!(ana_row.check_out_time, Some(ms));
    assert_eq!(ana_row.working_hours, Some(8 * 60));
    // Ana may not close Ben's record; the admin may, and only one of them does.
    assert!(matches!(answers[2], Ok(None)), "{:?}", answers[2]);
    assert_eq!(
        closed(3).map(|r| r.id.as_str()),
        Some(b.as_str()),
        "{:?}",
        answers[3]
    );
    assert!(matches!(answers[4], Ok(None)), "{:?}", answers[4]);
    assert!(matches!(answers[5], Ok(None)), "{:?}", answers[5]);

    let after = metrics(&app).await;
    let delta = |name| metric(&after, name) - metric(&before, name);
    assert_eq!(delta("rollcall_punch_statements_total"), 1, "{after}");
    // Ana's first; Ben's record went into the batch with Ana as the closer (refused),
    // so the admin's close of it, the second for that record, ran alone after it.
    assert_eq!(delta("rollcall_punches_batched_total"), 1, "{after}");
    assert_eq!(delta("rollcall_punches_alone_total"), 5, "{after}");

    let (status, body) = app
        .get(&format!("/api/v1/attendance/{b}"), &admin.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "early");
    assert_eq!(body["checkOutTime"], "2026-11-25T11:30:00.000Z");
    assert_eq!(body["workingHours"], 8 * 60);
}

#[tokio::test]
async fn many_people_checking_in_and_out_at_once_over_http_all_land() {
    // Forty sign-ins from one address are more than the default login limit allows.
    let app = spawn_app_with(|c| {
        c.access_token_ttl = std::time::Duration::from_secs(86_400);
        c.rate_limits.login_per_ip = 1_000;
    })
    .await;
    let admin = org_at(&app, "2026-11-25T09:00:00+05:30", "Crowd", json!({})).await;
    let mut people = Vec::new();
    for i in 0..40 {
        people.push(app.add_member(&admin, &format!("P{i}"), "employee").await);
    }
    let ins = futures::future::join_all(
        people
            .iter()
            .map(|m| try_check_in(&app, m, json!({"location": here()}))),
    )
    .await;
    for (status, body) in &ins {
        assert_eq!(*status, StatusCode::CREATED, "{body}");
    }
    for ((_, body), m) in ins.iter().zip(&people) {
        assert_eq!(body["userId"], json!(m.user_id), "{body}");
    }
    app.clock.set(at("2026-11-25T18:30:00+05:30"));
    let ids: Vec<String> = ins.iter().map(|(_, body)| id_of(body)).collect();
    let outs = futures::future::join_all(
        ids.iter()
            .zip(&people)
            .map(|(id, m)| try_check_out(&app, m, id)),
    )
    .await;
    for (status, body) in &outs {
        assert_eq!(*status, StatusCode::OK, "{body}");
        assert_eq!(body["status"], "present", "{body}");
        assert_eq!(body["workingHours"], 9 * 60 + 30, "{body}");
    }
    let (_, today) = app.get("/api/v1/attendance?limit=100", &admin.token).await;
    assert_eq!(today["total"], 40, "{today}");
}
