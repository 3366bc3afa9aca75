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
//! | GET | `/cdn/<uuid>/…` | the file's bytes (no processing); `…/-/json/`: its JSON info; `…/videoframe/<timestamp>/…`: a PNG frame of a video; 403 without a valid `token` under secure delivery |
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

mod archive;
mod cdn;
mod errors;
mod files;
mod form;
mod from_url;
mod groups;
mod tokens;

pub(crate) use cdn::DeliverySecret;
pub(crate) use errors::{upload_error, UploadError};

use super::deliveries::EventCause;
use super::state::{EmulatorState, LoggedRequest, Project, Urls};
use super::Options;
use axum::extract::{DefaultBodyLimit, Path, Request, State};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use bytes::Bytes;
use form::Form;
use serde_json::Value;
use std::collections::BTreeMap;
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
const MAX_BASE_BODY: usize = MAX_DIRECT_FILE_SIZE as usize + (1 << 20);
/// Largest body of the POSTs that carry no file bytes.
const MAX_FORM_BODY: usize = 1 << 20;

use uploadcare::limits::{
    is_metadata_key_char, MAX_METADATA_KEYS as METADATA_MAX_KEYS,
    MAX_METADATA_KEY_LEN as METADATA_MAX_KEY_LEN, MAX_METADATA_VALUE_LEN as METADATA_MAX_VALUE_LEN,
};

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

impl Upload {
    /// The project's public key in field `field` (`UPLOADCARE_PUB_KEY` or `pub_key`): missing →
    /// `ProjectPublicKeyRequiredError`, other than the project's → `ProjectPublicKeyInvalidError`
    /// (both 403, message naming the field).
    fn check_public_key(&self, form: &Form, field: &'static str) -> Result<(), UploadError> {
        let Some(given) = form.non_empty(field) else {
            return Err(upload_error("ProjectPublicKeyRequiredError", &[&field]));
        };
        if given != self.state.lock().public_key {
            return Err(upload_error("ProjectPublicKeyInvalidError", &[&field]));
        }
        Ok(())
    }

    /// The signed-upload credential of a request to `path` that creates `operations`
    /// files, when the project requires signed uploads: a `signature` (checked by
    /// [`Upload::check_signature`]; an `Authorization` header beside it is ignored, as
    /// documented), else an auth token in `Authorization: Bearer` (see [`tokens`]), whose
    /// operations are then spent; neither is `SignatureRequiredError`.
    fn check_credential(
        &self,
        form: &Form,
        authorization: Option<&str>,
        path: &str,
        operations: u64,
    ) -> Result<(), UploadError> {
        if !self.options.signed_uploads || form.non_empty("signature").is_some() {
            return self.check_signature(form);
        }
        let Some(authorization) = authorization else {
            return self.check_signature(form);
        };
        let now = self
            .options
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let secret = self.state.lock().secret_key.clone();
        let token = tokens::verify(authorization, &secret, path, now)?;
        if let Some(limit) = token.operations {
            let mut project = self.state.lock();
            let spent = project.uploads.token_operations.entry(token.id).or_insert(0);
            if *spent + operations > limit {
                return Err(upload_error("OperationsLimitExceededError", &[]));
            }
            *spent += operations;
        }
        Ok(())
    }

    /// Signed uploads, when the project requires them: `signature` and `expire` present,
    /// `expire` whole seconds not in the past, `signature` the HMAC-SHA256 of `expire` (as
    /// sent) keyed with the secret key. Without the setting both fields are ignored.
    fn check_signature(&self, form: &Form) -> Result<(), UploadError> {
        if !self.options.signed_uploads {
            return Ok(());
        }
        let signature = form
            .non_empty("signature")
            .ok_or_else(|| upload_error("SignatureRequiredError", &[]))?;
        let expire = form
            .non_empty("expire")
            .ok_or_else(|| upload_error("SignatureExpirationRequiredError", &[]))?;
        let expire_secs = expire
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| expire.parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| upload_error("SignatureExpirationInvalidError", &[]))?;
        if expire_secs < chrono::Utc::now().timestamp() {
            return Err(upload_error("SignatureExpirationError", &[]));
        }
        let secret = self.state.lock().secret_key.expose_secret().to_owned();
        if !upload_signature_matches(&secret, expire, signature) {
            return Err(upload_error("SignatureInvalidError", &[]));
        }
        Ok(())
    }
}

