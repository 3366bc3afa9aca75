//! Groups: `POST /group/` and `GET /group/info/`.

use super::form::{read_form, Form};
use super::{json_ok, upload_error, Upload, UploadError, PUB_KEY};
use crate::state::{ApiVersion, Project, Urls};
use axum::extract::{RawQuery, Request, State};
use axum::response::Response;
use serde_json::{json, Value};
use uuid::Uuid;

/// `POST /group/` with `files[0]`, `files[1]`, … or repeated `files[]` (UUIDs or CDN URLs, with operations or not),
/// ordered by index. Answers `groupInfo`.
pub(super) async fn create(State(upload): State<Upload>, request: Request) -> Result<Response, UploadError> {
    let authorization = super::authorization(&request);
    let form = read_form(request).await?;
    upload.check_public_key(&form, PUB_KEY)?;
    upload.check_credential(&form, authorization.as_deref(), "/group/", 0)?;
    // `files[N]` are ordered by N; `files[]` (repeated, as the JS upload client sends them)
    // keep the order they came in, after the indexed ones of the same position.
    let mut entries: Vec<((u64, usize), &str)> = form
        .fields
        .iter()
        .enumerate()
        .filter_map(|(position, (name, value))| {
            let index = name.strip_prefix("files[")?.strip_suffix(']')?;
            let index = if index.is_empty() {
                position as u64
            } else {
                index.parse().ok()?
            };
            Some(((index, position), value.as_str()))
        })
        .collect();
    if entries.is_empty() {
        return Err(upload_error("GroupFilesInvalidError", &[]));
    }
    entries.sort_by_key(|(key, _)| *key);
    let mut files = Vec::with_capacity(entries.len());
    let mut effects = Vec::with_capacity(entries.len());
    for (_, value) in entries {
        let (uuid, effect) = parse_file_reference(value)
            .ok_or_else(|| upload_error("GroupFileURLParsingFailedError", &[&value]))?;
        files.push(uuid);
        effects.push(effect);
    }
    let mut project = upload.state.lock();
    if files.iter().any(|uuid| project.live_file(uuid).is_none()) {
        return Err(upload_error("GroupFilesNotFoundError", &[]));
    }
    let id = project.add_group(files);
    project.uploads.group_effects.insert(id.clone(), effects);
    let body = group_json(&project, &upload.urls, &id).ok_or_else(|| upload_error("UploadAPIError", &[]))?;
    Ok(json_ok(&body))
}

/// `GET /group/info/?pub_key=&group_id=`.
pub(super) async fn info(
    State(upload): State<Upload>,
    RawQuery(query): RawQuery,
) -> Result<Response, UploadError> {
    let query = Form::from_query(query.as_deref())?;
    upload.check_public_key(&query, PUB_KEY)?;
    let id = query
        .non_empty("group_id")
        .ok_or_else(|| upload_error("GroupIdRequiredError", &[]))?;
    let project = upload.state.lock();
    let body = group_json(&project, &upload.urls, id.trim())
        .ok_or_else(|| upload_error("GroupNotFoundError", &[]))?;
    Ok(json_ok(&body))
}

/// A file reference of `/group/`: `<uuid>`, `<uuid>/-/<operations>/`, or a CDN URL
/// (`https://<cdn host>/<uuid>/…`, also the emulator's `…/cdn/<uuid>/…`). Returns the UUID
/// and the operations (`default_effects`: `resize/x800/`, or `""`).
fn parse_file_reference(value: &str) -> Option<(Uuid, String)> {
    let value = value.trim();
    let (is_url, path) = match value.split_once("://") {
        Some(("http" | "https", rest)) => (true, rest.split_once('/')?.1),
        Some(_) => return None,
        None => (false, value),
    };
    let segments: Vec<&str> = path.split('/').collect();
    // A bare reference starts with the UUID; a URL may have a path prefix before it.
    let at = if is_url {
        segments.iter().position(|s| s.parse::<Uuid>().is_ok())?
    } else {
        0
    };
    let uuid: Uuid = segments.get(at)?.parse().ok()?;
    let rest = &segments[at + 1..];
    let effects = match rest.first() {
        Some(&"-") => {
            let operations: Vec<&str> = rest[1..].iter().copied().filter(|s| !s.is_empty()).collect();
            if operations.is_empty() {
                return None;
            }
            format!("{}/", operations.join("/"))
        }
        _ => String::new(),
    };
    Some((uuid, effects))
}

/// The Upload API's `groupInfo`: the group object plus its files (`fileUploadInfo` with
/// `default_effects`; `null` for files removed since).
fn group_json(project: &Project, urls: &Urls, id: &str) -> Option<Value> {
    let group = project.groups.get(id)?;
    let mut body = group.to_json(ApiVersion::V0_6, urls);
    let effects = project.uploads.group_effects.get(id);
    let files: Vec<Value> = group
        .files
        .iter()
        .enumerate()
        .map(|(i, uuid)| match project.live_file(uuid) {
            Some(file) => {
                let mut info = file.to_upload_json();
                let effect = effects.and_then(|e| e.get(i)).map(String::as_str).unwrap_or("");
                info["default_effects"] = json!(effect);
                info
            }
            None => Value::Null,
        })
        .collect();
    body["files"] = Value::Array(files);
    Some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_references() {
        let uuid = "b1026315-8116-4632-8364-607e64fca723";
        let parsed = |v: &str| parse_file_reference(v).map(|(u, e)| (u.to_string(), e));
        assert_eq!(parsed(uuid), Some((uuid.to_owned(), String::new())));
        assert_eq!(
            parsed(&format!("{uuid}/-/resize/x800/")),
            Some((uuid.to_owned(), "resize/x800/".to_owned()))
        );
        assert_eq!(
            parsed(&format!(
                "https://ucarecdn.com/{uuid}/-/resize/x800/-/format/webp/"
            )),
            Some((uuid.to_owned(), "resize/x800/-/format/webp/".to_owned()))
        );
        assert_eq!(
            parsed(&format!("http://127.0.0.1:1/cdn/{uuid}/")),
            Some((uuid.to_owned(), String::new()))
        );
        assert_eq!(parsed("not-a-uuid"), None);
        assert_eq!(parsed(&format!("{uuid}/-/")), None);
        assert_eq!(parsed(&format!("ftp://x/{uuid}/")), None);
    }
}
