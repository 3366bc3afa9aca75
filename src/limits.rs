//! The service's limits and rules, written once: the client's checks, the emulator
//! (`uploadcare-emulator`) and the `ucare` CLI all read them from here.
//!
//! Sources: the REST API 0.7 reference, the Upload API reference and the search/tags
//! reference (the fact sheets of this repository cite each). The module is not behind a
//! feature, so every package of the workspace can reach it whatever it builds.

use std::ops::RangeInclusive;
use std::time::Duration;

/// Files at least this large may (and, from [`MAX_DIRECT_SIZE`] on, must) be uploaded in
/// parts: 10 MiB.
pub const MIN_MULTIPART_SIZE: u64 = 10 * 1024 * 1024;
/// `/base/` takes files smaller than this (exclusive); larger ones go multipart: 100 MiB.
pub const MAX_DIRECT_SIZE: u64 = 100 * 1024 * 1024;
/// Smallest multipart part, also the service's default (every part but the last has exactly
/// the part size): 5 MiB.
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// Largest multipart part: 5 GiB.
pub const MAX_PART_SIZE: u64 = 5 * 1024 * 1024 * 1024;

/// Most metadata keys on one file.
pub const MAX_METADATA_KEYS: usize = 50;
/// Most characters in a metadata key (at least 1).
pub const MAX_METADATA_KEY_LEN: usize = 64;
/// Most characters in a metadata value (at least 1).
pub const MAX_METADATA_VALUE_LEN: usize = 512;

/// Whether `c` may appear in a metadata key: `A-Z a-z 0-9 _ - . :`.
pub fn is_metadata_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | ':')
}

/// Whether `key` is a metadata key the service accepts: 1 to [`MAX_METADATA_KEY_LEN`]
/// characters, each one [`is_metadata_key_char`].
///
/// ```
/// use uploadcare::limits::is_metadata_key;
/// assert!(is_metadata_key("subsystem:v1.2"));
/// assert!(!is_metadata_key("") && !is_metadata_key("two words"));
/// ```
pub fn is_metadata_key(key: &str) -> bool {
    (1..=MAX_METADATA_KEY_LEN).contains(&key.chars().count()) && key.chars().all(is_metadata_key_char)
}

/// Most tags on one file (counted after normalization).
pub const MAX_TAGS: usize = 50;
/// Most characters in one tag.
pub const MAX_TAG_LEN: usize = 100;

/// Whether `c` may appear in a (normalized) tag: Latin letters, digits, `-`, `_`, `.`.
pub fn is_tag_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
}

/// A group id, `<uuid>~<count>` (count ≥ 1): its UUID and count, or `None`.
///
/// ```
/// use uploadcare::limits::parse_group_id;
/// assert_eq!(parse_group_id("5f0b7c2e-3d9a-4e1b-8c6f-2a4d1e9b7c30~2").map(|(_, n)| n), Some(2));
/// assert_eq!(parse_group_id("5f0b7c2e-3d9a-4e1b-8c6f-2a4d1e9b7c30~0"), None);
/// ```
pub fn parse_group_id(id: &str) -> Option<(uuid::Uuid, u32)> {
    let (uuid, count) = id.split_once('~')?;
    let count: u32 = count.parse().ok().filter(|n| *n > 0)?;
    Some((uuid.parse().ok()?, count))
}

/// Most UUIDs in one batch store or delete request.
pub const MAX_BATCH_UUIDS: usize = 100;
/// Largest `limit` of the REST list endpoints (files, groups); the smallest is 1.
pub const MAX_LIST_PAGE: u64 = 1000;
/// The REST list endpoints' `limit` when none is given.
pub const DEFAULT_LIST_PAGE: u64 = 100;

/// Shortest text of a search's `query` and `phrase` conditions, in characters.
pub const MIN_SEARCH_TEXT_LEN: usize = 4;
/// Most sort keys of one search.
pub const MAX_SEARCH_SORT_KEYS: usize = 4;
/// Largest search page.
pub const MAX_SEARCH_PAGE: u64 = 100;
/// The search page size when none is given.
pub const DEFAULT_SEARCH_PAGE: u64 = 20;
/// The search paging ceiling: `offset + limit` must stay under it.
pub const SEARCH_RESULT_CEILING: u64 = 1000;
/// What search results can be sorted by (each also descending with a leading `-`).
pub const SEARCH_SORT_KEYS: [&str; 4] = ["score", "datetime_uploaded", "size", "original_filename"];

