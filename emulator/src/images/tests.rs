//! Tests of [`render`](super::render): real images made here, rendered, and decoded back
//! with the `image` crate.

use super::{render, Outcome, RenderError, Rendered};
use image::{ImageFormat, Rgba, RgbaImage};
use std::io::Cursor;

/// A `w`×`h` image: red on the left half, blue on the right, green in the top left 10×10
/// square, opaque unless `alpha`.
fn picture(w: u32, h: u32, alpha: u8) -> RgbaImage {
    RgbaImage::from_fn(w, h, |x, y| {
        if x < 10 && y < 10 {
            Rgba([0, 255, 0, alpha])
        } else if x < w / 2 {
            Rgba([255, 0, 0, alpha])
        } else {
            Rgba([0, 0, 255, alpha])
        }
    })
}

fn encoded(image: &RgbaImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    match format {
        // JPEG has no alpha channel.
        ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(image.clone())
            .into_rgb8()
            .write_to(&mut out, format)
            .unwrap(),
        _ => image.write_to(&mut out, format).unwrap(),
    }
    out.into_inner()
}

fn png(w: u32, h: u32) -> Vec<u8> {
    encoded(&picture(w, h, 255), ImageFormat::Png)
}

fn rendered(original: &[u8], chain: &str, accept: Option<&str>) -> Rendered {
    match render(original, chain, accept) {
        Ok(Outcome::Rendered(r)) => r,
        other => panic!("{chain}: {other:?}"),
    }
}

/// Renders and decodes the output back: (format, image).
fn output(original: &[u8], chain: &str, accept: Option<&str>) -> (ImageFormat, RgbaImage) {
    let r = rendered(original, chain, accept);
    let format = image::guess_format(&r.bytes).unwrap();
    let image = image::load_from_memory(&r.bytes).unwrap().into_rgba8();
    assert_eq!((r.width, r.height), image.dimensions(), "{chain}: reported size");
    (format, image)
}

fn size(original: &[u8], chain: &str) -> (u32, u32) {
    output(original, chain, None).1.dimensions()
}

#[test]
fn resize_keeps_or_sets_proportions() {
    let original = png(400, 300);
    assert_eq!(size(&original, "-/resize/200x/"), (200, 150));
    assert_eq!(size(&original, "-/resize/x150/"), (200, 150));
    assert_eq!(size(&original, "-/resize/100x100/"), (100, 100));
    assert_eq!(size(&original, "-/smart_resize/120x50/"), (120, 50));
    // A file name after the chain.
    assert_eq!(size(&original, "-/resize/200x/photo.png"), (200, 150));
    // Upscaling is on by default; `stretch/off` keeps the size; `fill` pads.
    assert_eq!(size(&original, "-/resize/800x/"), (800, 600));
    assert_eq!(size(&original, "-/stretch/off/-/resize/800x/"), (400, 300));
    let (_, filled) = output(&original, "-/stretch/fill/-/setfill/ffff00/-/resize/800x/", None);
    assert_eq!(filled.dimensions(), (800, 600));
    assert_eq!(
        filled.get_pixel(0, 0).0,
        [255, 255, 0, 255],
        "padding has the setfill colour"
    );
}

#[test]
fn preview_fits_and_never_enlarges() {
    let original = png(400, 300);
    assert_eq!(size(&original, "-/preview/100x100/"), (100, 75));
    assert_eq!(size(&original, "-/preview/1000x1000/"), (400, 300));
    assert_eq!(size(&original, "-/preview/"), (400, 300));
    assert_eq!(size(&png(3000, 100), "-/preview/"), (2048, 68));
}

