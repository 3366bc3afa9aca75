//! The one request pipeline every request runs through: generated REST clients (wired per
//! version by `rest_api_version!`), the generated Upload API GETs, the Project API and the
//! hand-written Upload API forms.
//!
//! - [`Exchange`] (build.rs hands every generated `send` to it instead of progenitor's
//!   `pre`/`exec`/`post` hooks): prepare the request — for REST, check document-declared
//!   limits the generated code does not, then set `Accept` (the version, from the
//!   document's `info.version`), `Content-Type` when absent, `Date`, `User-Agent` and
//!   `Authorization` (signed or simple) — send it ([`super::copies`]: the first attempt
//!   on its own, the retries through the loop), read the answer whole, retry as [`crate::retry::decide`]
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

use super::transport::{send_once, Answer, Api, Transport};
use crate::context::ClientContext;
use crate::retry::{OperationKind, Outcome};
use tracing::Instrument;

/// The operation a request belongs to: its name (for logs and errors), what repeating it
/// can do, and which API answers it.
#[derive(Clone, Copy)]
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
    pub(super) fn outcome_unknown(&self, op: &Op<'_>) -> Option<String> {
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
/// `pre`/`exec`/`post` hooks; build.rs rewrites every `send`): the request is prepared and
/// sent, the answer comes back read whole, and is decoded once ([`decode`], [`empty`]).
pub(crate) trait Exchange {
    /// Prepares `request`, made by the generated code for `operation` (the checks it does
    /// not make, headers, signature), and sends it through the request pipeline.
    fn exchange<E>(
        &self,
        request: reqwest::Request,
        operation: &'static str,
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

/// Whether a record at `level` of the request pipeline would be seen: a `tracing`
/// subscriber takes that level, or — while none is set — a `log` logger does (`tracing`
/// hands its records to `log` then, with its `log` feature). A few atomic loads: the
/// pipeline asks it before it makes a span or an event, whose own checks are not free.
#[inline]
pub(super) fn shown(level: tracing::Level) -> bool {
    let log_level = match level {
        tracing::Level::TRACE => log::LevelFilter::Trace,
        tracing::Level::DEBUG => log::LevelFilter::Debug,
        tracing::Level::INFO => log::LevelFilter::Info,
        tracing::Level::WARN => log::LevelFilter::Warn,
        tracing::Level::ERROR => log::LevelFilter::Error,
    };
    (level <= tracing::level_filters::STATIC_MAX_LEVEL
        && level <= tracing::level_filters::LevelFilter::current())
        || (!tracing::dispatcher::has_been_set() && log::max_level() >= log_level)
}

/// The span of one request (`uploadcare.request`); its fields are recorded as they are
/// known. A disabled one when nobody would see it ([`shown`]: a disabled span is not free
/// to make, with `tracing`'s `log` feature it writes its fields for `log`).
pub(super) fn request_span(op: &Op<'_>) -> tracing::Span {
    if !shown(tracing::Level::DEBUG) {
        return tracing::Span::none();
    }
    tracing::debug_span!(
        "uploadcare.request",
        operation = op.name,
        method = tracing::field::Empty,
        path = tracing::field::Empty,
        url = tracing::field::Empty,
        attempts = tracing::field::Empty,
        status = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    )
}

/// The one retry loop of the crate. `attempts` makes the request of each attempt (the
/// first, then one per retry: re-signed, its body rebuilt). Every answer is read whole
/// here; what is repeated is decided by [`settle`] (with [`crate::retry::decide`], from the
/// operation's kind and what happened; see [`crate::retry`] for the table), at most
/// [`RetryPolicy::max_retries`](crate::RetryPolicy) times.
#[cfg_attr(not(feature = "upload"), allow(dead_code))]
pub(crate) async fn send_with_retries<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
) -> Result<Answer, Failure<A::Error>> {
    retry_from(ctx, op, attempts, 0, request_span(op)).await
}

/// [`send_with_retries`] from attempt `attempt` on (the ones before it were made, and
/// settled, by the caller), under the request's `span`.
pub(super) async fn retry_from<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
    attempt: u32,
    span: tracing::Span,
) -> Result<Answer, Failure<A::Error>> {
    // Instrumented only when a subscriber listens: entering a disabled span is not free
    // (with `tracing`'s `log` feature it checks the `log` crate's level on every poll).
    if span.is_disabled() {
        return retry_loop(ctx, op, attempts, &span, attempt).await;
    }
    retry_loop(ctx, op, attempts, &span, attempt)
        .instrument(span.clone())
        .await
}

async fn retry_loop<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
    span: &tracing::Span,
    mut attempt: u32,
) -> Result<Answer, Failure<A::Error>> {
    // Clocks are read only for a subscriber that listens.
    let traced = !span.is_disabled();
    let started = traced.then(std::time::Instant::now);
    loop {
        // The request goes to the HTTP client before the await, in a block of its own: this
        // future does not keep it while the answer is awaited.
        let (sent, exchange) = {
            let request = attempts.next_request().await.map_err(Failure::Attempt)?;
            if traced {
                record_request(span, &request, attempt);
            }
            let sent = answer_clock();
            (sent, send_once(ctx, op.api, request, attempts.sent()))
        };
        let result = exchange.await;
        match settle(ctx, op, attempts, attempt, result, Some(span), started, sent) {
            Settled::Done(result) => return result,
            Settled::Retry(delay) => {
                // Boxed: a timer is only needed here, not in every request's future.
                Box::pin(tokio::time::sleep(delay)).await;
                attempt += 1;
            }
        }
    }
}

