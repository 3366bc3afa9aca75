//! The Upload API side of the emulator, and the CDN that serves file contents.
//!
//! Endpoints (all paths end with `/`, like the service's):
//!
//! | Method | Path | What |
//! |---|---|---|
//! | POST | `/base/` | direct upload (multipart/form-data), files under 100 MiB |
//! | POST | `/multipart/start/` | starts a multipart upload; `parts` are URLs of this server |
//! | PUT | `/multipart/part/<uuid>/<index>/` | one part's bytes (the "presigned URL"; no auth) |
//! | POST | `/multipart/complete/` | assembles the parts into a ready file |
//! | POST | `/from_url/` | fetch from a URL (see below) → token |
//! | GET | `/from_url/status/` | `waiting` → `progress` → `success`/`error`, one stage per poll |
//! | GET | `/info/` | a file's upload info |
//! | POST | `/group/` | creates a group of `files[0]`, `files[1]`, … |
//! | GET | `/group/info/` | a group |
//! | GET | `/cdn/<uuid>/…` | the file's bytes; with image operations (`…/-/resize/200x/-/format/webp/`) the processed image (see below); `…/-/json/`, `…/-/main_colors/`: JSON info of the result; `…/videoframe/<timestamp>/…`: a PNG frame of a video; 403 without a valid `token` under secure delivery |
//!
//! The CDN renders image operations for real (`crate::images`): JPEG, PNG, WebP and GIF (first
//! frame) originals; `preview`, `resize`, `smart_resize` (as a resize), `scale_crop`, `crop`,
//! `stretch`, `setfill`, `autorotate`, `rotate`, `flip`, `mirror`, `grayscale`, `invert`,
//! `format` (`auto` by the `Accept` header, also the default of a processed image), `quality`
//! and `progressive` (baseline JPEG only); the service's size limits answer 400 like the CDN, and
//! a render taking over 10 s answers 504. Valid operations it does not render (`blur`,
//! `enhance`, filters, overlays, …) are left out and named in `x-uploadcare-emulator-skipped`;
//! when nothing is rendered (not an image it decodes, or only such operations) the original is
//! served with `x-uploadcare-emulator-passthrough` giving the reason.
//!
//! `/base/`, `/multipart/start/` and `/from_url/` take `tags` (a comma-separated list,
//! normalized and checked like the REST tag endpoints; invalid tags refuse the upload with a
//! `FileTag*Error`, codes of the emulator's own since the service documents none).
//!
//! Errors use the service's codes and messages ([`errors::ERRORS`]): `text/plain` by default,
//! JSON with `jsonerrors=1` (keeping the HTTP error status). Every request is logged in
//! `Project::requests` with `api: "upload"`. POST bodies may be `multipart/form-data` or
//! `application/x-www-form-urlencoded`.
//!
//! Uploads from URL never reach the network except for `127.0.0.1`/`localhost` sources, which
//! are fetched for real (e.g. the emulator's own CDN or a test's server); any other public
//! host gets a small synthetic text file describing the URL, and private addresses are refused
//! like the service refuses them (`URLHostPrivateIPForbiddenError`).
//!
//! This module holds the router, the request frame and the helpers every upload endpoint
//! shares (creating a file, detecting its MIME type); who may upload is checked in `auth`,
//! the store, metadata and tag fields are read in `fields`, and the CDN's routes live in
//! `cdn_routes`.

mod archive;
mod auth;
mod cdn;
mod cdn_routes;
mod errors;
mod fields;
mod files;
mod form;
mod from_url;
mod groups;
mod tokens;

pub(crate) use cdn::DeliverySecret;
pub(crate) use errors::{upload_error, UploadError};

// From this module's files: the router's CDN handlers, and what the endpoint files take
// from their parent.
use auth::authorization;
use cdn_routes::{cdn, cdn_with_name};
use fields::{store_flag, Attached};

use super::deliveries::EventCause;
use super::state::{EmulatorState, LoggedRequest, Project, Urls};
use super::Options;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use bytes::Bytes;
use serde_json::Value;
use std::sync::Arc;
use uploadcare::webhooks::EventName;
use uuid::Uuid;

