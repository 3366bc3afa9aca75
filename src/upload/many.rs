//! Many uploads at once: [`Client::upload_many`].
//!
//! Every request of the uploads takes one of `concurrency` permits, so at most that many
//! are in flight (a multipart file holds one permit and runs its parts in parallel on
//! top, per [`UploadMany::part_concurrency`]). When there are more small files than
//! permits, small files share `/base/` requests (the Upload API takes many files per
//! request, up to 100 MB together): one request instead of one per file.

use std::sync::Arc;

use futures_util::stream::{self, StreamExt};
use tokio::sync::Semaphore;

use super::flow::{upload_settings, Settings, UploadedFile};
use super::progress::UploadProgress;
use super::requests::{DirectFile, ProgressFn, UploadSource};
use super::types;
use super::Client;
use crate::{Error, Result, UploadStage};

/// Files smaller than this may share a `/base/` request with others (1 MiB).
pub const BATCH_MAX_FILE_SIZE: u64 = 1024 * 1024;
/// Most files in one shared `/base/` request.
pub const BATCH_MAX_FILES: usize = 100;
/// Most bytes of files in one shared `/base/` request (16 MiB; the service's limit for
/// one request is 100 MB).
pub const BATCH_MAX_BYTES: u64 = 16 * 1024 * 1024;

/// Per-file progress: the source's index and its progress.
type OnFileProgress = Arc<dyn Fn(usize, UploadProgress) + Send + Sync>;

/// Uploads of many sources with a bound on how many requests are in flight; made by
/// [`Client::upload_many`].
#[must_use = "nothing is sent until `.send()`"]
pub struct UploadMany<'a> {
    client: &'a Client,
    sources: Vec<UploadSource>,
    concurrency: usize,
    settings: Settings,
    batching: bool,
    on_progress: Option<OnFileProgress>,
    /// Skip the `/info/` requests ([`UploadMany::send_uploaded`]).
    light: bool,
}

/// One upload's outcome inside `upload_many`: the file's info, or (without `/info/`) what
/// the crate knows of it.
enum Done {
    Info(Box<types::FileUploadInfo>),
    Uploaded(UploadedFile),
}

impl Client {
    /// Uploads every source (each as [`Client::upload`] would: direct or multipart by size,
    /// small files possibly sharing a request) with at most [`UploadMany::concurrency`]
    /// requests in flight. The answer has one result per source, in the order given: one
    /// failure does not lose the others' results.
    ///
    /// ```no_run
    /// # async fn run(client: uploadcare::upload::Client) -> uploadcare::Result<()> {
    /// use std::path::PathBuf;
    ///
    /// let paths = ["a.jpg", "b.jpg", "c.pdf"].map(PathBuf::from);
    /// let results = client.upload_many(paths.clone()).concurrency(8).send().await?;
    /// for (path, result) in paths.iter().zip(results) {
    ///     match result {
    ///         Ok(file) => println!("{}: {}", path.display(), file.uuid),
    ///         Err(e) => eprintln!("{}: {e}", path.display()),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn upload_many<S: Into<UploadSource>>(&self, sources: impl IntoIterator<Item = S>) -> UploadMany<'_> {
        UploadMany {
            client: self,
            sources: sources.into_iter().map(Into::into).collect(),
            concurrency: super::DEFAULT_CONCURRENCY,
            settings: Settings::default(),
            batching: true,
            light: false,
            on_progress: None,
        }
    }

    /// Uploads every source ([`Client::upload_many`], 4 at a time) and then makes a group of
    /// them, in the order given. See [`UploadMany::send_group`] for the options and what
    /// happens when an upload fails.
    pub async fn upload_group<S: Into<UploadSource>>(
        &self,
        sources: impl IntoIterator<Item = S>,
    ) -> Result<(types::GroupInfo, Vec<types::FileUploadInfo>)> {
        self.upload_many(sources).send_group().await
    }
}

/// What one unit of work uploads.
enum Work {
    /// One source, as [`Client::upload`] does it.
    One(usize, UploadSource),
    /// Small files in one `/base/` request.
    Batch(Vec<Batched>),
}

/// A small file of a batch, with a copy to upload on its own if the batch fails.
struct Batched {
    index: usize,
    source: UploadSource,
    again: UploadSource,
    size: u64,
}

