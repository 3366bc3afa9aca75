//! The crate's error type.

use std::time::Duration;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

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
        /// The `Retry-After` delay of a throttled (429) answer, when given in seconds.
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
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::UnexpectedStatus { status } => Some(*status),
            #[cfg(feature = "upload")]
            Error::Upload { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether retrying the same call later may succeed (throttling, server errors,
    /// transport failures, timeouts).
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
            #[cfg(feature = "upload")]
            Error::Upload { status, .. } => matches!(status, 408 | 429 | 500 | 502 | 503 | 504),
            Error::Transport(_) | Error::Timeout(_) => true,
            _ => false,
        }
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
    /// The service's message: `detail` when present; for a validation error in the
    /// `{"field": ["message", …]}` layout (e.g. `non_field_errors` of a duplicate webhook),
    /// its first message; for a text body, the text itself.
    pub fn detail(&self) -> Option<&str> {
        use serde_json::Value;
        match &self.0 {
            Value::String(text) => Some(text.as_str()).filter(|t| !t.is_empty()),
            Value::Object(map) => map.get("detail").and_then(Value::as_str).or_else(|| {
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

pub(crate) fn truncated(bytes: &[u8]) -> String {
    const LIMIT: usize = 2048;
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LIMIT)]).into_owned();
    if bytes.len() > LIMIT {
        format!("{text}… ({} bytes)", bytes.len())
    } else {
        text
    }
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
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
            // Our middleware reports configuration problems as `Custom`.
            E::Custom(message) => Error::Config(message),
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
            retry_after: retry_after(headers),
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
    fn invalid_request_becomes_invalid_input() {
        let e: Error = progenitor_client::Error::<ApiErrorBody>::InvalidRequest("bad uuid".into()).into();
        assert!(matches!(e, Error::InvalidInput(m) if m == "bad uuid"));
    }
}
