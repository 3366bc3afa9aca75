//! The one request pipeline every request runs through: generated REST clients (progenitor's
//! `ClientHooks`, wired per version by `rest_api_version!`), the generated Upload API GETs
//! and the hand-written Upload API forms.
//!
//! - `pre`: check document-declared limits the generated code does not, then set `Accept`
//!   (the version, from the document's `info.version`), `Content-Type` when absent,
//!   `Date`, `User-Agent` and `Authorization` (signed or simple);
//! - [`Exchange`] (build.rs hands every generated `send` to it instead of progenitor's
//!   `exec`/`post` hooks): send, read the answer whole, retry as [`crate::retry::decide`]
//!   says for the operation's kind (its `x-uploadcare-retry`) within the
//!   [`RetryPolicy`](crate::RetryPolicy), make every error body JSON so it parses into
//!   [`ApiErrorBody`](crate::ApiErrorBody) with its status intact, and decode the answer
//!   once from those bytes; a creating request sent whole whose answer was lost becomes
//!   [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown).
//!
//! Multipart parts and the Upload API forms go through the same loop
//! ([`send_with_retries`]) with their own [`Attempts`], which rebuild the body of every
//! attempt.

// With the `cdn` feature alone no generated API module uses the pipeline.
#![cfg_attr(not(api), allow(dead_code, unused_imports))]

#[cfg(rest)]
use super::prepare::sign_rest_attempt;
use super::transport::{send_once, Answer, Api, Transport};
#[cfg(rest)]
use crate::config::AuthScheme;
use crate::context::ClientContext;
use crate::retry::{OperationKind, Outcome};
#[cfg(rest)]
use http::header::DATE;
use http::header::{HeaderValue, CONTENT_TYPE};
#[cfg(rest)]
use std::time::SystemTime;
use tracing::Instrument;

#[cfg(rest)]
/// Sends a REST request prepared by [`prepare_rest_request`], retrying as the operation's
/// kind allows; every retry is a copy of the request signed anew (fresh `Date`). Returns
/// the answer read whole, its error body normalized.
pub(crate) async fn exchange_rest<E>(
    ctx: &ClientContext,
    operation: &str,
    kind: OperationKind,
    request: reqwest::Request,
) -> Result<Answer, progenitor_client::Error<E>> {
    let mut copies = Copies::new(request, Some(ctx));
    let op = Op {
        name: operation,
        kind,
        api: Api::Rest,
    };
    let mut clock_checked = false;
    loop {
        let answer = send_with_retries(ctx, &op, &mut copies)
            .await
            .map_err(|failure| failure.into_progenitor(&op))?;
        if clock_checked || !copies.repeatable() || !learn_clock_offset(ctx, &answer) {
            return Ok(answer.normalized());
        }
        // The date was refused because this machine's clock is off: once more, with the
        // service's time (the copy is signed anew).
        clock_checked = true;
        tracing::info!(
            operation,
            clock_offset_secs = ctx.clock_offset(),
            "the service refused the request's date; signing with its clock"
        );
    }
}

#[cfg(rest)]
/// A signed request rejected with 401 while the service's `Date` is more than a minute away
/// from the time it was signed with: the clock is off. Records the service's offset and says
/// whether the request is worth sending again.
fn learn_clock_offset(ctx: &ClientContext, answer: &Answer) -> bool {
    const TOLERANCE_SECS: i64 = 60;
    if answer.status != reqwest::StatusCode::UNAUTHORIZED || ctx.config().auth_scheme() != AuthScheme::Signed
    {
        return false;
    }
    let Some(server) = answer
        .headers
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

/// The operation a request belongs to: its name (for logs and errors), what repeating it
/// can do, and which API answers it.
pub(crate) struct Op<'a> {
    pub name: &'a str,
    pub kind: OperationKind,
    pub api: Api,
}

/// Why a request ended without a usable answer.
#[derive(Debug)]
pub(crate) enum Failure<E> {
    /// Making the request of an attempt failed (reading a file to upload, …).
    Attempt(E),
    /// The last attempt failed in transport, and it was not repeated.
    Transport {
        /// What the transport said.
        error: Transport,
        /// What that tells about the request.
        outcome: Outcome,
    },
}

