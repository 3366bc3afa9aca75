//! Typed CDN URLs: files with processing operations, groups, and the conversion paths the
//! REST conversion calls take.
//!
//! Every builder renders with [`Display`](std::fmt::Display). Operations that take a value
//! the service would refuse (a dimension over its cap, a percentage over 100, a colour that
//! is not hex, …) check it **in the method** and return
//! [`crate::Error::InvalidInput`]; so a built value always renders a
//! URL the URL API accepts syntactically. Operations without arguments return `Self`.
//!
//! ```
//! use uploadcare::cdn::url::{FileUrl, Format, Quality};
//!
//! # fn main() -> uploadcare::Result<()> {
//! let url = FileUrl::new("https://ucarecdn.com/", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
//!     .preview(800, 600)?
//!     .format(Format::Webp)
//!     .quality(Quality::Smart)
//!     .filename("photo.webp")?;
//! assert_eq!(
//!     url.to_string(),
//!     "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/-/preview/800x600/-/format/webp/-/quality/smart/photo.webp"
//! );
//! # Ok(())
//! # }
//! ```

use std::fmt;

use uuid::Uuid;

use crate::{Error, Result};

mod compression;
mod conversions;
mod delivery;
mod effects;
mod geometry;
mod group;
mod overlay;
mod values;
mod videoframe;

#[cfg_attr(not(rest), allow(unused_imports))]
pub(crate) use conversions::conversion_body;
pub use conversions::{
    DocumentConversion, DocumentFormat, VideoConversion, VideoFormat, VideoQuality, VideoResize,
    VIDEO_THUMBS_MAX,
};
pub use group::{ArchiveFormat, GroupArchiveUrl, GroupUrl};
use values::keyword_enum;
pub use values::{
    Alignment, ColorAdjustment, Filter, Format, Gif2VideoFormat, Length, OverlaySource, Quality,
    ScaleCropMode, Srgb, Stretch, StripMeta, TextAlign, TextBox, TextVerticalAlign,
};
pub use videoframe::check_video_timestamp;

/// The largest side, in pixels, the geometry operations (`preview`, `resize`,
/// `smart_resize`, `crop`, `scale_crop`) accept by default.
///
/// The URL API caps the **output** of the last geometry operation at 3000×3000 px, or
/// 5000×5000 px when the format is set to JPEG explicitly (`-/format/jpeg/`); projects can
/// have it raised up to 8192 px (16384 px for JPEG) by arrangement. The builder checks each
/// side against 5000 px — the most any project gets by default — and
/// [`FileUrl::dimension_limit`] changes it for projects with raised limits.
pub const DEFAULT_DIMENSION_LIMIT: u32 = 5000;
/// The highest [`FileUrl::dimension_limit`] the URL API offers at all (JPEG output).
pub const MAX_DIMENSION_LIMIT: u32 = 16384;

/// Every operation name the URL API knows (`/-/<name>/…`), including those of the info URLs
/// and of conversion paths. The CDN answers 400 to a chain with any other name; the
/// emulator checks chains against this list.
pub const OPERATIONS: &[&str] = &[
    // Resize, crop, rotation.
    "preview",
    "resize",
    "smart_resize",
    "scale_crop",
    "crop",
    "stretch",
    "setfill",
    "zoom_objects",
    "border_radius",
    "autorotate",
    "rotate",
    "flip",
    "mirror",
    // Compression and format.
    "format",
    "quality",
    "progressive",
    "strip_meta",
    "srgb",
    "max_icc_size",
    "rasterize",
    "gif2video",
    // Colors, definition, effects.
    "grayscale",
    "invert",
    "enhance",
    "sharp",
    "blur",
    "blur_region",
    "filter",
    "brightness",
    "exposure",
    "contrast",
    "saturation",
    "gamma",
    "vibrance",
    "warmth",
    // Overlays.
    "overlay",
    "text",
    "font",
    "text_align",
    "text_box",
    "rect",
    // Information and delivery behaviour.
    "json",
    "main_colors",
    "detect_faces",
    "inline",
    // Names of conversion paths (`<uuid>/video/-/size/…`, `<uuid>/document/-/page/…`).
    "size",
    "cut",
    "thumbs",
    "page",
    "dpi",
];

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

fn check_range(what: &str, value: i32, min: i32, max: i32) -> Result<()> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(invalid(format!(
            "{what} must be between {min} and {max}, got {value}"
        )))
    }
}

