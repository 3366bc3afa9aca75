//! The emulated project: everything the REST and Upload APIs read and change, in memory,
//! plus how each object looks on the wire in each REST API version.

pub use crate::file_map::Files;
pub use crate::file_record::{image_dimensions, FileRecord};
pub use crate::records::Urls;
pub use crate::wire::{timestamp, ApiVersion};
use bytes::Bytes;
use chrono::{DateTime, SubsecRound, Utc};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, MutexGuard};
use uuid::Uuid;

/// A file group (`<uuid>~<count>`).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
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
#[derive(Clone, serde::Serialize, serde::Deserialize)]
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
    /// Secret keys: any of them signs requests (the first comes from the emulator's flags;
    /// the Project API adds and deletes others).
    pub(crate) secrets: Vec<SecretRecord>,
    /// Project API: whether the project is blocked (recorded, not enforced).
    pub is_blocked: bool,
    /// Project API: whether search indexing is allowed (recorded, not enforced).
    pub is_search_index_allowed: bool,
    /// Project API: the largest file accepted, in bytes (recorded, not enforced).
    pub filesize_limit: Option<u64>,
    /// What the project served, per day (the Project API's usage). The stored bytes of the
    /// last day a request changed them are summed up only when needed: read the figures
    /// after [`Project::settle_storage`].
    pub usage: BTreeMap<chrono::NaiveDate, DayUsage>,
    /// The day a request may have changed the stored bytes of, not summed up yet (summing
    /// every file after each request made N uploads or stores cost N²): they are when the
    /// usage is read, the project saved, or a request of another day comes.
    pub(crate) storage_due: Option<chrono::NaiveDate>,
    /// Whether uploads with `store=auto` are stored.
    pub autostore: bool,
    /// Whether uploads must be signed (a `signature` + `expire`, or an auth token).
    pub signed_uploads: bool,
    /// Collaborators (`email`, `name`).
    pub collaborators: Vec<(String, String)>,
    /// Names of the custom storages remote copies may target.
    pub storages: Vec<String>,
    /// Files by UUID (a map that notes its changes, for the list's order).
    pub files: Files,
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
    pub(crate) next_id: i64,
    last_time: DateTime<Utc>,
}

/// A secret key of a project. `Debug` leaves the key out.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub struct SecretRecord {
    /// Its id (the Project API names it by this).
    pub id: String,
    /// The key.
    pub(crate) secret: String,
    /// When a request signed with it was last accepted.
    pub last_used: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for SecretRecord {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretRecord")
            .field("id", &self.id)
            .field("secret", &"<redacted>")
            .field("last_used", &self.last_used)
            .finish()
    }
}

impl SecretRecord {
    /// A secret with a fresh id.
    pub(crate) fn new(secret: &str) -> Self {
        Self {
            id: Uuid::new_v4().to_string(),
            secret: secret.to_owned(),
            last_used: None,
        }
    }

    /// The last four characters, the Project API's hint.
    pub fn hint(&self) -> String {
        let chars: Vec<char> = self.secret.chars().collect();
        chars[chars.len().saturating_sub(4)..].iter().collect()
    }
}

/// One day of a project's usage.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DayUsage {
    /// Bytes the CDN served.
    pub traffic: u64,
    /// Bytes of stored files at the day's last request (carried over to days without one).
    pub storage: Option<u64>,
    /// Requests answered by the REST and Upload APIs.
    pub operations: u64,
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

/// What a new project starts with: the emulator's flags, copied into every session (and
/// restored by a reset).
#[derive(Clone, Debug)]
pub(crate) struct ProjectSettings {
    pub name: String,
    pub public_key: String,
    pub secret_key: uploadcare::SecretKey,
    pub autostore: bool,
    pub signed_uploads: bool,
    pub search_index_delay: std::time::Duration,
}

impl Project {
    /// An empty project with these settings.
    pub(crate) fn from_settings(settings: &ProjectSettings) -> Self {
        let mut project = Self::new(
            &settings.name,
            &settings.public_key,
            settings.secret_key.expose_secret(),
        );
        project.autostore = settings.autostore;
        project.signed_uploads = settings.signed_uploads;
        project.search_index_delay = settings.search_index_delay;
        project
    }

