//! Observability: a full workflow traced at TRACE level shows every request (operation,
//! method, path, attempts, status) and never a secret: not the secret key, a request
//! signature, an `Authorization` value, an upload signature or a webhook signing secret.

#![cfg(all(feature = "v0_7", feature = "upload"))]

use std::io::Write;
use std::sync::{Arc, Mutex};
use uploadcare::upload::types::StoreType;
use uploadcare::v0_7::types::{WebhookEvent, WebhookSigningSecret};
use uploadcare::{AuthScheme, Error};
use uploadcare_emulator::{Emulator, Fault, FaultRule};

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The longest run of hex digits in `text` (signatures are 40 or 64 of them; UUIDs at most 12).
fn longest_hex_run(text: &str) -> usize {
    text.split(|c: char| !c.is_ascii_hexdigit())
        .map(str::len)
        .max()
        .unwrap_or(0)
}

/// Everything traced at TRACE level on this thread, until the guard is dropped.
fn capture() -> (Captured, tracing::subscriber::DefaultGuard) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    (captured, tracing::subscriber::set_default(subscriber))
}

#[tokio::test(flavor = "current_thread")]
async fn a_traced_workflow_shows_each_request_and_no_secret() {
    let (captured, _guard) = capture();

    let secret = "tr4ce-s3cret-k3y-0123456789";
    let signing_secret = "hook-s1gning-s3cret";
    let emulator = Emulator::builder()
        .keys("tracepublickey", secret)
        .signed_uploads(true)
        .start()
        .await
        .unwrap();
    let config = emulator.config();

    // Uploads: direct (signed, throttled once and retried) and multipart.
    let upload = uploadcare::upload::Client::from_config(config.clone()).unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 0 }));
    let small = upload
        .upload(&b"traced bytes"[..])
        .store(StoreType::Store)
        .send()
        .await
        .unwrap();
    let big = upload
        .upload(vec![7u8; 11 * 1024 * 1024])
        .multipart_threshold(10 * 1024 * 1024)
        .send()
        .await
        .unwrap();

    // REST with both schemes, and a webhook with a signing secret.
    for scheme in [AuthScheme::Signed, AuthScheme::Simple] {
        let rest = uploadcare::v0_7::Client::from_config(config.clone().with_auth_scheme(scheme)).unwrap();
        rest.file_info()
            .uuid(small.uuid)
            .send()
            .await
            .map_err(Error::from)
            .unwrap();
        rest.store_file()
            .uuid(big.uuid)
            .send()
            .await
            .map_err(Error::from)
            .unwrap();
    }
    let rest = uploadcare::v0_7::Client::from_config(config).unwrap();
    rest.webhook_create()
        .body_map(|b| {
            b.target_url("http://127.0.0.1:9/hook")
                .event(WebhookEvent::FileUploaded)
                .signing_secret(WebhookSigningSecret::try_from(signing_secret).unwrap())
        })
        .send()
        .await
        .map_err(Error::from)
        .unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    // What was done is there…
    for expected in [
        "uploadcare.request",
        "operation=\"file_info\"",
        "path=\"/base/\"",
        "retrying",
        "uploadcare.upload",
        "parts=3",
        "part uploaded",
    ] {
        assert!(text.contains(expected), "the trace shows `{expected}`:\n{text}");
    }
    // …and no secret.
    for forbidden in [
        secret,
        signing_secret,
        "Uploadcare.Simple",
        "authorization",
        "Authorization",
        "signature=",
    ] {
        assert!(!text.contains(forbidden), "the trace contains `{forbidden}`");
    }
    assert!(
        longest_hex_run(&text) < 32,
        "a signature-like hex string is in the trace"
    );
}

/// The Project API's calls are traced like the others, never with the account token or a
/// created secret.
#[cfg(feature = "project_api")]
#[tokio::test(flavor = "current_thread")]
async fn project_api_traces_show_the_calls_and_no_token() {
    let (captured, _guard) = capture();

    let token = "acc0unt-t0ken-for-tracing";
    let emulator = Emulator::builder().account_token(token).start().await.unwrap();
    emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 0 }));
    let account = uploadcare::project_api::Client::from_config(
        uploadcare::Config::for_account(token).with_project_api_base_url(emulator.rest_base_url()),
    )
    .unwrap();
    let project = account
        .project_create()
        .body_map(|b| b.name("Traced"))
        .send()
        .await
        .map_err(Error::from)
        .unwrap();
    let (_, secret) = account.create_secret_key(&project.pub_key).await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    for expected in [
        "operation=\"project_create\"",
        "operation=\"secret_create\"",
        "retrying",
    ] {
        assert!(text.contains(expected), "the trace shows `{expected}`:\n{text}");
    }
    for forbidden in [token, secret.expose_secret(), "Bearer", "authorization"] {
        assert!(!text.contains(forbidden), "the trace contains `{forbidden}`");
    }
}