fn check_side(op: &str, value: u32, max: u32) -> Result<()> {
    if value == 0 || value > max {
        Err(invalid(format!(
            "{op}: each side must be between 1 and {max} px, got {value}"
        )))
    } else {
        Ok(())
    }
}

fn check_percent(what: &str, value: u8) -> Result<()> {
    if value > 100 {
        Err(invalid(format!(
            "{what} must be between 0 and 100 %, got {value}"
        )))
    } else {
        Ok(())
    }
}

/// Normalizes a CDN base: trims it, requires `http://` or `https://` and a host, and drops
/// trailing slashes.
pub(crate) fn normalize_base(base: &str) -> Result<String> {
    let base = base.trim().trim_end_matches('/');
    let rest = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .ok_or_else(|| {
            invalid(format!(
                "CDN base URL must start with https:// or http://: `{base}`"
            ))
        })?;
    if rest.is_empty() || rest.contains(['?', '#', ' ']) {
        return Err(invalid(format!("CDN base URL has no usable host: `{base}`")));
    }
    Ok(base.to_owned())
}

pub(crate) fn parse_uuid(raw: &str) -> Result<Uuid> {
    Uuid::parse_str(raw.trim()).map_err(|_| invalid(format!("not a file UUID: `{raw}`")))
}

fn check_hex_color(color: &str) -> Result<String> {
    let c = color.trim_start_matches('#');
    let ok = matches!(c.len(), 3 | 4 | 6 | 8) && c.bytes().all(|b| b.is_ascii_hexdigit());
    if ok {
        Ok(c.to_ascii_lowercase())
    } else {
        Err(invalid(format!(
            "colour must be 3, 4, 6 or 8 hex digits, got `{color}`"
        )))
    }
}

/// Percent-encodes everything outside RFC 3986's unreserved set.
fn escape_segment(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn check_filename(name: &str) -> Result<String> {
    if name.is_empty() || name == "." || name == ".." || name.contains('/') {
        return Err(invalid(format!(
            "file name must be non-empty and contain no `/`: `{name}`"
        )));
    }
    Ok(escape_segment(name))
}

fn yes_no(on: bool) -> &'static str {
    if on {
        "yes"
    } else {
        "no"
    }
}

/// A CDN URL of one file with a chain of processing operations, a file name and delivery
/// controls. Build it with [`FileUrl::new`] or [`FileUrl::from_parts`], chain operations,
/// and render it with `to_string()`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUrl {
    base: String,
    /// The path after the base, ending in `/` (`<uuid>/` or `<group>/nth/<n>/`).
    path: String,
    ops: String,
    filename: Option<String>,
    /// Largest side geometry operations accept (see [`DEFAULT_DIMENSION_LIMIT`]).
    limit: u32,
}

impl FileUrl {
    /// A file URL from a CDN base (`https://ucarecdn.com`, `https://abc1234567.ucarecd.net/`;
    /// a trailing slash is optional) and a file UUID as text. Errors on a base that is not an
    /// http(s) URL or on a malformed UUID.
    pub fn new(base: &str, uuid: &str) -> Result<Self> {
        let uuid = parse_uuid(uuid)?;
        Self::from_parts(uuid, base)
    }

    /// A file URL from an already parsed UUID and a CDN base (for instance the project's
    /// CDN base from the configuration).
    pub fn from_parts(uuid: Uuid, base: impl AsRef<str>) -> Result<Self> {
        Ok(Self::on_base(uuid, normalize_base(base.as_ref())?))
    }

    /// A file URL on a base that [`normalize_base`] has already checked.
    pub(crate) fn on_base(uuid: Uuid, base: String) -> Self {
        Self {
            base,
            path: format!("{uuid}/"),
            ops: String::new(),
            filename: None,
            limit: DEFAULT_DIMENSION_LIMIT,
        }
    }

    fn op(mut self, op: impl fmt::Display) -> Self {
        self.ops.push_str(&format!("-/{op}/"));
        self
    }

