//! Operations given as text — `resize` with `800x`, or a whole chain such as
//! `-/resize/800x/-/format/webp/` from a configuration file or the command line — parsed
//! into the typed [`FileUrl`] methods, so they are checked exactly like typed calls.

use std::str::FromStr;

use uuid::Uuid;

use super::url::{
    Alignment, ColorAdjustment, FileUrl, Length, OverlaySource, ScaleCropMode, StripMeta, TextAlign, TextBox,
    TextVerticalAlign,
};
use crate::{Error, Result};

fn invalid(message: impl Into<String>) -> Error {
    Error::InvalidInput(message.into())
}

fn number<T: FromStr>(what: &str, text: &str) -> Result<T> {
    text.parse()
        .map_err(|_| invalid(format!("{what}: `{text}` is not a number in range")))
}

impl FromStr for Length {
    type Err = Error;

    /// `300` (pixels), `50p` or `50%` (percent).
    fn from_str(text: &str) -> Result<Self> {
        match text.strip_suffix('p').or_else(|| text.strip_suffix('%')) {
            Some(percent) => Ok(Length::Percent(number("percent", percent)?)),
            None => Ok(Length::Px(number("pixels", text)?)),
        }
    }
}

impl FromStr for Alignment {
    type Err = Error;

    /// `center`, `top`, `bottom`, `left`, `right`, or `x,y` lengths.
    fn from_str(text: &str) -> Result<Self> {
        Ok(match text {
            "center" => Alignment::Center,
            "top" => Alignment::Top,
            "bottom" => Alignment::Bottom,
            "left" => Alignment::Left,
            "right" => Alignment::Right,
            _ => {
                let (x, y) = text.split_once(',').ok_or_else(|| {
                    invalid(format!(
                        "`{text}` is not a position (center, top, bottom, left, right or x,y)"
                    ))
                })?;
                Alignment::Offset(x.parse()?, y.parse()?)
            }
        })
    }
}

impl FromStr for ScaleCropMode {
    type Err = Error;

    /// `center`, the `smart…` modes, or a position.
    fn from_str(text: &str) -> Result<Self> {
        Ok(match text {
            "center" => ScaleCropMode::Center,
            "smart" => ScaleCropMode::Smart,
            "smart_faces_objects" => ScaleCropMode::SmartFacesObjects,
            "smart_faces_points" => ScaleCropMode::SmartFacesPoints,
            "smart_objects_faces_points" => ScaleCropMode::SmartObjectsFacesPoints,
            "smart_objects_faces" => ScaleCropMode::SmartObjectsFaces,
            "smart_objects_points" => ScaleCropMode::SmartObjectsPoints,
            "smart_points" => ScaleCropMode::SmartPoints,
            "smart_objects" => ScaleCropMode::SmartObjects,
            "smart_faces" => ScaleCropMode::SmartFaces,
            other => ScaleCropMode::Align(other.parse()?),
        })
    }
}

impl FromStr for OverlaySource {
    type Err = Error;

    /// `self` or a file UUID.
    fn from_str(text: &str) -> Result<Self> {
        if text == "self" {
            return Ok(OverlaySource::SelfImage);
        }
        Uuid::parse_str(text)
            .map(OverlaySource::File)
            .map_err(|_| invalid(format!("overlay: `{text}` is neither `self` nor a file UUID")))
    }
}

/// `WxH` as two lengths.
fn dimensions(text: &str) -> Result<(Length, Length)> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| invalid(format!("`{text}` is not a size (WxH)")))?;
    Ok((w.parse()?, h.parse()?))
}

/// `WxH` in pixels, either side optional when `partial`.
fn pixel_size(what: &str, text: &str) -> Result<(Option<u32>, Option<u32>)> {
    let (w, h) = text
        .split_once('x')
        .ok_or_else(|| invalid(format!("{what}: `{text}` is not a size (WxH)")))?;
    let side = |s: &str| -> Result<Option<u32>> {
        if s.is_empty() {
            Ok(None)
        } else {
            number(what, s).map(Some)
        }
    };
    Ok((side(w)?, side(h)?))
}

