//! The emulated project: everything the REST and Upload APIs read and change, in memory,
//! plus how each object looks on the wire in each REST API version.

pub use crate::records::Urls;
use bytes::Bytes;
use chrono::{DateTime, SecondsFormat, SubsecRound, Utc};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// A REST API version the emulator answers in (selected by the `Accept` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVersion {
    /// `application/vnd.uploadcare-v0.5+json`
    V0_5,
    /// `application/vnd.uploadcare-v0.6+json`
    V0_6,
    /// `application/vnd.uploadcare-v0.7+json`
    V0_7,
}

impl ApiVersion {
    /// Parses an `Accept` header value.
    pub fn from_accept(accept: &str) -> Option<Self> {
        match accept.trim() {
            "application/vnd.uploadcare-v0.5+json" => Some(Self::V0_5),
            "application/vnd.uploadcare-v0.6+json" => Some(Self::V0_6),
            "application/vnd.uploadcare-v0.7+json" => Some(Self::V0_7),
            _ => None,
        }
    }

    /// The version's `Content-Type` for JSON answers.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::V0_5 => "application/vnd.uploadcare-v0.5+json",
            Self::V0_6 => "application/vnd.uploadcare-v0.6+json",
            Self::V0_7 => "application/vnd.uploadcare-v0.7+json",
        }
    }

    /// `"0.5"`, `"0.6"` or `"0.7"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V0_5 => "0.5",
            Self::V0_6 => "0.6",
            Self::V0_7 => "0.7",
        }
    }
}

/// Formats a timestamp the way the service does (`2024-03-05T11:12:40.543218Z`).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A file of the project.
#[derive(Clone, Debug)]
pub struct FileRecord {
    /// The file's UUID.
    pub uuid: Uuid,
    /// Original file name.
    pub filename: String,
    /// MIME type.
    pub mime_type: String,
    /// The content (empty when the emulator discarded it: see `discarded_size`).
    pub data: Bytes,
    /// The size of a body the emulator counted but did not keep
    /// ([`EmulatorBuilder::discard_upload_bodies`](crate::EmulatorBuilder::discard_upload_bodies)).
    pub discarded_size: Option<u64>,
    /// Upload time.
    pub uploaded: DateTime<Utc>,
    /// Store time, when stored.
    pub stored: Option<DateTime<Utc>>,
    /// Removal time, when removed.
    pub removed: Option<DateTime<Utc>>,
    /// `false` while a conversion or copy still produces it.
    pub ready: bool,
    /// File metadata (key → value).
    pub metadata: BTreeMap<String, String>,
    /// Add-on results (`appdata`), by add-on name.
    pub appdata: Map<String, Value>,
    /// Tags (REST API 0.7), normalized, in storage order (see the tag endpoints).
    pub tags: Vec<String>,
    /// The URL it was fetched from, set only when the upload asked for
    /// `save_URL_duplicates` (so later `check_URL_duplicates` uploads find it).
    pub source_url: Option<String>,
}

impl FileRecord {
    /// The file's size in bytes (also for a discarded body).
    pub fn size(&self) -> u64 {
        self.discarded_size.unwrap_or(self.data.len() as u64)
    }

    /// Whether the content is an image the emulator recognizes.
    pub fn image_size(&self) -> Option<(u32, u32, &'static str)> {
        image_dimensions(&self.data)
    }

    /// Whether the file is an image (`null` while not ready, like the service).
    fn is_image(&self) -> Value {
        if !self.ready {
            Value::Null
        } else {
            Value::Bool(self.image_size().is_some())
        }
    }

    /// The file's CDN URL on the emulator.
    pub fn cdn_url(&self, cdn_base: &str) -> String {
        format!("{cdn_base}/{}/", self.uuid)
    }

