//! The geometry operations on an RGBA image: `preview`, `resize` (with `stretch`),
//! `scale_crop`, `crop`, rotations and flips. Each returns the new image, or a 400 when the
//! result would be larger than the emulator renders at all
//! ([`MAX_WORKING_SIDE`]).
//!
//! Padding (a crop larger than the image, `stretch/fill`) is transparent here; the encoder
//! paints it with the `setfill` colour, or white for JPEG (see `encode`).

use super::chain::{Align, Len, Stretch};
use super::{RenderError, MAX_WORKING_SIDE};
use image::imageops::{self, FilterType};
use image::RgbaImage;

/// The resampling filter: bilinear, quick and good enough for tests and previews.
const FILTER: FilterType = FilterType::Triangle;

/// 400 unless both sides are within 1..=[`MAX_WORKING_SIDE`].
fn check(width: u32, height: u32, what: &str) -> Result<(), RenderError> {
    if width == 0 || height == 0 || width > MAX_WORKING_SIDE || height > MAX_WORKING_SIDE {
        return Err(RenderError::BadRequest(format!(
            "{what}: the result, {width}x{height} px, is outside 1-{MAX_WORKING_SIDE} px a side"
        )));
    }
    Ok(())
}

/// `full * num / den`, rounded, at least 1.
fn scaled(full: u32, num: u64, den: u64) -> u32 {
    let value = (u64::from(full) * num + den / 2) / den.max(1);
    value.clamp(1, u64::from(u32::MAX)) as u32
}

/// The image resampled to `width`×`height` (the same image when the size is unchanged).
fn scale(image: RgbaImage, width: u32, height: u32) -> RgbaImage {
    if image.dimensions() == (width, height) {
        image
    } else {
        imageops::resize(&image, width, height, FILTER)
    }
}

/// `-/preview/WxH/`: fits the image inside the box, keeping proportions; never enlarges.
pub(super) fn preview(image: RgbaImage, box_w: u32, box_h: u32) -> Result<RgbaImage, RenderError> {
    let (w, h) = image.dimensions();
    if w <= box_w && h <= box_h {
        return Ok(image);
    }
    // The smaller of the two ratios box/side, compared without floats.
    let (width, height) = if u64::from(box_w) * u64::from(h) <= u64::from(box_h) * u64::from(w) {
        (box_w, scaled(h, box_w.into(), w.into()))
    } else {
        (scaled(w, box_h.into(), h.into()), box_h)
    };
    check(width, height, "preview")?;
    Ok(scale(image, width, height))
}

/// `-/resize/…/`: to exactly `width`×`height`, or to one side keeping proportions. With
/// `stretch` off or fill, an image smaller than the target is not enlarged: it stays as it
/// is (`off`) or sits in the middle of a target-sized box (`fill`).
pub(super) fn resize(
    image: RgbaImage,
    width: Option<u32>,
    height: Option<u32>,
    stretch: Stretch,
) -> Result<RgbaImage, RenderError> {
    let (w, h) = image.dimensions();
    let (tw, th) = match (width, height) {
        (Some(tw), Some(th)) => (tw, th),
        (Some(tw), None) => (tw, scaled(h, tw.into(), w.into())),
        (None, Some(th)) => (scaled(w, th.into(), h.into()), th),
        (None, None) => (w, h),
    };
    check(tw, th, "resize")?;
    if (tw > w || th > h) && stretch != Stretch::On {
        return Ok(match stretch {
            Stretch::Fill => crop(image, Len::Px(tw), Len::Px(th), Align::Center)?,
            _ => image,
        });
    }
    Ok(scale(image, tw, th))
}

/// `-/scale_crop/WxH/<alignment>/`: scales the image to cover the box, then crops it to the
/// box at the alignment. With `stretch` off or fill a smaller image is not enlarged: the
/// crop is then as large as the image allows (`off`) or padded to the box (`fill`).
pub(super) fn scale_crop(
    image: RgbaImage,
    box_w: u32,
    box_h: u32,
    align: Align,
    stretch: Stretch,
) -> Result<RgbaImage, RenderError> {
    check(box_w, box_h, "scale_crop")?;
    let (w, h) = image.dimensions();
    // The larger of the two ratios box/side.
    let (mut sw, mut sh) = if u64::from(box_w) * u64::from(h) >= u64::from(box_h) * u64::from(w) {
        (box_w, scaled(h, box_w.into(), w.into()).max(box_h))
    } else {
        (scaled(w, box_h.into(), h.into()).max(box_w), box_h)
    };
    let upscale = sw > w || sh > h;
    if upscale && stretch != Stretch::On {
        (sw, sh) = (w, h);
    }
    check(sw, sh, "scale_crop")?;
    let image = scale(image, sw, sh);
    let (cw, ch) = match stretch {
        Stretch::Off if upscale => (box_w.min(sw), box_h.min(sh)),
        _ => (box_w, box_h),
    };
    crop(image, Len::Px(cw), Len::Px(ch), align)
}

