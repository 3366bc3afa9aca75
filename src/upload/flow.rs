//! The flows a user actually wants: `upload` (direct below a threshold, parallel multipart
//! above, with progress, part retries and cancellation) and `upload_from_url` (submit, then
//! poll until done).

use super::requests::{
    byte_chunks, counted_body, file_region, guess_content_type, validate_metadata, DirectFile, FormRequest,
    MultipartStart, ProgressFn, Tally, UploadSource, MAX_PART_SIZE, MIN_PART_SIZE,
};
use super::spool;
use super::types::{self, FromUrlTaskStatus, FromUrlUploadResultType, StoreType, UrlDuplicatesFlag};
use super::Client;
use crate::error::{Error, Result, UploadStage};
use crate::runtime::{JobState, JobStatus, WaitPolicy};
use bytes::{Bytes, BytesMut};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

/// Default size from which [`Client::upload`] goes multipart: 25 MiB.
pub const DEFAULT_MULTIPART_THRESHOLD: u64 = 25 * 1024 * 1024;
/// Allowed range of the multipart threshold: 10 MiB to 100 MiB.
pub const MULTIPART_THRESHOLD_RANGE: std::ops::RangeInclusive<u64> =
    crate::limits::MIN_MULTIPART_SIZE..=crate::limits::MAX_DIRECT_SIZE;
/// Default part size: 5 MiB.
pub const DEFAULT_PART_SIZE: u64 = MIN_PART_SIZE;
/// Default number of parts in flight.
pub const DEFAULT_CONCURRENCY: usize = 4;

/// How far an upload is: bytes sent of a file upload (direct or multipart), or the
/// service's `done`/`total` of an upload from URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes sent (file uploads: handed to the connection; from URL: fetched by the
    /// service).
    pub done: u64,
    /// Bytes in all (0 while an upload from URL does not know the size yet).
    pub total: u64,
}

/// A progress callback of the public API.
pub(crate) type OnProgress = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// What every file of an upload gets and how it goes, shared by [`Upload`] and
/// [`UploadMany`](super::UploadMany) (their setters come from `upload_settings!`).
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) store: StoreType,
    pub(crate) metadata: BTreeMap<String, String>,
    pub(crate) tags: Vec<String>,
    pub(crate) multipart_threshold: u64,
    pub(crate) part_size: u64,
    pub(crate) part_concurrency: usize,
    pub(crate) wait_ready: Option<WaitPolicy>,
    pub(crate) spool_dir: Option<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            store: StoreType::Auto,
            metadata: BTreeMap::new(),
            tags: Vec::new(),
            multipart_threshold: DEFAULT_MULTIPART_THRESHOLD,
            part_size: DEFAULT_PART_SIZE,
            part_concurrency: DEFAULT_CONCURRENCY,
            wait_ready: None,
            spool_dir: None,
        }
    }
}

impl Settings {
    /// Checks everything that can be checked before a request.
    pub(crate) fn validate(&self) -> Result<()> {
        if !MULTIPART_THRESHOLD_RANGE.contains(&self.multipart_threshold) {
            return Err(Error::InvalidInput(format!(
                "multipart threshold must be {} to {} bytes, got {}",
                MULTIPART_THRESHOLD_RANGE.start(),
                MULTIPART_THRESHOLD_RANGE.end(),
                self.multipart_threshold
            )));
        }
        if !(MIN_PART_SIZE..=MAX_PART_SIZE).contains(&self.part_size) {
            return Err(Error::InvalidInput(format!(
                "part size must be {MIN_PART_SIZE} to {MAX_PART_SIZE} bytes, got {}",
                self.part_size
            )));
        }
        if self.part_concurrency == 0 {
            return Err(Error::InvalidInput("concurrency must be at least 1".to_owned()));
        }
        validate_metadata(&self.metadata)?;
        crate::tags::normalize_tags(&self.tags).map(drop)
    }

    /// How much of a source of unknown length is held in memory before it is spooled to
    /// a temporary file: the multipart threshold, or `part_size × part_concurrency` when
    /// that is less.
    pub(crate) fn memory_limit(&self) -> usize {
        let parts = self.part_size.saturating_mul(self.part_concurrency as u64);
        usize::try_from(self.multipart_threshold.min(parts)).unwrap_or(usize::MAX)
    }
}

