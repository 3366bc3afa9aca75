//! Requests whose body is bytes (or none) — every generated call, REST and Upload API
//! alike — with copies of the request as their retries.
//!
//! The first attempt of such a request is sent by a hand-written future of its own
//! ([`CopiesExchange`]): the request handed to the HTTP client as the future is made, its
//! answer read and settled ([`settle`]) without the retry loop's `async` levels around it,
//! whose futures are made only when a retry is due (or when the request's span would be
//! seen — a `tracing` subscriber takes it, or with none set a `log` logger: then the loop
//! makes every attempt and records it). A request that succeeds at once —
//! nearly every one — costs one level of futures, not four (each level of futures is
//! copied when it starts, and the nesting showed in the per-request cost, BENCHMARKS.md).
//! Retries are the one loop's ([`retry_from`]), with the same decisions.

// With the `cdn` feature alone no generated API module uses the pipeline.
#![cfg_attr(not(api), allow(dead_code, unused_imports))]

use super::pipeline::{
    answer_clock, request_span, retry_from, settle, shown, Attempts, Failure, Op, Settled,
};
#[cfg(rest)]
use super::prepare::sign_rest_attempt;
#[cfg(rest)]
use super::prepare::Prepared;
use super::prepare::Rejected;
#[cfg(rest)]
use super::transport::Api;
use super::transport::{send_once, Answer, SendOnce};
#[cfg(rest)]
use crate::config::AuthScheme;
use crate::context::ClientContext;
#[cfg(rest)]
use crate::retry::OperationKind;
#[cfg(rest)]
use http::header::DATE;
#[cfg(rest)]
use http::header::{HeaderValue, CONTENT_TYPE};
use std::future::Future;
use std::pin::Pin;
use std::task::{ready, Poll};
use std::time::Duration;
#[cfg(rest)]
use std::time::SystemTime;

#[cfg(rest)]
/// Sends a REST request prepared by [`prepare_rest_request`](super::prepare_rest_request)
/// (or refused by it: `prepared`), retrying as the operation's kind allows; every retry is
/// a copy of the request signed anew (fresh `Date`), and a request refused for this
/// machine's clock is made once more with the service's. The answer comes back read whole,
/// its error body normalized.
#[inline(always)]
pub(crate) fn exchange_rest<'a, E>(
    ctx: &'a ClientContext,
    operation: &'a str,
    kind: OperationKind,
    request: reqwest::Request,
    prepared: Result<Prepared, Rejected>,
) -> impl Future<Output = Result<Answer, progenitor_client::Error<E>>> + Send + use<'a, E> {
    let op = Op {
        name: operation,
        kind,
        api: Api::Rest,
    };
    let copier = prepared.map(|prepared| Copier::rest(&request, ctx, prepared));
    CopiesExchange::start(ctx, op, request, copier)
}

/// Sends a request whose body is bytes (or none) once prepared (or refused: `prepared`),
/// retrying with copies of it; the answer comes back read whole, its error body normalized
/// (the Upload API's generated GETs, the Project API).
#[cfg_attr(not(any(feature = "upload", feature = "project_api")), allow(dead_code))]
pub(crate) fn exchange<'a, E>(
    ctx: &'a ClientContext,
    op: Op<'a>,
    request: reqwest::Request,
    prepared: Result<(), Rejected>,
) -> impl Future<Output = Result<Answer, progenitor_client::Error<E>>> + Send + use<'a, E> {
    let copier = prepared.map(|()| Copier::whole(&request));
    CopiesExchange::start(ctx, op, request, copier)
}

/// What the loop's future is kept as: boxed, made only when a retry is due.
type Looping<'a> = Pin<Box<dyn Future<Output = Result<Answer, Failure<reqwest::Error>>> + Send + 'a>>;

pin_project_lite::pin_project! {
    /// A request with copies as its retries, until its answer is final (see the module's
    /// documentation).
    struct CopiesExchange<'a, E, F> {
        ctx: &'a ClientContext,
        op: Op<'a>,
        #[pin]
        stage: Stage<'a, F>,
        error: std::marker::PhantomData<fn() -> E>,
    }
}

pin_project_lite::pin_project! {
    #[project = StageNow]
    #[project_replace = StageTaken]
    enum Stage<'a, F> {
        /// The first attempt, on its own.
        First {
            #[pin]
            send: SendOnce<'a, F>,
            copier: Copier<'a>,
            // When it was sent (only when the `answer` event is enabled).
            sent: Option<std::time::Instant>,
        },
        /// The retry loop.
        Loop { run: Looping<'a> },
        /// The request was refused before it was sent.
        Refused { rejected: Option<Rejected> },
        /// The answer (or the error) was given.
        Done,
    }
}

