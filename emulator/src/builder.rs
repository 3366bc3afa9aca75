//! [`EmulatorBuilder`]: the emulator's settings, and `start`, which binds the listeners and
//! wires sessions, projects, faults, the request log and the control API together.

use super::*;
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
    /// How far the emulator's clock runs ahead of the machine's (changeable while running).
    pub clock: Clock,
    /// Largest REST request body accepted.
    pub max_rest_body: usize,
    /// Secure delivery: when set, every CDN request needs a valid `token` (signed URLs).
    pub secure_delivery: Option<upload::DeliverySecret>,
    /// Count multipart part bodies instead of keeping them (benchmarks, load tests).
    pub discard_bodies: bool,
    /// Hosts `/from_url/` fetches from besides the loopback ones.
    pub allow_fetch: Arc<[String]>,
    /// The bearer token of the Project API (`/projects/…`).
    pub account_token: uploadcare::SecretKey,
}

/// Seconds the emulator's clock runs ahead of the machine's (negative: behind); clones share
/// the value, which the control API may change while the emulator runs.
#[derive(Clone, Debug, Default)]
pub(crate) struct Clock(Arc<std::sync::atomic::AtomicI64>);

impl Clock {
    fn new(offset_secs: i64) -> Self {
        Self(Arc::new(offset_secs.into()))
    }

    /// The offset in seconds.
    pub(crate) fn offset_secs(&self) -> i64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Sets the offset.
    pub(crate) fn set_offset_secs(&self, seconds: i64) {
        self.0.store(seconds, std::sync::atomic::Ordering::Relaxed);
    }
}

impl Options {
    /// The emulator's clock: the machine's, shifted by the clock's offset.
    pub(crate) fn now(&self) -> std::time::SystemTime {
        let now = std::time::SystemTime::now();
        let offset = self.clock.offset_secs();
        let shift = std::time::Duration::from_secs(offset.unsigned_abs());
        if offset >= 0 {
            now + shift
        } else {
            now.checked_sub(shift).unwrap_or(now)
        }
    }
}

/// Configures an [`Emulator`] before starting it.
#[derive(Clone, Debug)]
pub struct EmulatorBuilder {
    public_key: String,
    secret_key: uploadcare::SecretKey,
    project_name: String,
    autostore: bool,
    signed_uploads: bool,
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
    /// Where projects are kept across restarts (`None`: in memory only).
    data_dir: Option<std::path::PathBuf>,
    /// Projects besides the first: public and secret keys.
    more_projects: Vec<(String, uploadcare::SecretKey)>,
    /// Files to add to the default session at start.
    seed_dir: Option<std::path::PathBuf>,
    /// Whether the control API answers under `/__emulator/`.
    control: bool,
    /// The bearer token the control API requires, if any.
    control_token: Option<uploadcare::SecretKey>,
}

impl Default for EmulatorBuilder {
    fn default() -> Self {
        Self {
            public_key: DEFAULT_PUBLIC_KEY.to_owned(),
            secret_key: uploadcare::SecretKey::new(DEFAULT_SECRET_KEY),
            project_name: "Emulated project".to_owned(),
            autostore: true,
            signed_uploads: false,
            search_index_delay: state::DEFAULT_SEARCH_INDEX_DELAY,
            options: Options {
                versions: vec![ApiVersion::V0_5, ApiVersion::V0_6, ApiVersion::V0_7],
                forbid_simple_auth_over_http: false,
                polls_per_stage: 1,
                clock: Clock::default(),
                max_rest_body: 1 << 20,
                secure_delivery: None,
                discard_bodies: false,
                allow_fetch: Arc::new([]),
                account_token: uploadcare::SecretKey::new(crate::account::DEFAULT_ACCOUNT_TOKEN),
            },
            secure_delivery_hex: None,
            host: std::net::Ipv4Addr::LOCALHOST.into(),
            rest_port: 0,
            upload_port: 0,
            log: None,
            data_dir: None,
            seed_dir: None,
            more_projects: Vec::new(),
            control: true,
            control_token: None,
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

    /// Hosts (names or addresses) that `/from_url/` fetches from for real, besides
    /// `127.0.0.1` and `localhost`; other hosts get a synthetic file. Link-local addresses
    /// (cloud metadata services) are never fetched, whatever the list or DNS says.
    pub fn allow_fetch<S: Into<String>>(mut self, hosts: impl IntoIterator<Item = S>) -> Self {
        let hosts: Vec<String> = hosts.into_iter().map(|h| h.into().to_ascii_lowercase()).collect();
        self.options.allow_fetch = hosts.into();
        self
    }

    /// The bearer token the emulator's account-level Project API (`/projects/…` on the REST
    /// port) accepts (default [`DEFAULT_ACCOUNT_TOKEN`](crate::DEFAULT_ACCOUNT_TOKEN)).
    pub fn account_token(mut self, token: impl Into<uploadcare::SecretKey>) -> Self {
        self.options.account_token = token.into();
        self
    }

    /// Keeps every session's project in `dir` (created if missing), so files and state
    /// survive a restart or a crash; a restart with the same directory finds them. See the
    /// data directory's layout and guarantees in the README ("Run a local Uploadcare").
    pub fn data_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.data_dir = Some(dir.into());
        self
    }

    /// Adds every regular file directly in `dir` to the default session at start, stored,
    /// named as on disk, its MIME type detected like an upload's. A file already there
    /// with the same name and size (a restart with [`EmulatorBuilder::data_dir`]) is not
    /// added again. [`EmulatorBuilder::start`] fails if `dir` cannot be read.
    pub fn seed_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.seed_dir = Some(dir.into());
        self
    }

