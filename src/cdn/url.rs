//! Typed CDN URLs: files with processing operations, groups, and the conversion paths the
//! REST conversion calls take.
//!
//! Every builder renders with [`Display`](std::fmt::Display). Operations that take a value
//! the service would refuse (a dimension over its cap, a percentage over 100, a colour that
//! is not hex, …) check it **in the method** and return
//! [`Error::InvalidInput`](crate::Error::InvalidInput); so a built value always renders a
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

/// A length in pixels or in percent of the image, as the URL API writes it (`300` or `50p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Pixels.
    Px(u32),
    /// Percent, 0–100 (written with the `p` suffix).
    Percent(u8),
}

impl Length {
    fn check(self, what: &str, max_px: u32) -> Result<Self> {
        match self {
            Length::Px(px) => check_side(what, px, max_px)?,
            Length::Percent(p) => check_percent(what, p)?,
        }
        Ok(self)
    }
    fn check_offset(self, what: &str) -> Result<Self> {
        if let Length::Percent(p) = self {
            check_percent(what, p)?;
        }
        Ok(self)
    }
}

impl fmt::Display for Length {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Length::Px(v) => write!(f, "{v}"),
            Length::Percent(v) => write!(f, "{v}p"),
        }
    }
}

/// Where a crop, overlay or rectangle sits: a keyword or an `x,y` offset from the top left.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    /// `center`.
    Center,
    /// `top`.
    Top,
    /// `bottom`.
    Bottom,
    /// `left`.
    Left,
    /// `right`.
    Right,
    /// An `x,y` offset (`10,20` or `50p,50p`).
    Offset(Length, Length),
}

impl Alignment {
    fn check(self) -> Result<Self> {
        if let Alignment::Offset(x, y) = self {
            x.check_offset("offset x")?;
            y.check_offset("offset y")?;
        }
        Ok(self)
    }
}

impl fmt::Display for Alignment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Alignment::Center => f.write_str("center"),
            Alignment::Top => f.write_str("top"),
            Alignment::Bottom => f.write_str("bottom"),
            Alignment::Left => f.write_str("left"),
            Alignment::Right => f.write_str("right"),
            Alignment::Offset(x, y) => write!(f, "{x},{y}"),
        }
    }
}

/// How `-/scale_crop/` picks the part to keep.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScaleCropMode {
    /// `center`.
    Center,
    /// `smart`: content-aware (faces, objects, corner points).
    Smart,
    /// `smart_faces_objects`.
    SmartFacesObjects,
    /// `smart_faces_points`.
    SmartFacesPoints,
    /// `smart_objects_faces_points`.
    SmartObjectsFacesPoints,
    /// `smart_objects_faces`.
    SmartObjectsFaces,
    /// `smart_objects_points`.
    SmartObjectsPoints,
    /// `smart_points`.
    SmartPoints,
    /// `smart_objects`.
    SmartObjects,
    /// `smart_faces`.
    SmartFaces,
    /// A fixed alignment or offset.
    Align(Alignment),
}

impl fmt::Display for ScaleCropMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ScaleCropMode::Center => "center",
            ScaleCropMode::Smart => "smart",
            ScaleCropMode::SmartFacesObjects => "smart_faces_objects",
            ScaleCropMode::SmartFacesPoints => "smart_faces_points",
            ScaleCropMode::SmartObjectsFacesPoints => "smart_objects_faces_points",
            ScaleCropMode::SmartObjectsFaces => "smart_objects_faces",
            ScaleCropMode::SmartObjectsPoints => "smart_objects_points",
            ScaleCropMode::SmartPoints => "smart_points",
            ScaleCropMode::SmartObjects => "smart_objects",
            ScaleCropMode::SmartFaces => "smart_faces",
            ScaleCropMode::Align(a) => return a.fmt(f),
        };
        f.write_str(s)
    }
}

macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant),+
        }
        impl $name {
            /// Every value, in the order of the reference.
            pub const ALL: &'static [Self] = &[$($name::$variant),+];

            /// The keyword as it appears in the URL.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }
        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = Error;
            /// Parses the keyword as the URL writes it;
            /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the accepted ones otherwise.
            fn from_str(text: &str) -> Result<Self> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err(invalid(format!(
                        "`{text}` is not one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}

keyword_enum! {
    /// `-/stretch/` modes: what to do when the source is smaller than the requested size.
    Stretch { /// `on`: upscale.
        On => "on", /// `off`: keep the size.
        Off => "off", /// `fill`: keep the size and fill the rest with the `setfill` colour.
        Fill => "fill" }
}

keyword_enum! {
    /// Output formats of `-/format/`.
    Format { /// `auto`: chosen from the browser's `Accept` header.
        Auto => "auto", /// `jpeg`.
        Jpeg => "jpeg", /// `png`.
        Png => "png", /// `webp`.
        Webp => "webp", /// `preserve`: the original format if JPEG or PNG.
        Preserve => "preserve" }
}

keyword_enum! {
    /// Compression levels of `-/quality/`.
    Quality { /// `normal`.
        Normal => "normal", /// `better`.
        Better => "better", /// `best`.
        Best => "best", /// `lighter`.
        Lighter => "lighter", /// `lightest`.
        Lightest => "lightest", /// `smart`: adaptive.
        Smart => "smart", /// `smart_retina`: adaptive, for high-density screens.
        SmartRetina => "smart_retina" }
}

keyword_enum! {
    /// Video formats of [`FileUrl::gif2video`].
    Gif2VideoFormat { /// `mp4`.
        Mp4 => "mp4", /// `webm`.
        Webm => "webm" }
}

keyword_enum! {
    /// What `-/strip_meta/` removes.
    StripMeta { /// `all`.
        All => "all", /// `none`.
        None => "none", /// `sensitive`: location and other personal data.
        Sensitive => "sensitive" }
}

keyword_enum! {
    /// Horizontal text alignment of `-/text_align/`.
    TextAlign { /// `left`.
        Left => "left", /// `center`.
        Center => "center", /// `right`.
        Right => "right" }
}

keyword_enum! {
    /// Vertical text alignment of `-/text_align/`.
    TextVerticalAlign { /// `top`.
        Top => "top", /// `center`.
        Center => "center", /// `bottom`.
        Bottom => "bottom" }
}

keyword_enum! {
    /// Background modes of `-/text_box/`.
    TextBox { /// `none`: no background.
        None => "none", /// `fit`: a box around the text.
        Fit => "fit", /// `line`: a band per line.
        Line => "line", /// `fill`: the whole text area.
        Fill => "fill" }
}

keyword_enum! {
    /// `-/srgb/` modes.
    Srgb { /// `fast`.
        Fast => "fast", /// `icc`.
        Icc => "icc", /// `keep_profile`.
        KeepProfile => "keep_profile" }
}

keyword_enum! {
    /// Colour adjustments, each with its own value range (see [`ColorAdjustment::range`]).
    ColorAdjustment { /// `brightness`, −100…100.
        Brightness => "brightness", /// `exposure`, −500…500.
        Exposure => "exposure", /// `gamma`, 0…1000 (100 leaves the image unchanged).
        Gamma => "gamma", /// `contrast`, −100…500.
        Contrast => "contrast", /// `saturation`, −100…500.
        Saturation => "saturation", /// `vibrance`, −100…500.
        Vibrance => "vibrance", /// `warmth`, −100…100.
        Warmth => "warmth" }
}

impl ColorAdjustment {
    /// The accepted value range, inclusive.
    pub fn range(self) -> (i32, i32) {
        match self {
            ColorAdjustment::Brightness | ColorAdjustment::Warmth => (-100, 100),
            ColorAdjustment::Exposure => (-500, 500),
            ColorAdjustment::Gamma => (0, 1000),
            ColorAdjustment::Contrast | ColorAdjustment::Saturation | ColorAdjustment::Vibrance => {
                (-100, 500)
            }
        }
    }
}

keyword_enum! {
    /// Photo filters of `-/filter/`.
    Filter { /// `adaris`.
        Adaris => "adaris", /// `briaril`.
        Briaril => "briaril", /// `calarel`.
        Calarel => "calarel", /// `carris`.
        Carris => "carris", /// `cynarel`.
        Cynarel => "cynarel", /// `cyren`.
        Cyren => "cyren", /// `elmet`.
        Elmet => "elmet", /// `elonni`.
        Elonni => "elonni", /// `enzana`.
        Enzana => "enzana", /// `erydark`.
        Erydark => "erydark", /// `fenralan`.
        Fenralan => "fenralan", /// `ferand`.
        Ferand => "ferand", /// `galen`.
        Galen => "galen", /// `gavin`.
        Gavin => "gavin", /// `gethriel`.
        Gethriel => "gethriel", /// `iorill`.
        Iorill => "iorill", /// `iothari`.
        Iothari => "iothari", /// `iselva`.
        Iselva => "iselva", /// `jadis`.
        Jadis => "jadis", /// `lavra`.
        Lavra => "lavra", /// `misiara`.
        Misiara => "misiara", /// `namala`.
        Namala => "namala", /// `nerion`.
        Nerion => "nerion", /// `nethari`.
        Nethari => "nethari", /// `pamaya`.
        Pamaya => "pamaya", /// `sarnar`.
        Sarnar => "sarnar", /// `sedis`.
        Sedis => "sedis", /// `sewen`.
        Sewen => "sewen", /// `sorahel`.
        Sorahel => "sorahel", /// `sorlen`.
        Sorlen => "sorlen", /// `tarian`.
        Tarian => "tarian", /// `thellassan`.
        Thellassan => "thellassan", /// `varriel`.
        Varriel => "varriel", /// `varven`.
        Varven => "varven", /// `vevera`.
        Vevera => "vevera", /// `virkas`.
        Virkas => "virkas", /// `yedis`.
        Yedis => "yedis", /// `yllara`.
        Yllara => "yllara", /// `zatvel`.
        Zatvel => "zatvel", /// `zevcen`.
        Zevcen => "zevcen" }
}

/// The image an `-/overlay/` layers on top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OverlaySource {
    /// Another image of the account, by UUID.
    File(Uuid),
    /// The image itself (`self`), as processed so far.
    SelfImage,
}

impl fmt::Display for OverlaySource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OverlaySource::File(u) => u.fmt(f),
            OverlaySource::SelfImage => f.write_str("self"),
        }
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

    /// `-/preview/` without size: downscale to fit the service's default box (2048×2048).
    pub fn preview_default(self) -> Self {
        self.op("preview")
    }

    /// `-/preview/<w>x<h>/`: downscale proportionally to fit `w`×`h` (never enlarges; each
    /// side 1 px up to the [dimension limit](FileUrl::dimension_limit)).
    pub fn preview(self, width: u32, height: u32) -> Result<Self> {
        check_side("preview", width, self.limit)?;
        check_side("preview", height, self.limit)?;
        Ok(self.op(format_args!("preview/{width}x{height}")))
    }

    /// `-/resize/<w>x<h>/`: resize to exactly `w`×`h` (each side 1 px up to the dimension limit).
    pub fn resize(self, width: u32, height: u32) -> Result<Self> {
        check_side("resize", width, self.limit)?;
        check_side("resize", height, self.limit)?;
        Ok(self.op(format_args!("resize/{width}x{height}")))
    }

    /// `-/resize/<w>x/`: resize to width `w` (1 px up to the dimension limit), keeping proportions.
    pub fn resize_width(self, width: u32) -> Result<Self> {
        check_side("resize", width, self.limit)?;
        Ok(self.op(format_args!("resize/{width}x")))
    }

    /// `-/resize/x<h>/`: resize to height `h` (1 px up to the dimension limit), keeping proportions.
    pub fn resize_height(self, height: u32) -> Result<Self> {
        check_side("resize", height, self.limit)?;
        Ok(self.op(format_args!("resize/x{height}")))
    }

    /// `-/smart_resize/<w>x<h>/`: content-aware resize to `w`×`h` (each side 1 px up to the dimension limit).
    pub fn smart_resize(self, width: u32, height: u32) -> Result<Self> {
        check_side("smart_resize", width, self.limit)?;
        check_side("smart_resize", height, self.limit)?;
        Ok(self.op(format_args!("smart_resize/{width}x{height}")))
    }

    /// `-/crop/<w>x<h>/` or `-/crop/<w>x<h>/<alignment>/`: cut a `w`×`h` area (pixels up
    /// to the dimension limit, or percent 0–100) at the top left or at `alignment`.
    pub fn crop(self, width: Length, height: Length, alignment: Option<Alignment>) -> Result<Self> {
        width.check("crop", self.limit)?;
        height.check("crop", self.limit)?;
        Ok(match alignment {
            Some(a) => {
                let a = a.check()?;
                self.op(format_args!("crop/{width}x{height}/{a}"))
            }
            None => self.op(format_args!("crop/{width}x{height}")),
        })
    }

    /// `-/crop/<w>:<h>/<alignment>/`: cut the largest area of aspect ratio `w`:`h`.
    pub fn crop_ratio(self, width: u32, height: u32, alignment: Alignment) -> Result<Self> {
        if width == 0 || height == 0 {
            return Err(invalid("crop: aspect ratio terms must be positive"));
        }
        let a = alignment.check()?;
        Ok(self.op(format_args!("crop/{width}:{height}/{a}")))
    }

    /// `-/crop/face/`: crop to the detected face.
    pub fn crop_face(self) -> Self {
        self.op("crop/face")
    }

    /// `-/scale_crop/<w>x<h>/` or `-/scale_crop/<w>x<h>/<mode>/`: scale to cover `w`×`h`
    /// (each side 1 px up to the dimension limit) and crop the rest.
    pub fn scale_crop(self, width: u32, height: u32, mode: Option<ScaleCropMode>) -> Result<Self> {
        check_side("scale_crop", width, self.limit)?;
        check_side("scale_crop", height, self.limit)?;
        Ok(match mode {
            Some(m) => {
                if let ScaleCropMode::Align(a) = m {
                    a.check()?;
                }
                self.op(format_args!("scale_crop/{width}x{height}/{m}"))
            }
            None => self.op(format_args!("scale_crop/{width}x{height}")),
        })
    }

    /// `-/stretch/<mode>/`.
    pub fn stretch(self, mode: Stretch) -> Self {
        self.op(format_args!("stretch/{mode}"))
    }

    /// `-/setfill/<colour>/`: background colour as hex (`ece3d2`, a leading `#` is dropped;
    /// 3, 4, 6 or 8 digits).
    pub fn setfill(self, color: &str) -> Result<Self> {
        let c = check_hex_color(color)?;
        Ok(self.op(format_args!("setfill/{c}")))
    }

    /// `-/border_radius/<radius>/`: round the corners (pixels, or percent 0–100).
    pub fn border_radius(self, radius: Length) -> Result<Self> {
        let radius = radius.check_offset("border_radius")?;
        Ok(self.op(format_args!("border_radius/{radius}")))
    }

    /// `-/border_radius/<r1,r2,…>/[<v1,v2,…>/]`: corner radii CSS-style (1–4 values:
    /// all corners; top-left+bottom-right and top-right+bottom-left; …; each corner from the
    /// top left clockwise), with optional vertical radii for elliptical corners.
    ///
    /// ```
    /// use uploadcare::cdn::url::{FileUrl, Length::{Percent, Px}};
    /// let url = FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .border_radius_corners(&[Px(10), Percent(20)], Some(&[Px(5)]))?;
    /// assert!(url.to_string().ends_with("/-/border_radius/10,20p/5/"));
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn border_radius_corners(self, radii: &[Length], vertical: Option<&[Length]>) -> Result<Self> {
        fn list(what: &str, radii: &[Length]) -> Result<String> {
            if radii.is_empty() || radii.len() > 4 {
                return Err(invalid(format!(
                    "border_radius: {what} takes 1 to 4 radii, got {}",
                    radii.len()
                )));
            }
            let parts: Vec<String> = radii
                .iter()
                .map(|r| r.check_offset("border_radius").map(|r| r.to_string()))
                .collect::<Result<_>>()?;
            Ok(parts.join(","))
        }
        let horizontal = list("the horizontal list", radii)?;
        Ok(match vertical {
            Some(v) => {
                let v = list("the vertical list", v)?;
                self.op(format_args!("border_radius/{horizontal}/{v}"))
            }
            None => self.op(format_args!("border_radius/{horizontal}")),
        })
    }

    /// `-/format/<format>/`.
    pub fn format(self, format: Format) -> Self {
        self.op(format_args!("format/{format}"))
    }

    /// `-/quality/<quality>/`.
    pub fn quality(self, quality: Quality) -> Self {
        self.op(format_args!("quality/{quality}"))
    }

    /// `-/progressive/yes|no/`.
    pub fn progressive(self, on: bool) -> Self {
        self.op(format_args!("progressive/{}", yes_no(on)))
    }

    /// `-/strip_meta/<what>/`.
    pub fn strip_meta(self, what: StripMeta) -> Self {
        self.op(format_args!("strip_meta/{what}"))
    }

    /// `-/autorotate/yes|no/`: follow the EXIF orientation or not.
    pub fn autorotate(self, on: bool) -> Self {
        self.op(format_args!("autorotate/{}", yes_no(on)))
    }

    /// `-/rotate/<angle>/`: rotate counterclockwise by a multiple of 90 degrees (0–359).
    pub fn rotate(self, angle: u16) -> Result<Self> {
        if !angle.is_multiple_of(90) || angle >= 360 {
            return Err(invalid(format!(
                "rotate: angle must be 0, 90, 180 or 270, got {angle}"
            )));
        }
        Ok(self.op(format_args!("rotate/{angle}")))
    }

    /// `-/flip/`: mirror vertically.
    pub fn flip(self) -> Self {
        self.op("flip")
    }

    /// `-/mirror/`: mirror horizontally.
    pub fn mirror(self) -> Self {
        self.op("mirror")
    }

    /// `-/grayscale/`.
    pub fn grayscale(self) -> Self {
        self.op("grayscale")
    }

    /// `-/invert/`.
    pub fn invert(self) -> Self {
        self.op("invert")
    }

    /// `-/enhance/` or `-/enhance/<strength>/` (0–100).
    pub fn enhance(self, strength: Option<u8>) -> Result<Self> {
        Ok(match strength {
            Some(s) => {
                check_percent("enhance strength", s)?;
                self.op(format_args!("enhance/{s}"))
            }
            None => self.op("enhance"),
        })
    }

    /// `-/<adjustment>/<value>/` with the range of [`ColorAdjustment::range`].
    pub fn adjust_color(self, adjustment: ColorAdjustment, value: i32) -> Result<Self> {
        let (min, max) = adjustment.range();
        check_range(adjustment.as_str(), value, min, max)?;
        Ok(self.op(format_args!("{adjustment}/{value}")))
    }

    /// `-/filter/<name>/` or `-/filter/<name>/<amount>/` (amount −100…200, 100 is the
    /// filter as designed).
    pub fn filter(self, filter: Filter, amount: Option<i32>) -> Result<Self> {
        Ok(match amount {
            Some(a) => {
                check_range("filter amount", a, -100, 200)?;
                self.op(format_args!("filter/{filter}/{a}"))
            }
            None => self.op(format_args!("filter/{filter}")),
        })
    }

    /// `-/blur/` or `-/blur/<strength>/` (0–5000).
    pub fn blur(self, strength: Option<u32>) -> Result<Self> {
        Ok(match strength {
            Some(s) => {
                check_range("blur strength", s.min(i32::MAX as u32) as i32, 0, 5000)?;
                self.op(format_args!("blur/{s}"))
            }
            None => self.op("blur"),
        })
    }

    /// `-/blur/<strength>/<amount>/`: unsharp masking — the blurred copy (strength 0–5000)
    /// subtracted with `amount` −200…100 (100 is the service's default; negative values
    /// sharpen).
    pub fn unsharp(self, strength: u32, amount: i32) -> Result<Self> {
        check_range("blur strength", strength.min(i32::MAX as u32) as i32, 0, 5000)?;
        check_range("unsharp amount", amount, -200, 100)?;
        Ok(self.op(format_args!("blur/{strength}/{amount}")))
    }

    /// `-/blur_region/<w>x<h>/<x>,<y>/` or with `/<strength>/` (0–5000): blur one area.
    pub fn blur_region(
        self,
        width: Length,
        height: Length,
        x: Length,
        y: Length,
        strength: Option<u32>,
    ) -> Result<Self> {
        width.check("blur_region", u32::MAX)?;
        height.check("blur_region", u32::MAX)?;
        x.check_offset("blur_region x")?;
        y.check_offset("blur_region y")?;
        Ok(match strength {
            Some(s) => {
                check_range("blur strength", s.min(i32::MAX as u32) as i32, 0, 5000)?;
                self.op(format_args!("blur_region/{width}x{height}/{x},{y}/{s}"))
            }
            None => self.op(format_args!("blur_region/{width}x{height}/{x},{y}")),
        })
    }

    /// `-/blur_region/faces/` or with `/<strength>/` (0–5000): blur the detected faces.
    pub fn blur_faces(self, strength: Option<u32>) -> Result<Self> {
        Ok(match strength {
            Some(s) => {
                check_range("blur strength", s.min(i32::MAX as u32) as i32, 0, 5000)?;
                self.op(format_args!("blur_region/faces/{s}"))
            }
            None => self.op("blur_region/faces"),
        })
    }

    /// `-/sharp/` or `-/sharp/<strength>/` (0–20).
    pub fn sharp(self, strength: Option<u8>) -> Result<Self> {
        Ok(match strength {
            Some(s) => {
                check_range("sharp strength", s.into(), 0, 20)?;
                self.op(format_args!("sharp/{s}"))
            }
            None => self.op("sharp"),
        })
    }

    /// `-/zoom_objects/<zoom>/` (1–100): how much of the frame detected objects fill.
    pub fn zoom_objects(self, zoom: u8) -> Result<Self> {
        check_range("zoom_objects", zoom.into(), 1, 100)?;
        Ok(self.op(format_args!("zoom_objects/{zoom}")))
    }

    /// `-/overlay/<uuid|self>/`: layer an image at full size in the top left corner.
    pub fn overlay(self, source: OverlaySource) -> Self {
        self.op(format_args!("overlay/{source}"))
    }

    /// `-/overlay/<uuid|self>/<w>x<h>/<position>/<opacity>p/`: layer an image scaled to fit
    /// `w`×`h`, at `position`, with `opacity` 0–100 %.
    pub fn overlay_placed(
        self,
        source: OverlaySource,
        width: Length,
        height: Length,
        position: Alignment,
        opacity: u8,
    ) -> Result<Self> {
        width.check("overlay", u32::MAX)?;
        height.check("overlay", u32::MAX)?;
        let position = position.check()?;
        check_percent("overlay opacity", opacity)?;
        Ok(self.op(format_args!(
            "overlay/{source}/{width}x{height}/{position}/{opacity}p"
        )))
    }

    /// `-/overlay/<uuid|self>/[<w>x<h>/][<position>/][<opacity>p/]`: the overlay with only
    /// the parameters given (each is optional; the URL keeps their order).
    pub fn overlay_with(
        self,
        source: OverlaySource,
        size: Option<(Length, Length)>,
        position: Option<Alignment>,
        opacity: Option<u8>,
    ) -> Result<Self> {
        let mut op = format!("overlay/{source}");
        if let Some((w, h)) = size {
            w.check("overlay", u32::MAX)?;
            h.check("overlay", u32::MAX)?;
            op.push_str(&format!("/{w}x{h}"));
        }
        if let Some(p) = position {
            op.push_str(&format!("/{}", p.check()?));
        }
        if let Some(o) = opacity {
            check_percent("overlay opacity", o)?;
            op.push_str(&format!("/{o}p"));
        }
        Ok(self.op(op))
    }

    /// `-/text/<w>x<h>/<position>/<text>/`: text overlay in a `w`×`h` box (the feature must
    /// be enabled for the project). The text is escaped the URL API's way — `~` as `~~`,
    /// `/` as `~s`, a line break as `~n` — then percent-encoded. Style it with
    /// [`FileUrl::font`], [`FileUrl::text_align`] and [`FileUrl::text_box`] *before* this call.
    ///
    /// ```
    /// use uploadcare::cdn::url::{Alignment, FileUrl, Length::Percent};
    /// let url = FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .text(Percent(50), Percent(20), Alignment::Center, "50/50 ~ deal\nnow")?;
    /// assert!(url.to_string().ends_with("/-/text/50px20p/center/50~s50%20~~%20deal~nnow/"));
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn text(self, width: Length, height: Length, position: Alignment, text: &str) -> Result<Self> {
        width.check("text", u32::MAX)?;
        height.check("text", u32::MAX)?;
        let position = position.check()?;
        if text.is_empty() {
            return Err(invalid("text overlay: text must not be empty"));
        }
        Ok(self.op(format_args!(
            "text/{width}x{height}/{position}/{}",
            escape_text(text)
        )))
    }

    /// `-/font/<size>/<colour>/`: font size (px, 1–1000) and colour (hex) of the text overlays
    /// that follow. (The 2025 font families, weights and styles go through
    /// [`FileUrl::operation`] until their parameter order is documented.)
    pub fn font(self, size: u32, color: &str) -> Result<Self> {
        if size == 0 || size > 1000 {
            return Err(invalid(format!("font: size must be 1 to 1000 px, got {size}")));
        }
        let c = check_hex_color(color)?;
        Ok(self.op(format_args!("font/{size}/{c}")))
    }

    /// `-/text_align/<horizontal>/<vertical>/`: where the text sits in its box.
    pub fn text_align(self, horizontal: TextAlign, vertical: TextVerticalAlign) -> Self {
        self.op(format_args!("text_align/{horizontal}/{vertical}"))
    }

    /// `-/text_box/<mode>/[<colour>/][<padding>/]`: the background behind the text overlays
    /// that follow (colour as hex, padding in px).
    pub fn text_box(self, mode: TextBox, color: Option<&str>, padding: Option<u32>) -> Result<Self> {
        let mut op = format!("text_box/{mode}");
        if let Some(c) = color {
            op.push_str(&format!("/{}", check_hex_color(c)?));
        }
        if let Some(p) = padding {
            op.push_str(&format!("/{p}"));
        }
        Ok(self.op(op))
    }

    /// `-/rect/<colour>/<w>x<h>/<position>/`: a solid rectangle.
    pub fn rect(self, color: &str, width: Length, height: Length, position: Alignment) -> Result<Self> {
        let c = check_hex_color(color)?;
        width.check("rect", u32::MAX)?;
        height.check("rect", u32::MAX)?;
        let position = position.check()?;
        Ok(self.op(format_args!("rect/{c}/{width}x{height}/{position}")))
    }

    /// `-/rasterize/`: render an SVG to a raster image (other operations then apply).
    pub fn rasterize(self) -> Self {
        self.op("rasterize")
    }

    /// `-/srgb/<mode>/`.
    pub fn srgb(self, mode: Srgb) -> Self {
        self.op(format_args!("srgb/{mode}"))
    }

    /// `-/max_icc_size/<kilobytes>/`: keep ICC profiles up to this size.
    pub fn max_icc_size(self, kilobytes: u32) -> Self {
        self.op(format_args!("max_icc_size/{kilobytes}"))
    }

    /// `gif2video/` (a bare segment, without `-/`) then optional `-/format/<mp4|webm>/` and
    /// `-/quality/<q>/`: deliver an animated image (GIF, animated WebP/HEIC) as video. Use it
    /// right after the constructor, in place of image operations.
    pub fn gif2video(mut self, format: Option<Gif2VideoFormat>, quality: Option<Quality>) -> Self {
        self.ops.push_str("gif2video/");
        if let Some(f) = format {
            self = self.op(format_args!("format/{f}"));
        }
        if let Some(q) = quality {
            self = self.op(format_args!("quality/{q}"));
        }
        self
    }

    /// `-/inline/yes|no/`: show in the browser, or download.
    pub fn inline(self, inline: bool) -> Self {
        self.op(format_args!("inline/{}", yes_no(inline)))
    }

    /// `-/json/`: image information instead of the image (end of the chain).
    pub fn json(self) -> Self {
        self.op("json")
    }

    /// `-/main_colors/[<n>/]`: the image's main colours as JSON ([`crate::cdn::info::MainColors`]),
    /// `n` 1–64 (the service's default is 4). It must be the last operation.
    pub fn main_colors(self, n: Option<u8>) -> Result<Self> {
        Ok(match n {
            Some(n) => {
                check_range("main_colors", n.into(), 1, 64)?;
                self.op(format_args!("main_colors/{n}"))
            }
            None => self.op("main_colors"),
        })
    }

    /// `<uuid>/detect_faces/`: the image's info with the faces found, as JSON
    /// ([`crate::cdn::info::FaceDetection`]). It takes no other operation and no file name:
    /// an error when the URL has any.
    pub fn detect_faces(mut self) -> Result<Self> {
        if !self.ops.is_empty() || self.filename.is_some() {
            return Err(invalid("detect_faces takes no other operation and no file name"));
        }
        self.ops.push_str("detect_faces/");
        Ok(self)
    }

    /// A file name after the operations (percent-encoded; no `/`).
    pub fn filename(mut self, name: &str) -> Result<Self> {
        self.filename = Some(check_filename(name)?);
        Ok(self)
    }
}

/// The URL API's escaping of overlay text: `~` → `~~`, `/` → `~s`, line break → `~n`, then
/// percent-encoding of everything outside the unreserved set (`~` stays).
fn escape_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '~' => escaped.push_str("~~"),
            '/' => escaped.push_str("~s"),
            '\n' => escaped.push_str("~n"),
            '\r' => {}
            c => escaped.push(c),
        }
    }
    escape_segment(&escaped)
}

