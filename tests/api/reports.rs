//! Reports against a fixture organization whose numbers were worked out by hand:
//! October 2026 in Asia/Kolkata, Mon–Fri, 09:00–18:00, late after 15 minutes,
//! Friday 2 October a holiday, so 21 working days.
//! - Ana (employee, Sales): every working day; late on 6 Oct (09:40), leaves at
//!   16:00 on 7 Oct. 21 present, 1 late, 1 early, 11,180 minutes, late 40 minutes.
//! - "=Bob" (employee, Ops): every working day but 14 Oct (an absence record).
//!   20 present, 1 absent, 10,800 minutes.
//! - Cy (student, Sales): joined 15 Oct, every working day from then at 09:10.
//!   12 expected, 12 present, 6,360 minutes.
//! - Dee (employee, Support): joined 20 Oct at 11:00 and did not come that day
//!   (not expected on the day she joined, like the absence job); every working day
//!   from 21 Oct. 8 expected, 8 present.

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_error, spawn_app, Member, TestApp};

struct Fixture {
    admin: Member,
    ana: String,
    bob: String,
    cy: String,
    dee: String,
}

fn ist_ms(day: NaiveDate, h: u32, m: u32) -> i64 {
    let tz: chrono_tz::Tz = "Asia/Kolkata".parse().unwrap();
    tz.from_local_datetime(&day.and_hms_opt(h, m, 0).unwrap())
        .unwrap()
        .with_timezone(&Utc)
        .timestamp_millis()
}

async fn insert_record(
    app: &TestApp,
    org: &str,
    user: &str,
    name: &str,
    day: NaiveDate,
    times: Option<((u32, u32), (u32, u32))>,
) {
    let (status, cin, cout, minute, minutes, late) = match times {
        None => ("absent", None, None, None, None, 0),
        Some(((ih, im), (oh, om))) => {
            let in_min = (ih * 60 + im) as i64;
            let out_min = (oh * 60 + om) as i64;
            let late = in_min > 9 * 60 + 15;
            let status = if out_min < 18 * 60 {
                "early"
            } else if late {
                "late"
            } else {
                "present"
            };
            (
                status,
                Some(ist_ms(day, ih, im)),
                Some(ist_ms(day, oh, om)),
                Some(in_min),
                Some(out_min - in_min),
                i64::from(late),
            )
        }
    };
    let now = ist_ms(day, 20, 0);
    sqlx::query(
        "INSERT INTO attendance (id, organization_id, user_id, user_name, date, check_in_time, check_out_time,
            check_in_minute, status, working_hours, is_late, auto_check_out, corrected, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, 0, $12, $12)",
    )
    .bind(rollcall::id::new_id())
    .bind(org)
    .bind(user)
    .bind(name)
    .bind(day.format("%Y-%m-%d").to_string())
    .bind(cin)
    .bind(cout)
    .bind(minute)
    .bind(status)
    .bind(minutes)
    .bind(late)
    .bind(now)
    .execute(app.state.db.pool())
    .await
    .unwrap();
}

