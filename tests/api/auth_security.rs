//! Auth against an attacker: refresh rotation and reuse, concurrent refreshes,
//! logout, forged tokens, password reset by mail and OTP by SMS through real local
//! peers, codes that run out, rate limits, and no secret in any response or log.

use std::time::Duration;

use base64::Engine;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_error, spawn_app, spawn_app_with, TestApp};
use crate::sinks::{captured_logs, code_in, SmsSink, SmtpSink};

const SECRET: &str = "a-test-secret-that-is-long-enough-for-hs256";

async fn refresh(app: &TestApp, token: &str) -> (StatusCode, Value) {
    app.post("/api/v1/auth/refresh", None, json!({"refreshToken": token}))
        .await
}

#[tokio::test]
async fn refresh_rotates_and_reuse_ends_the_whole_sign_in() {
    let app = spawn_app().await;
    let admin = app.register_org("Rotate").await;
    let (s, first) = refresh(&app, &admin.refresh).await;
    assert_eq!(s, StatusCode::OK, "{first}");
    let r1 = first["refreshToken"].as_str().unwrap().to_string();
    assert_ne!(r1, admin.refresh);
    assert_eq!(
        app.get("/api/v1/auth/me", first["accessToken"].as_str().unwrap())
            .await
            .0,
        StatusCode::OK
    );
    let (s, second) = refresh(&app, &r1).await;
    assert_eq!(s, StatusCode::OK);
    let newest_refresh = second["refreshToken"].as_str().unwrap().to_string();
    let newest_access = second["accessToken"].as_str().unwrap().to_string();
    // Someone replays the first refresh token later: the family dies.
    app.clock.advance(chrono::Duration::seconds(30));
    let (s, b) = refresh(&app, &admin.refresh).await;
    assert_error(s, &b, 401, "invalid_refresh_token");
    let (s, b) = refresh(&app, &newest_refresh).await;
    assert_error(s, &b, 401, "invalid_refresh_token");
    let (s, b) = app.get("/api/v1/auth/me", &newest_access).await;
    assert_error(s, &b, 401, "invalid_token");
    let (_, log) = app
        .get(
            "/api/v1/audit-logs?action=refresh_reuse_detected",
            &relogin(&app, &admin.email, &admin.password).await,
        )
        .await;
    assert_eq!(log["total"], 1);
}

async fn relogin(app: &TestApp, email: &str, password: &str) -> String {
    let (s, b) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": email, "password": password}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{b}");
    b["accessToken"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn concurrent_refreshes_with_one_token_have_exactly_one_winner() {
    let app = spawn_app().await;
    let admin = app.register_org("Race").await;
    let calls = (0..8).map(|_| refresh(&app, &admin.refresh));
    let results = futures::future::join_all(calls).await;
    let winners: Vec<&Value> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::OK)
        .map(|(_, b)| b)
        .collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for (s, b) in results.iter().filter(|(s, _)| *s != StatusCode::OK) {
        assert_eq!(*s, StatusCode::UNAUTHORIZED, "{b}");
    }
    // The winner's session goes on: a racing retry is not theft.
    let (s, _) = refresh(&app, winners[0]["refreshToken"].as_str().unwrap()).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn refresh_families_expire_after_their_lifetime() {
    let app = spawn_app().await;
    let admin = app.register_org("Lifetime").await;
    app.clock.advance(chrono::Duration::days(29));
    let (s, b) = refresh(&app, &admin.refresh).await;
    assert_eq!(s, StatusCode::OK);
    app.clock.advance(chrono::Duration::days(2));
    let (s, b2) = refresh(&app, b["refreshToken"].as_str().unwrap()).await;
    assert_error(s, &b2, 401, "invalid_refresh_token");
}

#[tokio::test]
async fn logout_kills_the_access_token_and_its_refresh_family() {
    let app = spawn_app().await;
    let admin = app.register_org("Logout").await;
    let resp = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/logout",
            Some(&admin.token),
            None,
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, b) = app.get("/api/v1/auth/me", &admin.token).await;
    assert_error(s, &b, 401, "invalid_token");
    let (s, b) = refresh(&app, &admin.refresh).await;
    assert_error(s, &b, 401, "invalid_refresh_token");
    // Another sign-in of the same user is untouched.
    let other = relogin(&app, &admin.email, &admin.password).await;
    assert_eq!(app.get("/api/v1/auth/me", &other).await.0, StatusCode::OK);
    let (s, b) = crate::helpers::json_of(
        app.call(reqwest::Method::POST, "/api/v1/auth/logout", None, None)
            .await,
    )
    .await;
    assert_error(s, &b, 401, "missing_token");
}

