//! The values the URL API's operations take: lengths (pixels or percent), alignments and
//! `scale_crop` modes, the overlay source, and the keyword enums (formats, qualities, filters,
//! colour adjustments, text styles, …) that [`keyword_enum!`] defines with their keyword,
//! `ALL`, `Display` and `FromStr`.

use std::fmt;

use uuid::Uuid;

use super::{check_percent, check_side};
use crate::Result;

/// Defines a keyword enum: the variants with the keyword each renders as, `ALL`, `as_str`,
/// `Display` and `FromStr` (which names the accepted keywords on a miss).
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
        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
        impl std::str::FromStr for $name {
            type Err = $crate::Error;
            /// Parses the keyword as the URL writes it;
            /// [`Error::InvalidInput`](crate::Error::InvalidInput) naming the accepted ones otherwise.
            fn from_str(text: &str) -> $crate::Result<Self> {
                match text {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::cdn::url::invalid(format!(
                        "`{text}` is not one of: {}",
                        [$($text),+].join(", ")
                    ))),
                }
            }
        }
    };
}
pub(super) use keyword_enum;

/// A length in pixels or in percent of the image, as the URL API writes it (`300` or `50p`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Length {
    /// Pixels.
    Px(u32),
    /// Percent, 0–100 (written with the `p` suffix).
    Percent(u8),
}

impl Length {
    pub(super) fn check(self, what: &str, max_px: u32) -> Result<Self> {
        match self {
            Length::Px(px) => check_side(what, px, max_px)?,
            Length::Percent(p) => check_percent(what, p)?,
        }
        Ok(self)
    }
    pub(super) fn check_offset(self, what: &str) -> Result<Self> {
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
    pub(super) fn check(self) -> Result<Self> {
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
    /// Video formats of [`FileUrl::gif2video`](super::FileUrl::gif2video).
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
