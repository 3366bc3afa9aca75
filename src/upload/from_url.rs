//! Uploads from URL: submit the URL, then poll `/from_url/status/` until the service has
//! fetched the file (or failed to), with progress.

use super::progress::{deliver, OnProgress, UploadProgress};
use super::requests::{validate_metadata, FormRequest};
use super::types::{self, FromUrlTaskStatus, FromUrlUploadResultType, StoreType, UrlDuplicatesFlag};
use super::Client;
use crate::error::{Error, Result, UploadStage};
use crate::runtime::{JobState, JobStatus, WaitPolicy};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::watch;

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

    /// Tags the file, like [`Upload::tags`](super::Upload::tags) (the official JS client sends them to
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
    /// `is_ready`, like [`Upload::wait_until_ready`](super::Upload::wait_until_ready).
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
