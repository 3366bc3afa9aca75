//! The Upload API operations progenitor cannot generate (multipart/form-data bodies with
//! dynamic field names, and the PUT of a part to a presigned URL), written by hand on the
//! generated models, the shared configuration and the shared error type.

use super::types::{self, StoreType};
use super::Client;
use crate::error::{truncated, Error, Result};
use crate::ApiErrorBody;
use reqwest::multipart::{Form, Part};
use std::collections::BTreeMap;

pub(crate) use super::body::{byte_chunks, counted_body, file_region, ProgressFn, Tally};
pub use super::source::UploadSource;
pub use crate::limits::{
    MAX_DIRECT_SIZE, MAX_METADATA_KEYS, MAX_METADATA_KEY_LEN, MAX_METADATA_VALUE_LEN, MAX_PART_SIZE,
    MIN_MULTIPART_SIZE, MIN_PART_SIZE,
};

/// Checks metadata against the API's limits: at most 50 keys; keys of 1–64 characters from
/// `A-Z a-z 0-9 _ - . :`; values of 1–512 characters.
pub fn validate_metadata(metadata: &BTreeMap<String, String>) -> Result<()> {
    if metadata.len() > MAX_METADATA_KEYS {
        return Err(Error::InvalidInput(format!(
            "at most {MAX_METADATA_KEYS} metadata keys per file, got {}",
            metadata.len()
        )));
    }
    for (key, value) in metadata {
        if !crate::limits::is_metadata_key(key) {
            return Err(Error::InvalidInput(format!(
                "metadata key `{key}` must be 1 to {MAX_METADATA_KEY_LEN} characters of A-Z a-z 0-9 _ - . :"
            )));
        }
        if !(1..=MAX_METADATA_VALUE_LEN).contains(&value.chars().count()) {
            return Err(Error::InvalidInput(format!(
                "metadata value of `{key}` must be 1 to {MAX_METADATA_VALUE_LEN} characters, got {}",
                value.chars().count()
            )));
        }
    }
    Ok(())
}

/// The content type for `filename`, guessed from its extension.
pub fn guess_content_type(filename: &str) -> String {
    mime_guess::from_path(filename)
        .first_or_octet_stream()
        .essence_str()
        .to_owned()
}

/// A form field name made from any text (e.g. a file's base name): every character that
/// multipart encoders would move into the RFC 5987 `name*=utf-8''…` form (non-ASCII,
/// spaces, controls, `"<>`#?{}/%`) becomes `_`, because form parsers read only `name="…"`
/// and would see an empty name.
///
/// ```
/// assert_eq!(uploadcare::upload::form_field_name("café menu (v2).pdf"), "caf__menu_(v2).pdf");
/// ```
pub fn form_field_name(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_graphic() && !"\"<>`#?{}/%".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// One file of a direct upload.
#[derive(Debug)]
pub struct DirectFile {
    /// The form field name (the answer maps it to the file's UUID); it must be unchanged by
    /// [`form_field_name`].
    pub field: String,
    /// File name sent to the service.
    pub filename: String,
    /// Content type; guessed from the file name when `None`.
    pub content_type: Option<String>,
    /// The content.
    pub source: UploadSource,
}

/// Fields of `/multipart/start/`.
#[derive(Clone, Debug)]
pub struct MultipartStart {
    /// Original file name.
    pub filename: String,
    /// Exact size in bytes (at least [`MIN_MULTIPART_SIZE`]).
    pub size: u64,
    /// Content type of the file.
    pub content_type: String,
    /// Part size, [`MIN_PART_SIZE`]..=[`MAX_PART_SIZE`].
    pub part_size: u64,
    /// Whether to store the file.
    pub store: StoreType,
    /// File metadata.
    pub metadata: BTreeMap<String, String>,
    /// File tags (checked and normalized before sending).
    pub tags: Vec<String>,
}

impl std::fmt::Debug for FormFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FormFile")
            .field("field", &self.field)
            .field("filename", &self.filename)
            .field("content_type", &self.content_type)
            .field("len", &self.len)
            .field("progress", &self.progress.is_some())
            .field("source", &self.source)
            .finish()
    }
}

