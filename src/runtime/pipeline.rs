//! The one request pipeline every request runs through: generated REST clients (progenitor's
//! `ClientHooks`, wired per version by `rest_api_version!`), the generated Upload API GETs
//! and the hand-written Upload API forms.
//!
//! - `pre`: check document-declared limits the generated code does not, then set `Accept`
//!   (the version, from the document's `info.version`), `Content-Type` when absent,
//!   `Date`, `User-Agent` and `Authorization` (signed or simple);
//! - `exec`: send, retrying per the [`RetryPolicy`](crate::RetryPolicy), and make every
//!   error body JSON so it parses into [`ApiErrorBody`](crate::ApiErrorBody) with its
//!   status intact.

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
use crate::config::AuthScheme;
use crate::config::ClientContext;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER, USER_AGENT as USER_AGENT_HEADER};
#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
use http::header::{ACCEPT, AUTHORIZATION, DATE};
use std::time::{Duration, SystemTime};
use tracing::Instrument;

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// `Content-Type` sent (and signed) when a request has none, GETs included.
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Item-count bounds of an operation's array request body, taken from the document's
/// `minItems`/`maxItems` (e.g. at most 100 UUIDs per batch).
#[derive(Clone, Copy, Debug)]
pub struct BodyItemLimit {
    /// The operation as progenitor names it in `OperationInfo` (snake_case).
    pub operation_id: &'static str,
    /// Fewest items allowed.
    pub min: usize,
    /// Most items allowed.
    pub max: usize,
}

