//! The attendance rules as pure functions of instants and an organization's settings:
//! its local day, lateness, the check-in window, early leaving, when a day closes and
//! when open records are checked out automatically. Every rule reads the wall clock of
//! the organization's timezone, so midnight and DST changes fall where people see them.

use chrono::offset::LocalResult;
use chrono::{
    DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Timelike, Utc,
};
use chrono_tz::Tz;

use crate::organizations::model::WEEKDAYS;
use crate::organizations::Settings;

/// An organization's settings, parsed once for the rules.
#[derive(Debug, Clone)]
pub struct OrgRules {
    pub tz: Tz,
    pub start: NaiveTime,
    pub end: NaiveTime,
    pub late_threshold: i64,
    /// Monday = 0.
    pub working_days: [bool; 7],
    pub window: Option<(NaiveTime, NaiveTime)>,
    pub absent_after: i64,
    pub auto_check_out: Option<NaiveTime>,
    pub require_geofence: bool,
}

fn hhmm(raw: &str, fallback: NaiveTime) -> NaiveTime {
    NaiveTime::parse_from_str(raw, "%H:%M").unwrap_or(fallback)
}

fn minute_of(t: NaiveTime) -> i64 {
    i64::from(t.hour()) * 60 + i64::from(t.minute())
}

impl OrgRules {
    /// Settings are validated when written; anything unreadable falls back to the defaults.
    pub fn from_settings(s: &Settings) -> OrgRules {
        let nine = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        let six = NaiveTime::from_hms_opt(18, 0, 0).unwrap_or_default();
        let mut working_days = [false; 7];
        for d in &s.working_days {
            if let Some(i) = WEEKDAYS.iter().position(|w| w == d) {
                working_days[i] = true;
            }
        }
        OrgRules {
            tz: s.timezone.parse().unwrap_or(Tz::UTC),
            start: hhmm(&s.working_hours.start, nine),
            end: hhmm(&s.working_hours.end, six),
            late_threshold: s.late_threshold,
            working_days,
            window: s
                .attendance_window
                .as_ref()
                .map(|w| (hhmm(&w.start, nine), hhmm(&w.end, six))),
            absent_after: s.absent_after,
            auto_check_out: s.auto_check_out.as_deref().map(|t| hhmm(t, six)),
            require_geofence: s.require_geofence,
        }
    }

    pub fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        at.with_timezone(&self.tz).naive_local()
    }

    /// The organization's calendar day at `at`.
    pub fn local_day(&self, at: DateTime<Utc>) -> NaiveDate {
        self.local(at).date()
    }

    /// Minutes after local midnight at `at`.
    pub fn local_minute(&self, at: DateTime<Utc>) -> i64 {
        minute_of(self.local(at).time())
    }

    /// Late when the check-in's local minute is after `start + lateThreshold`: the
    /// threshold minute itself (09:15 with start 09:00 and 15 minutes) is still on time.
    pub fn is_late(&self, at: DateTime<Utc>) -> bool {
        self.local_minute(at) > minute_of(self.start) + self.late_threshold
    }

    /// Whether check-in is open at `at`; a window whose start is after its end spans midnight.
    pub fn in_window(&self, at: DateTime<Utc>) -> bool {
        let Some((start, end)) = self.window else {
            return true;
        };
        let t = self.local(at).time();
        if start <= end {
            start <= t && t <= end
        } else {
            t >= start || t <= end
        }
    }

    /// The instant the wall clock of `day` shows `time`. In a DST gap (a time that
    /// does not exist that day) the offset before the change applies, as clocks do.
    pub fn instant(&self, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
        let naive = day.and_time(time);
        match self.tz.from_local_datetime(&naive) {
            LocalResult::Single(t) => t.with_timezone(&Utc),
            LocalResult::Ambiguous(first, _) => first.with_timezone(&Utc),
            LocalResult::None => {
                let before = naive - Duration::hours(1);
                self.tz
                    .from_local_datetime(&before)
                    .earliest()
                    .map(|t| t.with_timezone(&Utc) + Duration::hours(1))
                    .unwrap_or_else(|| naive.and_utc())
            }
        }
    }

    /// Local midnight starting `day`.
    pub fn day_start(&self, day: NaiveDate) -> DateTime<Utc> {
        self.instant(day, NaiveTime::MIN)
    }

    /// A check-out before the end of working hours of the record's day is early.
    pub fn is_early(&self, day: NaiveDate, out: DateTime<Utc>) -> bool {
        out < self.instant(day, self.end)
    }

    /// When `day` closes: the end of working hours plus `absentAfter` minutes.
    pub fn closes_at(&self, day: NaiveDate) -> DateTime<Utc> {
        self.instant(day, self.end) + Duration::minutes(self.absent_after)
    }

    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        self.working_days[day.weekday().num_days_from_monday() as usize]
    }

    /// The latest day that has closed at `now`.
    pub fn last_closed_day(&self, now: DateTime<Utc>) -> NaiveDate {
        let mut day = self.local_day(now);
        while self.closes_at(day) > now {
            match day.pred_opt() {
                Some(d) => day = d,
                None => break,
            }
        }
        day
    }

    /// When a record of `day` checked in at `check_in` is checked out automatically:
    /// the first `autoCheckOut` local time after the check-in, on its day or the next.
    pub fn auto_check_out_at(
        &self,
        day: NaiveDate,
        check_in: DateTime<Utc>,
    ) -> Option<DateTime<Utc>> {
        let t = self.auto_check_out?;
        let same_day = self.instant(day, t);
        if same_day > check_in {
            return Some(same_day);
        }
        day.succ_opt().map(|next| self.instant(next, t))
    }
}

