//! SQL for attendance records. Every function takes the organization id first.

use sqlx::AnyConnection;

use super::model::{AttendanceRow, COLUMNS};
use crate::store::{flag, Db, Engine, SqlBuf};

/// What a check-in needs to know in one query: the organization's settings and the
/// user's name, when the user is a live member of it.
#[derive(sqlx::FromRow)]
pub struct Context {
    pub settings: String,
    pub name: String,
    pub is_active: i64,
}

pub async fn context(db: &Db, org_id: &str, user_id: &str) -> sqlx::Result<Option<Context>> {
    sqlx::query_as(
        "SELECT o.settings, u.name, u.is_active
         FROM users u JOIN organizations o ON o.id = u.organization_id
         WHERE u.organization_id = $1 AND u.id = $2 AND u.deleted_at IS NULL",
    )
    .bind(org_id)
    .bind(user_id)
    .fetch_optional(db.pool())
    .await
}

/// Inserts a record; a second open record for the user violates `attendance_open`.
pub async fn insert(
    conn: &mut AnyConnection,
    org_id: &str,
    r: &AttendanceRow,
    check_in_minute: Option<i64>,
) -> sqlx::Result<()> {
    sqlx::query(
        "INSERT INTO attendance (organization_id, id, user_id, user_name, date, check_in_time,
             check_out_time, check_in_minute, status, check_in_location, check_out_location,
             working_hours, is_late, notes, site_id, auto_check_out, corrected, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)",
    )
    .bind(org_id)
    .bind(&r.id)
    .bind(&r.user_id)
    .bind(&r.user_name)
    .bind(&r.date)
    .bind(r.check_in_time)
    .bind(r.check_out_time)
    .bind(check_in_minute)
    .bind(&r.status)
    .bind(&r.check_in_location)
    .bind(&r.check_out_location)
    .bind(r.working_hours)
    .bind(r.is_late)
    .bind(&r.notes)
    .bind(&r.site_id)
    .bind(r.auto_check_out)
    .bind(r.corrected)
    .bind(r.created_at)
    .bind(r.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Rewrites a record's times and what follows from them (corrections).
pub async fn rewrite(
    conn: &mut AnyConnection,
    org_id: &str,
    r: &AttendanceRow,
    check_in_minute: Option<i64>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE attendance SET check_in_time = $3, check_out_time = $4, check_in_minute = $5,
             status = $6, working_hours = $7, is_late = $8, corrected = $9, auto_check_out = $10,
             updated_at = $11
         WHERE organization_id = $1 AND id = $2",
    )
    .bind(org_id)
    .bind(&r.id)
    .bind(r.check_in_time)
    .bind(r.check_out_time)
    .bind(check_in_minute)
    .bind(&r.status)
    .bind(r.working_hours)
    .bind(r.is_late)
    .bind(r.corrected)
    .bind(r.auto_check_out)
    .bind(r.updated_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A person who turns up after their day was closed is no longer absent.
pub async fn delete_absence(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    date: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "DELETE FROM attendance
         WHERE organization_id = $1 AND user_id = $2 AND date = $3 AND status = 'absent'",
    )
    .bind(org_id)
    .bind(user_id)
    .bind(date)
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn get(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
) -> sqlx::Result<Option<AttendanceRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attendance a WHERE a.organization_id = $1 AND a.id = $2"
    ))
    .bind(org_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// The first record of a user's day, if any (corrections amend it).
pub async fn first_of_day(
    conn: &mut AnyConnection,
    org_id: &str,
    user_id: &str,
    date: &str,
) -> sqlx::Result<Option<AttendanceRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM attendance a
         WHERE a.organization_id = $1 AND a.user_id = $2 AND a.date = $3
         ORDER BY a.check_in_time, a.id LIMIT 1"
    ))
    .bind(org_id)
    .bind(user_id)
    .bind(date)
    .fetch_optional(conn)
    .await
}

/// Whether the person has another record that day that came in before `check_in_ms`
/// (only a day's first check-in can be late).
pub async fn came_in_earlier(
    conn: &mut AnyConnection,
    r: &AttendanceRow,
    check_in_ms: i64,
) -> sqlx::Result<bool> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM attendance
         WHERE organization_id = $1 AND user_id = $2 AND date = $3 AND id <> $4
           AND status <> 'absent' AND check_in_time < $5",
    )
    .bind(&r.organization_id)
    .bind(&r.user_id)
    .bind(&r.date)
    .bind(&r.id)
    .bind(check_in_ms)
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// Closes an open record; false when it was not open (checked out meanwhile).
pub struct Close<'a> {
    pub check_out_time: i64,
    pub location: Option<String>,
    pub working_hours: i64,
    pub status: &'a str,
    pub notes: Option<&'a str>,
    pub auto: bool,
    pub now_ms: i64,
}

