//! The scheduled jobs at chosen instants: absences on closed working days only,
//! holidays skipped, catch-up after downtime, no duplicates when run twice, concurrently
//! or by two servers on one database; automatic check-out; and the background loop.

use std::sync::Arc;

use reqwest::StatusCode;
use rollcall::app::App;
use rollcall::config::Config;
use rollcall::jobs::run_due;
use serde_json::{json, Value};

use crate::attendance_helpers::*;
use crate::helpers::{assert_error, spawn_app_with, Member, TestApp};

async fn absences(app: &TestApp, admin: &Member) -> Vec<(String, String)> {
    let (status, list) = app
        .get("/api/v1/attendance?status=absent&limit=100", &admin.token)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let mut out: Vec<(String, String)> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["date"].as_str().unwrap().to_string(),
                r["userName"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    out.sort();
    out
}

/// An organization in Kolkata made on Sunday 2026-11-22 with two employees, a student
/// and a holiday on Wednesday the 25th; Ana works on Monday.
async fn week(app: &TestApp) -> Member {
    let admin = org_at(app, "2026-11-22T21:00:00+05:30", "Weekly", json!({})).await;
    for (name, role) in [("Ana", "employee"), ("Ben", "employee"), ("Cy", "student")] {
        let m = app.add_member(&admin, name, role).await;
        if name == "Ana" {
            app.clock.set(at("2026-11-23T09:00:00+05:30"));
            let rec = check_in(app, &m).await;
            app.clock.set(at("2026-11-23T18:00:00+05:30"));
            check_out(app, &m, &id_of(&rec)).await;
            app.clock.set(at("2026-11-22T21:00:00+05:30"));
        }
    }
    let (status, body) = app
        .post(
            "/api/v1/holidays",
            Some(&admin.token),
            json!({"date": "2026-11-25", "name": "Founders' Day"}),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    admin
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[tokio::test]
async fn absences_are_marked_on_closed_working_days_skipping_holidays_and_caught_up() {
    let app = spawn().await;
    let admin = week(&app).await;
    // Monday closes at 18:00 + 2 h.
    let r = run_due(&app.state, at("2026-11-23T19:59:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.absences_marked, 0);
    assert!(absences(&app, &admin).await.is_empty());
    let r = run_due(&app.state, at("2026-11-23T20:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.absences_marked, 2, "{r:?}");
    assert_eq!(
        absences(&app, &admin).await,
        pairs(&[("2026-11-23", "Ben"), ("2026-11-23", "Cy")])
    );
    // The server was down until Saturday: Tuesday, Thursday and Friday are caught up;
    // Wednesday is a holiday, and the admin is never marked.
    let r = run_due(&app.state, at("2026-11-28T12:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.absences_marked, 9, "{r:?}");
    let marked = absences(&app, &admin).await;
    assert_eq!(marked.len(), 11);
    assert!(!marked
        .iter()
        .any(|(d, _)| d == "2026-11-25" || d == "2026-11-22"));
    assert_eq!(marked.iter().filter(|(d, _)| d == "2026-11-24").count(), 3);
    // Running again changes nothing; the weekend marks nobody.
    let r = run_due(&app.state, at("2026-11-28T12:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!((r.days_closed, r.absences_marked), (0, 0));
    let r = run_due(&app.state, at("2026-11-29T23:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.absences_marked, 0);
    assert_eq!(absences(&app, &admin).await.len(), 11);
    // An absent record cannot be checked out.
    let (_, list) = app
        .get("/api/v1/attendance?status=absent&limit=1", &admin.token)
        .await;
    let (status, body) = try_check_out(&app, &admin, &id_of(&list["data"][0])).await;
    assert_error(status, &body, 409, "not_checked_in");
}

#[tokio::test]
async fn working_days_come_from_the_settings() {
    let app = spawn().await;
    let admin = org_at(
        &app,
        "2026-11-22T21:00:00+05:30",
        "SixDays",
        json!({"workingDays": ["monday", "saturday"]}),
    )
    .await;
    app.add_member(&admin, "Ana", "employee").await;
    let r = run_due(&app.state, at("2026-11-29T23:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.absences_marked, 2, "{r:?}");
    assert_eq!(
        absences(&app, &admin).await,
        pairs(&[("2026-11-23", "Ana"), ("2026-11-28", "Ana")])
    );
}

#[tokio::test]
async fn concurrent_runs_and_two_servers_on_one_database_mark_each_absence_once() {
    let app = spawn().await;
    let admin = week(&app).await;
    let dir = crate::helpers::tempdir::TempDir::new();
    let second = App::build(
        Config::for_database(&app.database_url, &dir.0),
        Arc::new(app.clock.clone()),
    )
    .await
    .expect("a second server on the same database");
    let now = at("2026-11-28T12:00:00+05:30");
    let (a, b, c) = tokio::join!(
        run_due(&app.state, now),
        run_due(&second.state, now),
        run_due(&app.state, now),
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    // Sunday to Friday: six days, each closed by exactly one of the runs.
    assert_eq!(
        a.days_closed + b.days_closed + c.days_closed,
        6,
        "{a:?} {b:?} {c:?}"
    );
    assert_eq!(
        a.absences_marked + b.absences_marked + c.absences_marked,
        11
    );
    assert_eq!(absences(&app, &admin).await.len(), 11);
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM attendance WHERE status = 'absent'")
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    assert_eq!(rows, 11);
}

#[tokio::test]
async fn open_records_are_checked_out_automatically_at_the_set_local_time() {
    let app = spawn().await;
    let admin = org_at(
        &app,
        "2026-11-23T06:00:00+05:30",
        "AutoOut",
        json!({"autoCheckOut": "23:00"}),
    )
    .await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    let ben = app.add_member(&admin, "Ben", "employee").await;
    app.clock.set(at("2026-11-23T09:00:00+05:30"));
    let a = check_in(&app, &ana).await;
    // Ben starts after the auto check-out time: his record closes the next evening.
    app.clock.set(at("2026-11-23T23:30:00+05:30"));
    let b = check_in(&app, &ben).await;
    let r = run_due(&app.state, at("2026-11-23T22:59:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.auto_checked_out, 0);
    let r = run_due(&app.state, at("2026-11-24T00:10:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.auto_checked_out, 1, "{r:?}");
    let (_, rec) = app
        .get(&format!("/api/v1/attendance/{}", id_of(&a)), &ana.token)
        .await;
    assert_eq!(rec["checkOutTime"], "2026-11-23T17:30:00.000Z", "{rec}");
    assert_eq!(rec["autoCheckOut"], true);
    assert_eq!(rec["workingHours"], 840);
    assert_eq!(rec["status"], "present");
    assert!(rec["checkOutLocation"].is_null());
    let r = run_due(&app.state, at("2026-11-24T00:10:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.auto_checked_out, 0);
    let r = run_due(&app.state, at("2026-11-24T23:00:00+05:30"))
        .await
        .unwrap();
    assert_eq!(r.auto_checked_out, 1);
    let (_, rec) = app
        .get(&format!("/api/v1/attendance/{}", id_of(&b)), &ben.token)
        .await;
    assert_eq!(rec["checkOutTime"], "2026-11-24T17:30:00.000Z", "{rec}");
    assert_eq!(rec["workingHours"], 1410);
    // Ana may check in again.
    app.clock.set(at("2026-11-24T09:00:00+05:30"));
    check_in(&app, &ana).await;
}

#[tokio::test]
async fn turning_up_after_the_day_closed_replaces_the_absence() {
    let app = spawn().await;
    let admin = org_at(&app, "2026-11-22T21:00:00+05:30", "LateShift", json!({})).await;
    let ana = app.add_member(&admin, "Ana", "employee").await;
    run_due(&app.state, at("2026-11-23T20:30:00+05:30"))
        .await
        .unwrap();
    assert_eq!(absences(&app, &admin).await.len(), 1);
    app.clock.set(at("2026-11-23T21:00:00+05:30"));
    let rec: Value = check_in(&app, &ana).await;
    assert_eq!(rec["date"], "2026-11-23");
    assert!(absences(&app, &admin).await.is_empty());
}

#[tokio::test]
async fn the_background_loop_runs_the_jobs_on_its_own() {
    let app = spawn_app_with(|c| {
        c.access_token_ttl = std::time::Duration::from_secs(366 * 86_400);
        c.job_interval = std::time::Duration::from_millis(50);
    })
    .await;
    let admin = org_at(&app, "2026-11-22T21:00:00+05:30", "Looping", json!({})).await;
    app.add_member(&admin, "Ana", "employee").await;
    app.clock.set(at("2026-11-24T21:00:00+05:30"));
    let mut found = Vec::new();
    for _ in 0..200 {
        found = absences(&app, &admin).await;
        if found.len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        found,
        pairs(&[("2026-11-23", "Ana"), ("2026-11-24", "Ana")])
    );
}