/// The setters of [`Settings`], written once for both upload builders.
macro_rules! upload_settings {
    () => {
        /// Whether to store the file(s) (default [`StoreType::Auto`](crate::upload::types::StoreType::Auto):
        /// the project's setting).
        pub fn store(mut self, store: crate::upload::types::StoreType) -> Self {
            self.settings.store = store;
            self
        }

        /// Adds a metadata key and value (to every file).
        pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
            self.settings.metadata.insert(key.into(), value.into());
            self
        }

        /// Tags the file(s) (REST API 0.7 file tags); checked and normalized before
        /// anything is sent ([`Error::InvalidTag`](crate::Error::InvalidTag)).
        pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
            self.settings.tags.extend(tags.into_iter().map(Into::into));
            self
        }

        /// Size from which a file goes multipart (10 MiB to 100 MiB; default 25 MiB).
        pub fn multipart_threshold(mut self, bytes: u64) -> Self {
            self.settings.multipart_threshold = bytes;
            self
        }

        /// Multipart part size (5 MiB to 5 GiB; default 5 MiB). A source of unknown
        /// length keeps at most `part_size × part concurrency` (or the multipart
        /// threshold, if less) in memory.
        pub fn part_size(mut self, bytes: u64) -> Self {
            self.settings.part_size = bytes;
            self
        }

        /// After the upload, waits (per `policy`) until the file `is_ready` — processed
        /// and on the CDN — with [`Client::wait_until_ready`](crate::upload::Client::wait_until_ready);
        /// the answer is then the ready file's info, or
        /// [`Error::TimedOut`](crate::Error::TimedOut) when it does not get ready in time.
        pub fn wait_until_ready(mut self, policy: crate::runtime::WaitPolicy) -> Self {
            self.settings.wait_ready = Some(policy);
            self
        }

        /// Where a source of unknown length ([`UploadSource::Unsized`](crate::upload::UploadSource::Unsized))
        /// longer than the memory limit is spooled (default: the system's temporary
        /// directory, [`std::env::temp_dir`]). The temporary file is removed when the
        /// upload ends, however it ends.
        pub fn spool_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
            self.settings.spool_dir = Some(dir.into());
            self
        }
    };
}
pub(crate) use upload_settings;

/// A file upload being configured; run it with [`Upload::send`]. Made by [`Client::upload`].
#[must_use = "an upload does nothing until `.send().await`"]
pub struct Upload<'a> {
    client: &'a Client,
    source: UploadSource,
    filename: Option<String>,
    content_type: Option<String>,
    settings: Settings,
    progress: Option<watch::Sender<UploadProgress>>,
    on_progress: Option<OnProgress>,
    cancel: Option<CancellationToken>,
}

impl Client {
    /// Uploads a file: bytes, a path (streamed from disk), a reader of known length, or a
    /// reader or stream of unknown length ([`UploadSource::Unsized`]). Below the multipart
    /// threshold (25 MiB by default) it is one `/base/` request; above, a multipart upload
    /// whose parts go up in parallel.
    ///
    /// ```no_run
    /// # async fn run(client: uploadcare::upload::Client) -> uploadcare::Result<()> {
    /// use std::path::Path;
    /// use uploadcare::upload::{types::StoreType, UploadProgress};
    ///
    /// let (progress, mut updates) = tokio::sync::watch::channel(UploadProgress::default());
    /// tokio::spawn(async move {
    ///     while updates.changed().await.is_ok() {
    ///         let p = *updates.borrow();
    ///         eprintln!("{}/{} bytes", p.done, p.total);
    ///     }
    /// });
    /// let file = client
    ///     .upload(Path::new("video.mp4"))
    ///     .store(StoreType::Store)
    ///     .metadata("source", "camera-7")
    ///     .progress(progress)
    ///     .send()
    ///     .await?;
    /// println!("{} ({} bytes)", file.uuid, file.size);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, source: impl Into<UploadSource>) -> Upload<'_> {
        Upload {
            client: self,
            source: source.into(),
            filename: None,
            content_type: None,
            settings: Settings::default(),
            progress: None,
            on_progress: None,
            cancel: None,
        }
    }
}

