//! One attempt of a request: sent, its answer read whole, under the crate's read timeout.
//!
//! The read timeout ([`Config::with_read_timeout`](crate::Config::with_read_timeout)) is
//! kept here rather than by reqwest: reqwest arms two boxed timers per request and moves
//! one at every frame of the answer (≈ 3,100 of the instructions a 1-item page cost, see
//! BENCHMARKS.md), and its first timer runs from the start of the request to the answer's
//! head, so an upload whose body takes longer than the timeout to send fails although its
//! bytes never stopped moving. Here the attempt registers a deadline a timeout away at its
//! first wait, with the process's read-timeout thread ([`super::watchdog`], not a runtime
//! timer: one would make the runtime wait on I/O with a kernel timer armed at every wait),
//! and looks at it again only when woken after it: if bytes of the request's body went out
//! (the upload's own count, see [`Attempts::sent`](super::pipeline::Attempts::sent)) or
//! bytes of the answer came in since it was set, it moves a whole timeout on; if nothing
//! moved, the attempt fails with [`Transport::Silent`]. So an attempt fails after at least
//! one and at most two timeouts of silence, and a request that keeps moving never does.

// With the `cdn` feature alone no generated API module uses the pipeline.
#![cfg_attr(not(api), allow(dead_code, unused_imports))]

use super::watchdog::Watch;
use crate::context::ClientContext;
use crate::retry::Outcome;
use http::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::task::Poll;
use std::time::{Duration, Instant};

/// Which API a response comes from: how its body is normalized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Api {
    /// REST API: non-JSON error bodies become JSON strings.
    #[cfg_attr(not(any(rest, feature = "project_api")), allow(dead_code))]
    Rest,
    /// Upload API: also, a `200` carrying `{"error": {"status_code": N}}` gets status N.
    #[cfg_attr(not(feature = "upload"), allow(dead_code))]
    Upload,
}

/// An answer read whole, inside the retry loop (a body cut while being read is a failed
/// attempt like any other).
pub(crate) struct Answer {
    pub status: reqwest::StatusCode,
    pub version: http::Version,
    pub headers: http::HeaderMap,
    pub body: bytes::Bytes,
}

impl Answer {
    pub(super) fn outcome(&self) -> Outcome {
        Outcome::Answer {
            status: self.status.as_u16(),
            retry_after: if self.status == reqwest::StatusCode::TOO_MANY_REQUESTS {
                crate::retry::retry_after(&self.headers)
            } else {
                None
            },
        }
    }

    /// Error bodies that are not JSON (plain-text 503s, proxy HTML pages, empty bodies)
    /// become a JSON string holding the text, so the generated code parses them into
    /// `ApiErrorBody` and keeps the status instead of failing on the payload.
    fn normalize_error_body(&mut self) {
        let status = self.status;
        if status.is_success() || status.is_informational() || status.is_redirection() {
            return;
        }
        if serde_json::from_slice::<serde::de::IgnoredAny>(&self.body).is_ok() {
            return;
        }
        let text = String::from_utf8_lossy(&self.body);
        let json = serde_json::to_vec(text.trim()).unwrap_or_default();
        self.headers.remove(CONTENT_LENGTH);
        self.headers
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        self.body = json.into();
    }

    /// The answer as a `reqwest::Response`: what progenitor's `Error::UnexpectedResponse`
    /// (a status the document does not list) carries.
    pub(crate) fn into_response(self) -> reqwest::Response {
        let mut response = http::Response::new(self.body);
        *response.status_mut() = self.status;
        *response.version_mut() = self.version;
        *response.headers_mut() = self.headers;
        reqwest::Response::from(response)
    }

    /// The final answer, its error body normalized.
    pub(crate) fn normalized(mut self) -> Self {
        self.normalize_error_body();
        self
    }
}