/// Most thumbnails one video conversion makes (`-/thumbs~N/`, N ≥ 1).
pub const MAX_VIDEO_THUMBS: u32 = 50;

/// Longest lifetime of an Upload API auth token: 24 hours.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);
/// The operations limit an auth token may carry.
pub const TOKEN_OPERATIONS: RangeInclusive<u32> = 1..=100_000;
/// Most scope items in an auth token.
pub const MAX_TOKEN_SCOPE_ITEMS: usize = 16;
/// Most characters in one scope item of an auth token.
pub const MAX_TOKEN_SCOPE_ITEM_LEN: usize = 64;

/// Longest webhook `target_url`, in characters.
pub const MAX_WEBHOOK_TARGET_URL_LEN: usize = 255;
/// Longest webhook `signing_secret`, in characters.
pub const MAX_WEBHOOK_SIGNING_SECRET_LEN: usize = 32;

/// Largest side, in pixels, of the size the **last** geometry operation of a CDN image URL
/// may specify (`preview`, `resize`, `scale_crop`, `crop`, …): 3000 px. With the format set
/// to JPEG explicitly (`-/format/jpeg/`) the cap is 5000 px, the `cdn` feature's
/// `cdn::url::DEFAULT_DIMENSION_LIMIT`; projects can have both raised by arrangement.
///
/// Source: "Output image dimensions",
/// <https://uploadcare.com/docs/api/url/image-processing-limitations/>.
pub const MAX_IMAGE_OUTPUT_SIDE: u32 = 3000;
/// Largest side, in pixels, of the box `-/preview/` fits an image into when the URL gives
/// no size (`-/preview/` alone): 2048 px, so 2048×2048.
///
/// Source: "Preview", <https://uploadcare.com/docs/transformations/image/resize-crop/>.
pub const DEFAULT_PREVIEW_SIDE: u32 = 2048;
/// The CDN processes no image larger than this, in pixels (75 Mpx); such files are delivered
/// as they are.
///
/// Source: "Size limit", <https://uploadcare.com/docs/processing/image/limits/> (an older
/// page of the reference; the current limitations page lists an "Image resolution" limit
/// without the figure in the text the project could read).
pub const MAX_IMAGE_PROCESSING_PIXELS: u64 = 75_000_000;
/// Image processing applies to files smaller than this (exclusive): 100 MB, taken as MiB like
/// [`MAX_DIRECT_SIZE`].
///
/// Source: "File size", <https://uploadcare.com/docs/cdn-operations/>.
pub const MAX_IMAGE_PROCESSING_FILE_SIZE: u64 = 100 * 1024 * 1024;
/// How many colours `-/main_colors/` reports when the URL gives no number: 4.
///
/// Source: <https://uploadcare.com/docs/intelligence/color-recognition/>.
pub const DEFAULT_MAIN_COLORS: u32 = 4;
/// The longest usage range the Project API answers, in days between `from` and `to`: 90
/// (`to` must also be before today, UTC).
///
/// Source: the official CLI's `project usage` checks and help text (fact sheet
/// `project-api.md`, "Usage"); the API answers 400 beyond it.
pub const MAX_USAGE_DAYS: i64 = 90;

/// The Project API's rules for a usage range, given today's date (UTC): `to` before today,
/// `from` not after `to`, at most [`MAX_USAGE_DAYS`] days from `from` to `to`. The message
/// says which rule failed.
///
/// ```
/// use chrono::NaiveDate;
/// use uploadcare::limits::check_usage_range;
///
/// let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
/// assert!(check_usage_range(day(1), day(29), day(30)).is_ok());
/// assert!(check_usage_range(day(1), day(30), day(30)).unwrap_err().contains("before today"));
/// ```
pub fn check_usage_range(
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    today: chrono::NaiveDate,
) -> Result<(), String> {
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