pub async fn close(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    c: &Close<'_>,
) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "UPDATE attendance SET check_out_time = $3, check_out_location = $4, working_hours = $5,
             status = $6, notes = COALESCE($7, notes), auto_check_out = $8, updated_at = $9
         WHERE organization_id = $1 AND id = $2
           AND check_in_time IS NOT NULL AND check_out_time IS NULL",
    )
    .bind(org_id)
    .bind(id)
    .bind(c.check_out_time)
    .bind(&c.location)
    .bind(c.working_hours)
    .bind(c.status)
    .bind(c.notes)
    .bind(flag(c.auto))
    .bind(c.now_ms)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Filters of the record list and of the statistics.
#[derive(Debug, Default, Clone)]
pub struct Filter {
    pub user_id: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub status: Option<String>,
    pub department: Option<String>,
}

/// `FROM attendance a` with the filter's WHERE clause (users joined for departments).
pub fn push_from<'a>(q: &mut SqlBuf<'a>, org_id: &'a str, f: &'a Filter) {
    q.push(" FROM attendance a");
    if f.department.is_some() {
        q.push(" JOIN users u ON u.id = a.user_id");
    }
    q.push(" WHERE a.organization_id = ").bind(org_id);
    if let Some(v) = &f.user_id {
        q.push(" AND a.user_id = ").bind(v.as_str());
    }
    if let Some(v) = &f.from {
        q.push(" AND a.date >= ").bind(v.as_str());
    }
    if let Some(v) = &f.to {
        q.push(" AND a.date <= ").bind(v.as_str());
    }
    if let Some(v) = &f.status {
        q.push(" AND a.status = ").bind(v.as_str());
    }
    if let Some(v) = &f.department {
        q.push(" AND u.organization_id = ").bind(org_id);
        q.push(" AND u.department = ").bind(v.as_str());
    }
}

pub async fn list<'a>(
    db: &Db,
    org_id: &'a str,
    f: &'a Filter,
    limit: i64,
    offset: i64,
) -> sqlx::Result<(Vec<AttendanceRow>, i64)> {
    let from = |q: &mut SqlBuf<'a>| push_from(q, org_id, f);
    let order = "ORDER BY a.date DESC, a.check_in_time DESC, a.id DESC";
    crate::store::page(db, COLUMNS, from, order, limit, offset).await
}

/// Inserts a check-in for a live, active member, taking their name from `users` in the
/// same statement; `None` when the user is missing or inactive.
pub async fn insert_check_in(
    conn: &mut AnyConnection,
    org_id: &str,
    r: &AttendanceRow,
    check_in_minute: Option<i64>,
) -> sqlx::Result<Option<CheckedIn>> {
    let sql = format!(
        "INSERT INTO attendance (organization_id, id, user_id, user_name, date, check_in_time,
             check_in_minute, status, check_in_location, is_late, notes, site_id, auto_check_out,
             corrected, created_at, updated_at)
         SELECT $1, $2, u.id, u.name, $4, $5, $6,
             CASE WHEN {late} THEN 'late' ELSE 'present' END, $7,
             CASE WHEN {late} THEN 1 ELSE 0 END, $9, $10, 0, 0, $5, $5
         FROM users u
         WHERE u.organization_id = $1 AND u.id = $3 AND u.deleted_at IS NULL AND u.is_active = 1
         RETURNING user_name, is_late",
        late = first_of_day_and_late("$8", "$1", "u.id", "$4"),
    );
    sqlx::query_as(&sql)
        .bind(org_id)
        .bind(&r.id)
        .bind(&r.user_id)
        .bind(&r.date)
        .bind(r.check_in_time)
        .bind(check_in_minute)
        .bind(&r.check_in_location)
        .bind(r.is_late)
        .bind(&r.notes)
        .bind(&r.site_id)
        // Stepped to the end (not just the first row): on SQLite a RETURNING statement
        // only commits, and releases the write lock, once it is done.
        .fetch_all(conn)
        .await
        .map(|rows: Vec<(String, i64)>| {
            rows.into_iter()
                .next()
                .map(|(user_name, is_late)| CheckedIn { user_name, is_late })
        })
}

