//! Uploadcare's account-level Project API (feature `project_api`): the account's projects,
//! their secret keys and their usage, generated from `openapi/project-api.yaml`.
//!
//! One bearer token opens every project of the account ([`Config::for_account`],
//! `UPLOADCARE_PROJECT_API_TOKEN`). Requests go through the same pipeline as the REST and
//! Upload APIs (retries by what repeating an operation can do, tracing with the token
//! redacted). The token is only ever sent over HTTPS (or to a loopback host) to the base
//! URL's host and the hosts [`Config::with_project_api_trusted_host`] names — page links
//! are followed verbatim, also to another host, but without the token there.
//!
//! ```no_run
//! # async fn run() -> uploadcare::Result<()> {
//! use futures_util::TryStreamExt;
//! use uploadcare::project_api::{Client, UsageRange};
//!
//! let account = Client::from_env()?; // UPLOADCARE_PROJECT_API_TOKEN
//! let mut projects = account.all_projects(|list| list).items();
//! while let Some(project) = projects.try_next().await? {
//!     println!("{} {}", project.pub_key, project.name);
//! }
//! let last_month = UsageRange::last_days(30)?;
//! let usage = account
//!     .usage()
//!     .pub_key("5d9a1c3e7b2f4a6c8e0d")
//!     .from(last_month.from)
//!     .to(last_month.to)
//!     .send()
//!     .await?;
//! for day in &usage.data {
//!     println!("{} {:?} bytes served", day.date, day.traffic);
//! }
//! # Ok(()) }
//! ```
//!
//! Usage ranges are checked before any request, as the API checks them: `to` before today
//! (UTC), `from` not after `to`, at most [`MAX_USAGE_DAYS`] days.
//!
//! The base URL is a known conflict between Uploadcare's own tools: the Go SDK calls
//! [`DEFAULT_PROJECT_API_BASE_URL`](crate::DEFAULT_PROJECT_API_BASE_URL) (the default here);
//! the CLI defines [`ALTERNATE_PROJECT_API_BASE_URL`](crate::ALTERNATE_PROJECT_API_BASE_URL).

crate::generated_module!("project_api");

use crate::{Config, Result, SecretKey};
use chrono::NaiveDate;

mod usage;

pub use usage::{check_usage_range, UsageRange, MAX_USAGE_DAYS};

use crate::runtime::FOLLOW_OPERATION;

impl Client {
    /// A client for the account `config` names ([`Config::for_account`]).
    pub fn from_config(config: Config) -> Result<Self> {
        if !config.has_project_api_token() {
            return Err(crate::Error::Config(
                "the Project API needs the account's token (Config::for_account or UPLOADCARE_PROJECT_API_TOKEN)"
                    .to_owned(),
            ));
        }
        let base_url = config.project_api_base_url().trim_end_matches('/').to_owned();
        reqwest::Url::parse(&base_url).map_err(|e| {
            crate::Error::Config(format!("the Project API base URL `{base_url}` is not a URL: {e}"))
        })?;
        let context = crate::ClientContext::new(config)?;
        Ok(Self::new_with_client(&base_url, context.http().clone(), context))
    }

    /// A client with the token from `UPLOADCARE_PROJECT_API_TOKEN`.
    pub fn from_env() -> Result<Self> {
        Self::from_config(Config::account_from_env()?)
    }

    /// The configuration this client was built from.
    pub fn config(&self) -> &Config {
        self.inner.config()
    }

