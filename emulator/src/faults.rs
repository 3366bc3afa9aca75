//! Fault injection: make chosen requests fail the way networks and busy services do.
//!
//! The middleware ([`inject`]) decides what happens to a request; faults that act on the
//! connection itself (a reset, a lost or cut answer) are marked on the response with a
//! [`ConnectionFault`] and carried out by the connection's service (`super::serve`).

use axum::body::{Body, BodyDataStream};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use std::sync::{Arc, Mutex};
use std::task::Poll;
use std::time::Duration;

/// What happens to a request that matches a [`FaultRule`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer `429 Too Many Requests` with `Retry-After: <seconds>` (and the service's JSON
    /// `detail`), without processing the request.
    ///
    /// The answer goes out **before the request body is read**, the way front-end proxies
    /// throttle. With a large body, the data left unread makes the server's close an RST, and
    /// the client may then see a connection reset instead of the 429.
    Throttle {
        /// The `Retry-After` value, in seconds.
        retry_after_secs: u64,
    },
    /// Read (and discard) the whole request body, then answer this status (e.g. 500, 502,
    /// 503) with a short `text/plain` body, without processing the request. Reading the body
    /// first makes the answer reach the client reliably, whatever the body's size. A status
    /// outside 100–999 answers 500.
    Status(u16),
    /// Wait this long, then handle the request normally.
    Delay(Duration),
    /// Close the connection with an RST (TCP reset) as soon as the request head has arrived:
    /// the body is not read, the request is not processed, no answer is sent. The client
    /// sees a connection reset, while sending the body or while waiting for the answer.
    ResetBeforeBody,
    /// Process the request, then send the answer's head (with the real `Content-Length`)
    /// and only the first half of its body, and close the connection: the client gets the
    /// status and headers, then fails reading the body. The request is processed (it is in
    /// the request log and its effects stay). An empty answer cannot be cut short: the
    /// client gets it whole before the connection closes.
    CutAnswer,
    /// Process the request (the handler reads its body), then close the connection with a
    /// FIN and no answer at all: the client sees the connection closed before any answer
    /// (with no reset), although the request took effect — e.g. the upload is stored. Any
    /// request bytes the handler left unread are read first, so the close is not an RST.
    AnswerLost,
}