/// The `Accept` value selecting REST API `version` (e.g. `0.7`).
pub fn accept_header(version: &str) -> String {
    format!("application/vnd.uploadcare-v{version}+json")
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// Why a request was not sent.
#[derive(Debug)]
pub(crate) enum Rejected {
    /// The input breaks a documented limit ([`crate::Error::InvalidInput`]).
    Input(String),
    /// The client cannot make this request ([`crate::Error::Config`]).
    Config(String),
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
impl<E> From<Rejected> for progenitor_client::Error<E> {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::Input(message) => progenitor_client::Error::InvalidRequest(message),
            // Converted into `Error::Config` by `From<progenitor_client::Error<_>> for Error`.
            Rejected::Config(message) => progenitor_client::Error::Custom(message),
        }
    }
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// Prepares a generated REST request for sending: validation, headers, signature.
pub(crate) fn prepare_rest_request(
    request: &mut reqwest::Request,
    ctx: &ClientContext,
    api_version: &str,
    operation_id: &str,
    limits: &[BodyItemLimit],
) -> Result<(), Rejected> {
    let body: &[u8] = match request.body() {
        None => b"",
        Some(body) => body
            .as_bytes()
            .ok_or_else(|| Rejected::Input("a streaming body cannot be signed".to_owned()))?,
    };
    check_body_items(body, operation_id, limits).map_err(Rejected::Input)?;

    let content_type = match request.headers().get(CONTENT_TYPE) {
        Some(value) => value.to_str().unwrap_or_default().to_owned(),
        None => DEFAULT_CONTENT_TYPE.to_owned(),
    };
    let invalid = |what: &str| Rejected::Config(format!("{what} is not a valid header value"));
    let accept =
        HeaderValue::from_str(&accept_header(api_version)).map_err(|_| invalid("the API version"))?;
    let content_type = HeaderValue::from_str(&content_type).map_err(|_| invalid("the content type"))?;
    let headers = request.headers_mut();
    // progenitor adds the document's version as `api-version`; the service selects the
    // version by `Accept` only.
    headers.remove("api-version");
    headers.insert(ACCEPT, accept);
    headers.insert(CONTENT_TYPE, content_type);
    if let Some(user_agent) = ctx.request_user_agent() {
        headers.insert(USER_AGENT_HEADER, user_agent.clone());
    }
    sign_rest_attempt(request, ctx)
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// Sets `Date` (now) and `Authorization` on a prepared REST request. Runs before every
/// attempt, so a retried request carries a fresh date and signature.
fn sign_rest_attempt(request: &mut reqwest::Request, ctx: &ClientContext) -> Result<(), Rejected> {
    let config = ctx.config();
    let secret = config.secret_key().ok_or_else(|| {
        Rejected::Config(
            "the REST API needs the project's secret key (Config::new or UPLOADCARE_SECRET_KEY)".to_owned(),
        )
    })?;
    let date = httpdate::fmt_http_date(ctx.now());
    let authorization = match config.auth_scheme() {
        AuthScheme::Simple => format!(
            "Uploadcare.Simple {}:{}",
            config.public_key(),
            secret.expose_secret()
        ),
        AuthScheme::Signed => {
            let body: &[u8] = match request.body() {
                None => b"",
                Some(body) => body
                    .as_bytes()
                    .ok_or_else(|| Rejected::Input("a streaming body cannot be signed".to_owned()))?,
            };
            let content_type = request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default();
            let url = request.url();
            let uri = match url.query() {
                Some(query) => format!("{}?{query}", url.path()),
                None => url.path().to_owned(),
            };
            let signature = crate::auth::sign_rest_request(
                secret.expose_secret(),
                request.method().as_str(),
                body,
                content_type,
                &date,
                &uri,
            );
            format!("Uploadcare {}:{signature}", config.public_key())
        }
    };
    let mut authorization = HeaderValue::from_str(&authorization)
        .map_err(|_| Rejected::Config("the public key is not a valid header value".to_owned()))?;
    // Keeps the value out of `Debug` output of the request and its headers.
    authorization.set_sensitive(true);
    let date = HeaderValue::from_str(&date)
        .map_err(|_| Rejected::Config("the date is not a valid header value".to_owned()))?;
    let headers = request.headers_mut();
    headers.insert(DATE, date);
    headers.insert(AUTHORIZATION, authorization);
    Ok(())
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// Sends a REST request prepared by [`prepare_rest_request`], retrying per the policy; every
/// retry is a copy of the request signed anew (fresh `Date`).
pub(crate) async fn execute_rest(
    ctx: &ClientContext,
    operation: &str,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let idempotent = is_idempotent(request.method());
    let mut copies = Copies::new(request, Some(ctx));
    let repeatable = copies.repeatable();
    let response = send_with_retries(ctx, operation, Api::Rest, idempotent, repeatable, &mut copies).await?;
    if repeatable && learn_clock_offset(ctx, &response) {
        // The date was refused because this machine's clock is off: once more, with the
        // service's time (the copy is signed anew).
        tracing::info!(
            operation,
            clock_offset_secs = ctx.clock_offset(),
            "the service refused the request's date; signing with its clock"
        );
        return send_with_retries(ctx, operation, Api::Rest, idempotent, repeatable, &mut copies).await;
    }
    Ok(response)
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
/// A signed request rejected with 401 while the service's `Date` is more than a minute away
/// from the time it was signed with: the clock is off. Records the service's offset and says
/// whether the request is worth sending again.
fn learn_clock_offset(ctx: &ClientContext, response: &reqwest::Response) -> bool {
    const TOLERANCE_SECS: i64 = 60;
    if response.status() != reqwest::StatusCode::UNAUTHORIZED
        || ctx.config().auth_scheme() != AuthScheme::Signed
    {
        return false;
    }
    let Some(server) = response
        .headers()
        .get(DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| httpdate::parse_http_date(v).ok())
    else {
        return false;
    };
    let seconds = |t: SystemTime| match t.duration_since(SystemTime::UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    };
    let offset = seconds(server) - seconds(SystemTime::now());
    if (offset - ctx.clock_offset()).abs() <= TOLERANCE_SECS {
        return false;
    }
    ctx.set_clock_offset(offset);
    true
}

#[cfg(feature = "upload")]
/// Prepares an Upload API request: the Upload API has no auth header (the public key
/// travels in the fields) and no version header; errors are requested as JSON
/// (`jsonerrors=1`) so they carry an error code.
pub(crate) fn prepare_upload_request(request: &mut reqwest::Request, ctx: &ClientContext) {
    request.headers_mut().remove("api-version");
    if let Some(user_agent) = ctx.request_user_agent() {
        request
            .headers_mut()
            .insert(USER_AGENT_HEADER, user_agent.clone());
    }
    let has_flag = request.url().query_pairs().any(|(k, _)| k == "jsonerrors");
    if !has_flag {
        request.url_mut().query_pairs_mut().append_pair("jsonerrors", "1");
    }
}

#[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
fn check_body_items(body: &[u8], operation_id: &str, limits: &[BodyItemLimit]) -> Result<(), String> {
    let Some(limit) = limits.iter().find(|l| l.operation_id == operation_id) else {
        return Ok(());
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    if items.len() < limit.min || items.len() > limit.max {
        return Err(format!(
            "`{operation_id}` takes {} to {} items per request, got {}",
            limit.min,
            limit.max,
            items.len()
        ));
    }
    Ok(())
}

/// Which API a response comes from: how its body is normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// REST API: non-JSON error bodies become JSON strings.
    #[cfg_attr(
        not(any(feature = "v0_5", feature = "v0_6", feature = "v0_7")),
        allow(dead_code)
    )]
    Rest,
    /// Upload API: also, a `200` carrying `{"error": {"status_code": N}}` gets status N.
    #[cfg_attr(not(feature = "upload"), allow(dead_code))]
    Upload,
}

fn is_idempotent(method: &reqwest::Method) -> bool {
    matches!(
        *method,
        reqwest::Method::GET | reqwest::Method::HEAD | reqwest::Method::PUT | reqwest::Method::DELETE
    )
}

/// Sends a request whose body is bytes (or none), retrying with copies of it.
#[cfg_attr(not(feature = "upload"), allow(dead_code))]
pub(crate) async fn execute(
    ctx: &ClientContext,
    operation: &str,
    api: Api,
    request: reqwest::Request,
) -> reqwest::Result<reqwest::Response> {
    let idempotent = is_idempotent(request.method());
    let mut copies = Copies::new(request, None);
    let repeatable = copies.repeatable();
    send_with_retries(ctx, operation, api, idempotent, repeatable, &mut copies).await
}

/// Makes the request of each attempt for [`send_with_retries`].
pub(crate) trait Attempts {
    /// What building a request can fail with.
    type Error: From<reqwest::Error>;
    /// The request of the next attempt.
    fn next_request(
        &mut self,
    ) -> impl std::future::Future<Output = Result<reqwest::Request, Self::Error>> + Send;
}

/// Attempts that are copies of one request with a byte body (or none); REST copies are
/// signed anew (fresh `Date`).
pub(crate) struct Copies<'a> {
    first: Option<reqwest::Request>,
    template: Option<reqwest::Request>,
    #[cfg_attr(
        not(any(feature = "v0_5", feature = "v0_6", feature = "v0_7")),
        allow(dead_code)
    )]
    resign: Option<&'a ClientContext>,
}

