//! Copies: local (`POST /files/local_copy/`), remote (`POST /files/remote_copy/`), and
//! 0.5's single copy endpoint (`POST /files/`: remote with `target`, local without).

use super::{detail, json_body, reply, uuid_in_source, Rest};
use crate::state::{ApiVersion, FileRecord, Project};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uploadcare::limits::{is_metadata_key, MAX_METADATA_KEYS, MAX_METADATA_KEY_LEN, MAX_METADATA_VALUE_LEN};

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/files/", post(copy_v0_5))
        .route("/files/local_copy/", post(local_copy))
        .route("/files/remote_copy/", post(remote_copy))
}

const SOURCE_REQUIRED: &str = "`source` parameter is required.";
const BAD_SOURCE: &str = "Bad `source` parameter. Use UUID or CDN URL.";
const BAD_STORE: &str = "`store` parameter should be `true` or `false`.";
const BAD_MAKE_PUBLIC: &str = "`make_public` parameter should be `true` or `false`.";
const NO_STORAGE: &str = "Project has no storage with provided name.";
const NOT_READY: &str = "File is not ready yet.";
const BAD_PATTERN_CHARACTER: &str = "Invalid pattern provided: Invalid character in a pattern.";

/// A JSON object request body, or the service's 400.
pub(super) fn json_object(body: &Bytes) -> Result<Map<String, Value>, Response> {
    match json_body(body)? {
        Value::Object(object) => Ok(object),
        _ => Err(detail(400, "Expected JSON object.")),
    }
}

/// A `"true"`/`"false"` flag (JSON booleans accepted too, like the service); `None` when absent.
fn true_false(value: Option<&Value>) -> Result<Option<bool>, ()> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) => match s.as_str() {
            "true" | "True" => Ok(Some(true)),
            "false" | "False" => Ok(Some(false)),
            _ => Err(()),
        },
        Some(_) => Err(()),
    }
}

/// The live, ready file `source` (a UUID or CDN URL) names.
fn source_file<'p>(project: &'p Project, request: &Map<String, Value>) -> Result<&'p FileRecord, Response> {
    let source = match request.get("source") {
        None | Some(Value::Null) => return Err(detail(400, SOURCE_REQUIRED)),
        Some(Value::String(s)) if s.trim().is_empty() => return Err(detail(400, SOURCE_REQUIRED)),
        Some(Value::String(s)) => s,
        Some(_) => return Err(detail(400, BAD_SOURCE)),
    };
    let file = uuid_in_source(source)
        .and_then(|uuid| project.live_file(&uuid))
        .ok_or_else(|| detail(400, BAD_SOURCE))?;
    if !file.ready {
        return Err(detail(400, NOT_READY));
    }
    Ok(file)
}

/// `metadata` of a local copy (0.7): an object of keys to strings, within the file limits.
fn copy_metadata(value: Option<&Value>) -> Result<BTreeMap<String, String>, Response> {
    let object = match value {
        None | Some(Value::Null) => return Ok(BTreeMap::new()),
        Some(Value::Object(object)) => object,
        Some(_) => return Err(detail(400, "`metadata` must be a JSON object.")),
    };
    if object.len() > MAX_METADATA_KEYS {
        return Err(detail(
            400,
            format!("A file can have at most {MAX_METADATA_KEYS} metadata keys."),
        ));
    }
    let value_error =
        || format!("Metadata value must be a string of 1 to {MAX_METADATA_VALUE_LEN} characters.");
    let mut metadata = BTreeMap::new();
    for (key, value) in object {
        if !is_metadata_key(key) {
            return Err(detail(
                400,
                format!("Invalid metadata key: use 1 to {MAX_METADATA_KEY_LEN} of A-Z a-z 0-9 _ - . :"),
            ));
        }
        let value = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return Err(detail(400, value_error())),
        };
        if !(1..=MAX_METADATA_VALUE_LEN).contains(&value.chars().count()) {
            return Err(detail(400, value_error()));
        }
        metadata.insert(key.clone(), value);
    }
    Ok(metadata)
}

/// Makes a local copy; `Ok` is the copy's file object.
fn make_local_copy(
    rest: &Rest,
    version: ApiVersion,
    request: &Map<String, Value>,
) -> Result<Value, Response> {
    let store = true_false(request.get("store")).map_err(|_| detail(400, BAD_STORE))?;
    let metadata = if version == ApiVersion::V0_7 {
        copy_metadata(request.get("metadata"))?
    } else {
        BTreeMap::new()
    };
    let mut project = rest.state.lock();
    let source = source_file(&project, request)?;
    let (filename, mime_type, data) = (
        source.filename.clone(),
        source.mime_type.clone(),
        source.data.clone(),
    );
    let uuid = project.add_file(&filename, &mime_type, data, Some(store.unwrap_or(false)));
    // A copy gets the request's metadata and no tags (the fact sheets say nothing about
    // copying tags; the metadata of the source is not copied either).
    let Some(copy) = project.files.get_mut(&uuid) else {
        return Err(super::not_found());
    };
    copy.metadata = metadata;
    project.reindex_for_search(uuid);
    project
        .files
        .get(&uuid)
        .map(|copy| copy.to_rest_json(version, &rest.urls, false))
        .ok_or_else(super::not_found)
}

