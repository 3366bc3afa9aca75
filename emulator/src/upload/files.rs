//! Direct uploads, multipart uploads and `/info/`.

use super::form::{read_form, Form};
use super::{
    create_file, detect_mime, json_ok, store_flag, upload_error, Attached, Upload, UploadError,
    MAX_DIRECT_FILE_SIZE, PUB_KEY, UPLOADCARE_PUB_KEY,
};
use crate::deliveries::EventCause;
use crate::state::{FileRecord, MultipartUpload};
use axum::body::{Body, Bytes};
use axum::extract::{Path, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use md5::{Digest, Md5};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uploadcare::webhooks::EventName;
use uuid::Uuid;

use uploadcare::limits::{MAX_PART_SIZE, MIN_MULTIPART_SIZE, MIN_PART_SIZE};
/// The emulated project's file size cap for multipart uploads (5 TiB, S3's object limit).
const MAX_MULTIPART_SIZE: u64 = 5 * 1024 * 1024 * 1024 * 1024;

/// `POST /base/`: one file per file part; answers `{<field name>: <uuid>}`.
pub(super) async fn base(State(upload): State<Upload>, request: Request) -> Result<Response, UploadError> {
    let authorization = super::authorization(&request);
    let form = read_form(request).await?;
    upload.check_public_key(&form, UPLOADCARE_PUB_KEY)?;
    upload.check_credential(&form, authorization.as_deref(), "/base/", form.files.len() as u64)?;
    let store = store_flag(form.get("UPLOADCARE_STORE"));
    let attached = Attached::from_form(&form)?;
    if form.files.is_empty() {
        return Err(upload_error("FilesRequiredError", &[]));
    }
    if form
        .files
        .iter()
        .any(|f| f.data.len() as u64 >= MAX_DIRECT_FILE_SIZE)
    {
        return Err(upload_error("FileSizeLimitExceededError", &[]));
    }
    let mut answer = Map::new();
    let mut project = upload.state.lock();
    for part in form.files {
        let filename = part
            .filename
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| part.name.clone());
        let mime_type = detect_mime(&filename, part.content_type.as_deref(), &part.data);
        let uuid = create_file(
            &mut project,
            &filename,
            &mime_type,
            part.data,
            store,
            attached.clone(),
        );
        answer.insert(part.name, Value::String(uuid.to_string()));
    }
    Ok(json_ok(&Value::Object(answer)))
}

/// A required integer field: missing → `RequestParamRequiredError`, not an integer → `invalid`.
fn integer_field(form: &Form, name: &str, invalid: &str) -> Result<Option<u64>, UploadError> {
    match form.non_empty(name) {
        None => Ok(None),
        Some(value) => value
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| upload_error(invalid, &[])),
    }
}

