//! Client configuration: built once, shared by every API version's client.

use crate::auth::SecretKey;
use crate::error::{Error, Result};
use std::time::Duration;

/// Default REST API base URL.
pub const DEFAULT_REST_BASE_URL: &str = "https://api.uploadcare.com";
/// Default Upload API base URL.
pub const DEFAULT_UPLOAD_BASE_URL: &str = "https://upload.uploadcare.com";
/// Environment variable read by [`Config::from_env`] for the public key.
pub const ENV_PUBLIC_KEY: &str = "UPLOADCARE_PUBLIC_KEY";
/// Environment variable read by [`Config::from_env`] for the secret key.
pub const ENV_SECRET_KEY: &str = "UPLOADCARE_SECRET_KEY";
/// The `User-Agent` sent with every request: `uploadcare-rust/<crate version>`.
pub const USER_AGENT: &str = concat!("uploadcare-rust/", env!("CARGO_PKG_VERSION"));

/// How REST API requests authenticate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum AuthScheme {
    /// `Authorization: Uploadcare <public_key>:<signature>`: an HMAC-SHA1 signature of the
    /// request (see [`crate::sign_rest_request`]); the secret key never leaves the process.
    #[default]
    Signed,
    /// `Authorization: Uploadcare.Simple <public_key>:<secret_key>`: the secret key travels
    /// with every request. The service refuses it over plain HTTP; prefer [`AuthScheme::Signed`].
    Simple,
}

/// When a request is retried.
///
/// What is retried depends on what repeating the operation can do (safe, idempotent or
/// creating): the table is in [`crate::retry`], decided by [`crate::retry::decide`] for
/// every request the crate sends (multipart parts included). These numbers say how often
/// and how long to wait.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt; `0` disables retrying.
    pub max_retries: u32,
    /// First backoff delay; doubled for every further retry.
    pub initial_backoff: Duration,
    /// A `Retry-After` longer than this is not waited for: the 429 is returned instead.
    pub max_retry_after: Duration,
    /// The longest backoff between two attempts (the doubling stops there).
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_backoff: Duration::from_millis(500),
            max_retry_after: Duration::from_secs(60),
            max_backoff: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn never() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }
}

/// Keys, endpoints and transport settings for Uploadcare clients.
///
/// ```
/// use std::time::Duration;
/// use uploadcare::{AuthScheme, Config};
///
/// let config = Config::new("demopublickey", "demoprivatekey")
///     .with_auth_scheme(AuthScheme::Signed)
///     .with_timeout(Duration::from_secs(30));
/// assert_eq!(config.public_key(), "demopublickey");
/// // The secret key never shows up in Debug output.
/// assert!(!format!("{config:?}").contains("demoprivatekey"));
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) public_key: String,
    pub(crate) secret_key: Option<SecretKey>,
    pub(crate) auth_scheme: AuthScheme,
    pub(crate) rest_base_url: String,
    pub(crate) upload_base_url: String,
    pub(crate) timeout: Option<Duration>,
    pub(crate) read_timeout: Option<Duration>,
    pub(crate) connect_timeout: Duration,
    pub(crate) http_client: Option<reqwest::Client>,
    pub(crate) retry: RetryPolicy,
    pub(crate) signed_uploads: bool,
    pub(crate) signed_upload_lifetime: Duration,
    /// A fixed upload auth token, or a provider of them (instead of `signature`/`expire`).
    #[cfg(feature = "upload")]
    pub(crate) upload_token: Option<UploadToken>,
    pub(crate) simple_auth_over_http: bool,
    /// Appended to the crate's `User-Agent` (`my-app/1.2`).
    pub(crate) user_agent_extension: Option<String>,
    /// A CDN base set with `with_cdn_base_url` (else the project's own, from the public key).
    #[cfg_attr(not(feature = "cdn"), allow(dead_code))]
    pub(crate) cdn_base_url: Option<String>,
    /// The account-level Project API's token and base URL.
    #[cfg(feature = "project_api")]
    pub(crate) project_api: ProjectApiSettings,
}

/// Where upload auth tokens come from.
#[cfg(feature = "upload")]
#[derive(Clone, Debug)]
pub(crate) enum UploadToken {
    /// One token (its `Debug` is redacted).
    Fixed(SecretKey),
    /// A provider.
    Provider(std::sync::Arc<crate::upload_token::TokenProvider>),
}

