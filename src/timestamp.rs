//! [`Timestamp`]: every `format: date-time` field of the generated types.
//!
//! The service writes its times in one shape — `2026-11-30T10:01:03.512345Z` — and a large
//! files page holds three per file, so they are read by a fixed-format parser (no
//! allocation, no format-string interpretation); anything else RFC 3339 allows (another
//! offset, a space for `T`, a leap second) goes through chrono's parser, which accepts what
//! the generated types accepted before. The value is a `chrono::DateTime<Utc>` underneath:
//! [`Timestamp`] dereferences to it and converts both ways.

use std::fmt;
use std::ops::Deref;
use std::str::FromStr;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, Utc};
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

/// A point in time from an API answer (UTC). Dereferences to [`chrono::DateTime<Utc>`], so
/// `file.datetime_uploaded.timestamp()` and every other chrono method work as they are;
/// `DateTime::from(t)` / [`Timestamp::into_inner`] give the chrono value itself.
///
/// ```
/// use uploadcare::Timestamp;
/// let t: Timestamp = "2026-11-30T10:01:03.512345Z".parse().unwrap();
/// assert_eq!(t.timestamp(), 1_796_032_863);
/// assert_eq!(t.timestamp_subsec_micros(), 512_345);
/// // Other offsets are read too, and kept as the same instant in UTC.
/// let u: Timestamp = "2026-11-30T12:01:03.512345+02:00".parse().unwrap();
/// assert_eq!(t, u);
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(DateTime<Utc>);

impl Timestamp {
    /// The chrono value.
    pub fn into_inner(self) -> DateTime<Utc> {
        self.0
    }
}

impl Deref for Timestamp {
    type Target = DateTime<Utc>;
    fn deref(&self) -> &DateTime<Utc> {
        &self.0
    }
}

impl From<DateTime<Utc>> for Timestamp {
    fn from(at: DateTime<Utc>) -> Self {
        Timestamp(at)
    }
}

impl From<Timestamp> for DateTime<Utc> {
    fn from(at: Timestamp) -> Self {
        at.0
    }
}

impl From<Timestamp> for std::time::SystemTime {
    fn from(at: Timestamp) -> Self {
        at.0.into()
    }
}

impl PartialEq<DateTime<Utc>> for Timestamp {
    fn eq(&self, other: &DateTime<Utc>) -> bool {
        self.0 == *other
    }
}

/// Same as chrono's: `2026-11-30T10:01:03.512345Z`.
impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

/// Same as chrono's: `2026-11-30 10:01:03.512345 UTC`.
impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

/// The reason a text is not a timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimestampError(String);

impl fmt::Display for TimestampError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TimestampError {}

impl FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if let Some(at) = parse_service_format(text.as_bytes()) {
            return Ok(Timestamp(at));
        }
        text.parse::<DateTime<FixedOffset>>()
            .map(|at| Timestamp(at.with_timezone(&Utc)))
            .map_err(|e| TimestampError(format!("not an RFC 3339 date-time ({e}): {text:?}")))
    }
}

/// `YYYY-MM-DDTHH:MM:SS[.f…]` then `Z` or `+00:00` — the one shape the service sends. `None`
/// for anything else (the caller falls back to chrono's general parser).
fn parse_service_format(b: &[u8]) -> Option<DateTime<Utc>> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let year = digits(&b[0..4])?;
    let month = digits(&b[5..7])?;
    let day = digits(&b[8..10])?;
    let hour = digits(&b[11..13])?;
    let minute = digits(&b[14..16])?;
    let second = digits(&b[17..19])?;
    let mut rest = &b[19..];
    let mut nanos = 0u32;
    if let [b'.', fraction @ ..] = rest {
        let count = fraction.iter().take_while(|c| c.is_ascii_digit()).count();
        if count == 0 || count > 9 {
            return None;
        }
        nanos = digits(&fraction[..count])? * 10u32.pow(9 - count as u32);
        rest = &fraction[count..];
    }
    if rest != b"Z" && rest != b"+00:00" {
        return None;
    }
    // A leap second (`:60`) is left to chrono.
    let date = NaiveDate::from_ymd_opt(year as i32, month, day)?;
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    (second < 60).then(|| date.and_time(time).and_utc())
}

/// The value of ASCII digits (at most 9 of them).
fn digits(b: &[u8]) -> Option<u32> {
    b.iter().try_fold(0u32, |n, &c| {
        c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
    })
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl de::Visitor<'_> for Visitor {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an RFC 3339 date-time")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Timestamp, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(Visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrono_reading(text: &str) -> Option<DateTime<Utc>> {
        text.parse::<DateTime<FixedOffset>>()
            .ok()
            .map(|at| at.with_timezone(&Utc))
    }

    #[test]
    fn reads_what_chrono_reads_and_the_same_instant() {
        for text in [
            "2026-11-30T10:01:03.512345Z",
            "2026-11-30T10:01:03Z",
            "2026-11-30T10:01:03.5Z",
            "2026-11-30T10:01:03.123456789Z",
            "2026-11-30T10:01:03.1234567890Z",
            "2026-11-30T10:01:03.512345+00:00",
            "2026-11-30T12:01:03.512345+02:00",
            "2026-11-30T10:01:03.512345-05:30",
            "2026-11-30 10:01:03.512345Z",
            "2026-11-30t10:01:03z",
            "2016-12-31T23:59:60Z",
            "2024-02-29T00:00:00Z",
            "0001-01-01T00:00:00Z",
        ] {
            let expected = chrono_reading(text).unwrap_or_else(|| panic!("chrono reads {text}"));
            let ours: Timestamp = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(ours.into_inner(), expected, "{text}");
            let from_json: Timestamp = serde_json::from_str(&format!("{text:?}")).unwrap();
            assert_eq!(from_json, ours);
        }
    }

    #[test]
    fn refuses_what_chrono_refuses() {
        for text in [
            "",
            "2026-11-30",
            "2026-11-30T10:01:03",
            "2026-11-30T10:01:03.Z",
            "2026-02-30T10:01:03Z",
            "2026-11-30T24:01:03Z",
            "2026-11-30T10:01:03Zjunk",
            "2026-1a-30T10:01:03Z",
            "２026-11-30T10:01:03Z",
        ] {
            assert!(chrono_reading(text).is_none(), "chrono reads {text}");
            let err = text.parse::<Timestamp>().unwrap_err();
            assert!(err.to_string().contains("RFC 3339"), "{err}");
            assert!(serde_json::from_str::<Timestamp>(&format!("{text:?}")).is_err());
        }
        assert!(serde_json::from_str::<Timestamp>("1796032863").is_err());
    }

    #[test]
    fn writes_and_shows_as_chrono_does() {
        let text = "2026-11-30T10:01:03.512345Z";
        let ours: Timestamp = text.parse().unwrap();
        let theirs = chrono_reading(text).unwrap();
        assert_eq!(
            serde_json::to_string(&ours).unwrap(),
            serde_json::to_string(&theirs).unwrap()
        );
        assert_eq!(format!("{ours}"), format!("{theirs}"));
        assert_eq!(format!("{ours:?}"), format!("{theirs:?}"));
        assert_eq!(ours, theirs);
        assert_eq!(Timestamp::from(theirs), ours);
    }
}
