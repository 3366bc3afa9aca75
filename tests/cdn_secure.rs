//! Secure delivery end to end: URLs signed by `uploadcare::cdn::secure` fetched from the
//! emulator's CDN with a signing secret set, tampered, expired and unsigned ones refused;
//! `-/json/` file info and malformed operation chains.
#![cfg(feature = "cdn")]

use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};
use uploadcare::cdn::secure::{SecureDelivery, TokenKind, UrlSigner};
use uploadcare_emulator::Emulator;

/// The docs' test-environment secret.
const SECRET: &str = "73636b6151";

fn png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 2, 0, 0, 0]);
    png
}

fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

async fn get(url: &str) -> (u16, Vec<u8>) {
    let response = reqwest::get(url).await.unwrap();
    let status = response.status().as_u16();
    (status, response.bytes().await.unwrap().to_vec())
}

async fn secure_emulator() -> Emulator {
    Emulator::builder()
        .secure_delivery_secret(SECRET)
        .start()
        .await
        .unwrap()
}

#[tokio::test]
async fn signed_urls_fetch_the_file() {
    let emulator = secure_emulator().await;
    let uuid = emulator
        .state()
        .add_file("hello.txt", "text/plain", "hello", Some(true));
    let base = emulator.config().cdn_base_url();
    assert_eq!(base, emulator.cdn_base_url());
    let signer = SecureDelivery::new(SECRET).unwrap();

    // ACL token for the exact path (the default).
    let url = signer.sign_url(&base, &format!("/{uuid}/"));
    assert_eq!(get(&url).await, (200, b"hello".to_vec()));
    // URL token.
    let url = signer
        .clone()
        .with_token_kind(TokenKind::Url)
        .sign_url(&base, &format!("/{uuid}/hello.txt"));
    assert_eq!(get(&url).await, (200, b"hello".to_vec()));
    // A wildcard ACL covers every variant of the file.
    let exp = now() + 60;
    for path in [
        format!("/{uuid}/"),
        format!("/{uuid}/-/inline/yes/"),
        format!("/{uuid}/x y.txt"),
    ] {
        let url = signer.sign_url_with_acl(&base, &path, &format!("/{uuid}/*"), exp);
        assert_eq!(get(&url).await, (200, b"hello".to_vec()), "{url}");
    }
    // The UrlSigner hook.
    let signed = UrlSigner::sign(&signer, &format!("/{uuid}/")).unwrap();
    assert_eq!(get(&format!("{base}{signed}")).await.0, 200);
}

#[tokio::test]
async fn tampered_expired_and_unsigned_urls_are_refused() {
    let emulator = secure_emulator().await;
    let uuid = emulator
        .state()
        .add_file("hello.txt", "text/plain", "hello", Some(true));
    let other = emulator
        .state()
        .add_file("other.txt", "text/plain", "other", Some(true));
    let base = emulator.cdn_base_url().to_owned();
    let signer = SecureDelivery::new(SECRET).unwrap();
    let exp = now() + 60;

    // Missing token.
    assert_eq!(get(&format!("{base}/{uuid}/")).await.0, 403);
    assert_eq!(get(&format!("{base}/{uuid}/-/json/")).await.0, 403);
    // A token for another file (ACL and URL variants).
    let url = signer.sign_url_at(&base, &format!("/{uuid}/"), exp);
    let tampered = url.replace(&uuid.to_string(), &other.to_string());
    assert_eq!(get(&tampered).await.0, 403);
    let url = signer
        .clone()
        .with_token_kind(TokenKind::Url)
        .sign_url_at(&base, &format!("/{uuid}/"), exp);
    let tampered = url.replacen(&uuid.to_string(), &other.to_string(), 1);
    assert_eq!(get(&tampered).await.0, 403);
    assert_eq!(get(&url).await.0, 200);
    // An exact ACL does not cover variants.
    let url = signer.sign_url_with_acl(
        &base,
        &format!("/{uuid}/-/inline/yes/"),
        &format!("/{uuid}/"),
        exp,
    );
    assert_eq!(get(&url).await.0, 403);
    // A changed hmac.
    let url = signer.sign_url_at(&base, &format!("/{uuid}/"), exp);
    let last = url.chars().last().unwrap();
    let flipped = if last == '0' { '1' } else { '0' };
    let tampered = format!("{}{flipped}", &url[..url.len() - 1]);
    assert_eq!(get(&tampered).await.0, 403);
    // A changed exp (the hmac covers it).
    let tampered = url.replace(&format!("exp={exp}"), &format!("exp={}", exp + 1000));
    assert_eq!(get(&tampered).await.0, 403);
    // Expired.
    let url = signer.sign_url_at(&base, &format!("/{uuid}/"), now() - 1);
    assert_eq!(get(&url).await.0, 403);
    // Signed with another secret.
    let url = SecureDelivery::new("00112233")
        .unwrap()
        .sign_url_at(&base, &format!("/{uuid}/"), exp);
    assert_eq!(get(&url).await.0, 403);
}

