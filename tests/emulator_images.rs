//! The emulator's CDN renders image operations: sizes, formats and the info answers of real
//! outputs, fetched over HTTP from a running emulator. The test image is a PNG written here
//! by hand (stored deflate blocks), so the library's tests need no image crate; outputs are
//! checked by their headers (PNG `IHDR`, JPEG and WebP signatures) and by `-/json/`.

use serde_json::Value;
use uploadcare_emulator::Emulator;

/// An opaque RGB PNG of `width`×`height`: red on the left half, blue on the right.
fn png(width: u32, height: u32) -> Vec<u8> {
    uploadcare_emulator::samples::png(width, height, |x, _| {
        if x < width / 2 {
            [255, 0, 0]
        } else {
            [0, 0, 255]
        }
    })
}

/// The width and height in a PNG's `IHDR`.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    let field = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    (field(16), field(20))
}

/// One CDN answer: status, a header's value, body.
struct Fetched {
    status: u16,
    content_type: String,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }
}

async fn fetch(url: &str, accept: Option<&str>) -> Fetched {
    let client = reqwest::Client::builder().no_proxy().build().expect("a client");
    let mut request = client.get(url);
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = request.send().await.expect("an answer");
    Fetched {
        status: response.status().as_u16(),
        content_type: response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned(),
        headers: response.headers().clone(),
        body: response.bytes().await.expect("a body").to_vec(),
    }
}

#[tokio::test]
async fn the_cdn_renders_image_operations() {
    let emulator = Emulator::start().await.unwrap();
    let original = png(400, 300);
    let uuid = emulator
        .state()
        .add_file("photo.png", "image/png", original.clone(), Some(true));
    let url = |chain: &str| format!("{}/{uuid}/{chain}", emulator.cdn_base_url());

    let resized = fetch(&url("-/resize/200x/-/format/png/"), None).await;
    assert_eq!(
        (resized.status, resized.content_type.as_str()),
        (200, "image/png")
    );
    assert_eq!(png_size(&resized.body), (200, 150));
    assert!(
        resized
            .header("content-disposition")
            .unwrap_or("")
            .contains("photo.png"),
        "{:?}",
        resized.header("content-disposition")
    );

    let cropped = fetch(&url("-/scale_crop/100x100/center/-/format/jpeg/"), None).await;
    assert_eq!(
        (cropped.status, cropped.content_type.as_str()),
        (200, "image/jpeg")
    );
    assert!(cropped.body.starts_with(&[0xFF, 0xD8]));
    let info = fetch(&url("-/scale_crop/100x100/center/-/format/jpeg/-/json/"), None)
        .await
        .json();
    assert_eq!(
        (&info["width"], &info["height"], &info["format"]),
        (&Value::from(100), &Value::from(100), &Value::from("JPEG"))
    );

    // `auto` (explicit, or the default of a processed image) follows `Accept`.
    for chain in ["-/format/auto/", "-/preview/100x100/"] {
        let webp = fetch(&url(chain), Some("image/avif,image/webp,*/*;q=0.8")).await;
        assert_eq!(
            (webp.status, webp.content_type.as_str()),
            (200, "image/webp"),
            "{chain}"
        );
        assert!(webp.body.starts_with(b"RIFF") && &webp.body[8..12] == b"WEBP");
    }
    let plain = fetch(&url("-/preview/100x100/"), None).await;
    assert_eq!(plain.content_type, "image/jpeg", "opaque, no WebP in Accept");

    let rotated = fetch(&url("-/rotate/90/-/format/png/"), None).await;
    assert_eq!(png_size(&rotated.body), (300, 400));

    let colors = fetch(&url("-/main_colors/2/"), None).await.json();
    let mut found: Vec<Vec<u64>> = serde_json::from_value(colors["main_colors"].clone()).unwrap();
    found.sort();
    assert_eq!(found, vec![vec![0, 0, 255], vec![255, 0, 0]], "{colors}");
    assert_eq!(
        (&colors["width"], &colors["height"]),
        (&Value::from(400), &Value::from(300))
    );

    // A group's n-th file takes operations too.
    let group = emulator.state().lock().add_group(vec![uuid]);
    let nth = fetch(
        &format!(
            "{}/{group}/nth/0/-/resize/x30/-/format/png/",
            emulator.cdn_base_url()
        ),
        None,
    )
    .await;
    assert_eq!(png_size(&nth.body), (40, 30));

    // Beyond the output limit: refused like the CDN.
    let too_large = fetch(&url("-/resize/3500x/"), None).await;
    assert_eq!(too_large.status, 400);
    let malformed = fetch(&url("-/resize/big/"), None).await;
    assert_eq!(malformed.status, 400);
}

#[tokio::test]
async fn what_the_emulator_does_not_render_is_said_in_a_header() {
    let emulator = Emulator::start().await.unwrap();
    let original = png(40, 30);
    let image = emulator
        .state()
        .add_file("photo.png", "image/png", original.clone(), Some(true));
    let text = emulator
        .state()
        .add_file("a.txt", "text/plain", "hello", Some(true));
    let base = emulator.cdn_base_url();

    // Only operations the emulator does not render: the original, and why.
    let blurred = fetch(&format!("{base}/{image}/-/blur/10/-/enhance/"), None).await;
    assert_eq!((blurred.status, &blurred.body), (200, &original));
    let reason = blurred.header("x-uploadcare-emulator-passthrough").unwrap_or("");
    assert!(reason.contains("blur,enhance"), "{reason}");

    // Mixed: what it renders is applied, the rest is named.
    let mixed = fetch(
        &format!("{base}/{image}/-/resize/20x/-/blur/10/-/format/png/"),
        None,
    )
    .await;
    assert_eq!(png_size(&mixed.body), (20, 15));
    assert_eq!(mixed.header("x-uploadcare-emulator-skipped"), Some("blur"));

    // Not an image: the bytes as they are.
    let plain = fetch(&format!("{base}/{text}/-/resize/20x/"), None).await;
    assert_eq!((plain.status, plain.body.as_slice()), (200, b"hello".as_slice()));
    assert!(plain.header("x-uploadcare-emulator-passthrough").is_some());

    // Conversion paths are not image operations here.
    let video = fetch(&format!("{base}/{image}/gif2video/-/format/mp4/"), None).await;
    assert_eq!((video.status, &video.body), (200, &original));

    // No operations: the original, untouched.
    let untouched = fetch(&format!("{base}/{image}/"), None).await;
    assert_eq!(untouched.body, original);
}