/// A `multipart/form-data` POST of the Upload API, kept as data so that it can be built
/// again for every attempt.
#[derive(Debug)]
pub(crate) struct FormRequest {
    path: &'static str,
    /// The field that carries the public key (`UPLOADCARE_PUB_KEY` or `pub_key`).
    key_field: &'static str,
    /// Whether `signature` and `expire` are added when uploads are signed.
    signed: bool,
    fields: Vec<(String, String)>,
    files: Vec<FormFile>,
}

/// A file part of a [`FormRequest`].
struct FormFile {
    field: String,
    filename: String,
    content_type: String,
    len: u64,
    /// Called with the bytes of this file handed to the connection so far (from 0 on
    /// every attempt).
    progress: Option<ProgressFn>,
    /// `None` once a one-shot reader has been used by an attempt.
    source: Option<UploadSource>,
}

/// The attempts of one [`FormRequest`].
struct FormAttempts<'a> {
    client: &'a Client,
    url: String,
    form: &'a mut FormRequest,
    /// The file bytes of the current attempt handed over so far.
    tally: Tally,
    /// The `Authorization` value of the current attempt, if it carries a token.
    bearer: Option<reqwest::header::HeaderValue>,
}

impl crate::runtime::Attempts for FormAttempts<'_> {
    type Error = Error;

    async fn next_request(&mut self) -> Result<reqwest::Request> {
        self.tally = Tally::default();
        let body = self.form.build(self.client.inner.config(), &self.tally).await?;
        let mut request = self.client.inner.http().post(&self.url).multipart(body).build()?;
        crate::runtime::prepare_upload_request(&mut request, &self.client.inner);
        if let Some(token) = self.client.inner.config().upload_token() {
            // Every attempt takes the token of the moment (a provider may have a new one).
            let bearer = token.bearer().await?;
            self.bearer = Some(bearer.clone());
            request
                .headers_mut()
                .insert(reqwest::header::AUTHORIZATION, bearer);
        }
        Ok(request)
    }

    fn repeatable(&self) -> bool {
        // A one-shot reader cannot be sent twice.
        self.form
            .files
            .iter()
            .all(|f| f.source.as_ref().is_some_and(|s| s.try_clone().is_some()))
    }

    fn body_sent(&self) -> bool {
        self.tally.get() >= self.form.files.iter().map(|f| f.len).sum::<u64>()
    }

    fn sent(&self) -> Option<&std::sync::atomic::AtomicU64> {
        Some(self.tally.counter())
    }
}

impl FormRequest {
    pub(crate) fn new(path: &'static str, key_field: &'static str, signed: bool) -> Self {
        Self {
            path,
            key_field,
            signed,
            fields: Vec::new(),
            files: Vec::new(),
        }
    }

    pub(crate) fn text(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The form of one attempt: the public key, a signature valid from now on (when
    /// uploads are signed), the fields and the files' bodies.
    async fn build(&mut self, config: &crate::Config, tally: &Tally) -> Result<Form> {
        let mut form = Form::new().text(self.key_field, config.public_key().to_owned());
        if self.signed {
            if let Some((signature, expire)) = config.upload_signature() {
                form = form
                    .text("signature", signature)
                    .text("expire", expire.to_string());
            }
        }
        for (name, value) in &self.fields {
            form = form.text(name.clone(), value.clone());
        }
        for file in &mut self.files {
            // Bytes and paths stay for the next attempt; a reader is used up by this one.
            let again = file.source.as_ref().and_then(UploadSource::try_clone);
            let source = match std::mem::replace(&mut file.source, again) {
                Some(source) => source,
                None => {
                    return Err(Error::InvalidInput(format!(
                        "`{}` comes from a reader that an earlier attempt used up",
                        file.filename
                    )))
                }
            };
            let body = source.into_counted_body(tally, file.progress.clone()).await?;
            let part = Part::stream_with_length(body, file.len)
                .file_name(file.filename.clone())
                .mime_str(&file.content_type)
                .map_err(|_| Error::InvalidInput(format!("invalid content type `{}`", file.content_type)))?;
            form = form.part(file.field.clone(), part);
        }
        Ok(form)
    }
}

impl Client {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.upload_base_url())
    }

