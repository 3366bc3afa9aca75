//! Video frames: [`FileUrl::videoframe`] turns a video into a still image at a timestamp,
//! and [`check_video_timestamp`] checks the two timestamp forms the URL API accepts.

use super::{invalid, FileUrl};
use crate::Result;

/// The URL API's two forms of a `videoframe` timestamp: `HH:MM:SS[.fff]` (hours 00–99,
/// minutes and seconds 00–59, two digits each, 1–3 fractional digits) or seconds with an
/// `s` (`30s`, `30.5s`). The CDN and the emulator answer 400 to anything else.
pub fn check_video_timestamp(timestamp: &str) -> Result<()> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let two = |s: &str, max: u32| s.len() == 2 && digits(s) && s.parse::<u32>().is_ok_and(|n| n <= max);
    let clock = || {
        let (whole, fraction) = match timestamp.split_once('.') {
            Some((whole, fraction)) => (whole, Some(fraction)),
            None => (timestamp, None),
        };
        let parts: Vec<&str> = whole.split(':').collect();
        matches!(parts.as_slice(), [h, m, s] if two(h, 99) && two(m, 59) && two(s, 59))
            && fraction.is_none_or(|f| digits(f) && f.len() <= 3)
    };
    let seconds = || {
        timestamp
            .strip_suffix('s')
            .is_some_and(|n| match n.split_once('.') {
                Some((whole, fraction)) => digits(whole) && digits(fraction),
                None => digits(n),
            })
    };
    if clock() || seconds() {
        Ok(())
    } else {
        Err(invalid(format!(
            "videoframe timestamp `{timestamp}` is neither HH:MM:SS[.mmm] (two digits each, minutes and seconds up to 59) nor seconds like `30s` or `30.5s`"
        )))
    }
}

impl FileUrl {
    /// A still frame of a video at `timestamp` (`/<uuid>/videoframe/<timestamp>/`, a PNG at
    /// the video's size), to which image operations can follow. `timestamp` is
    /// `HH:MM:SS` with optional fractional seconds (`00:01:23.500`; hours 00–99, minutes and
    /// seconds 00–59, every part two digits) or seconds with an `s` (`30s`, `30.5s`); the
    /// service answers 400 to anything else, and to a file that is not a video. It must
    /// come first: before any operation or file name.
    ///
    /// ```
    /// # fn main() -> uploadcare::Result<()> {
    /// use uploadcare::cdn::url::FileUrl;
    /// let url = FileUrl::new("https://ucarecdn.com/", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .videoframe("00:00:05")?
    ///     .preview(640, 360)?;
    /// assert_eq!(
    ///     url.to_string(),
    ///     "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/videoframe/00:00:05/-/preview/640x360/"
    /// );
    /// # Ok(()) }
    /// ```
    pub fn videoframe(mut self, timestamp: &str) -> Result<Self> {
        check_video_timestamp(timestamp)?;
        if !self.ops.is_empty() || self.filename.is_some() || self.path.matches('/').count() != 1 {
            return Err(invalid(
                "videoframe comes right after the file's UUID, before any operation or name",
            ));
        }
        self.path.push_str(&format!("videoframe/{timestamp}/"));
        Ok(self)
    }

    /// [`FileUrl::videoframe`] at a position given as a duration (rendered in seconds with
    /// millisecond precision: `12.5s`).
    pub fn videoframe_at(self, at: std::time::Duration) -> Result<Self> {
        let millis = at.as_millis();
        let text = if millis.is_multiple_of(1000) {
            format!("{}s", millis / 1000)
        } else {
            let fraction = format!("{:03}", millis % 1000);
            format!("{}.{}s", millis / 1000, fraction.trim_end_matches('0'))
        };
        self.videoframe(&text)
    }
}