impl<E> Failure<E> {
    /// What went wrong with a creating request sent whole whose answer was lost (it may
    /// have been done, and is not repeated); `None` for any other failure.
    fn outcome_unknown(&self, op: &Op<'_>) -> Option<String> {
        match self {
            Failure::Transport {
                error,
                outcome: Outcome::AnswerLost { .. },
            } if op.kind == OperationKind::Creating => Some(error.cause()),
            _ => None,
        }
    }
}

impl Failure<reqwest::Error> {
    /// For the generated clients: a creating request whose answer was lost becomes
    /// [`crate::Error::OutcomeUnknown`] (carried as `Custom`, in the words of that error);
    /// anything else is the transport's error.
    pub(crate) fn into_progenitor<E>(self, op: &Op<'_>) -> progenitor_client::Error<E> {
        if let Some(detail) = self.outcome_unknown(op) {
            return progenitor_client::Error::Custom(crate::error::outcome_unknown_text(op.name, &detail));
        }
        match self {
            Failure::Attempt(error) => progenitor_client::Error::CommunicationError(error),
            Failure::Transport { error, .. } => error.into_progenitor(),
        }
    }
}

/// What the generated clients send their requests through (instead of progenitor's
/// `exec`/`post` hooks; build.rs rewrites every `send`): the answer comes back read whole,
/// and is decoded once ([`decode`], [`empty`]).
pub(crate) trait Exchange {
    /// Sends `request` (prepared by the `pre` hook) through the request pipeline.
    fn exchange<E>(
        &self,
        request: reqwest::Request,
        info: &progenitor_client::OperationInfo,
    ) -> impl std::future::Future<Output = Result<Answer, progenitor_client::Error<E>>> + Send;
}

/// The typed value of an answer, parsed once from the bytes the pipeline read (its headers
/// moved, not copied).
#[allow(clippy::result_large_err)] // progenitor's error type, as its `send` returns it
pub(crate) fn decode<T: serde::de::DeserializeOwned, E>(
    answer: Answer,
) -> Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>> {
    match parse_json(&answer.body) {
        Ok(inner) => Ok(progenitor_client::ResponseValue::new(
            inner,
            answer.status,
            answer.headers,
        )),
        Err(e) => Err(progenitor_client::Error::InvalidResponsePayload(answer.body, e)),
    }
}

/// Parses JSON the way the crate reads every answer's body: its UTF-8 is checked once, then
/// the text is parsed (`serde_json::from_slice` checks every string again: a 1000-file page
/// parses ≈ 20 % faster this way, see BENCHMARKS.md). A body that is not UTF-8 gets
/// `from_slice`'s error, which says where.
///
/// ```
/// # #[cfg(feature = "v0_7")] {
/// let page: uploadcare::v0_7::types::FilesPage = uploadcare::runtime::parse_json(
///     br#"{"next": null, "previous": null, "total": 0, "per_page": 100, "results": []}"#,
/// )?;
/// assert!(page.results.is_empty());
/// # }
/// # Ok::<(), serde_json::Error>(())
/// ```
pub fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// An answer without a body.
#[cfg_attr(not(rest), allow(dead_code))]
pub(crate) fn empty(answer: Answer) -> progenitor_client::ResponseValue<()> {
    progenitor_client::ResponseValue::new((), answer.status, answer.headers)
}

impl<E: Into<crate::Error>> Failure<E> {
    /// The crate's error: [`crate::Error::OutcomeUnknown`] for a creating request whose
    /// answer was lost.
    #[cfg_attr(not(feature = "upload"), allow(dead_code))]
    pub(crate) fn into_error(self, op: &Op<'_>) -> crate::Error {
        if let Some(detail) = self.outcome_unknown(op) {
            return crate::Error::OutcomeUnknown {
                operation: op.name.to_owned(),
                detail,
            };
        }
        match self {
            Failure::Attempt(error) => error.into(),
            // Without its URL: a part's presigned URL carries a signature.
            Failure::Transport { error, .. } => error.into_error(),
        }
    }
}

/// Sends a request whose body is bytes (or none), retrying with copies of it; the answer
/// comes back read whole, its error body normalized (the Upload API's generated GETs).
#[cfg_attr(not(any(feature = "upload", feature = "project_api")), allow(dead_code))]
pub(crate) async fn exchange<E>(
    ctx: &ClientContext,
    op: &Op<'_>,
    request: reqwest::Request,
) -> Result<Answer, progenitor_client::Error<E>> {
    let mut copies = Copies::new(request, None);
    let answer = send_with_retries(ctx, op, &mut copies)
        .await
        .map_err(|failure| failure.into_progenitor(op))?;
    Ok(answer.normalized())
}