    /// The file object of REST API `version`.
    pub fn to_rest_json(&self, version: ApiVersion, urls: &Urls, include_appdata: bool) -> Value {
        let image_info = self
            .image_size()
            .filter(|_| self.ready)
            .map(|(width, height, format)| {
                json!({
                    "color_mode": "RGB", "orientation": null, "format": format, "sequence": false,
                    "height": height, "width": width, "geo_location": null, "datetime_original": null,
                    "dpi": null
                })
            });
        let original_file_url = if self.removed.is_some() || !self.ready {
            Value::Null
        } else {
            Value::String(format!("{}{}", self.cdn_url(&urls.cdn), self.filename))
        };
        let mut file = json!({
            "datetime_removed": self.removed.map(timestamp),
            "datetime_stored": self.stored.map(timestamp),
            "datetime_uploaded": timestamp(self.uploaded),
            "is_image": self.is_image(),
            "is_ready": self.ready,
            "mime_type": if self.ready { self.mime_type.as_str() } else { "" },
            "original_file_url": original_file_url,
            "original_filename": if self.ready { self.filename.as_str() } else { "" },
            "size": if self.ready { self.size() } else { 0 },
            "url": format!("{}/files/{}/", urls.rest, self.uuid),
            "uuid": self.uuid.to_string(),
        });
        let object = file.as_object_mut().expect("a JSON object");
        match version {
            ApiVersion::V0_7 => {
                object.insert("variations".into(), Value::Null);
                let content_info = self.ready.then(|| {
                    let (kind, subtype) = self
                        .mime_type
                        .split_once('/')
                        .unwrap_or(("application", "octet-stream"));
                    let mut info =
                        json!({"mime": {"mime": self.mime_type, "type": kind, "subtype": subtype}});
                    if let Some(image) = &image_info {
                        info["image"] = image.clone();
                    }
                    info
                });
                object.insert("content_info".into(), json!(content_info));
                object.insert("metadata".into(), json!(self.metadata));
                object.insert("tags".into(), json!(self.tags));
                if include_appdata {
                    object.insert("appdata".into(), Value::Object(self.appdata.clone()));
                }
            }
            ApiVersion::V0_6 | ApiVersion::V0_5 => {
                object.insert("image_info".into(), json!(image_info));
                if version == ApiVersion::V0_6 {
                    object.insert("video_info".into(), Value::Null);
                    object.insert("variations".into(), Value::Null);
                    if include_appdata {
                        let labels = self.appdata.get("aws_rekognition_detect_labels").cloned();
                        object.insert("rekognition_info".into(), labels.unwrap_or_else(|| json!({})));
                    }
                }
            }
        }
        file
    }

    /// The Upload API's `fileUploadInfo` object.
    pub fn to_upload_json(&self) -> Value {
        let image_info = self.image_size().map(|(width, height, format)| {
            json!({
                "color_mode": "RGB", "orientation": null, "format": format, "sequence": false,
                "height": height, "width": width, "geo_location": null, "datetime_original": null,
                "dpi": null
            })
        });
        let (kind, subtype) = self
            .mime_type
            .split_once('/')
            .unwrap_or(("application", "octet-stream"));
        let mut content_info = json!({"mime": {"mime": self.mime_type, "type": kind, "subtype": subtype}});
        if let Some(image) = &image_info {
            content_info["image"] = image.clone();
        }
        json!({
            "uuid": self.uuid.to_string(),
            "file_id": self.uuid.to_string(),
            "size": self.size(),
            "total": self.size(),
            "done": self.size(),
            "original_filename": self.filename,
            "filename": sanitized_filename(&self.filename),
            "mime_type": self.mime_type,
            "is_image": image_info.is_some(),
            "is_stored": self.stored.is_some(),
            "is_ready": self.ready,
            "image_info": image_info,
            "video_info": null,
            "content_info": content_info,
            "metadata": self.metadata,
            "s3_bucket": null,
            "default_effects": "",
        })
    }
}

/// What the service does to names in `filename`: keeps only `A-Z a-z 0-9 . _`
/// (`IMG-0412_123.JPG` → `IMG0412_123.JPG`).
fn sanitized_filename(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
        .collect()
}