impl<'a, E> CopiesExchange<'a, E, ()> {
    /// The exchange, its first attempt sent when no subscriber listens.
    #[inline(always)]
    fn start(
        ctx: &'a ClientContext,
        op: Op<'a>,
        request: reqwest::Request,
        copier: Result<Copier<'a>, Rejected>,
    ) -> CopiesExchange<'a, E, impl Future<Output = reqwest::Result<reqwest::Response>> + Send + Unpin + 'a>
    {
        let copier = match copier {
            Ok(copier) => copier,
            Err(rejected) => {
                return CopiesExchange {
                    ctx,
                    op,
                    stage: Stage::Refused {
                        rejected: Some(rejected),
                    },
                    error: std::marker::PhantomData,
                }
            }
        };
        // A request whose span nobody would see is made without one.
        let stage = if !shown(tracing::Level::DEBUG) {
            Stage::First {
                sent: answer_clock(),
                send: send_once(ctx, op.api, request, None),
                copier,
            }
        } else {
            // The span would be seen: the loop records every attempt on it.
            let copies = Copies {
                first: Some(request),
                copier,
            };
            Stage::Loop {
                run: Box::pin(copies_loop(ctx, op, copies, 0, request_span(&op), false)),
            }
        };
        CopiesExchange {
            ctx,
            op,
            stage,
            error: std::marker::PhantomData,
        }
    }
}

impl<E, F> Future for CopiesExchange<'_, E, F>
where
    F: Future<Output = reqwest::Result<reqwest::Response>> + Unpin,
{
    type Output = Result<Answer, progenitor_client::Error<E>>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let mut this = self.project();
        let (ctx, op) = (*this.ctx, *this.op);
        let result = loop {
            match this.stage.as_mut().project() {
                StageNow::First { send, copier, sent } => {
                    let result = ready!(send.poll(cx));
                    let next = match settle(ctx, &op, copier, 0, result, None, None, *sent) {
                        Settled::Done(Ok(answer)) if copier.clock_refused(ctx, &op, &answer) => None,
                        Settled::Done(result) => break result,
                        Settled::Retry(delay) => Some(delay),
                    };
                    let StageTaken::First { copier, .. } = this.stage.as_mut().project_replace(Stage::Done)
                    else {
                        unreachable!("the stage was the first attempt")
                    };
                    this.stage.set(Stage::Loop {
                        run: to_loop(ctx, op, copier, next),
                    });
                }
                StageNow::Loop { run } => break ready!(run.as_mut().poll(cx)),
                StageNow::Refused { rejected } => {
                    if let Some(rejected) = rejected.take() {
                        return Poll::Ready(Err(rejected.into()));
                    }
                    return Poll::Pending;
                }
                // Polled again after it finished.
                StageNow::Done => return Poll::Pending,
            }
        };
        this.stage.set(Stage::Done);
        Poll::Ready(match result {
            Ok(answer) => Ok(answer.normalized()),
            Err(failure) => Err(failure.into_progenitor(&op)),
        })
    }
}

/// The retry loop after a first attempt: after `delay` from the second attempt on, as the
/// loop would have; without one, once more from the first with the service's clock.
/// Apart (and cold), so that the first attempt's code is only what a success runs.
#[cold]
#[inline(never)]
fn to_loop<'a>(
    ctx: &'a ClientContext,
    op: Op<'a>,
    copier: Copier<'a>,
    delay: Option<Duration>,
) -> Looping<'a> {
    let copies = Copies { first: None, copier };
    match delay {
        Some(delay) => Box::pin(async move {
            tokio::time::sleep(delay).await;
            copies_loop(ctx, op, copies, 1, tracing::Span::none(), false).await
        }),
        None => Box::pin(copies_loop(ctx, op, copies, 0, request_span(&op), true)),
    }
}

