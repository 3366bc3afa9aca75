//! CDN URL builders: each operation renders exactly as the URL API reference writes it.
#![cfg(feature = "cdn")]

use uploadcare::cdn::url::{
    Alignment, ArchiveFormat, ColorAdjustment, DocumentConversion, DocumentFormat, FileUrl, Filter, Format,
    Gif2VideoFormat, GroupUrl, Length, OverlaySource, Quality, ScaleCropMode, Srgb, Stretch, StripMeta,
    TextAlign, TextBox, TextVerticalAlign, VideoConversion, VideoFormat, VideoQuality, VideoResize,
};
use uploadcare::Error;

const U: &str = "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1";
const O: &str = "b18b5179-4fa0-4e8c-9cde-1f2ab9d3a1f0";
const B: &str = "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/";

fn f() -> FileUrl {
    FileUrl::new("https://ucarecdn.com", U).unwrap()
}

fn ok(url: uploadcare::Result<FileUrl>) -> String {
    url.unwrap().to_string()
}

fn rejected<T: std::fmt::Debug>(r: uploadcare::Result<T>) {
    match r {
        Err(Error::InvalidInput(m)) => assert!(!m.is_empty()),
        other => panic!("expected InvalidInput, got {other:?}"),
    }
}

#[test]
fn bare_and_bases() {
    assert_eq!(f().to_string(), B);
    assert_eq!(
        FileUrl::new("https://abc1234567.ucarecd.net/", U)
            .unwrap()
            .to_string(),
        "https://abc1234567.ucarecd.net/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/"
    );
    let uuid: uuid::Uuid = U.parse().unwrap();
    assert_eq!(
        FileUrl::from_parts(uuid, "https://ucarecdn.com/")
            .unwrap()
            .to_string(),
        B
    );
    rejected(FileUrl::new("https://ucarecdn.com", "not-a-uuid"));
    rejected(FileUrl::new("ftp://ucarecdn.com", U));
}

#[test]
fn resize_operations() {
    assert_eq!(f().preview_default().to_string(), format!("{B}-/preview/"));
    assert_eq!(ok(f().preview(300, 400)), format!("{B}-/preview/300x400/"));
    assert_eq!(ok(f().resize(800, 600)), format!("{B}-/resize/800x600/"));
    assert_eq!(ok(f().resize_width(800)), format!("{B}-/resize/800x/"));
    assert_eq!(ok(f().resize_height(600)), format!("{B}-/resize/x600/"));
    assert_eq!(
        ok(f().smart_resize(440, 600)),
        format!("{B}-/smart_resize/440x600/")
    );
    assert_eq!(
        f().stretch(Stretch::Fill).to_string(),
        format!("{B}-/stretch/fill/")
    );
    assert_eq!(
        f().stretch(Stretch::Off).to_string(),
        format!("{B}-/stretch/off/")
    );
    assert_eq!(ok(f().setfill("#ECE3D2")), format!("{B}-/setfill/ece3d2/"));
}

#[test]
fn crop_operations() {
    assert_eq!(
        ok(f().crop(Length::Px(300), Length::Px(200), None)),
        format!("{B}-/crop/300x200/")
    );
    assert_eq!(
        ok(f().crop(Length::Px(300), Length::Px(200), Some(Alignment::Center))),
        format!("{B}-/crop/300x200/center/")
    );
    assert_eq!(
        ok(f().crop(Length::Px(300), Length::Px(200), Some(Alignment::Top))),
        format!("{B}-/crop/300x200/top/")
    );
    assert_eq!(
        ok(f().crop(Length::Percent(50), Length::Percent(50), Some(Alignment::Center))),
        format!("{B}-/crop/50px50p/center/")
    );
    assert_eq!(
        ok(f().crop(
            Length::Px(300),
            Length::Px(200),
            Some(Alignment::Offset(Length::Px(10), Length::Px(20)))
        )),
        format!("{B}-/crop/300x200/10,20/")
    );
    assert_eq!(
        ok(f().crop(
            Length::Px(300),
            Length::Px(200),
            Some(Alignment::Offset(Length::Percent(25), Length::Percent(75)))
        )),
        format!("{B}-/crop/300x200/25p,75p/")
    );
    assert_eq!(
        ok(f().crop_ratio(16, 9, Alignment::Center)),
        format!("{B}-/crop/16:9/center/")
    );
    assert_eq!(f().crop_face().to_string(), format!("{B}-/crop/face/"));
    assert_eq!(
        ok(f().scale_crop(300, 300, None)),
        format!("{B}-/scale_crop/300x300/")
    );
    assert_eq!(
        ok(f().scale_crop(300, 300, Some(ScaleCropMode::Center))),
        format!("{B}-/scale_crop/300x300/center/")
    );
    assert_eq!(
        ok(f().scale_crop(300, 300, Some(ScaleCropMode::Smart))),
        format!("{B}-/scale_crop/300x300/smart/")
    );
    assert_eq!(
        ok(f().scale_crop(300, 300, Some(ScaleCropMode::SmartFacesObjects))),
        format!("{B}-/scale_crop/300x300/smart_faces_objects/")
    );
    assert_eq!(
        ok(f().border_radius(Length::Px(20))),
        format!("{B}-/border_radius/20/")
    );
    assert_eq!(
        ok(f().border_radius(Length::Percent(50))),
        format!("{B}-/border_radius/50p/")
    );
    assert_eq!(
        ok(f().border_radius_corners(
            &[Length::Px(10), Length::Percent(20), Length::Px(0), Length::Px(40)],
            None
        )),
        format!("{B}-/border_radius/10,20p,0,40/")
    );
    assert_eq!(
        ok(f().border_radius_corners(&[Length::Px(30)], Some(&[Length::Px(10), Length::Px(20)]))),
        format!("{B}-/border_radius/30/10,20/")
    );
}