fn sign(claims: &Value, alg: jsonwebtoken::Algorithm, secret: &str) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(alg),
        claims,
        &jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()),
    )
    .unwrap()
}

#[tokio::test]
async fn forged_expired_and_misaddressed_tokens_are_401() {
    let app = spawn_app_with(|c| c.jwt_secret = secrecy::SecretString::from(SECRET)).await;
    let admin = app.register_org("Forgery").await;
    let payload = admin.token.split('.').nth(1).unwrap();
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    // The genuine token, re-signed the same way, is accepted: the checks below fail for their reason only.
    let genuine = sign(&claims, jsonwebtoken::Algorithm::HS256, SECRET);
    assert_eq!(app.get("/api/v1/auth/me", &genuine).await.0, StatusCode::OK);
    let with = |k: &str, v: Value| {
        let mut c = claims.clone();
        c[k] = v;
        c
    };
    let none = format!(
        "{}.{}.",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#),
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let now = claims["iat"].as_i64().unwrap();
    let forged = [
        (
            "wrong key",
            sign(
                &claims,
                jsonwebtoken::Algorithm::HS256,
                "another-secret-that-is-long-enough-x",
            ),
        ),
        ("alg none", none),
        (
            "another algorithm",
            sign(&claims, jsonwebtoken::Algorithm::HS512, SECRET),
        ),
        (
            "expired",
            sign(
                &with("exp", json!(now - 60)),
                jsonwebtoken::Algorithm::HS256,
                SECRET,
            ),
        ),
        (
            "wrong audience",
            sign(
                &with("aud", json!("someone-else")),
                jsonwebtoken::Algorithm::HS256,
                SECRET,
            ),
        ),
        (
            "wrong issuer",
            sign(
                &with("iss", json!("evil")),
                jsonwebtoken::Algorithm::HS256,
                SECRET,
            ),
        ),
        (
            "not an access token",
            sign(
                &with("typ", json!("refresh")),
                jsonwebtoken::Algorithm::HS256,
                SECRET,
            ),
        ),
        (
            "tampered role",
            format!(
                "{}.{}.{}",
                genuine.split('.').next().unwrap(),
                base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .encode(with("role", json!("student")).to_string()),
                genuine.split('.').nth(2).unwrap()
            ),
        ),
        ("a refresh token", admin.refresh.clone()),
    ];
    for (what, token) in forged {
        let (s, b) = app.get("/api/v1/auth/me", &token).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{what} accepted: {b}");
    }
}

#[tokio::test]
async fn a_mailed_reset_code_sets_the_password_and_ends_old_sessions() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url.clone())).await;
    let admin = app.register_org("Reset").await;
    let (s, b) = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": admin.email}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let mail = smtp.wait_for(1).await.remove(0);
    assert!(mail.contains(&format!("To: {}", admin.email)), "{mail}");
    assert!(
        mail.contains("text/plain") && mail.contains("text/html"),
        "{mail}"
    );
    let code = code_in(&mail);
    app.clock.advance(chrono::Duration::seconds(5));
    let resp = app.call(reqwest::Method::POST, "/api/v1/auth/reset-password", None,
        Some(json!({"email": admin.email, "code": code, "newPassword": "a brand new passphrase"}))).await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    let (s, b) = app.get("/api/v1/auth/me", &admin.token).await;
    assert_error(s, &b, 401, "invalid_token");
    let (s, b) = refresh(&app, &admin.refresh).await;
    assert_error(s, &b, 401, "invalid_refresh_token");
    let (s, b) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email, "password": admin.password}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_credentials");
    relogin(&app, &admin.email, "a brand new passphrase").await;
    // Single use.
    let (s, b) = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"email": admin.email, "code": code, "newPassword": "yet another passphrase"}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
}

