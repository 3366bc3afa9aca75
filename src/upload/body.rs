//! Request bodies that count what they send: every body the Upload API client sends goes
//! out in chunks, and the bytes the HTTP client has taken are tallied (the pipeline reads
//! the tally to know whether a request could have been processed) and reported as progress.

use crate::error::{Error, Result};
use bytes::Bytes;

/// A progress callback: bytes done so far.
pub(crate) type ProgressFn = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

/// Chunk size of a streamed direct-upload body (also the step of its progress reports).
pub(crate) const STREAM_CHUNK: usize = 64 * 1024;

/// Read size when a part streams from a file: large enough that a part is a few dozen writes.
const PART_READ_CHUNK: usize = 256 * 1024;

/// Bytes of one attempt's request body handed to the HTTP client so far: while they are
/// fewer than the body's length, the server cannot have processed the request.
#[derive(Clone, Debug, Default)]
pub(crate) struct Tally(std::sync::Arc<std::sync::atomic::AtomicU64>);

impl Tally {
    fn add(&self, bytes: u64) {
        self.0.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    }

    /// Bytes handed over so far.
    pub(crate) fn get(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The counter itself (the request pipeline's read timeout watches it).
    pub(crate) fn counter(&self) -> &std::sync::atomic::AtomicU64 {
        &self.0
    }
}

/// `chunks` as a request body that adds every chunk the HTTP client takes to `tally` and,
/// when there is a `report`, calls it with 0 and then with the body's running total.
pub(crate) fn counted_body(chunks: ChunkStream, tally: &Tally, report: Option<ProgressFn>) -> reqwest::Body {
    use futures_util::StreamExt;
    let mut done = 0u64;
    if let Some(report) = &report {
        report(0);
    }
    let tally = tally.clone();
    reqwest::Body::wrap_stream(chunks.map(move |chunk| {
        if let Ok(bytes) = &chunk {
            let len = bytes.len() as u64;
            done += len;
            tally.add(len);
            if let Some(report) = &report {
                report(done);
            }
        }
        chunk
    }))
}

/// `bytes` as chunks of at most [`STREAM_CHUNK`] (slices, no copies).
pub(crate) fn byte_chunks(bytes: Bytes) -> ChunkStream {
    let len = bytes.len();
    Box::pin(futures_util::stream::iter(
        (0..len)
            .step_by(STREAM_CHUNK)
            .map(move |at| Ok(bytes.slice(at..(at + STREAM_CHUNK).min(len)))),
    ))
}

/// `len` bytes of the file at `path` from `offset`, read in [`PART_READ_CHUNK`] steps
/// (no part buffer); the file is opened anew for every call, so a retry re-reads it.
pub(crate) async fn file_region(path: &std::path::Path, offset: u64, len: u64) -> Result<ChunkStream> {
    use tokio::io::{AsyncReadExt, AsyncSeekExt};
    let io = |e: std::io::Error| Error::Io {
        context: format!("reading {}", path.display()),
        source: e,
    };
    let mut file = tokio::fs::File::open(path).await.map_err(io)?;
    file.seek(std::io::SeekFrom::Start(offset)).await.map_err(io)?;
    Ok(Box::pin(tokio_util::io::ReaderStream::with_capacity(
        file.take(len),
        PART_READ_CHUNK,
    )))
}

/// A body read chunk by chunk.
pub(crate) type ChunkStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = std::io::Result<Bytes>> + Send>>;
