//! Real clients against the socket guards: payload-less events are answered, a demoted
//! admin loses the feeds and the right to act for others at once, anonymous sockets
//! have a deadline, a socket speaks for one user, and notifications reach only their user.

use std::time::Duration;

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};
use crate::realtime::{ack_codes, events, rest_check_in, scenario, until, Client};

#[tokio::test]
async fn events_without_a_payload_are_answered_not_dropped() {
    let app = spawn_app().await;
    let admin = app.register_org("NoPayload").await;
    let emp = app.add_member(&admin, "Empty Handed", "employee").await;
    let emits = json!([{"event": "checkin"}, {"event": "checkout"}, {"event": "subscribe"},
                       {"event": "authenticate"}]);
    for runtime in ["node", "python"] {
        let seen = Client::start(
            runtime,
            scenario(
                &app,
                "websocket",
                "handshake",
                &emp.token,
                emits.clone(),
                100,
            ),
        )
        .await
        .finish()
        .await;
        let codes = ack_codes(&seen);
        assert_eq!(
            codes,
            [
                &json!("validation_failed"),
                &json!("validation_failed"),
                &json!("validation_failed"),
                &json!("missing_token")
            ],
            "{runtime}: every event is answered through its ack: {seen}"
        );
        assert_eq!(events(&seen, "checkin:error").len(), 1, "{runtime}: {seen}");
        assert_eq!(
            events(&seen, "checkout:error").len(),
            1,
            "{runtime}: {seen}"
        );
        assert!(seen["disconnected"].is_null(), "{runtime}: {seen}");
    }
}

#[tokio::test]
async fn a_demoted_admin_loses_the_feed_and_the_right_to_act_for_others_at_once() {
    let app = spawn_app().await;
    let owner = app.register_org("Demotion").await;
    let deputy = app.add_member(&owner, "Deputy Admin", "admin").await;
    let other = app.add_member(&owner, "Someone Else", "employee").await;
    let late = app.add_member(&owner, "Late Comer", "employee").await;
    let emits = json!([
        {"event": "checkin", "data": {"userId": other.user_id, "location": {"lat": 12.97, "lng": 77.59}}},
        {"event": "subscribe", "data": {"type": "attendance", "organizationId": owner.org_id}},
        {"event": "checkin", "data": {"location": {"lat": 12.97, "lng": 77.59}}},
    ]);
    let mut s = until(
        scenario(&app, "websocket", "handshake", &deputy.token, emits, 0),
        "attendance:new",
        1,
    );
    s["pauseBeforeEmits"] = json!(true);
    let mut client = Client::start("node", s).await;
    // Connected as an admin; now demoted, while the socket stays open.
    let (status, body) = app
        .put(
            &format!("/api/v1/users/{}", deputy.user_id),
            &owner.token,
            json!({"role": "employee"}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    rest_check_in(&app, &late).await;
    client.resume().await;
    let seen = client.finish().await;
    assert_eq!(seen["acks"][0]["error"]["code"], "forbidden", "{seen}");
    assert_eq!(seen["acks"][1]["error"]["code"], "forbidden", "{seen}");
    assert_eq!(seen["acks"][2]["ok"], true, "{seen}");
    // The deputy's own check-in was emitted after the other's: had the socket still
    // been in the organization's room, the other's would have come first.
    let news = events(&seen, "attendance:new");
    assert_eq!(news[0]["userId"], deputy.user_id, "the feed leaked: {seen}");
    assert!(news.iter().all(|n| n["userId"] == deputy.user_id), "{seen}");
    let (_, list) = app
        .get(
            &format!("/api/v1/attendance?userId={}", other.user_id),
            &owner.token,
        )
        .await;
    assert_eq!(
        list["total"], 0,
        "a demoted admin checked someone in: {list}"
    );
}

#[tokio::test]
async fn an_anonymous_socket_that_never_authenticates_is_disconnected() {
    let app = spawn_app_with(|c| c.socket_auth_timeout = Duration::from_millis(300)).await;
    for runtime in ["node", "python"] {
        let s = until(
            scenario(&app, "polling", "none", "", json!([]), 0),
            "disconnect",
            1,
        );
        let seen = Client::start(runtime, s).await.finish().await;
        assert_eq!(
            events(&seen, "unauthorized")[0]["code"],
            "authentication_timeout",
            "{runtime}: {seen}"
        );
        assert!(seen["disconnected"].is_string(), "{runtime}: {seen}");
    }
}

#[tokio::test]
async fn a_socket_speaks_for_one_user_and_takes_a_refreshed_token() {
    let app = spawn_app().await;
    let admin = app.register_org("OneUser").await;
    let emp = app.add_member(&admin, "Other Person", "employee").await;
    let (status, again) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email, "password": admin.password}),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    let emits = json!([{"event": "authenticate", "data": {"token": emp.token}},
                       {"event": "authenticate", "data": {"token": again["accessToken"]}}]);
    let seen = Client::start(
        "python",
        scenario(&app, "websocket", "header", &admin.token, emits, 100),
    )
    .await
    .finish()
    .await;
    assert_eq!(
        seen["acks"][0]["error"]["code"], "already_authenticated",
        "{seen}"
    );
    assert_eq!(seen["acks"][1]["ok"], true, "{seen}");
    assert_eq!(seen["acks"][1]["user"]["userId"], admin.user_id, "{seen}");
}

#[tokio::test]
async fn a_notification_reaches_only_its_user() {
    let app = spawn_app().await;
    let admin = app.register_org("Notices").await;
    let emp = app.add_member(&admin, "Told Person", "employee").await;
    let start = |token: &str, runtime: &'static str| {
        let s = scenario(&app, "websocket", "handshake", token, json!([]), 0);
        Client::start(runtime, until(s, "notification", 1))
    };
    let told = start(&emp.token, "python").await;
    let bystander = start(&admin.token, "node").await;
    let (org, state) = (&admin.org_id, &app.state);
    rollcall::notifications::notify(
        state,
        org,
        &emp.user_id,
        "reminder",
        "Check out",
        "You are still in",
    )
    .await;
    rollcall::notifications::notify(state, org, &admin.user_id, "digest", "Today", "3 late").await;
    let seen = told.finish().await;
    let got = events(&seen, "notification");
    assert_eq!(got[0]["type"], "reminder", "{seen}");
    assert_eq!(got[0]["title"], "Check out");
    assert_eq!(got[0]["message"], "You are still in");
    assert_eq!(got[0]["userId"], emp.user_id);
    assert!(got[0]["createdAt"].as_str().unwrap().ends_with('Z'));
    // The admin's own notice was sent second: the employee's would have come first.
    let seen = bystander.finish().await;
    let got = events(&seen, "notification");
    assert_eq!(
        got[0]["userId"], admin.user_id,
        "another user's notice leaked: {seen}"
    );
    assert_eq!(got.len(), 1, "{seen}");
}
