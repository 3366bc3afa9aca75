//! Document and video conversion: submit, status (the job moves on with each poll and the
//! output file becomes ready when the final status is reported), and document info (0.7).

use super::copies::json_object;
use super::{detail, not_found, reply, uuid_in_source, Rest};
use crate::state::{ApiVersion, ConversionInfo, FileRecord, Job, Project};
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use uploadcare::cdn::url::{DocumentFormat, VideoFormat};
use uploadcare::limits::MAX_VIDEO_THUMBS;
use uuid::Uuid;

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/convert/document/", post(document_convert))
        .route("/convert/document/status/{token}/", get(document_status))
        .route("/convert/document/{uuid}/", get(document_info))
        .route("/convert/video/", post(video_convert))
        .route("/convert/video/status/{token}/", get(video_status))
}

/// A JSON answer with `Content-Type: application/json`: what the service sends for
/// conversion submissions and add-on calls (instead of the version's media type).
pub(super) fn plain_json(status: u16, body: &Value) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    (status, [("content-type", "application/json")], body.to_string()).into_response()
}

const JOB_STAGES: [&str; 3] = ["pending", "processing", "finished"];

fn mime_of(format: &str) -> &'static str {
    match format {
        "pdf" => "application/pdf",
        "doc" => "application/msword",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "xls" => "application/vnd.ms-excel",
        "xlsx" => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "odt" => "application/vnd.oasis.opendocument.text",
        "ods" => "application/vnd.oasis.opendocument.spreadsheet",
        "rtf" => "application/rtf",
        "txt" => "text/plain",
        "jpg" | "enhanced.jpg" => "image/jpeg",
        "png" => "image/png",
        "mp4" => "video/mp4",
        "webm" => "video/webm",
        "ogg" => "video/ogg",
        _ => "application/octet-stream",
    }
}

/// What a conversion path asks for.
struct Target {
    source: Uuid,
    format: String,
    /// Thumbnails to make (video only).
    thumbnails: usize,
}

/// Parses `<uuid or CDN URL>/<kind>/-/<operation>/...`; `None` when it is not a path the
/// service accepts (unknown or removed file, no or unknown format, unknown operation).
fn parse_path(project: &Project, path: &str, kind: &str) -> Option<Target> {
    let marker = format!("/{kind}/");
    let at = path.find(&marker)?;
    let (source, operations) = (&path[..at], &path[at + marker.len()..]);
    let source = uuid_in_source(source).filter(|uuid| project.live_file(uuid).is_some_and(|f| f.ready))?;
    let operations = operations.trim_end_matches('/');
    let mut format = None;
    let mut thumbnails = 1;
    let mut page = false;
    if !operations.is_empty() {
        let operations = operations.strip_prefix("-/")?;
        for operation in operations.split("/-/") {
            let mut parts = operation.split('/');
            let name = parts.next()?;
            let args: Vec<&str> = parts.collect();
            match (kind, name) {
                (_, "format") => format = Some(args.first()?.to_ascii_lowercase()),
                ("document", "page") => {
                    args.first()?.parse::<u32>().ok().filter(|p| *p > 0)?;
                    page = true;
                }
                ("document", "dpi" | "quality") | ("video", "size" | "quality" | "cut") => {}
                ("video", thumbs) if thumbs.starts_with("thumbs~") => {
                    thumbnails = thumbs["thumbs~".len()..]
                        .parse::<usize>()
                        .ok()
                        .filter(|n| (1..=MAX_VIDEO_THUMBS as usize).contains(n))?;
                }
                _ => return None,
            }
        }
    }
    let format = match (kind, format) {
        // The formats (and which of them take a page) are the library's.
        ("document", Some(format))
            if format
                .parse::<DocumentFormat>()
                .is_ok_and(|f| !page || f.takes_page()) =>
        {
            format
        }
        ("video", None) => "mp4".to_owned(),
        ("video", Some(format)) if format.parse::<VideoFormat>().is_ok() => format,
        _ => return None,
    };
    Some(Target {
        source,
        format,
        thumbnails,
    })
}