/// Width, height and format name of PNG, GIF and JPEG content.
pub fn image_dimensions(data: &[u8]) -> Option<(u32, u32, &'static str)> {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let width = u32::from_be_bytes(data[16..20].try_into().ok()?);
        let height = u32::from_be_bytes(data[20..24].try_into().ok()?);
        return Some((width, height, "PNG"));
    }
    if data.len() >= 10 && (data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        let width = u16::from_le_bytes([data[6], data[7]]) as u32;
        let height = u16::from_le_bytes([data[8], data[9]]) as u32;
        return Some((width, height, "GIF"));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the JPEG segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            let length = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let height = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let width = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return Some((width, height, "JPEG"));
            }
            i += 2 + length;
        }
    }
    None
}

/// A file group (`<uuid>~<count>`).
#[derive(Clone, Debug)]
pub struct GroupRecord {
    /// `UUID~N`.
    pub id: String,
    /// The files, in order.
    pub files: Vec<Uuid>,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// When all files were stored through the group (0.5/0.6 "store group").
    pub stored: Option<DateTime<Utc>>,
}

impl GroupRecord {
    /// The group object (without files).
    pub fn to_json(&self, version: ApiVersion, urls: &Urls) -> Value {
        let mut group = json!({
            "id": self.id,
            "datetime_created": timestamp(self.created),
            "files_count": self.files.len(),
            "cdn_url": format!("{}/{}/", urls.cdn, self.id),
            "url": format!("{}/groups/{}/", urls.rest, self.id),
        });
        if version != ApiVersion::V0_7 {
            group["datetime_stored"] = json!(self.stored.map(timestamp));
        }
        group
    }
}

/// A webhook subscription. Its `Debug` output leaves the signing secret out.
#[derive(Clone)]
pub struct WebhookRecord {
    /// Numeric id.
    pub id: i64,
    /// Delivery URL.
    pub target_url: String,
    /// Event name.
    pub event: String,
    /// Whether deliveries are made.
    pub is_active: bool,
    /// Delivery signing secret.
    pub signing_secret: Option<String>,
    /// Payload version.
    pub version: String,
    /// Creation time.
    pub created: DateTime<Utc>,
    /// Last update time.
    pub updated: DateTime<Utc>,
}

impl std::fmt::Debug for WebhookRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookRecord")
            .field("id", &self.id)
            .field("target_url", &self.target_url)
            .field("event", &self.event)
            .field("is_active", &self.is_active)
            .field(
                "signing_secret",
                &self.signing_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("version", &self.version)
            .field("created", &self.created)
            .field("updated", &self.updated)
            .finish()
    }
}

impl WebhookRecord {
    /// The webhook object.
    pub fn to_json(&self, project_id: i64) -> Value {
        json!({
            "id": self.id,
            "project": project_id,
            "created": timestamp(self.created),
            "updated": timestamp(self.updated),
            "event": self.event,
            "target_url": self.target_url,
            "is_active": self.is_active,
            "signing_secret": self.signing_secret,
            "version": self.version,
        })
    }
}

/// A long-running job whose status moves one step each time it is polled.
#[derive(Clone, Debug)]
pub struct Job {
    /// Status names, in order; the last is final.
    pub stages: Vec<&'static str>,
    /// Index of the current stage.
    pub stage: usize,
    /// Status polls seen in the current stage.
    pub polls: u32,
}

impl Job {
    /// A job going through `stages`.
    pub fn new(stages: &[&'static str]) -> Self {
        Self {
            stages: stages.to_vec(),
            stage: 0,
            polls: 0,
        }
    }

    /// Records a status poll and returns the status to report, moving to the next stage
    /// after `polls_per_stage` polls.
    pub fn poll(&mut self, polls_per_stage: u32) -> &'static str {
        let current = self.stages[self.stage];
        self.polls += 1;
        if self.polls >= polls_per_stage && self.stage + 1 < self.stages.len() {
            self.stage += 1;
            self.polls = 0;
        }
        current
    }

    /// Whether `status` (as returned by [`Job::poll`]) is the final one.
    pub fn is_final(&self, status: &str) -> bool {
        self.stages.last().is_some_and(|last| *last == status)
    }
}

