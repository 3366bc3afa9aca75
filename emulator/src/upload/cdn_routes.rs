//! The CDN's routes under `/cdn/`: a file's bytes (no processing), a group's `nth` file and
//! archives, a video's frame, and the JSON answers (`-/json/`, `detect_faces/`,
//! `-/main_colors/`); secure delivery's token check in front of all of them.

// `cdn` the module only: the name's value is this file's handler.
use super::cdn::{self};
use super::{archive, Upload};
use axum::extract::{Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};

/// `<uuid>/`: the file's content. With secure delivery on, only with a valid `token`.
pub(super) async fn cdn(State(upload): State<Upload>, uri: Uri, Path(uuid): Path<String>) -> Response {
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
pub(super) async fn cdn_with_name(
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