fn both(what: &str, size: (Option<u32>, Option<u32>)) -> Result<(u32, u32)> {
    match size {
        (Some(w), Some(h)) => Ok((w, h)),
        _ => Err(invalid(format!("{what}: give both sides (WxH)"))),
    }
}

fn yes_no(what: &str, text: &str) -> Result<bool> {
    match text {
        "yes" => Ok(true),
        "no" => Ok(false),
        _ => Err(invalid(format!("{what}: `{text}` is neither yes nor no"))),
    }
}

fn arity(name: &str, args: &[&str], range: std::ops::RangeInclusive<usize>) -> Result<()> {
    if range.contains(&args.len()) {
        Ok(())
    } else {
        Err(invalid(format!(
            "`{name}` takes {} to {} arguments, got {}",
            range.start(),
            range.end(),
            args.len()
        )))
    }
}

impl FileUrl {
    /// Applies one operation given as text — its name and its `/`-separated arguments as
    /// they appear in a URL — through the typed method, with the same checks. Names without
    /// a typed method are refused (use [`FileUrl::operation`] for those). The text of
    /// `text` may be plain or escaped as in a URL (`%20`, `~s`); it is escaped anew.
    ///
    /// ```
    /// use uploadcare::cdn::url::FileUrl;
    /// let url = FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .apply("scale_crop", "300x200/smart")?
    ///     .apply("format", "webp")?;
    /// assert!(url.to_string().ends_with("/-/scale_crop/300x200/smart/-/format/webp/"));
    /// assert!(FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .apply("resize", "99999x")
    ///     .is_err());
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn apply(self, name: &str, args: &str) -> Result<Self> {
        let trimmed = args.trim_matches('/');
        let a: Vec<&str> = if trimmed.is_empty() {
            Vec::new()
        } else {
            trimmed.split('/').collect()
        };
        let none = |url: Self| -> Result<Self> {
            arity(name, &a, 0..=0)?;
            Ok(url)
        };
        match name {
            "videoframe" => match a.as_slice() {
                [timestamp] => self.videoframe(timestamp),
                _ => arity(name, &a, 1..=1).map(|_| self),
            },
            "preview" => match a.as_slice() {
                [] => Ok(self.preview_default()),
                [size] => {
                    let (w, h) = both("preview", pixel_size("preview", size)?)?;
                    self.preview(w, h)
                }
                _ => arity(name, &a, 0..=1).map(|_| self),
            },
            "resize" => {
                arity(name, &a, 1..=1)?;
                match pixel_size("resize", a[0])? {
                    (Some(w), Some(h)) => self.resize(w, h),
                    (Some(w), None) => self.resize_width(w),
                    (None, Some(h)) => self.resize_height(h),
                    (None, None) => Err(invalid("resize: give a width, a height or both")),
                }
            }
            "smart_resize" => {
                arity(name, &a, 1..=1)?;
                let (w, h) = both(name, pixel_size(name, a[0])?)?;
                self.smart_resize(w, h)
            }
            "crop" => match a.as_slice() {
                ["face"] => Ok(self.crop_face()),
                [ratio, position] if ratio.contains(':') => {
                    let (w, h) = ratio.split_once(':').unwrap_or_default();
                    self.crop_ratio(number("crop", w)?, number("crop", h)?, position.parse()?)
                }
                [size] => {
                    let (w, h) = dimensions(size)?;
                    self.crop(w, h, None)
                }
                [size, position] => {
                    let (w, h) = dimensions(size)?;
                    self.crop(w, h, Some(position.parse()?))
                }
                _ => arity(name, &a, 1..=2).map(|_| self),
            },
            "scale_crop" => {
                arity(name, &a, 1..=2)?;
                let (w, h) = both(name, pixel_size(name, a[0])?)?;
                let mode = a.get(1).map(|m| m.parse()).transpose()?;
                self.scale_crop(w, h, mode)
            }
            "stretch" => {
                arity(name, &a, 1..=1)?;
                Ok(self.stretch(a[0].parse()?))
            }
            "setfill" => {
                arity(name, &a, 1..=1)?;
                self.setfill(a[0])
            }
            "border_radius" => {
                arity(name, &a, 1..=2)?;
                let list = |s: &str| -> Result<Vec<Length>> { s.split(',').map(str::parse).collect() };
                let horizontal = list(a[0])?;
                let vertical = a.get(1).map(|v| list(v)).transpose()?;
                self.border_radius_corners(&horizontal, vertical.as_deref())
            }
            "format" => {
                arity(name, &a, 1..=1)?;
                Ok(self.format(a[0].parse()?))
            }
            "quality" => {
                arity(name, &a, 1..=1)?;
                Ok(self.quality(a[0].parse()?))
            }
            "progressive" => {
                arity(name, &a, 1..=1)?;
                Ok(self.progressive(yes_no(name, a[0])?))
            }
            "autorotate" => {
                arity(name, &a, 1..=1)?;
                Ok(self.autorotate(yes_no(name, a[0])?))
            }
            "inline" => {
                arity(name, &a, 1..=1)?;
                Ok(self.inline(yes_no(name, a[0])?))
            }
            "strip_meta" => {
                arity(name, &a, 1..=1)?;
                Ok(self.strip_meta(a[0].parse::<StripMeta>()?))
            }
            "srgb" => {
                arity(name, &a, 1..=1)?;
                Ok(self.srgb(a[0].parse()?))
            }
            "max_icc_size" => {
                arity(name, &a, 1..=1)?;
                Ok(self.max_icc_size(number(name, a[0])?))
            }
            "rotate" => {
                arity(name, &a, 1..=1)?;
                self.rotate(number(name, a[0])?)
            }
            "flip" => none(self.flip()),
            "mirror" => none(self.mirror()),
            "grayscale" => none(self.grayscale()),
            "invert" => none(self.invert()),
            "rasterize" => none(self.rasterize()),
            "json" => none(self.json()),
            "detect_faces" => {
                arity(name, &a, 0..=0)?;
                self.detect_faces()
            }
            // A bare `gif2video`; its format and quality are `gif2video`'s arguments in the
            // typed method (`FileUrl::gif2video`).
            "gif2video" => none(self.gif2video(None, None)),
            "enhance" => {
                arity(name, &a, 0..=1)?;
                self.enhance(a.first().map(|s| number(name, s)).transpose()?)
            }
            "sharp" => {
                arity(name, &a, 0..=1)?;
                self.sharp(a.first().map(|s| number(name, s)).transpose()?)
            }
            "blur" => match a.as_slice() {
                [] => self.blur(None),
                [s] => self.blur(Some(number(name, s)?)),
                [s, amount] => self.unsharp(number(name, s)?, number(name, amount)?),
                _ => arity(name, &a, 0..=2).map(|_| self),
            },
            "blur_region" => match a.as_slice() {
                ["faces"] => self.blur_faces(None),
                ["faces", s] => self.blur_faces(Some(number(name, s)?)),
                [size, at] | [size, at, _] => {
                    let (w, h) = dimensions(size)?;
                    let (x, y) = at
                        .split_once(',')
                        .ok_or_else(|| invalid(format!("blur_region: `{at}` is not x,y")))?;
                    let strength = a.get(2).map(|s| number(name, s)).transpose()?;
                    self.blur_region(w, h, x.parse()?, y.parse()?, strength)
                }
                _ => arity(name, &a, 1..=3).map(|_| self),
            },
            "zoom_objects" => {
                arity(name, &a, 1..=1)?;
                self.zoom_objects(number(name, a[0])?)
            }
            "brightness" | "exposure" | "gamma" | "contrast" | "saturation" | "vibrance" | "warmth" => {
                arity(name, &a, 1..=1)?;
                let adjustment: ColorAdjustment = name.parse()?;
                self.adjust_color(adjustment, number(name, a[0])?)
            }
            "filter" => {
                arity(name, &a, 1..=2)?;
                let amount = a.get(1).map(|s| number(name, s)).transpose()?;
                self.filter(a[0].parse()?, amount)
            }
            "overlay" => {
                arity(name, &a, 1..=4)?;
                let source: OverlaySource = a[0].parse()?;
                let rest = &a[1..];
                let mut i = 0;
                let is_opacity = |s: &str| (s.ends_with('p') || s.ends_with('%')) && !s.contains([',', 'x']);
                let size = match rest.get(i) {
                    Some(s) if s.contains('x') && !s.contains(',') => {
                        i += 1;
                        Some(dimensions(s)?)
                    }
                    _ => None,
                };
                let position = match rest.get(i) {
                    Some(s) if !is_opacity(s) => {
                        i += 1;
                        Some(s.parse()?)
                    }
                    _ => None,
                };
                let opacity = match rest.get(i) {
                    Some(o) => {
                        i += 1;
                        match o.parse::<Length>()? {
                            Length::Percent(p) => Some(p),
                            Length::Px(_) => {
                                return Err(invalid(format!("overlay: opacity `{o}` must be a percentage")))
                            }
                        }
                    }
                    None => None,
                };
                if let Some(extra) = rest.get(i) {
                    return Err(invalid(format!("overlay: unexpected `{extra}`")));
                }
                self.overlay_with(source, size, position, opacity)
            }
            "text" => {
                if a.len() < 3 {
                    return Err(invalid("`text` takes a size, a position and the text"));
                }
                let (w, h) = dimensions(a[0])?;
                let text: Vec<String> = a[2..].iter().map(|t| unescape_text(t)).collect();
                self.text(w, h, a[1].parse()?, &text.join("/"))
            }
            "font" => {
                arity(name, &a, 2..=2)?;
                self.font(number(name, a[0])?, a[1])
            }
            "text_align" => {
                arity(name, &a, 2..=2)?;
                Ok(self.text_align(a[0].parse::<TextAlign>()?, a[1].parse::<TextVerticalAlign>()?))
            }
            "text_box" => {
                arity(name, &a, 1..=3)?;
                let mode: TextBox = a[0].parse()?;
                match &a[1..] {
                    [] => self.text_box(mode, None, None),
                    [c, p] => self.text_box(mode, Some(c), Some(number(name, p)?)),
                    [one] => match self.clone().text_box(mode, Some(one), None) {
                        Ok(url) => Ok(url),
                        Err(_) => self.text_box(mode, None, Some(number(name, one)?)),
                    },
                    _ => Err(invalid(format!("`{name}`: too many arguments"))),
                }
            }
            "rect" => {
                arity(name, &a, 3..=3)?;
                let (w, h) = dimensions(a[1])?;
                self.rect(a[0], w, h, a[2].parse()?)
            }
            "main_colors" => {
                arity(name, &a, 0..=1)?;
                self.main_colors(a.first().map(|s| number(name, s)).transpose()?)
            }
            _ => Err(invalid(format!(
                "`{name}` is not an operation with a typed method (use FileUrl::operation for raw ones)"
            ))),
        }
    }