impl UploadMany<'_> {
    upload_settings!();

    /// Requests in flight at once (default 4, at least 1): uploads of single files,
    /// shared `/base/` requests and the `/info/` requests after them.
    pub fn concurrency(mut self, requests: usize) -> Self {
        self.concurrency = requests;
        self
    }

    /// Parts in flight at once within each multipart file (default 4).
    pub fn part_concurrency(mut self, parts: usize) -> Self {
        self.settings.part_concurrency = parts;
        self
    }

    /// Whether small files (below [`BATCH_MAX_FILE_SIZE`], from bytes or paths) may share
    /// `/base/` requests when there are more of them than [`UploadMany::concurrency`]
    /// (default: yes). If a shared request fails, its files are uploaded one by one, so
    /// each gets its own result.
    pub fn batch_small_files(mut self, batch: bool) -> Self {
        self.batching = batch;
        self
    }

    /// Calls `f(index, progress)` as the bytes of the source at `index` go out (see
    /// [`Upload::on_progress`](super::Upload::on_progress)). Keep it quick.
    pub fn on_progress(mut self, f: impl Fn(usize, UploadProgress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Runs the uploads, then creates a group of the files in the order given, and returns
    /// the group with the files' infos. No group is made unless every upload succeeded: the
    /// first failure (in source order) is returned as it is (the files that did upload stay,
    /// ungrouped; use [`UploadMany::send`] to get every result).
    pub async fn send_group(self) -> Result<(types::GroupInfo, Vec<types::FileUploadInfo>)> {
        let client = self.client;
        let results = self.send().await?;
        let total = results.len();
        let uploaded = results.iter().filter(|r| r.is_ok()).count();
        let mut files = Vec::with_capacity(total);
        for (index, result) in results.into_iter().enumerate() {
            match result {
                Ok(file) => files.push(file),
                Err(error) => {
                    tracing::warn!(
                        source = index,
                        uploaded,
                        total,
                        "upload_group: an upload failed; no group made"
                    );
                    return Err(error);
                }
            }
        }
        let group = client
            .create_group(files.iter().map(|f| f.uuid.to_string()))
            .await?;
        Ok((group, files))
    }

    /// Runs the uploads. `Err` only for settings that make every upload fail (a
    /// concurrency of 0, invalid metadata, tags or sizes), before anything is sent;
    /// otherwise one result per source, in order.
    pub async fn send(self) -> Result<Vec<Result<types::FileUploadInfo>>> {
        self.run_all(|done| match done {
            Done::Info(info) => Ok(*info),
            Done::Uploaded(file) => Err(Error::InvalidResponse {
                message: format!("upload_many: no info was fetched for {}", file.uuid),
                body: String::new(),
            }),
        })
        .await
    }

    /// Runs the uploads like [`UploadMany::send`], without asking the service for each
    /// file's info afterwards: each result is the UUID with the name and size the crate
    /// sent ([`UploadedFile`]). Small files sharing `/base/` requests then cost one request
    /// per batch and nothing more — the fastest way to upload many files when only their
    /// UUIDs are needed. [`UploadMany::wait_until_ready`] does not apply (nothing is polled);
    /// fetch infos later with [`Client::info`] where needed.
    ///
    /// ```no_run
    /// # async fn run(client: uploadcare::upload::Client) -> uploadcare::Result<()> {
    /// let paths: Vec<std::path::PathBuf> = (0..1000).map(|i| format!("img/{i}.jpg").into()).collect();
    /// for file in client.upload_many(paths).concurrency(8).send_uploaded().await? {
    ///     let file = file?;
    ///     println!("{} {} ({} bytes)", file.uuid, file.filename, file.size);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_uploaded(mut self) -> Result<Vec<Result<UploadedFile>>> {
        self.light = true;
        self.run_all(|done| {
            Ok(match done {
                Done::Uploaded(file) => file,
                Done::Info(info) => UploadedFile::from_info(*info),
            })
        })
        .await
    }

    /// Runs the uploads: one result per source, in order, each made by `finish` as it comes
    /// (so a file's info is moved out of its box at once, not all of them at the end, when
    /// the boxes and the answer would both be in memory).
    async fn run_all<T>(mut self, finish: fn(Done) -> Result<T>) -> Result<Vec<Result<T>>> {
        if self.concurrency == 0 {
            return Err(Error::InvalidInput(
                "upload_many: concurrency must be at least 1".to_owned(),
            ));
        }
        self.settings.validate()?;
        let count = self.sources.len();
        let sources = std::mem::take(&mut self.sources);
        let work = self.plan(sources).await;
        let permits = Semaphore::new(self.concurrency);
        let this = &self;
        let permits = &permits;
        let mut results: Vec<Option<Result<T>>> = (0..count).map(|_| None).collect();
        let mut done = stream::iter(work)
            .map(|work| this.run(work, permits))
            .buffer_unordered(self.concurrency);
        while let Some(finished) = done.next().await {
            for (index, result) in finished {
                results[index] = Some(result.and_then(finish));
            }
        }
        // In place where `Option<Result<T>>` is laid out like `Result<T>` (no second copy).
        Ok(results
            .into_iter()
            .map(|result| {
                result.unwrap_or_else(|| {
                    Err(Error::InvalidInput(
                        "upload_many: an upload gave no result".to_owned(),
                    ))
                })
            })
            .collect())
    }

    /// Splits the sources into single uploads and, when there are more small files than
    /// permits, shared requests of small files (at least as many as permits, so they run
    /// in parallel).
    async fn plan(&self, sources: Vec<UploadSource>) -> Vec<Work> {
        let mut single = Vec::new();
        let mut small = Vec::new();
        // The sizes of all paths in one trip to the blocking pool (not one per file).
        let paths: Vec<(usize, std::path::PathBuf)> = match self.batching {
            true => sources
                .iter()
                .enumerate()
                .filter_map(|(index, source)| match source {
                    UploadSource::Path(path) => Some((index, path.clone())),
                    _ => None,
                })
                .collect(),
            false => Vec::new(),
        };
        let path_sizes: std::collections::HashMap<usize, u64> = tokio::task::spawn_blocking(move || {
            paths
                .into_iter()
                .filter_map(|(index, path)| std::fs::metadata(path).ok().map(|m| (index, m.len())))
                .collect()
        })
        .await
        .unwrap_or_default();
        for (index, source) in sources.into_iter().enumerate() {
            let size = match (&source, self.batching) {
                (UploadSource::Bytes(bytes), true) => Some(bytes.len() as u64),
                (UploadSource::Path(_), true) => path_sizes.get(&index).copied(),
                _ => None,
            };
            match (size, source.try_clone()) {
                (Some(size), Some(again)) if size < BATCH_MAX_FILE_SIZE => small.push(Batched {
                    index,
                    source,
                    again,
                    size,
                }),
                _ => single.push(Work::One(index, source)),
            }
        }
        if small.len() <= self.concurrency {
            single.extend(small.into_iter().map(|file| Work::One(file.index, file.source)));
            return single;
        }
        let batches = self.concurrency.max(small.len().div_ceil(BATCH_MAX_FILES));
        let per_batch = small.len().div_ceil(batches);
        let mut work = Vec::new();
        let mut batch: Vec<Batched> = Vec::new();
        let mut bytes = 0;
        for file in small {
            if batch.len() == per_batch || (!batch.is_empty() && bytes + file.size > BATCH_MAX_BYTES) {
                work.push(Work::Batch(std::mem::take(&mut batch)));
                bytes = 0;
            }
            bytes += file.size;
            batch.push(file);
        }
        if !batch.is_empty() {
            work.push(Work::Batch(batch));
        }
        // Single uploads (the large files among them) first: they take longest.
        single.extend(work);
        single
    }

    /// Runs one unit of work; results by source index.
    async fn run(&self, work: Work, permits: &Semaphore) -> Vec<(usize, Result<Done>)> {
        match work {
            Work::One(index, source) => vec![(index, self.one(index, source, permits).await)],
            Work::Batch(files) => self.batch(files, permits).await,
        }
    }

    /// One source on its own, holding one permit.
    async fn one(&self, index: usize, source: UploadSource, permits: &Semaphore) -> Result<Done> {
        let _permit = permits.acquire().await.map_err(closed)?;
        let mut upload = self.client.upload(source).with_settings(self.settings.clone());
        if let Some(f) = &self.on_progress {
            let f = f.clone();
            upload = upload.on_progress(move |progress| f(index, progress));
        }
        if self.light {
            upload.send_uploaded().await.map(Done::Uploaded)
        } else {
            upload.send().await.map(|info| Done::Info(Box::new(info)))
        }
    }

    /// Small files in one `/base/` request, then their infos (a permit per request). If
    /// the shared request fails, each file is uploaded on its own.
    async fn batch(&self, files: Vec<Batched>, permits: &Semaphore) -> Vec<(usize, Result<Done>)> {
        let field = |index: usize| format!("file{index}");
        let mut direct = Vec::with_capacity(files.len());
        let mut progress: Vec<Option<ProgressFn>> = Vec::with_capacity(files.len());
        let mut again = Vec::with_capacity(files.len());
        // Names and sizes for the results without infos (`send_uploaded`) only.
        let mut names = std::collections::HashMap::new();
        let mut sizes = Vec::with_capacity(files.len());
        for file in files {
            sizes.push(file.size);
            let filename = file.source.file_name().unwrap_or_else(|| "file".to_owned());
            if self.light {
                names.insert(file.index, (filename.clone(), file.size));
            }
            direct.push(DirectFile {
                field: field(file.index),
                filename,
                content_type: None,
                source: file.source,
            });
            progress.push(self.on_progress.clone().map(|f| {
                let (index, total) = (file.index, file.size);
                Arc::new(move |done: u64| f(index, UploadProgress { done, total })) as ProgressFn
            }));
            again.push((file.index, file.again));
        }
        let settings = &self.settings;
        let sent = match permits.acquire().await.map_err(closed) {
            Ok(_permit) => {
                // The small files' contents in one trip to the blocking pool (not two or
                // three per file), once the request may go.
                let direct = read_small_files(direct, &sizes).await;
                self.client
                    .direct_upload_reporting(
                        direct,
                        settings.store.clone(),
                        &settings.metadata,
                        &settings.tags,
                        &progress,
                    )
                    .await
            }
            Err(e) => Err(e),
        };
        let uuids = match sent {
            Ok(uuids) => uuids,
            Err(error) if may_have_stored(&error) => {
                // Redoing the files one by one could store them twice: each is reported.
                tracing::warn!(
                    files = again.len(),
                    %error,
                    "a shared /base/ request may have stored its files; not repeating it"
                );
                let detail = format!("one shared /base/ request of {} files: {error}", again.len());
                return again
                    .into_iter()
                    .map(|(index, _)| {
                        let error = Error::OutcomeUnknown {
                            operation: "base_upload".to_owned(),
                            detail: detail.clone(),
                        };
                        (index, Err(error))
                    })
                    .collect();
            }
            Err(error) => {
                tracing::warn!(
                    files = again.len(),
                    %error,
                    "a shared /base/ request failed; uploading its files one by one"
                );
                return stream::iter(again)
                    .map(|(index, source)| async move { (index, self.one(index, source, permits).await) })
                    .buffer_unordered(self.concurrency)
                    .collect()
                    .await;
            }
        };
        let names = &names;
        stream::iter(again)
            .map(|(index, _)| {
                let uuid = uuids.get(&field(index)).copied();
                async move {
                    let info = async {
                        let uuid = uuid.ok_or_else(|| Error::InvalidResponse {
                            message: format!("the answer has no UUID for field `{}`", field(index)),
                            body: String::new(),
                        })?;
                        if self.light {
                            let (filename, size) = names.get(&index).cloned().unwrap_or_default();
                            return Ok(Done::Uploaded(UploadedFile { uuid, filename, size }));
                        }
                        let _permit = permits.acquire().await.map_err(closed)?;
                        let info = self
                            .client
                            .info(uuid)
                            .await
                            .map_err(|e| Error::incomplete(uuid, UploadStage::Info, e))?;
                        let info = self.client.ready(info, settings.wait_ready.as_ref()).await?;
                        Ok(Done::Info(Box::new(info)))
                    };
                    (index, info.await)
                }
            })
            .buffer_unordered(self.concurrency)
            .collect()
            .await
    }
}

