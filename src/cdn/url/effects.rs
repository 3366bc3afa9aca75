//! Colour, definition and effect operations of [`FileUrl`]: grayscale, invert, enhance, the
//! colour adjustments, photo filters, blur (whole image, regions, faces, unsharp masking) and
//! sharpening, each with the value range the URL API accepts.

use super::{check_percent, check_range, ColorAdjustment, FileUrl, Filter, Length};
use crate::Result;

impl FileUrl {
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
}
