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

// Handlers return `Result<_, Response>` to answer errors early; the size is irrelevant here.
#![allow(clippy::result_large_err)]

mod deliveries;
mod faults;
mod file_record;
mod images;
mod index;
mod records;
mod request_log;
mod rest;
mod serve;
pub mod serve_cli;
mod state;
mod tags;
mod upload;
mod wire;

pub use faults::{AppliedFault, Fault, FaultApi, FaultRule, Faults, Traffic};
pub use records::{Delivery, DeliveryStatus};
pub use request_log::LogFormat;
pub use state::{
    ApiVersion, EmulatorState, FileRecord, FromUrlJob, GroupRecord, Job, LoggedRequest, MultipartUpload,
    Project, UploadState, Urls, WebhookRecord,
};

use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::watch;

/// Settings the handlers read.
#[derive(Clone, Debug)]
pub(crate) struct Options {
    /// REST versions answered; others get 406.
    pub versions: Vec<ApiVersion>,
    /// Refuse `Uploadcare.Simple` like the service does over plain HTTP.
    pub forbid_simple_auth_over_http: bool,
    /// Status polls before a job moves to its next stage.
    pub polls_per_stage: u32,
    /// Seconds the emulator's clock runs ahead of the machine's (negative: behind).
    pub clock_offset_secs: i64,
    /// Largest REST request body accepted.
    pub max_rest_body: usize,
    /// Require `signature`/`expire` on uploads (the project's "signed uploads" setting).
    pub signed_uploads: bool,
    /// Secure delivery: when set, every CDN request needs a valid `token` (signed URLs).
    pub secure_delivery: Option<upload::DeliverySecret>,
    /// Count multipart part bodies instead of keeping them (benchmarks, load tests).
    pub discard_bodies: bool,
}

impl Options {
    /// The emulator's clock: the machine's, shifted by `clock_offset_secs`.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        let now = std::time::SystemTime::now();
        let shift = std::time::Duration::from_secs(self.clock_offset_secs.unsigned_abs());
        if self.clock_offset_secs >= 0 {
            now + shift
        } else {
            now.checked_sub(shift).unwrap_or(now)
        }
    }
}

/// The emulated project's public key unless [`EmulatorBuilder::keys`] sets another.
pub const DEFAULT_PUBLIC_KEY: &str = "demopublickey";
/// The emulated project's secret key (a test key) unless [`EmulatorBuilder::keys`] sets
/// another.
pub const DEFAULT_SECRET_KEY: &str = "demosecretkey";

/// Configures an [`Emulator`] before starting it.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    public_key: String,
    secret_key: uploadcare::SecretKey,
    project_name: String,
    autostore: bool,
    search_index_delay: std::time::Duration,
    options: Options,
    /// The hex secret from `secure_delivery_secret`, decoded (and checked) by `start`.
    secure_delivery_hex: Option<uploadcare::SecretKey>,
    /// Address both servers listen on, and their ports (0: any free port).
    host: std::net::IpAddr,
    rest_port: u16,
    upload_port: u16,
    /// One line per request on stderr, in this format.
    log: Option<LogFormat>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            public_key: DEFAULT_PUBLIC_KEY.to_owned(),
            secret_key: uploadcare::SecretKey::new(DEFAULT_SECRET_KEY),
            project_name: "Emulated project".to_owned(),
            autostore: true,
            search_index_delay: state::DEFAULT_SEARCH_INDEX_DELAY,
            options: Options {
                versions: vec![ApiVersion::V0_5, ApiVersion::V0_6, ApiVersion::V0_7],
                forbid_simple_auth_over_http: false,
                polls_per_stage: 1,
                clock_offset_secs: 0,
                max_rest_body: 1 << 20,
                signed_uploads: false,
                secure_delivery: None,
                discard_bodies: false,
            },
            secure_delivery_hex: None,
            host: std::net::Ipv4Addr::LOCALHOST.into(),
            rest_port: 0,
            upload_port: 0,
            log: None,
        }
    }
}