async fn create(app: &TestApp, admin: &Member, name: &str, role: &str, dep: &str) -> String {
    let email = format!(
        "{}@fixture.test",
        name.trim_start_matches('=').to_lowercase()
    );
    let (s, u) = app
        .post(
            "/api/v1/users",
            Some(&admin.token),
            json!({"name": name, "email": email, "role": role, "department": dep}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{u}");
    u["_id"].as_str().unwrap().to_string()
}

async fn fixture(app: &TestApp) -> Fixture {
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 9, 20, 6, 0, 0).unwrap());
    let admin = app.register_org("Fixture Co").await;
    let ana = create(app, &admin, "Ana", "employee", "Sales").await;
    let bob = create(app, &admin, "=Bob", "employee", "Ops").await;
    let cy = create(app, &admin, "Cy", "student", "Sales").await;
    let dee = create(app, &admin, "Dee", "employee", "Support").await;
    for (user, day, hour) in [(&cy, 15, 10), (&dee, 20, 11)] {
        sqlx::query("UPDATE users SET created_at = $1 WHERE id = $2")
            .bind(ist_ms(
                NaiveDate::from_ymd_opt(2026, 10, day).unwrap(),
                hour,
                0,
            ))
            .bind(user)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let (s, _) = app
        .post(
            "/api/v1/holidays",
            Some(&admin.token),
            json!({"date": "2026-10-02", "name": "Gandhi Jayanti"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let org = admin.org_id.clone();
    for day in NaiveDate::from_ymd_opt(2026, 10, 1)
        .unwrap()
        .iter_days()
        .take(31)
    {
        if day.weekday().number_from_monday() > 5 || day.day() == 2 {
            continue;
        }
        let ana_times = match day.day() {
            6 => ((9, 40), (18, 0)),
            7 => ((9, 0), (16, 0)),
            _ => ((9, 0), (18, 0)),
        };
        insert_record(app, &org, &ana, "Ana", day, Some(ana_times)).await;
        let bob_times = (day.day() != 14).then_some(((9, 0), (18, 0)));
        insert_record(app, &org, &bob, "=Bob", day, bob_times).await;
        if day.day() >= 15 {
            insert_record(app, &org, &cy, "Cy", day, Some(((9, 10), (18, 0)))).await;
        }
        if day.day() >= 21 {
            insert_record(app, &org, &dee, "Dee", day, Some(((9, 0), (18, 0)))).await;
        }
    }
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 10, 6, 0, 0).unwrap());
    // Weeks have passed: sign in again.
    let (s, login) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email, "password": admin.password}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let admin = Member {
        token: login["accessToken"].as_str().unwrap().to_string(),
        ..admin
    };
    Fixture {
        admin,
        ana,
        bob,
        cy,
        dee,
    }
}

fn row<'a>(report: &'a serde_json::Value, user: &str) -> &'a serde_json::Value {
    report["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["userId"] == user)
        .expect("row for user")
}

#[tokio::test]
async fn monthly_report_matches_the_hand_computed_numbers() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let (s, r) = app
        .get("/api/v1/reports/monthly?month=2026-10", &f.admin.token)
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(
        r["period"],
        json!({"kind": "monthly", "from": "2026-10-01", "to": "2026-10-31"})
    );
    assert_eq!(r["timezone"], "Asia/Kolkata");
    let ana = row(&r, &f.ana);
    assert_eq!(
        (
            ana["workingDays"].as_i64(),
            ana["present"].as_i64(),
            ana["late"].as_i64(),
            ana["early"].as_i64(),
            ana["absent"].as_i64()
        ),
        (Some(21), Some(21), Some(1), Some(1), Some(0))
    );
    assert_eq!(ana["workingMinutes"], 11180);
    assert_eq!(ana["lateMinutes"], 40);
    assert_eq!(ana["averageCheckInTime"], "09:01");
    assert_eq!(ana["attendanceRate"], 100.0);
    let bob = row(&r, &f.bob);
    assert_eq!(
        (
            bob["workingDays"].as_i64(),
            bob["present"].as_i64(),
            bob["absent"].as_i64()
        ),
        (Some(21), Some(20), Some(1))
    );
    assert_eq!(bob["attendanceRate"], 95.2);
    assert_eq!(bob["workingMinutes"], 10800);
    let cy = row(&r, &f.cy);
    assert_eq!(
        (
            cy["workingDays"].as_i64(),
            cy["present"].as_i64(),
            cy["absent"].as_i64()
        ),
        (Some(12), Some(12), Some(0))
    );
    assert_eq!(cy["averageCheckInTime"], "09:10");
    assert_eq!(cy["workingMinutes"], 6360);
    let sm = &r["summary"];
    let dee = row(&r, &f.dee);
    assert_eq!(
        (
            dee["workingDays"].as_i64(),
            dee["present"].as_i64(),
            dee["absent"].as_i64()
        ),
        (Some(8), Some(8), Some(0))
    );
    assert_eq!(sm["users"], 4, "the admin is not counted");
    assert_eq!(
        (
            sm["workingDays"].as_i64(),
            sm["present"].as_i64(),
            sm["late"].as_i64(),
            sm["early"].as_i64(),
            sm["absent"].as_i64(),
            sm["onLeave"].as_i64()
        ),
        (Some(62), Some(61), Some(1), Some(1), Some(1), Some(0))
    );
    assert_eq!(sm["attendanceRate"], 98.4);
    assert_eq!(sm["averageWorkingMinutes"], 535);
}

