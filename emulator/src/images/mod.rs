//! Real image operations for the emulated CDN: [`render`] decodes a file (JPEG, PNG, WebP,
//! GIF's first frame), applies the URL API operations of a chain and encodes the result, or
//! says why it passes the original through ([`Outcome::PassThrough`]).
//!
//! Rendered operations — syntax and meaning from the library's URL builder
//! (`uploadcare::cdn::url`) and the reference
//! (<https://uploadcare.com/docs/transformations/image/resize-crop/>,
//! <https://uploadcare.com/docs/compression/>):
//! `preview` (fit inside the box, never enlarge; default box
//! [`DEFAULT_PREVIEW_SIDE`]²), `resize` (`WxH`,
//! `Wx`, `xH`), `smart_resize` (as a plain resize), `scale_crop` (`smart…` modes centred),
//! `crop` (`WxH` in pixels or percent, `W:H` ratios; `face` is not rendered), `stretch`,
//! `setfill`, `autorotate` (EXIF orientation, on unless `autorotate/no`, as the service does
//! for any processed image), `rotate`, `flip`, `mirror`, `grayscale`, `invert`, `format`,
//! `quality`, `progressive` (accepted; the encoder writes baseline JPEG only, so
//! `progressive/yes` is reported as not rendered), `strip_meta` and `inline` (nothing to
//! do), and the info endpoints `json` and `main_colors` at the end of a chain.
//!
//! The other operations of `uploadcare::cdn::url::OPERATIONS` (`blur`, `enhance`, filters,
//! colour adjustments, overlays, `border_radius`, …) are not rendered: a chain that has
//! nothing else passes the original through; otherwise they are left out of the result and
//! listed in [`Rendered::skipped`] (the CDN route puts them in a response header).
//!
//! Without `-/format/`, a processed image is delivered in the `auto` format, as the service
//! does ("If any other image processing operation is applied, the default format is auto",
//! <https://uploadcare.com/docs/compression/>).
//!
//! Bounds, as the service's (facts in `uploadcare::limits`, sources there): the size the
//! last geometry operation specifies is at most
//! [`MAX_IMAGE_OUTPUT_SIDE`] px a side (5000 px
//! with `-/format/jpeg/`), else a 400; originals over
//! [`MAX_IMAGE_PROCESSING_PIXELS`] or of
//! [`MAX_IMAGE_PROCESSING_FILE_SIZE`] or
//! more are passed through. The emulator's own bounds: no intermediate image larger than
//! [`MAX_WORKING_SIDE`] a side (400), decoding capped with the `image` crate's
//! [`Limits`] ([`MAX_DECODE_ALLOC`]); the caller bounds the time.

mod chain;
mod encode;
mod geometry;
#[cfg(test)]
mod tests;

use chain::{FormatChoice, Op, Stretch};
pub(crate) use encode::OutputFormat;
use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbaImage};
use std::io::Cursor;
use uploadcare::limits::{
    DEFAULT_PREVIEW_SIDE, MAX_IMAGE_OUTPUT_SIDE, MAX_IMAGE_PROCESSING_FILE_SIZE, MAX_IMAGE_PROCESSING_PIXELS,
};

/// Largest side, in pixels, of any image the emulator makes along a chain: the URL API's
/// default dimension limit (`uploadcare::cdn::url::DEFAULT_DIMENSION_LIMIT`, 5000 px), the
/// most the service delivers to a project without raised limits.
pub(crate) const MAX_WORKING_SIDE: u32 = uploadcare::cdn::url::DEFAULT_DIMENSION_LIMIT;

/// Most bytes the decoder may allocate: an original at
/// [`MAX_IMAGE_PROCESSING_PIXELS`] in RGBA8, with room to spare (the emulator's bound).
pub(crate) const MAX_DECODE_ALLOC: u64 = 384 * 1024 * 1024;

/// Largest side of an original the decoder accepts (the emulator's bound; JPEG's own
/// maximum).
const MAX_DECODE_SIDE: u32 = 65_535;

/// What [`render`] made of a chain.
#[derive(Debug)]
pub(crate) enum Outcome {
    /// The operations were applied.
    Rendered(Rendered),
    /// The original is delivered as it is; `reason` says why (not an image the emulator
    /// decodes, too large to process, or only operations it does not render).
    PassThrough {
        /// Why, in a few words (it goes into a response header).
        reason: String,
    },
}

