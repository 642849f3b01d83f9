//! SQL for reports: the people a report counts, and their attendance aggregated
//! per person and per day, in one pass over the (organization, date) index each.
//! PostgreSQL sums integers into NUMERIC, which the portable driver cannot read,
//! so every SUM and MAX is cast back to BIGINT.

use chrono::NaiveDate;

use super::letters::sort_key;
use crate::store::{Db, SqlBuf};

/// Which people a report is about.
pub struct Filter {
    /// Roles counted; employees and students unless asked otherwise.
    pub roles: Vec<String>,
    pub department: Option<String>,
    pub user_id: Option<String>,
}

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

/// People who belonged to the organization at some point of `[from_ms, to_ms)`, by
/// name (ignoring case and accents, the same on both engines), read as one joined row.
pub async fn people(
    db: &Db,
    org_id: &str,
    f: &Filter,
    from_ms: i64,
    to_ms: i64,
) -> sqlx::Result<Vec<Person>> {
    let mut q = joined(db);
    push_line(
        &mut q,
        &[
            "id",
            TEXT_NAME,
            TEXT_EMAIL,
            // NULL and empty are different departments: N for none, V before a value.
            "CASE WHEN department IS NULL THEN 'N' ELSE 'V' || REPLACE(REPLACE(department, char_sep_r, ' '), char_sep_f, ' ') END",
            "role",
            "CAST(is_active AS TEXT)",
            "CAST(created_at AS TEXT)",
            "COALESCE(CAST(deleted_at AS TEXT), '')",
        ],
    );
    q.push(" FROM users WHERE organization_id = ").bind(org_id);
    q.push(" AND created_at < ").bind(to_ms);
    q.push(" AND (deleted_at IS NULL OR deleted_at >= ")
        .bind(from_ms);
    q.push(")");
    push_people(&mut q, org_id, f, "id");
    let lines = fetch_joined(db, q).await?;
    let mut people: Vec<Person> = lines.iter().filter_map(|l| parse_person(l)).collect();
    people.sort_by_cached_key(|p| (sort_key(&p.name), p.name.clone(), p.id.clone()));
    Ok(people)
}

fn parse_person(line: &str) -> Option<Person> {
    let mut f = line.split(FIELD);
    Some(Person {
        id: f.next()?.to_string(),
        name: f.next()?.to_string(),
        email: f.next()?.to_string(),
        department: f.next()?.strip_prefix('V').map(str::to_string),
        role: f.next()?.to_string(),
        is_active: f.next()?.parse().ok()?,
        created_at: f.next()?.parse().ok()?,
        deleted_at: f.next()?.parse().ok(),
    })
}

/// One person's attendance over a period.
#[derive(Default, Clone)]
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

/// How a report counts the distinct days on which a condition held for a person (a
/// person may have several records in a day).
///
/// `COUNT(DISTINCT ...)` is exact everywhere, but PostgreSQL sorts every group for each
/// distinct aggregate and cannot split the work over parallel workers: four of them
/// made a monthly report over 5,000 people 130 ms of database time. For ranges of at
/// most 64 days PostgreSQL instead ORs one bit per day into a BIGINT and counts the
/// bits (55 ms, see BENCHMARKS.md). SQLite has no bitwise aggregate, and its distinct
/// counts cost little; longer ranges keep `COUNT(DISTINCT)` on both engines (several
/// words per condition measured slower for a year).
enum DistinctDays {
    Count,
    Bits { from: String },
}

impl DistinctDays {
    fn for_range(db: &Db, r: &Range<'_>) -> DistinctDays {
        let days = (r.to - r.from).num_days() + 1;
        match db.engine() {
            crate::store::Engine::Postgres if days <= 64 => DistinctDays::Bits {
                from: r.from.format("%Y-%m-%d").to_string(),
            },
            _ => DistinctDays::Count,
        }
    }

    /// The number of distinct days whose records match `cond`, not counting `off`.
    fn push<'a>(&self, q: &mut SqlBuf<'a>, cond: &str, off: Option<&'a [NaiveDate]>) {
        let when = |q: &mut SqlBuf<'a>| {
            q.push("CASE WHEN ").push(cond);
            if let Some(off) = off {
                q.push(" AND ");
                push_off_days(q, off);
            }
        };
        match self {
            DistinctDays::Count => {
                q.push("COUNT(DISTINCT ");
                when(q);
                q.push(" THEN date END)");
            }
            DistinctDays::Bits { from } => {
                q.push("CAST(bit_count(CAST(BIT_OR(");
                when(q);
                q.push(" THEN CAST(1 AS BIGINT) << (CAST(date AS DATE) - CAST(");
                q.bind(from.clone());
                q.push(" AS DATE)) ELSE 0 END) AS BIT(64))) AS BIGINT)");
            }
        }
    }
}