/// Whether a failed shared `/base/` request may have stored its files: its answer was
/// lost ([`Error::OutcomeUnknown`]), was a success that could not be read, or was a server
/// error, which does not say whether the files were stored. Other failures (refusals, requests that were never read) stored
/// nothing.
fn may_have_stored(error: &Error) -> bool {
    // A success whose body could not be read stored them for sure.
    matches!(
        error,
        Error::OutcomeUnknown { .. } | Error::InvalidResponse { .. }
    ) || error.status().is_some_and(|status| status >= 500)
}

/// `files` with the contents of those read from paths loaded into memory (all under
/// [`BATCH_MAX_FILE_SIZE`], [`BATCH_MAX_BYTES`] together), read in one blocking task into
/// buffers of their `sizes` made here: allocated by the runtime's threads rather than the
/// blocking pool's, whose many malloc arenas would each keep some of the freed contents
/// (RSS then grew with the number of batches). A file that cannot be read keeps its path:
/// its upload reports the error.
async fn read_small_files(mut files: Vec<DirectFile>, sizes: &[u64]) -> Vec<DirectFile> {
    let reads: Vec<Option<(std::path::PathBuf, Vec<u8>)>> = files
        .iter()
        .zip(sizes)
        .map(|(file, &size)| match &file.source {
            // One byte more than the size: reading to the end then needs no second buffer.
            UploadSource::Path(path) => Some((path.clone(), Vec::with_capacity(size as usize + 1))),
            _ => None,
        })
        .collect();
    let contents: Vec<Option<Vec<u8>>> = tokio::task::spawn_blocking(move || {
        reads
            .into_iter()
            .map(|read| {
                let (path, mut buffer) = read?;
                let mut file = std::fs::File::open(path).ok()?;
                std::io::Read::read_to_end(&mut file, &mut buffer).ok()?;
                Some(buffer)
            })
            .collect()
    })
    .await
    .unwrap_or_default();
    for (file, content) in files.iter_mut().zip(contents) {
        if let Some(content) = content {
            file.source = UploadSource::Bytes(content.into());
        }
    }
    files
}

/// The semaphore is never closed; an error just in case.
fn closed(_: tokio::sync::AcquireError) -> Error {
    Error::InvalidInput("upload_many: the request limiter closed".to_owned())
}