/// Makes the request of each attempt for [`send_with_retries`].
pub(crate) trait Attempts {
    /// What building a request can fail with.
    type Error;
    /// The request of the next attempt.
    fn next_request(
        &mut self,
    ) -> impl std::future::Future<Output = Result<reqwest::Request, Self::Error>> + Send;
    /// Whether another attempt can be made (a one-shot body cannot be sent twice).
    fn repeatable(&self) -> bool {
        true
    }
    /// Whether the last request's body was handed to the connection whole; while it was
    /// not, the server cannot have processed the request.
    fn body_sent(&self) -> bool {
        true
    }
    /// The bytes of the current request's body handed to the connection so far, when they
    /// are counted (uploads): the read timeout takes them as signs of life.
    fn sent(&self) -> Option<&std::sync::atomic::AtomicU64> {
        None
    }
    /// The last attempt failed (it is repeated or given up): take back what it counted.
    fn attempt_failed(&mut self) {}
}

/// Attempts that are copies of one request with a byte body (or none); REST copies are
/// signed anew (fresh `Date`). What a copy needs is kept aside; a copy is made only when a
/// retry is due.
pub(crate) struct Copies<'a> {
    first: Option<reqwest::Request>,
    template: Template,
    #[cfg_attr(not(rest), allow(dead_code))]
    resign: Option<&'a ClientContext>,
}

/// What a retry's copy is made from.
enum Template {
    /// The body is a stream: no copy can be made.
    None,
    /// A whole copy of the request (Upload API GETs).
    #[cfg_attr(not(feature = "upload"), allow(dead_code))]
    Whole(reqwest::Request),
    /// A REST request: its method, URL, body and the two headers that are not set again by
    /// signing (`Accept`, `Content-Type`); the copy is signed anew.
    #[cfg_attr(not(rest), allow(dead_code))]
    Rest {
        method: reqwest::Method,
        url: reqwest::Url,
        accept: Option<HeaderValue>,
        content_type: Option<HeaderValue>,
        body: Option<bytes::Bytes>,
    },
}

impl<'a> Copies<'a> {
    fn new(request: reqwest::Request, resign: Option<&'a ClientContext>) -> Self {
        let template = match resign {
            None => request.try_clone().map_or(Template::None, Template::Whole),
            Some(_) => {
                let body = match request.body() {
                    None => Some(None),
                    Some(body) => body.as_bytes().map(|b| Some(bytes::Bytes::copy_from_slice(b))),
                };
                match body {
                    None => Template::None,
                    Some(body) => Template::Rest {
                        method: request.method().clone(),
                        url: request.url().clone(),
                        accept: request.headers().get(http::header::ACCEPT).cloned(),
                        content_type: request.headers().get(CONTENT_TYPE).cloned(),
                        body,
                    },
                }
            }
        };
        Self {
            first: Some(request),
            template,
            resign,
        }
    }
}

impl Attempts for Copies<'_> {
    type Error = reqwest::Error;

    async fn next_request(&mut self) -> reqwest::Result<reqwest::Request> {
        if let Some(first) = self.first.take() {
            return Ok(first);
        }
        // Called again only when `repeatable`, i.e. with a template to copy.
        match &self.template {
            Template::Whole(request) => Ok(request.try_clone().expect("a template can be cloned")),
            #[allow(unused_variables)]
            Template::Rest {
                method,
                url,
                accept,
                content_type,
                body,
            } => {
                let mut next = reqwest::Request::new(method.clone(), url.clone());
                let headers = next.headers_mut();
                if let Some(accept) = accept {
                    headers.insert(http::header::ACCEPT, accept.clone());
                }
                if let Some(content_type) = content_type {
                    headers.insert(CONTENT_TYPE, content_type.clone());
                }
                if let Some(body) = body {
                    *next.body_mut() = Some(body.clone().into());
                }
                #[cfg(rest)]
                if let Some(ctx) = self.resign {
                    ctx.set_user_agent(next.headers_mut());
                    // Signing succeeded in `prepare_rest_request` with the same inputs but
                    // the date, so it succeeds again.
                    let _ = sign_rest_attempt(&mut next, ctx);
                }
                Ok(next)
            }
            Template::None => unreachable!("a request without a template is not repeated"),
        }
    }

    fn repeatable(&self) -> bool {
        !matches!(self.template, Template::None)
    }
}