    /// Sends a hand-built Upload API POST and parses the answer. The form is built anew for
    /// every attempt (fresh `signature`/`expire`, file bodies re-read), so it is retried like
    /// every other request — unless a file comes from a one-shot reader. `operation` names
    /// it in the document's table (what repeating it can do).
    pub(crate) async fn send_form<T: serde::de::DeserializeOwned>(
        &self,
        operation: &str,
        mut form: FormRequest,
    ) -> Result<T> {
        let op = crate::runtime::Op {
            name: operation,
            kind: super::operation_class(operation),
            api: crate::runtime::Api::Upload,
        };
        let mut attempts = FormAttempts {
            client: self,
            url: self.url(form.path),
            form: &mut form,
            tally: Tally::default(),
            bearer: None,
        };
        let mut token_refreshed = false;
        loop {
            let answer = crate::runtime::send_with_retries(&self.inner, &op, &mut attempts)
                .await
                .map_err(|failure| failure.into_error(&op))?
                .normalized();
            // An expired or spent auth token from a provider: a new one, and once more
            // (one such retry per request, besides the pipeline's own).
            let refresh = !token_refreshed
                && self.inner.config().upload_token().is_some_and(|token| {
                    token.refresh_after(answer.status.as_u16(), &answer.body, attempts.bearer.as_ref())
                });
            if refresh && crate::runtime::Attempts::repeatable(&attempts) {
                token_refreshed = true;
                tracing::info!(
                    operation,
                    "the auth token was refused as expired or spent; fetching a new one"
                );
                continue;
            }
            return parse_answer(answer);
        }
    }

