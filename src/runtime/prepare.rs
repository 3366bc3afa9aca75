//! What a request gets before it goes out, for every API version: the document-declared
//! limits the generated code does not check, then `Accept` (the version), `Content-Type`
//! when absent, `Date`, `User-Agent` and `Authorization` (signed or simple). Pure request
//! shaping: the sending, reading and retrying is [`super::pipeline`]'s.

// With the `cdn` feature alone no generated API module uses the pipeline.
#![cfg_attr(not(api), allow(dead_code, unused_imports))]

#[cfg(rest)]
use crate::config::AuthScheme;
#[cfg(any(rest, feature = "upload"))]
use crate::context::ClientContext;
#[cfg(rest)]
use http::header::{HeaderValue, CONTENT_TYPE};
#[cfg(rest)]
use http::header::{ACCEPT, AUTHORIZATION, DATE};

#[cfg(rest)]
/// `Content-Type` sent (and signed) when a request has none, GETs included.
const DEFAULT_CONTENT_TYPE: &str = "application/json";

/// Item-count bounds of an operation's array request body, taken from the document's
/// `minItems`/`maxItems` (e.g. at most 100 UUIDs per batch).
#[derive(Clone, Copy, Debug)]
pub struct BodyItemLimit {
    /// The operation as progenitor names it in `OperationInfo` (snake_case).
    pub operation_id: &'static str,
    /// Fewest items allowed.
    pub min: usize,
    /// Most items allowed.
    pub max: usize,
}

/// A request without a body for `url`, as `client.request(method, url).build()` makes it
/// but without a `RequestBuilder` (which holds a copy of the client): the URL parsed once.
/// A URL reqwest refuses gets reqwest's own error. (The REST documents' calls: the others
/// set a header on the builder.)
#[cfg(rest)]
#[inline]
pub(crate) fn new_request(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
) -> reqwest::Result<reqwest::Request> {
    match reqwest::Url::parse(&url) {
        Ok(parsed) if parsed.has_host() => Ok(reqwest::Request::new(method, parsed)),
        _ => client.request(method, url).build(),
    }
}

/// The `Accept` value selecting REST API `version` (e.g. `0.7`).
pub fn accept_header(version: &str) -> String {
    format!("application/vnd.uploadcare-v{version}+json")
}

/// Why a request was not sent.
#[derive(Debug)]
#[cfg_attr(not(any(rest, feature = "project_api")), allow(dead_code))]
pub(crate) enum Rejected {
    /// The input breaks a documented limit ([`crate::Error::InvalidInput`]).
    Input(String),
    /// The client cannot make this request ([`crate::Error::Config`]).
    Config(String),
}

impl<E> From<Rejected> for progenitor_client::Error<E> {
    fn from(rejected: Rejected) -> Self {
        match rejected {
            Rejected::Input(message) => progenitor_client::Error::InvalidRequest(message),
            // Converted into `Error::Config` by `From<progenitor_client::Error<_>> for Error`.
            Rejected::Config(message) => progenitor_client::Error::Custom(message),
        }
    }
}

#[cfg(rest)]
/// The headers [`prepare_rest_request`] set that signing does not set again: what a copy
/// of the request for a retry takes.
pub(crate) struct Prepared {
    /// `Accept`: the API version.
    pub accept: HeaderValue,
    /// `Content-Type`: the body's, or the default one.
    pub content_type: HeaderValue,
}