/// Several records in one day count that day once, whichever way the database counts
/// distinct days (PostgreSQL uses a bit per day for periods of up to 64 days and
/// `COUNT(DISTINCT)` beyond: the month, 64 days, 65 days and 92 days below).
#[tokio::test]
async fn a_day_with_several_records_counts_once() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let org = f.admin.org_id.clone();
    let oct = |d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
    // Ana comes back in the evening of 6 and 8 Oct, for half an hour on 7 Oct
    // (leaving early again), and works Saturday 3 Oct from 10:00 (late).
    for (day, times) in [
        (6, ((19, 0), (20, 0))),
        (8, ((19, 0), (20, 0))),
        (7, ((17, 0), (17, 30))),
        (3, ((10, 0), (18, 0))),
    ] {
        insert_record(&app, &org, &f.ana, "Ana", oct(day), Some(times)).await;
    }
    // As the server writes them: only a day's first check-in can be late.
    sqlx::query(
        "UPDATE attendance SET is_late = 0,
             status = CASE WHEN status = 'late' THEN 'present' ELSE status END
         WHERE user_id = $1 AND check_in_minute >= 17 * 60",
    )
    .bind(&f.ana)
    .execute(app.state.db.pool())
    .await
    .unwrap();
    let (s, month) = app
        .get("/api/v1/reports/monthly?month=2026-10", &f.admin.token)
        .await;
    assert_eq!(s, StatusCode::OK, "{month}");
    let ana = row(&month, &f.ana);
    let counts = |r: &serde_json::Value| {
        (
            r["present"].as_i64(),
            r["late"].as_i64(),
            r["early"].as_i64(),
            r["workingMinutes"].as_i64(),
            r["lateMinutes"].as_i64(),
        )
    };
    // 21 working days and Saturday; late on 3 and 6 Oct; early on 7 Oct only (two
    // records). Minutes: 11,180 + 60 + 60 + 30 + 480. Late minutes: 40 + 60.
    assert_eq!(
        counts(ana),
        (Some(22), Some(2), Some(1), Some(11810), Some(100))
    );
    assert_eq!(
        (ana["workingDays"].as_i64(), ana["absent"].as_i64()),
        (Some(21), Some(0)),
        "the Saturday is not a working day and hides no absence"
    );
    let (s, long) = app
        .get(
            "/api/v1/reports/custom?from=2026-08-01&to=2026-10-31",
            &f.admin.token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{long}");
    assert_eq!(counts(row(&long, &f.ana)), counts(ana));
    assert_eq!(
        row(&long, &f.bob)["present"],
        row(&month, &f.bob)["present"]
    );
    // The edge of PostgreSQL's bit per day: 64 days whose last day (30 Oct, bit 63,
    // the sign bit) has records, and 65 days (back to distinct counts).
    for from in ["2026-08-28", "2026-08-27"] {
        let (s, edge) = app
            .get(
                &format!("/api/v1/reports/custom?from={from}&to=2026-10-30"),
                &f.admin.token,
            )
            .await;
        assert_eq!(s, StatusCode::OK, "{edge}");
        assert_eq!(counts(row(&edge, &f.ana)), counts(ana), "from {from}");
        assert_eq!(
            row(&edge, &f.bob)["present"],
            row(&month, &f.bob)["present"],
            "from {from}"
        );
    }
}