/// Records an attempt's request on the span of a traced request.
#[cold]
fn record_request(span: &tracing::Span, request: &reqwest::Request, attempt: u32) {
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
}

/// When an attempt's request went out, for the `answer` event (read only when it is
/// enabled).
pub(super) fn answer_clock() -> Option<std::time::Instant> {
    (shown(tracing::Level::TRACE) && tracing::enabled!(tracing::Level::TRACE)).then(std::time::Instant::now)
}

/// What follows an attempt.
pub(super) enum Settled<E> {
    /// The request's result: no more attempts.
    Done(Result<Answer, Failure<E>>),
    /// Another attempt, after this delay.
    Retry(std::time::Duration),
}

/// Decides what follows attempt `attempt` (counted from 0), whose result is `result`:
/// [`crate::retry::decide`] for the operation's kind, when another attempt can be made.
/// Logs the attempt, and tells `attempts` when it failed. `span` is the request's (none
/// when no subscriber listens), `started` when the request started and `sent` when the
/// attempt did (each read only for a subscriber that listens).
#[allow(clippy::too_many_arguments)]
pub(super) fn settle<A: Attempts>(
    ctx: &ClientContext,
    op: &Op<'_>,
    attempts: &mut A,
    attempt: u32,
    result: Result<Answer, Transport>,
    span: Option<&tracing::Span>,
    started: Option<std::time::Instant>,
    sent: Option<std::time::Instant>,
) -> Settled<A::Error> {
    let status = result.as_ref().ok().map(|answer| answer.status.as_u16());
    if let (Some(status), Some(sent)) = (status, sent) {
        tracing::trace!(
            attempt = attempt + 1,
            status,
            elapsed_ms = sent.elapsed().as_millis() as u64,
            "answer"
        );
    }
    // A success is final: what it tells is not needed.
    let (result, outcome) = match result {
        Ok(answer) if answer.status.is_success() => (Ok(answer), None),
        Ok(answer) => {
            let outcome = answer.outcome();
            (Ok(answer), Some(outcome))
        }
        Err(error) => {
            let outcome = error.outcome(attempts.body_sent(), ctx.resets_mean_unread());
            (Err((error, outcome)), Some(outcome))
        }
    };
    let retry = match outcome {
        Some(outcome) if attempts.repeatable() => {
            crate::retry::decide(op.kind, outcome, attempt, ctx.config().retry_policy())
                .map(|delay| (delay, outcome))
        }
        _ => None,
    };
    let Some((delay, outcome)) = retry else {
        if let (Some(span), Some(started)) = (span, started) {
            span.record("duration_ms", started.elapsed().as_millis() as u64);
        }
        return Settled::Done(match result {
            Ok(answer) => {
                if let Some(span) = span.filter(|span| !span.is_disabled()) {
                    span.record("status", answer.status.as_u16());
                }
                if shown(tracing::Level::DEBUG) {
                    log_done(answer.status.as_u16());
                }
                if !answer.status.is_success() {
                    attempts.attempt_failed();
                }
                Ok(answer)
            }
            Err((error, outcome)) => Err(failed(attempts, error, outcome)),
        });
    };
    attempts.attempt_failed();
    log_retry(attempt, status, delay, outcome);
    Settled::Retry(delay)
}

/// The failure of a last attempt that failed in transport (told to `attempts`, logged).
#[cold]
#[inline(never)]
fn failed<A: Attempts>(attempts: &mut A, error: Transport, outcome: Outcome) -> Failure<A::Error> {
    attempts.attempt_failed();
    if shown(tracing::Level::DEBUG) {
        log_failed(&error);
    }
    Failure::Transport { error, outcome }
}

/// The `done` event.
#[cold]
fn log_done(status: u16) {
    tracing::debug!(status, "done");
}

/// The `failed` event: the cause only (a presigned URL's query is a credential).
#[cold]
fn log_failed(error: &Transport) {
    tracing::debug!(error = %error.cause(), "failed");
}

/// The `retrying` event.
#[cold]
fn log_retry(attempt: u32, status: Option<u16>, delay: std::time::Duration, outcome: Outcome) {
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
}