impl Upload<'_> {
    upload_settings!();

    /// Uses these settings (of an [`UploadMany`](super::UploadMany)).
    pub(crate) fn with_settings(mut self, settings: Settings) -> Self {
        self.settings = settings;
        self
    }

    /// The file name (default: the path's file name, else `file`).
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// The content type (default: guessed from the file name).
    pub fn content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// Multipart parts uploaded at once (default 4).
    pub fn concurrency(mut self, parts: usize) -> Self {
        self.settings.part_concurrency = parts;
        self
    }

    /// Reports progress through this channel (it keeps the latest value). Progress moves
    /// while bytes go out, in 64 KiB steps (256 KiB for parts read from a file), direct or
    /// multipart. It goes back by what an attempt had sent when that attempt fails and is
    /// retried (a direct upload from 0, a multipart part by the part's bytes).
    pub fn progress(mut self, sender: watch::Sender<UploadProgress>) -> Self {
        self.progress = Some(sender);
        self
    }

    /// Calls `f` with every progress value (the same values as [`Upload::progress`], none
    /// coalesced, in order). Keep it quick: it runs on the upload's tasks.
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Stops the upload (with [`Error::Cancelled`]) when this token is cancelled. Dropping
    /// the future also stops it.
    pub fn cancel_on(mut self, token: CancellationToken) -> Self {
        self.cancel = Some(token);
        self
    }

    /// Runs the upload and returns the file's information.
    pub async fn send(self) -> Result<types::FileUploadInfo> {
        self.settings.validate()?;
        let cancel = self.cancel.clone().unwrap_or_default();
        let span = tracing::info_span!(
            "uploadcare.upload",
            size = tracing::field::Empty,
            mode = tracing::field::Empty,
            parts = tracing::field::Empty,
            part_size = self.settings.part_size,
            concurrency = self.settings.part_concurrency,
        );
        let (client, wait_ready) = (self.client, self.settings.wait_ready.clone());
        let run = tracing::Instrument::instrument(
            async move {
                let info = self.run().await?;
                client.ready(info, wait_ready.as_ref()).await
            },
            span,
        );
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::Cancelled),
            result = run => result,
        }
    }

    async fn run(mut self) -> Result<types::FileUploadInfo> {
        let filename = self
            .filename
            .clone()
            .or_else(|| self.source.file_name())
            .unwrap_or_else(|| "file".to_owned());
        // A source of unknown length becomes bytes or a temporary file (removed when this
        // guard drops, at the end of the upload however it ends).
        let mut _spooled = None;
        if let UploadSource::Unsized(reader) = self.source {
            let limit = self.settings.memory_limit();
            self.source = match spool::take(reader, limit, self.settings.spool_dir.as_deref()).await? {
                spool::Taken::Memory(bytes) => UploadSource::Bytes(bytes),
                spool::Taken::Spooled(path) => {
                    let source = UploadSource::Path(path.to_path_buf());
                    _spooled = Some(path);
                    source
                }
            };
        }
        let size = self.source.len().await?;
        let content_type = self
            .content_type
            .clone()
            .unwrap_or_else(|| guess_content_type(&filename));
        let reporter = Arc::new(Reporter::new(
            size,
            self.progress.clone(),
            self.on_progress.clone(),
        ));
        reporter.set(0);

        let settings = &self.settings;
        let span = tracing::Span::current();
        span.record("size", size);
        let direct = size < settings.multipart_threshold;
        span.record("mode", if direct { "direct" } else { "multipart" });
        if direct {
            let file = DirectFile {
                field: "file".to_owned(),
                filename,
                content_type: Some(content_type),
                source: self.source,
            };
            let streaming = reporter.as_progress_fn();
            let uuids = self
                .client
                .direct_upload_reporting(
                    vec![file],
                    settings.store.clone(),
                    &settings.metadata,
                    &settings.tags,
                    &[streaming],
                )
                .await?;
            let uuid = *uuids.get("file").ok_or_else(|| Error::InvalidResponse {
                message: "the answer has no UUID for field `file`".to_owned(),
                body: format!("{uuids:?}"),
            })?;
            reporter.set(size);
            return self
                .client
                .info(uuid)
                .await
                .map_err(|e| Error::incomplete(uuid, UploadStage::Info, e));
        }

        let start = MultipartStart {
            filename,
            size,
            content_type: content_type.clone(),
            part_size: settings.part_size,
            store: settings.store.clone(),
            metadata: settings.metadata.clone(),
            tags: settings.tags.clone(),
        };
        let started = self.client.multipart_start(&start).await?;
        let expected_parts = size.div_ceil(settings.part_size) as usize;
        tracing::Span::current().record("parts", expected_parts);
        if started.parts.len() != expected_parts {
            return Err(Error::InvalidResponse {
                message: format!("expected {expected_parts} part URLs, got {}", started.parts.len()),
                body: String::new(),
            });
        }
        let parts = PartUploads {
            client: self.client.clone(),
            urls: started.parts,
            size,
            part_size: settings.part_size,
            content_type,
            concurrency: settings.part_concurrency,
            reporter,
        };
        parts.run(self.source).await?;
        self.client.finish_multipart(started.uuid).await
    }
}