/// Snapshots of the files, by UUID: `(visible from, the file as it was changed to)`, oldest
/// first. Only the latest visible snapshot and the pending ones are kept.
#[derive(Debug, Default)]
pub(crate) struct SearchIndex {
    pub(crate) snapshots: BTreeMap<Uuid, Vec<(DateTime<Utc>, FileRecord)>>,
}

/// The default delay: none, every change is searchable at once.
pub(crate) const DEFAULT_SEARCH_INDEX_DELAY: std::time::Duration = std::time::Duration::ZERO;

/// One request as the emulator received it (for assertions in tests).
#[derive(Clone, Debug)]
pub struct LoggedRequest {
    /// `rest` or `upload`.
    pub api: &'static str,
    /// HTTP method.
    pub method: String,
    /// Path.
    pub path: String,
    /// Raw query string.
    pub query: Option<String>,
    /// Status answered.
    pub status: u16,
}

/// Everything the emulated project holds. Reach it through [`EmulatorState`].
#[derive(Debug)]
pub struct Project {
    /// Project name.
    pub name: String,
    /// Numeric project id (in webhook objects).
    pub id: i64,
    /// Public key.
    pub public_key: String,
    /// Secret key.
    pub(crate) secret_key: uploadcare::SecretKey,
    /// Whether uploads with `store=auto` are stored.
    pub autostore: bool,
    /// Collaborators (`email`, `name`).
    pub collaborators: Vec<(String, String)>,
    /// Names of the custom storages remote copies may target.
    pub storages: Vec<String>,
    /// Files by UUID.
    pub files: BTreeMap<Uuid, FileRecord>,
    /// Groups by id.
    pub groups: BTreeMap<String, GroupRecord>,
    /// Webhooks by id.
    pub webhooks: BTreeMap<i64, WebhookRecord>,
    /// Conversion jobs by token: (job, output file, thumbnails group for video).
    pub conversions: BTreeMap<i64, (Job, Uuid, Option<String>)>,
    /// Add-on executions by request id: (add-on name, target file, job).
    pub addon_requests: BTreeMap<Uuid, (String, Uuid, Job)>,
    /// What the REST conversion endpoints remember about each job, by token.
    pub(crate) conversion_info: BTreeMap<i64, ConversionInfo>,
    /// Groups saved by document conversions (`save_in_group`): source file → format → group id.
    pub(crate) converted_groups: BTreeMap<Uuid, BTreeMap<String, String>>,
    /// What the REST add-on endpoints remember about each execution, by request id.
    pub(crate) addon_info: BTreeMap<Uuid, AddonInfo>,
    /// Remote copies made (their `s3://` URLs).
    pub remote_copies: BTreeSet<String>,
    /// Every request received, in order.
    pub requests: Vec<LoggedRequest>,
    /// Upload-side state (multipart uploads, from-URL tokens), owned by the Upload API.
    pub uploads: UploadState,
    /// Webhook deliveries made or attempted, in order (see [`EmulatorState::deliveries`]).
    pub deliveries: Vec<super::records::Delivery>,
    /// Where deliveries are sent from; set when the emulator starts.
    pub(crate) outbox: Option<super::records::Outbox>,
    /// How long a change takes to reach search results (see
    /// [`EmulatorBuilder::search_index_delay`](super::EmulatorBuilder::search_index_delay)).
    pub search_index_delay: std::time::Duration,
    /// Snapshots search matches while the delay runs.
    pub(crate) search_index: SearchIndex,
    next_id: i64,
    last_time: DateTime<Utc>,
}

/// A conversion job's request details (kept next to `Project::conversions`).
#[derive(Clone, Debug)]
pub(crate) struct ConversionInfo {
    /// The file converted.
    pub source: Uuid,
    /// Target format (`pdf`, `png`, `mp4`, …).
    pub format: String,
    /// `store` of the request; `None`: the project's autostore setting.
    pub store: Option<bool>,
    /// Also save the output as a group (document `save_in_group`).
    pub save_in_group: bool,
    /// Whether the final status was reported and the output made ready.
    pub finished: bool,
}

