//! Overlay operations of [`FileUrl`]: image overlays, text overlays with their font,
//! alignment and background box, and solid rectangles, plus the URL API's escaping of
//! overlay text.

use super::{
    check_hex_color, check_percent, escape_segment, invalid, Alignment, FileUrl, Length, OverlaySource,
    TextAlign, TextBox, TextVerticalAlign,
};
use crate::Result;

impl FileUrl {
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