#[tokio::test]
async fn wrong_codes_run_out_and_codes_expire() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url.clone())).await;
    let admin = app.register_org("Tries").await;
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": admin.email}),
    )
    .await;
    let code = code_in(&smtp.wait_for(1).await[0]);
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        let (s, b) = app.post("/api/v1/auth/reset-password", None,
            json!({"email": admin.email, "code": wrong, "newPassword": "a brand new passphrase"})).await;
        assert_error(s, &b, 401, "invalid_code");
    }
    let (s, b) = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"email": admin.email, "code": code, "newPassword": "a brand new passphrase"}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
    // A fresh code that waits too long dies too.
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": admin.email}),
    )
    .await;
    let code = code_in(&smtp.wait_for(2).await[1]);
    app.clock.advance(chrono::Duration::minutes(16));
    let (s, b) = app
        .post(
            "/api/v1/auth/reset-password",
            None,
            json!({"email": admin.email, "code": code, "newPassword": "a brand new passphrase"}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
}

#[tokio::test]
async fn unknown_and_known_emails_get_identical_answers() {
    let smtp = SmtpSink::start().await;
    let app = spawn_app_with(|c| c.smtp_url = Some(smtp.url.clone())).await;
    let admin = app.register_org("Same").await;
    for path in ["/api/v1/auth/forgot-password", "/api/v1/auth/otp/request"] {
        let known = app.post(path, None, json!({"email": admin.email})).await;
        let unknown = app
            .post(path, None, json!({"email": "nobody@nowhere.test"}))
            .await;
        assert_eq!(known, unknown, "{path}");
        assert_eq!(known.0, StatusCode::ACCEPTED);
    }
    let wrong =
        json!({"email": admin.email, "code": "123456", "newPassword": "a brand new passphrase"});
    let unknown = json!({"email": "nobody@nowhere.test", "code": "123456", "newPassword": "a brand new passphrase"});
    assert_eq!(
        app.post("/api/v1/auth/reset-password", None, wrong).await,
        app.post("/api/v1/auth/reset-password", None, unknown).await
    );
    smtp.wait_for(2).await;
    assert_eq!(smtp.count(), 2, "only the known address gets mail");
}

#[tokio::test]
async fn without_smtp_mail_features_say_so() {
    let app = spawn_app().await;
    let admin = app.register_org("NoMail").await;
    let (s, b) = app
        .post(
            "/api/v1/auth/forgot-password",
            None,
            json!({"email": admin.email}),
        )
        .await;
    assert_error(s, &b, 503, "mail_not_configured");
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/request",
            None,
            json!({"email": admin.email}),
        )
        .await;
    assert_error(s, &b, 503, "mail_not_configured");
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/request",
            None,
            json!({"phoneNumber": "+14155550100"}),
        )
        .await;
    assert_error(s, &b, 503, "sms_not_configured");
}

async fn phone_user(app: &TestApp) -> (crate::helpers::Member, String) {
    let admin = app.register_org("Phones").await;
    let phone = "+919876543210".to_string();
    let (s, b) = app.post("/api/v1/users", Some(&admin.token),
        json!({"name": "Field Worker", "email": "field@phones.test", "role": "employee", "phoneNumber": phone})).await;
    assert_eq!(s, StatusCode::CREATED, "{b}");
    (admin, phone)
}

#[tokio::test]
async fn an_sms_code_signs_in_once_and_never_twice() {
    let sms = SmsSink::start().await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(sms.url.clone())).await;
    let (_, phone) = phone_user(&app).await;
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/request",
            None,
            json!({"phoneNumber": "+91 98765 43210"}),
        )
        .await;
    assert_eq!(s, StatusCode::ACCEPTED, "{b}");
    let sent = sms.received();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["to"], phone);
    let code = code_in(sent[0]["message"].as_str().unwrap());
    let (s, pair) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": phone, "code": code}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{pair}");
    assert_eq!(pair["user"]["email"], "field@phones.test");
    assert_eq!(
        app.get("/api/v1/auth/me", pair["accessToken"].as_str().unwrap())
            .await
            .0,
        StatusCode::OK
    );
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": phone, "code": code}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
    // Expired after five minutes.
    app.post(
        "/api/v1/auth/otp/request",
        None,
        json!({"phoneNumber": phone}),
    )
    .await;
    let code = code_in(sms.received()[1]["message"].as_str().unwrap());
    app.clock.advance(chrono::Duration::minutes(6));
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": phone, "code": code}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
}