#[tokio::test]
async fn json_info_and_malformed_chains() {
    // Without a secret, the CDN serves unsigned requests as before.
    let emulator = Emulator::start().await.unwrap();
    let image = emulator
        .state()
        .add_file("a.png", "image/png", png(640, 480), Some(true));
    let text = emulator
        .state()
        .add_file("a.txt", "text/plain", "hello", Some(true));
    let base = emulator.config().cdn_base_url();

    let (status, body) = get(&format!("{base}/{image}/-/json/")).await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["id"], image.to_string());
    assert_eq!(info["format"], "PNG");
    assert_eq!(info["width"], 640);
    assert_eq!(info["height"], 480);
    let (status, body) = get(&format!("{base}/{image}/-/resize/100x/-/json/")).await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_slice::<Value>(&body).unwrap()["id"],
        image.to_string()
    );
    let (status, body) = get(&format!("{base}/{text}/-/json/")).await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["id"], text.to_string());
    assert!(info.get("width").is_none());

    assert_eq!(get(&format!("{base}/{text}/")).await, (200, b"hello".to_vec()));
    assert_eq!(get(&format!("{base}/{text}/a.txt")).await.0, 200);
    assert_eq!(get(&format!("{base}/{image}/-/resize/100x/")).await.0, 200);
    // Malformed chains.
    assert_eq!(get(&format!("{base}/{image}/-/")).await.0, 400);
    assert_eq!(get(&format!("{base}/{image}/-/resize/100x/-/")).await.0, 400);
    assert_eq!(get(&format!("{base}/{image}/-/nosuchop/1/")).await.0, 400);

    // With secure delivery, `-/json/` needs a token too.
    let emulator = secure_emulator().await;
    let image = emulator
        .state()
        .add_file("a.png", "image/png", png(2, 3), Some(true));
    let base = emulator.config().cdn_base_url();
    let url = SecureDelivery::new(SECRET)
        .unwrap()
        .sign_url(&base, &format!("/{image}/-/json/"));
    let (status, body) = get(&url).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap()["width"], 2);
}

#[tokio::test]
async fn a_bad_secret_refuses_to_start() {
    let err = Emulator::builder()
        .secure_delivery_secret("s3cr3t-zz")
        .start()
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    assert!(!err.to_string().contains("s3cr3t-zz"));
}