/// What writing a check-in settled: the person's name as stored, and whether the
/// check-in counts as late.
#[derive(Debug, Clone)]
pub struct CheckedIn {
    pub user_name: String,
    pub is_late: i64,
}

impl CheckedIn {
    /// The written record: `row` as it was asked for, with what the database settled.
    pub fn fill(self, mut row: AttendanceRow) -> AttendanceRow {
        row.user_name = self.user_name;
        row.set_late(self.is_late == 1);
        row
    }
}

/// SQL that is true when a check-in is late: after the start of the day plus the
/// threshold (`late_by_clock`, worked out by the rules) and the person's first of the
/// day. Coming back after lunch, or after an early check-out, is not coming in late.
fn first_of_day_and_late(late_by_clock: &str, org: &str, user: &str, date: &str) -> String {
    format!(
        "{late_by_clock} = 1 AND NOT EXISTS (SELECT 1 FROM attendance p
             WHERE p.organization_id = {org} AND p.user_id = {user} AND p.date = {date}
             AND p.status <> 'absent')"
    )
}

/// A check-out in one statement: the rules' only input from the record's day is
/// whether it is `today` and the check-out precedes today's end of working hours.
#[derive(Debug, Clone)]
pub struct CheckOut {
    pub at_ms: i64,
    pub location: Option<String>,
    pub notes: Option<String>,
    pub today: String,
    pub today_end_ms: i64,
    /// Only this user's record, unless `None` (an admin).
    pub owner: Option<String>,
}

/// Closes an open record and answers it; `None` when there is no such open record the
/// caller may close.
pub async fn check_out(
    conn: &mut AnyConnection,
    org_id: &str,
    id: &str,
    c: &CheckOut,
) -> sqlx::Result<Option<AttendanceRow>> {
    let returning = COLUMNS.replace("a.", "");
    sqlx::query_as(&format!(
        "UPDATE attendance SET check_out_time = $3, check_out_location = $4,
             working_hours = ($3 - check_in_time) / 60000,
             status = CASE WHEN date = $5 AND $3 < $6 THEN 'early' ELSE status END,
             notes = COALESCE($7, notes), auto_check_out = 0, updated_at = $3
         WHERE organization_id = $1 AND id = $2
           AND check_in_time IS NOT NULL AND check_out_time IS NULL
           AND ($8 = '' OR user_id = $8)
         RETURNING {returning}"
    ))
    .bind(org_id)
    .bind(id)
    .bind(c.at_ms)
    .bind(&c.location)
    .bind(&c.today)
    .bind(c.today_end_ms)
    .bind(&c.notes)
    .bind(c.owner.as_deref().unwrap_or(""))
    .fetch_all(conn)
    .await
    .map(|rows: Vec<AttendanceRow>| rows.into_iter().next())
}

/// Many check-ins in one statement (see `writer`): each row is inserted when its user is
/// a live, active member and has no open record; the others are skipped, not refused.
/// Answers the ids written with the user names taken from `users`.
pub async fn insert_check_ins(
    conn: &mut AnyConnection,
    engine: Engine,
    rows: &[(&str, &AttendanceRow, Option<i64>)],
    padded_to: usize,
) -> sqlx::Result<Vec<(String, CheckedIn)>> {
    let mut q = SqlBuf::for_engine(
        engine,
        &format!(
            "INSERT INTO attendance (organization_id, id, user_id, user_name, date, check_in_time,
                 check_in_minute, status, check_in_location, is_late, notes, site_id,
                 auto_check_out, corrected, created_at, updated_at)
             SELECT v.column1, v.column2, u.id, u.name, v.column4, v.column5, v.column6,
                 CASE WHEN {late} THEN 'late' ELSE 'present' END, v.column7,
                 CASE WHEN {late} THEN 1 ELSE 0 END, v.column9, v.column10, 0, 0, v.column5,
                 v.column5
             FROM (VALUES ",
            late = first_of_day_and_late("v.column8", "v.column1", "u.id", "v.column4"),
        ),
    );
    let filler = AttendanceRow::filler();
    for i in 0..padded_to.max(rows.len()) {
        // Filler rows name no user, so the join drops them; they keep the statement's
        // text (and its prepared form) the same for every batch of a size class.
        let (org, r, minute) = rows.get(i).copied().unwrap_or(("", &filler, None));
        q.push(if i == 0 { "(" } else { ", (" });
        text(&mut q, Some(org)).push(", ");
        text(&mut q, Some(&r.id)).push(", ");
        text(&mut q, Some(&r.user_id)).push(", ");
        text(&mut q, Some(&r.date)).push(", ");
        int(&mut q, r.check_in_time).push(", ");
        int(&mut q, minute).push(", ");
        text(&mut q, r.check_in_location.as_deref()).push(", ");
        int(&mut q, Some(r.is_late)).push(", ");
        text(&mut q, r.notes.as_deref()).push(", ");
        text(&mut q, r.site_id.as_deref()).push(")");
    }
    // The WHERE clause also keeps SQLite from reading `ON CONFLICT` as the join's `ON`.
    q.push(
        ") AS v JOIN users u ON u.organization_id = v.column1 AND u.id = v.column3
         WHERE u.deleted_at IS NULL AND u.is_active = 1
         ON CONFLICT DO NOTHING
         RETURNING id, user_name, is_late",
    );
    let (sql, args) = q.build();
    let rows: Vec<(String, String, i64)> = sqlx::query_as_with(&sql, args).fetch_all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|(id, user_name, is_late)| (id, CheckedIn { user_name, is_late }))
        .collect())
}

