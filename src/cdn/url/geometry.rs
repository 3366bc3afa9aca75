//! Resize, crop and rotation operations of [`FileUrl`]: `preview`, `resize`, `smart_resize`,
//! `crop`, `scale_crop`, `stretch` and `setfill`, rounded corners, EXIF rotation, rotation,
//! flips and `zoom_objects`. Every size is checked against the URL's dimension limit.

use super::{
    check_hex_color, check_range, check_side, invalid, yes_no, Alignment, FileUrl, Length, ScaleCropMode,
    Stretch,
};
use crate::Result;

impl FileUrl {
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

    /// `-/zoom_objects/<zoom>/` (1–100): how much of the frame detected objects fill.
    pub fn zoom_objects(self, zoom: u8) -> Result<Self> {
        check_range("zoom_objects", zoom.into(), 1, 100)?;
        Ok(self.op(format_args!("zoom_objects/{zoom}")))
    }
}