/// `"0"`/`"1"`/`"true"`/`"false"` (numbers and booleans accepted too); `None` when absent.
fn boolean_string(value: Option<&Value>) -> Result<Option<bool>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(0) => Ok(Some(false)),
            Some(1) => Ok(Some(true)),
            _ => Err(()),
        },
        Some(Value::String(s)) => match s.as_str() {
            "0" | "false" => Ok(Some(false)),
            "1" | "true" => Ok(Some(true)),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// The file name without its extension.
fn stem(filename: &str) -> &str {
    match filename.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => filename,
    }
}

/// A not-yet-ready file the job will fill in.
fn pending_file(project: &mut Project, filename: &str, format: &str) -> Uuid {
    let uuid = project.add_file(filename, mime_of(format), Bytes::new(), Some(false));
    project.files.get_mut(&uuid).expect("just added").ready = false;
    uuid
}

/// Submits a conversion of `kind` (`document` or `video`).
fn submit(rest: &Rest, version: ApiVersion, body: &Bytes, kind: &str) -> Response {
    let request = match json_object(body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let Some(Value::Array(paths)) = request.get("paths") else {
        return detail(400, "\u{201c}paths\u{201d} parameter is required.");
    };
    let store = match boolean_string(request.get("store")) {
        Ok(store) => store,
        Err(()) => {
            return detail(
                400,
                "`store` parameter should be one of \"0\", \"1\", \"true\", \"false\".",
            )
        }
    };
    let save_in_group = match (kind, version) {
        ("document", ApiVersion::V0_7) => match boolean_string(request.get("save_in_group")) {
            Ok(flag) => flag.unwrap_or(false),
            Err(()) => {
                return detail(
                    400,
                    "`save_in_group` parameter should be one of \"0\", \"1\", \"true\", \"false\".",
                )
            }
        },
        _ => false,
    };

    let mut project = rest.state.lock();
    let mut problems = Map::new();
    let mut result = Vec::new();
    for path in paths {
        let text = path
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| path.to_string());
        let Some(target) = path.as_str().and_then(|p| parse_path(&project, p, kind)) else {
            problems.insert(
                text.clone(),
                json!(format!("Bad path \"{text}\". Use UUID or CDN URL")),
            );
            continue;
        };
        let source_name = project.files[&target.source].filename.clone();
        let stem = stem(&source_name).to_owned();
        let output = pending_file(&mut project, &format!("{stem}.{}", target.format), &target.format);
        let thumbnails_group = (kind == "video").then(|| {
            let thumbnails: Vec<Uuid> = (1..=target.thumbnails)
                .map(|i| pending_file(&mut project, &format!("{stem}-thumbnail-{i}.jpg"), "jpg"))
                .collect();
            project.add_group(thumbnails)
        });
        let token = project.next_token();
        project
            .conversions
            .insert(token, (Job::new(&JOB_STAGES), output, thumbnails_group.clone()));
        project.conversion_info.insert(
            token,
            ConversionInfo {
                source: target.source,
                format: target.format,
                store,
                save_in_group,
                finished: false,
            },
        );
        let mut item = json!({"original_source": text, "uuid": output.to_string(), "token": token});
        if let Some(group) = thumbnails_group {
            item["thumbnails_group_uuid"] = json!(group);
        }
        result.push(item);
    }
    plain_json(200, &json!({"problems": problems, "result": result}))
}

async fn document_convert(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    submit(&rest, version, &body, "document")
}

async fn video_convert(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    submit(&rest, version, &body, "video")
}

/// A PNG header of `width`×`height` followed by `tail`.
fn png(width: u32, height: u32, tail: &[u8]) -> Bytes {
    let mut data = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    data.extend_from_slice(tail);
    data.into()
}