/// What every Upload API handler gets.
#[derive(Clone)]
pub(crate) struct Upload {
    pub state: EmulatorState,
    pub options: Arc<Options>,
    pub urls: Urls,
}

/// Body field naming the project on `/base/` and `/multipart/*`.
const UPLOADCARE_PUB_KEY: &str = "UPLOADCARE_PUB_KEY";
/// Body/query field naming the project on the other endpoints.
const PUB_KEY: &str = "pub_key";

/// Direct uploads take files smaller than this ("smaller than 100 MB", read as MiB, the
/// lenient reading).
pub(crate) const MAX_DIRECT_FILE_SIZE: u64 = uploadcare::limits::MAX_DIRECT_SIZE;
/// Largest `/base/` request body: the largest file plus room for the other fields.
pub(crate) const MAX_BASE_BODY: usize = MAX_DIRECT_FILE_SIZE as usize + (1 << 20);
/// Largest body of the POSTs that carry no file bytes.
pub(crate) const MAX_FORM_BODY: usize = 1 << 20;

/// The Upload API router (and the CDN under `/cdn/`).
pub(crate) fn router(upload: Upload) -> Router {
    let form_limit = || DefaultBodyLimit::max(MAX_FORM_BODY);
    let routes = Router::new()
        .route(
            "/base/",
            post(files::base)
                .fallback(method_not_allowed)
                .layer(DefaultBodyLimit::max(MAX_BASE_BODY)),
        )
        .route(
            "/multipart/start/",
            post(files::multipart_start)
                .fallback(method_not_allowed)
                .layer(form_limit()),
        )
        // Parts are read by the handler itself, up to the part's expected size.
        .route("/multipart/part/{uuid}/{index}/", put(files::multipart_part))
        .route(
            "/multipart/complete/",
            post(files::multipart_complete)
                .fallback(method_not_allowed)
                .layer(form_limit()),
        )
        .route(
            "/from_url/",
            post(from_url::from_url)
                .fallback(method_not_allowed)
                .layer(form_limit()),
        )
        .route(
            "/from_url/status/",
            get(from_url::status).fallback(method_not_allowed),
        )
        .route("/info/", get(files::info).fallback(method_not_allowed))
        .route(
            "/group/",
            post(groups::create)
                .fallback(method_not_allowed)
                .layer(form_limit()),
        )
        .route("/group/info/", get(groups::info).fallback(method_not_allowed))
        .route("/cdn/{uuid}/", get(cdn))
        .route("/cdn/{uuid}/{*rest}", get(cdn_with_name))
        .layer(axum::middleware::from_fn_with_state(upload.clone(), frame))
        .with_state(upload);
    // Routing sees paths with repeated slashes collapsed, as the service does (pyuploadcare
    // posts groups to `/group//` and asks the CDN for `<uuid>/detect_faces//`).
    let collapsed = tower::Layer::layer(&tower::util::MapRequestLayer::new(collapse_slashes), routes);
    Router::new().fallback_service(collapsed)
}

/// `/group//` → `/group/` (the query is kept).
fn collapse_slashes(mut request: Request) -> Request {
    let uri = request.uri();
    if !uri.path().contains("//") {
        return request;
    }
    let mut path = String::with_capacity(uri.path().len());
    for c in uri.path().chars() {
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    let path_and_query = match uri.query() {
        Some(query) => format!("{path}?{query}"),
        None => path,
    };
    let mut parts = uri.clone().into_parts();
    if let Ok(value) = path_and_query.parse() {
        parts.path_and_query = Some(value);
        if let Ok(uri) = axum::http::Uri::from_parts(parts) {
            *request.uri_mut() = uri;
        }
    }
    request
}

/// Around every request: answers errors as JSON when `jsonerrors=1` is in the query, adds the
/// service's `X-Uploadcare-Request-Id` header, and logs the request with its status.
async fn frame(State(upload): State<Upload>, request: Request, next: Next) -> Response {
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().map(str::to_owned);
    let json_errors = query
        .as_deref()
        .map(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).unwrap_or_default())
        .unwrap_or_default()
        .iter()
        .any(|(k, v)| k == "jsonerrors" && v == "1");
    let mut response = next.run(request).await;
    if json_errors {
        if let Some(error) = response.extensions().get::<UploadError>().cloned() {
            response = error.to_json_response();
        }
    }
    if let Ok(id) = Uuid::new_v4().to_string().parse() {
        response.headers_mut().insert("x-uploadcare-request-id", id);
    }
    upload.state.lock().requests.push(LoggedRequest {
        api: "upload",
        method,
        path,
        query,
        status: response.status().as_u16(),
    });
    response
}