/// The running total of one upload, delivered to its watchers in order.
pub(crate) struct Reporter {
    total: u64,
    progress: Option<watch::Sender<UploadProgress>>,
    on_progress: Option<OnProgress>,
    /// Bytes counted so far; the lock also keeps deliveries in order when parts run in
    /// parallel.
    done: Mutex<u64>,
}

impl Reporter {
    pub(crate) fn new(
        total: u64,
        progress: Option<watch::Sender<UploadProgress>>,
        on_progress: Option<OnProgress>,
    ) -> Self {
        Self {
            total,
            progress,
            on_progress,
            done: Mutex::new(0),
        }
    }

    fn watched(&self) -> bool {
        self.progress.is_some() || self.on_progress.is_some()
    }

    fn update(&self, change: impl FnOnce(u64) -> u64) {
        if !self.watched() {
            return;
        }
        let mut done = self.done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *done = change(*done);
        let value = UploadProgress {
            done: *done,
            total: self.total,
        };
        deliver(self.progress.as_ref(), self.on_progress.as_ref(), value);
    }

    /// The total so far is `done`.
    pub(crate) fn set(&self, done: u64) {
        self.update(|_| done);
    }

    /// For the one body of a direct upload: its running total is the total.
    fn as_progress_fn(self: &Arc<Self>) -> Option<ProgressFn> {
        let reporter = self.clone();
        self.watched()
            .then(|| Arc::new(move |done: u64| reporter.set(done)) as ProgressFn)
    }

    /// A counter for one attempt of one part: its running total adds to the upload's;
    /// [`PartAttempt::undo`] takes it back when the attempt fails.
    fn part_attempt(self: &Arc<Self>) -> PartAttempt {
        PartAttempt {
            reporter: self.clone(),
            sent: Arc::new(Mutex::new(0)),
        }
    }
}

/// Hands `value` to the channel and the callback.
fn deliver(
    progress: Option<&watch::Sender<UploadProgress>>,
    on_progress: Option<&OnProgress>,
    value: UploadProgress,
) {
    if let Some(progress) = progress {
        progress.send_replace(value);
    }
    if let Some(f) = on_progress {
        f(value);
    }
}

/// The bytes one attempt of one multipart part has sent.
struct PartAttempt {
    reporter: Arc<Reporter>,
    sent: Arc<Mutex<u64>>,
}

impl PartAttempt {
    fn progress_fn(&self) -> Option<ProgressFn> {
        let (reporter, sent) = (self.reporter.clone(), self.sent.clone());
        self.reporter.watched().then(|| {
            Arc::new(move |total: u64| {
                let mut sent = sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let added = total.saturating_sub(*sent);
                *sent = total;
                reporter.update(|done| done + added);
            }) as ProgressFn
        })
    }

    fn undo(&self) {
        let mut sent = self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let taken = std::mem::take(&mut *sent);
        self.reporter.update(|done| done.saturating_sub(taken));
    }
}

/// The parallel part uploads of one multipart upload.
struct PartUploads {
    client: Client,
    urls: Vec<String>,
    size: u64,
    part_size: u64,
    content_type: String,
    concurrency: usize,
    reporter: Arc<Reporter>,
}

