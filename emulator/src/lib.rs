//! A local Uploadcare: the REST API (v0.5, v0.6, v0.7) and the Upload API, served from
//! 127.0.0.1 by an in-memory project. For tests, demos and offline development.
//!
//! It checks requests the way the service does — both auth schemes with the project keys,
//! the signature recomputed from the received bytes, the `Date` within 15 minutes, the
//! `Accept` version, trailing slashes — answers with the service's status codes and error
//! bodies, and keeps state: files (stored, removed, metadata, add-on data), groups,
//! webhooks, conversion jobs and add-on executions whose status moves on each time it is
//! polled (e.g. `pending` → `processing` → `finished`).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use uploadcare_emulator::Emulator;
//!
//! let emulator = Emulator::start().await?;
//! let client = uploadcare::v0_7::Client::from_config(emulator.config())?;
//! let uuid = emulator.state().add_file("hello.txt", "text/plain", "hello", Some(false));
//! client.store_file().uuid(uuid).send().await?;
//! assert!(emulator.state().file(uuid).unwrap().stored.is_some());
//! # Ok(()) }
//! ```
//!
//! # What the emulator shares with the library, and what it checks on its own
//!
//! **Facts are read, never restated.** Limits and rules (sizes, counts, character classes,
//! page sizes, search and token limits: `uploadcare::limits`), the URL API's operation list
//! (`uploadcare::cdn::url::OPERATIONS`), the conversion formats (`DocumentFormat`,
//! `VideoFormat`), webhook event names (`EventName::KNOWN`) and the Upload API error table
//! come from the library, so the two cannot drift apart. The service's error messages are
//! quoted as the service writes them, with the numbers formatted in from those constants.
//!
//! **Some checks are written a second time on purpose**, so that a client bug is caught by
//! an independent reading of the rules instead of agreeing with itself:
//! - secure-delivery tokens (`upload/cdn.rs`): their own HMAC, field parsing and ACL
//!   matching, not `uploadcare::cdn::secure`;
//! - Upload API auth tokens (`upload/tokens.rs`): their own JWS parsing, claim rules, expiry
//!   leeway and scope matching (the HS256 key derivation, base64url and the scope syntax
//!   are the library's, pinned by the fact sheet's vectors and by PyJWT in the conformance
//!   run);
//! - the REST `Date` rules (formats, 15-minute skew).
//!
//! **Shared primitives, pinned from outside**: the REST signature (`sign_rest_request`) and
//! the upload signature (`sign_upload_expire_text`) are the library's, each checked against
//! vectors computed outside the crate (the reference's examples, Python's `hmac`); webhook
//! deliveries are signed with `uploadcare::webhooks::sign`, whose output the tests check
//! against the documented sample. The official Python and JS SDKs running against the
//! emulator (`tests/interop/run`) are the outside check of all of it.
//!
//! Fault injection ([`Emulator::faults`]) makes chosen requests fail the way networks and busy
//! services do ([`Fault`]): `Throttle` (429 with `Retry-After`, answered before the body is
//! read), `Status` (e.g. 5xx, after reading the body), `Delay` (slow answers),
//! `ResetBeforeBody` (a TCP reset before the body is read, nothing processed), `CutAnswer`
//! (processed; the answer's body stops halfway) and `AnswerLost` (processed; the connection
//! closes with no answer). [`FaultRule`]s pick the requests — the first N, always, or at random
//! with a seeded, reproducible generator ([`FaultRule::sometimes`], [`Faults::seed`]), by
//! server, path prefix and method — and [`Faults::applied_log`] lists what was applied.
//!
//! File tags and file search (REST API 0.7): `GET`/`PUT`/`PATCH /files/<uuid>/tags/`, tags at
//! upload time (the `tags` form field), and `POST /files/search/` evaluated over the project's
//! files, optionally with the service's indexing delay
//! ([`EmulatorBuilder::search_index_delay`]).
//!
//! Webhooks deliver: uploads, stores, removals and metadata, tag or add-on data changes POST the
//! event's payload (signed with `X-Uc-Signature` when the webhook has a signing secret) to
//! subscribed webhooks whose `target_url` is on the loopback interface; every delivery is
//! recorded ([`EmulatorState::deliveries`], [`EmulatorState::wait_for_deliveries`]).
//!
//! The CDN applies image operations for real to the images it can decode (JPEG, PNG, WebP,
//! GIF's first frame): resizes, crops, formats, quality, colour and orientation operations;
//! `-/json/` and `-/main_colors/` describe the output. Valid operations it does not render
//! are named in an `x-uploadcare-emulator-skipped` (some applied) or
//! `x-uploadcare-emulator-passthrough` (original served) header.
//!
//! # As a server
//!
//! The `uploadcare-emulator` binary ([`serve_cli`]) serves the same thing for tests in any
//! language, with:
//! - a **control API** under [`CONTROL_PATH`] on both ports (health, reset, faults, the
//!   request log, files, groups, deliveries, clock, settings; JSON);
//! - **sessions**: a request naming a session ([`SESSION_HEADER`], or the path prefix
//!   [`SESSION_PATH_PREFIX`]`NAME/`) gets that session's own projects, created empty on first
//!   use ([`Emulator::session`], [`Emulator::session_config`]);
//! - **several projects** ([`EmulatorBuilder::project`]), reached by the public key a
//!   request names;
//! - **persistence** ([`EmulatorBuilder::data_dir`]): contents and state written atomically,
//!   so a restart (even after `kill -9`) finds everything that was answered;
//! - **safe defaults**: loopback only unless told otherwise, and then only with a control
//!   token ([`EmulatorBuilder::control_token`]); `/from_url/` fetches only loopback hosts and
//!   those [`EmulatorBuilder::allow_fetch`] names, never link-local addresses.

