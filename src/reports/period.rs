//! Report periods and the working-day calendar they are counted on: a day, the
//! week containing a date (from the organization's `weekStart`), a month, or a
//! custom range of at most 366 days; working days follow `workingDays` and holidays.

use std::collections::HashSet;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::FieldError;

pub const MAX_DAYS: i64 = 366;

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// `daily`, `weekly`, `monthly` or `custom`.
    pub kind: &'static str,
    /// First day, `YYYY-MM-DD`, inclusive.
    #[schema(value_type = String, example = "2026-11-01")]
    pub from: NaiveDate,
    /// Last day, inclusive.
    #[schema(value_type = String, example = "2026-11-30")]
    pub to: NaiveDate,
}

impl Period {
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }
}

pub fn parse_date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|_| raw.len() == 10)
        .ok_or_else(|| FieldError::new(field, "must be a date as YYYY-MM-DD"))
}

pub fn weekday(name: &str) -> Option<Weekday> {
    match name {
        "monday" => Some(Weekday::Mon),
        "tuesday" => Some(Weekday::Tue),
        "wednesday" => Some(Weekday::Wed),
        "thursday" => Some(Weekday::Thu),
        "friday" => Some(Weekday::Fri),
        "saturday" => Some(Weekday::Sat),
        "sunday" => Some(Weekday::Sun),
        _ => None,
    }
}

pub fn daily(date: NaiveDate) -> Period {
    Period {
        kind: "daily",
        from: date,
        to: date,
    }
}

/// The seven days containing `date`, starting on `week_start`.
pub fn weekly(date: NaiveDate, week_start: Weekday) -> Period {
    let back = (7 + date.weekday().num_days_from_monday() as i64
        - week_start.num_days_from_monday() as i64)
        % 7;
    let from = date - Duration::days(back);
    Period {
        kind: "weekly",
        from,
        to: from + Duration::days(6),
    }
}

/// `YYYY-MM` → the whole month.
pub fn monthly(field: &str, raw: &str) -> Result<Period, FieldError> {
    let bad = || FieldError::new(field, "must be a month as YYYY-MM");
    if raw.len() != 7 {
        return Err(bad());
    }
    let from = NaiveDate::parse_from_str(&format!("{raw}-01"), "%Y-%m-%d").map_err(|_| bad())?;
    let next = if from.month() == 12 {
        NaiveDate::from_ymd_opt(from.year() + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(from.year(), from.month() + 1, 1)
    }
    .ok_or_else(bad)?;
    Ok(Period {
        kind: "monthly",
        from,
        to: next - Duration::days(1),
    })
}

/// `from..=to`, at most 366 days, `to` not before `from`.
pub fn custom(from: NaiveDate, to: NaiveDate) -> Result<Period, FieldError> {
    if to < from {
        return Err(FieldError::new("to", "must not be before from"));
    }
    if (to - from).num_days() + 1 > MAX_DAYS {
        return Err(FieldError::new(
            "to",
            format!("a report covers at most {MAX_DAYS} days"),
        ));
    }
    Ok(Period {
        kind: "custom",
        from,
        to,
    })
}

/// Which days people are expected in.
#[derive(Debug, Clone)]
pub struct WorkCalendar {
    working: [bool; 7],
    holidays: HashSet<NaiveDate>,
}

impl WorkCalendar {
    pub fn new(working_days: &[String], holidays: impl IntoIterator<Item = NaiveDate>) -> Self {
        let mut working = [false; 7];
        for d in working_days.iter().filter_map(|d| weekday(d)) {
            working[d.num_days_from_monday() as usize] = true;
        }
        WorkCalendar {
            working,
            holidays: holidays.into_iter().collect(),
        }
    }

    pub fn is_working(&self, d: NaiveDate) -> bool {
        self.working[d.weekday().num_days_from_monday() as usize] && !self.holidays.contains(&d)
    }

    /// Working days of `period`, in order.
    pub fn working_days(&self, period: &Period) -> Vec<NaiveDate> {
        period.days().filter(|d| self.is_working(*d)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        parse_date("d", s).unwrap()
    }

    #[test]
    fn weeks_start_on_the_configured_day() {
        // 2026-11-25 is a Wednesday.
        assert_eq!(
            weekly(d("2026-11-25"), Weekday::Mon),
            Period {
                kind: "weekly",
                from: d("2026-11-23"),
                to: d("2026-11-29")
            }
        );
        assert_eq!(weekly(d("2026-11-25"), Weekday::Sun).from, d("2026-11-22"));
        assert_eq!(weekly(d("2026-11-22"), Weekday::Sun).from, d("2026-11-22"));
        assert_eq!(weekly(d("2026-11-22"), Weekday::Mon).from, d("2026-11-16"));
    }

    #[test]
    fn months_have_their_real_length() {
        assert_eq!(monthly("m", "2028-02").unwrap().to, d("2028-02-29"));
        assert_eq!(monthly("m", "2026-12").unwrap().to, d("2026-12-31"));
        for bad in ["2026-13", "2026-1", "26-01", "november"] {
            assert!(monthly("m", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn custom_ranges_are_bounded() {
        assert!(custom(d("2026-01-01"), d("2026-12-31")).is_ok());
        assert!(
            custom(d("2024-01-01"), d("2024-12-31")).is_ok(),
            "366 days in a leap year"
        );
        assert!(custom(d("2026-01-01"), d("2027-01-02")).is_err());
        assert!(custom(d("2026-02-01"), d("2026-01-31")).is_err());
        assert!(parse_date("from", "2026-1-1").is_err());
    }

    #[test]
    fn working_days_skip_weekends_and_holidays() {
        let cal = WorkCalendar::new(
            &["monday", "tuesday", "wednesday", "thursday", "friday"].map(String::from),
            [d("2026-11-26")],
        );
        let days = cal.working_days(&custom(d("2026-11-23"), d("2026-11-29")).unwrap());
        assert_eq!(
            days,
            vec![
                d("2026-11-23"),
                d("2026-11-24"),
                d("2026-11-25"),
                d("2026-11-27")
            ]
        );
    }
}