/// A JPEG start-of-frame header of `width`×`height` followed by `tail`.
fn jpeg(width: u16, height: u16, tail: &[u8]) -> Bytes {
    let mut data = vec![0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0x08];
    data.extend_from_slice(&height.to_be_bytes());
    data.extend_from_slice(&width.to_be_bytes());
    data.extend_from_slice(&[0x03, 0x01, 0x22, 0x00, 0x02, 0x11, 0x01, 0x03, 0x11, 0x01]);
    data.extend_from_slice(tail);
    data.extend_from_slice(&[0xFF, 0xD9]);
    data.into()
}

/// The output's content: a recognizable header for the format, then the source's bytes.
fn converted_content(source: Option<&FileRecord>, format: &str) -> Bytes {
    let (name, data, size) = match source {
        Some(file) => (file.filename.as_str(), file.data.clone(), file.image_size()),
        None => ("", Bytes::new(), None),
    };
    // Pages of documents come out A4-sized (72 dpi); images keep their size.
    let (width, height) = size.map_or((595, 842), |(w, h, _)| (w, h));
    match format {
        "png" => png(width, height, &data),
        "jpg" => jpeg(width.min(65535) as u16, height.min(65535) as u16, &data),
        _ => {
            let header: &[u8] = match format {
                "pdf" => b"%PDF-1.7\n",
                "mp4" => b"\0\0\0\x18ftypmp42",
                "webm" => b"\x1a\x45\xdf\xa3",
                "ogg" => b"OggS",
                _ => b"",
            };
            let mut out = header.to_vec();
            out.extend_from_slice(
                format!("Converted from {name} to {format} by the Uploadcare emulator.\n").as_bytes(),
            );
            out.extend_from_slice(&data);
            out.into()
        }
    }
}

/// Makes the job's output (and thumbnails) ready, stores them per the request, and saves
/// the output as a group when asked.
fn finish(project: &mut Project, token: i64) {
    let Some(info) = project.conversion_info.get(&token).cloned() else {
        return;
    };
    let Some((_, output, thumbnails_group)) = project.conversions.get(&token).cloned() else {
        return;
    };
    let source = project.files.get(&info.source).cloned();
    let store = info.store.unwrap_or(project.autostore);
    let now = project.now();
    let make_ready = |project: &mut Project, uuid: Uuid, data: Bytes| {
        if let Some(file) = project.files.get_mut(&uuid) {
            file.data = data;
            file.ready = true;
            if store && file.removed.is_none() {
                file.stored.get_or_insert(now);
            }
            project.reindex_for_search(uuid);
        }
    };
    make_ready(project, output, converted_content(source.as_ref(), &info.format));
    let thumbnails = thumbnails_group
        .and_then(|id| project.groups.get(&id))
        .map(|g| g.files.clone())
        .unwrap_or_default();
    for (i, thumbnail) in thumbnails.into_iter().enumerate() {
        make_ready(
            project,
            thumbnail,
            jpeg(640, 360, format!("thumbnail {}", i + 1).as_bytes()),
        );
    }
    if info.save_in_group {
        let group = project.add_group(vec![output]);
        project
            .converted_groups
            .entry(info.source)
            .or_default()
            .insert(info.format.clone(), group);
    }
    if let Some(info) = project.conversion_info.get_mut(&token) {
        info.finished = true;
    }
}

/// Polls a job of `kind`; 404 for unknown tokens (and tokens of the other kind).
fn poll_status(rest: &Rest, version: ApiVersion, token: &str, video: bool) -> Response {
    let Ok(token) = token.parse::<i64>() else {
        return not_found();
    };
    let mut project = rest.state.lock();
    let Some((job, output, thumbnails_group)) = project.conversions.get_mut(&token) else {
        return not_found();
    };
    if thumbnails_group.is_some() != video {
        return not_found();
    }
    let status = job.poll(rest.options.polls_per_stage);
    let is_final = job.is_final(status);
    let mut result = json!({"uuid": output.to_string()});
    if let Some(group) = thumbnails_group {
        result["thumbnails_group_uuid"] = json!(group);
    }
    let finished = project.conversion_info.get(&token).is_some_and(|i| i.finished);
    if is_final && !finished {
        finish(&mut project, token);
    }
    reply(
        version,
        200,
        &json!({"status": status, "error": null, "result": result}),
    )
}