fn yes_no(on: bool) -> &'static str {
    if on {
        "yes"
    } else {
        "no"
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

/// A CDN URL of a file group: `<base>/<uuid>~<count>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupUrl {
    base: String,
    id: String,
    count: u32,
}

impl GroupUrl {
    /// A group URL from a CDN base and a group id (`<uuid>~<count>`, count ≥ 1).
    pub fn new(base: &str, group_id: &str) -> Result<Self> {
        let base = normalize_base(base)?;
        let bad = || invalid(format!("not a group id (`<uuid>~<count>`): `{group_id}`"));
        let (uuid, count) = group_id.trim().split_once('~').ok_or_else(bad)?;
        let uuid = Uuid::parse_str(uuid).map_err(|_| bad())?;
        let count: u32 = count.parse().map_err(|_| bad())?;
        if count == 0 {
            return Err(bad());
        }
        Ok(Self {
            base,
            id: format!("{uuid}~{count}"),
            count,
        })
    }

    /// The `n`-th file (0-based, below the group's count): `<group>/nth/<n>/`; file
    /// operations chain on it.
    pub fn nth(&self, n: u32) -> Result<FileUrl> {
        if n >= self.count {
            return Err(invalid(format!(
                "nth: index {n} out of a group of {}",
                self.count
            )));
        }
        Ok(FileUrl {
            base: self.base.clone(),
            path: format!("{}/nth/{n}/", self.id),
            ops: String::new(),
            filename: None,
            limit: DEFAULT_DIMENSION_LIMIT,
        })
    }

