//! The account-level settings of a [`Config`]: the Project API's token, base URL and the
//! hosts the token may be sent to (see [`crate::project_api`]).

use crate::config::Config;
use crate::error::{Error, Result};
use crate::SecretKey;

/// The environment variable [`Config::account_from_env`] reads the Project API token from.
pub const ENV_PROJECT_API_TOKEN: &str = "UPLOADCARE_PROJECT_API_TOKEN";

/// The Project API's default base URL: where the official Go SDK sends its requests (the
/// REST host, paths `/projects/…`).
pub const DEFAULT_PROJECT_API_BASE_URL: &str = "https://api.uploadcare.com";

/// The base URL the official CLI defines (but, as of 2026-04, never uses); pass it to
/// [`Config::with_project_api_base_url`] if the default answers 404 for your account.
pub const ALTERNATE_PROJECT_API_BASE_URL: &str = "https://api.uploadcare.com/apps/api/project-api/v1";

/// Uploadcare's hosts that page links of the default base URL are seen pointing to (the Go
/// SDK's fixtures link to `app.uploadcare.com`): the token goes there too.
const UPLOADCARE_LINK_HOSTS: [&str; 2] = ["api.uploadcare.com", "app.uploadcare.com"];

impl Config {
    /// A configuration for the account-level Project API ([`crate::project_api::Client`]):
    /// the account's token and default settings. It has no project keys; for a project's
    /// REST and Upload API clients use [`crate::project_api::Client::project_config`] or
    /// [`Config::new`].
    ///
    /// ```
    /// let config = uploadcare::Config::for_account("account-token");
    /// assert!(!format!("{config:?}").contains("account-token"));
    /// ```
    pub fn for_account(token: impl Into<SecretKey>) -> Self {
        Self::public_only(String::new()).with_project_api_token(token)
    }

    /// [`Config::for_account`] with the token from `UPLOADCARE_PROJECT_API_TOKEN`
    /// ([`Error::Config`] when it is missing or empty).
    pub fn account_from_env() -> Result<Self> {
        match std::env::var(ENV_PROJECT_API_TOKEN) {
            Ok(token) if !token.trim().is_empty() => Ok(Self::for_account(token)),
            _ => Err(Error::Config(format!(
                "the Project API needs an account token: set {ENV_PROJECT_API_TOKEN}"
            ))),
        }
    }

    /// Sets the account's Project API token (sent as `Authorization: Bearer …`).
    pub fn with_project_api_token(mut self, token: impl Into<SecretKey>) -> Self {
        self.project_api.token = Some(token.into());
        self
    }

    /// The Project API's base URL (default [`DEFAULT_PROJECT_API_BASE_URL`]; see
    /// [`ALTERNATE_PROJECT_API_BASE_URL`]).
    pub fn with_project_api_base_url(mut self, url: impl Into<String>) -> Self {
        self.project_api.base_url = Some(url.into());
        self
    }

    /// Also sends the token to `host` when a page link leads there. The base URL's host is
    /// always trusted, and with the default base URL so are `api.uploadcare.com` and
    /// `app.uploadcare.com`; a link to any other host is followed without the token (the
    /// token opens every project of the account, so it never goes where it was not meant
    /// to).
    pub fn with_project_api_trusted_host(mut self, host: impl Into<String>) -> Self {
        self.project_api
            .trusted_hosts
            .push(host.into().to_ascii_lowercase());
        self
    }

    /// The Project API's base URL.
    pub fn project_api_base_url(&self) -> &str {
        self.project_api
            .base_url
            .as_deref()
            .unwrap_or(DEFAULT_PROJECT_API_BASE_URL)
    }

    /// Whether the configuration has a Project API token.
    pub fn has_project_api_token(&self) -> bool {
        self.project_api.token.is_some()
    }

    pub(crate) fn project_api_token(&self) -> Option<&SecretKey> {
        self.project_api.token.as_ref()
    }

    /// Whether the token may be sent to `url`: HTTPS (or a loopback host) to the base URL's
    /// host or a trusted one.
    pub(crate) fn project_api_token_allowed(&self, url: &reqwest::Url) -> bool {
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else {
            return false;
        };
        let base = reqwest::Url::parse(self.project_api_base_url()).ok();
        let base_host = base
            .as_ref()
            .and_then(|b| b.host_str())
            .map(str::to_ascii_lowercase);
        let default_base = base_host.as_deref() == Some("api.uploadcare.com");
        let trusted = base_host.as_deref() == Some(host.as_str())
            || self.project_api.trusted_hosts.contains(&host)
            || (default_base && UPLOADCARE_LINK_HOSTS.contains(&host.as_str()));
        let loopback = host == "localhost"
            || host
                .trim_start_matches('[')
                .trim_end_matches(']')
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        trusted && (url.scheme() == "https" || loopback)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> reqwest::Url {
        reqwest::Url::parse(text).unwrap()
    }

    #[test]
    fn the_token_goes_only_to_trusted_hosts() {
        let config = Config::for_account("t");
        assert!(config.project_api_token_allowed(&url("https://api.uploadcare.com/projects/")));
        assert!(config.project_api_token_allowed(&url(
            "https://app.uploadcare.com/apps/api/project-api/v1/projects/?limit=2"
        )));
        assert!(!config.project_api_token_allowed(&url("https://evil.example/projects/")));
        assert!(!config.project_api_token_allowed(&url("http://api.uploadcare.com/projects/")));

        let local = Config::for_account("t").with_project_api_base_url("http://127.0.0.1:8000");
        assert!(local.project_api_token_allowed(&url("http://127.0.0.1:8000/projects/")));
        assert!(!local.project_api_token_allowed(&url("https://app.uploadcare.com/projects/")));
        let trusting = local.with_project_api_trusted_host("LOCALHOST");
        assert!(trusting.project_api_token_allowed(&url("http://localhost:9000/projects/")));
    }
}