#[cfg(feature = "upload")]
impl UploadToken {
    /// `Authorization: Bearer <token>` for the next request (marked sensitive).
    pub(crate) async fn bearer(&self) -> crate::Result<http::HeaderValue> {
        let token = match self {
            UploadToken::Fixed(token) => token.expose_secret().to_owned(),
            UploadToken::Provider(provider) => provider.token().await?,
        };
        let mut value = http::HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| Error::Config("the upload auth token is not a valid header value".to_owned()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// After an answer refusing the token a request carried (`sent`: its `Authorization`
    /// value) as expired or spent, drops a provider's token if it is still that one, and
    /// says whether the request is worth sending once more.
    pub(crate) fn refresh_after(&self, status: u16, body: &[u8], sent: Option<&http::HeaderValue>) -> bool {
        let UploadToken::Provider(provider) = self else {
            return false;
        };
        if status != 401 && status != 403 {
            return false;
        }
        // The answer's error, read by the one Upload API error parser.
        let body = serde_json::from_slice(body).unwrap_or(crate::ApiErrorBody(serde_json::Value::Null));
        let refused = match Error::from_error_body(status, &http::HeaderMap::new(), body) {
            Error::Upload { code, .. } => {
                code == "AccessTokenExpiredError" || code == "OperationsLimitExceededError"
            }
            _ => false,
        };
        if refused {
            match sent
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.strip_prefix("Bearer "))
            {
                Some(token) => provider.invalidate_if(token),
                None => provider.invalidate(),
            }
            return true;
        }
        false
    }
}

impl Config {
    /// A configuration with both project keys and default settings: signed auth, the
    /// public endpoints, no whole-request timeout (uploads may take long) but a 60 s read
    /// timeout (a connection silent that long fails), a 10 s connect timeout,
    /// [`RetryPolicy::default`].
    pub fn new(public_key: impl Into<String>, secret_key: impl Into<SecretKey>) -> Self {
        let mut config = Self::public_only(public_key);
        config.secret_key = Some(secret_key.into());
        config
    }

    /// A configuration with only a public key: enough for the Upload API (unsigned
    /// uploads), not for the REST API.
    pub fn public_only(public_key: impl Into<String>) -> Self {
        Self {
            public_key: public_key.into(),
            secret_key: None,
            auth_scheme: AuthScheme::default(),
            rest_base_url: DEFAULT_REST_BASE_URL.to_owned(),
            upload_base_url: DEFAULT_UPLOAD_BASE_URL.to_owned(),
            timeout: None,
            read_timeout: Some(Duration::from_secs(60)),
            connect_timeout: Duration::from_secs(10),
            http_client: None,
            retry: RetryPolicy::default(),
            signed_uploads: true,
            signed_upload_lifetime: Duration::from_secs(30 * 60),
            #[cfg(feature = "upload")]
            upload_token: None,
            simple_auth_over_http: false,
            user_agent_extension: None,
            cdn_base_url: None,
            #[cfg(feature = "project_api")]
            project_api: Default::default(),
        }
    }

    /// These settings with a project's keys instead of the account's token.
    #[cfg(feature = "project_api")]
    pub(crate) fn for_project(&self, public_key: &str, secret_key: SecretKey) -> Self {
        let mut config = self.clone();
        config.public_key = public_key.to_owned();
        config.secret_key = Some(secret_key);
        config.project_api = Default::default();
        config
    }

    /// Reads the keys from `UPLOADCARE_PUBLIC_KEY` (required) and `UPLOADCARE_SECRET_KEY`
    /// (optional, needed for the REST API).
    pub fn from_env() -> Result<Self> {
        let public_key = std::env::var(ENV_PUBLIC_KEY)
            .ok()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| Error::Config(format!("environment variable {ENV_PUBLIC_KEY} is not set")))?;
        let mut config = Self::public_only(public_key);
        config.secret_key = std::env::var(ENV_SECRET_KEY)
            .ok()
            .filter(|k| !k.is_empty())
            .map(SecretKey::new);
        Ok(config)
    }

    /// Sets how REST requests authenticate (default [`AuthScheme::Signed`]).
    pub fn with_auth_scheme(mut self, scheme: AuthScheme) -> Self {
        self.auth_scheme = scheme;
        self
    }

    /// Allows [`AuthScheme::Simple`] over plain `http://` to a host that is not loopback
    /// (default: refused with [`Error::Config`] when the client is made, since the secret
    /// key would cross the network in clear text). Loopback hosts (`127.0.0.1`, `::1`,
    /// `localhost`), e.g. an emulator, are always allowed.
    pub fn with_simple_auth_over_http(mut self, allow: bool) -> Self {
        self.simple_auth_over_http = allow;
        self
    }

