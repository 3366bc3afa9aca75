//! What the client retries, decided in one place from what repeating an operation can do.
//!
//! Every operation of every OpenAPI document carries `x-uploadcare-retry`; build.rs turns it
//! into each API module's `OPERATIONS` table and `operation_kind` function (for example
//! [`crate::v0_7::operation_kind`]). The request pipeline, the multipart part uploads and
//! [`Error::is_retryable_for`](crate::Error::is_retryable_for) all ask [`decide`]:
//!
//! | what happened to an attempt | safe | idempotent | creating |
//! |---|---|---|---|
//! | `429` with `Retry-After` ≤ `max_retry_after` (or none: backoff) | retry | retry | retry |
//! | `408`, `500`, `502`, `503`, `504` | retry | retry | no |
//! | no connection made ([`Outcome::NotConnected`]) | retry | retry | retry |
//! | connection closed or reset before the server could read the whole request ([`Outcome::NotRead`]) | retry | retry | retry |
//! | request sent whole, answer lost, cut or late ([`Outcome::AnswerLost`]) | retry | retry | no: [`Error::OutcomeUnknown`](crate::Error::OutcomeUnknown) |
//! | any other status | no | no | no |
//!
//! Each retry waits: `Retry-After` for a 429 that has one, else `initial_backoff × 2ⁿ`
//! (at most `max_backoff`); there are at most `max_retries` retries per request
//! ([`RetryPolicy`]).
//!
//! "Not read" is known for sure when the request's body was not all handed to the
//! connection; with the crate's own HTTP client (HTTP/1 only) a connection reset
//! (`ECONNRESET`/`EPIPE`) before any answer is also taken as "not read": a server that has
//! read a request and closes without answering closes normally, while one that refuses to
//! read it (a throttle or a proxy answering early) leaves unread bytes, which makes the
//! close a reset. With a client of your own ([`Config::with_http_client`](crate::Config::with_http_client)),
//! which may speak HTTP/2 — where one reset fails every stream of a connection, processed
//! ones included — a reset after the whole body was sent counts as a lost answer.

use crate::RetryPolicy;
use std::time::Duration;

/// What repeating an operation can do: the `x-uploadcare-retry` of its OpenAPI document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum OperationKind {
    /// Reads (`GET`, `HEAD`, and `POST /files/search/`): repeating changes nothing.
    Safe,
    /// Repeating has the same effect as doing it once: `PUT`/`DELETE`/`PATCH` of REST
    /// resources, metadata and tag writes, batch store/delete, `/multipart/complete/`
    /// (it names an existing upload) and part uploads to presigned URLs.
    Idempotent,
    /// Repeating may create a second thing: `/base/`, `/multipart/start/`, `/from_url/`,
    /// `/group/`, copies, conversions, add-on executions, webhook creation.
    Creating,
}

impl OperationKind {
    /// `safe`, `idempotent` or `creating`, as the documents write it.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationKind::Safe => "safe",
            OperationKind::Idempotent => "idempotent",
            OperationKind::Creating => "creating",
        }
    }

    /// Whether a request whose answer was lost may be sent again.
    pub fn repeatable(self) -> bool {
        self != OperationKind::Creating
    }
}

impl std::fmt::Display for OperationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One operation of an OpenAPI document and its retry class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operation {
    /// The operation's name in the client (snake_case `operationId`, e.g. `files_list`).
    pub id: &'static str,
    /// The HTTP method (`GET`, `POST`, …).
    pub method: &'static str,
    /// The path as the document writes it (`/files/{uuid}/storage/`).
    pub path: &'static str,
    /// What repeating it can do.
    pub kind: OperationKind,
}

/// What happened to one attempt of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The service answered with this status.
    Answer {
        /// The HTTP status.
        status: u16,
        /// The answer's `Retry-After`, when it has one.
        retry_after: Option<Duration>,
    },
    /// No connection could be made: nothing was sent.
    NotConnected,
    /// The connection failed before the server could have read the whole request (its body
    /// was not all handed over, or the connection was reset before any answer): the
    /// request was not processed.
    NotRead,
    /// The whole request was sent and its answer did not arrive whole (lost, cut while
    /// being read, or late): the request may have been processed.
    AnswerLost {
        /// The answer was late (the client's timeout).
        timed_out: bool,
    },
}

/// How long to wait before repeating an attempt that ended with `outcome`, or `None` when
/// it is not repeated. `attempt` counts from 0 (the first attempt).
///
/// ```
/// use std::time::Duration;
/// use uploadcare::retry::{decide, OperationKind, Outcome};
///
/// let policy = uploadcare::RetryPolicy::default();
/// let lost = Outcome::AnswerLost { timed_out: false };
/// assert!(decide(OperationKind::Safe, lost, 0, &policy).is_some());
/// assert!(decide(OperationKind::Creating, lost, 0, &policy).is_none());
/// let throttled = Outcome::Answer { status: 429, retry_after: Some(Duration::from_secs(1)) };
/// assert_eq!(decide(OperationKind::Creating, throttled, 0, &policy), Some(Duration::from_secs(1)));
/// ```
pub fn decide(kind: OperationKind, outcome: Outcome, attempt: u32, policy: &RetryPolicy) -> Option<Duration> {
    if attempt >= policy.max_retries {
        return None;
    }
    let backoff = backoff(policy, attempt);
    match outcome {
        Outcome::Answer {
            status: 429,
            retry_after,
        } => {
            let delay = retry_after.unwrap_or(backoff);
            (delay <= policy.max_retry_after).then_some(delay)
        }
        Outcome::Answer {
            status: 408 | 500 | 502 | 503 | 504,
            ..
        } => kind.repeatable().then_some(backoff),
        Outcome::Answer { .. } => None,
        Outcome::NotConnected | Outcome::NotRead => Some(backoff),
        Outcome::AnswerLost { .. } => kind.repeatable().then_some(backoff),
    }
}