#[test]
fn scale_crop_and_crop_give_exact_sizes() {
    let original = png(400, 300);
    let (_, square) = output(&original, "-/scale_crop/100x100/center/-/format/png/", None);
    assert_eq!(square.dimensions(), (100, 100));
    // Centred: the left half is red, the right half blue.
    assert_eq!(square.get_pixel(10, 50).0[..3], [255, 0, 0]);
    assert_eq!(square.get_pixel(90, 50).0[..3], [0, 0, 255]);
    assert_eq!(size(&original, "-/scale_crop/300x50/"), (300, 50));
    assert_eq!(size(&original, "-/scale_crop/100x100/smart/"), (100, 100));

    let (_, corner) = output(&original, "-/crop/10x10/-/format/png/", None);
    assert_eq!(corner.dimensions(), (10, 10));
    assert_eq!(corner.get_pixel(5, 5).0[..3], [0, 255, 0], "top left by default");
    let (_, right) = output(&original, "-/crop/50x50/right/-/format/png/", None);
    assert_eq!(right.get_pixel(25, 25).0[..3], [0, 0, 255]);
    assert_eq!(size(&original, "-/crop/50px50p/center/"), (200, 150));
    assert_eq!(size(&original, "-/crop/100x100/390,290/"), (100, 100));
    assert_eq!(size(&original, "-/crop/4:3/center/"), (400, 300));
    assert_eq!(size(&original, "-/crop/1:1/"), (300, 300));
    // Larger than the image: padded (transparent, so `auto` makes a PNG).
    let (format, padded) = output(&original, "-/crop/500x300/center/", None);
    assert_eq!((format, padded.dimensions()), (ImageFormat::Png, (500, 300)));
    assert_eq!(padded.get_pixel(0, 150).0[3], 0);
}

#[test]
fn formats_are_real() {
    let original = png(400, 300);
    let jpeg = rendered(&original, "-/resize/200x/-/format/jpeg/", None);
    assert!(jpeg.bytes.starts_with(&[0xFF, 0xD8]));
    assert_eq!((jpeg.content_type, jpeg.format), ("image/jpeg", "JPEG"));
    let webp = rendered(&original, "-/format/webp/", None);
    assert!(webp.bytes.starts_with(b"RIFF") && &webp.bytes[8..12] == b"WEBP");
    assert_eq!(webp.content_type, "image/webp");
    let (format, _) = output(&original, "-/format/png/", None);
    assert_eq!(format, ImageFormat::Png);
    // `auto`, explicit or by default: WebP when accepted, else JPEG (opaque) or PNG (alpha).
    let browser = Some("image/avif,image/webp,*/*;q=0.8");
    assert_eq!(output(&original, "-/format/auto/", browser).0, ImageFormat::WebP);
    assert_eq!(output(&original, "-/resize/100x/", browser).0, ImageFormat::WebP);
    assert_eq!(
        output(&original, "-/resize/100x/", Some("*/*")).0,
        ImageFormat::Jpeg
    );
    assert_eq!(
        output(&original, "-/format/auto/", Some("image/webp;q=0")).0,
        ImageFormat::Jpeg
    );
    let transparent = encoded(&picture(40, 30, 128), ImageFormat::Png);
    assert_eq!(output(&transparent, "-/format/auto/", None).0, ImageFormat::Png);
    assert_eq!(
        output(&transparent, "-/format/preserve/", None).0,
        ImageFormat::Png
    );
    // JPEG paints transparency with the setfill colour.
    let (_, flat) = output(&transparent, "-/setfill/000/-/format/jpeg/", None);
    assert!(
        flat.get_pixel(30, 20).0[2] < 160,
        "half-transparent blue over black"
    );
    // Other inputs decode too.
    for format in [ImageFormat::Jpeg, ImageFormat::WebP, ImageFormat::Gif] {
        let original = encoded(&picture(40, 30, 255), format);
        assert_eq!(size(&original, "-/resize/20x/"), (20, 15), "{format:?}");
    }
    let jpeg = encoded(&picture(40, 30, 255), ImageFormat::Jpeg);
    assert_eq!(output(&jpeg, "-/format/preserve/", None).0, ImageFormat::Jpeg);
}

#[test]
fn quality_changes_jpeg_size() {
    let noisy = RgbaImage::from_fn(200, 200, |x, y| {
        Rgba([
            (x * 7 % 256) as u8,
            (y * 13 % 256) as u8,
            ((x ^ y) % 256) as u8,
            255,
        ])
    });
    let original = encoded(&noisy, ImageFormat::Png);
    let best = rendered(&original, "-/format/jpeg/-/quality/best/", None)
        .bytes
        .len();
    let lightest = rendered(&original, "-/format/jpeg/-/quality/lightest/", None)
        .bytes
        .len();
    assert!(lightest < best, "{lightest} < {best}");
    let progressive = rendered(&original, "-/format/jpeg/-/progressive/yes/", None);
    assert_eq!(progressive.skipped, ["progressive"]);
    assert!(rendered(&original, "-/format/jpeg/-/progressive/no/", None)
        .skipped
        .is_empty());
}