#[cfg(rest)]
/// Prepares a generated REST request for sending: validation, headers, signature.
pub(crate) fn prepare_rest_request(
    request: &mut reqwest::Request,
    ctx: &ClientContext,
    api_version: &str,
    operation_id: &str,
    limits: &[BodyItemLimit],
) -> Result<Prepared, Rejected> {
    if let Some(body) = request.body() {
        let body = body.as_bytes().ok_or_else(streaming_body)?;
        check_body_items(body, operation_id, limits).map_err(Rejected::Input)?;
    }
    let accept = match api_version {
        // The versions of the documents: no allocation per request.
        "0.5" => HeaderValue::from_static("application/vnd.uploadcare-v0.5+json"),
        "0.6" => HeaderValue::from_static("application/vnd.uploadcare-v0.6+json"),
        "0.7" => HeaderValue::from_static("application/vnd.uploadcare-v0.7+json"),
        other => other_accept(other)?,
    };
    // progenitor's `api-version` header, and its `Accept`, are trimmed from the generated
    // code by build.rs: the service selects the version by this `Accept` only.
    let headers = request.headers_mut();
    headers.insert(ACCEPT, accept.clone());
    let content_type = headers
        .entry(CONTENT_TYPE)
        .or_insert(HeaderValue::from_static(DEFAULT_CONTENT_TYPE))
        .clone();
    ctx.set_user_agent(headers);
    sign_rest_attempt(request, ctx, &content_type)?;
    Ok(Prepared { accept, content_type })
}

#[cfg(rest)]
/// The error for a streaming body (it cannot be signed).
#[cold]
fn streaming_body() -> Rejected {
    Rejected::Input("a streaming body cannot be signed".to_owned())
}

#[cfg(rest)]
/// `Accept` for a version the crate's documents do not have.
#[cold]
fn other_accept(version: &str) -> Result<HeaderValue, Rejected> {
    HeaderValue::from_str(&accept_header(version))
        .map_err(|_| Rejected::Config("the API version is not a valid header value".to_owned()))
}

#[cfg(rest)]
/// Sets `Date` (now) and `Authorization` on a prepared REST request whose `Content-Type`
/// is `content_type`. Runs before every attempt, so a retried request carries a fresh date
/// and signature.
pub(super) fn sign_rest_attempt(
    request: &mut reqwest::Request,
    ctx: &ClientContext,
    content_type: &HeaderValue,
) -> Result<(), Rejected> {
    let config = ctx.config();
    let secret = config.secret_key().ok_or_else(|| {
        Rejected::Config(
            "the REST API needs the project's secret key (Config::new or UPLOADCARE_SECRET_KEY)".to_owned(),
        )
    })?;
    let date = httpdate::fmt_http_date(ctx.now());
    let authorization = match config.auth_scheme() {
        AuthScheme::Simple => format!(
            "Uploadcare.Simple {}:{}",
            config.public_key(),
            secret.expose_secret()
        ),
        AuthScheme::Signed => {
            let body: &[u8] = match request.body() {
                None => b"",
                Some(body) => body.as_bytes().ok_or_else(streaming_body)?,
            };
            let content_type = content_type.to_str().unwrap_or_default();
            let uri = path_and_query(request.url());
            let signature = crate::auth::sign_rest_request(
                secret.expose_secret(),
                request.method().as_str(),
                body,
                content_type,
                &date,
                uri,
            );
            format!("Uploadcare {}:{signature}", config.public_key())
        }
    };
    // The strings become the header values without another copy.
    let mut authorization = HeaderValue::from_maybe_shared(bytes::Bytes::from(authorization))
        .map_err(|_| Rejected::Config("the public key is not a valid header value".to_owned()))?;
    // Keeps the value out of `Debug` output of the request and its headers.
    authorization.set_sensitive(true);
    let date = HeaderValue::from_maybe_shared(bytes::Bytes::from(date))
        .map_err(|_| Rejected::Config("the date is not a valid header value".to_owned()))?;
    let headers = request.headers_mut();
    headers.insert(DATE, date);
    headers.insert(AUTHORIZATION, authorization);
    Ok(())
}

#[cfg(rest)]
/// The path and query of `url` as sent (`/files/?limit=1`): a slice of its text, no copy.
fn path_and_query(url: &reqwest::Url) -> &str {
    let text = url.as_str();
    // `path()` and `query()` are slices of the URL's text.
    let offset = |part: &str| part.as_ptr() as usize - text.as_ptr() as usize;
    let start = offset(url.path());
    let end = match url.query() {
        Some(query) => offset(query) + query.len(),
        None => start + url.path().len(),
    };
    &text[start..end]
}