impl PartUploads {
    /// Reads the parts in order and keeps at most `concurrency` of them in flight, so at
    /// most `concurrency` part buffers exist at once. A part is retried on its own.
    async fn run(self, source: UploadSource) -> Result<()> {
        /// Where parts come from: slices of bytes in memory, regions of a file streamed from
        /// disk by each part's request (no part buffers; parts read in parallel), or reads
        /// from a one-way stream into part buffers.
        enum Parts {
            Slices(Bytes),
            File(Arc<std::path::Path>),
            Reads(std::pin::Pin<Box<dyn AsyncRead + Send>>),
        }
        let mut parts = match source {
            UploadSource::Bytes(bytes) => Parts::Slices(bytes),
            UploadSource::Path(path) => {
                // Fail early and clearly when the file cannot be read at all.
                tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::InvalidInput(format!("cannot open {}: {e}", path.display())))?;
                Parts::File(Arc::from(path.as_path()))
            }
            UploadSource::Reader { reader, .. } | UploadSource::Unsized(reader) => Parts::Reads(reader),
        };
        // Dropping the set (on error or cancellation) aborts the parts still in flight.
        let mut tasks = JoinSet::new();
        for (index, url) in self.urls.iter().enumerate() {
            while tasks.len() >= self.concurrency {
                join_one(&mut tasks).await?;
            }
            let offset = index as u64 * self.part_size;
            let len = self.part_size.min(self.size - offset) as usize;
            let part = match &mut parts {
                Parts::Slices(all) => PartBody::Bytes(all.slice(offset as usize..offset as usize + len)),
                Parts::File(path) => PartBody::File {
                    path: path.clone(),
                    offset,
                    len: len as u64,
                },
                Parts::Reads(reader) => PartBody::Bytes(read_part(reader, len, offset, self.size).await?),
            };
            let client = self.client.clone();
            let url = url.clone();
            let content_type = self.content_type.clone();
            let reporter = self.reporter.clone();
            // Part tasks report inside the upload's span.
            tasks.spawn(tracing::Instrument::in_current_span(async move {
                let mut attempts = PartAttempts::new(&client, &url, &part, &content_type, Some(&reporter));
                client.send_part(&mut attempts).await?;
                tracing::debug!(part = index + 1, bytes = len, "part uploaded");
                Ok::<(), Error>(())
            }));
        }
        while !tasks.is_empty() {
            join_one(&mut tasks).await?;
        }
        Ok(())
    }
}

async fn join_one(tasks: &mut JoinSet<Result<()>>) -> Result<()> {
    match tasks.join_next().await {
        Some(Ok(result)) => result,
        Some(Err(e)) => Err(Error::InvalidInput(format!("a part upload task failed: {e}"))),
        None => Ok(()),
    }
}

async fn read_part(
    reader: &mut std::pin::Pin<Box<dyn AsyncRead + Send>>,
    len: usize,
    offset: u64,
    size: u64,
) -> Result<Bytes> {
    let mut buffer = BytesMut::zeroed(len);
    reader.read_exact(&mut buffer).await.map_err(|e| {
        Error::InvalidInput(format!(
            "the source ended or failed at byte {offset} of {size} (reading a {len}-byte part): {e}"
        ))
    })?;
    Ok(buffer.freeze())
}

/// What one part request sends: bytes in memory, or a region of a file.
pub(crate) enum PartBody {
    /// Bytes in memory (sliced again for every attempt, no copy).
    Bytes(Bytes),
    /// A region of a file, read again for every attempt.
    File {
        path: Arc<std::path::Path>,
        offset: u64,
        len: u64,
    },
}

impl PartBody {
    fn len(&self) -> u64 {
        match self {
            PartBody::Bytes(bytes) => bytes.len() as u64,
            PartBody::File { len, .. } => *len,
        }
    }
}