    /// `-/<name>/<args>/` for an operation without a typed method here (e.g. one the URL
    /// API added later). `name` must be lowercase letters, digits and `_`; `args` (may be
    /// empty, `/`-separated) must not hold whitespace, `?`, `#` or `-/` (which would start
    /// another operation). Prefer the typed methods: they check the values.
    pub fn operation(self, name: &str, args: &str) -> Result<Self> {
        let name_ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !name_ok {
            return Err(invalid(format!(
                "operation name `{name}` must be lowercase letters, digits and `_`"
            )));
        }
        let args = args.trim_matches('/');
        if args.contains("-/") || args.chars().any(|c| c.is_whitespace() || c == '?' || c == '#') {
            return Err(invalid(format!(
                "arguments `{args}` of `{name}` must not hold whitespace, `?`, `#` or `-/`"
            )));
        }
        Ok(if args.is_empty() {
            self.op(name)
        } else {
            self.op(format!("{name}/{args}"))
        })
    }

    /// Sets the largest side (px) the geometry operations added after this call accept:
    /// [`DEFAULT_DIMENSION_LIMIT`] unless the project has raised output limits. Errors
    /// outside 1–[`MAX_DIMENSION_LIMIT`].
    ///
    /// ```
    /// use uploadcare::cdn::url::FileUrl;
    /// let url = FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?;
    /// assert!(url.clone().resize_width(8000).is_err());
    /// assert!(url.dimension_limit(8192)?.resize_width(8000).is_ok());
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn dimension_limit(mut self, px: u32) -> Result<Self> {
        check_side("dimension limit", px, MAX_DIMENSION_LIMIT)?;
        self.limit = px;
        Ok(self)
    }

    /// A file name after the operations (percent-encoded; no `/`).
    pub fn filename(mut self, name: &str) -> Result<Self> {
        self.filename = Some(check_filename(name)?);
        Ok(self)
    }
}

/// A built CDN URL split the way a signer needs it: the base, and the path after it. Every
/// URL builder here implements it; [`Display`](fmt::Display) renders `base` + `path`.
pub trait CdnPath: fmt::Display {
    /// The CDN base, without a trailing slash (`https://1s4oyld5dc.ucarecd.net`).
    fn base(&self) -> &str;
    /// The path after the base, starting with `/` (`/<uuid>/-/resize/640x/photo.jpg`).
    fn path(&self) -> String;
}

impl CdnPath for FileUrl {
    fn base(&self) -> &str {
        &self.base
    }

    fn path(&self) -> String {
        let name = self.filename.as_deref().unwrap_or("");
        format!("/{}{}{name}", self.path, self.ops)
    }
}

impl fmt::Display for FileUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, CdnPath::path(self))
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn videoframe_timestamps_follow_the_url_api() {
        for good in [
            "00:00:05",
            "00:01:23.500",
            "01:00:00",
            "99:59:59.9",
            "30s",
            "30.5s",
            "0s",
        ] {
            assert!(check_video_timestamp(good).is_ok(), "{good}");
        }
        for bad in [
            "0:00:05",
            "00:05",
            "00:60:00",
            "00:00:60",
            "00:00:05.1234",
            "00:00:05.",
            "30",
            "s",
            "-1s",
            "1.s",
            "30.5",
            "1h",
        ] {
            assert!(check_video_timestamp(bad).is_err(), "{bad}");
        }
        let file = || FileUrl::new("https://ucarecdn.com/", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1").unwrap();
        assert_eq!(
            file().videoframe("5s").unwrap().json().to_string(),
            "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/videoframe/5s/-/json/"
        );
        assert_eq!(
            file()
                .videoframe_at(std::time::Duration::from_millis(12_500))
                .unwrap()
                .to_string(),
            "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/videoframe/12.5s/"
        );
        assert!(
            file().preview_default().videoframe("5s").is_err(),
            "after an operation"
        );
    }

    use super::conversions::check_video_time;
    use super::*;

    const U: &str = "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1";

    #[test]
    fn base_is_normalized() {
        let a = FileUrl::new("https://ucarecdn.com", U).unwrap().to_string();
        let b = FileUrl::new("https://ucarecdn.com///", U).unwrap().to_string();
        assert_eq!(a, b);
        assert!(FileUrl::new("ucarecdn.com", U).is_err());
        assert!(FileUrl::new("https://", U).is_err());
    }

    #[test]
    fn video_times() {
        assert!(check_video_time("t", "0:00:10.500").is_ok());
        assert!(check_video_time("t", "01:30").is_ok());
        assert!(check_video_time("t", "15").is_ok());
        assert!(check_video_time("t", "1:75").is_err());
        assert!(check_video_time("t", "abc").is_err());
        assert!(check_video_time("t", "10.").is_err());
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_segment("a b/ü.jpg"), "a%20b%2F%C3%BC.jpg");
    }
}