    /// Empties the project back to `settings` (files, groups, webhooks, jobs, logs: all
    /// gone), keeping where its webhook deliveries are sent from.
    pub(crate) fn reset(&mut self, settings: &ProjectSettings) {
        let outbox = self.outbox.take();
        *self = Self::from_settings(settings);
        self.outbox = outbox;
    }

    pub(crate) fn new(name: &str, public_key: &str, secret_key: &str) -> Self {
        Self {
            name: name.to_owned(),
            id: 123456,
            public_key: public_key.to_owned(),
            secrets: vec![SecretRecord::new(secret_key)],
            is_blocked: false,
            is_search_index_allowed: true,
            filesize_limit: None,
            usage: BTreeMap::new(),
            storage_due: None,
            autostore: true,
            signed_uploads: false,
            collaborators: vec![("owner@example.com".to_owned(), "Project Owner".to_owned())],
            storages: vec!["emulator-storage".to_owned()],
            files: Files::default(),
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

    /// The secret keys' values, to check a request against (marks none as used).
    pub(crate) fn secret_values(&self) -> Vec<uploadcare::SecretKey> {
        self.secrets
            .iter()
            .map(|s| uploadcare::SecretKey::new(s.secret.as_str()))
            .collect()
    }

    /// Records that `secret` signed an accepted request.
    pub(crate) fn secret_used(&mut self, secret: &str) {
        let now = self.now();
        if let Some(record) = self.secrets.iter_mut().find(|s| s.secret == secret) {
            record.last_used = Some(now);
        }
    }

    /// Adds a request's share to `day`'s usage: CDN bytes, one API operation, and (when
    /// `storage_changed`, or on the day's first request) the stored bytes as they are after
    /// it, summed up later ([`Project::settle_storage`]).
    pub(crate) fn record_usage(
        &mut self,
        day: chrono::NaiveDate,
        traffic: u64,
        operation: bool,
        storage_changed: bool,
    ) {
        self.settle_storage_before(day);
        if storage_changed || !self.usage.contains_key(&day) {
            self.storage_due = Some(day);
        }
        let entry = self.usage.entry(day).or_default();
        entry.traffic += traffic;
        entry.operations += u64::from(operation);
    }

    /// Before a request of `day`: sums up the stored bytes still due for an earlier day,
    /// which later requests must not change.
    pub(crate) fn settle_storage_before(&mut self, day: chrono::NaiveDate) {
        if self.storage_due.is_some_and(|due| due != day) {
            self.settle_storage();
        }
    }

    /// Sums up the stored bytes of the day they are due for (see [`Project::usage`]).
    pub fn settle_storage(&mut self) {
        if let Some(day) = self.storage_due.take() {
            let storage = self
                .files
                .values()
                .filter(|f| f.removed.is_none() && f.stored.is_some())
                .map(FileRecord::size)
                .sum::<u64>();
            self.usage.entry(day).or_default().storage = Some(storage);
        }
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

    #[test]
    fn the_file_list_order_is_kept_until_the_files_change() {
        let mut files = crate::file_map::Files::default();
        let record = |name: &str| {
            let mut project = Project::new("p", "k", "s");
            let uuid = project.add_file(name, "text/plain", bytes::Bytes::from_static(b"x"), None);
            project.files[&uuid].clone()
        };
        let a = record("a");
        files.insert(a.uuid, a);
        let query = crate::file_map::ListQuery {
            removed: false,
            stored: None,
            by_size: false,
            descending: false,
        };
        let first = files.list_order(query);
        assert!(std::sync::Arc::ptr_eq(&first, &files.list_order(query)));
        assert_eq!(first.totals, [0, 1, 0]);
        // Reading does not change it; a mutable access does.
        assert_eq!(files.len(), 1);
        assert!(std::sync::Arc::ptr_eq(&first, &files.list_order(query)));
        let b = record("b");
        files.insert(b.uuid, b);
        let second = files.list_order(query);
        assert_eq!(second.files.len(), 2);
        let removed = crate::file_map::ListQuery {
            removed: true,
            ..query
        };
        assert!(files.list_order(removed).files.is_empty());
    }
}