/// The attempts of one part's PUT, for the request pipeline: every attempt re-slices the
/// bytes or re-reads the file region; its bytes count towards the upload's progress as
/// they go out, and are taken back when the attempt fails.
pub(crate) struct PartAttempts<'a> {
    client: &'a Client,
    url: &'a str,
    part: &'a PartBody,
    content_type: &'a str,
    reporter: Option<&'a Arc<Reporter>>,
    /// The current attempt's progress (when the upload is watched).
    current: Option<PartAttempt>,
    /// The current attempt's bytes handed to the connection.
    tally: Tally,
}

impl<'a> PartAttempts<'a> {
    pub(crate) fn new(
        client: &'a Client,
        url: &'a str,
        part: &'a PartBody,
        content_type: &'a str,
        reporter: Option<&'a Arc<Reporter>>,
    ) -> Self {
        Self {
            client,
            url,
            part,
            content_type,
            reporter,
            current: None,
            tally: Tally::default(),
        }
    }
}

impl crate::runtime::Attempts for PartAttempts<'_> {
    type Error = Error;

    async fn next_request(&mut self) -> Result<reqwest::Request> {
        self.tally = Tally::default();
        let counter = self.reporter.map(|r| r.part_attempt());
        let report = counter.as_ref().and_then(PartAttempt::progress_fn);
        self.current = counter;
        let chunks = match self.part {
            PartBody::Bytes(bytes) => byte_chunks(bytes.clone()),
            PartBody::File { path, offset, len } => file_region(path, *offset, *len).await?,
        };
        let body = counted_body(chunks, &self.tally, report);
        self.client
            .part_request(self.url, body, self.part.len(), self.content_type)
    }

    fn body_sent(&self) -> bool {
        self.tally.get() >= self.part.len()
    }

    fn attempt_failed(&mut self) {
        if let Some(counter) = self.current.take() {
            counter.undo();
        }
    }
}

impl Client {
    /// `/multipart/complete/` for an upload whose parts are all in. A completion repeated
    /// after a lost answer meets `MultipartFileAlreadyUploadedError`: the file is there, so
    /// its info is fetched. Any failure carries the uuid ([`Error::Incomplete`]).
    async fn finish_multipart(&self, uuid: uuid::Uuid) -> Result<types::FileUploadInfo> {
        match self.multipart_complete(uuid).await {
            Ok(info) => Ok(info),
            Err(Error::Upload { code, .. }) if code == "MultipartFileAlreadyUploadedError" => self
                .info(uuid)
                .await
                .map_err(|e| Error::incomplete(uuid, UploadStage::Info, e)),
            Err(e) => Err(Error::incomplete(uuid, UploadStage::Complete, e)),
        }
    }
}

/// An upload from URL being configured; made by [`Client::upload_from_url`].
#[must_use = "nothing is sent until `.submit()` or `.send()`"]
pub struct UploadFromUrl<'a> {
    client: &'a Client,
    source_url: String,
    filename: Option<String>,
    store: StoreType,
    metadata: BTreeMap<String, String>,
    tags: Vec<String>,
    check_duplicates: bool,
    save_duplicates: Option<bool>,
    timeout: Duration,
    poll_interval: Duration,
    wait_ready: Option<WaitPolicy>,
    progress: Option<watch::Sender<UploadProgress>>,
    on_progress: Option<OnProgress>,
}

