//! SQL for reports: the people a report counts, and their attendance aggregated
//! per person and per day, in one pass over the (organization, date) index each.
//! PostgreSQL sums integers into NUMERIC, which the portable driver cannot read,
//! so every SUM and MAX is cast back to BIGINT.

use chrono::NaiveDate;

use crate::store::{Db, SqlBuf};

/// Which people a report is about.
pub struct Filter {
    /// Roles counted; employees and students unless asked otherwise.
    pub roles: Vec<String>,
    pub department: Option<String>,
    pub user_id: Option<String>,
}

#[derive(sqlx::FromRow)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub department: Option<String>,
    pub role: String,
    pub is_active: i64,
    pub created_at: i64,
    pub deleted_at: Option<i64>,
}

/// `AND user_id IN (people matching the filter)`.
pub fn push_people<'a>(q: &mut SqlBuf<'a>, org_id: &'a str, f: &'a Filter, column: &str) {
    q.push(&format!(
        " AND {column} IN (SELECT id FROM users WHERE organization_id = "
    ));
    q.bind(org_id);
    q.push(" AND role IN (");
    for (i, r) in f.roles.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(r.as_str());
    }
    q.push(")");
    if let Some(d) = &f.department {
        q.push(" AND department = ").bind(d.as_str());
    }
    if let Some(u) = &f.user_id {
        q.push(" AND id = ").bind(u.as_str());
    }
    q.push(")");
}

/// People who belonged to the organization at some point of `[from_ms, to_ms)`.
pub async fn people(
    db: &Db,
    org_id: &str,
    f: &Filter,
    from_ms: i64,
    to_ms: i64,
) -> sqlx::Result<Vec<Person>> {
    let mut q = SqlBuf::new(
        "SELECT id, name, email, department, role, is_active, created_at, deleted_at
         FROM users WHERE organization_id = ",
    );
    q.bind(org_id);
    q.push(" AND created_at < ").bind(to_ms);
    q.push(" AND (deleted_at IS NULL OR deleted_at >= ")
        .bind(from_ms);
    q.push(")");
    push_people(&mut q, org_id, f, "id");
    q.push(" ORDER BY name, id");
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await
}

/// One person's attendance over a period.
#[derive(sqlx::FromRow, Default, Clone)]
pub struct PersonTotals {
    pub user_id: String,
    /// Distinct days attended.
    pub attended: i64,
    /// Distinct days attended that are working days.
    pub attended_working: i64,
    /// 1 when attended on `today`.
    pub attended_today: i64,
    pub late: i64,
    pub early: i64,
    pub minutes: i64,
    pub closed_records: i64,
    pub check_in_minutes: i64,
    pub check_ins: i64,
    pub late_minutes: i64,
}

pub struct Range<'a> {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub today: NaiveDate,
    /// Days of the range that are not working days (weekends, holidays).
    pub off_days: &'a [NaiveDate],
    /// `workingHours.start` in minutes after local midnight.
    pub start_minute: i64,
}

fn push_off_days<'a>(q: &mut SqlBuf<'a>, off: &'a [NaiveDate]) {
    if off.is_empty() {
        q.push("1 = 1");
        return;
    }
    q.push("date NOT IN (");
    for (i, d) in off.iter().enumerate() {
        if i > 0 {
            q.push(", ");
        }
        q.bind(d.format("%Y-%m-%d").to_string());
    }
    q.push(")");
}