// Handlers return `Result<_, Response>` to answer errors early; the size is irrelevant here.
#![allow(clippy::result_large_err)]

mod account;
mod builder;
mod control;
mod deliveries;
mod dispatch;
mod faults;
mod file_map;
mod file_record;
mod images;
mod index;
mod persist;
mod records;
mod request_log;
mod rest;
mod routing;
pub mod samples;
mod serve;
pub mod serve_cli;
mod session_name;
mod sessions;
mod state;
mod tags;
mod upload;
mod wire;

pub use account::DEFAULT_ACCOUNT_TOKEN;
pub use builder::EmulatorBuilder;
pub(crate) use builder::Options;
pub use control::CONTROL_PATH;
pub use faults::{AppliedFault, Fault, FaultApi, FaultRule, Faults, Traffic};
pub use records::{Delivery, DeliveryStatus};
pub use request_log::LogFormat;
pub use sessions::{DEFAULT_SESSION, SESSION_HEADER, SESSION_PATH_PREFIX};
pub use state::{
    ApiVersion, DayUsage, EmulatorState, FileRecord, Files, FromUrlJob, GroupRecord, Job, LoggedRequest,
    MultipartUpload, Project, SecretRecord, UploadState, Urls, WebhookRecord,
};

use std::net::SocketAddr;
use tokio::sync::watch;

/// The emulated project's public key unless [`EmulatorBuilder::keys`] sets another.
pub const DEFAULT_PUBLIC_KEY: &str = "demopublickey";
/// The emulated project's secret key (a test key) unless [`EmulatorBuilder::keys`] sets
/// another.
pub const DEFAULT_SECRET_KEY: &str = "demosecretkey";

/// A running emulator. Dropping it stops both servers.
#[derive(Debug)]
pub struct Emulator {
    rest_addr: SocketAddr,
    upload_addr: SocketAddr,
    urls: Urls,
    public_key: String,
    secret_key: uploadcare::SecretKey,
    state: EmulatorState,
    sessions: sessions::Sessions,
    faults: Faults,
    traffic: Traffic,
    control: bool,
    account_token: uploadcare::SecretKey,
    _shutdown: watch::Sender<bool>,
}

