//! Conversion paths for the REST conversion calls: [`DocumentConversion`] and
//! [`VideoConversion`] with their target formats, resize modes and qualities, the checks of
//! video cut times and thumbnail counts, and the request body built from the paths.

use std::fmt;

use uuid::Uuid;

use super::{invalid, keyword_enum};
use crate::Result;

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

pub(super) fn check_video_time(what: &str, t: &str) -> Result<()> {
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
