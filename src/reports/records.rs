//! Attendance records of a period, read in pages for exports.
//!
//! Each page is ONE row: the database joins up to `PAGE` records into a single
//! string (fields split by U+001F, records by U+001E, each led by its id). Handing
//! rows one by one from SQLite's worker thread cost a thread switch per record and
//! capped the CSV export near 80,000 rows/s; one row per page removes that. Pages
//! follow (date, id) order, each starting where the previous ended (index
//! `attendance_org_date_id`). People are read once and matched in memory, which
//! spares the database two index lookups per record.

use std::collections::HashMap;
use std::sync::Arc;

use super::store::{push_people, Filter};
use crate::store::{Db, SqlBuf};

const PAGE: i64 = 2000;
const FIELD: &str = "\u{1f}";
const RECORD: &str = "\u{1e}";
const FIELD_CHAR: char = '\u{1f}';
const RECORD_CHAR: char = '\u{1e}';

/// Who a record belongs to, shared by all their records.
#[derive(sqlx::FromRow)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub email: String,
    pub department: Option<String>,
}

/// One attendance record as exports show it.
pub struct Record {
    pub person: Arc<Person>,
    pub date: String,
    pub status: String,
    pub check_in: Option<i64>,
    pub check_out: Option<i64>,
    pub working_minutes: Option<i64>,
    pub is_late: bool,
    pub auto_check_out: bool,
    pub corrected: bool,
    pub notes: String,
}

/// A line: id, user id, date, status, in, out, minutes, late, auto, corrected, notes.
/// Records of people outside the filter come back as `None`.
fn parse(line: &str, people: &HashMap<String, Arc<Person>>) -> Option<(String, Record)> {
    let mut f = line.split(FIELD_CHAR);
    let id = f.next()?.to_string();
    let person = people.get(f.next()?)?.clone();
    let mut next = || f.next();
    let num = |s: &str| s.parse::<i64>().ok();
    let record = Record {
        person,
        date: next()?.to_string(),
        status: next()?.to_string(),
        check_in: num(next()?),
        check_out: num(next()?),
        working_minutes: num(next()?),
        is_late: next()? == "1",
        auto_check_out: next()? == "1",
        corrected: next()? == "1",
        notes: next()?.to_string(),
    };
    Some((id, record))
}

/// Reads a period's records page by page.
pub struct RecordPages {
    org_id: String,
    filter: Filter,
    from: String,
    to: String,
    after: Option<(String, String)>,
    people: Option<HashMap<String, Arc<Person>>>,
}

impl RecordPages {
    pub fn new(org_id: String, filter: Filter, from: String, to: String) -> Self {
        RecordPages {
            org_id,
            filter,
            from,
            to,
            after: None,
            people: None,
        }
    }

    /// Everyone the filter selects, deleted people included: their records stay.
    async fn load_people(&self, db: &Db) -> sqlx::Result<HashMap<String, Arc<Person>>> {
        let mut q =
            SqlBuf::new("SELECT id, name, email, department FROM users WHERE organization_id = ");
        q.bind(self.org_id.as_str());
        push_people(&mut q, &self.org_id, &self.filter, "id");
        let (sql, args) = q.build();
        let rows: Vec<Person> = sqlx::query_as_with(&sql, args).fetch_all(db.pool()).await?;
        Ok(rows
            .into_iter()
            .map(|p| (p.id.clone(), Arc::new(p)))
            .collect())
    }

    /// The next page of records; empty at the end.
    pub async fn next(&mut self, db: &Db) -> sqlx::Result<Vec<Record>> {
        if self.people.is_none() {
            self.people = Some(self.load_people(db).await?);
        }
        loop {
            let Some((lines, last)) = self.next_page(db).await? else {
                return Ok(Vec::new());
            };
            self.after = last
                .split_once(' ')
                .map(|(d, i)| (d.to_string(), i.to_string()));
            let people = self.people.as_ref().expect("loaded above");
            let mut page: Vec<(String, Record)> = lines
                .split(RECORD_CHAR)
                .filter_map(|l| parse(l, people))
                .collect();
            // A page may hold only people outside the filter; read on.
            if page.is_empty() {
                continue;
            }
            page.sort_unstable_by(|a, b| (&a.1.date, &a.0).cmp(&(&b.1.date, &b.0)));
            return Ok(page.into_iter().map(|(_, r)| r).collect());
        }
    }

    /// One page as (joined lines, key of its last record), or None past the end.
    async fn next_page(&self, db: &Db) -> sqlx::Result<Option<(String, String)>> {
        // No ORDER BY inside the aggregate: sorting there costs more than sorting the
        // page in memory, and each line carries its id.
        let mut q = SqlBuf::new("SELECT COUNT(*), MAX(k), ");
        q.push(db.string_agg()).push("(line, ").bind(RECORD);
        q.push(") FROM (SELECT a.date || ' ' || a.id AS k, a.id");
        for expr in [
            "a.user_id",
            "a.date",
            "a.status",
            "COALESCE(CAST(a.check_in_time AS TEXT), '')",
            "COALESCE(CAST(a.check_out_time AS TEXT), '')",
            "COALESCE(CAST(a.working_hours AS TEXT), '')",
            "CAST(a.is_late AS TEXT)",
            "CAST(a.auto_check_out AS TEXT)",
            "CAST(a.corrected AS TEXT)",
        ] {
            q.push(" || ").bind(FIELD).push(" || ").push(expr);
        }
        // Notes are free text: keep the separators out of them.
        q.push(" || ")
            .bind(FIELD)
            .push(" || REPLACE(REPLACE(COALESCE(a.notes, ''), ")
            .bind(RECORD);
        q.push(", ' '), ").bind(FIELD).push(", ' ') AS line");
        q.push(" FROM attendance a WHERE a.organization_id = ")
            .bind(self.org_id.as_str());
        q.push(" AND a.date <= ").bind(self.to.as_str());
        match &self.after {
            None => {
                q.push(" AND a.date >= ").bind(self.from.as_str());
            }
            Some((date, id)) => {
                q.push(" AND (a.date, a.id) > (")
                    .bind(date.as_str())
                    .push(", ")
                    .bind(id.as_str())
                    .push(")");
            }
        }
        q.push(" ORDER BY a.date, a.id LIMIT ")
            .bind(PAGE)
            .push(") page");
        let (sql, args) = q.build();
        let (count, last, lines): (i64, Option<String>, Option<String>) =
            sqlx::query_as_with(&sql, args).fetch_one(db.pool()).await?;
        Ok(match (count, last, lines) {
            (n, Some(last), Some(lines)) if n > 0 => Some((lines, last)),
            _ => None,
        })
    }
}