/// The project a form body names (`UPLOADCARE_PUB_KEY` or `pub_key`), for picking among
/// several projects (see `crate::routing`); `None` when the body is not a form or names none.
pub(crate) async fn form_public_key(headers: &axum::http::HeaderMap, body: Bytes) -> Option<String> {
    use tower::{Layer, ServiceExt};
    let mut request = Request::new(axum::body::Body::from(body));
    *request.method_mut() = Method::POST;
    *request.headers_mut() = headers.clone();
    // The body was read within the route's limit already; the parser gets the largest.
    let read = DefaultBodyLimit::max(MAX_BASE_BODY)
        .layer(tower::service_fn(|request: Request| async move {
            Ok::<_, std::convert::Infallible>(form::read_form(request).await)
        }))
        .oneshot(request)
        .await;
    let form = match read {
        Ok(form) => form.ok()?,
        Err(infallible) => match infallible {},
    };
    form.get(UPLOADCARE_PUB_KEY)
        .or_else(|| form.get(PUB_KEY))
        .map(str::to_owned)
}

/// `MethodNotAllowedError` for a known path with another method.
async fn method_not_allowed(method: Method, uri: Uri) -> UploadError {
    upload_error("MethodNotAllowedError", &[&method, &uri.path()])
}

/// A JSON `200 OK`.
fn json_ok(body: &Value) -> Response {
    (
        StatusCode::OK,
        [("content-type", "application/json")],
        body.to_string(),
    )
        .into_response()
}

/// Adds a ready file with its metadata and tags (announced as `file.uploaded`); `store`
/// `None` follows the project's autostore.
fn create_file(
    project: &mut Project,
    filename: &str,
    mime_type: &str,
    data: Bytes,
    store: Option<bool>,
    attached: Attached,
) -> Uuid {
    let uuid = project.add_file(filename, mime_type, data, store);
    if let Some(file) = project.files.get_mut(&uuid) {
        file.metadata = attached.metadata;
        file.tags = attached.tags;
    }
    project.reindex_for_search(uuid);
    project.webhook_event(EventName::FileUploaded, uuid, &EventCause::Api, None);
    uuid
}

/// The MIME type of uploaded content: recognized images by their bytes, else the declared type
/// (unless it is the generic `application/octet-stream`), else by the file name's extension.
pub(crate) fn detect_mime(filename: &str, declared: Option<&str>, data: &[u8]) -> String {
    if let Some((_, _, format)) = super::state::image_dimensions(data) {
        return format!("image/{}", format.to_ascii_lowercase());
    }
    if let Some(declared) = declared.map(|d| d.split(';').next().unwrap_or("").trim()) {
        if declared.contains('/') && declared != "application/octet-stream" {
            return declared.to_ascii_lowercase();
        }
    }
    let extension = filename
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "txt" => "text/plain",
        "html" | "htm" => "text/html",
        "css" => "text/css",
        "csv" => "text/csv",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    }
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mime_detection() {
        assert_eq!(
            detect_mime(
                "a.bin",
                Some("application/octet-stream"),
                b"GIF89a\x01\x00\x01\x00"
            ),
            "image/gif"
        );
        assert_eq!(
            detect_mime("a.txt", Some("text/plain; charset=utf-8"), b"hi"),
            "text/plain"
        );
        assert_eq!(
            detect_mime("a.pdf", Some("application/octet-stream"), b"%PDF"),
            "application/pdf"
        );
        assert_eq!(detect_mime("a", None, b"?"), "application/octet-stream");
    }
}