    /// Whether the control API answers under [`CONTROL_PATH`] on both ports (default: on).
    pub fn control(mut self, on: bool) -> Self {
        self.control = on;
        self
    }

    /// Requires `Authorization: Bearer <token>` on control API requests. Needed (and
    /// [`EmulatorBuilder::start`] fails without it) when the emulator listens on an address
    /// other than the loopback interface with the control API on.
    pub fn control_token(mut self, token: impl Into<uploadcare::SecretKey>) -> Self {
        self.control_token = Some(token.into());
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

    /// Adds another project with its own keys, files and settings (the first is the one
    /// [`EmulatorBuilder::keys`] sets). Requests reach a project by the public key they name
    /// (REST `Authorization`, the Upload API's `pub_key`), or by what they ask for (a CDN
    /// file, a part URL); every session has every project. See [`Emulator::project`].
    pub fn project(
        mut self,
        public_key: impl Into<String>,
        secret_key: impl Into<uploadcare::SecretKey>,
    ) -> Self {
        self.more_projects.push((public_key.into(), secret_key.into()));
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
        self.options.clock = Clock::new(seconds);
        self
    }

    /// Require signed uploads (`signature` + `expire`) on the Upload API.
    pub fn signed_uploads(mut self, required: bool) -> Self {
        self.signed_uploads = required;
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
        if self.control && self.control_token.is_none() && !self.host.is_loopback() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!(
                    "listening on {} would expose the control API to the network: give it a token \
                     (--control-token) or turn it off (--no-control)",
                    self.host
                ),
            ));
        }
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
        let first = state::ProjectSettings {
            name: self.project_name.clone(),
            public_key: self.public_key.clone(),
            secret_key: self.secret_key.clone(),
            autostore: self.autostore,
            signed_uploads: self.signed_uploads,
            search_index_delay: self.search_index_delay,
        };
        let mut settings = vec![first.clone()];
        for (index, (public_key, secret_key)) in self.more_projects.iter().enumerate() {
            if settings.iter().any(|s| &s.public_key == public_key) {
                return Err(invalid_input(format!(
                    "the public key `{public_key}` names two projects"
                )));
            }
            settings.push(state::ProjectSettings {
                name: format!("{} {}", self.project_name, index + 2),
                public_key: public_key.clone(),
                secret_key: secret_key.clone(),
                ..first.clone()
            });
        }
        if self.data_dir.is_some() {
            if let Some(bad) = settings.iter().find(|s| !sessions::valid_name(&s.public_key)) {
                return Err(invalid_input(format!(
                    "with a data directory, a public key is 1 to 64 characters of A-Z a-z 0-9 . _ - \
                     (it names a directory): `{}`",
                    bad.public_key
                )));
            }
        }
        let store = match &self.data_dir {
            Some(dir) => Some(persist::Store::open(dir)?),
            None => None,
        };
        let options = Arc::new(self.options);
        let (shutdown, watcher) = watch::channel(false);
        let sessions =
            sessions::Sessions::new(settings, options.clone(), urls.clone(), watcher.clone(), store)?;
        let state = sessions.default_session().first().state.clone();
        if let Some(dir) = &self.seed_dir {
            seed(&state, dir)?;
            sessions.save(None, &sessions.default_session().first())?;
        }
        let faults = Faults::default();
        let traffic = Traffic::default();
        let control = self.control.then(|| control::Control {
            sessions: sessions.clone(),
            faults: faults.clone(),
            traffic: traffic.clone(),
            options: options.clone(),
            urls: urls.clone(),
            token: self.control_token.clone(),
        });
        let project: Arc<str> = self.public_key.as_str().into();
        // Outside in: the session (prefix or header), the request log, faults, then the
        // session's own router; the control API beside all of it.
        let app = |api: FaultApi| {
            let mut app = axum::Router::new()
                .fallback(dispatch::dispatch)
                .with_state((sessions.clone(), api))
                .layer(axum::middleware::from_fn_with_state(
                    (faults.clone(), traffic.clone(), api),
                    faults::inject,
                ));
            if let Some(format) = self.log {
                app = app.layer(axum::middleware::from_fn_with_state(
                    (format, api.name(), project.clone()),
                    request_log::log,
                ));
            }
            let app = app.layer(axum::middleware::from_fn(dispatch::route_session));
            match &control {
                Some(control) => axum::Router::new()
                    .nest(control::CONTROL_PATH, control::router(control.clone()))
                    .fallback_service(app),
                None => app,
            }
        };
        serve::spawn_server(rest_listener, app(FaultApi::Rest), watcher.clone());
        serve::spawn_server(upload_listener, app(FaultApi::Upload), watcher);
        Ok(Emulator {
            rest_addr,
            upload_addr,
            urls,
            public_key: self.public_key,
            secret_key: self.secret_key,
            state,
            sessions,
            faults,
            traffic,
            control: self.control,
            account_token: options.account_token.clone(),
            _shutdown: shutdown,
        })
    }
}

fn invalid_input(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}

/// Adds the regular files directly in `dir` (see [`EmulatorBuilder::seed_dir`]).
fn seed(state: &EmulatorState, dir: &std::path::Path) -> std::io::Result<()> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)?
        .map(|entry| entry.map(|e| e.path()))
        .collect::<std::io::Result<_>>()?;
    paths.sort();
    for path in paths {
        if !path.is_file() {
            continue;
        }
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(str::to_owned) else {
            continue;
        };
        let data = std::fs::read(&path)?;
        let present = state
            .lock()
            .files
            .values()
            .any(|f| f.removed.is_none() && f.filename == name && f.size() == data.len() as u64);
        if !present {
            let mime = upload::detect_mime(&name, None, &data);
            state.add_file(&name, &mime, data, Some(true));
        }
    }
    Ok(())
}
