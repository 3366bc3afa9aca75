//! Usage date ranges, checked as the Project API checks them, before any request.

use chrono::{Duration, NaiveDate, Utc};

pub use crate::limits::{check_usage_range, MAX_USAGE_DAYS};

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