impl Client {
    /// Makes the service fetch a file from a public URL. [`UploadFromUrl::send`] waits for
    /// the file; [`UploadFromUrl::submit`] only starts the fetch.
    pub fn upload_from_url(&self, source_url: impl Into<String>) -> UploadFromUrl<'_> {
        UploadFromUrl {
            client: self,
            source_url: source_url.into(),
            filename: None,
            store: StoreType::Auto,
            metadata: BTreeMap::new(),
            tags: Vec::new(),
            check_duplicates: false,
            save_duplicates: None,
            timeout: Duration::from_secs(600),
            poll_interval: Duration::from_millis(250),
            wait_ready: None,
            progress: None,
            on_progress: None,
        }
    }

    /// Polls `/from_url/status/` for `token` (backing off from `poll_interval` to 5 s) until
    /// the file is uploaded, the fetch fails ([`Error::UploadFromUrlFailed`]), or `timeout`
    /// passes ([`Error::TimedOut`]).
    pub async fn wait_for_url_upload(
        &self,
        token: uuid::Uuid,
        timeout: Duration,
        poll_interval: Duration,
    ) -> Result<types::FileUploadInfo> {
        self.wait_for_url_upload_reporting(token, timeout, poll_interval, &|_| ())
            .await
    }

    /// [`Client::wait_for_url_upload`], handing every status polled to `seen`.
    async fn wait_for_url_upload_reporting(
        &self,
        token: uuid::Uuid,
        timeout: Duration,
        poll_interval: Duration,
        seen: &(dyn Fn(&types::FromUrlUploadStatus) + Send + Sync),
    ) -> Result<types::FileUploadInfo> {
        let policy = WaitPolicy {
            first_delay: poll_interval,
            timeout,
            ..WaitPolicy::default()
        };
        let operation = format!("upload from URL (token {token})");
        let done = crate::runtime::wait_for(&operation, &policy, || async move {
            let status = self.from_url_status(token).await?;
            seen(&status);
            match &status.status {
                FromUrlTaskStatus::Error => Err(Error::UploadFromUrlFailed {
                    code: status
                        .error_code
                        .as_ref()
                        .map(|c| crate::ErrorCode::new(c.as_str())),
                    message: status.error.clone().unwrap_or_else(|| "unknown error".to_owned()),
                }),
                FromUrlTaskStatus::Unknown => Err(Error::UploadFromUrlFailed {
                    code: None,
                    message: format!("the service does not know token {token}"),
                }),
                _ => Ok(status),
            }
        })
        .await?;
        let uuid = done.uuid.or(done.file_id).ok_or_else(|| Error::InvalidResponse {
            message: "a `success` status without a file UUID".to_owned(),
            body: String::new(),
        })?;
        self.info(uuid).await
    }

    /// `info` as it is, or — with a policy and a file not ready yet — once it is ready.
    pub(crate) async fn ready(
        &self,
        info: types::FileUploadInfo,
        policy: Option<&WaitPolicy>,
    ) -> Result<types::FileUploadInfo> {
        match policy {
            Some(policy) if !info.is_ready => self
                .wait_until_ready(info.uuid, policy)
                .await
                .map_err(|e| Error::incomplete(info.uuid, UploadStage::Ready, e)),
            _ => Ok(info),
        }
    }

    /// Polls `/info/` until the file `is_ready` (processed and available on the CDN), per
    /// `policy`; [`Error::TimedOut`] when it does not get ready in time.
    pub async fn wait_until_ready(
        &self,
        uuid: uuid::Uuid,
        policy: &WaitPolicy,
    ) -> Result<types::FileUploadInfo> {
        let operation = format!("file {uuid} to be ready");
        let ready = crate::runtime::wait_for(&operation, policy, || async move {
            Ok::<_, Error>(ReadyCheck(self.info(uuid).await?))
        })
        .await?;
        Ok(ready.0)
    }
}

/// `success` ends the wait; failures end it through errors of the poll itself.
impl JobStatus for types::FromUrlUploadStatus {
    fn job_state(&self) -> JobState {
        match self.status {
            FromUrlTaskStatus::Success => JobState::Succeeded,
            // `waiting`, `progress`, or a status added later.
            _ => JobState::Pending,
        }
    }
}

/// A file info, done once the file is ready.
struct ReadyCheck(types::FileUploadInfo);

impl JobStatus for ReadyCheck {
    fn job_state(&self) -> JobState {
        if self.0.is_ready {
            JobState::Succeeded
        } else {
            JobState::Pending
        }
    }
}