#[cfg(feature = "upload")]
/// Prepares an Upload API request: the Upload API has no auth header (the public key
/// travels in the fields) and no version header; errors are requested as JSON
/// (`jsonerrors=1`) so they carry an error code.
pub(crate) fn prepare_upload_request(request: &mut reqwest::Request, ctx: &ClientContext) {
    ctx.set_user_agent(request.headers_mut());
    let has_flag = request.url().query_pairs().any(|(k, _)| k == "jsonerrors");
    if !has_flag {
        request.url_mut().query_pairs_mut().append_pair("jsonerrors", "1");
    }
}

#[cfg(rest)]
fn check_body_items(body: &[u8], operation_id: &str, limits: &[BodyItemLimit]) -> Result<(), String> {
    let Some(limit) = limits.iter().find(|l| l.operation_id == operation_id) else {
        return Ok(());
    };
    let Ok(serde_json::Value::Array(items)) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Ok(());
    };
    if items.len() < limit.min || items.len() > limit.max {
        return Err(format!(
            "`{operation_id}` takes {} to {} items per request, got {}",
            limit.min,
            limit.max,
            items.len()
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(rest)]
    #[test]
    fn a_direct_request_is_the_request_the_builder_makes() {
        let client = reqwest::Client::new();
        let url = "http://127.0.0.1:9/files/?limit=1&from=2026-01-01T00%3A00%3A00Z";
        for method in [
            reqwest::Method::GET,
            reqwest::Method::DELETE,
            reqwest::Method::PUT,
        ] {
            let direct = new_request(&client, method.clone(), url.to_owned()).unwrap();
            let built = client.request(method.clone(), url).build().unwrap();
            assert_eq!(direct.method(), built.method());
            assert_eq!(direct.url(), built.url());
            assert_eq!(direct.headers(), built.headers());
            assert!(direct.body().is_none() && built.body().is_none());
        }
        // URLs reqwest refuses: its own error, as the builder gives it.
        for bad in ["not a url", "mailto:someone@example.com", "http://"] {
            let direct = new_request(&client, reqwest::Method::GET, bad.to_owned()).unwrap_err();
            let built = client.get(bad).build().unwrap_err();
            assert!(direct.is_builder() && built.is_builder(), "{bad}");
            assert_eq!(direct.to_string(), built.to_string(), "{bad}");
        }
    }

    #[cfg(rest)]
    #[test]
    fn the_signed_uri_is_the_path_and_query_as_sent() {
        for (url, uri) in [
            ("https://api.uploadcare.com/files/", "/files/"),
            (
                "https://api.uploadcare.com/files/?limit=1&stored=true",
                "/files/?limit=1&stored=true",
            ),
            (
                "http://127.0.0.1:8000/files/%C3%A9/?q=a%20b#frag",
                "/files/%C3%A9/?q=a%20b",
            ),
            ("http://127.0.0.1:8000/?", "/?"),
        ] {
            assert_eq!(path_and_query(&reqwest::Url::parse(url).unwrap()), uri, "{url}");
        }
    }

    #[test]
    fn accept_header_names_the_version() {
        assert_eq!(accept_header("0.7"), "application/vnd.uploadcare-v0.7+json");
    }

    #[cfg(rest)]
    #[test]
    fn body_item_limits_are_enforced() {
        let limits = [BodyItemLimit {
            operation_id: "files_storing",
            min: 1,
            max: 2,
        }];
        assert!(check_body_items(b"[1,2]", "files_storing", &limits).is_ok());
        let err = check_body_items(b"[1,2,3]", "files_storing", &limits).unwrap_err();
        assert!(err.contains("got 3"), "{err}");
        assert!(check_body_items(b"[]", "files_storing", &limits).is_err());
        assert!(check_body_items(b"[1,2,3]", "other", &limits).is_ok());
    }
}
