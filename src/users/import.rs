//! Bulk import of users from CSV: a header row of the seed's field names
//! (`name,email,role,department,phoneNumber`), then one user per row. Good rows land,
//! bad rows are reported with their line number in the file (the header is line 1)
//! and every reason. Duplicate emails, in the file or already taken, are row errors.

use std::collections::HashSet;

use serde::Serialize;
use utoipa::ToSchema;

use super::model::NewUser;
use super::service::{check_new_user, seats_exhausted, taken_conflict};
use super::store;
use crate::app::AppState;
use crate::auth::Session;
use crate::error::{AppError, AppResult, FieldError};
use crate::extract::ClientInfo;
use crate::store::SqlBuf;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportFailure {
    /// Line number in the file; the header is line 1.
    pub row: usize,
    pub errors: Vec<FieldError>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub created: usize,
    pub failed: Vec<ImportFailure>,
}

const COLUMNS: [&str; 5] = ["name", "email", "role", "department", "phonenumber"];
/// Rows inserted per statement: 100 rows × 11 columns stays far below either
/// engine's bound-parameter limit.
const BATCH: usize = 100;

struct Parsed {
    good: Vec<(usize, NewUser)>,
    failed: Vec<ImportFailure>,
}

/// Reads and checks the CSV without touching the database.
fn parse(csv_bytes: &[u8]) -> AppResult<Parsed> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(true)
        .from_reader(csv_bytes);
    let headers = reader
        .headers()
        .map_err(|e| {
            AppError::BadRequest("malformed_csv", format!("cannot read the CSV header: {e}"))
        })?
        .clone();
    let mut index = [None; 5];
    for (i, h) in headers.iter().enumerate() {
        let key = h.trim_start_matches('\u{feff}').to_ascii_lowercase();
        match COLUMNS.iter().position(|c| *c == key) {
            Some(c) => index[c] = Some(i),
            None => {
                return Err(AppError::validation(
                    "file",
                    &format!(
                        "unknown column {h:?}; expected name,email,role,department,phoneNumber"
                    ),
                ))
            }
        }
    }
    if index[0].is_none() || index[1].is_none() {
        return Err(AppError::validation(
            "file",
            "the header row must name at least name and email",
        ));
    }
    let mut parsed = Parsed {
        good: Vec::new(),
        failed: Vec::new(),
    };
    let mut seen = HashSet::new();
    for (n, record) in reader.records().enumerate() {
        let row = n + 2;
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                parsed.failed.push(ImportFailure {
                    row,
                    errors: vec![FieldError::new("row", format!("unreadable CSV row: {e}"))],
                });
                continue;
            }
        };
        let cell = |c: usize| index[c].and_then(|i| record.get(i)).unwrap_or("");
        let role = Some(cell(2))
            .filter(|r| !r.is_empty())
            .unwrap_or("employee");
        match check_new_user(cell(0), cell(1), role, Some(cell(3)), Some(cell(4))) {
            Ok(user) if !seen.insert(user.email.clone()) => parsed.failed.push(ImportFailure {
                row,
                errors: vec![FieldError::new(
                    "email",
                    "appears more than once in the file",
                )],
            }),
            Ok(user) => parsed.good.push((row, user)),
            Err(errors) => parsed.failed.push(ImportFailure { row, errors }),
        }
    }
    Ok(parsed)
}

pub async fn import(
    state: &AppState,
    admin: &Session,
    client: &ClientInfo,
    csv_bytes: &[u8],
) -> AppResult<ImportResult> {
    let Parsed { good, mut failed } = parse(csv_bytes)?;
    let emails: Vec<String> = good.iter().map(|(_, u)| u.email.clone()).collect();
    let taken: HashSet<String> = store::taken_emails(&state.db, &emails)
        .await?
        .into_iter()
        .collect();
    let mut to_insert = Vec::with_capacity(good.len());
    for (row, user) in good {
        if taken.contains(&user.email) {
            failed.push(ImportFailure {
                row,
                errors: vec![FieldError::new(
                    "email",
                    "a user with this email already exists",
                )],
            });
        } else {
            to_insert.push((row, user));
        }
    }
    let now = state.clock.now();
    let now_ms = now.timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    if !to_insert.is_empty()
        && !store::claim_seats(&mut tx, &admin.org_id, to_insert.len() as i64).await?
    {
        // Not enough seats for every good row: report each instead of importing some.
        drop(tx);
        let seats = seats_exhausted().to_string();
        for (row, _) in to_insert {
            failed.push(ImportFailure {
                row,
                errors: vec![FieldError::new("row", seats.clone())],
            });
        }
        failed.sort_by_key(|f| f.row);
        return Ok(ImportResult { created: 0, failed });
    }
    for batch in to_insert.chunks(BATCH) {
        let mut q = SqlBuf::new(
            "INSERT INTO users (id, organization_id, email, password_hash, name, phone_number, role,
                                department, is_active, created_at, updated_at) VALUES ",
        );
        for (i, (_, u)) in batch.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.bind(crate::id::new_id_at(now.timestamp())).push(", ");
            q.bind(admin.org_id.as_str()).push(", ");
            q.bind(u.email.as_str()).push(", NULL, ");
            q.bind(u.name.as_str()).push(", ");
            q.bind(u.phone_number.as_deref()).push(", ");
            q.bind(u.role.as_str()).push(", ");
            q.bind(u.department.as_deref()).push(", 1, ");
            q.bind(now_ms).push(", ");
            q.bind(now_ms).push(")");
        }
        let (sql, args) = q.build();
        sqlx::query_with(&sql, args)
            .execute(&mut *tx)
            .await
            .map_err(taken_conflict)?;
    }
    crate::audit::record(
        &mut tx,
        &admin.org_id,
        Some(&admin.user_id),
        "bulk_import",
        "user",
        None,
        serde_json::json!({"created": to_insert.len(), "failed": failed.len()}),
        client,
        now_ms,
    )
    .await?;
    tx.commit().await?;
    failed.sort_by_key(|f| f.row);
    Ok(ImportResult {
        created: to_insert.len(),
        failed,
    })
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn reports_bad_rows_by_line_and_keeps_good_ones() {
        let csv = "name,email,role,department,phoneNumber\n\
                   Ana,ana@x.com,employee,Sales,\n\
                   ,bad-email,boss,,123\n\
                   Ben,ANA@x.com,student,,\n\
                   Cy,cy@x.com,,,+14155550100\n";
        let p = parse(csv.as_bytes()).unwrap();
        assert_eq!(p.good.len(), 2);
        assert_eq!(p.good[1].1.role.as_str(), "employee");
        let rows: Vec<usize> = p.failed.iter().map(|f| f.row).collect();
        assert_eq!(rows, vec![3, 4]);
        let fields: Vec<&str> = p.failed[0]
            .errors
            .iter()
            .map(|e| e.field.as_str())
            .collect();
        assert_eq!(fields, vec!["name", "email", "role", "phoneNumber"]);
    }

    #[test]
    fn refuses_unknown_columns() {
        assert!(parse(b"name,email,salary\nA,a@x.com,1\n").is_err());
        assert!(parse(b"role\nadmin\n").is_err());
    }
}