    /// The whole group as an archive: `<group>/archive/<zip|tar>/`.
    pub fn archive(&self, format: ArchiveFormat) -> GroupArchiveUrl {
        GroupArchiveUrl {
            group: self.clone(),
            format,
            filename: None,
        }
    }
}

impl CdnPath for GroupUrl {
    fn base(&self) -> &str {
        &self.base
    }

    fn path(&self) -> String {
        format!("/{}/", self.id)
    }
}

impl fmt::Display for GroupUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, CdnPath::path(self))
    }
}

keyword_enum! {
    /// Archive formats of a group download.
    ArchiveFormat { /// `zip`.
        Zip => "zip", /// `tar`.
        Tar => "tar" }
}

/// A group archive URL: `<base>/<group>/archive/<format>/[<file name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupArchiveUrl {
    group: GroupUrl,
    format: ArchiveFormat,
    filename: Option<String>,
}

impl GroupArchiveUrl {
    /// The archive's file name (percent-encoded; no `/`).
    pub fn filename(mut self, name: &str) -> Result<Self> {
        self.filename = Some(check_filename(name)?);
        Ok(self)
    }
}

impl CdnPath for GroupArchiveUrl {
    fn base(&self) -> &str {
        &self.group.base
    }

    fn path(&self) -> String {
        let name = self.filename.as_deref().unwrap_or("");
        format!("/{}/archive/{}/{name}", self.group.id, self.format)
    }
}