#[test]
fn compression_operations() {
    assert_eq!(f().format(Format::Auto).to_string(), format!("{B}-/format/auto/"));
    assert_eq!(f().format(Format::Jpeg).to_string(), format!("{B}-/format/jpeg/"));
    assert_eq!(f().format(Format::Png).to_string(), format!("{B}-/format/png/"));
    assert_eq!(f().format(Format::Webp).to_string(), format!("{B}-/format/webp/"));
    assert_eq!(
        f().format(Format::Preserve).to_string(),
        format!("{B}-/format/preserve/")
    );
    assert_eq!(
        f().quality(Quality::Normal).to_string(),
        format!("{B}-/quality/normal/")
    );
    assert_eq!(
        f().quality(Quality::Lightest).to_string(),
        format!("{B}-/quality/lightest/")
    );
    assert_eq!(
        f().quality(Quality::SmartRetina).to_string(),
        format!("{B}-/quality/smart_retina/")
    );
    assert_eq!(
        f().progressive(true).to_string(),
        format!("{B}-/progressive/yes/")
    );
    assert_eq!(
        f().progressive(false).to_string(),
        format!("{B}-/progressive/no/")
    );
    assert_eq!(
        f().strip_meta(StripMeta::Sensitive).to_string(),
        format!("{B}-/strip_meta/sensitive/")
    );
    assert_eq!(
        f().srgb(Srgb::KeepProfile).to_string(),
        format!("{B}-/srgb/keep_profile/")
    );
    assert_eq!(f().max_icc_size(10).to_string(), format!("{B}-/max_icc_size/10/"));
}

#[test]
fn rotation_operations() {
    assert_eq!(f().autorotate(false).to_string(), format!("{B}-/autorotate/no/"));
    assert_eq!(ok(f().rotate(90)), format!("{B}-/rotate/90/"));
    assert_eq!(f().flip().to_string(), format!("{B}-/flip/"));
    assert_eq!(f().mirror().to_string(), format!("{B}-/mirror/"));
}