/// The one retry loop of the crate. `attempts` makes the request of each attempt (the
/// first, then one per retry: re-signed, its body rebuilt). Every answer is read whole
/// here; what is repeated is decided by [`crate::retry::decide`] from the operation's kind
/// and what happened (see [`crate::retry`] for the table), at most
/// [`RetryPolicy::max_retries`](crate::RetryPolicy) times.
pub(crate) async fn send_with_retries<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
) -> Result<Answer, Failure<A::Error>> {
    let span = tracing::debug_span!(
        "uploadcare.request",
        operation = op.name,
        method = tracing::field::Empty,
        path = tracing::field::Empty,
        url = tracing::field::Empty,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    // Instrumented only when a subscriber listens: entering a disabled span is not free
    // (with `tracing`'s `log` feature it checks the `log` crate's level on every poll).
    if span.is_disabled() {
        return retry_loop(ctx, op, attempts, &span).await;
    }
    retry_loop(ctx, op, attempts, &span)
        .instrument(span.clone())
        .await
}

async fn retry_loop<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
    span: &tracing::Span,
) -> Result<Answer, Failure<A::Error>> {
    let policy = ctx.config().retry_policy();
    // Clocks are read only for a subscriber that listens.
    let traced = !span.is_disabled();
    let started = traced.then(std::time::Instant::now);
    let mut attempt = 0u32;
    loop {
        // The request goes to the HTTP client before the await, in a block of its own: this
        // future does not keep it while the answer is awaited.
        let (sent, exchange) = {
            let request = attempts.next_request().await.map_err(Failure::Attempt)?;
            if attempt == 0 && traced {
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
            if traced {
                span.record("attempts", attempt + 1);
            }
            let sent = tracing::enabled!(tracing::Level::TRACE).then(std::time::Instant::now);
            (sent, send_once(ctx, op.api, request, attempts.sent()))
        };
        let result = exchange.await;
        let (outcome, status) = match &result {
            Ok(answer) => (answer.outcome(), Some(answer.status.as_u16())),
            Err(error) => (
                error.outcome(attempts.body_sent(), ctx.resets_mean_unread()),
                None,
            ),
        };
        if let Some(status) = status {
            tracing::trace!(
                attempt = attempt + 1,
                status,
                elapsed_ms = sent.map_or(0, |sent| sent.elapsed().as_millis() as u64),
                "answer"
            );
        }
        let delay = if attempts.repeatable() {
            crate::retry::decide(op.kind, outcome, attempt, policy)
        } else {
            None
        };
        let Some(delay) = delay else {
            if let Some(started) = started {
                span.record("duration_ms", started.elapsed().as_millis() as u64);
            }
            return match result {
                Ok(answer) => {
                    if traced {
                        span.record("status", answer.status.as_u16());
                    }
                    tracing::debug!(status = answer.status.as_u16(), "done");
                    if !answer.status.is_success() {
                        attempts.attempt_failed();
                    }
                    Ok(answer)
                }
                Err(error) => {
                    attempts.attempt_failed();
                    // The cause only: a presigned URL's query is a credential.
                    tracing::debug!(error = %error.cause(), "failed");
                    Err(Failure::Transport { error, outcome })
                }
            };
        };
        attempts.attempt_failed();
        let reason = match outcome {
            Outcome::Answer { status: 429, .. } => "throttled",
            Outcome::Answer { .. } => "server error",
            Outcome::NotConnected => "connection failed",
            Outcome::NotRead => "connection closed before the request was read",
            Outcome::AnswerLost { timed_out: true } => "timed out",
            Outcome::AnswerLost { timed_out: false } => "answer lost",
        };
        match status {
            Some(status) => tracing::info!(
                attempt = attempt + 1,
                status,
                delay_ms = delay.as_millis() as u64,
                reason,
                "retrying"
            ),
            None => tracing::info!(
                attempt = attempt + 1,
                delay_ms = delay.as_millis() as u64,
                reason,
                "retrying"
            ),
        }
        // Boxed: a timer is only needed here, not in every request's future.
        Box::pin(tokio::time::sleep(delay)).await;
        attempt += 1;
    }
}