async fn document_status(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(token): Path<String>,
) -> Response {
    poll_status(&rest, version, &token, false)
}

async fn video_status(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(token): Path<String>,
) -> Response {
    poll_status(&rest, version, &token, true)
}

/// `GET /convert/document/{uuid}/` (0.7): the file's format, the formats it converts to,
/// and the groups conversions with `save_in_group` made from it.
async fn document_info(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(uuid): Path<String>,
) -> Response {
    if version != ApiVersion::V0_7 {
        return not_found();
    }
    let Ok(uuid) = uuid.parse::<Uuid>() else {
        return not_found();
    };
    let project = rest.state.lock();
    let Some(file) = project.live_file(&uuid) else {
        return not_found();
    };
    let name = match file.filename.rsplit_once('.') {
        Some((_, ext)) if !ext.is_empty() => ext.to_ascii_lowercase(),
        _ => file.mime_type.rsplit('/').next().unwrap_or("").to_owned(),
    };
    let formats: Vec<Value> = DocumentFormat::ALL
        .iter()
        .map(|f| f.as_str())
        .filter(|f| *f != name)
        .map(|f| json!({"name": f}))
        .collect();
    let groups = json!(project.converted_groups.get(&uuid).cloned().unwrap_or_default());
    let body = json!({
        "error": null,
        "format": {"name": name, "conversion_formats": formats, "converted_groups": groups},
        "converted_groups": groups,
    });
    reply(version, 200, &body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::image_dimensions;

    #[test]
    fn paths_are_parsed_like_the_service() {
        let mut project = Project::new("p", "k", "s");
        let doc = project.add_file(
            "report.docx",
            "application/msword",
            Bytes::from_static(b"doc"),
            None,
        );
        let ok = |p: &str, kind: &str| parse_path(&project, p, kind).map(|t| (t.format, t.thumbnails));
        assert_eq!(
            ok(&format!("{doc}/document/-/format/pdf/"), "document"),
            Some(("pdf".into(), 1))
        );
        assert_eq!(
            ok(&format!("{doc}/document/-/format/PNG/-/page/2/"), "document"),
            Some(("png".into(), 1))
        );
        assert_eq!(
            ok(&format!("https://cdn/{doc}/document/-/format/txt/"), "document"),
            Some(("txt".into(), 1))
        );
        assert_eq!(ok(&format!("{doc}/document/"), "document"), None);
        assert_eq!(ok(&format!("{doc}/document/-/format/exe/"), "document"), None);
        assert_eq!(
            ok(&format!("{doc}/document/-/page/0/-/format/pdf/"), "document"),
            None
        );
        assert_eq!(
            ok(&format!("{}/document/-/format/pdf/", Uuid::new_v4()), "document"),
            None
        );
        assert_eq!(
            ok(&format!("{doc}/video/-/thumbs~3/"), "video"),
            Some(("mp4".into(), 3))
        );
        assert_eq!(
            ok(
                &format!("{doc}/video/-/format/webm/-/size/640x/-/quality/better/"),
                "video"
            ),
            Some(("webm".into(), 1))
        );
        assert_eq!(ok(&format!("{doc}/video/-/thumbs~99/"), "video"), None);
    }

    #[test]
    fn image_outputs_have_readable_sizes() {
        assert_eq!(image_dimensions(&png(595, 842, b"x")), Some((595, 842, "PNG")));
        assert_eq!(image_dimensions(&jpeg(640, 360, b"x")), Some((640, 360, "JPEG")));
    }
}