/// In JSON-error mode the Upload API may answer an error with HTTP 200 and
/// `{"error": {"status_code": N, ...}}`: the status N, read without building the whole
/// body's tree.
fn upload_error_status(body: &[u8]) -> Option<reqwest::StatusCode> {
    #[derive(serde::Deserialize)]
    struct Probe {
        error: Option<ErrorProbe>,
    }
    #[derive(serde::Deserialize)]
    struct ErrorProbe {
        status_code: Option<u16>,
    }
    // Only objects can carry it; skip arrays, strings and the rest without parsing.
    if body.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return None;
    }
    let code = serde_json::from_slice::<Probe>(body).ok()?.error?.status_code?;
    reqwest::StatusCode::from_u16(code)
        .ok()
        .filter(|code| code.is_client_error() || code.is_server_error())
}

/// How an attempt failed in transport.
#[derive(Debug)]
pub(crate) enum Transport {
    /// What the HTTP client said.
    Http(reqwest::Error),
    /// Nothing was sent or received for the read timeout.
    Silent {
        /// The read timeout.
        timeout: Duration,
        /// Whether the answer's head had arrived.
        answering: bool,
    },
}

impl Transport {
    /// What the failure tells about the request (see [`crate::retry::transport_outcome`]).
    pub(crate) fn outcome(&self, body_sent: bool, resets_mean_unread: bool) -> Outcome {
        match self {
            Transport::Http(error) => crate::retry::transport_outcome(error, body_sent, resets_mean_unread),
            // The server cannot have processed a request it did not get whole.
            Transport::Silent { answering: false, .. } if !body_sent => Outcome::NotRead,
            Transport::Silent { .. } => Outcome::AnswerLost { timed_out: true },
        }
    }

    /// What went wrong, without the request's URL (a presigned URL's query is a
    /// credential).
    pub(crate) fn cause(&self) -> String {
        match self {
            Transport::Http(error) => crate::error::with_root_cause(error),
            Transport::Silent { timeout, .. } => crate::Error::ReadTimeout { timeout: *timeout }.to_string(),
        }
    }

    /// The crate's error for it.
    pub(crate) fn into_error(self) -> crate::Error {
        match self {
            Transport::Http(error) => error.without_url().into(),
            Transport::Silent { timeout, .. } => crate::Error::ReadTimeout { timeout },
        }
    }

    /// The error the generated clients return for it: reqwest's error as progenitor's
    /// `CommunicationError`, a read timeout as its text (`Custom`, read back into
    /// [`crate::Error::ReadTimeout`]).
    pub(crate) fn into_progenitor<E>(self) -> progenitor_client::Error<E> {
        match self {
            Transport::Http(error) => progenitor_client::Error::CommunicationError(error),
            Transport::Silent { timeout, .. } => {
                progenitor_client::Error::Custom(crate::Error::ReadTimeout { timeout }.to_string())
            }
        }
    }
}

/// Sends `request` and reads its answer whole, failing when nothing moves for the read
/// timeout (when the client has one, see [`ClientContext::read_timeout`]); `sent` counts
/// the bytes of the request's body handed over, when they are counted.
///
/// The request is handed to the HTTP client at once; the attempt is one hand-written future
/// ([`SendOnce`]): sending, reading the answer and the timer are one level, where `async`
/// blocks would nest three (each level of futures is copied once when it starts, and the
/// nesting showed in the per-request cost, BENCHMARKS.md).
#[inline(always)]
pub(crate) fn send_once<'a>(
    ctx: &'a ClientContext,
    api: Api,
    request: reqwest::Request,
    sent: Option<&'a AtomicU64>,
) -> SendOnce<'a, impl Future<Output = reqwest::Result<reqwest::Response>> + Send + Unpin> {
    SendOnce {
        state: State::Sending(ctx.http().execute(request)),
        api,
        sent,
        timeout: ctx.read_timeout(),
        watch: None,
        seen: (0, 0),
        received: 0,
    }
}

/// One attempt: its answer awaited, then read chunk by chunk, under the read timeout.
pub(super) struct SendOnce<'a, F> {
    state: State<F>,
    api: Api,
    sent: Option<&'a AtomicU64>,
    timeout: Option<Duration>,
    // Registered at the first wait (an answer there at once needs none).
    watch: Option<Watch>,
    // The bytes sent and received when the deadline was last set.
    seen: (u64, u64),
    // Bytes of the answer received, plus one for its head.
    received: u64,
}