impl UploadFromUrl<'_> {
    /// The file name to give the file.
    pub fn filename(mut self, name: impl Into<String>) -> Self {
        self.filename = Some(name.into());
        self
    }

    /// Whether to store the file (default [`StoreType::Auto`]).
    pub fn store(mut self, store: StoreType) -> Self {
        self.store = store;
        self
    }

    /// Adds a metadata key and value.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Tags the file, like [`Upload::tags`] (the official JS client sends them to
    /// `/from_url/` too).
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Return the file previously uploaded from the same URL instead of fetching again
    /// (`check_URL_duplicates`).
    pub fn check_url_duplicates(mut self, check: bool) -> Self {
        self.check_duplicates = check;
        self
    }

    /// Remember this URL for later duplicate checks (`save_URL_duplicates`).
    pub fn save_url_duplicates(mut self, save: bool) -> Self {
        self.save_duplicates = Some(save);
        self
    }

    /// How long [`UploadFromUrl::send`] waits (default 10 minutes).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// First delay between status checks (default 250 ms; it grows to 5 s).
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval;
        self
    }

    /// After the fetch, [`UploadFromUrl::send`] also waits (per `policy`) until the file
    /// `is_ready`, like [`Upload::wait_until_ready`].
    pub fn wait_until_ready(mut self, policy: WaitPolicy) -> Self {
        self.wait_ready = Some(policy);
        self
    }

    /// While [`UploadFromUrl::send`] waits, reports the service's `done`/`total` bytes of
    /// the fetch through this channel (as polled: the values move in the steps the status
    /// answers give; `total` is 0 while the service does not know it), ending with
    /// `done == total` once the file is in.
    pub fn progress(mut self, sender: watch::Sender<UploadProgress>) -> Self {
        self.progress = Some(sender);
        self
    }

    /// Calls `f` with every progress value of [`UploadFromUrl::progress`].
    pub fn on_progress(mut self, f: impl Fn(UploadProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// `POST /from_url/`: starts the fetch; the answer holds a token to poll, or (with
    /// duplicate checking) the file itself.
    pub async fn submit(&self) -> Result<types::FromUrlUploadResponse> {
        validate_metadata(&self.metadata)?;
        let flag = |yes: bool| {
            if yes {
                UrlDuplicatesFlag::Yes
            } else {
                UrlDuplicatesFlag::No
            }
        };
        let mut form = FormRequest::new("/from_url/", "pub_key", true)
            .text("source_url", &self.source_url)
            .text("store", self.store.as_str())
            .text("check_URL_duplicates", flag(self.check_duplicates).as_str());
        if let Some(save) = self.save_duplicates {
            form = form.text("save_URL_duplicates", flag(save).as_str());
        }
        if let Some(filename) = &self.filename {
            form = form.text("filename", filename);
        }
        for (key, value) in &self.metadata {
            form = form.text(format!("metadata[{key}]"), value);
        }
        let tags = crate::tags::normalize_tags(&self.tags)?;
        if !tags.is_empty() {
            form = form.text("tags", tags.join(","));
        }
        self.client.send_form("from_url_upload", form).await
    }

    /// Starts the fetch and waits for the file.
    pub async fn send(self) -> Result<types::FileUploadInfo> {
        let info = self.fetch().await?;
        self.client.ready(info, self.wait_ready.as_ref()).await
    }

    async fn fetch(&self) -> Result<types::FileUploadInfo> {
        let submitted = self.submit().await?;
        match (&submitted.type_, submitted.token) {
            (FromUrlUploadResultType::Token, Some(token)) => {
                let (progress, on_progress) = (self.progress.as_ref(), self.on_progress.as_ref());
                let last = Mutex::new(None);
                let seen = |status: &types::FromUrlUploadStatus| {
                    let size = |n: Option<i64>| n.and_then(|n| u64::try_from(n).ok());
                    let value = match status.status {
                        FromUrlTaskStatus::Progress => UploadProgress {
                            done: size(status.done).unwrap_or(0),
                            total: size(status.total).unwrap_or(0),
                        },
                        FromUrlTaskStatus::Success => {
                            let total = size(status.size).or(size(status.total)).unwrap_or(0);
                            UploadProgress { done: total, total }
                        }
                        _ => return,
                    };
                    // Every poll answers; report changes only.
                    let mut last = last.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                    if *last != Some(value) {
                        *last = Some(value);
                        deliver(progress, on_progress, value);
                    }
                };
                self.client
                    .wait_for_url_upload_reporting(token, self.timeout, self.poll_interval, &seen)
                    .await
            }
            _ => {
                let uuid = submitted
                    .uuid
                    .or(submitted.file_id)
                    .ok_or_else(|| Error::InvalidResponse {
                        message: "the answer has neither a token nor a file UUID".to_owned(),
                        body: String::new(),
                    })?;
                self.client.info(uuid).await
            }
        }
    }
}
