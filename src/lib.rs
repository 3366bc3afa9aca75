//! A typed, async client for [Uploadcare](https://uploadcare.com): the REST API (0.5, 0.6,
//! 0.7), the Upload API, the URL API (CDN URLs), webhooks, Upload API auth tokens and the
//! account-level Project API — one configuration, one error type, one request pipeline.
//!
//! Each API is a module, most generated at build time from the crate's own OpenAPI
//! documents (`openapi/`) and selected with a cargo feature: [`v0_7`] (feature `v0_7`, on by
//! default), `v0_6`, `v0_5`, [`upload`] (`upload`, default), [`cdn`] (`cdn`, default) and
//! `project_api`. Generated operations use a builder style — `client.files_list().limit(10)
//! .send().await` — and go through one shared pipeline: `Accept` (the version), `Date`,
//! `Authorization` (signed with HMAC-SHA1 by default, see [`sign_rest_request`]), retries by
//! what repeating an operation can do ([`retry`]), tracing without secrets.
//!
//! # REST API
//!
//! ```no_run
//! use uploadcare::{v0_7::Client, Config};
//!
//! # async fn run() -> uploadcare::Result<()> {
//! let client = Client::from_config(Config::new("public key", "secret key"))?;
//! let page = client.files_list().limit(5).send().await?;
//! if let Some(file) = page.results.first() {
//!     let stored = client.store_file().uuid(file.uuid).send().await?;
//!     println!("stored {} at {:?}", stored.uuid, stored.datetime_stored);
//! }
//! # Ok(()) }
//! ```
//!
//! # Uploads
//!
//! ```no_run
//! # async fn run() -> uploadcare::Result<()> {
//! use std::path::Path;
//! let uploads = uploadcare::upload::Client::from_env()?; // UPLOADCARE_PUBLIC_KEY (+ secret: signed)
//! // Direct below 25 MiB, parallel multipart above; streamed from disk, retried, resumable.
//! let file = uploads.upload(Path::new("video.mp4")).send().await?;
//! println!("{} ({} bytes)", file.uuid, file.size);
//! # Ok(()) }
//! ```
//!
//! # URL API (CDN URLs)
//!
//! ```
//! # fn main() -> uploadcare::Result<()> {
//! let cdn = uploadcare::Config::public_only("demopublickey").cdn()?;
//! let url = cdn.file("a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?.resize_width(800)?;
//! assert!(cdn.url(&url)?.ends_with("/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/-/resize/800x/"));
//! # Ok(()) }
//! ```
//!
//! # Webhooks
//!
//! ```
//! use uploadcare::webhooks::{self, SigningSecret};
//! # fn main() -> Result<(), uploadcare::webhooks::WebhookError> {
//! let secret = SigningSecret::new("d8Fq2LxW7pNz4Rt6");
//! let body = br#"{"hook": {"id": 1473151, "event": "file.stored"},
//!                 "data": {"uuid": "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"},
//!                 "initiator": {"type": "api", "detail": {"request_id": null, "addon_name": null}},
//!                 "file": "https://ucarecdn.com/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/"}"#;
//! let header = webhooks::sign(&secret, body); // normally the `X-Uc-Signature` header
//! let event = webhooks::verify_and_parse(&secret, Some(&header), body)?;
//! println!("{}", event.event_name());
//! # Ok(()) }
//! ```
//!
//! # Upload API auth tokens
//!
//! ```
//! use std::time::Duration;
//! use uploadcare::upload_token::AuthToken;
//! let token = AuthToken::builder()
//!     .lifetime(Duration::from_secs(3600))
//!     .scope(["/base/"])
//!     .mint(&uploadcare::SecretKey::new("project secret key"))?;
//! // Hand `token.expose_secret()` to the browser or app that uploads.
//! # Ok::<(), uploadcare::Error>(())
//! ```
//!
//! # Project API and the emulator
//!
//! The account-level Project API (feature `project_api`) is `uploadcare::project_api`; its
//! module page starts with an example. Tests run against the `uploadcare-emulator` crate, a
//! local Uploadcare (both APIs, the CDN, webhooks, the Project API) started in-process with
//! `Emulator::start().await?` and `emulator.config()`, or as a binary for other languages.
//!
//! Errors from generated calls convert into [`Error`] with `?`. Models tolerate what real
//! responses do: unknown fields are ignored, unknown enum values land in an
//! `Unrecognized(String)` variant, and fields seen as `null` in practice are `Option`s.

