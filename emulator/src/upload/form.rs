//! Request bodies and queries of the Upload API as ordered fields plus file parts.
//!
//! POST bodies may be `multipart/form-data` or `application/x-www-form-urlencoded` (the service
//! accepts the latter for the endpoints that carry no file bytes; `/base/` then simply finds
//! no file). Any other body is `PostRequestParserFailedError`.

use super::errors::{upload_error, UploadError};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, Request};
use axum::http::StatusCode;

/// Most form fields (file parts included) one request may carry.
pub(crate) const MAX_FIELDS: usize = 1000;
/// Largest `application/x-www-form-urlencoded` body read.
const MAX_URLENCODED_BODY: usize = 1 << 20;

/// A file part of a `multipart/form-data` body.
#[derive(Clone, Debug)]
pub(crate) struct FilePart {
    /// The form-field name (the key of the `/base/` answer).
    pub name: String,
    /// The part's `filename`, when given.
    pub filename: Option<String>,
    /// The part's `Content-Type`, when given.
    pub content_type: Option<String>,
    /// The bytes.
    pub data: Bytes,
}

/// The fields of a request, in order, and its file parts.
#[derive(Clone, Debug, Default)]
pub(crate) struct Form {
    pub fields: Vec<(String, String)>,
    pub files: Vec<FilePart>,
}

impl Form {
    /// The first value of field `name`.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first non-empty value of field `name`.
    pub fn non_empty(&self, name: &str) -> Option<&str> {
        self.get(name).filter(|v| !v.is_empty())
    }

    /// A query string's pairs (for the GET endpoints).
    pub fn from_query(query: Option<&str>) -> Result<Self, UploadError> {
        let fields: Vec<(String, String)> = match query {
            None => Vec::new(),
            Some(query) => {
                serde_urlencoded::from_str(query).map_err(|_| upload_error("BaseViewsError", &[]))?
            }
        };
        check_nulls(&fields)?;
        Ok(Self {
            fields,
            files: Vec::new(),
        })
    }
}

/// Whether a part is a file: it has a `filename`, or a `Content-Type` other than `text/plain`
/// (plain fields sent by form encoders carry neither).
fn is_file_part(filename: Option<&str>, content_type: Option<&str>) -> bool {
    filename.is_some() || content_type.is_some_and(|ct| !ct.starts_with("text/plain"))
}

fn check_nulls(fields: &[(String, String)]) -> Result<(), UploadError> {
    if fields.iter().any(|(k, v)| k.contains('\0') || v.contains('\0')) {
        return Err(upload_error("NullCharactersForbiddenError", &[]));
    }
    Ok(())
}

fn body_error(status: StatusCode) -> UploadError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        upload_error("RequestSizeLimitExceededError", &[])
    } else {
        upload_error("PostRequestParserFailedError", &[])
    }
}

/// Reads a POST body. The multipart body's size limit is the route's `DefaultBodyLimit`;
/// going over it is `RequestSizeLimitExceededError` (413).
///
/// Parameters in the query string count as fields too, after the body's (the service reads
/// both; the JS upload client sends `/from_url/` entirely in the query).
pub(crate) async fn read_form(request: Request) -> Result<Form, UploadError> {
    let query = Form::from_query(request.uri().query())?;
    let mut form = read_body(request).await?;
    form.fields
        .extend(query.fields.into_iter().filter(|(name, _)| name != "jsonerrors"));
    if form.fields.len() + form.files.len() > MAX_FIELDS {
        return Err(upload_error("RequestFiledsNumberLimitExceededError", &[]));
    }
    Ok(form)
}

async fn read_body(request: Request) -> Result<Form, UploadError> {
    let content_type = request
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let mut form = Form::default();
    if content_type.starts_with("multipart/form-data") {
        let mut multipart = Multipart::from_request(request, &())
            .await
            .map_err(|_| upload_error("PostRequestParserFailedError", &[]))?;
        while let Some(field) = multipart.next_field().await.map_err(|e| body_error(e.status()))? {
            if form.fields.len() + form.files.len() >= MAX_FIELDS {
                return Err(upload_error("RequestFiledsNumberLimitExceededError", &[]));
            }
            let name = field.name().unwrap_or("").to_owned();
            let filename = field.file_name().map(str::to_owned);
            let part_type = field.content_type().map(str::to_owned);
            let data = field.bytes().await.map_err(|e| body_error(e.status()))?;
            if is_file_part(filename.as_deref(), part_type.as_deref()) {
                if name.contains('\0') {
                    return Err(upload_error("NullCharactersForbiddenError", &[]));
                }
                form.files.push(FilePart {
                    name,
                    filename,
                    content_type: part_type,
                    data,
                });
            } else {
                let value = String::from_utf8(data.to_vec())
                    .map_err(|_| upload_error("PostRequestParserFailedError", &[]))?;
                form.fields.push((name, value));
            }
        }
    } else if content_type.is_empty() || content_type.starts_with("application/x-www-form-urlencoded") {
        let body = axum::body::to_bytes(request.into_body(), MAX_URLENCODED_BODY)
            .await
            .map_err(|_| upload_error("RequestSizeLimitExceededError", &[]))?;
        form.fields = serde_urlencoded::from_bytes(&body)
            .map_err(|_| upload_error("PostRequestParserFailedError", &[]))?;
        if form.fields.len() > MAX_FIELDS {
            return Err(upload_error("RequestFiledsNumberLimitExceededError", &[]));
        }
    } else {
        return Err(upload_error("PostRequestParserFailedError", &[]));
    }
    check_nulls(&form.fields)?;
    Ok(form)
}