/// `Cdn` — the handle users start from — turns the API's own answers (a REST `File`, an
/// Upload API file and group) into URLs on the project's base, signed when secure delivery
/// is on, which the CDN then serves.
#[cfg(all(feature = "v0_7", feature = "upload"))]
#[tokio::test]
async fn cdn_handle_builds_signed_urls_from_api_answers() {
    use uploadcare::cdn::url::CdnPath;

    let emulator = secure_emulator().await;
    let config = emulator.config().with_cdn_base_url(emulator.cdn_base_url());
    let upload = uploadcare::upload::Client::from_config(config.clone()).unwrap();
    let rest = uploadcare::v0_7::Client::from_config(config).unwrap();

    let uploaded = upload
        .upload(b"hello cdn".to_vec())
        .filename("hello.txt")
        .send()
        .await
        .unwrap();
    let group = upload.create_group([uploaded.uuid]).await.unwrap();
    let file = rest
        .file_info()
        .uuid(uploaded.uuid.to_string())
        .send()
        .await
        .unwrap()
        .into_inner();

    let plain = rest.cdn().unwrap();
    assert_eq!(plain.base(), emulator.cdn_base_url().trim_end_matches('/'));
    assert!(!plain.is_signed());
    let by_rest = plain.file_of(&file).filename("hello.txt").unwrap();
    let by_upload = plain.file_of(&uploaded).filename("hello.txt").unwrap();
    assert_eq!(by_rest, by_upload);
    assert_eq!(by_rest.path(), format!("/{}/hello.txt", uploaded.uuid));
    // Unsigned, the secure CDN refuses it.
    assert_eq!(get(&plain.url(&by_rest).unwrap()).await.0, 403);

    let cdn = plain.with_secure_delivery(SecureDelivery::new(SECRET).unwrap());
    assert!(cdn.is_signed());
    let signed = cdn.url(&by_rest).unwrap();
    assert!(signed.starts_with(&format!("{by_rest}?token=exp=")), "{signed}");
    assert_eq!(get(&signed).await, (200, b"hello cdn".to_vec()));

    let group_url = cdn.group_of(&group).unwrap();
    assert_eq!(
        group_url.to_string(),
        format!("{}/{}/", cdn.base(), group.id.as_deref().unwrap())
    );
    let first = cdn.url(&group_url.nth(0).unwrap()).unwrap();
    assert_eq!(get(&first).await, (200, b"hello cdn".to_vec()));
    // The legacy domain in the service's answers moves onto the project's base.
    assert_eq!(
        cdn.rewrite(&format!("https://ucarecdn.com/{}/", uploaded.uuid)),
        format!("{}/{}/", cdn.base(), uploaded.uuid)
    );
}

