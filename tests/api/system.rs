//! Health, metrics, the OpenAPI document, the docs page, and the HTTP skeleton's
//! answers to malformed requests.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{assert_error, json_of, spawn_app};

#[tokio::test]
async fn health_answers_ok_once_the_database_answers() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.headers().contains_key("x-request-id"));
    let (_, body) = json_of(resp).await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn a_client_request_id_is_echoed() {
    let app = spawn_app().await;
    let resp = app
        .client
        .get(app.url("/health"))
        .header("x-request-id", "abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
}

#[tokio::test]
async fn metrics_count_requests_in_prometheus_text() {
    let app = spawn_app().await;
    app.client.get(app.url("/health")).send().await.unwrap();
    let text = app
        .client
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        text.contains("# TYPE rollcall_http_requests_total counter"),
        "{text}"
    );
    assert!(
        text.contains(
            r#"rollcall_http_requests_total{method="GET",route="/health",status="200"} 1"#
        ),
        "{text}"
    );
    assert!(
        text.contains("rollcall_http_request_duration_seconds_bucket"),
        "{text}"
    );
}

#[tokio::test]
async fn openapi_document_lists_every_endpoint() {
    let app = spawn_app().await;
    let (status, doc) = json_of(
        app.client
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/api/v1/auth/register",
        "/api/v1/auth/login",
        "/api/v1/auth/me",
        "/api/v1/organization",
        "/api/v1/users",
        "/api/v1/users/{id}",
        "/api/v1/users/bulk-import",
        "/api/v1/audit-logs",
        "/health",
    ] {
        assert!(
            paths.contains_key(p),
            "{p} missing from the OpenAPI document"
        );
    }
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}

#[tokio::test]
async fn docs_page_is_served_without_the_internet() {
    let app = spawn_app().await;
    let resp = app.client.get(app.url("/docs/")).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("https://"),
        "docs page loads assets from the internet"
    );
    let css = app
        .client
        .get(app.url("/docs/swagger-ui.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(css.status(), StatusCode::OK);
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let (status, body) = json_of(
        app.client
            .get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = json_of(app.client.get(app.url("/nothing")).send().await.unwrap()).await;
    assert_error(status, &body, 404, "not_found");
    let (status, body) = json_of(
        app.call(Method::DELETE, "/api/v1/auth/login", None, None)
            .await,
    )
    .await;
    assert_error(status, &body, 405, "method_not_allowed");
}

#[tokio::test]
async fn api_alias_serves_the_newest_version() {
    let app = spawn_app().await;
    let (status, body) = app
        .post(
            "/api/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "whatever123"}),
        )
        .await;
    assert_error(status, &body, 401, "invalid_credentials");
}

#[tokio::test]
async fn malformed_json_is_400_wrong_media_type_415_too_large_413() {
    let app = spawn_app().await;
    let url = app.url("/api/v1/auth/login");
    let (status, body) = json_of(
        app.client
            .post(&url)
            .header("content-type", "application/json")
            .body("{\"email\": ")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 400, "malformed_json");
    let (status, body) = json_of(app.client.post(&url).body("email=a").send().await.unwrap()).await;
    assert_error(status, &body, 415, "unsupported_media_type");
    let big = format!(
        "{{\"email\": \"{}\", \"password\": \"x\"}}",
        "a".repeat(2 * 1024 * 1024)
    );
    let (status, body) = json_of(
        app.client
            .post(&url)
            .header("content-type", "application/json")
            .body(big)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_error(status, &body, 413, "payload_too_large");
}

#[tokio::test]
async fn cors_preflight_allows_the_app() {
    let app = spawn_app().await;
    let resp = app
        .client
        .request(Method::OPTIONS, app.url("/api/v1/auth/login"))
        .header("origin", "http://localhost:8080")
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "authorization,content-type",
        )
        .send()
        .await
        .unwrap();
    assert!(resp.status().is_success());
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
}

#[tokio::test]
async fn cors_origin_setting_restricts_origins() {
    let app =
        crate::helpers::spawn_app_with(|c| c.cors_origins = vec!["https://app.example.com".into()])
            .await;
    let allowed = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://app.example.com")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://app.example.com"
    );
    let other = app
        .client
        .get(app.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(!other.headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn shutdown_finishes_the_request_in_flight_and_refuses_new_ones() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = spawn_app().await;
    let addr = app.base.trim_start_matches("http://").to_string();
    let body = r#"{"email": "nobody@example.com", "password": "whatever123"}"#;
    let mut stream = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body.as_bytes()[..10]).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    // The request is half-sent when shutdown starts; it must still be answered.
    app.shutdown.trigger();
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    stream.write_all(&body.as_bytes()[10..]).await.unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");
    assert!(answer.contains("invalid_credentials"), "{answer}");
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(
        tokio::net::TcpStream::connect(&addr).await.is_err(),
        "new connections still accepted after shutdown"
    );
}

#[tokio::test]
async fn a_request_over_the_time_limit_answers_503_in_the_error_shape() {
    // A password check costs milliseconds of argon2 work: far over a 1 ms limit.
    let app =
        crate::helpers::spawn_app_with(|c| c.request_timeout = std::time::Duration::from_millis(1))
            .await;
    let (status, body) = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.com", "password": "whatever123"}),
        )
        .await;
    assert_error(status, &body, 503, "timeout");
}
