//! The crate's error type.

use std::time::Duration;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

mod carried;
pub(crate) use carried::outcome_unknown_text;

/// Everything that can go wrong talking to Uploadcare.
///
/// Generated operations return `progenitor_client::Error<ApiErrorBody>`; `?` converts it
/// into this type, so callers can match on one set of variants:
///
/// ```no_run
/// # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
/// match client.project_info().send().await.map_err(uploadcare::Error::from) {
///     Ok(project) => println!("{}", project.name.as_deref().unwrap_or("")),
///     Err(uploadcare::Error::Api { status: 401, detail, .. }) => eprintln!("bad keys: {detail}"),
///     Err(e) => return Err(e),
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The service answered with an error status.
    #[error("Uploadcare API error (HTTP {status}): {detail}")]
    Api {
        /// HTTP status code.
        status: u16,
        /// The service's message (`detail` of the body), or the body text.
        detail: String,
        /// The raw response body, for debugging.
        body: String,
        /// The `Retry-After` delay of the answer (seconds or an HTTP date), when it has one.
        retry_after: Option<Duration>,
    },
    /// The Upload API answered with an error (its JSON error body carries a code).
    #[cfg(feature = "upload")]
    #[error("Upload API error (HTTP {status}, {code}): {message}")]
    Upload {
        /// HTTP status code.
        status: u16,
        /// The error code, e.g. `FileMetadataKeyEmptyError`; compare it with
        /// `upload::types::UploadErrorCode` values, or turn it into one with `.typed()`.
        code: ErrorCode,
        /// The service's message.
        message: String,
    },
    /// An upload from URL ended in the `error` (or `unknown`) state.
    #[cfg(feature = "upload")]
    #[error("upload from URL failed: {message}")]
    UploadFromUrlFailed {
        /// The error code, when the service gave one.
        code: Option<ErrorCode>,
        /// The service's message.
        message: String,
    },
    /// Input rejected before any request was sent (bad UUID, metadata key out of spec,
    /// too many items in a batch, …).
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// A file tag the service would refuse (checked before any request).
    #[error("invalid tag `{tag}`: {reason}")]
    InvalidTag {
        /// The tag, normalized (lowercased, trimmed).
        tag: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The client is not configured for this call (missing key, bad base URL, …).
    #[error("configuration error: {0}")]
    Config(String),
    /// The request could not be sent or the response not received.
    #[error("transport error: {0}")]
    Transport(#[source] reqwest::Error),
    /// The request timed out.
    #[error("request timed out: {0}")]
    Timeout(#[source] reqwest::Error),
    /// Nothing was sent or received for the read timeout
    /// ([`Config::with_read_timeout`](crate::Config::with_read_timeout)): the attempt was
    /// given up (and, for a creating request sent whole, reported as
    /// [`Error::OutcomeUnknown`] instead).
    // Keep in step with `READ_TIMEOUT_START`/`_END` (a unit test checks).
    #[error("read timeout: nothing sent or received for {} ms", .timeout.as_millis())]
    ReadTimeout {
        /// The read timeout.
        timeout: Duration,
    },
    /// A job (a conversion, an add-on execution, …) ended in a failed state.
    #[error("{operation} failed: {reason}")]
    JobFailed {
        /// What was waited for.
        operation: String,
        /// The service's reason (or the final state).
        reason: String,
    },
    /// A long-running operation (e.g. an upload from URL) did not finish in time.
    #[error("{operation} did not finish within {waited:?}")]
    TimedOut {
        /// What was waited for.
        operation: String,
        /// How long it was waited for.
        waited: Duration,
    },
    /// The operation was cancelled by the caller.
    #[error("cancelled")]
    Cancelled,
    /// A local file operation failed: reading an upload's source, or writing the temporary
    /// file a source of unknown length is spooled to.
    #[error("{context}: {source}")]
    Io {
        /// What was being done (with the path concerned).
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A success response whose body does not match the documented schema.
    #[error("invalid response body: {message}; body: {body}")]
    InvalidResponse {
        /// What failed to parse.
        message: String,
        /// The body (truncated to 2 KiB).
        body: String,
    },
    /// A status the API does not document (e.g. a redirect).
    #[error("unexpected HTTP status {status}")]
    UnexpectedStatus {
        /// HTTP status code.
        status: u16,
    },
    /// A creating request (an upload, a copy, a conversion, …) was sent whole and its
    /// answer was lost, cut or late: the service may or may not have done it. It was not
    /// repeated, since that could do it twice (see [`crate::retry`]); look before trying
    /// again (e.g. list the project's recent files).
    #[error("{operation}: the request was sent and its answer was lost ({detail}); it may have been done, and was not repeated")]
    // Keep in step with `OUTCOME_UNKNOWN_MIDDLE`/`_END` (a unit test checks).
    OutcomeUnknown {
        /// The operation, as the API documents name it (e.g. `base_upload`,
        /// `create_local_copy`).
        operation: String,
        /// What happened to the answer.
        detail: String,
    },
    /// The auth token provider ([`crate::upload_token::TokenProvider`]) could not give a
    /// token: its fetch failed or returned an empty one. The request that needed it was
    /// not sent.
    #[cfg(feature = "upload")]
    #[error("the auth token provider failed: {source}")]
    AuthTokenProvider {
        /// What the fetch said.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// The file exists on the service, but the upload could not be finished: its uuid is
    /// here, so the caller can find it, finish it (`multipart_complete`), wait for it, or
    /// delete it — instead of uploading it again.
    #[cfg(feature = "upload")]
    #[error("the file {uuid} was uploaded but {stage} failed: {source}")]
    Incomplete {
        /// The file's uuid.
        uuid: uuid::Uuid,
        /// What could not be done.
        stage: UploadStage,
        /// Why.
        #[source]
        source: Box<Error>,
    },
}

/// What kind of failure an [`Error`] is: what a caller can match on to decide what to do,
/// whatever API or transport it came from ([`Error::kind`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The service throttled the request (429, `RequestThrottledError`): try later.
    Throttled,
    /// The credentials were missing or refused: keys, signature, auth token (401, the
    /// Upload API's key, signature and token errors), or a token provider that failed.
    Auth,
    /// The credentials were accepted but do not allow this (403, `ScopeForbiddenError`).
    Forbidden,
    /// A limit of the account or of the token is reached (`OperationsLimitExceededError`,
    /// account limits, file size limits).
    Quota,
    /// Input refused before any request was sent ([`Error::InvalidInput`],
    /// [`Error::InvalidTag`]).
    InvalidInput,
    /// The service refused the input (400, 406, 413, 422 and the Upload API's input errors).
    Validation,
    /// What the request names does not exist (404).
    NotFound,
    /// The request conflicts with the state of the service (409, a multipart upload
    /// already completed).
    Conflict,
    /// The service failed (5xx), or a job it ran failed.
    Server,
    /// The connection failed or broke.
    Transport,
    /// A request or a wait took too long.
    Timeout,
    /// The caller cancelled.
    Cancelled,
    /// A creating request's answer was lost: it may have been done ([`Error::OutcomeUnknown`]).
    OutcomeUnknown,
    /// The file exists but its upload could not be finished ([`Error::Incomplete`]).
    Incomplete,
    /// The client is not configured for this call ([`Error::Config`]).
    Config,
    /// A local file could not be read or written ([`Error::Io`]).
    Io,
    /// The service answered something the client cannot read (an undocumented status or
    /// body).
    InvalidResponse,
}

/// The kind of an Upload API error code, where the code says more than the status.
#[cfg_attr(not(feature = "upload"), allow(dead_code))]
fn upload_code_kind(code: &str) -> Option<ErrorKind> {
    Some(match code {
        "RequestThrottledError" => ErrorKind::Throttled,
        "ScopeForbiddenError" => ErrorKind::Forbidden,
        "OperationsLimitExceededError"
        | "AccountLimitsExceededError"
        | "AccountBlockedError"
        | "AccountUnpaidError"
        | "FileSizeLimitExceededError"
        | "MultipartFileSizeLimitExceededError" => ErrorKind::Quota,
        "MultipartFileAlreadyUploadedError" => ErrorKind::Conflict,
        code if code.starts_with("Signature")
            || code.starts_with("AccessToken")
            || code.starts_with("ProjectPublicKey") =>
        {
            ErrorKind::Auth
        }
        code if code.ends_with("NotFoundError") => ErrorKind::NotFound,
        _ => return None,
    })
}

/// The kind of an HTTP error status.
fn status_kind(status: u16) -> ErrorKind {
    match status {
        429 => ErrorKind::Throttled,
        401 => ErrorKind::Auth,
        403 => ErrorKind::Forbidden,
        404 | 410 => ErrorKind::NotFound,
        408 => ErrorKind::Timeout,
        409 => ErrorKind::Conflict,
        400..=499 => ErrorKind::Validation,
        500..=599 => ErrorKind::Server,
        _ => ErrorKind::InvalidResponse,
    }
}

/// The step of an upload that failed after the file was created (see [`Error::Incomplete`]).
#[cfg(feature = "upload")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum UploadStage {
    /// `/multipart/complete/`: every part is in, the upload was not completed.
    Complete,
    /// `/info/`: the file was uploaded, its information could not be fetched.
    Info,
    /// Waiting until the file is ready (processed and on the CDN).
    Ready,
}

#[cfg(feature = "upload")]
impl std::fmt::Display for UploadStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            UploadStage::Complete => "completing the multipart upload",
            UploadStage::Info => "fetching its information",
            UploadStage::Ready => "waiting until it is ready",
        })
    }
}