#[tokio::test]
async fn daily_weekly_and_custom_periods_count_the_right_days() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let t = &f.admin.token;
    let (_, day) = app.get("/api/v1/reports/daily?date=2026-10-14", t).await;
    assert_eq!(
        (
            day["summary"]["workingDays"].as_i64(),
            day["summary"]["present"].as_i64(),
            day["summary"]["absent"].as_i64()
        ),
        (Some(2), Some(1), Some(1))
    );
    let (_, joining) = app.get("/api/v1/reports/daily?date=2026-10-20", t).await;
    assert_eq!(
        (
            joining["summary"]["workingDays"].as_i64(),
            joining["summary"]["absent"].as_i64()
        ),
        (Some(3), Some(0)),
        "Dee is not expected on the day she joined: {joining}"
    );
    let (_, joining) = app.get("/api/v1/reports/daily?date=2026-10-20", t).await;
    let joining_counts = (
        joining["summary"]["workingDays"].as_i64(),
        joining["summary"]["absent"].as_i64(),
    );
    assert_eq!(
        joining_counts,
        (Some(3), Some(0)),
        "Dee is not expected on the day she joined: {joining}"
    );
    let (_, holiday) = app.get("/api/v1/reports/daily?date=2026-10-02", t).await;
    assert_eq!(holiday["summary"]["workingDays"], 0);
    let (_, week) = app.get("/api/v1/reports/weekly?date=2026-10-14", t).await;
    assert_eq!(
        week["period"],
        json!({"kind": "weekly", "from": "2026-10-12", "to": "2026-10-18"})
    );
    assert_eq!(
        (
            week["summary"]["workingDays"].as_i64(),
            week["summary"]["present"].as_i64()
        ),
        (Some(12), Some(11))
    );
    app.put(
        "/api/v1/organization",
        t,
        json!({"settings": {"weekStart": "sunday"}}),
    )
    .await;
    let (_, week) = app.get("/api/v1/reports/weekly?date=2026-10-14", t).await;
    assert_eq!(week["period"]["from"], "2026-10-11");
    let (_, custom) = app
        .get("/api/v1/reports/custom?from=2026-10-01&to=2026-10-09", t)
        .await;
    assert_eq!(row(&custom, &f.ana)["workingDays"], 6);
    assert_eq!(row(&custom, &f.ana)["late"], 1);
    assert!(custom["rows"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["userId"] != f.cy || r["workingDays"] == 0));
}

#[tokio::test]
async fn filters_narrow_the_people_counted() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let t = &f.admin.token;
    let (_, sales) = app
        .get("/api/v1/reports/monthly?month=2026-10&department=Sales", t)
        .await;
    let ids: Vec<&str> = sales["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userId"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&f.ana.as_str()) && ids.contains(&f.cy.as_str()));
    let (_, students) = app
        .get("/api/v1/reports/monthly?month=2026-10&role=student", t)
        .await;
    assert_eq!(students["summary"]["users"], 1);
    let (_, one) = app
        .get(
            &format!("/api/v1/reports/monthly?month=2026-10&userId={}", f.bob),
            t,
        )
        .await;
    assert_eq!(one["summary"]["absent"], 1);
    assert_eq!(one["summary"]["users"], 1);
}

#[tokio::test]
async fn reports_are_for_admins_of_the_organization_only() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let emp = app.add_member(&f.admin, "Emp", "employee").await;
    let (s, b) = app
        .get("/api/v1/reports/monthly?month=2026-10", &emp.token)
        .await;
    assert_error(s, &b, 403, "forbidden");
    let other = app.register_org("Other").await;
    let (_, theirs) = app
        .get("/api/v1/reports/monthly?month=2026-10", &other.token)
        .await;
    assert_eq!(theirs["summary"]["users"], 0);
    let (_, theirs) = app
        .get(
            &format!("/api/v1/reports/monthly?month=2026-10&userId={}", f.ana),
            &other.token,
        )
        .await;
    assert_eq!(theirs["rows"], json!([]));
}

#[tokio::test]
async fn bad_report_parameters_are_422() {
    let app = spawn_app().await;
    let admin = app.register_org("Params").await;
    for (path, field) in [
        ("/api/v1/reports/monthly?month=2026-13", "month"),
        ("/api/v1/reports/daily?date=2026-02-30", "date"),
        ("/api/v1/reports/custom?from=2026-01-01", "to"),
        ("/api/v1/reports/custom?from=2025-01-01&to=2026-01-02", "to"),
        ("/api/v1/reports/custom?from=2026-02-01&to=2026-01-01", "to"),
        ("/api/v1/reports/monthly?role=boss", "role"),
        ("/api/v1/reports/monthly?userId=xyz", "userId"),
        (
            "/api/v1/reports/export/csv?from=2026-01-01&to=2026-01-31&type=everything",
            "type",
        ),
        ("/api/v1/reports/analytics?from=2026-01-01", "to"),
        ("/api/v1/reports/monthly?colour=red", ""),
    ] {
        let (s, b) = app.get(path, &admin.token).await;
        assert_error(s, &b, 422, "validation_failed");
        if !field.is_empty() {
            assert_eq!(b["error"]["details"][0]["field"], field, "{path}: {b}");
        }
    }
}

