//! Secure delivery end to end: URLs signed by `uploadcare::cdn::secure` fetched from the
//! emulator's CDN with a signing secret set, tampered, expired and unsigned ones refused;
//! `-/json/` file info and malformed operation chains.
#![cfg(all(feature = "cdn", feature = "emulator"))]

use serde_json::Value;
use std::time::{SystemTime, UNIX_EPOCH};
use uploadcare::cdn::secure::{SecureDelivery, TokenKind, UrlSigner};
use uploadcare::emulator::Emulator;

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