pub async fn totals_per_person(
    db: &Db,
    org_id: &str,
    f: &Filter,
    r: &Range<'_>,
) -> sqlx::Result<Vec<PersonTotals>> {
    let mut q = joined(db);
    push_line(
        &mut q,
        &[
            "user_id",
            "CAST(attended AS TEXT)",
            "CAST(attended_working AS TEXT)",
            "CAST(attended_today AS TEXT)",
            "CAST(late AS TEXT)",
            "CAST(early AS TEXT)",
            "CAST(minutes AS TEXT)",
            "CAST(closed_records AS TEXT)",
            "CAST(check_in_minutes AS TEXT)",
            "CAST(check_ins AS TEXT)",
            "CAST(late_minutes AS TEXT)",
        ],
    );
    q.push(" FROM (SELECT user_id, ");
    let days = DistinctDays::for_range(db, r);
    days.push(&mut q, "status <> 'absent'", None);
    q.push(" AS attended, ");
    days.push(&mut q, "status <> 'absent'", Some(r.off_days));
    q.push(
        " AS attended_working,
            CAST(MAX(CASE WHEN status <> 'absent' AND date = ",
    );
    q.bind(r.today.format("%Y-%m-%d").to_string());
    q.push(" THEN 1 ELSE 0 END) AS BIGINT) AS attended_today, ");
    days.push(&mut q, "is_late = 1", None);
    q.push(" AS late, ");
    days.push(&mut q, "status = 'early'", None);
    q.push(
        " AS early,
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
    q.push(" GROUP BY user_id) totals");
    let lines = fetch_joined(db, q).await?;
    Ok(lines.iter().filter_map(|l| parse_totals(l)).collect())
}

fn parse_totals(line: &str) -> Option<PersonTotals> {
    let mut f = line.split(FIELD);
    let user_id = f.next()?.to_string();
    let mut n = || f.next()?.parse::<i64>().ok();
    Some(PersonTotals {
        user_id,
        attended: n()?,
        attended_working: n()?,
        attended_today: n()?,
        late: n()?,
        early: n()?,
        minutes: n()?,
        closed_records: n()?,
        check_in_minutes: n()?,
        check_ins: n()?,
        late_minutes: n()?,
    })
}

// Reports read their thousands of rows (people, per-person totals) as ONE row: the
// database joins the lines into a single string (fields split by U+001F, lines by
// U+001E). Rows handed one by one from SQLite's worker thread cost a thread switch
// each, which was a third of a monthly report's time (see BENCHMARKS.md).
const FIELD: char = '\u{1f}';
const RECORD: char = '\u{1e}';
/// Free text with the separators blanked (validation keeps control characters out of
/// names and emails; this keeps a line intact whatever is stored).
const TEXT_NAME: &str = "REPLACE(REPLACE(name, char_sep_r, ' '), char_sep_f, ' ')";
const TEXT_EMAIL: &str = "REPLACE(REPLACE(email, char_sep_r, ' '), char_sep_f, ' ')";

/// `SELECT <string aggregate>(line, RECORD) FROM (` — the caller adds one `SELECT
/// <line> AS line FROM ...` (see `push_line`) and `fetch_joined` closes it.
fn joined(db: &Db) -> SqlBuf<'static> {
    let mut q = SqlBuf::new("SELECT ");
    q.push(db.string_agg())
        .push("(line, ")
        .bind(RECORD.to_string());
    q.push(") FROM (SELECT ");
    q
}

/// `expr || FIELD || expr ... AS line`, where `char_sep_r`/`char_sep_f` in an
/// expression stand for the two separators.
fn push_line(q: &mut SqlBuf<'_>, exprs: &[&str]) {
    for (i, expr) in exprs.iter().enumerate() {
        if i > 0 {
            q.push(" || ").bind(FIELD.to_string()).push(" || ");
        }
        let mut rest = *expr;
        while let Some(at) = rest.find("char_sep_") {
            q.push(&rest[..at]);
            let sep = if rest[at..].starts_with("char_sep_r") {
                RECORD
            } else {
                FIELD
            };
            q.bind(sep.to_string());
            rest = &rest[at + "char_sep_r".len()..];
        }
        q.push(rest);
    }
    q.push(" AS line");
}

async fn fetch_joined(db: &Db, mut q: SqlBuf<'_>) -> sqlx::Result<Vec<String>> {
    q.push(") lines");
    let (sql, args) = q.build();
    let joined: Option<String> = sqlx::query_scalar_with(&sql, args)
        .fetch_one(db.pool())
        .await?;
    Ok(joined
        .map(|j| j.split(RECORD).map(str::to_string).collect())
        .unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_person_line_keeps_none_apart_from_an_empty_department() {
        let line = ["u1", "Ana", "ana@x.test", "N", "employee", "1", "42", ""].join("\u{1f}");
        let p = parse_person(&line).expect("parses");
        assert_eq!((p.id.as_str(), p.name.as_str()), ("u1", "Ana"));
        assert_eq!(p.department, None);
        assert_eq!((p.is_active, p.created_at, p.deleted_at), (1, 42, None));
        let line = ["u2", "Ben", "b@x.test", "V", "student", "0", "7", "9"].join("\u{1f}");
        let p = parse_person(&line).expect("parses");
        assert_eq!(p.department.as_deref(), Some(""));
        assert_eq!(p.deleted_at, Some(9));
        let line = ["u3", "Cy", "c@x.test", "VOps", "admin", "1", "7", ""].join("\u{1f}");
        assert_eq!(
            parse_person(&line).unwrap().department.as_deref(),
            Some("Ops")
        );
    }

    #[test]
    fn a_totals_line_reads_every_count_in_order_and_a_short_one_is_dropped() {
        let line = "u1\u{1f}1\u{1f}2\u{1f}3\u{1f}4\u{1f}5\u{1f}6\u{1f}7\u{1f}8\u{1f}9\u{1f}10";
        let t = parse_totals(line).expect("parses");
        assert_eq!(
            [
                t.attended,
                t.attended_working,
                t.attended_today,
                t.late,
                t.early,
                t.minutes,
                t.closed_records,
                t.check_in_minutes,
                t.check_ins,
                t.late_minutes
            ],
            [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        );
        assert!(parse_totals("u1\u{1f}1\u{1f}2").is_none());
    }
}