/// `POST /multipart/start/`: checks the announced size and part size and answers the part
/// URLs, which point at this server (`/multipart/part/<uuid>/<index>/`).
pub(super) async fn multipart_start(
    State(upload): State<Upload>,
    request: Request,
) -> Result<Response, UploadError> {
    let authorization = super::authorization(&request);
    let form = read_form(request).await?;
    upload.check_public_key(&form, UPLOADCARE_PUB_KEY)?;
    upload.check_credential(&form, authorization.as_deref(), "/multipart/start/", 1)?;
    let required = |name: &'static str| {
        form.non_empty(name)
            .ok_or_else(|| upload_error("RequestParamRequiredError", &[&name]))
    };
    let filename = required("filename")?.to_owned();
    let size = integer_field(&form, "size", "MultipartSizeInvalidError")?
        .ok_or_else(|| upload_error("RequestParamRequiredError", &[&"size"]))?;
    let content_type = required("content_type")?.to_owned();
    if size < MIN_MULTIPART_SIZE {
        return Err(upload_error(
            "MultipartFileSizeTooSmallError",
            &[&MIN_MULTIPART_SIZE],
        ));
    }
    if size > MAX_MULTIPART_SIZE {
        return Err(upload_error("MultipartFileSizeLimitExceededError", &[]));
    }
    let part_size =
        integer_field(&form, "part_size", "MultipartPartSizeInvalidError")?.unwrap_or(MIN_PART_SIZE);
    if part_size < MIN_PART_SIZE {
        return Err(upload_error("MultipartPartSizeTooSmallError", &[&MIN_PART_SIZE]));
    }
    if part_size > MAX_PART_SIZE {
        return Err(upload_error("MultipartPartSizeTooBigError", &[&MAX_PART_SIZE]));
    }
    let store = store_flag(form.get("UPLOADCARE_STORE"));
    let attached = Attached::from_form(&form)?;

    let uuid = Uuid::new_v4();
    let count = size.div_ceil(part_size);
    let parts: Vec<String> = (0..count)
        .map(|index| format!("{}/multipart/part/{uuid}/{index}/", upload.urls.upload))
        .collect();
    let mut project = upload.state.lock();
    let uploaded = project.now();
    let file = FileRecord {
        uuid,
        filename,
        mime_type: content_type,
        data: Bytes::new(),
        uploaded,
        stored: None,
        removed: None,
        ready: false,
        metadata: attached.metadata,
        appdata: Map::new(),
        tags: attached.tags,
        source_url: None,
        discarded_size: None,
    };
    project.uploads.multipart.insert(
        uuid,
        MultipartUpload {
            file,
            size,
            part_size,
            parts: BTreeMap::new(),
            discarded_parts: BTreeMap::new(),
            store,
        },
    );
    Ok(json_ok(&json!({"parts": parts, "uuid": uuid.to_string()})))
}

/// An error of the part URLs, which stand for S3 presigned URLs: S3's XML layout, not the
/// Upload API's.
fn s3_error(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message></Error>"
    );
    (status, [("content-type", "application/xml")], body).into_response()
}

/// `PUT /multipart/part/<uuid>/<index>/`: stores part `index` (0-based). Every part but the
/// last must be exactly `part_size` bytes, the last the remainder; a `Content-Type` header is
/// required (the service's docs say it MUST be set). Answers 200 with the part's MD5 as
/// `ETag`, like S3. A part may be sent again (it replaces the earlier one).
pub(super) async fn multipart_part(
    State(upload): State<Upload>,
    Path((uuid, index)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let no_such_upload = || {
        s3_error(
            StatusCode::NOT_FOUND,
            "NoSuchUpload",
            "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
        )
    };
    // A presigned URL is its own credential: storage refuses a second one (an upload
    // client must not send the Upload API's auth token here).
    if headers.contains_key(axum::http::header::AUTHORIZATION) {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified",
        );
    }
    let (Ok(uuid), Ok(index)) = (uuid.parse::<Uuid>(), index.parse::<u64>()) else {
        return no_such_upload();
    };
    let Some((size, part_size)) = upload
        .state
        .lock()
        .uploads
        .multipart
        .get(&uuid)
        .map(|m| (m.size, m.part_size))
    else {
        return no_such_upload();
    };
    let count = size.div_ceil(part_size);
    if index >= count {
        let message = format!(
            "Part index {index} is out of range: the upload has {count} parts (0 to {}).",
            count - 1
        );
        return s3_error(StatusCode::BAD_REQUEST, "InvalidArgument", &message);
    }
    if headers.get("content-type").is_none() {
        return s3_error(
            StatusCode::BAD_REQUEST,
            "InvalidRequest",
            "A Content-Type header is required.",
        );
    }
    let expected = if index + 1 == count {
        size - index * part_size
    } else {
        part_size
    };
    let wrong_size = |got: &str| {
        let message = format!(
            "Part {index} must be {expected} bytes (part_size {part_size}; the last part is the remainder), got {got}."
        );
        s3_error(StatusCode::BAD_REQUEST, "InvalidPartSize", &message)
    };
    if upload.options.discard_bodies {
        // Count the bytes as they stream in, keep none (and skip the MD5 ETag).
        let mut stream = body.into_data_stream();
        let mut received = 0u64;
        while let Some(chunk) = futures_util::StreamExt::next(&mut stream).await {
            let Ok(chunk) = chunk else {
                return wrong_size("an interrupted body");
            };
            received += chunk.len() as u64;
            if received > expected {
                return wrong_size("more");
            }
        }
        if received != expected {
            return wrong_size(&received.to_string());
        }
        let mut project = upload.state.lock();
        let Some(multipart) = project.uploads.multipart.get_mut(&uuid) else {
            return no_such_upload();
        };
        multipart.discarded_parts.insert(index as usize, received);
        return (StatusCode::OK, [("etag", format!("\"discarded-{index}\""))]).into_response();
    }
    let Ok(data) = axum::body::to_bytes(body, expected as usize + 1).await else {
        return wrong_size("more");
    };
    if data.len() as u64 != expected {
        return wrong_size(&data.len().to_string());
    }
    let etag = format!("\"{}\"", hex::encode(Md5::digest(&data)));
    let mut project = upload.state.lock();
    let Some(multipart) = project.uploads.multipart.get_mut(&uuid) else {
        return no_such_upload();
    };
    multipart.parts.insert(index as usize, data);
    (StatusCode::OK, [("etag", etag)]).into_response()
}

