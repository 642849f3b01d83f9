//! `POST /users/bulk-import`: good rows land, bad rows are reported; multipart and
//! text/csv bodies; a 5,000-row file in one request.

use reqwest::StatusCode;

use crate::helpers::{assert_error, json_of, spawn_app, spawn_app_with, TestApp};

async fn import_csv(app: &TestApp, token: &str, csv: String) -> (StatusCode, serde_json::Value) {
    let resp = app
        .client
        .post(app.url("/api/v1/users/bulk-import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .unwrap();
    json_of(resp).await
}

#[tokio::test]
async fn good_rows_land_and_bad_rows_are_reported() {
    let app = spawn_app().await;
    let admin = app.register_org("Importer").await;
    let csv = format!(
        "name,email,role,department,phoneNumber\n\
         Ana,ana@imp.test,employee,Sales,\n\
         ,broken,boss,,12\n\
         Ben,ben@imp.test,student,Batch 1,+14155550123\n\
         Ana Again,ANA@imp.test,employee,,\n\
         Taken,{},employee,,\n",
        admin.email
    );
    let (status, body) = import_csv(&app, &admin.token, csv).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 2);
    let rows: Vec<i64> = body["failed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["row"].as_i64().unwrap())
        .collect();
    assert_eq!(rows, [3, 5, 6]);
    let row3: Vec<&str> = body["failed"][0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(row3, ["name", "email", "role", "phoneNumber"]);
    let (_, list) = app.get("/api/v1/users?search=imp.test", &admin.token).await;
    assert_eq!(list["total"], 2);
    let (_, ben) = app.get("/api/v1/users?role=student", &admin.token).await;
    assert_eq!(ben["data"][0]["phoneNumber"], "+14155550123");
    let (_, audit) = app
        .get("/api/v1/audit-logs?action=bulk_import", &admin.token)
        .await;
    assert_eq!(audit["data"][0]["metadata"]["created"], 2);
}

#[tokio::test]
async fn multipart_file_field_is_accepted() {
    let app = spawn_app().await;
    let admin = app.register_org("Multipart").await;
    let part = reqwest::multipart::Part::bytes(b"name,email\nMo,mo@mp.test\n".to_vec())
        .file_name("users.csv")
        .mime_str("text/csv")
        .unwrap();
    let form = reqwest::multipart::Form::new().part("file", part);
    let resp = app
        .client
        .post(app.url("/api/v1/users/bulk-import"))
        .bearer_auth(&admin.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 1);
    let form = reqwest::multipart::Form::new().text("other", "x");
    let resp = app
        .client
        .post(app.url("/api/v1/users/bulk-import"))
        .bearer_auth(&admin.token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_error(status, &body, 422, "validation_failed");
}

#[tokio::test]
async fn bad_uploads_are_rejected_whole() {
    let app = spawn_app_with(|c| c.max_file_size = 64 * 1024).await;
    let admin = app.register_org("BadUploads").await;
    let (s, b) = import_csv(
        &app,
        &admin.token,
        "name,email,salary\nA,a@x.com,1\n".into(),
    )
    .await;
    assert_error(s, &b, 422, "validation_failed");
    let (s, b) = import_csv(&app, &admin.token, "role\nadmin\n".into()).await;
    assert_error(s, &b, 422, "validation_failed");
    let big = format!("name,email\n{}", "Some Name,some@x.com\n".repeat(5000));
    let (s, b) = import_csv(&app, &admin.token, big).await;
    assert_error(s, &b, 413, "payload_too_large");
    let resp = app
        .client
        .post(app.url("/api/v1/users/bulk-import"))
        .bearer_auth(&admin.token)
        .json(&serde_json::json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    let (s, b) = json_of(resp).await;
    assert_error(s, &b, 415, "unsupported_media_type");
    let emp = app.add_member(&admin, "Emp", "employee").await;
    let (s, b) = import_csv(&app, &emp.token, "name,email\nA,a@x.com\n".into()).await;
    assert_error(s, &b, 403, "forbidden");
    let (_, list) = app.get("/api/v1/users", &admin.token).await;
    assert_eq!(list["total"], 2, "nothing from a rejected upload may land");
}

#[tokio::test]
async fn five_thousand_rows_import_in_one_request() {
    let app = spawn_app_with(|c| c.free_plan_max_users = 10_000).await;
    let admin = app.register_org("Big").await;
    let mut csv = String::from("name,email,role,department,phoneNumber\n");
    for i in 0..5000 {
        csv.push_str(&format!(
            "Person {i},person{i}@big.test,employee,Dept {},\n",
            i % 7
        ));
    }
    let (status, body) = import_csv(&app, &admin.token, csv).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["created"], 5000);
    assert_eq!(body["failed"].as_array().unwrap().len(), 0);
    let (_, list) = app
        .get("/api/v1/users?department=Dept%203&limit=1", &admin.token)
        .await;
    assert_eq!(list["total"], 714);
}
