//! The REST API side of the emulator: request verification exactly as the service does it
//! (trailing slash, `Accept` version, `Date`, both auth schemes) and the endpoints.

mod addons;
mod conversions;
mod copies;
mod files;
mod groups;
mod search;
mod tags;
mod webhooks;

use super::state::{ApiVersion, EmulatorState, LoggedRequest, Urls};
use super::Options;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

/// What every REST handler gets.
#[derive(Clone)]
pub(crate) struct Rest {
    pub state: EmulatorState,
    pub options: Arc<Options>,
    pub urls: Urls,
}

/// The REST router (verification included).
pub(crate) fn router(rest: Rest) -> Router {
    let routes = files::routes()
        .merge(copies::routes())
        .merge(groups::routes())
        .merge(webhooks::routes())
        .merge(conversions::routes())
        .merge(addons::routes())
        .merge(tags::routes())
        .merge(search::routes());
    routes
        .layer(axum::middleware::from_fn_with_state(rest.clone(), verify))
        .with_state(rest)
}

/// A REST error answer: `{"detail": message}` with the version's media type.
pub(crate) fn detail(status: u16, message: impl Into<String>) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::json!({ "detail": message.into() });
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

/// A JSON answer in `version`'s media type.
pub(crate) fn reply(version: ApiVersion, status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [("content-type", version.media_type())], body.to_string()).into_response()
}