/// The text form of a rule (the emulator binary's `--fault`), words in any order:
///
/// - the fault, exactly one: a status (`503`), `throttle` or `throttle=2s` (`Retry-After`,
///   default 1 s), `delay=250ms` or `delay=2s`, `reset` (before the body), `cut` (answer
///   cut short), `lost` (processed, no answer);
/// - which requests, optional: a method (`PUT`), a path prefix (`/multipart/`), `api=rest`
///   or `api=upload`, `session=NAME`;
/// - how often, optional: `xN` (at most N times; alone: the first N), `p=0.1` (each
///   request with that chance, from the seeded generator); neither: every request.
///
/// ```
/// use uploadcare_emulator::{Fault, FaultRule};
///
/// let rule: FaultRule = "PUT /multipart/part/ 503 x3".parse().unwrap();
/// assert_eq!((rule.method.as_deref(), rule.times), (Some("PUT"), Some(3)));
/// assert_eq!(rule.fault, Fault::Status(503));
/// let rule: FaultRule = "POST /base/ throttle=1s p=0.1".parse().unwrap();
/// assert_eq!(rule.fault, Fault::Throttle { retry_after_secs: 1 });
/// assert!("PUT /x/ 503 lost".parse::<FaultRule>().is_err());
/// ```
impl std::str::FromStr for FaultRule {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let mut fault = None;
        let (mut method, mut path, mut api, mut times, mut probability) = (None, None, None, None, None);
        let mut session = None;
        let mut set_fault = |f: Fault, word: &str| match fault.replace(f) {
            None => Ok(()),
            Some(_) => Err(format!("`{word}`: a rule has one fault")),
        };
        let duration = |word: &str, value: &str| -> Result<Duration, String> {
            let bad = || format!("`{word}`: expected a duration such as 250ms or 2s");
            match value.strip_suffix("ms") {
                Some(ms) => ms.parse().map(Duration::from_millis).map_err(|_| bad()),
                None => value
                    .strip_suffix('s')
                    .ok_or_else(bad)?
                    .parse()
                    .map(Duration::from_secs)
                    .map_err(|_| bad()),
            }
        };
        for word in text.split_whitespace() {
            let (key, value) = word.split_once('=').unwrap_or((word, ""));
            match (key, value) {
                ("throttle", "") => set_fault(Fault::Throttle { retry_after_secs: 1 }, word)?,
                ("throttle", v) => set_fault(
                    Fault::Throttle {
                        retry_after_secs: duration(word, v)?.as_secs(),
                    },
                    word,
                )?,
                ("delay", v) => set_fault(Fault::Delay(duration(word, v)?), word)?,
                ("reset", "") => set_fault(Fault::ResetBeforeBody, word)?,
                ("cut", "") => set_fault(Fault::CutAnswer, word)?,
                ("lost", "") => set_fault(Fault::AnswerLost, word)?,
                ("session", v) if crate::session_name::valid_name(v) => session = Some(v.to_owned()),
                ("api", "rest") => api = Some(FaultApi::Rest),
                ("api", "upload") => api = Some(FaultApi::Upload),
                ("p", v) => {
                    let p: f64 = v
                        .parse()
                        .map_err(|_| format!("`{word}`: expected p=0.0 to p=1.0"))?;
                    if !(0.0..=1.0).contains(&p) {
                        return Err(format!("`{word}`: expected p=0.0 to p=1.0"));
                    }
                    probability = Some(p);
                }
                (w, "") if w.starts_with('/') => path = Some(w.to_owned()),
                (w, "") if w.len() == 3 && w.bytes().all(|b| b.is_ascii_digit()) => {
                    set_fault(Fault::Status(w.parse().unwrap_or(500)), word)?
                }
                (w, "") if w.starts_with('x') && w.len() > 1 => {
                    times = Some(
                        w[1..]
                            .parse::<usize>()
                            .map_err(|_| format!("`{word}`: expected xN, e.g. x3"))?,
                    )
                }
                (w, "") if !w.is_empty() && w.bytes().all(|b| b.is_ascii_uppercase()) => {
                    method = Some(w.to_owned())
                }
                _ => return Err(format!("`{word}` is not part of a fault rule")),
            }
        }
        let fault = fault.ok_or("no fault: give a status (503), throttle, delay=…, reset, cut or lost")?;
        let mut rule = match probability {
            Some(p) => FaultRule::sometimes(p, fault),
            None => FaultRule::always(fault),
        };
        rule.times = times;
        rule.method = method;
        rule.path_prefix = path;
        rule.api = api;
        rule.session = session;
        Ok(rule)
    }
}

/// The text form ([`FaultRule`]'s `FromStr`): `503`, `throttle=2s`, `delay=250ms`, `reset`,
/// `cut`, `lost`.
impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::Throttle { retry_after_secs } => write!(f, "throttle={retry_after_secs}s"),
            Fault::Status(status) => write!(f, "{status}"),
            Fault::Delay(delay) => write!(f, "delay={}ms", delay.as_millis()),
            Fault::ResetBeforeBody => f.write_str("reset"),
            Fault::CutAnswer => f.write_str("cut"),
            Fault::AnswerLost => f.write_str("lost"),
        }
    }
}

/// The text form, which parses back to the same rule, e.g. `PUT /multipart/part/ 503 x3`
/// (`x` counts the uses left).
impl std::fmt::Display for FaultRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut words = Vec::new();
        words.extend(self.method.clone());
        words.extend(self.path_prefix.clone());
        if let Some(api) = self.api {
            words.push(format!("api={}", api.name()));
        }
        if let Some(session) = &self.session {
            words.push(format!("session={session}"));
        }
        words.push(self.fault.to_string());
        if let Some(times) = self.times {
            words.push(format!("x{times}"));
        }
        if let Some(p) = self.probability {
            words.push(format!("p={p}"));
        }
        f.write_str(&words.join(" "))
    }
}