impl Error {
    /// [`Error::Incomplete`] for the file `uuid`; an error that already says so is kept.
    #[cfg(feature = "upload")]
    pub(crate) fn incomplete(uuid: uuid::Uuid, stage: UploadStage, source: Error) -> Self {
        match source {
            e @ Error::Incomplete { .. } => e,
            source => Error::Incomplete {
                uuid,
                stage,
                source: Box::new(source),
            },
        }
    }

    /// What kind of failure this is (see [`ErrorKind`]).
    ///
    /// ```
    /// let e = uploadcare::Error::InvalidInput("bad uuid".into());
    /// assert_eq!(e.kind(), uploadcare::ErrorKind::InvalidInput);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Api { status, .. } => status_kind(*status),
            #[cfg(feature = "upload")]
            Error::Upload { status, code, .. } => {
                upload_code_kind(code.as_str()).unwrap_or_else(|| status_kind(*status))
            }
            #[cfg(feature = "upload")]
            Error::UploadFromUrlFailed { .. } => ErrorKind::Server,
            #[cfg(feature = "upload")]
            Error::AuthTokenProvider { .. } => ErrorKind::Auth,
            #[cfg(feature = "upload")]
            Error::Incomplete { .. } => ErrorKind::Incomplete,
            Error::InvalidInput(_) | Error::InvalidTag { .. } => ErrorKind::InvalidInput,
            Error::Config(_) => ErrorKind::Config,
            Error::Transport(_) => ErrorKind::Transport,
            Error::Timeout(_) | Error::TimedOut { .. } | Error::ReadTimeout { .. } => ErrorKind::Timeout,
            Error::JobFailed { .. } => ErrorKind::Server,
            Error::Cancelled => ErrorKind::Cancelled,
            Error::Io { .. } => ErrorKind::Io,
            Error::InvalidResponse { .. } | Error::UnexpectedStatus { .. } => ErrorKind::InvalidResponse,
            Error::OutcomeUnknown { .. } => ErrorKind::OutcomeUnknown,
        }
    }

    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedStatus { status } => Some(*status),
            #[cfg(feature = "upload")]
            Error::Upload { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether sending the same request again later may succeed, for an operation that is
    /// safe to repeat (a read): throttling, server errors, transport failures, timeouts.
    /// For other operations ask [`Error::is_retryable_for`].
    pub fn is_retryable(&self) -> bool {
        self.is_retryable_for(crate::retry::OperationKind::Safe)
    }

    /// Whether sending the same request again may succeed and is harmless for an
    /// operation of this kind: the decision the crate's own retries make
    /// ([`crate::retry::decide`]), ignoring how many retries were already made and how long
    /// a `Retry-After` is. [`Error::OutcomeUnknown`] and [`Error::Incomplete`] are never
    /// retryable: look first.
    pub fn is_retryable_for(&self, kind: crate::retry::OperationKind) -> bool {
        use crate::retry::Outcome;
        let outcome = match self {
            Error::Api {
                status, retry_after, ..
            } => Outcome::Answer {
                status: *status,
                retry_after: *retry_after,
            },
            #[cfg(feature = "upload")]
            Error::Upload { status, .. } => Outcome::Answer {
                status: *status,
                retry_after: None,
            },
            Error::Transport(e) | Error::Timeout(e) => crate::retry::transport_outcome(e, true, true),
            Error::ReadTimeout { .. } => Outcome::AnswerLost { timed_out: true },
            _ => return false,
        };
        let policy = crate::RetryPolicy {
            max_retries: 1,
            max_retry_after: Duration::MAX,
            ..crate::RetryPolicy::default()
        };
        crate::retry::decide(kind, outcome, 0, &policy).is_some()
    }
}