    /// Every project of the account, across pages (`configure` sets the page size).
    pub fn all_projects<'a>(
        &'a self,
        configure: impl FnOnce(builder::ProjectsList<'a>) -> builder::ProjectsList<'a>,
    ) -> crate::runtime::Pages<'a, types::ProjectsPage> {
        let request = configure(self.projects_list());
        crate::runtime::Pages::new(self, async move {
            Ok(request.send().await.map_err(crate::Error::from)?.into_inner())
        })
    }

    /// Every secret key (id and hint) of a project, across pages.
    pub fn all_secrets<'a>(
        &'a self,
        pub_key: &str,
        configure: impl FnOnce(builder::SecretsList<'a>) -> builder::SecretsList<'a>,
    ) -> crate::runtime::Pages<'a, types::SecretsPage> {
        let request = configure(self.secrets_list().pub_key(pub_key));
        crate::runtime::Pages::new(self, async move {
            Ok(request.send().await.map_err(crate::Error::from)?.into_inner())
        })
    }

    /// Creates a secret key for a project: its id and the key itself, as a [`SecretKey`]
    /// (redacted in `Debug`). The key is shown only this once; keep it.
    pub async fn create_secret_key(&self, pub_key: &str) -> Result<(String, SecretKey)> {
        let created = self.secret_create().pub_key(pub_key).send().await?.into_inner();
        Ok((created.id, SecretKey::new(created.secret.expose_secret())))
    }

    /// A configuration for one project of the account, from its public key and a secret
    /// key (e.g. from [`create_secret_key`](Self::create_secret_key)), with this client's
    /// settings (timeouts, retries, HTTP client) and REST/Upload base URLs: "upload into
    /// project X" in two calls.
    ///
    /// ```no_run
    /// # async fn run(account: uploadcare::project_api::Client) -> uploadcare::Result<()> {
    /// let project = account.project_create().body_map(|b| b.name("Photos")).send().await?;
    /// let (_, secret) = account.create_secret_key(&project.pub_key).await?;
    /// let uploads = uploadcare::upload::Client::from_config(account.project_config(&project.pub_key, secret))?;
    /// # let _ = uploads; Ok(()) }
    /// ```
    pub fn project_config(&self, pub_key: &str, secret_key: SecretKey) -> Config {
        self.config().for_project(pub_key, secret_key)
    }

    /// Fetches a page link (`next`) verbatim, wherever it points; the token goes along only
    /// to the trusted hosts (see the module docs).
    pub async fn follow<T: serde::de::DeserializeOwned>(&self, url: &str) -> Result<T> {
        let parsed = reqwest::Url::parse(url).map_err(|e| crate::Error::InvalidResponse {
            message: format!("the page link `{url}` is not a URL: {e}"),
            body: String::new(),
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(crate::Error::InvalidResponse {
                message: format!("refusing to follow `{url}`: not an HTTP URL"),
                body: String::new(),
            });
        }
        let request = self.inner.http().get(parsed).build()?;
        crate::runtime::fetch_link(self, request).await
    }
}

// The request is prepared by `exchange` (build.rs takes progenitor's `pre` calls out); the
// hooks are progenitor's defaults.
impl progenitor_client::ClientHooks<crate::ClientContext> for Client {}

impl Client {
    /// What a request gets before it goes out: the usage range checked, `User-Agent`, and
    /// the account token where it may go.
    fn prepare(
        &self,
        request: &mut reqwest::Request,
        operation: &str,
    ) -> Result<(), crate::runtime::Rejected> {
        use crate::runtime::Rejected;
        if matches!(operation, "usage" | "usage_metric") {
            let today = chrono::DateTime::<chrono::Utc>::from(self.inner.now()).date_naive();
            let (from, to) = usage_query(request.url());
            if let (Some(from), Some(to)) = (from, to) {
                check_usage_range(from, to, today).map_err(Rejected::Input)?;
            }
        }
        self.inner.set_user_agent(request.headers_mut());
        let config = self.inner.config();
        if config.project_api_token_allowed(request.url()) {
            if let Some(token) = config.project_api_token() {
                let mut value =
                    reqwest::header::HeaderValue::try_from(format!("Bearer {}", token.expose_secret()))
                        .map_err(|_| {
                            Rejected::Config("the Project API token is not a valid header value".to_owned())
                        })?;
                value.set_sensitive(true);
                request
                    .headers_mut()
                    .insert(reqwest::header::AUTHORIZATION, value);
            }
        }
        Ok(())
    }
}

/// The `from` and `to` dates of a usage request's query.
fn usage_query(url: &reqwest::Url) -> (Option<NaiveDate>, Option<NaiveDate>) {
    let date = |name: &str| {
        url.query_pairs()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.parse::<NaiveDate>().ok())
    };
    (date("from"), date("to"))
}

impl crate::runtime::Exchange for Client {
    fn exchange<E>(
        &self,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> impl std::future::Future<
        Output = ::std::result::Result<crate::runtime::Answer, progenitor_client::Error<E>>,
    > + Send {
        let prepared = self.prepare(&mut request, operation);
        let kind = if operation == FOLLOW_OPERATION {
            crate::retry::OperationKind::Safe
        } else {
            operation_class(operation)
        };
        let op = crate::runtime::Op {
            name: operation,
            kind,
            api: crate::runtime::Api::Rest,
        };
        crate::runtime::exchange(&self.inner, op, request, prepared)
    }
}

impl crate::runtime::FollowLinks for Client {
    fn follow_link<T: serde::de::DeserializeOwned + Send>(
        &self,
        url: &str,
    ) -> impl std::future::Future<Output = Result<T>> + Send {
        self.follow(url)
    }
}

crate::runtime::next_results_page!(types::ProjectsPage => types::Project, types::SecretsPage => types::SecretListItem);