/// Which of the emulator's two servers a request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FaultApi {
    /// The REST API server.
    Rest,
    /// The Upload API server, which also serves the CDN (`/cdn/…`).
    Upload,
}

impl FaultApi {
    /// `rest` or `upload`.
    pub fn name(self) -> &'static str {
        match self {
            FaultApi::Rest => "rest",
            FaultApi::Upload => "upload",
        }
    }
}

/// Which requests a fault applies to, how often and how many times.
///
/// ```
/// use uploadcare_emulator::{Fault, FaultApi, FaultRule};
///
/// // About one upload in ten loses its answer, at most five times in all.
/// let rule = FaultRule::sometimes(0.1, Fault::AnswerLost)
///     .on_api(FaultApi::Upload)
///     .on_path("/base/")
///     .times(5);
/// # let _ = rule;
/// ```
#[derive(Clone, Debug)]
pub struct FaultRule {
    /// Only requests whose path starts with this (e.g. `/files/`); `None`: every path.
    pub path_prefix: Option<String>,
    /// Only requests with this method (e.g. `PUT`); `None`: every method.
    pub method: Option<String>,
    /// Only requests to this server; `None`: both.
    pub api: Option<FaultApi>,
    /// Only requests of this session (see the emulator's sessions); `None`: every session.
    pub session: Option<String>,
    /// The chance (0.0–1.0) that the rule applies to a request it matches, drawn from the
    /// seeded generator of [`Faults`]; `None`: every time.
    pub probability: Option<f64>,
    /// How many more times it applies; `None`: no limit.
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
            api: None,
            session: None,
            probability: None,
            times: None,
            fault,
        }
    }

    /// `fault` for the first `n` requests (after the rule is added).
    pub fn first(n: usize, fault: Fault) -> Self {
        Self::always(fault).times(n)
    }

    /// `fault` for each request with chance `probability` (0.0: never, 1.0: always), drawn
    /// from the generator of [`Faults`] (see [`Faults::seed`]): the same requests in the
    /// same order get the same faults.
    pub fn sometimes(probability: f64, fault: Fault) -> Self {
        Self {
            probability: Some(probability),
            ..Self::always(fault)
        }
    }

    /// Applies the rule at most `n` times (counted from when it is added); combines with
    /// [`FaultRule::sometimes`] (the first `n` requests it draws).
    pub fn times(mut self, n: usize) -> Self {
        self.times = Some(n);
        self
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

    /// Restricts the rule to one of the two servers (the CDN is on the Upload API's).
    pub fn on_api(mut self, api: FaultApi) -> Self {
        self.api = Some(api);
        self
    }

    /// Restricts the rule to the requests of one session (`default`: those naming none).
    pub fn on_session(mut self, session: impl Into<String>) -> Self {
        self.session = Some(session.into());
        self
    }

    fn matches(&self, api: FaultApi, method: &str, path: &str, session: &str) -> bool {
        self.times != Some(0)
            && self.api.is_none_or(|a| a == api)
            && self.session.as_deref().is_none_or(|s| s == session)
            && self.path_prefix.as_deref().is_none_or(|p| path.starts_with(p))
            && self.method.as_deref().is_none_or(|m| m == method)
    }
}

/// One fault the emulator applied, in [`Faults::applied_log`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppliedFault {
    /// The server the request came to.
    pub api: FaultApi,
    /// The request's method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// What was done to it.
    pub fault: Fault,
}

/// The active fault rules of an emulator (both APIs). Cheap to clone; clones share rules.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    inner: Arc<Mutex<FaultsInner>>,
}

#[derive(Debug, Default)]
struct FaultsInner {
    rules: Vec<FaultRule>,
    random: SplitMix64,
    log: Vec<AppliedFault>,
}

impl Faults {
    /// Adds a rule. Rules are tried in the order they were added; the first that applies
    /// wins (a [`FaultRule::sometimes`] rule whose draw fails lets the next rules try).
    pub fn add(&self, rule: FaultRule) {
        self.lock().rules.push(rule);
    }