/// The `Authorization` header of a request, if it has a readable one.
fn authorization(request: &Request) -> Option<String> {
    request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Whether `signature` is the lower-case hex HMAC-SHA256 of `expire` (the decimal string as
/// sent), keyed with `secret`: the signed-upload scheme of the service.
pub(crate) fn upload_signature_matches(secret: &str, expire: &str, signature: &str) -> bool {
    let expected = uploadcare::internal::sign_upload_expire_text(secret, expire);
    uploadcare::internal::constant_time_eq(expected.as_bytes(), signature.as_bytes())
}

/// `UPLOADCARE_STORE`/`store`: `Some(true)` for `1`, `Some(false)` for `0`, `None` (the
/// project's autostore) for `auto`. Missing also means `auto`, the current documented default.
/// Other values are not documented as errors; the emulator reads them as `auto` too.
fn store_flag(value: Option<&str>) -> Option<bool> {
    match value {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// The `metadata[<key>]` fields, checked like the service: key not empty, at most 64
/// characters from `[A-Za-z0-9_.:-]`, no duplicates; value 1–512 characters without control
/// characters; at most 50 keys.
fn parse_metadata(form: &Form) -> Result<BTreeMap<String, String>, UploadError> {
    let mut metadata = BTreeMap::new();
    for (name, value) in &form.fields {
        let Some(key) = name.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) else {
            continue;
        };
        if key.is_empty() {
            return Err(upload_error("FileMetadataKeyEmptyError", &[]));
        }
        if key.chars().count() > METADATA_MAX_KEY_LEN {
            return Err(upload_error(
                "FileMetadataKeyLengthTooBigError",
                &[&key, &METADATA_MAX_KEY_LEN],
            ));
        }
        if !key.chars().all(is_metadata_key_char) {
            return Err(upload_error("FileMetadataKeyForbiddenError", &[&key]));
        }
        if metadata.contains_key(key) {
            return Err(upload_error("FileMetadataKeyDuplicatedError", &[&key]));
        }
        if value.is_empty() {
            return Err(upload_error("FileMetadataValueEmptyError", &[&key]));
        }
        if value.chars().count() > METADATA_MAX_VALUE_LEN {
            return Err(upload_error(
                "FileMetadataValueLengthTooBigError",
                &[&key, &METADATA_MAX_VALUE_LEN],
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(upload_error("FileMetadataValueForbiddenError", &[&key]));
        }
        metadata.insert(key.to_owned(), value.clone());
    }
    if metadata.len() > METADATA_MAX_KEYS {
        return Err(upload_error(
            "FileMetadataKeysNumberTooBigError",
            &[&METADATA_MAX_KEYS],
        ));
    }
    Ok(metadata)
}

/// The `tags` fields: each a comma-separated list (`cat,animal,cute`), normalized and checked
/// like the REST tag endpoints do; invalid → `FileTag*Error` (400) and the upload does not
/// proceed. Several `tags` fields are read as one list.
fn parse_tags(form: &Form) -> Result<Vec<String>, UploadError> {
    let tags = super::tags::normalize(
        form.fields
            .iter()
            .filter(|(name, _)| name == "tags")
            .flat_map(|(_, value)| value.split(',')),
    );
    super::tags::check_file_tags(&tags).map_err(|error| match error {
        super::tags::TagError::TooMany => {
            upload_error("FileTagsNumberTooBigError", &[&super::tags::MAX_TAGS_PER_FILE])
        }
        super::tags::TagError::TooLong(tag) => {
            upload_error("FileTagLengthTooBigError", &[&tag, &super::tags::MAX_TAG_LENGTH])
        }
        super::tags::TagError::Forbidden(tag) => upload_error("FileTagForbiddenError", &[&tag]),
    })?;
    Ok(tags)
}

/// What an upload attaches to its file besides the content.
#[derive(Clone, Debug, Default)]
struct Attached {
    /// `metadata[<key>]` fields.
    metadata: BTreeMap<String, String>,
    /// The `tags` field.
    tags: Vec<String>,
}

impl Attached {
    /// Reads and checks both from the form.
    fn from_form(form: &Form) -> Result<Self, UploadError> {
        Ok(Self {
            metadata: parse_metadata(form)?,
            tags: parse_tags(form)?,
        })
    }
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
fn detect_mime(filename: &str, declared: Option<&str>, data: &[u8]) -> String {
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

/// `<uuid>/`: the file's content. With secure delivery on, only with a valid `token`.
async fn cdn(State(upload): State<Upload>, uri: Uri, Path(uuid): Path<String>) -> Response {
    if let Err(refused) = check_delivery(&upload, &uri) {
        return refused;
    }
    if uuid.contains('~') {
        return group_response(&upload, &uuid, "");
    }
    serve_file(&upload, &uuid)
}

/// A group's CDN paths: `<group>/nth/<n>/…` is the n-th file (0-based) with whatever
/// follows, `<group>/archive/<zip|tar>/[name]` all its files as one archive. Anything else
/// (including `<group>/` alone, which the CDN answers with a gallery page) is a 404 here.
fn group_response(upload: &Upload, group_id: &str, rest: &str) -> Response {
    let group = upload.state.lock().groups.get(group_id).cloned();
    let Some(group) = group else {
        return cdn_not_found();
    };
    let segments: Vec<&str> = rest.splitn(3, '/').collect();
    match segments.as_slice() {
        ["nth", n, tail @ ..] => {
            let Some(uuid) = n.parse::<usize>().ok().and_then(|n| group.files.get(n)) else {
                return cdn_not_found();
            };
            file_response(upload, &uuid.to_string(), tail.first().copied().unwrap_or(""))
        }
        ["archive", format @ ("zip" | "tar"), ..] => {
            let files: Vec<_> = {
                let state = upload.state.lock();
                group
                    .files
                    .iter()
                    .filter_map(|uuid| state.live_file(uuid).cloned())
                    .collect()
            };
            let entries = archive::unique_names(files.iter().map(|f| (f.filename.as_str(), f.data.as_ref())));
            let (body, content_type, ext) = if *format == "zip" {
                (archive::zip(&entries), "application/zip", "zip")
            } else {
                (archive::tar(&entries), "application/x-tar", "tar")
            };
            let name = format!("{}.{ext}", group_id.replace('~', "_"));
            (
                [
                    ("content-type", content_type.to_owned()),
                    ("content-disposition", format!("attachment; filename=\"{name}\"")),
                ],
                body,
            )
                .into_response()
        }
        _ => cdn_not_found(),
    }
}

/// 403 unless the request carries a valid secure-delivery token (when the project requires
/// one).
fn check_delivery(upload: &Upload, uri: &Uri) -> Result<(), Response> {
    let Some(secret) = &upload.options.secure_delivery else {
        return Ok(());
    };
    let path = uri.path();
    let path = path.strip_prefix("/cdn").unwrap_or(path);
    let now = upload
        .options
        .now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or_default();
    secret
        .check(path, uri.query(), now)
        .map_err(|reason| (StatusCode::FORBIDDEN, format!("Access denied: {reason}")).into_response())
}

fn cdn_not_found() -> Response {
    (StatusCode::NOT_FOUND, "Not found").into_response()
}

/// The file's bytes as they are (no processing operations are applied).
fn serve_file(upload: &Upload, uuid: &str) -> Response {
    let Ok(uuid) = uuid.parse::<uuid::Uuid>() else {
        return cdn_not_found();
    };
    let file = upload.state.lock().live_file(&uuid).cloned();
    match file {
        Some(file) => {
            let disposition = content_disposition(&file.filename);
            (
                [
                    ("content-type", file.mime_type.clone()),
                    ("content-disposition", disposition),
                ],
                file.data,
            )
                .into_response()
        }
        None => cdn_not_found(),
    }
}

/// `inline; filename="…"` like the CDN's (RFC 5987 form for names that need it).
fn content_disposition(filename: &str) -> String {
    if filename
        .bytes()
        .all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\' || b == b' ')
    {
        return format!("inline; filename=\"{filename}\"");
    }
    let encoded: String = filename
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'_' | b'-' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("inline; filename*=UTF-8''{encoded}")
}

/// `<uuid>/<name>` and `<uuid>/-/<operations>/…` serve the file as is, except chains ending
/// with `-/json/` (the file's JSON info) or `detect_faces/` (the image's JSON info with the
/// faces found: none, the emulator does not look for faces), like the CDN. A chain with an
/// empty or unknown operation name ([`uploadcare::cdn::url::OPERATIONS`]) is a 400.
async fn cdn_with_name(
    State(upload): State<Upload>,
    uri: Uri,
    Path((uuid, rest)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = check_delivery(&upload, &uri) {
        return refused;
    }
    if uuid.contains('~') {
        return group_response(&upload, &uuid, &rest);
    }
    file_response(&upload, &uuid, &rest)
}

/// A 1×1 PNG: what the emulator serves as a video's frame (it decodes no video).
const FRAME_PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00,
    0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53, 0xde, 0x00,
    0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x50, 0x50, 0x50, 0x00, 0x00, 0x00, 0xc4,
    0x00, 0x61, 0x29, 0x95, 0xf9, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60,
    0x82,
];

/// `<uuid>/videoframe/<timestamp>/…`: a still frame (a PNG; the emulator's is 1×1) of a video
/// file, to which image operations may follow; 400 for a timestamp the URL API refuses
/// ([`uploadcare::cdn::url::check_video_timestamp`]), a chain it refuses, or a file that is not a
/// video. `-/json/` at the end describes the frame.
fn video_frame(upload: &Upload, uuid: &str, rest: &str) -> Response {
    let (timestamp, tail) = rest.split_once('/').unwrap_or((rest, ""));
    if let Err(e) = uploadcare::cdn::url::check_video_timestamp(timestamp) {
        return (StatusCode::BAD_REQUEST, format!("Bad Request: {e}")).into_response();
    }
    let operations = match cdn::operations(tail) {
        Ok(operations) => operations,
        Err(reason) => return (StatusCode::BAD_REQUEST, format!("Bad Request: {reason}")).into_response(),
    };
    let Some(file) = uuid
        .parse::<uuid::Uuid>()
        .ok()
        .and_then(|id| upload.state.lock().live_file(&id).cloned())
    else {
        return cdn_not_found();
    };
    if !file.mime_type.starts_with("video/") {
        return (
            StatusCode::BAD_REQUEST,
            "Bad Request: videoframe works on video files only",
        )
            .into_response();
    }
    if operations.last() == Some(&"json") {
        let body = serde_json::json!({"width": 1, "height": 1, "format": "PNG", "id": file.uuid});
        return ([("content-type", "application/json")], body.to_string()).into_response();
    }
    ([("content-type", "image/png")], FRAME_PNG).into_response()
}

/// What follows `<uuid>/` on the CDN: a name, an operation chain, `-/json/`, `detect_faces/`,
/// `videoframe/<timestamp>/…`.
fn file_response(upload: &Upload, uuid: &str, rest: &str) -> Response {
    if let Some(frame) = rest.strip_prefix("videoframe/") {
        return video_frame(upload, uuid, frame);
    }
    let detect_faces = rest.trim_end_matches('/').rsplit('/').next() == Some("detect_faces");
    let operations = match cdn::operations(rest) {
        Ok(operations) => operations,
        // `<uuid>/detect_faces/` without `-/` is accepted, as before (pyuploadcare asks so).
        Err(_) if detect_faces => Vec::new(),
        Err(reason) => return (StatusCode::BAD_REQUEST, format!("Bad Request: {reason}")).into_response(),
    };
    let json = operations.last() == Some(&"json");
    let main_colors = operations.last() == Some(&"main_colors");
    if !detect_faces && !json && !main_colors {
        return serve_file(upload, uuid);
    }
    let Ok(id) = uuid.parse::<uuid::Uuid>() else {
        return cdn_not_found();
    };
    let Some(file) = upload.state.lock().live_file(&id).cloned() else {
        return cdn_not_found();
    };
    let image = file.image_size();
    if detect_faces {
        return match image {
            Some((width, height, format)) => {
                let body = serde_json::json!({
                    "id": id, "format": format, "width": width, "height": height, "faces": []
                });
                ([("content-type", "application/json")], body.to_string()).into_response()
            }
            None => (StatusCode::BAD_REQUEST, "Not an image.").into_response(),
        };
    }
    // `-/json/`: the URL API's file info; image fields only for images, EXIF-derived ones
    // null (the emulator reads no EXIF and computes no perceptual hash).
    let info = match image {
        Some((width, height, format)) => serde_json::json!({
            "id": id,
            "format": format,
            "width": width,
            "height": height,
            "sequence": false,
            "color_mode": null,
            "dpi": null,
            "orientation": null,
            "geo_location": null,
            "datetime_original": null,
            "hash": null,
        }),
        None => serde_json::json!({ "id": id }),
    };
    let body = if main_colors {
        // `-/main_colors/`: the processed path as `id`, the source's info as `original`;
        // the emulator decodes no pixels, so it finds no colours.
        let Some((width, height, _)) = image else {
            return (StatusCode::BAD_REQUEST, "Not an image.").into_response();
        };
        serde_json::json!({
            "id": format!("/{id}/{}", rest.rsplit_once("-/main_colors/").map_or("", |(head, _)| head)),
            "width": width,
            "height": height,
            "main_colors": [],
            "original": info,
        })
    } else {
        info
    };
    ([("content-type", "application/json")], body.to_string()).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_documented_vector() {
        // python3 -c "import hmac,hashlib;print(hmac.new(b'project_secret_key',b'1454903856',hashlib.sha256).hexdigest())"
        let vector = "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47";
        assert!(upload_signature_matches(
            "project_secret_key",
            "1454903856",
            vector
        ));
        assert!(!upload_signature_matches(
            "project_secret_key",
            "1454903857",
            vector
        ));
        assert!(!upload_signature_matches("other", "1454903856", vector));
        assert!(!upload_signature_matches(
            "project_secret_key",
            "1454903856",
            &vector.to_uppercase()
        ));
    }

    #[test]
    fn metadata_rules() {
        let form = |pairs: &[(&str, &str)]| Form {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            files: Vec::new(),
        };
        let ok = parse_metadata(&form(&[("metadata[a:b.c-d_e]", "x"), ("other", "")])).unwrap();
        assert_eq!(ok.get("a:b.c-d_e").map(String::as_str), Some("x"));
        let code = |pairs: &[(&str, &str)]| parse_metadata(&form(pairs)).unwrap_err().code;
        assert_eq!(code(&[("metadata[]", "x")]), "FileMetadataKeyEmptyError");
        assert_eq!(code(&[("metadata[a b]", "x")]), "FileMetadataKeyForbiddenError");
        assert_eq!(
            code(&[(&format!("metadata[{}]", "k".repeat(65)), "x")]),
            "FileMetadataKeyLengthTooBigError"
        );
        assert_eq!(
            code(&[("metadata[k]", "x"), ("metadata[k]", "y")]),
            "FileMetadataKeyDuplicatedError"
        );
        assert_eq!(code(&[("metadata[k]", "")]), "FileMetadataValueEmptyError");
        assert_eq!(
            code(&[("metadata[k]", &"v".repeat(513))]),
            "FileMetadataValueLengthTooBigError"
        );
        assert_eq!(
            code(&[("metadata[k]", "a\nb")]),
            "FileMetadataValueForbiddenError"
        );
        let many: Vec<(String, String)> = (0..51)
            .map(|i| (format!("metadata[k{i}]"), "v".to_owned()))
            .collect();
        let many = Form {
            fields: many,
            files: Vec::new(),
        };
        assert_eq!(
            parse_metadata(&many).unwrap_err().code,
            "FileMetadataKeysNumberTooBigError"
        );
    }

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