enum State<F> {
    /// Waiting for the answer's head.
    Sending(F),
    /// Reading the answer's body.
    Reading(Reading),
    /// The answer (or the error) was given.
    Done,
}

/// An answer whose body is being read: one chunk is kept as it came, more are joined.
struct Reading {
    status: reqwest::StatusCode,
    version: http::Version,
    headers: http::HeaderMap,
    body: reqwest::Body,
    first: bytes::Bytes,
    joined: Option<bytes::BytesMut>,
}

impl Reading {
    fn push(&mut self, chunk: bytes::Bytes) {
        match &mut self.joined {
            Some(buffer) => buffer.extend_from_slice(&chunk),
            None if self.first.is_empty() => self.first = chunk,
            None => {
                let expected = http_body::Body::size_hint(&self.body).exact().unwrap_or(0) as usize;
                let held = self.first.len() + chunk.len();
                let mut buffer = bytes::BytesMut::with_capacity(expected + held);
                buffer.extend_from_slice(&self.first);
                buffer.extend_from_slice(&chunk);
                self.joined = Some(buffer);
            }
        }
    }

    /// The answer; an Upload API `200` carrying an error object gets that error's status.
    fn finish(self, api: Api) -> Answer {
        let body = self.joined.map_or(self.first, bytes::BytesMut::freeze);
        let mut status = self.status;
        if api == Api::Upload && status.is_success() {
            if let Some(error_status) = upload_error_status(&body) {
                status = error_status;
            }
        }
        Answer {
            status,
            version: self.version,
            headers: self.headers,
            body,
        }
    }
}

impl<F> Future for SendOnce<'_, F>
where
    F: Future<Output = reqwest::Result<reqwest::Response>> + Unpin,
{
    type Output = Result<Answer, Transport>;

    fn poll(self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        loop {
            match &mut this.state {
                State::Sending(pending) => match std::pin::Pin::new(pending).poll(cx) {
                    Poll::Ready(Ok(response)) => {
                        this.received = 1;
                        let (head, body) = http::Response::<reqwest::Body>::from(response).into_parts();
                        this.state = State::Reading(Reading {
                            status: head.status,
                            version: head.version,
                            headers: head.headers,
                            body,
                            first: bytes::Bytes::new(),
                            joined: None,
                        });
                    }
                    Poll::Ready(Err(error)) => {
                        this.state = State::Done;
                        return Poll::Ready(Err(Transport::Http(error)));
                    }
                    Poll::Pending => break,
                },
                State::Reading(reading) => {
                    match http_body::Body::poll_frame(std::pin::Pin::new(&mut reading.body), cx) {
                        Poll::Ready(Some(Ok(frame))) => {
                            if let Ok(chunk) = frame.into_data() {
                                this.received += chunk.len() as u64;
                                reading.push(chunk);
                            }
                        }
                        Poll::Ready(Some(Err(error))) => {
                            this.state = State::Done;
                            return Poll::Ready(Err(Transport::Http(error)));
                        }
                        Poll::Ready(None) => {
                            let State::Reading(reading) = std::mem::replace(&mut this.state, State::Done)
                            else {
                                return Poll::Pending;
                            };
                            return Poll::Ready(Ok(reading.finish(this.api)));
                        }
                        Poll::Pending => break,
                    }
                }
                // Polled again after it finished.
                State::Done => return Poll::Pending,
            }
        }
        // Waiting: the read timeout, its deadline moved only when it passes.
        let Some(timeout) = this.timeout else {
            return Poll::Pending;
        };
        let moved = (this.sent.map_or(0, |s| s.load(Relaxed)), this.received);
        match &mut this.watch {
            None => {
                this.seen = moved;
                this.watch = Watch::new(timeout, cx.waker());
            }
            Some(watch) => {
                let now = Instant::now();
                if now < watch.deadline() {
                    watch.rewake(cx.waker());
                } else if moved == this.seen {
                    this.state = State::Done;
                    this.watch = None;
                    return Poll::Ready(Err(Transport::Silent {
                        timeout,
                        answering: moved.1 > 0,
                    }));
                } else {
                    this.seen = moved;
                    watch.update(now + timeout, cx.waker());
                }
            }
        }
        Poll::Pending
    }
}
