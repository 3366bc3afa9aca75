//! The CDN's routes under `/cdn/`: a file's bytes, processed when the chain has image
//! operations ([`crate::images::render`], off the async threads and time-limited), a group's
//! `nth` file and archives, a video's frame, and the JSON answers (`-/json/`, `detect_faces/`,
//! `-/main_colors/`); secure delivery's token check in front of all of them.

// `cdn` the module only: the name's value is this file's handler.
use super::cdn::{self};
use super::{archive, Upload};
use crate::images::{self, Outcome, RenderError, Rendered};
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use std::time::Duration;

/// How long the emulator lets one image render before answering 504 (the render itself runs
/// on to its end on the blocking pool; its result is dropped).
pub(crate) const RENDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Response header naming the valid operations of a chain the emulator did not apply
/// (`blur,enhance`) on an image it otherwise processed.
pub(crate) const SKIPPED_HEADER: &str = "x-uploadcare-emulator-skipped";
/// Response header on an answer that delivers the original although the chain has
/// operations, with the reason (not an image it decodes, only operations it does not render,
/// too large).
pub(crate) const PASSTHROUGH_HEADER: &str = "x-uploadcare-emulator-passthrough";

/// The request's `Accept` header, for `-/format/auto/`.
fn accept(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// `<uuid>/`: the file's content. With secure delivery on, only with a valid `token`.
pub(super) async fn cdn(
    State(upload): State<Upload>,
    uri: Uri,
    headers: HeaderMap,
    Path(uuid): Path<String>,
) -> Response {
    if let Err(refused) = check_delivery(&upload, &uri) {
        return refused;
    }
    if uuid.contains('~') {
        return group_response(&upload, &uuid, "", accept(&headers)).await;
    }
    serve_file(&upload, &uuid)
}

/// A group's CDN paths: `<group>/nth/<n>/…` is the n-th file (0-based) with whatever
/// follows, `<group>/archive/<zip|tar>/[name]` all its files as one archive. Anything else
/// (including `<group>/` alone, which the CDN answers with a gallery page) is a 404 here.
async fn group_response(upload: &Upload, group_id: &str, rest: &str, accept: Option<String>) -> Response {
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
            file_response(
                upload,
                &uuid.to_string(),
                tail.first().copied().unwrap_or(""),
                accept,
            )
            .await
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

/// The file's bytes as they are.
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

/// `<uuid>/<name>` serves the file as is; `<uuid>/-/<operations>/…` serves it processed (see
/// [`file_response`]); chains ending with `-/json/` or `-/main_colors/` answer JSON about the
/// result, and `detect_faces/` the image's JSON info with the faces found (none: the
/// emulator does not look for faces), like the CDN. A chain with an empty or unknown
/// operation name ([`uploadcare::cdn::url::OPERATIONS`]) is a 400.
pub(super) async fn cdn_with_name(
    State(upload): State<Upload>,
    uri: Uri,
    headers: HeaderMap,
    Path((uuid, rest)): Path<(String, String)>,
) -> Response {
    if let Err(refused) = check_delivery(&upload, &uri) {
        return refused;
    }
    if uuid.contains('~') {
        return group_response(&upload, &uuid, &rest, accept(&headers)).await;
    }
    file_response(&upload, &uuid, &rest, accept(&headers)).await
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

/// Renders `chain` on `data` on the blocking pool within [`RENDER_TIMEOUT`]; `Err` is the
/// answer to give instead (400 for a chain the CDN refuses, 500, 504).
async fn run_render(data: bytes::Bytes, chain: &str, accept: Option<String>) -> Result<Outcome, Response> {
    let chain = chain.to_owned();
    let task = tokio::task::spawn_blocking(move || images::render(&data, &chain, accept.as_deref()));
    match tokio::time::timeout(RENDER_TIMEOUT, task).await {
        Ok(Ok(Ok(outcome))) => Ok(outcome),
        Ok(Ok(Err(RenderError::BadRequest(reason)))) => {
            Err((StatusCode::BAD_REQUEST, format!("Bad Request: {reason}")).into_response())
        }
        Ok(Ok(Err(RenderError::Internal(reason)))) => Err((
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Internal Server Error: {reason}"),
        )
            .into_response()),
        Ok(Err(join)) => Err((
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("Internal Server Error: image processing failed: {join}"),
        )
            .into_response()),
        Err(_) => Err((
            StatusCode::GATEWAY_TIMEOUT,
            format!(
                "Gateway Timeout: image processing took longer than the emulator's {} s",
                RENDER_TIMEOUT.as_secs()
            ),
        )
            .into_response()),
    }
}

/// A header value from free text (characters a header cannot carry become `?`).
fn header_text(text: &str) -> HeaderValue {
    let clean: String = text
        .chars()
        .map(|c| if c == ' ' || c.is_ascii_graphic() { c } else { '?' })
        .collect();
    HeaderValue::from_str(&clean).unwrap_or_else(|_| HeaderValue::from_static("?"))
}

/// `name` with the extension of `format` (`photo.png` as WebP → `photo.webp`).
fn renamed(name: &str, content_type: &str) -> String {
    let ext = content_type.rsplit('/').next().unwrap_or("bin");
    let ext = if ext == "jpeg" { "jpg" } else { ext };
    let stem = name.rsplit_once('.').map_or(name, |(stem, _)| stem);
    format!("{stem}.{ext}")
}

/// Whether a chain's operations ask for processing: anything but the info endpoints and
/// delivery controls. `main_colors` needs the pixels too.
fn needs_pixels(operations: &[&str]) -> bool {
    operations
        .iter()
        .any(|op| !matches!(*op, "json" | "inline" | "detect_faces"))
}

/// What follows `<uuid>/` on the CDN: a name, an operation chain, `-/json/`, `detect_faces/`,
/// `videoframe/<timestamp>/…`.
///
/// A chain with image operations on a live file is rendered ([`images::render`], on the
/// blocking pool, at most [`RENDER_TIMEOUT`], then 504): the answer carries the result's
/// bytes and `content-type`, and [`SKIPPED_HEADER`] when some valid operations were not
/// applied. When the emulator does not process the file (not an image it decodes, only
/// operations it does not render) the original is delivered with [`PASSTHROUGH_HEADER`]
/// saying why. A chain the CDN refuses (malformed values, an output over the size limits)
/// is a 400.
async fn file_response(upload: &Upload, uuid: &str, rest: &str, accept: Option<String>) -> Response {
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
    // Conversion paths (`document/…`, `video/…`, `gif2video/…`) are served as before: the
    // emulator converts nothing on the CDN.
    let conversion = ["document/", "video/", "gif2video/"]
        .iter()
        .any(|prefix| rest.starts_with(prefix));
    let process = !detect_faces && !conversion && needs_pixels(&operations);
    if !detect_faces && !json && !process {
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
    let (rendered, passthrough) = if process {
        match run_render(file.data.clone(), rest, accept).await {
            Ok(Outcome::Rendered(rendered)) => (Some(rendered), None),
            Ok(Outcome::PassThrough { reason }) => (None, Some(reason)),
            Err(answer) => return answer,
        }
    } else {
        (None, None)
    };
    let mut answer = match (&rendered, json || main_colors) {
        (Some(r), false) => {
            let disposition = content_disposition(&renamed(&file.filename, r.content_type));
            let mut answer = (
                [
                    ("content-type", r.content_type.to_owned()),
                    ("content-disposition", disposition),
                    // The format may depend on `Accept` (`-/format/auto/`, the default).
                    ("vary", "Accept".to_owned()),
                ],
                r.bytes.clone(),
            )
                .into_response();
            if !r.skipped.is_empty() {
                answer
                    .headers_mut()
                    .insert(SKIPPED_HEADER, header_text(&r.skipped.join(",")));
            }
            return answer;
        }
        (None, false) => serve_file(upload, uuid),
        (_, true) => info_response(&file, rest, image, rendered.as_ref(), main_colors),
    };
    if let Some(reason) = passthrough {
        answer
            .headers_mut()
            .insert(PASSTHROUGH_HEADER, header_text(&reason));
    }
    if let Some(r) = rendered.as_ref().filter(|r| !r.skipped.is_empty()) {
        answer
            .headers_mut()
            .insert(SKIPPED_HEADER, header_text(&r.skipped.join(",")));
    }
    answer
}

/// `-/json/` and `-/main_colors/` at the end of `rest`: the URL API's file info of the
/// result when the emulator rendered the chain (`rendered`), else of the original as the
/// upload recognized it (`image`).
fn info_response(
    file: &crate::FileRecord,
    rest: &str,
    image: Option<(u32, u32, &'static str)>,
    rendered: Option<&Rendered>,
    main_colors: bool,
) -> Response {
    let id = file.uuid;
    // The original's info; image fields only for images, EXIF-derived ones null (the
    // emulator reads no EXIF and computes no perceptual hash).
    let info = |image: Option<(u32, u32, &str)>| match image {
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
    let output = rendered.map(|r| (r.width, r.height, r.format)).or(image);
    let body = if main_colors {
        // `-/main_colors/`: the processed path as `id`, the source's info as `original`;
        // colours only from pixels the emulator decoded.
        let Some((width, height, _)) = output else {
            return (StatusCode::BAD_REQUEST, "Not an image.").into_response();
        };
        let colors = rendered.and_then(|r| r.main_colors.clone()).unwrap_or_default();
        serde_json::json!({
            "id": format!("/{id}/{}", rest.rsplit_once("-/main_colors/").map_or("", |(head, _)| head)),
            "width": width,
            "height": height,
            "main_colors": colors,
            "original": info(image),
        })
    } else {
        info(output)
    };
    ([("content-type", "application/json")], body.to_string()).into_response()
}