pub async fn totals_per_person(
    db: &Db,
    org_id: &str,
    f: &Filter,
    r: &Range<'_>,
) -> sqlx::Result<Vec<PersonTotals>> {
    let mut q = SqlBuf::new(
        "SELECT user_id,
            COUNT(DISTINCT CASE WHEN status <> 'absent' THEN date END) AS attended,
            COUNT(DISTINCT CASE WHEN status <> 'absent' AND ",
    );
    push_off_days(&mut q, r.off_days);
    q.push(
        " THEN date END) AS attended_working,
            CAST(MAX(CASE WHEN status <> 'absent' AND date = ",
    );
    q.bind(r.today.format("%Y-%m-%d").to_string());
    q.push(
        " THEN 1 ELSE 0 END) AS BIGINT) AS attended_today,
            COUNT(DISTINCT CASE WHEN is_late = 1 THEN date END) AS late,
            COUNT(DISTINCT CASE WHEN status = 'early' THEN date END) AS early,
            CAST(COALESCE(SUM(working_hours), 0) AS BIGINT) AS minutes,
            COUNT(check_out_time) AS closed_records,
            CAST(COALESCE(SUM(check_in_minute), 0) AS BIGINT) AS check_in_minutes,
            COUNT(check_in_minute) AS check_ins,
            CAST(COALESCE(SUM(CASE WHEN is_late = 1 THEN check_in_minute - ",
    );
    q.bind(r.start_minute);
    q.push(
        " ELSE 0 END), 0) AS BIGINT) AS late_minutes
         FROM attendance WHERE organization_id = ",
    );
    q.bind(org_id);
    q.push(" AND date >= ")
        .bind(r.from.format("%Y-%m-%d").to_string());
    q.push(" AND date <= ")
        .bind(r.to.format("%Y-%m-%d").to_string());
    push_people(&mut q, org_id, f, "user_id");
    q.push(" GROUP BY user_id");
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await
}

#[derive(sqlx::FromRow)]
pub struct DayTotals {
    pub date: String,
    pub attended: i64,
    pub late: i64,
}

pub async fn totals_per_day(
    db: &Db,
    org_id: &str,
    f: &Filter,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<DayTotals>> {
    let mut q = SqlBuf::new(
        "SELECT date,
            COUNT(DISTINCT CASE WHEN status <> 'absent' THEN user_id END) AS attended,
            COUNT(DISTINCT CASE WHEN is_late = 1 THEN user_id END) AS late
         FROM attendance WHERE organization_id = ",
    );
    q.bind(org_id);
    q.push(" AND date >= ")
        .bind(from.format("%Y-%m-%d").to_string());
    q.push(" AND date <= ")
        .bind(to.format("%Y-%m-%d").to_string());
    push_people(&mut q, org_id, f, "user_id");
    q.push(" GROUP BY date ORDER BY date");
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await
}

/// Check-ins per 15-minute slot of the local day.
pub async fn check_in_slots(
    db: &Db,
    org_id: &str,
    f: &Filter,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<(i64, i64)>> {
    let mut q = SqlBuf::new("SELECT check_in_minute / 15 AS slot, COUNT(*) AS n FROM attendance WHERE organization_id = ");
    q.bind(org_id);
    q.push(" AND check_in_minute IS NOT NULL AND date >= ")
        .bind(from.format("%Y-%m-%d").to_string());
    q.push(" AND date <= ")
        .bind(to.format("%Y-%m-%d").to_string());
    push_people(&mut q, org_id, f, "user_id");
    q.push(" GROUP BY check_in_minute / 15 ORDER BY slot");
    let (sql, args) = q.build();
    sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await
}

pub async fn holidays(
    db: &Db,
    org_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> sqlx::Result<Vec<NaiveDate>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT date FROM holidays WHERE organization_id = $1 AND date >= $2 AND date <= $3",
    )
    .bind(org_id)
    .bind(from.format("%Y-%m-%d").to_string())
    .bind(to.format("%Y-%m-%d").to_string())
    .fetch_all(db.pool())
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(d,)| NaiveDate::parse_from_str(&d, "%Y-%m-%d").ok())
        .collect())
}

/// Of `(user_id, date)` pairs, the users who attended on their date.
pub async fn attended_on(
    db: &Db,
    org_id: &str,
    pairs: &[(String, String)],
) -> sqlx::Result<Vec<String>> {
    let mut found = Vec::new();
    for chunk in pairs.chunks(200) {
        let mut q = SqlBuf::new("SELECT DISTINCT user_id FROM attendance WHERE organization_id = ");
        q.bind(org_id);
        q.push(" AND status <> 'absent' AND (");
        for (i, (user, date)) in chunk.iter().enumerate() {
            q.push(if i == 0 {
                "(user_id = "
            } else {
                " OR (user_id = "
            });
            q.bind(user.as_str())
                .push(" AND date = ")
                .bind(date.as_str())
                .push(")");
        }
        q.push(")");
        let (sql, args) = q.build();
        let rows: Vec<(String,)> = sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await?;
        found.extend(rows.into_iter().map(|r| r.0));
    }
    Ok(found)
}