    /// Applies a whole chain as it appears in a URL after `<uuid>/`: `-/resize/800x/-/format/webp/`
    /// (the leading `-/` and the trailing `/` are optional), each operation through
    /// [`FileUrl::apply`].
    ///
    /// ```
    /// use uploadcare::cdn::url::FileUrl;
    /// let url = FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
    ///     .chain("-/preview/640x480/-/quality/smart/-/text/50px10p/bottom/Hello world/")?;
    /// assert!(url
    ///     .to_string()
    ///     .ends_with("/-/preview/640x480/-/quality/smart/-/text/50px10p/bottom/Hello%20world/"));
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn chain(self, chain: &str) -> Result<Self> {
        let chain = chain.trim().trim_start_matches('/');
        let chain = chain.strip_prefix("-/").unwrap_or(chain);
        let mut url = self;
        for op in chain.split("/-/") {
            let op = op.trim_matches('/');
            if op.is_empty() {
                return Err(invalid("empty operation in the chain"));
            }
            let (name, args) = op.split_once('/').unwrap_or((op, ""));
            url = url.apply(name, args)?;
        }
        Ok(url)
    }
}

/// Overlay text as a URL carries it back to plain text: percent escapes decoded, then the
/// URL API's `~~`, `~s`, `~n`. Text without escapes comes back unchanged.
fn unescape_text(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(byte)) => {
                decoded.push(byte);
                i += 3;
            }
            (b, _) => {
                decoded.push(b);
                i += 1;
            }
        }
    }
    let decoded = String::from_utf8_lossy(&decoded);
    let mut out = String::with_capacity(decoded.len());
    let mut chars = decoded.chars();
    while let Some(c) = chars.next() {
        if c != '~' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('~') => out.push('~'),
            Some('s') => out.push('/'),
            Some('n') => out.push('\n'),
            Some(other) => {
                out.push('~');
                out.push(other);
            }
            None => out.push('~'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const U: &str = "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1";

    fn f() -> FileUrl {
        FileUrl::new("https://ucarecdn.com", U).unwrap()
    }

    /// Parsing the rendered form of each typed call gives the same URL back.
    #[test]
    fn text_round_trips_through_the_typed_methods() {
        let cases = [
            "-/preview/",
            "-/preview/300x200/",
            "-/resize/640x/-/resize/x480/-/resize/10x10/",
            "-/smart_resize/500x500/",
            "-/crop/face/-/crop/16:9/center/-/crop/50px50p/10,20p/-/crop/100x100/",
            "-/scale_crop/300x300/smart_faces/-/scale_crop/300x300/-/scale_crop/10x10/50p,50p/",
            "-/stretch/off/-/setfill/ece3d2/-/border_radius/10,20p/5/",
            "-/format/auto/-/quality/smart_retina/-/progressive/yes/-/strip_meta/sensitive/",
            "-/autorotate/no/-/rotate/90/-/flip/-/mirror/-/grayscale/-/invert/-/rasterize/",
            "-/enhance/-/enhance/70/-/sharp/-/sharp/10/-/blur/-/blur/50/-/blur/10/-100/",
            "-/blur_region/faces/-/blur_region/faces/30/-/blur_region/10x10/5p,5p/-/blur_region/1px2p/3,4/20/",
            "-/zoom_objects/40/-/brightness/-20/-/gamma/300/-/warmth/100/",
            "-/filter/vevera/-/filter/adaris/150/",
            &format!("-/overlay/self/-/overlay/{U}/50px50p/center/40p/-/overlay/self/20p/-/overlay/self/10x10/"),
            "-/font/30/ffffff/-/text_align/left/top/-/text_box/fill/000/4/-/text_box/fit/8/-/text/100px20p/bottom/a~sb/",
            "-/rect/ff0000/100px10p/bottom/-/srgb/icc/-/max_icc_size/10/-/inline/yes/-/main_colors/5/",
            "-/json/",
        ];
        for case in cases {
            let url = f().chain(case).unwrap_or_else(|e| panic!("{case}: {e}"));
            assert_eq!(url.to_string(), format!("https://ucarecdn.com/{U}/{case}"));
        }
    }

    #[test]
    fn bad_text_is_refused_like_bad_typed_values() {
        for bad in [
            "-/resize/6000x/",
            "-/preview/300/",
            "-/crop/101px10/",
            "-/rotate/45/",
            "-/format/avif/",
            "-/quality/ultra/",
            "-/progressive/maybe/",
            "-/brightness/101/",
            "-/filter/nosuch/",
            "-/overlay/notauuid/",
            "-/overlay/self/10x10/center/40/",
            "-/text/10x10/center/",
            "-/nosuchop/1/",
            "-/resize/640x/-/",
            "-/flip/1/",
            "",
        ] {
            match f().chain(bad) {
                Err(Error::InvalidInput(m)) => assert!(!m.is_empty()),
                other => panic!("{bad}: expected InvalidInput, got {other:?}"),
            }
        }
    }
}