    /// `POST /base/`: uploads one or more files (each below [`MAX_DIRECT_SIZE`]) and returns
    /// their UUIDs by form field name.
    pub async fn direct_upload(
        &self,
        files: Vec<DirectFile>,
        store: StoreType,
        metadata: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, uuid::Uuid>> {
        self.direct_upload_tagged(files, store, metadata, &[]).await
    }

    /// [`Client::direct_upload`] with file tags (checked and normalized first; every file
    /// of the request gets them).
    pub async fn direct_upload_tagged(
        &self,
        files: Vec<DirectFile>,
        store: StoreType,
        metadata: &BTreeMap<String, String>,
        tags: &[String],
    ) -> Result<BTreeMap<String, uuid::Uuid>> {
        self.direct_upload_reporting(files, store, metadata, tags, &[])
            .await
    }

    /// [`Client::direct_upload_tagged`] reporting the bytes of each file sent so far:
    /// `progress[i]` (when there is one) for `files[i]`.
    pub(crate) async fn direct_upload_reporting(
        &self,
        files: Vec<DirectFile>,
        store: StoreType,
        metadata: &BTreeMap<String, String>,
        tags: &[String],
        progress: &[Option<ProgressFn>],
    ) -> Result<BTreeMap<String, uuid::Uuid>> {
        let tags = crate::tags::normalize_tags(tags)?;
        if files.is_empty() {
            return Err(Error::InvalidInput(
                "a direct upload needs at least one file".to_owned(),
            ));
        }
        validate_metadata(metadata)?;
        let mut form =
            FormRequest::new("/base/", "UPLOADCARE_PUB_KEY", true).text("UPLOADCARE_STORE", store.as_str());
        for (key, value) in metadata {
            form = form.text(format!("metadata[{key}]"), value);
        }
        if !tags.is_empty() {
            form = form.text("tags", tags.join(","));
        }
        for (index, file) in files.into_iter().enumerate() {
            if file.field.is_empty() || form_field_name(&file.field) != file.field {
                return Err(Error::InvalidInput(format!(
                    "form field name `{}` must be non-empty printable ASCII without spaces or any of \"<>`#?{{}}/% \
                     (see `form_field_name`)",
                    file.field
                )));
            }
            let len = file.source.len().await?;
            if len >= MAX_DIRECT_SIZE {
                return Err(Error::InvalidInput(format!(
                    "`{}` has {len} bytes; direct uploads take less than {MAX_DIRECT_SIZE}, use a multipart upload",
                    file.filename
                )));
            }
            let content_type = file
                .content_type
                .unwrap_or_else(|| guess_content_type(&file.filename));
            if content_type.parse::<mime_guess::mime::Mime>().is_err() {
                return Err(Error::InvalidInput(format!(
                    "invalid content type `{content_type}`"
                )));
            }
            form.files.push(FormFile {
                field: file.field,
                filename: file.filename,
                content_type,
                len,
                progress: progress.get(index).cloned().flatten(),
                source: Some(file.source),
            });
        }
        self.send_form("base_upload", form).await
    }

    /// `POST /multipart/start/`: opens a multipart upload and returns the part URLs.
    pub async fn multipart_start(&self, start: &MultipartStart) -> Result<types::MultipartStartResponse> {
        if start.size < MIN_MULTIPART_SIZE {
            return Err(Error::InvalidInput(format!(
                "multipart uploads take files of at least {MIN_MULTIPART_SIZE} bytes, got {}",
                start.size
            )));
        }
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&start.part_size) {
            return Err(Error::InvalidInput(format!(
                "part size must be {MIN_PART_SIZE} to {MAX_PART_SIZE} bytes, got {}",
                start.part_size
            )));
        }
        validate_metadata(&start.metadata)?;
        let mut form = FormRequest::new("/multipart/start/", "UPLOADCARE_PUB_KEY", true)
            .text("filename", &start.filename)
            .text("size", start.size.to_string())
            .text("content_type", &start.content_type)
            .text("part_size", start.part_size.to_string())
            .text("UPLOADCARE_STORE", start.store.as_str());
        for (key, value) in &start.metadata {
            form = form.text(format!("metadata[{key}]"), value);
        }
        let tags = crate::tags::normalize_tags(&start.tags)?;
        if !tags.is_empty() {
            form = form.text("tags", tags.join(","));
        }
        self.send_form("multipart_file_upload_start", form).await
    }

    /// `POST /multipart/complete/`: finishes a multipart upload once every part is in.
    pub async fn multipart_complete(&self, uuid: uuid::Uuid) -> Result<types::FileUploadInfo> {
        let form = FormRequest::new("/multipart/complete/", "UPLOADCARE_PUB_KEY", false)
            .text("uuid", uuid.to_string());
        self.send_form("multipart_file_upload_complete", form).await
    }

    /// `POST /group/`: creates a group of files, given as UUIDs or CDN URLs (which may
    /// carry processing operations).
    pub async fn create_group<I, S>(&self, files: I) -> Result<types::GroupInfo>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let files: Vec<String> = files.into_iter().map(Into::into).collect();
        if files.is_empty() {
            return Err(Error::InvalidInput("a group needs at least one file".to_owned()));
        }
        let mut form = FormRequest::new("/group/", "pub_key", true);
        for (i, file) in files.into_iter().enumerate() {
            form = form.text(format!("files[{i}]"), file);
        }
        self.send_form("create_files_group", form).await
    }

    /// `GET /info/` for one file (the public key comes from the configuration).
    pub async fn info(&self, uuid: uuid::Uuid) -> Result<types::FileUploadInfo> {
        let public_key = self.inner.config().public_key().to_owned();
        Ok(self
            .file_upload_info()
            .pub_key(public_key)
            .file_id(uuid)
            .send()
            .await?
            .into_inner())
    }

    /// `GET /group/info/` for one group.
    pub async fn group_info(&self, group_id: &str) -> Result<types::GroupInfo> {
        let public_key = self.inner.config().public_key().to_owned();
        Ok(self
            .files_group_info()
            .pub_key(public_key)
            .group_id(group_id)
            .send()
            .await?
            .into_inner())
    }

    /// `GET /from_url/status/` for one token.
    pub async fn from_url_status(&self, token: uuid::Uuid) -> Result<types::FromUrlUploadStatus> {
        Ok(self
            .from_url_upload_status()
            .token(token)
            .send()
            .await?
            .into_inner())
    }
}