    /// Restarts the generator behind [`FaultRule::sometimes`] from `seed` (the default seed
    /// is 0): the same seed and the same requests in the same order give the same faults.
    pub fn seed(&self, seed: u64) {
        self.lock().random = SplitMix64(seed);
    }

    /// How many requests got a fault so far. Requests refused by a fault (`Throttle`,
    /// `Status`, `ResetBeforeBody`) never reach the API and are not in the request log;
    /// `Delay`, `CutAnswer` and `AnswerLost` requests are processed and logged.
    pub fn applied(&self) -> usize {
        self.lock().log.len()
    }

    /// Every fault applied so far, in order.
    pub fn applied_log(&self) -> Vec<AppliedFault> {
        self.lock().log.clone()
    }

    /// The rules, in the order they are tried (with the uses left).
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().rules.clone()
    }

    /// Removes every rule (the log and the generator stay).
    pub fn clear(&self) {
        self.lock().rules.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, FaultsInner> {
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The fault for this request, consuming one use of its rule.
    fn take(&self, api: FaultApi, method: &str, path: &str, session: &str) -> Option<Fault> {
        let mut inner = self.lock();
        let FaultsInner { rules, random, log } = &mut *inner;
        let rule = rules.iter_mut().find(|rule| {
            rule.matches(api, method, path, session) && rule.probability.is_none_or(|p| random.next_f64() < p)
        })?;
        if let Some(times) = rule.times.as_mut() {
            *times = times.saturating_sub(1);
        }
        let fault = rule.fault.clone();
        log.push(AppliedFault {
            api,
            method: method.to_owned(),
            path: path.to_owned(),
            fault: fault.clone(),
        });
        Some(fault)
    }
}

/// SplitMix64 (Steele, Lea and Flood): a tiny, seedable generator, plenty for picking
/// which requests fail.
#[derive(Debug, Default)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `[0, 1)`.
    fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
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

/// What the connection's service does instead of sending a response carrying this
/// extension (see `super::serve`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ConnectionFault {
    /// Close with an RST, sending nothing.
    Reset,
    /// Close with a FIN, sending nothing.
    Lost,
    /// Send the head with the body's real length, half the body, then close.
    Cut,
}

/// An empty response that tells the connection's service to close the connection.
fn connection_fault(fault: ConnectionFault) -> Response {
    let mut response = Response::new(Body::empty());
    response.extensions_mut().insert(fault);
    response
}

/// axum middleware counting [`Traffic`] and applying [`Faults`] before anything else
/// (authentication included). `api` is the server it runs on.
pub(crate) async fn inject(
    State((faults, traffic, api)): State<(Faults, Traffic, FaultApi)>,
    request: Request,
    next: Next,
) -> Response {
    let _in_flight = traffic.enter();
    let session = request
        .extensions()
        .get::<crate::session_name::SessionName>()
        .map(|name| name.0.clone());
    let session = session.as_deref().unwrap_or(crate::session_name::DEFAULT_SESSION);
    let fault = faults.take(api, request.method().as_str(), request.uri().path(), session);
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
            drain(request.into_body().into_data_stream()).await;
            let status = axum::http::StatusCode::from_u16(status)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR);
            let text = status.canonical_reason().unwrap_or("Error");
            (status, [("content-type", "text/plain")], text).into_response()
        }
        Some(Fault::ResetBeforeBody) => connection_fault(ConnectionFault::Reset),
        Some(Fault::AnswerLost) => {
            let (request, unread) = share_body(request);
            drop(next.run(request).await);
            unread.drain().await;
            connection_fault(ConnectionFault::Lost)
        }
        Some(Fault::CutAnswer) => {
            let (request, unread) = share_body(request);
            let mut response = next.run(request).await;
            unread.drain().await;
            response.extensions_mut().insert(ConnectionFault::Cut);
            response
        }
    }
}