/// `initial_backoff × 2^attempt`, at most `max_backoff`.
fn backoff(policy: &RetryPolicy, attempt: u32) -> Duration {
    policy
        .initial_backoff
        .saturating_mul(2u32.saturating_pow(attempt))
        .min(policy.max_backoff)
}

/// What a failed attempt (no answer, or an answer whose body could not be read) tells.
/// `body_sent`: the request's body was handed to the connection whole. `resets_mean_unread`:
/// the connection is HTTP/1 (the crate's own client), where a reset before any answer means
/// the server refused to read; over HTTP/2 one reset fails every stream of the connection,
/// processed ones included, so it tells nothing.
pub(crate) fn transport_outcome(
    error: &reqwest::Error,
    body_sent: bool,
    resets_mean_unread: bool,
) -> Outcome {
    if error.is_connect() {
        Outcome::NotConnected
    } else if error.is_body() || error.is_decode() {
        // The answer's head arrived: the request was processed.
        Outcome::AnswerLost {
            timed_out: error.is_timeout(),
        }
    } else if !body_sent || (resets_mean_unread && is_reset(error)) {
        Outcome::NotRead
    } else {
        Outcome::AnswerLost {
            timed_out: error.is_timeout(),
        }
    }
}

/// Whether the connection was reset (or the pipe broken) under `error`.
fn is_reset(error: &reqwest::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionReset
                    | std::io::ErrorKind::BrokenPipe
                    | std::io::ErrorKind::ConnectionAborted
            ) {
                return true;
            }
        }
        source = e.source();
    }
    false
}

/// `Retry-After` as seconds or as an HTTP date.
pub(crate) fn parse_retry_after(value: &str) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(std::time::SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

/// The `Retry-After` of an answer's headers.
pub(crate) fn retry_after(headers: &http::HeaderMap) -> Option<Duration> {
    parse_retry_after(headers.get(http::header::RETRY_AFTER)?.to_str().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use OperationKind::*;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(5),
            max_backoff: Duration::from_millis(300),
        }
    }

    fn status(status: u16) -> Outcome {
        Outcome::Answer {
            status,
            retry_after: None,
        }
    }

    #[test]
    fn the_table_of_the_module_docs() {
        let p = policy();
        let lost = Outcome::AnswerLost { timed_out: false };
        let late = Outcome::AnswerLost { timed_out: true };
        // (outcome, safe, idempotent, creating)
        let table = [
            (status(429), true, true, true),
            (status(408), true, true, false),
            (status(500), true, true, false),
            (status(502), true, true, false),
            (status(503), true, true, false),
            (status(504), true, true, false),
            (status(400), false, false, false),
            (status(404), false, false, false),
            (status(501), false, false, false),
            (status(200), false, false, false),
            (Outcome::NotConnected, true, true, true),
            (Outcome::NotRead, true, true, true),
            (lost, true, true, false),
            (late, true, true, false),
        ];
        for (outcome, safe, idempotent, creating) in table {
            for (kind, expected) in [(Safe, safe), (Idempotent, idempotent), (Creating, creating)] {
                assert_eq!(
                    decide(kind, outcome, 0, &p).is_some(),
                    expected,
                    "{outcome:?} for {kind}"
                );
            }
        }
    }

    #[test]
    fn waits_follow_retry_after_and_backoff_and_stop_after_max_retries() {
        let p = policy();
        let throttled = |secs| Outcome::Answer {
            status: 429,
            retry_after: Some(Duration::from_secs(secs)),
        };
        assert_eq!(
            decide(Creating, throttled(2), 0, &p),
            Some(Duration::from_secs(2))
        );
        assert_eq!(
            decide(Creating, throttled(6), 0, &p),
            None,
            "beyond max_retry_after"
        );
        assert_eq!(decide(Safe, status(503), 0, &p), Some(Duration::from_millis(100)));
        assert_eq!(decide(Safe, status(503), 1, &p), Some(Duration::from_millis(200)));
        assert_eq!(
            decide(Safe, status(503), 2, &p),
            Some(Duration::from_millis(300)),
            "capped"
        );
        assert_eq!(decide(Safe, status(503), 3, &p), None, "max_retries reached");
        assert_eq!(
            decide(Safe, Outcome::NotConnected, 0, &RetryPolicy::never()),
            None
        );
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