/// An Upload API error code as the service sent it (e.g. `FileSizeLimitExceededError`),
/// including codes newer than this crate. With the `upload` feature it compares equal to
/// the matching `upload::types::UploadErrorCode` and converts into it (`.typed()`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ErrorCode(String);

impl ErrorCode {
    /// A code from its text.
    pub fn new(code: impl Into<String>) -> Self {
        Self(code.into())
    }

    /// The code as the service sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PartialEq<str> for ErrorCode {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The body of an error response, shared by every API version: usually
/// `{"detail": "..."}`, kept as raw JSON so nothing is lost. Non-JSON error bodies (the
/// conversion endpoints answer 503 in `text/plain`) arrive here as a JSON string.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct ApiErrorBody(pub serde_json::Value);

impl ApiErrorBody {
    /// The service's message: `detail` (or the Project API's `message`) when present; for a validation error in the
    /// `{"field": ["message", …]}` layout (e.g. `non_field_errors` of a duplicate webhook),
    /// its first message; for a text body, the text itself.
    pub fn detail(&self) -> Option<&str> {
        use serde_json::Value;
        match &self.0 {
            Value::String(text) => Some(text.as_str()).filter(|t| !t.is_empty()),
            Value::Object(map) => map
                .get("detail")
                .or_else(|| map.get("message"))
                .and_then(Value::as_str)
                .or_else(|| {
                    fn first(value: &Value) -> Option<&str> {
                        value.as_array()?.first()?.as_str()
                    }
                    map.get("non_field_errors")
                        .and_then(first)
                        .or_else(|| map.values().find_map(first))
                }),
            _ => None,
        }
    }