/// An add-on execution's request details (kept next to `Project::addon_requests`).
#[derive(Clone, Debug)]
pub(crate) struct AddonInfo {
    /// The `params` object of the request (`{}` when absent).
    pub params: Value,
    /// Whether `done` (or `error`) was reported and the result written.
    pub finished: bool,
    /// The final status reported (`done` or `error`).
    pub outcome: &'static str,
    /// The file `remove_bg` created.
    pub result_file: Option<Uuid>,
}

/// Upload API state.
#[derive(Debug, Default)]
pub struct UploadState {
    /// Multipart uploads in progress by UUID: (file, declared size, part size, received parts).
    pub multipart: BTreeMap<Uuid, MultipartUpload>,
    /// Uploads from URL by token.
    pub from_url: BTreeMap<String, FromUrlJob>,
    /// Groups made through the Upload API: each file's operations (`default_effects`, e.g.
    /// `resize/x800/`), by group id, in the group's file order.
    pub group_effects: BTreeMap<String, Vec<String>>,
    /// Operations spent per auth token (by the token's signature).
    pub token_operations: BTreeMap<String, u64>,
}

/// A multipart upload between start and complete.
#[derive(Clone, Debug)]
pub struct MultipartUpload {
    /// The file being built (not in `Project::files` until completed).
    pub file: FileRecord,
    /// Size announced at start.
    pub size: u64,
    /// Part size announced at start.
    pub part_size: u64,
    /// Parts received, by index.
    pub parts: BTreeMap<usize, Bytes>,
    /// Sizes of parts counted but not kept (discarding emulator), by index.
    pub discarded_parts: BTreeMap<usize, u64>,
    /// Whether to store on completion (`None`: project autostore).
    pub store: Option<bool>,
}

/// An upload from URL, by token.
#[derive(Clone, Debug)]
pub struct FromUrlJob {
    /// Status stages (`waiting`, `progress`, `success` or `error`).
    pub job: Job,
    /// The file created on success.
    pub file: Option<Uuid>,
    /// Error message when the fetch failed.
    pub error: Option<String>,
    /// Bytes the file has (for `progress`).
    pub total: u64,
    /// The error code when the fetch failed (e.g. `DownloadFileHTTPClientError`).
    pub error_code: Option<String>,
    /// The `source_url` asked for.
    pub source_url: String,
    /// Becomes `true` when the fetch has finished (`file` or `error` set); status polls past
    /// `waiting` wait for it, so a poll never reports a stage the fetch has not reached.
    pub(crate) fetched: tokio::sync::watch::Receiver<bool>,
}

impl Project {
    pub(crate) fn new(name: &str, public_key: &str, secret_key: &str) -> Self {
        Self {
            name: name.to_owned(),
            id: 123456,
            public_key: public_key.to_owned(),
            secret_key: uploadcare::SecretKey::new(secret_key),
            autostore: true,
            collaborators: vec![("owner@example.com".to_owned(), "Project Owner".to_owned())],
            storages: vec!["emulator-storage".to_owned()],
            files: BTreeMap::new(),
            groups: BTreeMap::new(),
            webhooks: BTreeMap::new(),
            conversions: BTreeMap::new(),
            addon_requests: BTreeMap::new(),
            conversion_info: BTreeMap::new(),
            converted_groups: BTreeMap::new(),
            addon_info: BTreeMap::new(),
            remote_copies: BTreeSet::new(),
            requests: Vec::new(),
            uploads: UploadState::default(),
            deliveries: Vec::new(),
            outbox: None,
            search_index_delay: DEFAULT_SEARCH_INDEX_DELAY,
            search_index: Default::default(),
            next_id: 1_000_000,
            last_time: DateTime::<Utc>::MIN_UTC,
        }
    }

    /// The current time, strictly later than any time handed out before (so upload times
    /// order files unambiguously).
    pub fn now(&mut self) -> DateTime<Utc> {
        // Microseconds, like the service: a timestamp read back from an answer (or sent as
        // `from`) then equals the stored one exactly.
        let mut now = Utc::now().trunc_subsecs(6);
        if now <= self.last_time {
            now = self.last_time + chrono::Duration::microseconds(1);
        }
        self.last_time = now;
        now
    }

