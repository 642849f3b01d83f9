//! Absence marking: once a working day that is not a holiday has closed, every active
//! employee or student with no record that day gets an `absent` record. Each
//! organization-day is claimed by a `job_runs` row inserted in the same transaction as
//! its absences, so it is done once however many servers try; missed days are caught up.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::AnyConnection;

use crate::app::AppState;
use crate::attendance::model::{AttendanceRow, COLUMNS};
use crate::attendance::rules::{format_day, parse_day, OrgRules};
use crate::store::{is_unique_violation, SqlBuf};
use crate::time::from_millis;

/// How far back a server that was down catches up.
pub const MAX_CATCH_UP_DAYS: i64 = 92;

/// Closes every due day of one organization: (days closed here, absences marked).
pub async fn run(
    state: &AppState,
    org_id: &str,
    rules: &OrgRules,
    org_created_at: i64,
    now: DateTime<Utc>,
) -> anyhow::Result<(u64, u64)> {
    let last = rules.last_closed_day(now);
    let done: Option<String> = sqlx::query_scalar(
        "SELECT MAX(day) FROM job_runs WHERE organization_id = $1 AND job = 'absence'",
    )
    .bind(org_id)
    .fetch_one(state.db.pool())
    .await?;
    let mut day = match done.as_deref().and_then(parse_day) {
        Some(d) => d + Duration::days(1),
        None => rules.local_day(from_millis(org_created_at)),
    };
    day = day.max(last - Duration::days(MAX_CATCH_UP_DAYS));
    let (mut days, mut marked) = (0, 0);
    while day <= last {
        if let Some(n) = close_day(state, org_id, rules, day, now).await? {
            days += 1;
            marked += n;
        }
        day += Duration::days(1);
    }
    Ok((days, marked))
}

/// Claims and closes one day; `None` when another server (or pass) already did.
async fn close_day(
    state: &AppState,
    org_id: &str,
    rules: &OrgRules,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<u64>> {
    let date = format_day(day);
    let now_ms = now.timestamp_millis();
    let mut tx = state.db.pool().begin().await?;
    // The claim is the transaction's first statement, so on SQLite it takes the write
    // lock at once and a second server waits here, then sees the claim.
    let claim = sqlx::query(
        "INSERT INTO job_runs (organization_id, job, day, ran_at) VALUES ($1, 'absence', $2, $3)",
    )
    .bind(org_id)
    .bind(&date)
    .bind(now_ms)
    .execute(&mut *tx)
    .await;
    match claim {
        Ok(_) => {}
        Err(e) if is_unique_violation(&e) => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let mut marked = 0;
    if rules.is_working_day(day)
        && !crate::holidays::store::is_holiday(&mut tx, org_id, &date).await?
    {
        marked = mark(
            &mut tx,
            org_id,
            &date,
            rules.day_start(day).timestamp_millis(),
            now_ms,
        )
        .await?;
    }
    tx.commit().await?;
    if marked > 0 {
        announce(state, org_id, &date, now_ms).await?;
    }
    Ok(Some(marked))
}

/// Tells the organization's admins (and each person) of the absences just marked.
async fn announce(state: &AppState, org_id: &str, date: &str, now_ms: i64) -> sqlx::Result<()> {
    let rows: Vec<AttendanceRow> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attendance a
         WHERE a.organization_id = $1 AND a.date = $2 AND a.status = 'absent' AND a.created_at = $3"
    ))
    .bind(org_id)
    .bind(date)
    .bind(now_ms)
    .fetch_all(state.db.pool())
    .await?;
    for row in rows {
        state
            .realtime
            .attendance_new(&crate::attendance::Attendance::from(row))
            .await;
    }
    Ok(())
}

/// Marks absent everyone expected on `date` with no record of it.
async fn mark(
    conn: &mut AnyConnection,
    org_id: &str,
    date: &str,
    day_start_ms: i64,
    now_ms: i64,
) -> sqlx::Result<u64> {
    // Only people who were already members when the day began are expected.
    let missing: Vec<(String, String)> = sqlx::query_as(
        "SELECT u.id, u.name FROM users u
         WHERE u.organization_id = $1 AND u.deleted_at IS NULL AND u.is_active = 1
           AND u.role IN ('employee', 'student') AND u.created_at < $3
           AND NOT EXISTS (SELECT 1 FROM attendance a
                           WHERE a.organization_id = $1 AND a.user_id = u.id AND a.date = $2)
         ORDER BY u.id",
    )
    .bind(org_id)
    .bind(date)
    .bind(day_start_ms)
    .fetch_all(&mut *conn)
    .await?;
    let mut marked = 0;
    for chunk in missing.chunks(100) {
        let mut q = SqlBuf::new(
            "INSERT INTO attendance (organization_id, id, user_id, user_name, date, status, is_late,
                 auto_check_out, corrected, created_at, updated_at) VALUES ",
        );
        for (i, (user_id, name)) in chunk.iter().enumerate() {
            q.push(if i == 0 { "(" } else { ", (" });
            q.bind(org_id.to_string()).push(", ");
            q.bind(crate::id::new_id_at(now_ms / 1000)).push(", ");
            q.bind(user_id.clone()).push(", ");
            q.bind(name.clone()).push(", ");
            q.bind(date.to_string()).push(", 'absent', 0, 0, 0, ");
            q.bind(now_ms).push(", ");
            q.bind(now_ms).push(")");
        }
        // The partial unique index on absences is the last word against duplicates.
        q.push(" ON CONFLICT DO NOTHING");
        let (sql, args) = q.build();
        marked += sqlx::query_with(&sql, args)
            .execute(&mut *conn)
            .await?
            .rows_affected();
    }
    Ok(marked)
}