impl EmulatorBuilder {
    /// The address both servers listen on (default `127.0.0.1`). With an unspecified
    /// address (`0.0.0.0`, `::`) the URLs the emulator writes name the loopback address.
    pub fn host(mut self, host: std::net::IpAddr) -> Self {
        self.host = host;
        self
    }

    /// Logs one line per request on stderr (default: none); see [`LogFormat`].
    pub fn log(mut self, format: Option<LogFormat>) -> Self {
        self.log = format;
        self
    }

    /// The REST API's port (default 0: any free port).
    pub fn rest_port(mut self, port: u16) -> Self {
        self.rest_port = port;
        self
    }

    /// The Upload API's (and the CDN's) port (default 0: any free port).
    pub fn upload_port(mut self, port: u16) -> Self {
        self.upload_port = port;
        self
    }

    /// The project's keys (default `demopublickey` / `demosecretkey`).
    pub fn keys(
        mut self,
        public_key: impl Into<String>,
        secret_key: impl Into<uploadcare::SecretKey>,
    ) -> Self {
        self.public_key = public_key.into();
        self.secret_key = secret_key.into();
        self
    }

    /// The project's name.
    pub fn project_name(mut self, name: impl Into<String>) -> Self {
        self.project_name = name.into();
        self
    }

    /// Whether uploads with `store=auto` are stored (default `true`).
    pub fn autostore(mut self, autostore: bool) -> Self {
        self.autostore = autostore;
        self
    }

    /// REST API versions answered; requests for others get 406 (default: all three).
    pub fn versions(mut self, versions: &[ApiVersion]) -> Self {
        self.options.versions = versions.to_vec();
        self
    }

    /// Refuse simple auth (the service does over plain HTTP; the emulator serves HTTP, so
    /// it accepts simple auth unless told otherwise).
    pub fn forbid_simple_auth(mut self, forbid: bool) -> Self {
        self.options.forbid_simple_auth_over_http = forbid;
        self
    }

    /// Status polls a job stays in each stage (default 1: every poll moves it on).
    pub fn polls_per_stage(mut self, polls: u32) -> Self {
        self.options.polls_per_stage = polls.max(1);
        self
    }

    /// Runs the emulator's clock `seconds` ahead of the machine's (negative: behind): signed
    /// REST requests are checked against it and answers carry it in `Date`, like a service
    /// whose clock differs from the client's.
    pub fn clock_skew(mut self, seconds: i64) -> Self {
        self.options.clock_offset_secs = seconds;
        self
    }

    /// Require signed uploads (`signature` + `expire`) on the Upload API.
    pub fn signed_uploads(mut self, required: bool) -> Self {
        self.options.signed_uploads = required;
        self
    }

    /// Turns on secure delivery with this signing secret (hex, as the Dashboard shows it):
    /// every CDN request then needs a valid `token` query — an ACL token
    /// (`exp=…~acl=…~hmac=…`, the ACL matching the path, `*` wildcard suffix allowed) or a URL
    /// token (`exp=…~hmac=…` over the escaped path) that has not expired — and is refused with
    /// 403 otherwise (see [`uploadcare::cdn::secure`] for the formats). [`EmulatorBuilder::start`]
    /// fails with `InvalidInput` when the secret is not hex.
    pub fn secure_delivery_secret(mut self, hex_secret: impl Into<String>) -> Self {
        self.secure_delivery_hex = Some(uploadcare::SecretKey::new(hex_secret.into()));
        self
    }

    /// Counts the bytes of multipart parts as they stream in instead of keeping them, so
    /// uploads of any size take no memory (for benchmarks and load tests). Completed files
    /// report their size but have no content: the CDN serves them empty. Direct uploads
    /// are kept as usual.
    pub fn discard_upload_bodies(mut self, discard: bool) -> Self {
        self.options.discard_bodies = discard;
        self
    }