impl<'a> Copies<'a> {
    fn new(request: reqwest::Request, resign: Option<&'a ClientContext>) -> Self {
        Self {
            template: request.try_clone(),
            first: Some(request),
            resign,
        }
    }

    fn repeatable(&self) -> bool {
        self.template.is_some()
    }
}

impl Attempts for Copies<'_> {
    type Error = reqwest::Error;

    async fn next_request(&mut self) -> reqwest::Result<reqwest::Request> {
        if let Some(first) = self.first.take() {
            return Ok(first);
        }
        // Called again only when `repeatable`, i.e. with a template to copy.
        let template = self
            .template
            .as_ref()
            .expect("a repeatable request has a template");
        #[allow(unused_mut)]
        let mut next = template.try_clone().expect("a template can be cloned");
        #[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
        if let Some(ctx) = self.resign {
            // Signing succeeded in `prepare_rest_request` with the same inputs but the date;
            // were it to fail now, the copy keeps the first attempt's (still valid) headers.
            let _ = sign_rest_attempt(&mut next, ctx);
        }
        Ok(next)
    }
}

/// The one retry loop of the crate. `attempts` makes the request of each attempt (the
/// first, then one per retry: re-signed, its body rebuilt); it is called again only when
/// `repeatable`. Retried, per the context's [`RetryPolicy`](crate::RetryPolicy):
///
/// - `429` (any method: the service throttles before it processes anything), after
///   `Retry-After` (or the backoff) when that is within `max_retry_after`;
/// - `502`/`503`/`504` for idempotent requests, with exponential backoff;
/// - connection failures (nothing was sent), and timeouts of idempotent requests.
///
/// The final response's error body is normalized (see [`Api`]).
pub(crate) async fn send_with_retries<A: Attempts>(
    ctx: &ClientContext,
    operation: &str,
    api: Api,
    idempotent: bool,
    repeatable: bool,
    attempts: &mut A,
) -> Result<reqwest::Response, A::Error> {
    let span = tracing::debug_span!(
        "uploadcare.request",
        operation,
        method = tracing::field::Empty,
        path = tracing::field::Empty,
        url = tracing::field::Empty,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    retry_loop(ctx, api, idempotent, repeatable, attempts, &span)
        .instrument(span.clone())
        .await
}

async fn retry_loop<A: Attempts>(
    ctx: &ClientContext,
    api: Api,
    idempotent: bool,
    repeatable: bool,
    attempts: &mut A,
    span: &tracing::Span,
) -> Result<reqwest::Response, A::Error> {
    let policy = ctx.config().retry_policy();
    let started = std::time::Instant::now();
    let mut attempt = 0u32;
    loop {
        let request = attempts.next_request().await?;
        if attempt == 0 {
            // The path only: query strings may carry presigned-URL signatures.
            span.record("method", request.method().as_str());
            span.record("path", request.url().path());
            let url = request.url();
            let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
            span.record(
                "url",
                format!(
                    "{}://{}{port}{}",
                    url.scheme(),
                    url.host_str().unwrap_or(""),
                    url.path()
                ),
            );
        }
        span.record("attempts", attempt + 1);
        let may_retry = repeatable && attempt < policy.max_retries;
        let sent = std::time::Instant::now();
        let delay = match ctx.http().execute(request).await {
            Ok(response) => {
                let response = normalize(api, response).await?;
                let status = response.status().as_u16();
                tracing::trace!(
                    attempt = attempt + 1,
                    status,
                    elapsed_ms = sent.elapsed().as_millis() as u64,
                    "answer"
                );
                match retry_delay(&response, idempotent, attempt, policy).filter(|_| may_retry) {
                    Some(delay) => {
                        tracing::info!(
                            attempt = attempt + 1,
                            status,
                            delay_ms = delay.as_millis() as u64,
                            reason = if status == 429 {
                                "throttled"
                            } else {
                                "server error"
                            },
                            "retrying"
                        );
                        delay
                    }
                    None => {
                        span.record("status", status);
                        span.record("duration_ms", started.elapsed().as_millis() as u64);
                        tracing::debug!(status, "done");
                        return Ok(response);
                    }
                }
            }
            Err(e) if may_retry && (e.is_connect() || (idempotent && e.is_timeout())) => {
                let delay = backoff(policy.initial_backoff, attempt);
                let reason = if e.is_connect() {
                    "connection failed"
                } else {
                    "timed out"
                };
                tracing::info!(
                    attempt = attempt + 1,
                    delay_ms = delay.as_millis() as u64,
                    reason,
                    "retrying"
                );
                delay
            }
            Err(e) => {
                span.record("duration_ms", started.elapsed().as_millis() as u64);
                tracing::debug!(error = %e, "failed");
                return Err(e.into());
            }
        };
        tokio::time::sleep(delay).await;
        attempt += 1;
    }
}

async fn normalize(api: Api, response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let response = match api {
        Api::Rest => response,
        Api::Upload => upload_error_status(response).await?,
    };
    normalize_error_body(response).await
}

/// In JSON-error mode the Upload API may answer an error with HTTP 200 and
/// `{"error": {"status_code": N, ...}}`; such answers get status N back.
async fn upload_error_status(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    if !response.status().is_success() {
        return Ok(response);
    }
    let status = response.status();
    let version = response.version();
    let headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let error_status = serde_json::from_slice::<serde_json::Value>(&bytes)
        .ok()
        .and_then(|body| body.get("error")?.get("status_code")?.as_u64())
        .and_then(|code| reqwest::StatusCode::from_u16(u16::try_from(code).ok()?).ok())
        .filter(|code| code.is_client_error() || code.is_server_error());
    Ok(rebuild(error_status.unwrap_or(status), version, headers, bytes))
}

fn backoff(initial: Duration, attempt: u32) -> Duration {
    initial.saturating_mul(2u32.saturating_pow(attempt))
}

/// How long to wait before retrying after `response`, or `None` to return it.
fn retry_delay(
    response: &reqwest::Response,
    idempotent: bool,
    attempt: u32,
    policy: &crate::RetryPolicy,
) -> Option<Duration> {
    match response.status().as_u16() {
        429 => {
            let delay = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(parse_retry_after)
                .unwrap_or_else(|| backoff(policy.initial_backoff, attempt));
            (delay <= policy.max_retry_after).then_some(delay)
        }
        502..=504 if idempotent => Some(backoff(policy.initial_backoff, attempt)),
        _ => None,
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(SystemTime::now()).unwrap_or(Duration::ZERO))
}

/// Error bodies that are not JSON (plain-text 503s, proxy HTML pages, empty bodies) are
/// turned into a JSON string holding the text, so the generated code parses them into
/// `ApiErrorBody` and keeps the status instead of failing on the payload.
async fn normalize_error_body(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    if status.is_success() || status.is_informational() || status.is_redirection() {
        return Ok(response);
    }
    let version = response.version();
    let mut headers = response.headers().clone();
    let bytes = response.bytes().await?;
    if serde_json::from_slice::<serde::de::IgnoredAny>(&bytes).is_ok() {
        return Ok(rebuild(status, version, headers, bytes));
    }
    let text = String::from_utf8_lossy(&bytes);
    let json = serde_json::to_vec(text.trim()).unwrap_or_default();
    headers.remove(CONTENT_LENGTH);
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(rebuild(status, version, headers, json.into()))
}

fn rebuild(
    status: reqwest::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: bytes::Bytes,
) -> reqwest::Response {
    let mut response = http::Response::new(body);
    *response.status_mut() = status;
    *response.version_mut() = version;
    *response.headers_mut() = headers;
    reqwest::Response::from(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_header_names_the_version() {
        assert_eq!(accept_header("0.7"), "application/vnd.uploadcare-v0.7+json");
    }

    #[cfg(any(feature = "v0_5", feature = "v0_6", feature = "v0_7"))]
    #[test]
    fn body_item_limits_are_enforced() {
        let limits = [BodyItemLimit {
            operation_id: "files_storing",
            min: 1,
            max: 2,
        }];
        assert!(check_body_items(b"[1,2]", "files_storing", &limits).is_ok());
        let err = check_body_items(b"[1,2,3]", "files_storing", &limits).unwrap_err();
        assert!(err.contains("got 3"), "{err}");
        assert!(check_body_items(b"[]", "files_storing", &limits).is_err());
        assert!(check_body_items(b"[1,2,3]", "other", &limits).is_ok());
    }

    #[test]
    fn retry_after_parses_seconds_and_dates() {
        assert_eq!(parse_retry_after(" 7 "), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Mon, 05 Nov 2018 13:14:41 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon"), None);
    }
}