/// A processed image.
#[derive(Debug)]
pub(crate) struct Rendered {
    /// The encoded image; empty when the chain ends with `-/json/` or `-/main_colors/`
    /// (only the figures below are needed).
    pub bytes: Vec<u8>,
    /// `content-type` of `bytes`.
    pub content_type: &'static str,
    /// Output width, in pixels.
    pub width: u32,
    /// Output height, in pixels.
    pub height: u32,
    /// The output format's name as the JSON answers write it (`"JPEG"`, `"PNG"`, `"WEBP"`;
    /// the original's, e.g. `"GIF"`, when nothing was processed).
    pub format: &'static str,
    /// Valid operations the emulator did not apply (`blur`, `crop/face`, `progressive`, …).
    pub skipped: Vec<String>,
    /// The main colours, when the chain ends with `-/main_colors/`.
    pub main_colors: Option<Vec<[u8; 3]>>,
}

/// Why a chain cannot be rendered.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum RenderError {
    /// A 400 of the CDN: a malformed operation, or an output over the size limits.
    BadRequest(String),
    /// A 500: the encoder failed.
    Internal(String),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::BadRequest(m) | RenderError::Internal(m) => f.write_str(m),
        }
    }
}

/// Whether `op` changes pixels or the encoding (as opposed to info endpoints, delivery
/// controls and operations the emulator skips).
fn processes(op: &Op) -> bool {
    !matches!(op, Op::Json | Op::MainColors(_) | Op::Neutral | Op::Skipped(_))
}

/// A decoded original: its pixels (RGBA8), format and EXIF orientation.
struct Decoded {
    image: RgbaImage,
    format: ImageFormat,
    orientation: image::metadata::Orientation,
}

/// Decodes `original` within the bounds; `Err` is the pass-through reason.
fn decode(original: &[u8]) -> Result<Decoded, String> {
    if original.len() as u64 >= MAX_IMAGE_PROCESSING_FILE_SIZE {
        return Err("file too large for image processing".to_owned());
    }
    let mut reader = ImageReader::new(Cursor::new(original))
        .with_guessed_format()
        .map_err(|e| format!("not readable: {e}"))?;
    let format = match reader.format() {
        Some(f @ (ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP | ImageFormat::Gif)) => f,
        _ => return Err("not an image the emulator decodes (JPEG, PNG, WebP, GIF)".to_owned()),
    };
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_DECODE_SIDE);
    limits.max_image_height = Some(MAX_DECODE_SIDE);
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| format!("not decodable: {e}"))?;
    let (w, h) = decoder.dimensions();
    if u64::from(w) * u64::from(h) > MAX_IMAGE_PROCESSING_PIXELS {
        return Err(format!(
            "{w}x{h} px is over the {MAX_IMAGE_PROCESSING_PIXELS} px the CDN processes"
        ));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let image = DynamicImage::from_decoder(decoder).map_err(|e| format!("not decodable: {e}"))?;
    Ok(Decoded {
        image: image.into_rgba8(),
        format,
        orientation,
    })
}

/// Applies `chain` (what follows `<uuid>/` in a CDN path, e.g. `-/resize/200x/-/format/png/`)
/// to `original`. `accept` is the request's `Accept` header, for `-/format/auto/`.
pub(crate) fn render(original: &[u8], chain: &str, accept: Option<&str>) -> Result<Outcome, RenderError> {
    let mut ops = chain::parse(chain)?;
    // `json` and `main_colors` answer for the image made so far: they end a chain.
    let info = match ops.last() {
        Some(Op::Json) => ops.pop(),
        Some(Op::MainColors(_)) => ops.pop(),
        _ => None,
    };
    let mut skipped: Vec<String> = ops
        .iter()
        .filter_map(|op| match op {
            Op::Skipped(name) => Some(name.clone()),
            _ => None,
        })
        .collect();
    let processing = ops.iter().any(processes);
    if !processing && info.is_none() {
        let reason = if skipped.is_empty() {
            "no image operations".to_owned()
        } else {
            format!("operations the emulator does not render: {}", skipped.join(","))
        };
        return Ok(Outcome::PassThrough { reason });
    }
    let decoded = match decode(original) {
        Ok(decoded) => decoded,
        Err(reason) => return Ok(Outcome::PassThrough { reason }),
    };
    if !processing {
        // `-/json/` or `-/main_colors/` of the original itself.
        let (width, height) = decoded.image.dimensions();
        let main_colors = match info {
            Some(Op::MainColors(n)) => Some(encode::main_colors(&decoded.image, n)),
            _ => None,
        };
        return Ok(Outcome::Rendered(Rendered {
            bytes: Vec::new(),
            content_type: "application/json",
            width,
            height,
            format: encode::original_name(decoded.format),
            skipped,
            main_colors,
        }));
    }
    let mut image = decoded.image;
    if !ops.contains(&Op::Autorotate(false)) {
        let mut dynamic = DynamicImage::ImageRgba8(image);
        dynamic.apply_orientation(decoded.orientation);
        image = dynamic.into_rgba8();
    }
    let mut state = Settings::default();
    for op in ops {
        image = state.apply(op, image)?;
    }
    if let Some(side) = state.last_specified {
        let limit = if state.format == FormatChoice::Jpeg {
            MAX_WORKING_SIDE
        } else {
            MAX_IMAGE_OUTPUT_SIDE
        };
        if side > limit {
            return Err(RenderError::BadRequest(format!(
                "the last geometry operation asks for {side} px a side; the CDN delivers at most \
                 {limit} px ({MAX_WORKING_SIDE} px with -/format/jpeg/)"
            )));
        }
    }
    let format = encode::choose(state.format, accept, decoded.format, &image);
    match (state.fill, format) {
        (Some(fill), _) => encode::flatten(&mut image, fill),
        (None, OutputFormat::Jpeg) => encode::flatten(&mut image, [255, 255, 255, 255]),
        _ => {}
    }
    if state.progressive {
        skipped.push("progressive".to_owned());
    }
    let (width, height) = image.dimensions();
    let (bytes, main_colors) = match info {
        Some(Op::MainColors(n)) => (Vec::new(), Some(encode::main_colors(&image, n))),
        Some(_) => (Vec::new(), None),
        None => (encode::encode(&image, format, state.quality)?, None),
    };
    Ok(Outcome::Rendered(Rendered {
        bytes,
        content_type: if info.is_some() {
            "application/json"
        } else {
            format.content_type()
        },
        width,
        height,
        format: format.json_name(),
        skipped,
        main_colors,
    }))
}