#[tokio::test]
async fn a_failing_sms_provider_is_502_and_leaves_no_usable_code() {
    let sms = SmsSink::start().await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(sms.url.clone())).await;
    let (_, phone) = phone_user(&app).await;
    sms.fail(true);
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/request",
            None,
            json!({"phoneNumber": phone}),
        )
        .await;
    assert_error(s, &b, 502, "sms_failed");
    let code = code_in(sms.received()[0]["message"].as_str().unwrap());
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": phone, "code": code}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_code");
}

#[tokio::test]
async fn otp_requests_need_exactly_one_valid_destination() {
    let sms = SmsSink::start().await;
    let app = spawn_app_with(|c| c.sms_webhook_url = Some(sms.url.clone())).await;
    for body in [
        json!({}),
        json!({"phoneNumber": "+14155550100", "email": "a@b.co"}),
        json!({"phoneNumber": "12345"}),
        json!({"phoneNumber": "+14155550100", "code": "123456"}),
    ] {
        let (s, b) = app
            .post("/api/v1/auth/otp/request", None, body.clone())
            .await;
        assert_error(s, &b, 422, "validation_failed");
    }
    let (s, b) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": "+14155550100"}),
        )
        .await;
    assert_error(s, &b, 422, "validation_failed");
}

#[tokio::test]
async fn bursts_of_bad_logins_from_one_ip_get_429_with_retry_after() {
    let app = spawn_app_with(|c| c.rate_limits.login_per_ip = 5).await;
    for i in 0..5 {
        let (s, _) = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": format!("u{i}@x.test"), "password": "wrong password"}),
            )
            .await;
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    let resp = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            Some(json!({"email": "u9@x.test", "password": "wrong password"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=300).contains(&retry), "{retry}");
    let (s, b) = crate::helpers::json_of(resp).await;
    assert_error(s, &b, 429, "rate_limited");
    app.clock.advance(chrono::Duration::seconds(retry as i64));
    let (s, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "u9@x.test", "password": "wrong password"}),
        )
        .await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "the window ended");
}

