//! Compression and format operations of [`FileUrl`]: output format and quality, progressive
//! JPEG, metadata stripping, colour profiles, SVG rasterization and `gif2video`.

use super::{yes_no, FileUrl, Format, Gif2VideoFormat, Quality, Srgb, StripMeta};

impl FileUrl {
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
}