/// Parses an Upload API answer (read whole, its error body normalized): the JSON body of a
/// success, else the typed error.
pub(crate) fn parse_answer<T: serde::de::DeserializeOwned>(answer: crate::runtime::Answer) -> Result<T> {
    if answer.status.is_success() {
        return crate::runtime::parse_json(&answer.body).map_err(|e| Error::InvalidResponse {
            message: e.to_string(),
            body: truncated(&answer.body),
        });
    }
    Err(error_answer(&answer))
}

/// The typed error of an error answer (its body normalized to JSON by the pipeline).
pub(crate) fn error_answer(answer: &crate::runtime::Answer) -> Error {
    let body = serde_json::from_slice(&answer.body).unwrap_or(ApiErrorBody(serde_json::Value::Null));
    Error::from_error_body(answer.status.as_u16(), &answer.headers, body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_hand_written_operations_are_classified_by_the_document() {
        use crate::retry::OperationKind::{Creating, Idempotent};
        for (id, kind) in [
            ("base_upload", Creating),
            ("multipart_file_upload_start", Creating),
            ("multipart_file_upload_part", Idempotent),
            ("multipart_file_upload_complete", Idempotent),
            ("from_url_upload", Creating),
            ("create_files_group", Creating),
        ] {
            assert_eq!(super::super::operation_kind(id), Some(kind), "{id}");
        }
    }

    #[test]
    fn metadata_limits_are_checked() {
        assert!(validate_metadata(&meta(&[("subsystem", "gallery"), ("a.b:c-d_e", "x")])).is_ok());
        assert!(validate_metadata(&meta(&[("bad key", "x")])).is_err());
        assert!(validate_metadata(&meta(&[("", "x")])).is_err());
        assert!(validate_metadata(&meta(&[(&"k".repeat(65), "x")])).is_err());
        assert!(validate_metadata(&meta(&[("k", "")])).is_err());
        assert!(validate_metadata(&meta(&[("k", &"v".repeat(513))])).is_err());
        assert!(validate_metadata(&meta(&[("k", &"v".repeat(512))])).is_ok());
        let many: BTreeMap<String, String> = (0..51).map(|i| (format!("k{i}"), "v".to_owned())).collect();
        assert!(validate_metadata(&many).is_err());
    }

    #[test]
    fn field_names_are_base_names_that_travel_as_name_quoted() {
        assert_eq!(form_field_name("photo-1_final.v2.JPG"), "photo-1_final.v2.JPG");
        assert_eq!(
            form_field_name("a (copy) [1] @x+y=z;!$&'*,:~.txt"),
            "a_(copy)_[1]_@x+y=z;!$&'*,:~.txt"
        );
        assert_eq!(
            form_field_name("caf\u{e9} \"50%\"#?{}<>`.txt"),
            "caf___50_________.txt"
        );
    }

    #[test]
    fn content_types_are_guessed_from_names() {
        assert_eq!(guess_content_type("photo.JPG"), "image/jpeg");
        assert_eq!(guess_content_type("notes.txt"), "text/plain");
        assert_eq!(guess_content_type("no-extension"), "application/octet-stream");
    }
}