/// A 400 validation answer in the field-keyed layout (no `detail`): each key a request field
/// (or `non_field_errors`), each value its messages, e.g. `{"query": ["Must be at least 4
/// characters."]}`.
pub(crate) fn validation(errors: &std::collections::BTreeMap<String, Vec<String>>) -> Response {
    let body = serde_json::json!(errors);
    (
        StatusCode::BAD_REQUEST,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// What the emulator answers for a path it has no route for (axum's empty 404): 0.5/0.6
/// requests to endpoints that only exist in 0.7 (tags, search) get it, as before those
/// endpoints existed.
pub(crate) fn no_route() -> Response {
    StatusCode::NOT_FOUND.into_response()
}

/// `204 No Content`.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

/// `404 Not found.`
pub(crate) fn not_found() -> Response {
    detail(404, "Not found.")
}

/// Messages the service uses for authentication failures.
const INCORRECT_CREDENTIALS: &str = "Incorrect authentication credentials.";
const INVALID_SIGNATURE: &str = "Invalid signature. Please check your Secret key.";
const INVALID_ACCEPT: &str = "Incorrect Accept header provided. Make sure to specify API version. \
                              Refer to REST API docs for details.";
const SIMPLE_OVER_HTTP: &str =
    "Simple authentication over HTTP is forbidden. Please, use HTTPS or signed requests instead.";
/// The service rejects a `Date` further than this from its clock.
const MAX_CLOCK_SKEW: Duration = Duration::from_secs(15 * 60);

/// Verifies a REST request like the service, then passes it on with its [`ApiVersion`] in the
/// request extensions. Every request is logged with the status it got.
async fn verify(State(rest): State<Rest>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    // Signed as sent: with a session's path prefix, when it has one.
    let signed_path = request
        .extensions()
        .get::<crate::session_name::ReceivedPath>()
        .map_or_else(|| path.clone(), |received| received.0.clone());
    let (parts, body) = request.into_parts();
    let response = match axum::body::to_bytes(body, rest.options.max_rest_body).await {
        Err(_) => detail(413, "Request body is too large."),
        Ok(bytes) => match check(
            &rest,
            &parts.headers,
            &method,
            &signed_path,
            query.as_deref(),
            &bytes,
        ) {
            Err(response) => response,
            Ok(version) => {
                let mut request = Request::from_parts(parts, Body::from(bytes));
                request.extensions_mut().insert(version);
                next.run(request).await
            }
        },
    };
    let mut response = response;
    if let Ok(date) = axum::http::HeaderValue::from_str(&httpdate::fmt_http_date(rest.options.now())) {
        // The emulator's own clock (possibly skewed), like the service's `Date`.
        response.headers_mut().insert("date", date);
    }
    rest.state.lock().requests.push(LoggedRequest {
        api: "rest",
        method,
        path,
        query,
        status: response.status().as_u16(),
    });
    response
}

fn check(
    rest: &Rest,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: &[u8],
) -> Result<ApiVersion, Response> {
    if !path.ends_with('/') {
        return Err(detail(404, "Not found. REST API URLs must end with '/'."));
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let version = header("accept")
        .and_then(ApiVersion::from_accept)
        .ok_or_else(|| detail(406, INVALID_ACCEPT))?;
    if !rest.options.versions.contains(&version) {
        return Err(detail(406, INVALID_ACCEPT));
    }

    let (public_key, secrets) = {
        let project = rest.state.lock();
        (project.public_key.clone(), project.secret_values())
    };
    let authorization = header("authorization").ok_or_else(|| detail(401, INCORRECT_CREDENTIALS))?;
    let (scheme, credentials) = authorization
        .split_once(' ')
        .ok_or_else(|| detail(401, INCORRECT_CREDENTIALS))?;
    let (given_public, secret_or_signature) = credentials
        .split_once(':')
        .ok_or_else(|| detail(401, INCORRECT_CREDENTIALS))?;
    if given_public != public_key {
        return Err(detail(401, format!("Public key {given_public} not found.")));
    }
    match scheme {
        "Uploadcare.Simple" => {
            if rest.options.forbid_simple_auth_over_http {
                return Err(detail(400, SIMPLE_OVER_HTTP));
            }
            let used = secrets.iter().find(|secret| {
                uploadcare::internal::constant_time_eq(
                    secret_or_signature.as_bytes(),
                    secret.expose_secret().as_bytes(),
                )
            });
            let Some(used) = used else {
                return Err(detail(401, INCORRECT_CREDENTIALS));
            };
            rest.state.lock().secret_used(used.expose_secret());
        }
        "Uploadcare" => {
            // Browsers may refuse to set `Date`: the service takes the signed date from
            // `X-Uploadcare-Date` when present (the JS REST client sends it there).
            let date = header("x-uploadcare-date")
                .or_else(|| header("date"))
                .ok_or_else(|| detail(401, INCORRECT_CREDENTIALS))?;
            let sent = parse_request_date(date).ok_or_else(|| detail(401, INCORRECT_CREDENTIALS))?;
            let now = rest.options.now();
            let skew = now.duration_since(sent).unwrap_or_else(|e| e.duration());
            if skew > MAX_CLOCK_SKEW {
                return Err(detail(401, INCORRECT_CREDENTIALS));
            }
            let content_type = header("content-type").unwrap_or("");
            let uri = match query {
                Some(query) => format!("{path}?{query}"),
                None => path.to_owned(),
            };
            // Reusing the crate's signing function is sound: it is pinned by fixed vectors
            // computed independently (see `auth.rs`), and the tests check signatures with
            // their own HMAC computation too.
            let used = secrets.iter().find(|secret| {
                let expected = uploadcare::sign_rest_request(
                    secret.expose_secret(),
                    method,
                    body,
                    content_type,
                    date,
                    &uri,
                );
                uploadcare::internal::constant_time_eq(expected.as_bytes(), secret_or_signature.as_bytes())
            });
            let Some(used) = used else {
                return Err(detail(401, INVALID_SIGNATURE));
            };
            rest.state.lock().secret_used(used.expose_secret());
        }
        _ => return Err(detail(401, INCORRECT_CREDENTIALS)),
    }
    Ok(version)
}

/// Parses the date of a signed request the way the service does: any HTTP date (RFC 7231's
/// IMF-fixdate, RFC 850, asctime), an RFC 2822 date (`Thu, 3 Dec 2026 06:30:00 +0000`), and
/// pyuploadcare's variant with a comma after the year (`Wed, 02 Dec 2026, 19:10:00 GMT`).
pub(crate) fn parse_request_date(value: &str) -> Option<SystemTime> {
    let value = value.trim();
    if let Ok(time) = httpdate::parse_http_date(value) {
        return Some(time);
    }
    // Commas anywhere but after the weekday are dropped: `2026,` → `2026`.
    let mut words = value.split_whitespace();
    let first = words.next()?;
    let rest: Vec<&str> = words.map(|w| w.trim_end_matches(',')).collect();
    let normalized = format!("{first} {}", rest.join(" "));
    if let Ok(time) = httpdate::parse_http_date(&normalized) {
        return Some(time);
    }
    let parsed = chrono::DateTime::parse_from_rfc2822(&normalized)
        .or_else(|_| chrono::DateTime::parse_from_rfc2822(value))
        .ok()?;
    let seconds = u64::try_from(parsed.timestamp()).ok()?;
    SystemTime::UNIX_EPOCH.checked_add(Duration::from_secs(seconds))
}

/// Parses a JSON request body, answering 400 like the service when it is not JSON.
pub(crate) fn json_body(body: &Bytes) -> Result<Value, Response> {
    serde_json::from_slice(body).map_err(|_| detail(400, "Expected JSON object."))
}

/// Parses a form-urlencoded request body into ordered pairs.
pub(crate) fn form_body(body: &Bytes) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes(body).unwrap_or_default()
}

/// A query string into ordered pairs.
pub(crate) fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .map(|q| serde_urlencoded::from_str(q).unwrap_or_default())
        .unwrap_or_default()
}

/// `true`/`false` query values; anything else is `None`.
pub(crate) fn parse_bool(value: &str) -> Option<bool> {
    match value {
        "true" | "True" | "1" => Some(true),
        "false" | "False" | "0" => Some(false),
        _ => None,
    }
}

/// Finds a file UUID in a `source` value: a bare UUID or a CDN URL (`.../<uuid>/...`).
pub(crate) fn uuid_in_source(source: &str) -> Option<uuid::Uuid> {
    let source = source.trim();
    if let Ok(uuid) = source.parse() {
        return Some(uuid);
    }
    source.split('/').find_map(|segment| segment.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::parse_request_date;
    use std::time::{Duration, SystemTime};

    #[test]
    fn signed_request_dates_in_every_format_the_service_accepts() {
        // 2026-12-02T19:10:00Z
        let expected = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_238_600);
        for date in [
            "Wed, 02 Dec 2026 19:10:00 GMT",
            "Wed, 02 Dec 2026, 19:10:00 GMT",
            "Wednesday, 02-Dec-26 19:10:00 GMT",
            "Wed Dec  2 19:10:00 2026",
            "Wed, 2 Dec 2026 19:10:00 +0000",
            "Wed, 02 Dec 2026 20:10:00 +0100",
        ] {
            assert_eq!(parse_request_date(date), Some(expected), "{date}");
        }
        for bad in ["", "yesterday", "Wed, 32 Dec 2026 19:10:00 GMT", "1796238600"] {
            assert_eq!(parse_request_date(bad), None, "{bad}");
        }
    }
}