/// Exports and analytics take `month=YYYY-MM` for a whole month, the same as its
/// `from` and `to`; a malformed month is a 422 naming the field.
#[tokio::test]
async fn exports_take_a_month_for_a_whole_month() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let body = |q: &'static str| {
        let req = app
            .client
            .get(app.url(&format!("/api/v1/reports/export/csv?type=records&{q}")))
            .bearer_auth(&f.admin.token);
        async move {
            let resp = req.send().await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK);
            let name = resp.headers()["content-disposition"].clone();
            (name, resp.text().await.unwrap())
        }
    };
    let (by_month_name, by_month) = body("month=2026-10").await;
    let (by_range_name, by_range) = body("from=2026-10-01&to=2026-10-31").await;
    assert_eq!(by_month, by_range);
    assert_eq!(by_month_name, by_range_name);
    assert!(
        by_month.lines().count() > 60,
        "the month's records are there"
    );
    let (s, a) = app
        .get("/api/v1/reports/analytics?month=2026-10", &f.admin.token)
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (s, e) = app
        .get("/api/v1/reports/export/pdf?month=2026-13", &f.admin.token)
        .await;
    assert_error(s, &e, 422, "validation_failed");
    assert_eq!(e["error"]["details"][0]["field"], "month", "{e}");
}

#[tokio::test]
async fn csv_exports_quote_and_neutralise_cells() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let resp = app
        .client
        .get(app.url("/api/v1/reports/export/csv?from=2026-10-01&to=2026-10-31&type=records"))
        .bearer_auth(&f.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/csv"));
    assert_eq!(
        resp.headers()["content-disposition"],
        "attachment; filename=\"attendance-records-2026-10-01-to-2026-10-31.csv\""
    );
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>()[..3],
        ["date", "name", "email"]
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows.len(),
        21 + 21 + 12 + 8,
        "one line per record (Bob's absence included)"
    );
    let bob_absent = rows
        .iter()
        .find(|r| &r[0] == "2026-10-14" && &r[4] == "absent")
        .unwrap();
    assert_eq!(&bob_absent[1], "'=Bob", "formula not neutralised");
    let ana_late = rows
        .iter()
        .find(|r| &r[0] == "2026-10-06" && &r[1] == "Ana")
        .unwrap();
    assert_eq!(
        &ana_late[5], "2026-10-06 09:40",
        "check-in not in local time"
    );
    assert_eq!(&ana_late[8], "true");

    let resp = app
        .client
        .get(app.url("/api/v1/reports/export/csv?from=2026-10-01&to=2026-10-31"))
        .bearer_auth(&f.admin.token)
        .send()
        .await
        .unwrap();
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 4);
    let bob = rows.iter().find(|r| &r[0] == "'=Bob").unwrap();
    assert_eq!(
        (&bob[4], &bob[5], &bob[8], &bob[10]),
        ("21", "20", "1", "95.2")
    );
}