impl fmt::Display for GroupArchiveUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.group.base, CdnPath::path(self))
    }
}

/// The `paths` and `store` of a conversion request from typed conversion paths (shared by
/// every API version's `convert_documents` / `convert_videos`).
#[cfg_attr(not(rest), allow(dead_code))]
pub(crate) fn conversion_body<B: From<&'static str>>(
    conversions: &[impl fmt::Display],
    store: Option<bool>,
) -> (Vec<String>, Option<B>) {
    let paths = conversions.iter().map(ToString::to_string).collect();
    (paths, store.map(|s| B::from(if s { "1" } else { "0" })))
}

keyword_enum! {
    /// Target formats of document conversion.
    DocumentFormat { /// `doc`.
        Doc => "doc", /// `docx`.
        Docx => "docx", /// `xls`.
        Xls => "xls", /// `xlsx`.
        Xlsx => "xlsx", /// `odt`.
        Odt => "odt", /// `ods`.
        Ods => "ods", /// `rtf`.
        Rtf => "rtf", /// `txt`.
        Txt => "txt", /// `pdf`.
        Pdf => "pdf", /// `jpg`.
        Jpg => "jpg", /// `enhanced.jpg`: JPEG for PDFs with embedded fonts.
        EnhancedJpg => "enhanced.jpg", /// `png`.
        Png => "png" }
}

