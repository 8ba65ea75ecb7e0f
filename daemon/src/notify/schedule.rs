//! Local times of day in a municipality's time zone: SMS quiet hours and the daily digest.

use chrono::{NaiveDate, NaiveTime, TimeZone};
use chrono_tz::Tz;

/// `HH:MM` (24-hour) as minutes after midnight.
pub fn parse_hhmm(s: &str) -> Option<u32> {
    let (h, m) = s.trim().split_once(':')?;
    if h.len() != 2 || m.len() != 2 {
        return None;
    }
    let (h, m): (u32, u32) = (h.parse().ok()?, m.parse().ok()?);
    (h < 24 && m < 60).then_some(h * 60 + m)
}

/// A span of local time each day, `HH:MM-HH:MM`; it may run over midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    start: u32,
    end: u32,
}

impl Window {
    pub fn parse(s: &str) -> Option<Window> {
        let (a, b) = s.split_once('-')?;
        let (start, end) = (parse_hhmm(a)?, parse_hhmm(b)?);
        (start != end).then_some(Window { start, end })
    }

    fn contains(&self, minute: u32) -> bool {
        if self.start < self.end {
            (self.start..self.end).contains(&minute)
        } else {
            minute >= self.start || minute < self.end
        }
    }

    /// When `now` falls inside the window: the instant it ends.
    pub fn end_if_inside(&self, tz: Tz, now_ms: i64) -> Option<i64> {
        let local = tz.timestamp_millis_opt(now_ms).single()?;
        use chrono::Timelike;
        let minute = local.hour() * 60 + local.minute();
        self.contains(minute)
            .then(|| next_local(tz, now_ms, self.end))
    }
}

/// The first instant after `now_ms` whose local time is `minute` after midnight. A time
/// that a daylight-saving change skips falls an hour later that day.
pub fn next_local(tz: Tz, now_ms: i64, minute: u32) -> i64 {
    let today = tz
        .timestamp_millis_opt(now_ms)
        .single()
        .map(|t| t.date_naive())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default());
    for day in 0..3 {
        let Some(date) = today.checked_add_days(chrono::Days::new(day)) else {
            break;
        };
        if let Some(t) = at_local(tz, date, minute) {
            if t > now_ms {
                return t;
            }
        }
    }
    now_ms + 86_400_000
}

fn at_local(tz: Tz, date: NaiveDate, minute: u32) -> Option<i64> {
    let time = NaiveTime::from_hms_opt(minute / 60, minute % 60, 0)?;
    let naive = date.and_time(time);
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|t| t.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prague(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        chrono_tz::Europe::Prague
            .with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("a valid local time")
            .timestamp_millis()
    }

    #[test]
    fn times_and_windows_parse_strictly() {
        assert_eq!(parse_hhmm("08:00"), Some(480));
        assert_eq!(parse_hhmm("23:59"), Some(1439));
        for bad in ["8:00", "24:00", "12:60", "noon", "", "12:3"] {
            assert_eq!(parse_hhmm(bad), None, "{bad}");
        }
        assert!(Window::parse("20:00-08:00").is_some());
        assert!(Window::parse("08:00-08:00").is_none());
        assert!(Window::parse("20:00").is_none());
    }

    #[test]
    fn quiet_hours_over_midnight_end_at_eight_local() {
        let tz = chrono_tz::Europe::Prague;
        let w = Window::parse("20:00-08:00").expect("window");
        let eight = Some(prague(2026, 11, 24, 8, 0));
        for (at, until) in [
            // 23:00 in Prague (winter, UTC+1): quiet until 08:00 the next morning.
            (prague(2026, 11, 23, 23, 0), eight),
            // 03:00: quiet until 08:00 the same day.
            (prague(2026, 11, 24, 3, 0), eight),
            // 08:00 and 19:59 are not quiet; 20:00 is (below).
            (prague(2026, 11, 24, 8, 0), None),
            (prague(2026, 11, 24, 19, 59), None),
        ] {
            assert_eq!(w.end_if_inside(tz, at), until, "at {at}");
        }
        assert!(w.end_if_inside(tz, prague(2026, 11, 24, 20, 0)).is_some());
        // The same instant is 00:00 in Sofia (UTC+2): quiet there.
        let sofia = chrono_tz::Europe::Sofia;
        assert!(w
            .end_if_inside(sofia, prague(2026, 11, 24, 23, 0))
            .is_some());
    }

    #[test]
    fn a_window_within_one_day_and_summer_time() {
        let tz = chrono_tz::Europe::Prague;
        let w = Window::parse("12:00-13:00").expect("window");
        assert_eq!(
            w.end_if_inside(tz, prague(2026, 7, 1, 12, 30)),
            Some(prague(2026, 7, 1, 13, 0))
        );
        assert_eq!(w.end_if_inside(tz, prague(2026, 7, 1, 13, 0)), None);
        // 02:30 does not exist on 29 March 2026 in Prague: the digest goes at 03:30.
        let before = prague(2026, 3, 29, 1, 0);
        let at = next_local(tz, before, 150);
        assert_eq!(at, prague(2026, 3, 29, 3, 30));
        // The next 07:00 after 07:00 is tomorrow's.
        let seven = prague(2026, 11, 24, 7, 0);
        assert_eq!(next_local(tz, seven, 420), prague(2026, 11, 25, 7, 0));
    }
}