/// Name parts of a file for remote copy patterns: (name without extension, `.ext` or "").
fn name_parts(filename: &str) -> (&str, String) {
    match filename.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() => (stem, format!(".{ext}")),
        _ => (filename, String::new()),
    }
}

/// Expands a remote copy `pattern` for `file`.
fn expand_pattern(pattern: &str, file: &FileRecord) -> Result<String, String> {
    if pattern.chars().any(|c| c.is_control() || c == '\\') {
        return Err(BAD_PATTERN_CHARACTER.to_owned());
    }
    let invalid = || format!("Invalid pattern provided: `{pattern}`");
    let (stem, ext) = name_parts(&file.filename);
    // No CDN operations are applied by the emulator, so `${effects}` is empty.
    let effects = "";
    let auto_filename = format!("{stem}{effects}{ext}");
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after.find('}').ok_or_else(invalid)?;
        match &after[..end] {
            "default" => out.push_str(&format!("{}/{auto_filename}", file.uuid)),
            "auto_filename" => out.push_str(&auto_filename),
            "filename" => out.push_str(stem),
            "uuid" => out.push_str(&file.uuid.to_string()),
            "ext" => out.push_str(&ext),
            "effects" => out.push_str(effects),
            _ => return Err(invalid()),
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    if out.trim_matches('/').is_empty() {
        return Err(invalid());
    }
    Ok(out)
}

/// Makes a remote copy; `Ok` is (status, the `s3://` URL): 201 when copied, 200 when that
/// object already existed.
fn make_remote_copy(rest: &Rest, request: &Map<String, Value>) -> Result<(u16, String), Response> {
    let mut project = rest.state.lock();
    let file = source_file(&project, request)?.clone();
    let target = match request.get("target") {
        Some(Value::String(target)) if project.storages.contains(target) => target.clone(),
        _ => return Err(detail(400, NO_STORAGE)),
    };
    true_false(request.get("make_public")).map_err(|_| detail(400, BAD_MAKE_PUBLIC))?;
    let pattern = match request.get("pattern") {
        None | Some(Value::Null) => "${default}",
        Some(Value::String(pattern)) => pattern.as_str(),
        Some(other) => return Err(detail(400, format!("Invalid pattern provided: `{other}`"))),
    };
    let path = expand_pattern(pattern, &file).map_err(|message| detail(400, message))?;
    let url = format!("s3://{target}/{}", path.trim_start_matches('/'));
    let status = if project.remote_copies.insert(url.clone()) {
        201
    } else {
        200
    };
    Ok((status, url))
}

async fn local_copy(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    let request = match json_object(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    match make_local_copy(&rest, version, &request) {
        Ok(file) => reply(version, 201, &json!({"type": "file", "result": file})),
        Err(response) => response,
    }
}

async fn remote_copy(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    let request = match json_object(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    match make_remote_copy(&rest, &request) {
        Ok((status, url)) => reply(version, status, &json!({"type": "url", "result": url})),
        Err(response) => response,
    }
}

/// `POST /files/` (0.5 only; 0.6 deprecated it): with `target` a remote copy, else a local one.
async fn copy_v0_5(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    body: Bytes,
) -> Response {
    if version != ApiVersion::V0_5 {
        return detail(405, "Method \"POST\" not allowed.");
    }
    let request = match json_object(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let has_target = request.get("target").is_some_and(|t| !t.is_null());
    if has_target {
        match make_remote_copy(&rest, &request) {
            Ok((status, url)) => reply(version, status, &json!({"type": "url", "result": url})),
            Err(response) => response,
        }
    } else {
        match make_local_copy(&rest, version, &request) {
            Ok(file) => reply(version, 201, &json!({"type": "file", "result": file})),
            Err(response) => response,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str) -> FileRecord {
        let mut project = Project::new("p", "k", "s");
        let uuid = project.add_file(name, "image/jpeg", Bytes::from_static(b"x"), None);
        project.files.remove(&uuid).unwrap()
    }

    #[test]
    fn patterns_expand_like_the_service_describes() {
        let f = file("mountain-lake.jpg");
        let u = f.uuid;
        assert_eq!(
            expand_pattern("${default}", &f).unwrap(),
            format!("{u}/mountain-lake.jpg")
        );
        assert_eq!(
            expand_pattern("${auto_filename}", &f).unwrap(),
            "mountain-lake.jpg"
        );
        assert_eq!(expand_pattern("${uuid}${ext}", &f).unwrap(), format!("{u}.jpg"));
        assert_eq!(
            expand_pattern("a/${filename}-${effects}x", &f).unwrap(),
            "a/mountain-lake-x"
        );
        assert!(expand_pattern("${nope}", &f).unwrap_err().contains("`${nope}`"));
        assert!(expand_pattern("${uuid", &f).is_err());
        assert_eq!(expand_pattern("a\\b", &f).unwrap_err(), BAD_PATTERN_CHARACTER);
        let bare = file("README");
        assert_eq!(expand_pattern("${filename}${ext}", &bare).unwrap(), "README");
    }
}
