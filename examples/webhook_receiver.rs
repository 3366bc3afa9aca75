//! A webhook endpoint that checks `X-Uc-Signature` and reads the payload:
//! `cargo run --example webhook_receiver`.
//!
//! It runs end to end on 127.0.0.1: starts the emulator and an axum server with the handler
//! below, subscribes the handler to `file.uploaded` with a signing secret, uploads a file, and
//! prints the delivery it receives. In your service, keep only `receive` and its router, and
//! give it the signing secret you set on the webhook.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use std::time::Duration;
use tokio::sync::mpsc;
use uploadcare::upload::types::StoreType;
use uploadcare::v0_7::types::{WebhookEvent as EventType, WebhookSigningSecret};
use uploadcare::webhooks::{self, SigningSecret, WebhookError, WebhookEvent};
use uploadcare_emulator::Emulator;

/// The signing secret set on the webhook (at most 32 characters).
const SIGNING_SECRET: &str = "example-signing-secret";

#[derive(Clone)]
struct Receiver {
    secret: SigningSecret,
    /// Hands each event to `main`, so the example can exit after the first one.
    events: mpsc::UnboundedSender<WebhookEvent>,
}

/// `POST /uploadcare/webhook`: the raw body (the signature covers its exact bytes, so it is
/// read before any JSON parsing) and the signature header.
async fn receive(State(receiver): State<Receiver>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let signature = headers
        .get(webhooks::SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    match webhooks::verify_and_parse(&receiver.secret, signature, &body) {
        Ok(event) => {
            match &event {
                WebhookEvent::FileUploaded(payload) => {
                    println!(
                        "file.uploaded: {} ({})",
                        payload.file_uuid().map(|u| u.to_string()).unwrap_or_default(),
                        payload.file.as_deref().unwrap_or("no CDN URL")
                    );
                }
                WebhookEvent::FileInfoUpdated(payload) => {
                    println!("file.info_updated, before: {:?}", payload.previous_values);
                }
                other => println!("{}: {:?}", other.event_name(), other.file_uuid()),
            }
            let _ = receiver.events.send(event);
            StatusCode::OK
        }
        Err(
            WebhookError::MissingSignature
            | WebhookError::MalformedSignature(_)
            | WebhookError::SignatureMismatch,
        ) => StatusCode::UNAUTHORIZED,
        Err(error) => {
            eprintln!("unreadable delivery: {error}");
            StatusCode::BAD_REQUEST
        }
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (events, mut received) = mpsc::unbounded_channel();
    let app = Router::new()
        .route("/uploadcare/webhook", post(receive))
        .with_state(Receiver {
            secret: SigningSecret::new(SIGNING_SECRET),
            events,
        });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let target = format!("http://{}/uploadcare/webhook", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    println!("receiving webhooks at {target}");

    // The emulator delivers to loopback targets like this one.
    let emulator = Emulator::start().await?;
    let rest = uploadcare::v0_7::Client::from_config(emulator.config())?;
    let secret = WebhookSigningSecret::try_from(SIGNING_SECRET)?;
    let hook = rest
        .webhook_create()
        .body_map(|b| {
            b.target_url(target.as_str())
                .event(EventType::FileUploaded)
                .signing_secret(secret)
        })
        .send()
        .await?;
    println!(
        "webhook {} subscribed to file.uploaded",
        hook.id.unwrap_or_default()
    );

    let upload = uploadcare::upload::Client::from_config(emulator.config())?;
    let file = upload
        .upload(b"hello from the webhook example".to_vec())
        .filename("hello.txt")
        .store(StoreType::Store)
        .send()
        .await?;
    println!("uploaded {}", file.uuid);

    match tokio::time::timeout(Duration::from_secs(10), received.recv()).await {
        Ok(Some(event)) if event.file_uuid() == Some(file.uuid) => {
            println!("received a verified {} delivery", event.event_name());
            Ok(())
        }
        Ok(other) => Err(format!("unexpected delivery: {other:?}").into()),
        Err(_) => Err("no delivery within 10 s".into()),
    }
}
