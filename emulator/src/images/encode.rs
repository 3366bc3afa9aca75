//! The output side: which format a chain delivers (`-/format/`, `auto` from the `Accept`
//! header), painting transparent areas with the `setfill` colour, encoding, and the
//! `-/main_colors/` palette.
//!
//! How `auto` chooses, per the reference (<https://uploadcare.com/docs/compression/>): WebP
//! when the client's `Accept` lists `image/webp`, else PNG when the image has non-opaque
//! pixels, else JPEG. The service may also pick AVIF (the emulator encodes none) or PNG for
//! "artwork-like" images (not emulated). A bare `*/*` does not count as WebP support: browsers
//! that take WebP name it.
//!
//! Encoders: JPEG with the `-/quality/` level's quality, baseline only (the `image` crate
//! writes no progressive JPEG); PNG; WebP lossless only (the crate's only WebP encoder), so
//! `-/quality/` does not change WebP output.

use super::chain::FormatChoice;
use super::RenderError;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::PngEncoder;
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder, ImageFormat, RgbaImage};

/// A format the emulator writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OutputFormat {
    /// JPEG (`image/jpeg`).
    Jpeg,
    /// PNG (`image/png`).
    Png,
    /// WebP (`image/webp`).
    Webp,
}

impl OutputFormat {
    /// The `content-type` of the encoded bytes.
    pub(crate) fn content_type(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "image/jpeg",
            OutputFormat::Png => "image/png",
            OutputFormat::Webp => "image/webp",
        }
    }

    /// The name the URL API's JSON answers give the format (`"JPEG"`, …).
    pub(crate) fn json_name(self) -> &'static str {
        match self {
            OutputFormat::Jpeg => "JPEG",
            OutputFormat::Png => "PNG",
            OutputFormat::Webp => "WEBP",
        }
    }
}

/// The JSON name of a decoded original's format.
pub(super) fn original_name(format: ImageFormat) -> &'static str {
    match format {
        ImageFormat::Jpeg => "JPEG",
        ImageFormat::Png => "PNG",
        ImageFormat::WebP => "WEBP",
        ImageFormat::Gif => "GIF",
        _ => "UNKNOWN",
    }
}

/// Whether an `Accept` header value lists `image/webp` (with a non-zero `q`).
pub(super) fn accepts_webp(accept: Option<&str>) -> bool {
    accept.unwrap_or("").split(',').any(|range| {
        let mut parts = range.split(';').map(str::trim);
        let media = parts.next().unwrap_or("");
        let zero_q = parts.any(|p| {
            p.strip_prefix("q=")
                .and_then(|q| q.parse::<f32>().ok())
                .is_some_and(|q| q <= 0.0)
        });
        media.eq_ignore_ascii_case("image/webp") && !zero_q
    })
}

/// Whether any pixel is not fully opaque.
pub(super) fn has_alpha(image: &RgbaImage) -> bool {
    image.pixels().any(|p| p.0[3] < 255)
}

/// The format to write for `choice`.
pub(super) fn choose(
    choice: FormatChoice,
    accept: Option<&str>,
    original: ImageFormat,
    image: &RgbaImage,
) -> OutputFormat {
    let by_alpha = || {
        if has_alpha(image) {
            OutputFormat::Png
        } else {
            OutputFormat::Jpeg
        }
    };
    match choice {
        FormatChoice::Jpeg => OutputFormat::Jpeg,
        FormatChoice::Png => OutputFormat::Png,
        FormatChoice::Webp => OutputFormat::Webp,
        FormatChoice::Preserve => match original {
            ImageFormat::Jpeg => OutputFormat::Jpeg,
            ImageFormat::Png => OutputFormat::Png,
            _ => by_alpha(),
        },
        FormatChoice::Auto if accepts_webp(accept) => OutputFormat::Webp,
        FormatChoice::Auto => by_alpha(),
    }
}

/// Paints non-opaque pixels over `fill` (alpha compositing), making the image opaque.
pub(super) fn flatten(image: &mut RgbaImage, fill: [u8; 4]) {
    let blend = |over: u8, under: u8, alpha: u16| -> u8 {
        ((u16::from(over) * alpha + u16::from(under) * (255 - alpha) + 127) / 255) as u8
    };
    for pixel in image.pixels_mut() {
        let [r, g, b, a] = pixel.0;
        if a == 255 {
            continue;
        }
        let alpha = u16::from(a);
        pixel.0 = [
            blend(r, fill[0], alpha),
            blend(g, fill[1], alpha),
            blend(b, fill[2], alpha),
            255,
        ];
    }
}

/// The RGB bytes of an (opaque) RGBA image.
fn rgb_bytes(image: &RgbaImage) -> Vec<u8> {
    image.pixels().flat_map(|p| [p.0[0], p.0[1], p.0[2]]).collect()
}