impl DocumentFormat {
    /// Whether a conversion to this format takes `-/page/<n>/`: only the image targets
    /// (`jpg`, `enhanced.jpg`, `png`) do.
    pub fn takes_page(self) -> bool {
        matches!(self, Self::Jpg | Self::EnhancedJpg | Self::Png)
    }
}

/// A document conversion path for the REST `paths` list:
/// `<uuid>/document/-/format/<format>/[-/page/<n>/]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentConversion {
    uuid: Uuid,
    format: DocumentFormat,
    page: Option<u32>,
}

impl DocumentConversion {
    /// Convert the file to `format`.
    pub fn new(uuid: Uuid, format: DocumentFormat) -> Self {
        Self {
            uuid,
            format,
            page: None,
        }
    }

    /// `-/page/<n>/`: convert only page `n` (numbered from 1, as in the reference's
    /// examples); only for image targets (`jpg`, `enhanced.jpg`, `png`). Without it a
    /// multi-page document converted to an image format comes back as a zip of pages.
    pub fn page(mut self, n: u32) -> Result<Self> {
        if !self.format.takes_page() {
            return Err(invalid(format!(
                "document page: only image targets take a page, not {}",
                self.format
            )));
        }
        if n == 0 {
            return Err(invalid("document page: pages are numbered from 1"));
        }
        self.page = Some(n);
        Ok(self)
    }
}