/// Every typed operation renders a chain the (emulated) CDN accepts, and the info URLs parse
/// into the typed answers.
#[tokio::test]
async fn every_typed_operation_is_accepted_and_info_urls_parse() {
    use uploadcare::cdn::info::{FaceDetection, ImageInfo, MainColors};
    use uploadcare::cdn::url::*;

    let emulator = Emulator::start().await.unwrap();
    let image = emulator
        .state()
        .add_file("a.png", "image/png", png(640, 480), Some(true));
    let other = emulator
        .state()
        .add_file("b.png", "image/png", png(10, 10), Some(true));
    let cdn = emulator.config().cdn().unwrap();
    let px = Length::Px;
    let pc = Length::Percent;
    let at = Alignment::Offset(pc(10), px(20));
    let chains: Vec<FileUrl> = vec![
        cdn.file_by_uuid(image).preview_default(),
        cdn.file_by_uuid(image)
            .preview(100, 100)
            .unwrap()
            .resize(50, 50)
            .unwrap(),
        cdn.file_by_uuid(image)
            .resize_width(10)
            .unwrap()
            .resize_height(10)
            .unwrap(),
        cdn.file_by_uuid(image).smart_resize(10, 10).unwrap(),
        cdn.file_by_uuid(image)
            .crop(pc(50), px(10), Some(at))
            .unwrap()
            .crop_ratio(16, 9, Alignment::Center)
            .unwrap(),
        cdn.file_by_uuid(image)
            .crop_face()
            .scale_crop(10, 10, Some(ScaleCropMode::SmartFaces))
            .unwrap(),
        cdn.file_by_uuid(image)
            .stretch(Stretch::Fill)
            .setfill("#fff")
            .unwrap(),
        cdn.file_by_uuid(image)
            .border_radius(px(4))
            .unwrap()
            .border_radius_corners(&[px(1), pc(2)], Some(&[px(3)]))
            .unwrap(),
        cdn.file_by_uuid(image)
            .format(Format::Webp)
            .quality(Quality::SmartRetina)
            .progressive(true),
        cdn.file_by_uuid(image)
            .strip_meta(StripMeta::Sensitive)
            .autorotate(false)
            .rotate(270)
            .unwrap(),
        cdn.file_by_uuid(image).flip().mirror().grayscale().invert(),
        cdn.file_by_uuid(image)
            .enhance(Some(40))
            .unwrap()
            .sharp(None)
            .unwrap(),
        cdn.file_by_uuid(image)
            .adjust_color(ColorAdjustment::Warmth, 50)
            .unwrap()
            .adjust_color(ColorAdjustment::Gamma, 200)
            .unwrap(),
        cdn.file_by_uuid(image).filter(Filter::Vevera, Some(50)).unwrap(),
        cdn.file_by_uuid(image)
            .blur(Some(10))
            .unwrap()
            .unsharp(10, -20)
            .unwrap(),
        cdn.file_by_uuid(image)
            .blur_region(px(10), px(10), px(0), px(0), Some(5))
            .unwrap()
            .blur_faces(None)
            .unwrap(),
        cdn.file_by_uuid(image).zoom_objects(40).unwrap(),
        cdn.file_by_uuid(image).overlay(OverlaySource::File(other)),
        cdn.file_by_uuid(image)
            .overlay_placed(OverlaySource::SelfImage, pc(50), pc(50), Alignment::Right, 50)
            .unwrap(),
        cdn.file_by_uuid(image)
            .overlay_with(OverlaySource::SelfImage, None, Some(at), None)
            .unwrap(),
        cdn.file_by_uuid(image)
            .font(20, "000")
            .unwrap()
            .text_align(TextAlign::Right, TextVerticalAlign::Top)
            .text_box(TextBox::Fit, None, Some(2))
            .unwrap()
            .text(pc(100), pc(20), Alignment::Top, "a/b ~ c")
            .unwrap(),
        cdn.file_by_uuid(image).rect("f00", pc(10), pc(10), at).unwrap(),
        cdn.file_by_uuid(image)
            .srgb(Srgb::KeepProfile)
            .max_icc_size(10)
            .rasterize(),
        cdn.file_by_uuid(image).inline(false).filename("x y.png").unwrap(),
    ];
    for url in chains {
        let (status, body) = get(&cdn.url(&url).unwrap()).await;
        assert_eq!(status, 200, "{url}: {}", String::from_utf8_lossy(&body));
    }

    let (status, body) = get(&cdn
        .file_by_uuid(image)
        .resize_width(100)
        .unwrap()
        .json()
        .to_string())
    .await;
    assert_eq!(status, 200);
    let info: ImageInfo = serde_json::from_slice(&body).unwrap();
    assert_eq!(
        (info.id.as_str(), info.width, info.format.as_deref()),
        (image.to_string().as_str(), Some(640), Some("PNG"))
    );

    let url = cdn
        .file_by_uuid(image)
        .preview(200, 200)
        .unwrap()
        .main_colors(Some(3))
        .unwrap();
    let (status, body) = get(&url.to_string()).await;
    assert_eq!(status, 200);
    let colors: MainColors = serde_json::from_slice(&body).unwrap();
    assert_eq!(colors.id, format!("/{image}/-/preview/200x200/"));
    assert_eq!(colors.original.unwrap().id, image.to_string());

    let (status, body) = get(&cdn.file_by_uuid(image).detect_faces().unwrap().to_string()).await;
    assert_eq!(status, 200);
    let faces: FaceDetection = serde_json::from_slice(&body).unwrap();
    assert_eq!(faces.image.height, Some(480));
    assert!(faces.faces.is_empty());
}