#[test]
fn color_operations() {
    assert_eq!(f().grayscale().to_string(), format!("{B}-/grayscale/"));
    assert_eq!(f().invert().to_string(), format!("{B}-/invert/"));
    assert_eq!(ok(f().enhance(None)), format!("{B}-/enhance/"));
    assert_eq!(ok(f().enhance(Some(80))), format!("{B}-/enhance/80/"));
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Brightness, -20)),
        format!("{B}-/brightness/-20/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Exposure, 500)),
        format!("{B}-/exposure/500/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Gamma, 1000)),
        format!("{B}-/gamma/1000/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Contrast, 500)),
        format!("{B}-/contrast/500/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Saturation, -100)),
        format!("{B}-/saturation/-100/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Vibrance, 50)),
        format!("{B}-/vibrance/50/")
    );
    assert_eq!(
        ok(f().adjust_color(ColorAdjustment::Warmth, 100)),
        format!("{B}-/warmth/100/")
    );
    assert_eq!(
        ok(f().filter(Filter::Adaris, None)),
        format!("{B}-/filter/adaris/")
    );
    assert_eq!(
        ok(f().filter(Filter::Zevcen, Some(-50))),
        format!("{B}-/filter/zevcen/-50/")
    );
}

#[test]
fn blur_and_sharpen() {
    assert_eq!(ok(f().blur(None)), format!("{B}-/blur/"));
    assert_eq!(ok(f().blur(Some(100))), format!("{B}-/blur/100/"));
    assert_eq!(
        ok(f().blur_region(
            Length::Px(100),
            Length::Px(80),
            Length::Px(10),
            Length::Px(20),
            None
        )),
        format!("{B}-/blur_region/100x80/10,20/")
    );
    assert_eq!(
        ok(f().blur_region(
            Length::Percent(30),
            Length::Percent(20),
            Length::Percent(5),
            Length::Percent(5),
            Some(150)
        )),
        format!("{B}-/blur_region/30px20p/5p,5p/150/")
    );
    assert_eq!(ok(f().blur_faces(None)), format!("{B}-/blur_region/faces/"));
    assert_eq!(
        ok(f().blur_faces(Some(200))),
        format!("{B}-/blur_region/faces/200/")
    );
    assert_eq!(ok(f().unsharp(10, -50)), format!("{B}-/blur/10/-50/"));
    assert_eq!(ok(f().unsharp(0, 100)), format!("{B}-/blur/0/100/"));
    assert_eq!(ok(f().sharp(None)), format!("{B}-/sharp/"));
    assert_eq!(ok(f().sharp(Some(20))), format!("{B}-/sharp/20/"));
    assert_eq!(ok(f().zoom_objects(50)), format!("{B}-/zoom_objects/50/"));
}

#[test]
fn overlays() {
    let other: uuid::Uuid = O.parse().unwrap();
    assert_eq!(
        f().overlay(OverlaySource::File(other)).to_string(),
        format!("{B}-/overlay/b18b5179-4fa0-4e8c-9cde-1f2ab9d3a1f0/")
    );
    assert_eq!(
        f().overlay(OverlaySource::SelfImage).to_string(),
        format!("{B}-/overlay/self/")
    );
    assert_eq!(
        ok(f().overlay_placed(
            OverlaySource::File(other),
            Length::Percent(50),
            Length::Percent(50),
            Alignment::Center,
            40
        )),
        format!("{B}-/overlay/b18b5179-4fa0-4e8c-9cde-1f2ab9d3a1f0/50px50p/center/40p/")
    );
    assert_eq!(
        ok(f().overlay_placed(
            OverlaySource::SelfImage,
            Length::Px(100),
            Length::Px(100),
            Alignment::Offset(Length::Percent(10), Length::Percent(90)),
            100
        )),
        format!("{B}-/overlay/self/100x100/10p,90p/100p/")
    );
    assert_eq!(
        ok(f().rect(
            "ff0000",
            Length::Percent(100),
            Length::Percent(10),
            Alignment::Bottom
        )),
        format!("{B}-/rect/ff0000/100px10p/bottom/")
    );
    assert_eq!(
        ok(f().text(
            Length::Percent(90),
            Length::Percent(10),
            Alignment::Center,
            "Hello world!"
        )),
        format!("{B}-/text/90px10p/center/Hello%20world%21/")
    );
    // The URL API's text escapes: `~` → `~~`, `/` → `~s`, line break → `~n`, then percent.
    assert_eq!(
        ok(f().text(
            Length::Px(300),
            Length::Px(60),
            Alignment::Offset(Length::Px(10), Length::Px(20)),
            "a/b ~c\nd?"
        )),
        format!("{B}-/text/300x60/10,20/a~sb%20~~c~nd%3F/")
    );
    // Styling comes before the text it applies to.
    let styled = f()
        .font(36, "#FFFFFF")
        .unwrap()
        .text_align(TextAlign::Center, TextVerticalAlign::Bottom)
        .text_box(TextBox::Fill, Some("000000aa"), Some(8))
        .unwrap()
        .text(Length::Percent(100), Length::Percent(20), Alignment::Bottom, "Hi")
        .unwrap();
    assert_eq!(
        styled.to_string(),
        format!("{B}-/font/36/ffffff/-/text_align/center/bottom/-/text_box/fill/000000aa/8/-/text/100px20p/bottom/Hi/")
    );
    assert_eq!(
        ok(f().text_box(TextBox::Line, None, None)),
        format!("{B}-/text_box/line/")
    );
    // Overlay parameters are each optional; their order stays.
    let other: uuid::Uuid = O.parse().unwrap();
    assert_eq!(
        ok(f().overlay_with(
            OverlaySource::File(other),
            Some((Length::Percent(50), Length::Px(50))),
            None,
            Some(20)
        )),
        format!("{B}-/overlay/{O}/50px50/20p/")
    );
    assert_eq!(
        ok(f().overlay_with(OverlaySource::SelfImage, None, Some(Alignment::Center), None)),
        format!("{B}-/overlay/self/center/")
    );
    assert_eq!(
        ok(f().overlay_with(OverlaySource::SelfImage, None, None, None)),
        format!("{B}-/overlay/self/")
    );
}

#[test]
fn delivery_and_info() {
    assert_eq!(f().inline(true).to_string(), format!("{B}-/inline/yes/"));
    assert_eq!(f().inline(false).to_string(), format!("{B}-/inline/no/"));
    assert_eq!(f().json().to_string(), format!("{B}-/json/"));
    assert_eq!(ok(f().main_colors(None)), format!("{B}-/main_colors/"));
    assert_eq!(
        ok(f().preview(400, 400).unwrap().main_colors(Some(8))),
        format!("{B}-/preview/400x400/-/main_colors/8/")
    );
    assert_eq!(ok(f().detect_faces()), format!("{B}detect_faces/"));
    assert_eq!(f().rasterize().to_string(), format!("{B}-/rasterize/"));
    assert_eq!(f().gif2video(None, None).to_string(), format!("{B}gif2video/"));
    assert_eq!(
        f().gif2video(Some(Gif2VideoFormat::Webm), Some(Quality::Better))
            .to_string(),
        format!("{B}gif2video/-/format/webm/-/quality/better/")
    );
    assert_eq!(
        f().gif2video(Some(Gif2VideoFormat::Mp4), None).to_string(),
        format!("{B}gif2video/-/format/mp4/")
    );
}

#[test]
fn chains_and_file_names() {
    let url = f()
        .resize_width(800)
        .unwrap()
        .enhance(Some(100))
        .unwrap()
        .format(Format::Jpeg)
        .quality(Quality::Smart)
        .progressive(true)
        .filename("photo.jpg")
        .unwrap();
    assert_eq!(
        url.to_string(),
        format!("{B}-/resize/800x/-/enhance/100/-/format/jpeg/-/quality/smart/-/progressive/yes/photo.jpg")
    );
    assert_eq!(
        ok(f().filename("my photo #1.jpg")),
        format!("{B}my%20photo%20%231.jpg")
    );
    assert_eq!(
        ok(f().filename("снимок.png")),
        format!("{B}%D1%81%D0%BD%D0%B8%D0%BC%D0%BE%D0%BA.png")
    );
    assert_eq!(
        ok(f().inline(false).filename("report?.pdf")),
        format!("{B}-/inline/no/report%3F.pdf")
    );
    rejected(f().filename(""));
    rejected(f().filename("a/b.jpg"));
}

#[test]
fn invalid_values_are_errors() {
    // Geometry is checked against 5000 px unless the project's limit is raised.
    rejected(f().preview(5001, 100));
    assert!(f().preview(5000, 5000).is_ok());
    rejected(f().preview(0, 100));
    rejected(f().resize(5001, 10));
    assert!(f().resize(5000, 5000).is_ok());
    rejected(f().resize_width(0));
    rejected(f().smart_resize(10, 5001));
    rejected(f().scale_crop(6000, 10, Some(ScaleCropMode::Smart)));
    rejected(f().crop(Length::Px(5001), Length::Px(10), None));
    let raised = f().dimension_limit(8192).unwrap();
    assert_eq!(
        ok(raised.clone().scale_crop(8192, 6000, None)),
        format!("{B}-/scale_crop/8192x6000/")
    );
    rejected(raised.preview(8193, 10));
    rejected(f().dimension_limit(16385));
    rejected(f().dimension_limit(0));
    rejected(f().unsharp(5001, 0));
    rejected(f().unsharp(10, -201));
    rejected(f().unsharp(10, 101));
    rejected(f().border_radius_corners(&[], None));
    rejected(f().border_radius_corners(&[Length::Px(1); 5], None));
    rejected(f().border_radius_corners(&[Length::Px(1)], Some(&[Length::Percent(101)])));
    rejected(f().font(0, "fff"));
    rejected(f().font(12, "white"));
    rejected(f().text_box(TextBox::Fill, Some("nothex"), None));
    rejected(f().overlay_with(OverlaySource::SelfImage, None, None, Some(101)));
    rejected(f().main_colors(Some(0)));
    rejected(f().main_colors(Some(65)));
    rejected(f().resize_width(10).unwrap().detect_faces());
    rejected(f().filename("a.jpg").unwrap().detect_faces());
    rejected(f().crop(Length::Percent(101), Length::Px(10), None));
    rejected(f().crop(
        Length::Px(10),
        Length::Px(10),
        Some(Alignment::Offset(Length::Percent(150), Length::Px(0))),
    ));
    rejected(f().crop_ratio(0, 9, Alignment::Center));
    rejected(f().setfill("zzzzzz"));
    rejected(f().setfill("12345"));
    rejected(f().rotate(45));
    rejected(f().rotate(360));
    rejected(f().enhance(Some(101)));
    rejected(f().adjust_color(ColorAdjustment::Brightness, 101));
    rejected(f().adjust_color(ColorAdjustment::Exposure, -501));
    rejected(f().adjust_color(ColorAdjustment::Gamma, -1));
    rejected(f().adjust_color(ColorAdjustment::Contrast, 501));
    rejected(f().adjust_color(ColorAdjustment::Saturation, -101));
    rejected(f().adjust_color(ColorAdjustment::Vibrance, 501));
    rejected(f().adjust_color(ColorAdjustment::Warmth, -101));
    rejected(f().filter(Filter::Adaris, Some(201)));
    rejected(f().filter(Filter::Adaris, Some(-101)));
    rejected(f().blur(Some(5001)));
    rejected(f().blur_faces(Some(5001)));
    rejected(f().sharp(Some(21)));
    rejected(f().zoom_objects(0));
    rejected(f().zoom_objects(101));
    rejected(f().overlay_placed(
        OverlaySource::SelfImage,
        Length::Px(10),
        Length::Px(10),
        Alignment::Center,
        101,
    ));
    rejected(f().border_radius(Length::Percent(101)));
    rejected(f().text(Length::Px(10), Length::Px(10), Alignment::Center, ""));
}

#[test]
fn groups() {
    let g = GroupUrl::new("https://ucarecdn.com/", &format!("{U}~3")).unwrap();
    assert_eq!(g.to_string(), format!("https://ucarecdn.com/{U}~3/"));
    assert_eq!(
        g.nth(0).unwrap().to_string(),
        format!("https://ucarecdn.com/{U}~3/nth/0/")
    );
    assert_eq!(
        g.nth(2).unwrap().preview(100, 100).unwrap().to_string(),
        format!("https://ucarecdn.com/{U}~3/nth/2/-/preview/100x100/")
    );
    rejected(g.nth(3));
    assert_eq!(
        g.archive(ArchiveFormat::Zip).to_string(),
        format!("https://ucarecdn.com/{U}~3/archive/zip/")
    );
    assert_eq!(
        g.archive(ArchiveFormat::Tar).to_string(),
        format!("https://ucarecdn.com/{U}~3/archive/tar/")
    );
    assert_eq!(
        g.archive(ArchiveFormat::Zip)
            .filename("all photos.zip")
            .unwrap()
            .to_string(),
        format!("https://ucarecdn.com/{U}~3/archive/zip/all%20photos.zip")
    );
    rejected(GroupUrl::new("https://ucarecdn.com", U));
    rejected(GroupUrl::new("https://ucarecdn.com", &format!("{U}~0")));
    rejected(GroupUrl::new("https://ucarecdn.com", "nope~2"));
}

#[test]
fn document_conversion_paths() {
    let uuid: uuid::Uuid = U.parse().unwrap();
    assert_eq!(
        DocumentConversion::new(uuid, DocumentFormat::Pdf).to_string(),
        format!("{U}/document/-/format/pdf/")
    );
    assert_eq!(
        DocumentConversion::new(uuid, DocumentFormat::Png)
            .page(1)
            .unwrap()
            .to_string(),
        format!("{U}/document/-/format/png/-/page/1/")
    );
    assert_eq!(
        DocumentConversion::new(uuid, DocumentFormat::Jpg)
            .page(12)
            .unwrap()
            .to_string(),
        format!("{U}/document/-/format/jpg/-/page/12/")
    );
    assert_eq!(
        DocumentConversion::new(uuid, DocumentFormat::EnhancedJpg)
            .page(2)
            .unwrap()
            .to_string(),
        format!("{U}/document/-/format/enhanced.jpg/-/page/2/")
    );
    rejected(DocumentConversion::new(uuid, DocumentFormat::Docx).page(1));
    rejected(DocumentConversion::new(uuid, DocumentFormat::Png).page(0));
}

#[test]
fn video_conversion_paths() {
    let uuid: uuid::Uuid = U.parse().unwrap();
    assert_eq!(VideoConversion::new(uuid).to_string(), format!("{U}/video/"));
    assert_eq!(
        VideoConversion::new(uuid).format(VideoFormat::Ogg).to_string(),
        format!("{U}/video/-/format/ogg/")
    );
    let full = VideoConversion::new(uuid)
        .format(VideoFormat::Mp4)
        .size(Some(640), Some(480), Some(VideoResize::AddPadding))
        .unwrap()
        .quality(VideoQuality::Best)
        .cut("0:00:10.500", "0:01:00")
        .unwrap()
        .thumbs(10)
        .unwrap();
    assert_eq!(
        full.to_string(),
        format!("{U}/video/-/format/mp4/-/size/640x480/add_padding/-/quality/best/-/cut/0:00:10.500/0:01:00/-/thumbs~10/")
    );
    assert_eq!(
        VideoConversion::new(uuid)
            .size(Some(640), None, None)
            .unwrap()
            .to_string(),
        format!("{U}/video/-/size/640x/")
    );
    assert_eq!(
        VideoConversion::new(uuid)
            .format(VideoFormat::Webm)
            .size(Some(1280), Some(720), Some(VideoResize::ScaleCrop))
            .unwrap()
            .cut("00:30", "end")
            .unwrap()
            .to_string(),
        format!("{U}/video/-/format/webm/-/size/1280x720/scale_crop/-/cut/00:30/end/")
    );
    rejected(VideoConversion::new(uuid).size(None, None, None));
    rejected(VideoConversion::new(uuid).size(Some(0), Some(10), None));
    rejected(VideoConversion::new(uuid).thumbs(0));
    rejected(VideoConversion::new(uuid).thumbs(51));
    rejected(VideoConversion::new(uuid).cut("ten", "end"));
    rejected(VideoConversion::new(uuid).cut("0:00:10", "1:99"));
}

#[test]
fn an_operation_without_a_typed_method_can_still_be_added_checked() {
    let url =
        uploadcare::cdn::url::FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")
            .unwrap()
            .operation("main_colors", "4")
            .unwrap()
            .operation("grayscale", "")
            .unwrap();
    assert_eq!(
        url.to_string(),
        "https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/-/main_colors/4/-/grayscale/"
    );
    let base = || {
        uploadcare::cdn::url::FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")
            .unwrap()
    };
    for (name, args) in [
        ("Resize", "8x"),
        ("", "x"),
        ("resize", "8 0"),
        ("resize", "8x/-/format/png"),
        ("a", "b?c"),
    ] {
        assert!(base().operation(name, args).is_err(), "{name} {args}");
    }
}

/// Every name of the URL API's operation list (which the emulator checks chains against)
/// has a typed method reachable from text: `FileUrl::apply` (and so `FileUrl::chain`)
/// knows it. Arguments are not the point here: a wrong arity is a different error.
#[test]
fn every_listed_operation_has_a_typed_method() {
    use uploadcare::cdn::url::OPERATIONS;
    // Names of conversion paths (`<uuid>/video/-/size/…`), built by `VideoConversion` and
    // `DocumentConversion`, not by `FileUrl`.
    const CONVERSION_PATH_NAMES: [&str; 5] = ["size", "cut", "thumbs", "page", "dpi"];
    let url = || FileUrl::new("https://ucarecdn.com", "a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1").unwrap();
    let unknown: Vec<&str> = OPERATIONS
        .iter()
        .copied()
        .filter(|name| !CONVERSION_PATH_NAMES.contains(name))
        .filter(|name| {
            let by_name = url().apply(name, "").err().map(|e| e.to_string());
            let in_chain = url().chain(&format!("-/{name}/")).err().map(|e| e.to_string());
            [by_name, in_chain]
                .iter()
                .flatten()
                .any(|message| message.contains("not an operation with a typed method"))
        })
        .collect();
    assert!(
        unknown.is_empty(),
        "listed operations without a typed method: {unknown:?}"
    );
}