    /// A fresh number for ids and conversion tokens (tokens exceed 2^31, like the service's).
    pub fn next_number(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh conversion token (above 2^31).
    pub fn next_token(&mut self) -> i64 {
        3_000_000_000 + self.next_number()
    }

    /// Adds a ready file and returns its UUID. `store`: `Some(true/false)`, or `None` for
    /// the project's autostore setting.
    pub fn add_file(&mut self, filename: &str, mime_type: &str, data: Bytes, store: Option<bool>) -> Uuid {
        let uuid = Uuid::new_v4();
        let uploaded = self.now();
        let stored = store.unwrap_or(self.autostore).then_some(uploaded);
        self.files.insert(
            uuid,
            FileRecord {
                uuid,
                filename: filename.to_owned(),
                mime_type: mime_type.to_owned(),
                data,
                uploaded,
                stored,
                removed: None,
                ready: true,
                metadata: BTreeMap::new(),
                appdata: Map::new(),
                tags: Vec::new(),
                source_url: None,
                discarded_size: None,
            },
        );
        self.reindex_for_search(uuid);
        uuid
    }

    /// Creates a group of `files` and returns its id.
    pub fn add_group(&mut self, files: Vec<Uuid>) -> String {
        let id = format!("{}~{}", Uuid::new_v4(), files.len());
        let created = self.now();
        self.groups.insert(
            id.clone(),
            GroupRecord {
                id: id.clone(),
                files,
                created,
                stored: None,
            },
        );
        id
    }

    /// A file that exists and is not removed.
    pub fn live_file(&self, uuid: &Uuid) -> Option<&FileRecord> {
        self.files.get(uuid).filter(|f| f.removed.is_none())
    }
}

/// Shared access to the emulated project, for handlers and for tests' assertions.
#[derive(Clone, Debug)]
pub struct EmulatorState {
    project: Arc<Mutex<Project>>,
}

impl EmulatorState {
    pub(crate) fn new(project: Project) -> Self {
        Self {
            project: Arc::new(Mutex::new(project)),
        }
    }

    /// Locks the project. Don't hold the guard across `.await`.
    pub fn lock(&self) -> MutexGuard<'_, Project> {
        // A panic while holding the lock cannot leave the maps half-updated in a way that
        // matters to an emulator; keep serving.
        self.project
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A copy of one file.
    pub fn file(&self, uuid: Uuid) -> Option<FileRecord> {
        self.lock().files.get(&uuid).cloned()
    }

    /// UUIDs of all files (removed ones included).
    pub fn file_uuids(&self) -> Vec<Uuid> {
        self.lock().files.keys().copied().collect()
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().requests.clone()
    }

    /// Adds a ready file directly (no upload), e.g. to seed a test. `store`: `None` follows
    /// the project's autostore setting.
    pub fn add_file(
        &self,
        filename: &str,
        mime_type: &str,
        data: impl Into<Bytes>,
        store: Option<bool>,
    ) -> Uuid {
        self.lock().add_file(filename, mime_type, data.into(), store)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_move_one_stage_per_poll() {
        let mut job = Job::new(&["pending", "processing", "finished"]);
        assert_eq!(job.poll(1), "pending");
        assert_eq!(job.poll(1), "processing");
        assert!(!job.is_final("processing"));
        assert_eq!(job.poll(1), "finished");
        assert!(job.is_final("finished"));
        assert_eq!(job.poll(1), "finished");
    }

    #[test]
    fn image_sizes_are_read_from_png_and_gif_headers() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&640u32.to_be_bytes());
        png.extend_from_slice(&480u32.to_be_bytes());
        assert_eq!(image_dimensions(&png), Some((640, 480, "PNG")));
        assert_eq!(image_dimensions(b"GIF89a\x02\x00\x03\x00"), Some((2, 3, "GIF")));
        assert_eq!(image_dimensions(b"plain text"), None);
    }

    #[test]
    fn times_strictly_increase() {
        let mut project = Project::new("p", "k", "s");
        let a = project.now();
        let b = project.now();
        assert!(b > a);
    }
}
