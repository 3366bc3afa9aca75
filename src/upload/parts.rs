//! Multipart parts: the parallel PUTs of one upload, each attempt re-reading its bytes (a
//! slice in memory or a file region) through the one request pipeline.

use super::progress::{PartAttempt, Reporter};
use super::requests::{byte_chunks, counted_body, error_answer, file_region, Tally, UploadSource};
use super::types;
use super::Client;
use crate::error::{Error, Result, UploadStage};
use bytes::{Bytes, BytesMut};
use std::sync::Arc;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::task::JoinSet;

/// The parallel part uploads of one multipart upload.
pub(crate) struct PartUploads {
    pub(crate) client: Client,
    pub(crate) urls: Vec<String>,
    pub(crate) size: u64,
    pub(crate) part_size: u64,
    pub(crate) content_type: String,
    pub(crate) concurrency: usize,
    pub(crate) reporter: Arc<Reporter>,
}

impl PartUploads {
    /// Reads the parts in order and keeps at most `concurrency` of them in flight, so at
    /// most `concurrency` part buffers exist at once. A part is retried on its own.
    pub(crate) async fn run(self, source: UploadSource) -> Result<()> {
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

    fn sent(&self) -> Option<&std::sync::atomic::AtomicU64> {
        Some(self.tally.counter())
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
    pub(crate) async fn finish_multipart(&self, uuid: uuid::Uuid) -> Result<types::FileUploadInfo> {
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

impl Client {
    /// PUTs one part's bytes to its presigned URL (from [`Client::multipart_start`]),
    /// retried like every request (a part upload is idempotent).
    pub async fn multipart_upload_part(&self, url: &str, bytes: Bytes, content_type: &str) -> Result<()> {
        let part = PartBody::Bytes(bytes);
        self.send_part(&mut PartAttempts::new(self, url, &part, content_type, None))
            .await
    }

    /// The PUT of one attempt of a part: the URL is presigned, so it is sent exactly as
    /// given (no `jsonerrors` flag).
    pub(crate) fn part_request(
        &self,
        url: &str,
        body: reqwest::Body,
        len: u64,
        content_type: &str,
    ) -> Result<reqwest::Request> {
        let request = self
            .inner
            .http()
            .put(url)
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .header(reqwest::header::CONTENT_LENGTH, len);
        let mut request = request.body(body).build()?;
        self.inner.set_user_agent(request.headers_mut());
        Ok(request)
    }

    /// Sends a part through the request pipeline, one request per attempt.
    pub(crate) async fn send_part(&self, attempts: &mut PartAttempts<'_>) -> Result<()> {
        let op = crate::runtime::Op {
            name: "multipart_file_upload_part",
            kind: super::operation_class("multipart_file_upload_part"),
            api: crate::runtime::Api::Upload,
        };
        let answer = crate::runtime::send_with_retries(&self.inner, &op, attempts)
            .await
            .map_err(|failure| failure.into_error(&op))?
            .normalized();
        if answer.status.is_success() {
            return Ok(());
        }
        Err(error_answer(&answer))
    }
}