#![warn(missing_docs)]
// docs.rs (`--cfg docsrs`, nightly): every item labelled with the features it needs.
#![cfg_attr(docsrs, feature(doc_cfg))]

/// The code progenitor generates from a document (never edited by hand) in a private
/// `generated` submodule, re-exported, so the hand-written glue around it stays under
/// `missing_docs`. Documented error statuses and the `4XX`/`5XX` catch-alls share one
/// type, so progenitor's range arms shadow some specific ones; typify emits some
/// undocumented helpers (`builder()`).
#[cfg_attr(not(api), allow(unused_macros))] // with the `cdn` feature alone no module uses it
macro_rules! generated_module {
    ($name:literal) => {
        #[allow(unreachable_patterns, missing_docs)]
        mod generated {
            include!(concat!(env!("OUT_DIR"), "/", $name, ".rs"));
        }
        pub use generated::*;
    };
}
#[cfg_attr(not(api), allow(unused_imports))]
pub(crate) use generated_module;

#[cfg(feature = "project_api")]
mod account;
mod auth;
#[cfg(feature = "cdn")]
pub mod cdn;
mod config;
mod context;
#[cfg(test)]
mod corpus;
mod error;
pub mod limits;
mod open_enum;
#[cfg(rest)]
mod rest;
pub mod retry;
pub mod runtime;
#[cfg(feature = "v0_7")]
pub mod search;
mod sensitive;
pub mod tags;
mod timestamp;
pub mod upload_token;
pub mod webhooks;

/// Not public API: primitives the workspace's emulator and CLI share with the library, so
/// each exists once. No semver guarantee; applications use the documented items instead.
#[doc(hidden)]
pub mod internal {
    pub use crate::auth::{constant_time_eq, hmac_sha256, sign_upload_expire_text};
    pub use crate::error::root_cause;
    pub use crate::upload_token::{base64url, base64url_decode, check_scope, signing_key};
    /// The field documentation of the REST API 0.7 schemas, for `ucare schema`.
    #[cfg(feature = "v0_7")]
    pub const REST_V0_7_FIELDS: &str = include_str!(concat!(env!("OUT_DIR"), "/v0_7.fields.json"));
    /// The field documentation of the Upload API schemas, for `ucare schema`.
    #[cfg(feature = "upload")]
    pub const UPLOAD_FIELDS: &str = include_str!(concat!(env!("OUT_DIR"), "/upload.fields.json"));
    /// The field documentation of the Project API schemas, for `ucare schema`.
    #[cfg(feature = "project_api")]
    pub const PROJECT_API_FIELDS: &str = include_str!(concat!(env!("OUT_DIR"), "/project_api.fields.json"));
}

pub use auth::{rest_string_to_sign, sign_rest_request, sign_upload, SecretKey};
pub use config::{
    AuthScheme, Config, RetryPolicy, DEFAULT_REST_BASE_URL, DEFAULT_UPLOAD_BASE_URL, ENV_PUBLIC_KEY,
    ENV_SECRET_KEY, USER_AGENT,
};
pub use context::ClientContext;
#[cfg(feature = "upload")]
pub use error::UploadStage;
pub use error::{ApiErrorBody, Error, ErrorCode, ErrorKind, Result};
pub use progenitor_client::{ClientInfo, ResponseValue};
pub use timestamp::{Timestamp, TimestampError};

/// The README's examples, compiled as doctests.
#[cfg(all(doctest, feature = "v0_7"))]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;

#[cfg(feature = "upload")]
pub mod upload;

#[cfg(feature = "project_api")]
pub mod project_api;
#[cfg(feature = "project_api")]
pub use account::{ALTERNATE_PROJECT_API_BASE_URL, DEFAULT_PROJECT_API_BASE_URL, ENV_PROJECT_API_TOKEN};

// Each module's generated code sits in a private `generated` submodule, re-exported.
#[cfg(feature = "v0_5")]
#[path = "rest/v0_5.rs"]
pub mod v0_5;
#[cfg(feature = "v0_6")]
#[path = "rest/v0_6.rs"]
pub mod v0_6;
#[cfg(feature = "v0_7")]
#[path = "rest/v0_7.rs"]
pub mod v0_7;
