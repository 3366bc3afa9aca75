//! What every generated client carries: the validated configuration and the HTTP client
//! built from it ([`ClientContext`]).

use crate::config::{AuthScheme, Config, USER_AGENT};
use crate::error::{Error, Result};
use std::sync::Arc;
use std::time::Duration;

/// What every generated client carries (progenitor's "inner type"): the configuration and
/// the HTTP client built from it. Cheap to clone.
#[derive(Clone, Debug)]
pub struct ClientContext {
    config: Arc<Config>,
    http: reqwest::Client,
    /// Seconds the service's clock is ahead of this machine's, learnt from a rejected date.
    clock_offset: Arc<std::sync::atomic::AtomicI64>,
    rest_base_url: Arc<str>,
    upload_base_url: Arc<str>,
    /// Set on every request, when the HTTP client does not already send it by default.
    #[cfg_attr(not(api), allow(dead_code))]
    user_agent: Option<http::HeaderValue>,
}

impl ClientContext {
    /// Validates `config` and builds its HTTP client.
    pub fn new(config: Config) -> Result<Self> {
        let rest_base_url = normalize_base_url("REST", &config.rest_base_url)?;
        let upload_base_url = normalize_base_url("Upload", &config.upload_base_url)?;
        #[cfg(feature = "project_api")]
        let account = config.has_project_api_token();
        #[cfg(not(feature = "project_api"))]
        let account = false;
        if config.public_key.trim().is_empty() && !account {
            return Err(Error::Config("the public key is empty".to_owned()));
        }
        let user_agent = config
            .user_agent()
            .map(|ua| {
                http::HeaderValue::from_str(&ua).map_err(|_| {
                    Error::Config("the User-Agent extension is not a valid header value".to_owned())
                })
            })
            .transpose()?;
        // The crate's own client sends the User-Agent by default; a custom one gets it per
        // request, and only when an extension asks for it.
        let per_request_user_agent = if config.http_client.is_some() {
            user_agent.clone()
        } else {
            None
        };
        let http = match &config.http_client {
            Some(client) => client.clone(),
            None => {
                // A redirect would replay a request signed for another URI (the service
                // rejects it) and carry the credentials along: redirects are returned as
                // `Error::UnexpectedStatus` instead of being followed.
                let mut builder = reqwest::Client::builder()
                    .user_agent(
                        user_agent
                            .clone()
                            .unwrap_or_else(|| http::HeaderValue::from_static(USER_AGENT)),
                    )
                    .redirect(reqwest::redirect::Policy::none())
                    // HTTP/1 only: there a reset before any answer means the request was
                    // not read, which lets the retry rules repeat even creating requests
                    // safely (see `crate::retry`); over HTTP/2 a reset tells nothing.
                    .http1_only()
                    .connect_timeout(config.connect_timeout);
                // The read timeout is the request pipeline's own (`runtime::transport`,
                // `runtime::watchdog`), not reqwest's.
                if let Some(timeout) = config.timeout {
                    builder = builder.timeout(timeout);
                }
                builder
                    .build()
                    .map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        Ok(Self {
            config: Arc::new(config),
            http,
            rest_base_url: rest_base_url.into(),
            upload_base_url: upload_base_url.into(),
            clock_offset: Arc::default(),
            user_agent: per_request_user_agent,
        })
    }

    /// Refuses [`AuthScheme::Simple`] (the secret key in every request) over plain HTTP to
    /// a host that is not loopback, unless the configuration allows it.
    #[cfg_attr(not(rest), allow(dead_code))]
    pub(crate) fn check_rest_transport(&self) -> Result<()> {
        if self.config.auth_scheme != AuthScheme::Simple || self.config.simple_auth_over_http {
            return Ok(());
        }
        let Ok(url) = reqwest::Url::parse(&self.rest_base_url) else {
            return Ok(());
        };
        let host = url.host_str().unwrap_or_default();
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if url.scheme() == "http" && !loopback {
            return Err(Error::Config(format!(
                "simple auth would send the secret key in clear text to {}; use https, signed auth, \
                 or Config::with_simple_auth_over_http(true)",
                host
            )));
        }
        Ok(())
    }

    /// The time to sign requests with: this machine's clock corrected by what the service
    /// said its clock reads (see [`ClientContext::clock_offset`]).
    pub fn now(&self) -> std::time::SystemTime {
        let now = std::time::SystemTime::now();
        let offset = self.clock_offset();
        let shift = Duration::from_secs(offset.unsigned_abs());
        if offset >= 0 {
            now + shift
        } else {
            now.checked_sub(shift).unwrap_or(now)
        }
    }

    /// Seconds the service's clock runs ahead of this machine's (negative: behind), as learnt
    /// from the `Date` of an answer that rejected a signed request's date; `0` until then.
    pub fn clock_offset(&self) -> i64 {
        self.clock_offset.load(std::sync::atomic::Ordering::Relaxed)
    }

    #[cfg_attr(not(rest), allow(dead_code))]
    pub(crate) fn set_clock_offset(&self, seconds: i64) {
        self.clock_offset
            .store(seconds, std::sync::atomic::Ordering::Relaxed);
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Sets the per-request `User-Agent` on `headers`, when there is one.
    #[cfg_attr(not(api), allow(dead_code))]
    pub(crate) fn set_user_agent(&self, headers: &mut http::HeaderMap) {
        if let Some(user_agent) = &self.user_agent {
            headers.insert(http::header::USER_AGENT, user_agent.clone());
        }
    }

    /// Whether a connection reset before any answer means the request was not read: true
    /// for the crate's own client (HTTP/1 only), not for one given with
    /// [`Config::with_http_client`], which may speak HTTP/2.
    pub(crate) fn resets_mean_unread(&self) -> bool {
        self.config.http_client.is_none()
    }

    /// How long a request may stay silent (nothing sent, nothing received) before its
    /// attempt fails: [`Config::with_read_timeout`] for the crate's own HTTP client; `None`
    /// with a client given with [`Config::with_http_client`] (its own settings apply).
    pub fn read_timeout(&self) -> Option<Duration> {
        match self.config.http_client {
            Some(_) => None,
            None => self.config.read_timeout,
        }
    }

    /// The HTTP client.
    pub fn http(&self) -> &reqwest::Client {
        &self.http
    }

    /// The REST base URL without a trailing `/` (generated paths start with one).
    pub fn rest_base_url(&self) -> &str {
        &self.rest_base_url
    }

    /// The Upload API base URL without a trailing `/`.
    pub fn upload_base_url(&self) -> &str {
        &self.upload_base_url
    }
}

/// Checks that `url` is an absolute http(s) URL and strips trailing slashes.
fn normalize_base_url(which: &str, url: &str) -> Result<String> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::Config(format!("invalid {which} base URL `{url}`: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(Error::Config(format!(
            "invalid {which} base URL `{url}`: expected http(s)://host[:port]"
        )));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_contains_the_secret() {
        let config = Config::new("pub", "very-secret-key-123");
        let ctx = ClientContext::new(config.clone()).unwrap();
        assert!(!format!("{config:?}").contains("very-secret-key-123"));
        assert!(!format!("{ctx:?}").contains("very-secret-key-123"));
    }

    #[test]
    fn base_urls_are_validated_and_normalized() {
        let ctx =
            ClientContext::new(Config::new("p", "s").with_rest_base_url("http://127.0.0.1:8080/")).unwrap();
        assert_eq!(ctx.rest_base_url(), "http://127.0.0.1:8080");
        let err = ClientContext::new(Config::new("p", "s").with_rest_base_url("not a url")).unwrap_err();
        assert!(matches!(err, Error::Config(m) if m.contains("not a url")));
        let err = ClientContext::new(Config::new("p", "s").with_rest_base_url("ftp://x")).unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }

    #[test]
    fn simple_auth_over_plain_http_is_refused_unless_loopback_or_allowed() {
        let simple = |url: &str| {
            Config::new("p", "s")
                .with_auth_scheme(AuthScheme::Simple)
                .with_rest_base_url(url)
        };
        let check = |config: Config| ClientContext::new(config).unwrap().check_rest_transport();
        let err = check(simple("http://api.example.com")).unwrap_err();
        assert!(
            matches!(&err, Error::Config(m) if m.contains("api.example.com")),
            "{err}"
        );
        assert!(check(simple("https://api.example.com")).is_ok());
        for loopback in ["http://127.0.0.1:8080", "http://localhost:1", "http://[::1]:2"] {
            assert!(check(simple(loopback)).is_ok(), "{loopback}");
        }
        assert!(check(simple("http://api.example.com").with_simple_auth_over_http(true)).is_ok());
        assert!(check(Config::new("p", "s").with_rest_base_url("http://api.example.com")).is_ok());
    }

    #[test]
    fn empty_public_key_is_rejected() {
        assert!(matches!(
            ClientContext::new(Config::new(" ", "s")),
            Err(Error::Config(_))
        ));
    }
}