#[tokio::test]
async fn pdf_and_xlsx_exports_open_with_a_parser() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let resp = app
        .client
        .get(app.url("/api/v1/reports/export/pdf?from=2026-10-01&to=2026-10-31"))
        .bearer_auth(&f.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("a readable PDF");
    assert_eq!(doc.get_pages().len(), 1);
    let text = doc.extract_text(&[1]).unwrap();
    for needle in [
        "Fixture Co",
        "2026-10-01 to 2026-10-31",
        "Ana",
        "=Bob",
        "95.2",
        "Page 1 of 1",
        "Total (4 people)",
    ] {
        assert!(
            text.contains(needle),
            "{needle} missing from the PDF text:\n{text}"
        );
    }

    let resp = app
        .client
        .get(app.url("/api/v1/reports/export/xlsx?from=2026-10-01&to=2026-10-31"))
        .bearer_auth(&f.admin.token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let bytes = resp.bytes().await.unwrap().to_vec();
    use calamine::Reader;
    let mut book = calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a readable workbook");
    let summary = book.worksheet_range("Summary").unwrap();
    assert_eq!(summary.height(), 5);
    let bob = summary
        .rows()
        .find(|r| r[0] == "=Bob")
        .expect("Bob's row, stored as text");
    assert_eq!(bob[8].to_string(), "1");
    let records = book.worksheet_range("Records").unwrap();
    assert_eq!(records.height(), 1 + 62);
}

#[tokio::test]
async fn analytics_draw_the_month() {
    let app = spawn_app().await;
    let f = fixture(&app).await;
    let (s, a) = app
        .get(
            "/api/v1/reports/analytics?from=2026-10-01&to=2026-10-31",
            &f.admin.token,
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let daily = a["daily"].as_array().unwrap();
    assert_eq!(daily.len(), 31);
    let oct14 = daily.iter().find(|d| d["date"] == "2026-10-14").unwrap();
    assert_eq!(
        (oct14["expected"].as_i64(), oct14["present"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(oct14["attendanceRate"], 50.0);
    let oct6 = daily.iter().find(|d| d["date"] == "2026-10-06").unwrap();
    assert_eq!(oct6["late"], 1);
    let oct2 = daily.iter().find(|d| d["date"] == "2026-10-02").unwrap();
    assert_eq!(oct2["expected"], 0);
    let sales = a["departments"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["department"] == "Sales")
        .unwrap();
    assert_eq!(
        (
            sales["users"].as_i64(),
            sales["workingDays"].as_i64(),
            sales["present"].as_i64()
        ),
        (Some(2), Some(33), Some(33))
    );
    let slots = a["checkInDistribution"].as_array().unwrap();
    assert!(
        slots.contains(&json!({"slot": "09:00", "count": 60})),
        "{slots:?}"
    );
    assert!(
        slots.contains(&json!({"slot": "09:30", "count": 1})),
        "{slots:?}"
    );
    let oct20 = daily.iter().find(|d| d["date"] == "2026-10-20").unwrap();
    assert_eq!(oct20["expected"], 3, "Dee joined after the day began");
    let oct21 = daily.iter().find(|d| d["date"] == "2026-10-21").unwrap();
    assert_eq!(
        (oct21["expected"].as_i64(), oct21["present"].as_i64()),
        (Some(4), Some(4))
    );
    assert_eq!(a["topLateArrivals"][0]["userId"], f.ana);
    assert_eq!(a["topLateArrivals"][0]["lateMinutes"], 40);
}

#[tokio::test]
async fn record_exports_page_through_thousands_of_records_in_order() {
    let app = spawn_app().await;
    app.clock
        .set(Utc.with_ymd_and_hms(2026, 11, 10, 6, 0, 0).unwrap());
    let admin = app.register_org("Pages").await;
    let mut users = Vec::new();
    for i in 0..30 {
        users.push(create(&app, &admin, &format!("P{i:02}"), "employee", "Ops").await);
    }
    let days: Vec<NaiveDate> = NaiveDate::from_ymd_opt(2026, 3, 1)
        .unwrap()
        .iter_days()
        .take(150)
        .collect();
    for chunk in days.chunks(10) {
        let mut sql = String::from(
            "INSERT INTO attendance (id, organization_id, user_id, user_name, date, check_in_time, check_out_time,
             check_in_minute, status, working_hours, is_late, auto_check_out, corrected, created_at, updated_at) VALUES ",
        );
        let mut first = true;
        for day in chunk {
            for (i, u) in users.iter().enumerate() {
                if !first {
                    sql.push(',');
                }
                first = false;
                let cin = ist_ms(*day, 9, 0);
                sql.push_str(&format!(
                    "('{}', '{}', '{u}', 'P{i:02}', '{}', {cin}, {}, 540, 'present', 540, 0, 0, 0, {cin}, {cin})",
                    rollcall::id::new_id(),
                    admin.org_id,
                    day.format("%Y-%m-%d"),
                    cin + 540 * 60_000
                ));
            }
        }
        sqlx::query(&sql)
            .execute(app.state.db.pool())
            .await
            .unwrap();
    }
    let resp = app
        .client
        .get(app.url("/api/v1/reports/export/csv?from=2026-03-01&to=2026-07-28&type=records"))
        .bearer_auth(&admin.token)
        .send()
        .await
        .unwrap();
    let body = resp.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(
        rows.len(),
        30 * 150,
        "every record exactly once across pages"
    );
    let dates: Vec<&str> = rows.iter().map(|r| r.get(0).unwrap()).collect();
    assert!(
        dates.windows(2).all(|w| w[0] <= w[1]),
        "records out of date order"
    );
    assert_eq!(dates[0], "2026-03-01");
    assert_eq!(dates[dates.len() - 1], "2026-07-28");
    let unique: std::collections::HashSet<(String, String)> = rows
        .iter()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert_eq!(unique.len(), 30 * 150);
}
