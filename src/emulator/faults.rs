//! Fault injection: make chosen requests fail the way networks and busy services do.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What happens to a request that matches a [`FaultRule`].
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answer `429 Too Many Requests` with `Retry-After: <seconds>`.
    Throttle {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// Answer this status (e.g. 500, 502, 503) with a short body.
    Status(u16),
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Send the response head, then cut the connection before the body.
    DropConnection,
}

/// Which requests a fault applies to, and how many times.
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Only requests whose path starts with this (e.g. `/files/`); `None`: every path.
    pub path_prefix: Option<String>,
    /// Only requests with this method (e.g. `PUT`); `None`: every method.
    pub method: Option<String>,
    /// How many matching requests it applies to; `None`: all of them.
    pub times: Option<usize>,
    /// The fault.
    pub fault: Fault,
}

impl FaultRule {
    /// `fault` for every request.
    pub fn always(fault: Fault) -> Self {
        Self {
            path_prefix: None,
            method: None,
            times: None,
            fault,
        }
    }

    /// `fault` for the first `n` requests (after the rule is added).
    pub fn first(n: usize, fault: Fault) -> Self {
        Self {
            path_prefix: None,
            method: None,
            times: Some(n),
            fault,
        }
    }

    /// Restricts the rule to paths starting with `prefix`.
    pub fn on_path(mut self, prefix: impl Into<String>) -> Self {
        self.path_prefix = Some(prefix.into());
        self
    }

    /// Restricts the rule to one HTTP method.
    pub fn on_method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into().to_ascii_uppercase());
        self
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        self.times != Some(0)
            && self.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
            && self.method.as_deref().is_none_or(|m| m == method)
    }
}

/// The active fault rules of an emulator (both APIs). Cheap to clone; clones share rules.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    rules: Arc<Mutex<Vec<FaultRule>>>,
    applied: Arc<AtomicUsize>,
}

impl Faults {
    /// Adds a rule. Rules are tried in the order they were added; the first match applies.
    pub fn add(&self, rule: FaultRule) {
        self.lock().push(rule);
    }

    /// How many requests got a fault so far (faulted requests are not in the request log:
    /// they never reach the API).
    pub fn applied(&self) -> usize {
        self.applied.load(Ordering::SeqCst)
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<FaultRule>> {
        self.rules.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault for this request, consuming one use of its rule.
    fn take(&self, method: &str, path: &str) -> Option<Fault> {
        let mut rules = self.lock();
        let rule = rules.iter_mut().find(|r| r.matches(method, path))?;
        if let Some(times) = rule.times.as_mut() {
            *times -= 1;
        }
        self.applied.fetch_add(1, Ordering::SeqCst);
        Some(rule.fault.clone())
    }
}

/// How many requests the emulator is handling at once (both APIs and the CDN), and the
/// most it has handled at once: what a test of a client's concurrency limit checks.
/// Cheap to clone; clones share counts.
#[derive(Clone, Debug, Default)]
pub struct Traffic {
    counts: Arc<Mutex<TrafficCounts>>,
}

#[derive(Debug, Default)]
struct TrafficCounts {
    in_flight: usize,
    max_in_flight: usize,
    started: usize,
}

impl Traffic {
    /// Requests being handled now.
    pub fn in_flight(&self) -> usize {
        self.lock().in_flight
    }

    /// The most requests handled at once since the start (or the last
    /// [`Traffic::reset_max`]).
    pub fn max_in_flight(&self) -> usize {
        self.lock().max_in_flight
    }

    /// Requests received since the start (faulted ones included).
    pub fn requests(&self) -> usize {
        self.lock().started
    }

    /// Starts counting the most-at-once again from the requests in flight now.
    pub fn reset_max(&self) {
        let mut counts = self.lock();
        counts.max_in_flight = counts.in_flight;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TrafficCounts> {
        self.counts
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn enter(&self) -> InFlight {
        let mut counts = self.lock();
        counts.in_flight += 1;
        counts.started += 1;
        counts.max_in_flight = counts.max_in_flight.max(counts.in_flight);
        InFlight(self.clone())
    }
}

/// One request being handled; leaving drops the count (also when the handler is dropped).
struct InFlight(Traffic);

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut counts = self.0.lock();
        counts.in_flight = counts.in_flight.saturating_sub(1);
    }
}

/// axum middleware counting [`Traffic`] and applying [`Faults`] before anything else
/// (authentication included).
pub(crate) async fn inject(
    State((faults, traffic)): State<(Faults, Traffic)>,
    request: Request,
    next: Next,
) -> Response {
    let _in_flight = traffic.enter();
    let fault = faults.take(request.method().as_str(), request.uri().path());
    match fault {
        None => next.run(request).await,
        Some(Fault::Delay(delay)) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        Some(Fault::Throttle { retry_after_secs }) => (
            axum::http::StatusCode::TOO_MANY_REQUESTS,
            [("retry-after", retry_after_secs.to_string())],
            axum::Json(serde_json::json!({
                "detail": format!("Request was throttled. Expected available in {retry_after_secs} seconds.")
            })),
        )
            .into_response(),
        Some(Fault::Status(status)) => {
            let status = axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            let text = status.canonical_reason().unwrap_or("Error");
            (status, [("content-type", "text/plain")], text).into_response()
        }
        Some(Fault::DropConnection) => {
            // A body that fails right away: the server aborts the connection mid-response.
            let failing = futures_util::stream::once(async {
                Err::<bytes::Bytes, std::io::Error>(std::io::Error::other(
                    "connection dropped by fault injection",
                ))
            });
            Response::builder()
                .status(200)
                .header("content-length", "1000")
                .body(Body::from_stream(failing))
                .unwrap_or_default()
        }
    }
}
