//! Attendance records of a period, read in pages for exports.
//!
//! Each page is ONE row: the database joins up to `PAGE` records into a single
//! string (fields split by U+001F, records by U+001E). Handing rows one by one from
//! SQLite's worker thread cost a thread switch per record and capped the CSV export
//! near 80,000 rows/s; one row per page removes that. Pages follow (date, id)
//! order, each starting where the previous ended (index `attendance_org_date_id`).

use super::store::{push_people, Filter};
use crate::store::{Db, SqlBuf};

const PAGE: i64 = 2000;
const FIELD: &str = "\u{1f}";
const RECORD: &str = "\u{1e}";

/// One attendance record as exports show it.
pub struct Record {
    pub date: String,
    pub name: String,
    pub email: String,
    pub department: String,
    pub status: String,
    pub check_in: Option<i64>,
    pub check_out: Option<i64>,
    pub working_minutes: Option<i64>,
    pub is_late: bool,
    pub auto_check_out: bool,
    pub corrected: bool,
    pub notes: String,
}

impl Record {
    fn parse(line: &str) -> Option<Record> {
        let mut f = line.split(FIELD);
        let mut next = || f.next().map(str::to_string);
        let num = |s: String| s.parse::<i64>().ok();
        Some(Record {
            date: next()?,
            name: next()?,
            email: next()?,
            department: next()?,
            status: next()?,
            check_in: num(next()?),
            check_out: num(next()?),
            working_minutes: num(next()?),
            is_late: next()? == "1",
            auto_check_out: next()? == "1",
            corrected: next()? == "1",
            notes: next()?,
        })
    }
}

/// Reads a period's records page by page.
pub struct RecordPages {
    org_id: String,
    filter: Filter,
    from: String,
    to: String,
    after: Option<(String, String)>,
}

impl RecordPages {
    pub fn new(org_id: String, filter: Filter, from: String, to: String) -> Self {
        RecordPages {
            org_id,
            filter,
            from,
            to,
            after: None,
        }
    }

    /// The next page, or an empty one at the end.
    pub async fn next(&mut self, db: &Db) -> sqlx::Result<Vec<Record>> {
        let agg = db.string_agg();
        let mut q = SqlBuf::new("SELECT COUNT(*), MAX(k), ");
        q.push(agg)
            .push("(line, ")
            .bind(RECORD)
            .push(" ORDER BY k) FROM (SELECT a.date || ' ' || a.id AS k, a.date");
        for expr in [
            "u.name",
            "u.email",
            "COALESCE(u.department, '')",
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
        q.push(" FROM attendance a JOIN users u ON u.id = a.user_id WHERE a.organization_id = ");
        q.bind(self.org_id.as_str());
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
        push_people(&mut q, &self.org_id, &self.filter, "a.user_id");
        q.push(" ORDER BY a.date, a.id LIMIT ")
            .bind(PAGE)
            .push(") page");
        let (sql, args) = q.build();
        let (count, last, lines): (i64, Option<String>, Option<String>) =
            sqlx::query_as_with(&sql, args).fetch_one(db.pool()).await?;
        if count == 0 {
            return Ok(Vec::new());
        }
        if let Some((date, id)) = last.as_deref().and_then(|k| k.split_once(' ')) {
            self.after = Some((date.to_string(), id.to_string()));
        }
        Ok(lines
            .unwrap_or_default()
            .split(RECORD)
            .filter_map(Record::parse)
            .collect())
    }
}