/// The retry loop over copies, from attempt `attempt` on under `span`; a REST request
/// refused for this machine's clock is made once more with the service's, unless
/// `clock_checked` (once per request).
async fn copies_loop<'a>(
    ctx: &'a ClientContext,
    op: Op<'a>,
    mut copies: Copies<'a>,
    mut attempt: u32,
    mut span: tracing::Span,
    mut clock_checked: bool,
) -> Result<Answer, Failure<reqwest::Error>> {
    loop {
        let answer = retry_from(ctx, &op, &mut copies, attempt, span).await?;
        if clock_checked || !copies.copier.clock_refused(ctx, &op, &answer) {
            return Ok(answer);
        }
        clock_checked = true;
        attempt = 0;
        span = request_span(&op);
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

/// What copies of a request with a byte body (or none) are made from; REST copies are
/// signed anew (fresh `Date`). What a copy needs is kept aside; a copy is made only when a
/// retry is due. As [`Attempts`], every request it makes is a copy.
struct Copier<'a> {
    template: Template,
    #[cfg_attr(not(rest), allow(dead_code))]
    resign: Option<&'a ClientContext>,
}

/// What a retry's copy is made from.
// The REST template is kept inline: boxing it would cost every REST request an allocation.
#[allow(clippy::large_enum_variant)]
enum Template {
    /// The body is a stream: no copy can be made.
    None,
    /// A whole copy of the request (Upload API GETs; boxed, so that the REST template sets
    /// the size).
    #[cfg_attr(not(feature = "upload"), allow(dead_code))]
    Whole(Box<reqwest::Request>),
    /// A REST request: its method, URL, body and the two headers that are not set again by
    /// signing (`Accept`, `Content-Type`); the copy is signed anew.
    #[cfg(rest)]
    Rest {
        method: reqwest::Method,
        url: reqwest::Url,
        accept: HeaderValue,
        content_type: HeaderValue,
        body: Option<bytes::Bytes>,
    },
}

impl<'a> Copier<'a> {
    /// What copies of `request` are made from: whole copies (its body is bytes, or none).
    #[cfg_attr(not(any(feature = "upload", feature = "project_api")), allow(dead_code))]
    fn whole(request: &reqwest::Request) -> Self {
        Self {
            template: request
                .try_clone()
                .map_or(Template::None, |copy| Template::Whole(Box::new(copy))),
            resign: None,
        }
    }

    #[cfg(rest)]
    /// What copies of a REST request are made from, signed anew for `ctx`; `prepared` holds
    /// the headers signing does not set.
    #[inline(always)]
    fn rest(request: &reqwest::Request, ctx: &'a ClientContext, prepared: Prepared) -> Self {
        let body = match request.body() {
            None => Some(None),
            Some(body) => body.as_bytes().map(|b| Some(bytes::Bytes::copy_from_slice(b))),
        };
        let template = match body {
            None => Template::None,
            Some(body) => Template::Rest {
                method: request.method().clone(),
                url: request.url().clone(),
                accept: prepared.accept,
                content_type: prepared.content_type,
                body,
            },
        };
        Self {
            template,
            resign: Some(ctx),
        }
    }

    /// A copy of the request (only called when [`Attempts::repeatable`]).
    fn copy(&self) -> reqwest::Request {
        match &self.template {
            Template::Whole(request) => request.try_clone().expect("a template can be cloned"),
            #[cfg(rest)]
            Template::Rest {
                method,
                url,
                accept,
                content_type,
                body,
            } => {
                let mut next = reqwest::Request::new(method.clone(), url.clone());
                let headers = next.headers_mut();
                headers.insert(http::header::ACCEPT, accept.clone());
                headers.insert(CONTENT_TYPE, content_type.clone());
                if let Some(body) = body {
                    *next.body_mut() = Some(body.clone().into());
                }
                if let Some(ctx) = self.resign {
                    ctx.set_user_agent(next.headers_mut());
                    // Signing succeeded in `prepare_rest_request` with the same inputs but
                    // the date, so it succeeds again.
                    let _ = sign_rest_attempt(&mut next, ctx, content_type);
                }
                next
            }
            Template::None => unreachable!("a request without a template is not repeated"),
        }
    }

    /// Whether `answer` refused a signed REST request for this machine's clock, and a copy
    /// signed with the service's clock (learned from it) can be sent.
    fn clock_refused(&self, ctx: &ClientContext, op: &Op<'_>, answer: &Answer) -> bool {
        #[cfg(rest)]
        if self.resign.is_some() && self.repeatable() && learn_clock_offset(ctx, answer) {
            tracing::info!(
                operation = op.name,
                clock_offset_secs = ctx.clock_offset(),
                "the service refused the request's date; signing with its clock"
            );
            return true;
        }
        let _ = (ctx, op, answer);
        false
    }
}

impl Attempts for Copier<'_> {
    type Error = reqwest::Error;

    async fn next_request(&mut self) -> reqwest::Result<reqwest::Request> {
        Ok(self.copy())
    }

    fn repeatable(&self) -> bool {
        !matches!(self.template, Template::None)
    }
}

/// The attempts of the retry loop over copies: a first request (when the loop makes the
/// first attempt), then copies.
struct Copies<'a> {
    first: Option<reqwest::Request>,
    copier: Copier<'a>,
}

impl Attempts for Copies<'_> {
    type Error = reqwest::Error;

    async fn next_request(&mut self) -> reqwest::Result<reqwest::Request> {
        Ok(self.first.take().unwrap_or_else(|| self.copier.copy()))
    }

    fn repeatable(&self) -> bool {
        self.copier.repeatable()
    }
}