/// Whole minutes worked between two instants, as the seed computes it (rounded down).
pub fn working_minutes(check_in: DateTime<Utc>, check_out: DateTime<Utc>) -> i64 {
    ((check_out - check_in).num_milliseconds() / 60_000).max(0)
}

/// A `YYYY-MM-DD` day.
pub fn parse_day(raw: &str) -> Option<NaiveDate> {
    if raw.len() != 10 {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok()
}

pub fn format_day(day: NaiveDate) -> String {
    day.format("%Y-%m-%d").to_string()
}

/// `HH:MM` of minutes after midnight.
pub fn format_minute(minute: i64) -> String {
    let m = minute.clamp(0, 1439);
    format!("{:02}:{:02}", m / 60, m % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(tz: &str) -> OrgRules {
        let s = Settings {
            timezone: tz.into(),
            ..Settings::default()
        };
        OrgRules::from_settings(&s)
    }

    fn utc(s: &str) -> DateTime<Utc> {
        crate::time::parse(s).unwrap()
    }

    #[test]
    fn the_threshold_minute_is_on_time_and_the_next_is_late() {
        let r = rules("Asia/Kolkata");
        assert!(!r.is_late(utc("2026-11-25T09:15:59+05:30")));
        assert!(r.is_late(utc("2026-11-25T09:16:00+05:30")));
    }

    #[test]
    fn a_dst_gap_time_uses_the_offset_before_the_change() {
        let r = rules("America/Los_Angeles");
        let day = NaiveDate::from_ymd_opt(2026, 3, 8).unwrap();
        let t = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        assert_eq!(
            crate::time::format(&r.instant(day, t)),
            "2026-03-08T10:30:00.000Z"
        );
        // End of working hours that day is already in daylight time (UTC-7).
        assert_eq!(
            crate::time::format(&r.instant(day, r.end)),
            "2026-03-09T01:00:00.000Z"
        );
    }

    #[test]
    fn the_last_closed_day_steps_back_until_closing_has_passed() {
        let r = rules("UTC");
        // 18:00 + 120 minutes = 20:00 closes the day.
        assert_eq!(
            format_day(r.last_closed_day(utc("2026-11-25T19:59:00Z"))),
            "2026-11-24"
        );
        assert_eq!(
            format_day(r.last_closed_day(utc("2026-11-25T20:00:00Z"))),
            "2026-11-25"
        );
    }
}