/// Encodes `image` as `format`. JPEG has no alpha: the caller flattens first (this flattens
/// over white if it did not). Opaque images are written without an alpha channel.
pub(super) fn encode(
    image: &RgbaImage,
    format: OutputFormat,
    jpeg_quality: u8,
) -> Result<Vec<u8>, RenderError> {
    let (w, h) = image.dimensions();
    let opaque = !has_alpha(image);
    let mut out = Vec::new();
    let failed = |e: image::ImageError| RenderError::Internal(format!("encoding the image failed: {e}"));
    match format {
        OutputFormat::Jpeg => {
            let bytes = if opaque {
                rgb_bytes(image)
            } else {
                let mut flat = image.clone();
                flatten(&mut flat, [255, 255, 255, 255]);
                rgb_bytes(&flat)
            };
            JpegEncoder::new_with_quality(&mut out, jpeg_quality.clamp(1, 100))
                .write_image(&bytes, w, h, ExtendedColorType::Rgb8)
                .map_err(failed)?;
        }
        OutputFormat::Png if opaque => PngEncoder::new(&mut out)
            .write_image(&rgb_bytes(image), w, h, ExtendedColorType::Rgb8)
            .map_err(failed)?,
        OutputFormat::Png => PngEncoder::new(&mut out)
            .write_image(image.as_raw(), w, h, ExtendedColorType::Rgba8)
            .map_err(failed)?,
        OutputFormat::Webp if opaque => WebPEncoder::new_lossless(&mut out)
            .write_image(&rgb_bytes(image), w, h, ExtendedColorType::Rgb8)
            .map_err(failed)?,
        OutputFormat::Webp => WebPEncoder::new_lossless(&mut out)
            .write_image(image.as_raw(), w, h, ExtendedColorType::Rgba8)
            .map_err(failed)?,
    }
    Ok(out)
}

/// Longest side of the copy `main_colors` samples (at most 64×64 pixels).
const SAMPLE_SIDE: u32 = 64;
/// Most colours `main_colors` reports, whatever the URL asks.
const MAX_MAIN_COLORS: u32 = 64;
/// Refinement rounds of the palette.
const ROUNDS: usize = 12;

fn distance(a: [f32; 3], b: [f32; 3]) -> f32 {
    (a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)
}

/// Up to `count` dominant colours of `image`, most common first: k-means over a small copy's
/// (mostly) opaque pixels, seeded deterministically (the first centre is the average, each
/// next one the pixel farthest from those chosen), so one image always gives one answer.
/// The service runs a variant of local k-means with random seeds.
pub(super) fn main_colors(image: &RgbaImage, count: u32) -> Vec<[u8; 3]> {
    let (w, h) = image.dimensions();
    let small = if w > SAMPLE_SIDE || h > SAMPLE_SIDE {
        image::imageops::thumbnail(image, w.min(SAMPLE_SIDE), h.min(SAMPLE_SIDE))
    } else {
        image.clone()
    };
    let samples: Vec<[f32; 3]> = small
        .pixels()
        .filter(|p| p.0[3] >= 128)
        .map(|p| [f32::from(p.0[0]), f32::from(p.0[1]), f32::from(p.0[2])])
        .collect();
    if samples.is_empty() {
        return Vec::new();
    }
    let k = (count.clamp(1, MAX_MAIN_COLORS) as usize).min(samples.len());
    let mean = |points: &[[f32; 3]]| {
        let n = points.len().max(1) as f32;
        let sum = points
            .iter()
            .fold([0.0f32; 3], |s, p| [s[0] + p[0], s[1] + p[1], s[2] + p[2]]);
        [sum[0] / n, sum[1] / n, sum[2] / n]
    };
    let mut centres = vec![mean(&samples)];
    while centres.len() < k {
        let farthest = samples.iter().copied().max_by(|a, b| {
            let da = centres.iter().map(|c| distance(*a, *c)).fold(f32::MAX, f32::min);
            let db = centres.iter().map(|c| distance(*b, *c)).fold(f32::MAX, f32::min);
            da.total_cmp(&db)
        });
        match farthest {
            Some(p) if !centres.contains(&p) => centres.push(p),
            _ => break,
        }
    }
    let mut sizes = vec![0usize; centres.len()];
    for _ in 0..ROUNDS {
        let mut groups: Vec<Vec<[f32; 3]>> = vec![Vec::new(); centres.len()];
        for p in &samples {
            let nearest = (0..centres.len())
                .min_by(|&i, &j| distance(*p, centres[i]).total_cmp(&distance(*p, centres[j])))
                .unwrap_or(0);
            groups[nearest].push(*p);
        }
        for (i, group) in groups.iter().enumerate() {
            if !group.is_empty() {
                centres[i] = mean(group);
            }
            sizes[i] = group.len();
        }
    }
    let mut ranked: Vec<(usize, [f32; 3])> = sizes.into_iter().zip(centres).filter(|(n, _)| *n > 0).collect();
    ranked.sort_by_key(|r| std::cmp::Reverse(r.0));
    ranked
        .into_iter()
        .map(|(_, c)| [c[0].round() as u8, c[1].round() as u8, c[2].round() as u8])
        .collect()
}