impl fmt::Display for DocumentConversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/document/-/format/{}/", self.uuid, self.format)?;
        if let Some(n) = self.page {
            write!(f, "-/page/{n}/")?;
        }
        Ok(())
    }
}

keyword_enum! {
    /// Target formats of video conversion.
    VideoFormat { /// `mp4`.
        Mp4 => "mp4", /// `webm`.
        Webm => "webm", /// `ogg`.
        Ogg => "ogg" }
}

keyword_enum! {
    /// How video `-/size/` fits the requested frame.
    VideoResize { /// `preserve_ratio` (the default).
        PreserveRatio => "preserve_ratio", /// `change_ratio`: stretch to the frame.
        ChangeRatio => "change_ratio", /// `scale_crop`: fill the frame and crop.
        ScaleCrop => "scale_crop", /// `add_padding`: letterbox.
        AddPadding => "add_padding" }
}

keyword_enum! {
    /// Video `-/quality/` levels.
    VideoQuality { /// `normal`.
        Normal => "normal", /// `better`.
        Better => "better", /// `best`.
        Best => "best", /// `lighter`.
        Lighter => "lighter", /// `lightest`.
        Lightest => "lightest" }
}

/// A video conversion path for the REST `paths` list:
/// `<uuid>/video/-/format/<f>/-/size/<w>x<h>/<mode>/-/quality/<q>/-/cut/<start>/<length>/-/thumbs~<n>/`,
/// each part optional and rendered in that order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoConversion {
    uuid: Uuid,
    format: Option<VideoFormat>,
    size: Option<(Option<u32>, Option<u32>, Option<VideoResize>)>,
    quality: Option<VideoQuality>,
    cut: Option<(String, String)>,
    thumbs: Option<u32>,
}