/// `POST /multipart/complete/`: all parts received → a ready file (stored per the start's
/// `UPLOADCARE_STORE`), answered as `fileUploadInfo`.
pub(super) async fn multipart_complete(
    State(upload): State<Upload>,
    request: Request,
) -> Result<Response, UploadError> {
    let form = read_form(request).await?;
    upload.check_public_key(&form, UPLOADCARE_PUB_KEY)?;
    let uuid = form
        .non_empty("uuid")
        .ok_or_else(|| upload_error("MultipartFileIdRequiredError", &[]))?;
    let uuid: Uuid = uuid
        .trim()
        .parse()
        .map_err(|_| upload_error("UUIDInvalidError", &[]))?;
    let mut project = upload.state.lock();
    let Some(multipart) = project.uploads.multipart.get(&uuid) else {
        return Err(if project.files.contains_key(&uuid) {
            upload_error("MultipartFileAlreadyUploadedError", &[])
        } else {
            upload_error("MultipartFileNotFoundError", &[])
        });
    };
    let received: u64 = multipart.parts.values().map(|p| p.len() as u64).sum::<u64>()
        + multipart.discarded_parts.values().sum::<u64>();
    if received > multipart.size {
        return Err(upload_error("MultipartUploadSizeTooLargeError", &[]));
    }
    if received < multipart.size {
        return Err(upload_error("MultipartUploadSizeTooSmallError", &[]));
    }
    let Some(multipart) = project.uploads.multipart.remove(&uuid) else {
        return Err(upload_error("MultipartFileNotFoundError", &[]));
    };
    let mut file = multipart.file;
    if multipart.discarded_parts.is_empty() {
        let mut data = Vec::with_capacity(multipart.size as usize);
        for part in multipart.parts.values() {
            data.extend_from_slice(part);
        }
        file.data = Bytes::from(data);
    } else {
        file.discarded_size = Some(multipart.size);
    }
    file.mime_type = detect_mime(&file.filename, Some(&file.mime_type), &file.data);
    file.ready = true;
    let now = project.now();
    file.uploaded = now;
    file.stored = multipart.store.unwrap_or(project.autostore).then_some(now);
    let answer = file.to_upload_json();
    project.files.insert(uuid, file);
    project.reindex_for_search(uuid);
    project.webhook_event(EventName::FileUploaded, uuid, &EventCause::Api, None);
    Ok(json_ok(&answer))
}

/// `GET /info/?pub_key=&file_id=`: a live file's `fileUploadInfo`.
pub(super) async fn info(
    State(upload): State<Upload>,
    RawQuery(query): RawQuery,
) -> Result<Response, UploadError> {
    let query = Form::from_query(query.as_deref())?;
    upload.check_public_key(&query, PUB_KEY)?;
    let file_id = query
        .non_empty("file_id")
        .ok_or_else(|| upload_error("FileIdRequiredError", &[]))?;
    let uuid: Uuid = file_id
        .trim()
        .parse()
        .map_err(|_| upload_error("FileIdInvalidError", &[]))?;
    let project = upload.state.lock();
    let file = project
        .live_file(&uuid)
        .ok_or_else(|| upload_error("FileNotFoundError", &[]))?;
    Ok(json_ok(&file.to_upload_json()))
}
