//! Signed uploads with auth tokens, against the emulator requiring signed uploads: a fixed
//! token, and a provider — one fetch shared by concurrent uploads and by many files, a
//! refresh before expiry, one retry after an expired or spent token, none after a scope
//! refusal, and never a token on the multipart part PUTs (the emulator's storage refuses
//! them, as S3 does).

#![cfg(feature = "upload")]

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use uploadcare::upload::{AuthToken, Client, TokenProvider};
use uploadcare::{Config, Error};
use uploadcare_emulator::Emulator;

const MIB: usize = 1024 * 1024;

async fn emulator(clock_skew: i64) -> Emulator {
    Emulator::builder()
        .signed_uploads(true)
        .clock_skew(clock_skew)
        .start()
        .await
        .unwrap()
}

/// The emulator's endpoints and public key, with no secret key: what a browser or a
/// mobile app has.
fn client_config(emulator: &Emulator) -> Config {
    Config::public_only(emulator.public_key()).with_upload_base_url(emulator.upload_base_url())
}

/// A provider that mints (as the app's backend would) with `claims`, counting fetches and
/// taking `delay` for each.
fn minting_provider(
    emulator: &Emulator,
    delay: Duration,
    claims: impl Fn(u64) -> uploadcare::upload::AuthTokenBuilder + Send + Sync + 'static,
) -> (TokenProvider, Arc<AtomicU64>) {
    let secret = emulator.secret_key().clone();
    let calls = Arc::new(AtomicU64::new(0));
    let counter = calls.clone();
    let claims = Arc::new(claims);
    let provider = TokenProvider::new(move || {
        let (secret, claims) = (secret.clone(), claims.clone());
        let n = counter.fetch_add(1, Ordering::SeqCst) + 1;
        async move {
            tokio::time::sleep(delay).await;
            claims(n).mint(&secret).map(|t| t.expose_secret().to_owned())
        }
    });
    (provider, calls)
}

fn hour() -> uploadcare::upload::AuthTokenBuilder {
    AuthToken::builder().lifetime(Duration::from_secs(3600))
}

fn processed(emulator: &Emulator, path: &str) -> Vec<u16> {
    emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path == path)
        .map(|r| r.status)
        .collect()
}

#[tokio::test]
async fn a_fixed_token_signs_direct_and_multipart_uploads_but_not_the_parts() {
    let emulator = emulator(0).await;
    let token = hour().mint(emulator.secret_key()).unwrap();
    let config = client_config(&emulator).with_upload_token(token.expose_secret());
    assert!(
        !format!("{config:?}").contains(token.expose_secret()),
        "the token stays out of Debug"
    );
    let client = Client::from_config(config).unwrap();
    let small = client.upload(b"small".to_vec()).send().await.unwrap();
    let large = vec![7u8; 11 * MIB];
    let big = client
        .upload(large.clone())
        .multipart_threshold(10 * MIB as u64)
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.state().file(small.uuid).unwrap().data.as_ref(), b"small");
    assert_eq!(
        emulator.state().file(big.uuid).unwrap().data.as_ref(),
        large.as_slice()
    );

    // Without any credential the project refuses.
    let bare = Client::from_config(client_config(&emulator)).unwrap();
    match bare.upload(b"x".to_vec()).send().await {
        Err(Error::Upload { code, .. }) => assert_eq!(code, "SignatureRequiredError"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_provider_fetches_once_for_concurrent_uploads_and_for_many_files() {
    let emulator = emulator(0).await;
    let (provider, calls) = minting_provider(&emulator, Duration::from_millis(100), |_| hour());
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    // Eight uploads at once, while the first fetch takes 100 ms: one fetch.
    let uploads = (0..8).map(|i| client.upload(format!("file {i}").into_bytes()).send());
    for result in futures_util::future::join_all(uploads).await {
        result.unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1, "single flight");
    // A thousand files: still that one token.
    let sources: Vec<Vec<u8>> = (0..1000).map(|i| format!("many {i}").into_bytes()).collect();
    let results = client.upload_many(sources).concurrency(8).send().await.unwrap();
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(calls.load(Ordering::SeqCst), 1, "one fetch per token lifetime");
}

#[tokio::test]
async fn a_token_is_fetched_again_before_it_expires() {
    let emulator = emulator(0).await;
    // Lifetime 20 s with the default 30 s skew: never fresh enough to reuse.
    let (provider, calls) = minting_provider(&emulator, Duration::ZERO, |_| {
        AuthToken::builder().lifetime(Duration::from_secs(20))
    });
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    client.upload(b"one".to_vec()).send().await.unwrap();
    client.upload(b"two".to_vec()).send().await.unwrap();
    // Each upload fetched for its /base/ and its /info/.
    assert_eq!(calls.load(Ordering::SeqCst), 4);

    // With no skew the same token serves both.
    let (provider, calls) = minting_provider(&emulator, Duration::ZERO, |_| {
        AuthToken::builder().lifetime(Duration::from_secs(20))
    });
    let client = Client::from_config(
        client_config(&emulator).with_upload_token_provider(provider.with_skew(Duration::ZERO)),
    )
    .unwrap();
    client.upload(b"three".to_vec()).send().await.unwrap();
    client.upload(b"four".to_vec()).send().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_expired_token_is_replaced_and_the_request_sent_once_more() {
    // The service's clock is an hour ahead: a 30-minute token is expired there.
    let emulator = emulator(3600).await;
    let (provider, calls) = minting_provider(&emulator, Duration::ZERO, |n| {
        let minutes = if n == 1 { 30 } else { 180 };
        AuthToken::builder().lifetime(Duration::from_secs(minutes * 60))
    });
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    let info = client.upload(b"late".to_vec()).send().await.unwrap();
    assert_eq!(emulator.state().file(info.uuid).unwrap().data.as_ref(), b"late");
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(processed(&emulator, "/base/"), [401, 200]);
}

#[tokio::test]
async fn a_spent_token_is_replaced_once_and_a_scope_refusal_is_final() {
    let emulator = emulator(0).await;
    // Every token allows one file (each its own `jti`: two tokens minted in the same second
    // with the same claims would be one token).
    let (provider, calls) = minting_provider(&emulator, Duration::ZERO, |n| {
        hour().operations(1).token_id(format!("token-{n}"))
    });
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    client.upload(b"first".to_vec()).send().await.unwrap();
    client.upload(b"second".to_vec()).send().await.unwrap();
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(processed(&emulator, "/base/"), [200, 403, 200]);

    // A token for multipart uploads only: a direct upload is refused, once, for good.
    let emulator = self::emulator(0).await;
    let (provider, calls) = minting_provider(&emulator, Duration::ZERO, |_| hour().scope(["/multipart/*"]));
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    match client.upload(b"direct".to_vec()).send().await {
        Err(Error::Upload {
            status: 403, code, ..
        }) => assert_eq!(code, "ScopeForbiddenError"),
        other => panic!("{other:?}"),
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    assert_eq!(processed(&emulator, "/base/"), [403]);
}

#[tokio::test]
async fn a_failing_provider_is_a_typed_error_and_nothing_is_sent() {
    let emulator = emulator(0).await;
    let provider = TokenProvider::new(|| async { Err::<String, _>(std::io::Error::other("backend down")) });
    let client = Client::from_config(client_config(&emulator).with_upload_token_provider(provider)).unwrap();
    match client.upload(b"x".to_vec()).send().await {
        Err(Error::AuthTokenProvider { source }) => assert!(source.to_string().contains("backend down")),
        other => panic!("{other:?}"),
    }
    assert!(processed(&emulator, "/base/").is_empty());
}