impl Emulator {
    /// Starts an emulator with default settings (see [`EmulatorBuilder`]).
    pub async fn start() -> std::io::Result<Self> {
        Self::builder().start().await
    }

    /// Settings before start.
    pub fn builder() -> EmulatorBuilder {
        EmulatorBuilder::default()
    }

    /// REST API base URL, e.g. `http://127.0.0.1:40123`.
    pub fn rest_base_url(&self) -> &str {
        &self.urls.rest
    }

    /// Upload API base URL.
    pub fn upload_base_url(&self) -> &str {
        &self.urls.upload
    }

    /// All three base URLs.
    pub fn urls(&self) -> &Urls {
        &self.urls
    }

    /// CDN base URL: `<cdn>/<uuid>/` serves a file's content.
    pub fn cdn_base_url(&self) -> &str {
        &self.urls.cdn
    }

    /// The REST listener's address.
    pub fn rest_addr(&self) -> SocketAddr {
        self.rest_addr
    }

    /// The Upload API listener's address.
    pub fn upload_addr(&self) -> SocketAddr {
        self.upload_addr
    }

    /// The project's public key.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// The bearer token of the emulator's account-level Project API, served on the REST
    /// port: `Config::for_account(token).with_project_api_base_url(emulator.rest_base_url())`
    /// (library feature `project_api`).
    pub fn account_token(&self) -> &uploadcare::SecretKey {
        &self.account_token
    }

    /// The project's secret key (a test key of the emulator).
    pub fn secret_key(&self) -> &uploadcare::SecretKey {
        &self.secret_key
    }

    /// A client configuration for this emulator: its keys, both API base URLs and its CDN
    /// base, so URLs built from it point at the emulator.
    pub fn config(&self) -> uploadcare::Config {
        uploadcare::Config::new(self.public_key.clone(), self.secret_key.clone())
            .with_rest_base_url(self.urls.rest.clone())
            .with_upload_base_url(self.urls.upload.clone())
            .with_cdn_base_url(self.urls.cdn.clone())
    }

    /// The project's state, to seed it or assert on it.
    pub fn state(&self) -> &EmulatorState {
        &self.state
    }

    /// The project of session `name` (created empty when new; `default` is
    /// [`Emulator::state`]'s). Fails only when the data directory cannot be read.
    pub fn session(&self, name: &str) -> std::io::Result<EmulatorState> {
        if !sessions::valid_name(name) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "a session name is 1 to 64 characters of A-Z a-z 0-9 . _ - starting with a letter or digit",
            ));
        }
        self.sessions
            .session(Some(name))
            .map(|session| session.first().state.clone())
    }

    /// The project with this public key, in the default session (see
    /// [`EmulatorBuilder::project`]); `None` for an unknown key.
    pub fn project(&self, public_key: &str) -> Option<EmulatorState> {
        let session = self.sessions.default_session();
        session.project(public_key).map(|p| p.state.clone())
    }

    /// A client configuration for session `name`: base URLs with the session's path prefix
    /// (so every request, including those to URLs the emulator hands out, stays in it).
    pub fn session_config(&self, name: &str) -> uploadcare::Config {
        let urls = sessions::session_urls(&self.urls, name);
        uploadcare::Config::new(self.public_key.clone(), self.secret_key.clone())
            .with_rest_base_url(urls.rest)
            .with_upload_base_url(urls.upload)
            .with_cdn_base_url(urls.cdn)
    }

    /// The control API's base URL on the REST port (it also answers on the Upload API's
    /// port), e.g. `http://127.0.0.1:40123/__emulator`; `None` when it is off.
    pub fn control_url(&self) -> Option<String> {
        self.control.then(|| format!("{}{CONTROL_PATH}", self.urls.rest))
    }

    /// Requests served so far over every session (the request logs' total).
    pub fn requests_served(&self) -> usize {
        self.sessions.requests_served()
    }

    /// Fault injection rules (both APIs).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Requests in flight now and the most at once so far, over both APIs and the CDN.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }
}