/// Reads a body to its end (or its first error), dropping the data.
async fn drain(mut data: BodyDataStream) {
    while let Some(Ok(_)) = data.next().await {}
}

/// A request body shared between the handler and the middleware, so that what the handler
/// leaves unread can be read off the connection after it has answered.
#[derive(Clone)]
struct UnreadBody(Arc<Mutex<Option<BodyDataStream>>>);

impl UnreadBody {
    fn lock(&self) -> std::sync::MutexGuard<'_, Option<BodyDataStream>> {
        self.0.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Reads whatever the handler left of the body.
    async fn drain(self) {
        let rest = self.lock().take();
        if let Some(rest) = rest {
            drain(rest).await;
        }
    }
}

/// The request with a body read through an [`UnreadBody`] (the `Content-Length` header,
/// if any, stays).
fn share_body(request: Request) -> (Request, UnreadBody) {
    let (parts, body) = request.into_parts();
    let shared = UnreadBody(Arc::new(Mutex::new(Some(body.into_data_stream()))));
    let reader = shared.clone();
    let stream = futures_util::stream::poll_fn(move |cx| match reader.lock().as_mut() {
        Some(data) => data.poll_next_unpin(cx),
        None => Poll::Ready(None),
    });
    (Request::from_parts(parts, Body::from_stream(stream)), shared)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(text: &str) -> FaultRule {
        text.parse().unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    #[test]
    fn every_fault_kind_has_a_text_form() {
        assert_eq!(rule("throttle").fault, Fault::Throttle { retry_after_secs: 1 });
        assert_eq!(rule("throttle=3s").fault, Fault::Throttle { retry_after_secs: 3 });
        assert_eq!(
            rule("delay=250ms").fault,
            Fault::Delay(Duration::from_millis(250))
        );
        assert_eq!(rule("delay=2s").fault, Fault::Delay(Duration::from_secs(2)));
        assert_eq!(rule("reset").fault, Fault::ResetBeforeBody);
        assert_eq!(rule("cut").fault, Fault::CutAnswer);
        assert_eq!(rule("lost").fault, Fault::AnswerLost);
        assert_eq!(rule("502").fault, Fault::Status(502));
    }

    #[test]
    fn selectors_and_frequency_are_read_in_any_order() {
        let r = rule("x2 api=upload lost /base/ POST");
        assert_eq!(r.method.as_deref(), Some("POST"));
        assert_eq!(r.path_prefix.as_deref(), Some("/base/"));
        assert_eq!(r.api, Some(FaultApi::Upload));
        assert_eq!((r.times, r.probability), (Some(2), None));
        let r = rule("503 p=0.25 x4");
        assert_eq!((r.times, r.probability), (Some(4), Some(0.25)));
        let r = rule("api=rest cut");
        assert_eq!(
            (r.times, r.probability, r.api),
            (None, None, Some(FaultApi::Rest))
        );
    }

    #[test]
    fn the_text_form_round_trips() {
        for text in [
            "PUT /multipart/part/ 503 x3",
            "POST /base/ throttle=1s p=0.1",
            "/info/ api=upload session=t-1 cut",
            "delay=250ms",
            "GET api=rest reset x1",
            "lost p=0.5",
        ] {
            let shown = rule(text).to_string();
            assert_eq!(shown, text);
            assert_eq!(rule(&shown).to_string(), shown);
        }
        assert_eq!(
            rule("x2 api=upload lost /base/ POST").to_string(),
            "POST /base/ api=upload lost x2"
        );
    }

    #[test]
    fn bad_rules_say_which_word() {
        for (text, word) in [
            ("", "no fault"),
            ("503 lost", "`lost`"),
            ("503 p=2", "`p=2`"),
            ("503 xx", "`xx`"),
            ("delay=fast", "`delay=fast`"),
            ("503 sometimes", "`sometimes`"),
            ("api=cdn 503", "`api=cdn`"),
            ("session=a/b 503", "`session=a/b`"),
        ] {
            let error = text.parse::<FaultRule>().unwrap_err();
            assert!(error.contains(word), "{text}: {error}");
        }
    }
}