/// Many check-outs in one statement (see `writer`): each closes its record when it is
/// open and the caller may close it. Answers the records closed.
pub async fn check_outs(
    conn: &mut AnyConnection,
    engine: Engine,
    rows: &[(&str, &str, &CheckOut)],
    padded_to: usize,
) -> sqlx::Result<Vec<AttendanceRow>> {
    let mut q = SqlBuf::for_engine(
        engine,
        "UPDATE attendance SET check_out_time = v.column3, check_out_location = v.column4,
             working_hours = (v.column3 - attendance.check_in_time) / 60000,
             status = CASE WHEN attendance.date = v.column5 AND v.column3 < v.column6
                 THEN 'early' ELSE attendance.status END,
             notes = COALESCE(v.column7, attendance.notes), auto_check_out = 0,
             updated_at = v.column3
         FROM (VALUES ",
    );
    let filler = CheckOut::filler();
    for i in 0..padded_to.max(rows.len()) {
        // Filler rows name no record, so they match nothing.
        let (org, id, c) = rows.get(i).copied().unwrap_or(("", "", &filler));
        q.push(if i == 0 { "(" } else { ", (" });
        text(&mut q, Some(org)).push(", ");
        text(&mut q, Some(id)).push(", ");
        int(&mut q, Some(c.at_ms)).push(", ");
        text(&mut q, c.location.as_deref()).push(", ");
        text(&mut q, Some(&c.today)).push(", ");
        int(&mut q, Some(c.today_end_ms)).push(", ");
        text(&mut q, c.notes.as_deref()).push(", ");
        text(&mut q, Some(c.owner.as_deref().unwrap_or(""))).push(")");
    }
    let returning = COLUMNS.replace("a.", "");
    q.push(&format!(
        ") AS v
         WHERE attendance.organization_id = v.column1 AND attendance.id = v.column2
           AND attendance.check_in_time IS NOT NULL AND attendance.check_out_time IS NULL
           AND (v.column8 = '' OR attendance.user_id = v.column8)
         RETURNING {returning}"
    ));
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(conn).await
}

/// A typed text value in a `VALUES` list (PostgreSQL cannot infer the types there).
fn text<'q, 'a>(q: &'q mut SqlBuf<'a>, v: Option<&'a str>) -> &'q mut SqlBuf<'a> {
    q.push("CAST(").bind(v).push(" AS TEXT)")
}

/// A typed integer value in a `VALUES` list.
fn int<'q, 'a>(q: &'q mut SqlBuf<'a>, v: Option<i64>) -> &'q mut SqlBuf<'a> {
    q.push("CAST(").bind(v).push(" AS BIGINT)")
}

impl AttendanceRow {
    fn filler() -> AttendanceRow {
        AttendanceRow {
            id: String::new(),
            organization_id: String::new(),
            user_id: String::new(),
            user_name: String::new(),
            date: String::new(),
            check_in_time: None,
            check_out_time: None,
            status: String::new(),
            check_in_location: None,
            check_out_location: None,
            working_hours: None,
            is_late: 0,
            notes: None,
            site_id: None,
            auto_check_out: 0,
            corrected: 0,
            created_at: 0,
            updated_at: 0,
        }
    }
}

impl CheckOut {
    fn filler() -> CheckOut {
        CheckOut {
            at_ms: 0,
            location: None,
            notes: None,
            today: String::new(),
            today_end_ms: 0,
            owner: None,
        }
    }
}