    /// Sets the REST API base URL, e.g. a local emulator's `http://127.0.0.1:PORT`.
    pub fn with_rest_base_url(mut self, url: impl Into<String>) -> Self {
        self.rest_base_url = url.into();
        self
    }

    /// Sets the Upload API base URL.
    pub fn with_upload_base_url(mut self, url: impl Into<String>) -> Self {
        self.upload_base_url = url.into();
        self
    }

    /// Sets the whole-request timeout (`None`: no timeout). Ignored with
    /// [`Config::with_http_client`], whose client carries its own settings.
    pub fn with_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.timeout = timeout.into();
        self
    }

    /// Sets how long a request may stay silent — no byte of its body sent, no byte of its
    /// answer received — before the attempt fails with [`Error::ReadTimeout`](crate::Error::ReadTimeout)
    /// (`None`: no limit; default 60 s). It is checked when the timeout ends, so a silent
    /// request fails after one to two timeouts of silence, and one whose bytes keep moving
    /// (a long upload, a slow answer) never does. A failed attempt is retried as
    /// [`crate::retry`] says for a late answer. Ignored with [`Config::with_http_client`].
    ///
    /// The deadlines are kept by one thread of the process, `uploadcare-read-timeout`
    /// (started by the first request that waits for its answer), not by the async
    /// runtime's timers: they follow the real clock on any runtime, also under `tokio`'s
    /// paused test clock.
    pub fn with_read_timeout(mut self, timeout: impl Into<Option<Duration>>) -> Self {
        self.read_timeout = timeout.into();
        self
    }

    /// Sets the connect timeout. Ignored with [`Config::with_http_client`].
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// Uses this `reqwest::Client` (its proxy, TLS and timeout settings) instead of one
    /// built from this configuration.
    pub fn with_http_client(mut self, client: reqwest::Client) -> Self {
        self.http_client = Some(client);
        self
    }

    /// Appends a product token to the crate's `User-Agent`, so the service (and your
    /// proxies) see `uploadcare-rust/<version> my-app/1.2`. Without it, and with your own
    /// client from [`Config::with_http_client`], requests carry that client's `User-Agent`
    /// (the crate does not override it). Errors at client construction when it is not a valid
    /// header value.
    ///
    /// ```
    /// let config = uploadcare::Config::public_only("demopublickey")
    ///     .with_user_agent_extension("my-app/1.2");
    /// assert_eq!(config.user_agent().as_deref(), Some(concat!("uploadcare-rust/", env!("CARGO_PKG_VERSION"), " my-app/1.2")));
    /// ```
    pub fn with_user_agent_extension(mut self, product: impl Into<String>) -> Self {
        let product = product.into();
        let product = product.trim();
        self.user_agent_extension = (!product.is_empty()).then(|| product.to_owned());
        self
    }

    /// The `User-Agent` the crate sends: its own plus the extension, or `None` when a custom
    /// HTTP client without an extension is in use (that client's own applies).
    pub fn user_agent(&self) -> Option<String> {
        match (&self.user_agent_extension, &self.http_client) {
            (Some(extension), _) => Some(format!("{USER_AGENT} {extension}")),
            (None, Some(_)) => None,
            (None, None) => Some(USER_AGENT.to_owned()),
        }
    }

    /// Sets when requests are retried.
    pub fn with_retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Whether uploads are signed (`signature` + `expire`) when a secret key is configured
    /// (default `true`; needed when the project requires signed uploads, harmless otherwise).
    pub fn with_signed_uploads(mut self, signed: bool) -> Self {
        self.signed_uploads = signed;
        self
    }

    /// How long an upload signature stays valid (default 30 minutes).
    pub fn with_signed_upload_lifetime(mut self, lifetime: Duration) -> Self {
        self.signed_upload_lifetime = lifetime;
        self
    }

    /// Signs uploads with this auth token (`Authorization: Bearer`, see
    /// [`crate::upload_token`]) instead of `signature`/`expire`: a token minted by your
    /// backend, so the client needs no secret key. Sent on every Upload API request but the
    /// multipart part PUTs (their presigned URLs are their credential).
    #[cfg(feature = "upload")]
    pub fn with_upload_token(mut self, token: impl Into<String>) -> Self {
        self.upload_token = Some(UploadToken::Fixed(SecretKey::new(token.into())));
        self
    }

    /// Signs uploads with tokens from `provider` (fetched from your backend, cached,
    /// refreshed before they expire, one fetch shared by concurrent requests). A request
    /// refused with `AccessTokenExpiredError` or `OperationsLimitExceededError` gets a new
    /// token and is sent once more; `ScopeForbiddenError` and `AccessTokenInvalidError` are
    /// final.
    #[cfg(feature = "upload")]
    pub fn with_upload_token_provider(mut self, provider: crate::upload_token::TokenProvider) -> Self {
        self.upload_token = Some(UploadToken::Provider(std::sync::Arc::new(provider)));
        self
    }

    /// The upload token source configured, if any.
    #[cfg(feature = "upload")]
    pub(crate) fn upload_token(&self) -> Option<&UploadToken> {
        self.upload_token.as_ref()
    }

    /// The `signature` and `expire` to send with an upload, when uploads are signed (and no
    /// auth token is configured, which replaces them).
    pub fn upload_signature(&self) -> Option<(String, u64)> {
        #[cfg(feature = "upload")]
        if self.upload_token.is_some() {
            return None;
        }
        let secret = self.secret_key.as_ref().filter(|_| self.signed_uploads)?;
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        let expire = (now + self.signed_upload_lifetime).as_secs();
        Some((crate::auth::sign_upload(secret.expose_secret(), expire), expire))
    }

    /// The project's public key.
    pub fn public_key(&self) -> &str {
        &self.public_key
    }

    /// Whether a secret key is configured.
    pub fn has_secret_key(&self) -> bool {
        self.secret_key.is_some()
    }

    #[cfg_attr(not(rest), allow(dead_code))]
    pub(crate) fn secret_key(&self) -> Option<&SecretKey> {
        self.secret_key.as_ref()
    }

    /// How REST requests authenticate.
    pub fn auth_scheme(&self) -> AuthScheme {
        self.auth_scheme
    }

    /// The REST API base URL.
    pub fn rest_base_url(&self) -> &str {
        &self.rest_base_url
    }

    /// The Upload API base URL.
    pub fn upload_base_url(&self) -> &str {
        &self.upload_base_url
    }

    /// Sets the CDN base that file URLs start with: a custom CNAME
    /// (`https://cdn.example.com`), the legacy global domain (`https://ucarecdn.com`,
    /// [`crate::cdn::base::LEGACY_CDN_BASE`]) for projects that still use it, or a local
    /// server. Trailing slashes are dropped. Default: the project's own subdomain
    /// ([`crate::cdn::base::project_cdn_base`]).
    ///
    /// ```
    /// let config = uploadcare::Config::public_only("demopublickey");
    /// assert_eq!(config.cdn_base_url(), "https://1s4oyld5dc.ucarecd.net");
    /// let config = config.with_cdn_base_url("https://cdn.example.com/");
    /// assert_eq!(config.cdn_base_url(), "https://cdn.example.com");
    /// ```
    #[cfg(feature = "cdn")]
    pub fn with_cdn_base_url(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.cdn_base_url = Some(url.trim_end_matches('/').to_owned());
        self
    }

    /// The CDN base (no trailing slash): the one set with [`Config::with_cdn_base_url`], else
    /// the project's own `https://<prefix>.ucarecd.net` derived from the public key.
    #[cfg(feature = "cdn")]
    pub fn cdn_base_url(&self) -> String {
        match &self.cdn_base_url {
            Some(url) => url.clone(),
            None => crate::cdn::base::project_cdn_base(&self.public_key),
        }
    }

    /// The URL API of this project on [`Config::cdn_base_url`]: file and group URL builders
    /// ([`crate::cdn::Cdn`]). Errors when a base set with [`Config::with_cdn_base_url`] is not
    /// an http(s) URL with a host.
    ///
    /// ```
    /// let cdn = uploadcare::Config::public_only("demopublickey").cdn()?;
    /// assert_eq!(cdn.base(), "https://1s4oyld5dc.ucarecd.net");
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    #[cfg(feature = "cdn")]
    pub fn cdn(&self) -> crate::Result<crate::cdn::Cdn> {
        crate::cdn::Cdn::new(&self.cdn_base_url())
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.retry
    }
}

/// The Project API part of a [`Config`] (its methods are in `crate::account`).
#[cfg(feature = "project_api")]
#[derive(Clone, Debug, Default)]
pub(crate) struct ProjectApiSettings {
    /// The account's token (redacted in `Debug`).
    pub(crate) token: Option<SecretKey>,
    /// Set with `Config::with_project_api_base_url`; else the default.
    pub(crate) base_url: Option<String>,
    /// Hosts besides the base URL's that the token may be sent to.
    pub(crate) trusted_hosts: Vec<String>,
}
