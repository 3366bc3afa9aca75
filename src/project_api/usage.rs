//! Usage date ranges, checked as the Project API checks them, before any request.

use chrono::{Duration, NaiveDate, Utc};

pub use crate::limits::MAX_USAGE_DAYS;

/// A range of days for the usage endpoints (`from` and `to` both included, UTC).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UsageRange {
    /// The first day.
    pub from: NaiveDate,
    /// The last day.
    pub to: NaiveDate,
}

impl UsageRange {
    /// A checked range (see [`check_usage_range`], against today's UTC date).
    pub fn new(from: NaiveDate, to: NaiveDate) -> crate::Result<Self> {
        check_usage_range(from, to, Utc::now().date_naive()).map_err(crate::Error::InvalidInput)?;
        Ok(Self { from, to })
    }

    /// The last `days` full days: yesterday and the `days - 1` before it (UTC);
    /// [`crate::Error::InvalidInput`] for 0 or more than [`MAX_USAGE_DAYS`] + 1 days.
    pub fn last_days(days: u32) -> crate::Result<Self> {
        if days == 0 || i64::from(days) > MAX_USAGE_DAYS + 1 {
            return Err(crate::Error::InvalidInput(format!(
                "a usage range is 1 to {} days, asked for {days}",
                MAX_USAGE_DAYS + 1
            )));
        }
        let to = Utc::now().date_naive() - Duration::days(1);
        Self::new(to - Duration::days(i64::from(days) - 1), to)
    }
}

/// The Project API's rules for a usage range, given today's date (UTC): `to` before today,
/// `from` not after `to`, at most [`MAX_USAGE_DAYS`] days from `from` to `to`. The message
/// says which rule failed.
///
/// ```
/// use chrono::NaiveDate;
/// use uploadcare::project_api::check_usage_range;
///
/// let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
/// assert!(check_usage_range(day(1), day(30), day(6 + 25)).is_ok());
/// assert!(check_usage_range(day(1), day(30), day(30)).unwrap_err().contains("before today"));
/// ```
pub fn check_usage_range(from: NaiveDate, to: NaiveDate, today: NaiveDate) -> Result<(), String> {
    if to >= today {
        return Err(format!(
            "usage `to` ({to}) must be before today ({today}, UTC): the API has no figures for today yet"
        ));
    }
    if from > to {
        return Err(format!("usage `from` ({from}) is after `to` ({to})"));
    }
    let days = (to - from).num_days();
    if days > MAX_USAGE_DAYS {
        return Err(format!(
            "a usage range spans at most {MAX_USAGE_DAYS} days; {from} to {to} spans {days}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn ranges_are_checked_like_the_api() {
        let today = day("2026-12-06");
        assert!(check_usage_range(day("2026-12-05"), day("2026-12-05"), today).is_ok());
        assert!(check_usage_range(day("2026-09-06"), day("2026-12-05"), today).is_ok());
        assert!(check_usage_range(day("2026-09-05"), day("2026-12-05"), today)
            .unwrap_err()
            .contains("at most 90 days"));
        assert!(check_usage_range(day("2026-12-01"), day("2026-12-06"), today)
            .unwrap_err()
            .contains("before today"));
        assert!(check_usage_range(day("2026-12-04"), day("2026-12-03"), today)
            .unwrap_err()
            .contains("after"));
    }

    #[test]
    fn last_days_end_yesterday() {
        let range = UsageRange::last_days(30).unwrap();
        assert_eq!(range.to, Utc::now().date_naive() - Duration::days(1));
        assert_eq!((range.to - range.from).num_days(), 29);
        assert!(UsageRange::last_days(0).is_err());
        assert!(UsageRange::last_days(92).is_err());
    }
}
