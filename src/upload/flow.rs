//! The flows a user actually wants: `upload` (direct below a threshold, parallel multipart
//! above, with progress, part retries and cancellation) and `upload_from_url` (submit, then
//! poll until done).

use super::parts::PartUploads;
use super::progress::{OnProgress, Reporter, UploadProgress};
use super::requests::{
    guess_content_type, validate_metadata, DirectFile, MultipartStart, UploadSource, MAX_PART_SIZE,
    MIN_PART_SIZE,
};
use super::spool;
use super::types::{self, StoreType};
use super::Client;
use crate::error::{Error, Result, UploadStage};
use crate::runtime::WaitPolicy;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::watch;
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
        let client = self.client;
        let wait_ready = self.settings.wait_ready.clone();
        self.traced(async move |sent: Sent| {
            let info = match sent {
                Sent::Direct(file) => client
                    .info(file.uuid)
                    .await
                    .map_err(|e| Error::incomplete(file.uuid, UploadStage::Info, e))?,
                Sent::Completed(info) => *info,
            };
            client.ready(info, wait_ready.as_ref()).await
        })
        .await
    }

    /// Runs the upload and returns what the crate knows of the file without asking the
    /// service again (no `/info/` request, no waiting for `is_ready`): for
    /// [`UploadMany::send_uploaded`](super::UploadMany::send_uploaded).
    pub(crate) async fn send_uploaded(self) -> Result<UploadedFile> {
        self.traced(async |sent: Sent| {
            Ok(match sent {
                Sent::Direct(file) => file,
                Sent::Completed(info) => UploadedFile::from_info(*info),
            })
        })
        .await
    }

    /// Runs the upload in its span, cancellable, then `finish` on what was sent.
    async fn traced<T>(self, finish: impl AsyncFnOnce(Sent) -> Result<T>) -> Result<T> {
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
        let run = tracing::Instrument::instrument(
            async move {
                let sent = self.run().await?;
                finish(sent).await
            },
            span,
        );
        tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(Error::Cancelled),
            result = run => result,
        }
    }

    async fn run(mut self) -> Result<Sent> {
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
                filename: filename.clone(),
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
            return Ok(Sent::Direct(UploadedFile { uuid, filename, size }));
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
        self.client
            .finish_multipart(started.uuid)
            .await
            .map(|info| Sent::Completed(Box::new(info)))
    }
}

/// What an upload's requests left the crate with: a direct upload's UUID (the file's info
/// needs one more request), or a completed multipart upload's info.
enum Sent {
    Direct(UploadedFile),
    Completed(Box<types::FileUploadInfo>),
}

/// A file an upload made, as far as the crate knows without asking the service again: its
/// UUID, the name it was sent with and its size. What
/// [`UploadMany::send_uploaded`](super::UploadMany::send_uploaded) returns; fetch the rest
/// with [`Client::info`] when needed.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct UploadedFile {
    /// The file's UUID.
    pub uuid: uuid::Uuid,
    /// The file name sent.
    pub filename: String,
    /// Its size in bytes.
    pub size: u64,
}

impl UploadedFile {
    /// What the crate keeps of a file's full info (a multipart upload's completion answers
    /// with it).
    pub(crate) fn from_info(info: types::FileUploadInfo) -> Self {
        UploadedFile {
            uuid: info.uuid,
            filename: info.original_filename,
            size: u64::try_from(info.size).unwrap_or_default(),
        }
    }
}