/// What the operations of a chain set for the ones after them and for the encoder.
struct Settings {
    stretch: Stretch,
    fill: Option<[u8; 4]>,
    format: FormatChoice,
    quality: u8,
    progressive: bool,
    /// The largest side the last geometry operation specified (checked against the output
    /// limit at the end).
    last_specified: Option<u32>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            stretch: Stretch::On,
            fill: None,
            format: FormatChoice::Auto,
            quality: 80,
            progressive: false,
            last_specified: None,
        }
    }
}

impl Settings {
    /// Applies one operation to `image` (or records what it sets).
    fn apply(&mut self, op: Op, image: RgbaImage) -> Result<RgbaImage, RenderError> {
        let (w, h) = image.dimensions();
        Ok(match op {
            Op::Preview(size) => {
                let (bw, bh) = size.unwrap_or((DEFAULT_PREVIEW_SIDE, DEFAULT_PREVIEW_SIDE));
                self.last_specified = Some(bw.max(bh));
                geometry::preview(image, bw, bh)?
            }
            Op::Resize(tw, th) => {
                self.last_specified = Some(tw.unwrap_or(0).max(th.unwrap_or(0)));
                geometry::resize(image, tw, th, self.stretch)?
            }
            Op::ScaleCrop(bw, bh, align) => {
                self.last_specified = Some(bw.max(bh));
                geometry::scale_crop(image, bw, bh, align, self.stretch)?
            }
            Op::Crop(cw, ch, align) => {
                self.last_specified = Some(cw.resolve(w).max(ch.resolve(h)));
                geometry::crop(image, cw, ch, align)?
            }
            Op::CropRatio(rw, rh, align) => {
                let image = geometry::crop_ratio(image, rw, rh, align)?;
                self.last_specified = Some(image.width().max(image.height()));
                image
            }
            Op::Stretch(mode) => {
                self.stretch = mode;
                image
            }
            Op::Setfill(color) => {
                self.fill = Some(color);
                image
            }
            Op::Rotate(degrees) => geometry::rotate(image, degrees),
            Op::Flip => geometry::flip(image),
            Op::Mirror => geometry::mirror(image),
            Op::Grayscale => {
                let gray = image::imageops::grayscale_alpha(&image);
                DynamicImage::ImageLumaA8(gray).into_rgba8()
            }
            Op::Invert => {
                let mut image = image;
                image::imageops::invert(&mut image);
                image
            }
            Op::Format(choice) => {
                self.format = choice;
                image
            }
            Op::Quality(q) => {
                self.quality = q;
                image
            }
            Op::Progressive(on) => {
                self.progressive = on;
                image
            }
            // Read before the loop (autorotate), at the end (json, main_colors), nothing to
            // do, or already listed in `skipped`.
            Op::Autorotate(_) | Op::Json | Op::MainColors(_) | Op::Neutral | Op::Skipped(_) => image,
        })
    }
}