/// Group URLs: `nth/N/` serves the group's N-th file (with operations), `archive/zip|tar/`
/// all of them in one archive.
#[tokio::test]
async fn group_urls_serve_members_and_archives() {
    use uploadcare::cdn::url::ArchiveFormat;

    let emulator = Emulator::start().await.unwrap();
    let a = emulator
        .state()
        .add_file("a.txt", "text/plain", "alpha", Some(true));
    let b = emulator
        .state()
        .add_file("a.txt", "text/plain", "bravo!", Some(true));
    let group = emulator.state().lock().add_group(vec![a, b]);
    let cdn = emulator.config().cdn().unwrap();
    let g = cdn.group(&group).unwrap();

    assert_eq!(
        get(&g.nth(0).unwrap().to_string()).await,
        (200, b"alpha".to_vec())
    );
    let second = g.nth(1).unwrap().inline(true).filename("b.txt").unwrap();
    assert_eq!(get(&second.to_string()).await, (200, b"bravo!".to_vec()));
    assert_eq!(get(&format!("{}/{group}/nth/2/", cdn.base())).await.0, 404);

    let (status, zip) = get(&g.archive(ArchiveFormat::Zip).to_string()).await;
    assert_eq!(status, 200);
    assert_eq!(&zip[..4], b"PK\x03\x04");
    // End of central directory: 22 bytes, entry count at offset 10.
    let eocd = &zip[zip.len() - 22..];
    assert_eq!(&eocd[..4], b"PK\x05\x06");
    assert_eq!(u16::from_le_bytes([eocd[10], eocd[11]]), 2);
    let text = String::from_utf8_lossy(&zip);
    assert!(
        text.contains("a.txtalpha") && text.contains("a (1).txtbravo!"),
        "{text}"
    );

    let (status, tar) = get(&g
        .archive(ArchiveFormat::Tar)
        .filename("all.tar")
        .unwrap()
        .to_string())
    .await;
    assert_eq!(status, 200);
    assert_eq!(tar.len(), 4 * 512 + 1024);
    assert_eq!(&tar[..5], b"a.txt");
    assert_eq!(&tar[512..517], b"alpha");
    assert_eq!(&tar[1024..1033], b"a (1).txt");
    assert_eq!(&tar[1536..1542], b"bravo!");
}

/// `videoframe` (URL API, 2026-09-17): the emulator's CDN serves a PNG frame of a video, with
/// image operations after it, and refuses bad timestamps and files that are not videos.
#[tokio::test]
async fn video_frames_are_pngs_of_videos_only() {
    use uploadcare::cdn::url::FileUrl;
    let emulator = Emulator::start().await.unwrap();
    let video = emulator
        .state()
        .add_file("clip.mp4", "video/mp4", vec![0u8; 64], Some(true));
    let photo = emulator
        .state()
        .add_file("photo.png", "image/png", vec![0u8; 64], Some(true));
    let base = emulator.cdn_base_url().to_owned();
    let http = reqwest::Client::new();
    let get = |url: String| {
        let http = http.clone();
        async move {
            let answer = http.get(url).send().await.unwrap();
            let status = answer.status().as_u16();
            let kind = answer
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default();
            (status, kind, answer.bytes().await.unwrap())
        }
    };
    let frame = FileUrl::from_parts(video, &base)
        .unwrap()
        .videoframe("00:00:01.500")
        .unwrap()
        .preview(320, 240)
        .unwrap();
    let (status, kind, body) = get(frame.to_string()).await;
    assert_eq!((status, kind.as_str()), (200, "image/png"), "{frame}");
    assert!(body.starts_with(b"\x89PNG\r\n\x1a\n"));
    let json = FileUrl::from_parts(video, &base)
        .unwrap()
        .videoframe("5s")
        .unwrap()
        .json();
    let (status, _, body) = get(json.to_string()).await;
    assert_eq!(status, 200);
    let info: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(info["format"], "PNG");
    // What the URL API refuses: a short clock form, and a file that is not a video.
    let (status, _, _) = get(format!("{base}/{video}/videoframe/00:05/")).await;
    assert_eq!(status, 400);
    let not_video = FileUrl::from_parts(photo, &base)
        .unwrap()
        .videoframe("1s")
        .unwrap();
    let (status, _, _) = get(not_video.to_string()).await;
    assert_eq!(status, 400);
}