/// Where a box of `size` starts along a side of `full` pixels. A box larger than the side
/// is centred over it (the rest is padding).
fn position(full: u32, size: u32, at: Option<Len>, centre: bool, end: bool) -> i64 {
    let free = i64::from(full) - i64::from(size);
    if free < 0 {
        return free / 2;
    }
    match at {
        Some(Len::Px(px)) => i64::from(px).min(free),
        Some(Len::Percent(p)) => free * i64::from(p) / 100,
        None if centre => free / 2,
        None if end => free,
        None => 0,
    }
}

/// `-/crop/WxH/<alignment>/`: cuts a box of the given size (pixels or percent of the image)
/// at the alignment; parts of the box outside the image are padding.
pub(super) fn crop(
    image: RgbaImage,
    width: Len,
    height: Len,
    align: Align,
) -> Result<RgbaImage, RenderError> {
    let (w, h) = image.dimensions();
    let (bw, bh) = (width.resolve(w).max(1), height.resolve(h).max(1));
    check(bw, bh, "crop")?;
    let (x, y) = match align {
        Align::TopLeft => (
            position(w, bw, None, false, false),
            position(h, bh, None, false, false),
        ),
        Align::Center => (
            position(w, bw, None, true, false),
            position(h, bh, None, true, false),
        ),
        Align::Top => (
            position(w, bw, None, true, false),
            position(h, bh, None, false, false),
        ),
        Align::Bottom => (
            position(w, bw, None, true, false),
            position(h, bh, None, false, true),
        ),
        Align::Left => (
            position(w, bw, None, false, false),
            position(h, bh, None, true, false),
        ),
        Align::Right => (
            position(w, bw, None, false, true),
            position(h, bh, None, true, false),
        ),
        Align::At(ax, ay) => (
            position(w, bw, Some(ax), false, false),
            position(h, bh, Some(ay), false, false),
        ),
    };
    if x >= 0 && y >= 0 && x + i64::from(bw) <= i64::from(w) && y + i64::from(bh) <= i64::from(h) {
        if (x, y, bw, bh) == (0, 0, w, h) {
            return Ok(image);
        }
        return Ok(imageops::crop_imm(&image, x as u32, y as u32, bw, bh).to_image());
    }
    let mut canvas = RgbaImage::new(bw, bh);
    imageops::replace(&mut canvas, &image, -x, -y);
    Ok(canvas)
}

/// `-/crop/W:H/<alignment>/`: the largest box of aspect ratio `rw`:`rh` inside the image.
pub(super) fn crop_ratio(image: RgbaImage, rw: u32, rh: u32, align: Align) -> Result<RgbaImage, RenderError> {
    let (w, h) = image.dimensions();
    let (bw, bh) = if u64::from(w) * u64::from(rh) <= u64::from(h) * u64::from(rw) {
        (w, scaled(w, rh.into(), rw.into()).min(h))
    } else {
        (scaled(h, rw.into(), rh.into()).min(w), h)
    };
    crop(image, Len::Px(bw), Len::Px(bh), align)
}

/// `-/rotate/<angle>/`: counterclockwise by 90, 180 or 270 degrees.
pub(super) fn rotate(image: RgbaImage, degrees: u32) -> RgbaImage {
    match degrees {
        90 => imageops::rotate270(&image),
        180 => imageops::rotate180(&image),
        270 => imageops::rotate90(&image),
        _ => image,
    }
}

/// `-/flip/`: upside down.
pub(super) fn flip(image: RgbaImage) -> RgbaImage {
    imageops::flip_vertical(&image)
}

/// `-/mirror/`: left to right.
pub(super) fn mirror(image: RgbaImage) -> RgbaImage {
    imageops::flip_horizontal(&image)
}