    /// The body as text.
    pub fn raw(&self) -> String {
        match &self.0 {
            serde_json::Value::String(text) => text.clone(),
            value => value.to_string(),
        }
    }
}

/// The innermost message of an error's chain, e.g. `Connection refused (os error 111)`
/// (reqwest's own message is only "error sending request").
pub fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    cause.to_string()
}

/// What went wrong with a request, without its URL (a presigned URL's query is a
/// credential): the innermost cause, e.g. `connection closed before message completed`.
pub(crate) fn with_root_cause(error: &reqwest::Error) -> String {
    match std::error::Error::source(error) {
        Some(source) => root_cause(source),
        None if error.is_timeout() => "timed out".to_owned(),
        None => "the connection failed".to_owned(),
    }
}

pub(crate) fn truncated(bytes: &[u8]) -> String {
    const LIMIT: usize = 2048;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LIMIT)]).into_owned();
    if bytes.len() > LIMIT {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

impl From<reqwest::Error> for Error {
    fn from(e: reqwest::Error) -> Self {
        if e.is_timeout() {
            Error::Timeout(e)
        } else {
            Error::Transport(e)
        }
    }
}

impl From<progenitor_client::Error<ApiErrorBody>> for Error {
    fn from(e: progenitor_client::Error<ApiErrorBody>) -> Self {
        use progenitor_client::Error as E;
        match e {
            E::InvalidRequest(message) => Error::InvalidInput(message),
            // Our middleware reports configuration problems, and creating requests whose
            // answer was lost, as `Custom`.
            E::Custom(message) => carried::from_text(&message).unwrap_or(Error::Config(message)),
            E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => e.into(),
            E::ErrorResponse(response) => {
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                Error::from_error_body(status, &headers, response.into_inner())
            }
            E::InvalidResponsePayload(bytes, e) => Error::InvalidResponse {
                message: e.to_string(),
                body: truncated(&bytes),
            },
            E::UnexpectedResponse(response) => Error::UnexpectedStatus {
                status: response.status().as_u16(),
            },
        }
    }
}

impl Error {
    /// The error for an error status with a parsed body: an Upload API error when the body
    /// is the Upload API's JSON error object, else a REST API error.
    pub(crate) fn from_error_body(
        status: u16,
        headers: &reqwest::header::HeaderMap,
        body: ApiErrorBody,
    ) -> Self {
        #[cfg(feature = "upload")]
        if let Some(error) = body.0.get("error").filter(|e| e.is_object()) {
            let text = |key: &str| error.get(key).and_then(serde_json::Value::as_str);
            return Error::Upload {
                status: error
                    .get("status_code")
                    .and_then(serde_json::Value::as_u64)
                    .and_then(|s| u16::try_from(s).ok())
                    .filter(|s| *s >= 400)
                    .unwrap_or(status),
                code: ErrorCode::new(text("error_code").unwrap_or("")),
                message: text("content").unwrap_or("").to_owned(),
            };
        }
        let detail = body.detail().map(str::to_owned).unwrap_or_else(|| reason(status));
        Error::Api {
            status,
            detail,
            body: body.raw(),
            retry_after: crate::retry::retry_after(headers),
        }
    }
}

fn reason(status: u16) -> String {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .unwrap_or("error")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_detail_comes_from_json_or_text() {
        let json = ApiErrorBody(serde_json::json!({"detail": "Not found.", "extra": 1}));
        assert_eq!(json.detail(), Some("Not found."));
        assert_eq!(json.raw(), r#"{"detail":"Not found.","extra":1}"#);
        let text = ApiErrorBody(serde_json::json!("Service unavailable"));
        assert_eq!(text.detail(), Some("Service unavailable"));
        assert_eq!(text.raw(), "Service unavailable");
        let other = ApiErrorBody(serde_json::json!([1, 2]));
        assert_eq!(other.detail(), None);
        let validation = ApiErrorBody(serde_json::json!({
            "non_field_errors": ["This project is already subscribed on this event"]
        }));
        assert_eq!(
            validation.detail(),
            Some("This project is already subscribed on this event")
        );
        let field = ApiErrorBody(serde_json::json!({"target_url": ["Enter a valid URL."]}));
        assert_eq!(field.detail(), Some("Enter a valid URL."));
    }

    #[test]
    fn every_error_has_a_kind() {
        let api = |status| Error::Api {
            status,
            detail: String::new(),
            body: String::new(),
            retry_after: None,
        };
        assert_eq!(api(429).kind(), ErrorKind::Throttled);
        assert_eq!(api(401).kind(), ErrorKind::Auth);
        assert_eq!(api(403).kind(), ErrorKind::Forbidden);
        assert_eq!(api(404).kind(), ErrorKind::NotFound);
        assert_eq!(api(400).kind(), ErrorKind::Validation);
        assert_eq!(api(503).kind(), ErrorKind::Server);
        #[cfg(feature = "upload")]
        {
            let upload = |status, code: &str| Error::Upload {
                status,
                code: ErrorCode::new(code),
                message: String::new(),
            };
            for (status, code, kind) in [
                (400, "SignatureRequiredError", ErrorKind::Auth),
                (403, "SignatureExpirationError", ErrorKind::Auth),
                (401, "AccessTokenExpiredError", ErrorKind::Auth),
                (401, "AccessTokenInvalidError", ErrorKind::Auth),
                (403, "ProjectPublicKeyInvalidError", ErrorKind::Auth),
                (403, "ScopeForbiddenError", ErrorKind::Forbidden),
                (403, "OperationsLimitExceededError", ErrorKind::Quota),
                (400, "FileSizeLimitExceededError", ErrorKind::Quota),
                (429, "RequestThrottledError", ErrorKind::Throttled),
                (404, "FileNotFoundError", ErrorKind::NotFound),
                (400, "MultipartFileAlreadyUploadedError", ErrorKind::Conflict),
                (400, "FileMetadataKeyEmptyError", ErrorKind::Validation),
                (500, "UploadAPIError", ErrorKind::Server),
            ] {
                assert_eq!(upload(status, code).kind(), kind, "{code}");
            }
        }
        assert_eq!(Error::InvalidInput(String::new()).kind(), ErrorKind::InvalidInput);
        assert_eq!(Error::Cancelled.kind(), ErrorKind::Cancelled);
        let unknown = Error::OutcomeUnknown {
            operation: String::new(),
            detail: String::new(),
        };
        assert_eq!(unknown.kind(), ErrorKind::OutcomeUnknown);
    }

    #[test]
    fn invalid_request_becomes_invalid_input() {
        let e: Error = progenitor_client::Error::<ApiErrorBody>::InvalidRequest("bad uuid".into()).into();
        assert!(matches!(e, Error::InvalidInput(m) if m == "bad uuid"));
    }
}