#[test]
fn colour_operations() {
    let original = png(40, 30);
    let (_, gray) = output(&original, "-/grayscale/-/format/png/", None);
    assert!(gray.pixels().all(|p| p.0[0] == p.0[1] && p.0[1] == p.0[2]));
    assert_ne!(gray.get_pixel(0, 0).0, gray.get_pixel(30, 20).0);
    let (_, inverted) = output(&original, "-/invert/-/format/png/", None);
    assert_eq!(inverted.get_pixel(30, 20).0, [255, 255, 0, 255]);
}

#[test]
fn rotations_and_flips() {
    let original = png(400, 300);
    assert_eq!(size(&original, "-/rotate/90/"), (300, 400));
    assert_eq!(size(&original, "-/rotate/180/"), (400, 300));
    assert_eq!(size(&original, "-/rotate/270/-/resize/150x/"), (150, 200));
    // Counterclockwise: the green top left corner ends at the bottom left.
    let (_, turned) = output(&original, "-/rotate/90/-/format/png/", None);
    assert_eq!(turned.get_pixel(5, 395).0[..3], [0, 255, 0]);
    let (_, flipped) = output(&original, "-/flip/-/format/png/", None);
    assert_eq!(flipped.get_pixel(5, 295).0[..3], [0, 255, 0]);
    let (_, mirrored) = output(&original, "-/mirror/-/format/png/", None);
    assert_eq!(mirrored.get_pixel(395, 5).0[..3], [0, 255, 0]);
    assert_eq!(size(&original, "-/autorotate/no/-/resize/40x/"), (40, 30));
}

#[test]
fn too_large_and_malformed_are_refused() {
    let original = png(400, 300);
    let refused = |chain: &str| {
        assert!(
            matches!(render(&original, chain, None), Err(RenderError::BadRequest(_))),
            "{chain}"
        )
    };
    refused("-/resize/3001x/");
    refused("-/preview/4000x4000/");
    refused("-/resize/6000x/-/format/jpeg/");
    refused("-/resize/0x/");
    refused("-/resize/abc/");
    refused("-/crop/101px10/");
    refused("-/rotate/45/");
    refused("-/format/gif/");
    refused("-/quality/ultra/");
    refused("-/setfill/zzz/");
    refused("-/stretch/maybe/");
    // Up to 5000 px with an explicit JPEG, and an intermediate size above 3000 is fine.
    let strip = png(400, 20);
    assert_eq!(size(&strip, "-/resize/4000x/-/format/jpeg/"), (4000, 200));
    assert_eq!(size(&strip, "-/resize/4000x/-/resize/400x/"), (400, 20));
}

#[test]
fn pass_through() {
    let text = b"hello, not an image";
    match render(text, "-/resize/200x/", None) {
        Ok(Outcome::PassThrough { reason }) => assert!(reason.contains("not an image"), "{reason}"),
        other => panic!("{other:?}"),
    }
    let original = png(40, 30);
    match render(&original, "-/blur/10/-/enhance/", None) {
        Ok(Outcome::PassThrough { reason }) => assert!(reason.contains("blur,enhance"), "{reason}"),
        other => panic!("{other:?}"),
    }
    // Mixed with rendered operations: applied, the rest listed.
    let mixed = rendered(&original, "-/blur/10/-/resize/20x/-/crop/face/", None);
    assert_eq!(
        (mixed.width, mixed.skipped.clone()),
        (20, vec!["blur".to_owned(), "crop/face".to_owned()])
    );
}

#[test]
fn info_endpoints_describe_the_output() {
    let original = png(400, 300);
    let json = rendered(&original, "-/resize/200x/-/format/webp/-/json/", None);
    assert_eq!((json.width, json.height, json.format), (200, 150, "WEBP"));
    assert!(json.bytes.is_empty());
    let plain = rendered(&original, "-/json/", None);
    assert_eq!((plain.width, plain.height, plain.format), (400, 300, "PNG"));
    let colors = rendered(&original, "-/scale_crop/100x100/center/-/main_colors/2/", None);
    let mut found = colors.main_colors.unwrap();
    found.sort();
    assert_eq!(found.len(), 2);
    assert!(found[0][2] > 200 && found[0][0] < 50, "blue: {found:?}");
    assert!(found[1][0] > 200 && found[1][2] < 50, "red: {found:?}");
    let default = rendered(&original, "-/main_colors/", None).main_colors.unwrap();
    assert!(!default.is_empty() && default.len() <= 4);
    assert_eq!(
        default[0][1], 0,
        "the most common colour first (red or blue): {default:?}"
    );
}