#[tokio::test]
async fn many_ips_against_one_account_are_limited_too() {
    let app = spawn_app_with(|c| {
        c.trust_proxy = Some("x-forwarded-for".into());
        c.rate_limits.login_per_account = 3;
    })
    .await;
    let admin = app.register_org("Target").await;
    let attempt = |ip: String| {
        app.client
            .post(app.url("/api/v1/auth/login"))
            .header("x-forwarded-for", ip)
            .json(&json!({"email": admin.email, "password": "guessing wrong"}))
            .send()
    };
    for i in 0..3 {
        assert_eq!(
            attempt(format!("10.0.0.{i}")).await.unwrap().status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let resp = attempt("10.0.0.99".into()).await.unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(resp.headers().contains_key("retry-after"));
    // Even the right password waits: the account is being attacked.
    let (s, _) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": admin.email, "password": admin.password}),
        )
        .await;
    assert_eq!(s, StatusCode::TOO_MANY_REQUESTS);
    let (_, log) = app
        .get("/api/v1/audit-logs?action=login_rate_limited", &admin.token)
        .await;
    assert!(log["total"].as_i64().unwrap() >= 1);
}

#[tokio::test]
async fn common_passwords_are_refused_wherever_a_password_is_set() {
    let app = spawn_app().await;
    let (s, b) = app.post("/api/v1/auth/register", None,
        json!({"organizationName": "X", "name": "A", "email": "a@common.test", "password": "password123"})).await;
    assert_error(s, &b, 422, "validation_failed");
    assert_eq!(b["error"]["details"][0]["field"], "password");
    let admin = app.register_org("Common").await;
    let (s, b) = app.post("/api/v1/users", Some(&admin.token),
        json!({"name": "B", "email": "b@common.test", "role": "employee", "password": "baseball"})).await;
    assert_error(s, &b, 422, "validation_failed");
    let (s, b) = app
        .post(
            "/api/v1/auth/change-password",
            Some(&admin.token),
            json!({"currentPassword": admin.password, "newPassword": "iloveyou"}),
        )
        .await;
    assert_error(s, &b, 422, "validation_failed");
}

#[tokio::test]
async fn changing_the_password_ends_every_session() {
    let app = spawn_app().await;
    let admin = app.register_org("Change").await;
    let second = relogin(&app, &admin.email, &admin.password).await;
    let (s, b) = app
        .post(
            "/api/v1/auth/change-password",
            Some(&admin.token),
            json!({"currentPassword": "not it at all", "newPassword": "a fresh passphrase"}),
        )
        .await;
    assert_error(s, &b, 401, "invalid_credentials");
    app.clock.advance(chrono::Duration::seconds(1));
    let resp = app
        .call(
            reqwest::Method::POST,
            "/api/v1/auth/change-password",
            Some(&admin.token),
            Some(json!({"currentPassword": admin.password, "newPassword": "a fresh passphrase"})),
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    for token in [&admin.token, &second] {
        let (s, b) = app.get("/api/v1/auth/me", token).await;
        assert_error(s, &b, 401, "invalid_token");
    }
    let (s, _) = refresh(&app, &admin.refresh).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    relogin(&app, &admin.email, "a fresh passphrase").await;
}

#[tokio::test]
async fn a_deactivated_user_cannot_refresh() {
    let app = spawn_app().await;
    let admin = app.register_org("Deactivated").await;
    let emp = app.add_member(&admin, "Emp", "employee").await;
    app.clock.advance(chrono::Duration::seconds(1));
    app.put(
        &format!("/api/v1/users/{}", emp.user_id),
        &admin.token,
        json!({"isActive": false}),
    )
    .await;
    let (s, b) = refresh(&app, &emp.refresh).await;
    assert_error(s, &b, 401, "invalid_refresh_token");
}

#[tokio::test]
async fn no_token_code_or_hash_reaches_a_response_or_a_log_line() {
    let logs = captured_logs();
    let smtp = SmtpSink::start().await;
    let sms = SmsSink::start().await;
    let app = spawn_app_with(|c| {
        c.smtp_url = Some(smtp.url.clone());
        c.sms_webhook_url = Some(sms.url.clone());
    })
    .await;
    let admin = app.register_org("Quiet").await;
    let (_, phone) = {
        let (s, b) = app.post("/api/v1/users", Some(&admin.token),
            json!({"name": "Q", "email": "q@quiet.test", "role": "employee", "phoneNumber": "+14155550177"})).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        (b, "+14155550177")
    };
    app.post(
        "/api/v1/auth/forgot-password",
        None,
        json!({"email": admin.email}),
    )
    .await;
    let reset_code = code_in(&smtp.wait_for(1).await[0]);
    app.clock.advance(chrono::Duration::seconds(1));
    app.post(
        "/api/v1/auth/reset-password",
        None,
        json!({"email": admin.email, "code": reset_code, "newPassword": "quiet new passphrase"}),
    )
    .await;
    app.post(
        "/api/v1/auth/otp/request",
        None,
        json!({"phoneNumber": phone}),
    )
    .await;
    let otp = code_in(sms.received()[0]["message"].as_str().unwrap());
    let (_, pair) = app
        .post(
            "/api/v1/auth/otp/verify",
            None,
            json!({"phoneNumber": phone, "code": otp}),
        )
        .await;
    let (_, refreshed) = refresh(&app, pair["refreshToken"].as_str().unwrap()).await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE id = $1")
        .bind(&admin.user_id)
        .fetch_one(app.state.db.pool())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let text = String::from_utf8_lossy(&logs.lock().unwrap()).into_owned();
    assert!(
        text.contains("answered"),
        "the log capture saw no request lines"
    );
    let secrets = [
        admin.token.as_str(),
        admin.refresh.as_str(),
        reset_code.as_str(),
        otp.as_str(),
        hash.as_str(),
        pair["accessToken"].as_str().unwrap(),
        pair["refreshToken"].as_str().unwrap(),
        refreshed["refreshToken"].as_str().unwrap(),
        "$argon2id$",
        "quiet new passphrase",
        admin.password.as_str(),
    ];
    for secret in secrets {
        assert!(
            !text.contains(secret),
            "a secret reached the logs: {secret}"
        );
    }
    let (_, me) = app
        .get("/api/v1/auth/me", pair["accessToken"].as_str().unwrap())
        .await;
    crate::helpers::assert_no_secrets(&me);
    crate::helpers::assert_no_secrets(&pair["user"]);
}