    /// How long a new file, a removal, or a change of metadata or tags takes to show in
    /// `POST /files/search/` results (default zero: at once). The service indexes
    /// asynchronously, up to about 15 seconds; a delay lets a test check that its code
    /// copes with a file that is not found yet. Until the delay has passed, search matches
    /// the file as it was before the change (a new file: not at all).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use std::time::Duration;
    /// let emulator = uploadcare_emulator::Emulator::builder()
    ///     .search_index_delay(Duration::from_secs(2))
    ///     .start()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn search_index_delay(mut self, delay: std::time::Duration) -> Self {
        self.search_index_delay = delay;
        self
    }

    /// Binds two listeners on 127.0.0.1 (random ports: REST and Upload API) and serves
    /// until the [`Emulator`] is dropped.
    pub async fn start(mut self) -> std::io::Result<Emulator> {
        if let Some(secret) = &self.secure_delivery_hex {
            let secret = upload::DeliverySecret::from_hex(secret.expose_secret()).ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "the secure delivery secret is not hex",
                )
            })?;
            self.options.secure_delivery = Some(secret);
        }
        let rest_listener = tokio::net::TcpListener::bind((self.host, self.rest_port)).await?;
        let upload_listener = tokio::net::TcpListener::bind((self.host, self.upload_port)).await?;
        // The URLs name an address a client can connect to.
        let reachable = |mut addr: SocketAddr| {
            if addr.ip().is_unspecified() {
                addr.set_ip(match addr {
                    SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                    SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
                });
            }
            addr
        };
        let rest_addr = reachable(rest_listener.local_addr()?);
        let upload_addr = reachable(upload_listener.local_addr()?);
        let urls = Urls {
            rest: format!("http://{rest_addr}"),
            upload: format!("http://{upload_addr}"),
            cdn: format!("http://{upload_addr}/cdn"),
        };
        let mut project = state::Project::new(
            &self.project_name,
            &self.public_key,
            self.secret_key.expose_secret(),
        );
        project.autostore = self.autostore;
        project.search_index_delay = self.search_index_delay;
        let state = EmulatorState::new(project);
        let faults = Faults::default();
        let traffic = Traffic::default();
        let options = Arc::new(self.options);

        let rest_app = rest::router(rest::Rest {
            state: state.clone(),
            options: options.clone(),
            urls: urls.clone(),
        })
        .layer(axum::middleware::from_fn_with_state(
            (faults.clone(), traffic.clone(), FaultApi::Rest),
            faults::inject,
        ));
        let upload_app = upload::router(upload::Upload {
            state: state.clone(),
            options,
            urls: urls.clone(),
        })
        .layer(axum::middleware::from_fn_with_state(
            (faults.clone(), traffic.clone(), FaultApi::Upload),
            faults::inject,
        ));

        let (rest_app, upload_app) = match self.log {
            None => (rest_app, upload_app),
            Some(format) => {
                let project: Arc<str> = self.public_key.as_str().into();
                (
                    rest_app.layer(axum::middleware::from_fn_with_state(
                        (format, "rest", project.clone()),
                        request_log::log,
                    )),
                    upload_app.layer(axum::middleware::from_fn_with_state(
                        (format, "upload", project),
                        request_log::log,
                    )),
                )
            }
        };
        let (shutdown, watcher) = watch::channel(false);
        deliveries::start(&state, urls.clone(), watcher.clone());
        serve::spawn_server(rest_listener, rest_app, watcher.clone());
        serve::spawn_server(upload_listener, upload_app, watcher);
        Ok(Emulator {
            rest_addr,
            upload_addr,
            urls,
            public_key: self.public_key,
            secret_key: self.secret_key,
            state,
            faults,
            traffic,
            _shutdown: shutdown,
        })
    }
}

/// A running emulator. Dropping it stops both servers.
#[derive(Debug)]
pub struct Emulator {
    rest_addr: SocketAddr,
    upload_addr: SocketAddr,
    urls: Urls,
    public_key: String,
    secret_key: uploadcare::SecretKey,
    state: EmulatorState,
    faults: Faults,
    traffic: Traffic,
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

    /// Fault injection rules (both APIs).
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Requests in flight now and the most at once so far, over both APIs and the CDN.
    pub fn traffic(&self) -> &Traffic {
        &self.traffic
    }
}