/// Largest number of thumbnails a video conversion makes.
pub const VIDEO_THUMBS_MAX: u32 = crate::limits::MAX_VIDEO_THUMBS;

fn check_video_time(what: &str, t: &str) -> Result<()> {
    // `HHH:MM:SS.sss`, `MM:SS`, `SS`, with optional fraction.
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let parts: Vec<&str> = whole.split(':').collect();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = (1..=3).contains(&parts.len())
        && parts.iter().all(|p| digits(p))
        && parts
            .iter()
            .skip(1)
            .all(|p| p.len() == 2 && p.as_bytes()[0] < b'6')
        && (frac.is_empty() || (frac.len() <= 3 && digits(frac)))
        && !(t.contains('.') && frac.is_empty());
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "video cut: {what} must look like HHH:MM:SS.sss, MM:SS or SS, got `{t}`"
        )))
    }
}

impl VideoConversion {
    /// Convert the video with the service's defaults; add parts with the methods.
    pub fn new(uuid: Uuid) -> Self {
        Self {
            uuid,
            format: None,
            size: None,
            quality: None,
            cut: None,
            thumbs: None,
        }
    }

    /// `-/format/<format>/`.
    pub fn format(mut self, format: VideoFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// `-/size/<w>x<h>/[<mode>/]`; give one side as `None` to keep proportions (`640x`,
    /// `x360`). Sides must be positive.
    pub fn size(
        mut self,
        width: Option<u32>,
        height: Option<u32>,
        mode: Option<VideoResize>,
    ) -> Result<Self> {
        if width.is_none() && height.is_none() {
            return Err(invalid("video size: give a width, a height or both"));
        }
        if width == Some(0) || height == Some(0) {
            return Err(invalid("video size: sides must be positive"));
        }
        self.size = Some((width, height, mode));
        Ok(self)
    }

    /// `-/quality/<quality>/`.
    pub fn quality(mut self, quality: VideoQuality) -> Self {
        self.quality = Some(quality);
        self
    }

    /// `-/cut/<start>/<length>/`: keep `length` from `start` (times as `HHH:MM:SS.sss`,
    /// `MM:SS` or seconds; `length` may be `end`).
    pub fn cut(mut self, start: &str, length: &str) -> Result<Self> {
        check_video_time("start", start)?;
        if length != "end" {
            check_video_time("length", length)?;
        }
        self.cut = Some((start.to_owned(), length.to_owned()));
        Ok(self)
    }

    /// `-/thumbs~<n>/`: make `n` thumbnails (1–50).
    pub fn thumbs(mut self, n: u32) -> Result<Self> {
        if n == 0 || n > VIDEO_THUMBS_MAX {
            return Err(invalid(format!(
                "video thumbs: between 1 and {VIDEO_THUMBS_MAX}, got {n}"
            )));
        }
        self.thumbs = Some(n);
        Ok(self)
    }
}

impl fmt::Display for VideoConversion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/video/", self.uuid)?;
        if let Some(fmt_) = self.format {
            write!(f, "-/format/{fmt_}/")?;
        }
        if let Some((w, h, mode)) = self.size {
            f.write_str("-/size/")?;
            if let Some(w) = w {
                write!(f, "{w}")?;
            }
            f.write_str("x")?;
            if let Some(h) = h {
                write!(f, "{h}")?;
            }
            f.write_str("/")?;
            if let Some(m) = mode {
                write!(f, "{m}/")?;
            }
        }
        if let Some(q) = self.quality {
            write!(f, "-/quality/{q}/")?;
        }
        if let Some((s, l)) = &self.cut {
            write!(f, "-/cut/{s}/{l}/")?;
        }
        if let Some(n) = self.thumbs {
            write!(f, "-/thumbs~{n}/")?;
        }
        Ok(())
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
