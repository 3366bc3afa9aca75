//! Where the bytes of an upload come from: memory, a path, or a reader, each turned into a
//! counted request body (again for every attempt where the source allows it).

use super::body::{byte_chunks, counted_body, ChunkStream, ProgressFn, Tally, STREAM_CHUNK};
use crate::error::{Error, Result};
use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::AsyncRead;

/// Where the bytes of an upload come from.
pub enum UploadSource {
    /// Bytes in memory.
    Bytes(Bytes),
    /// A file on disk, read in parts (never whole into memory).
    Path(PathBuf),
    /// A reader and its exact length in bytes. It can be read only once, so a request that
    /// carries it is not retried (bytes and paths are re-read for every attempt).
    Reader {
        /// The content.
        reader: Pin<Box<dyn AsyncRead + Send>>,
        /// How many bytes it yields.
        len: u64,
    },
    /// A reader (or stream) of unknown length, read to its end. [`Client::upload`](super::Client::upload) takes
    /// it: what fits in memory (see [`Upload::spool_dir`](super::Upload::spool_dir)) is
    /// uploaded from memory, anything longer is first spooled to a temporary file (the
    /// service needs a multipart upload's exact size before the first part). The lower
    /// level calls ([`Client::direct_upload`](super::Client::direct_upload)) need a length and refuse it.
    Unsized(Pin<Box<dyn AsyncRead + Send>>),
}

impl std::fmt::Debug for UploadSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            Self::Path(path) => write!(f, "Path({})", path.display()),
            Self::Reader { len, .. } => write!(f, "Reader({len} bytes)"),
            Self::Unsized(_) => f.write_str("Unsized"),
        }
    }
}

impl UploadSource {
    /// A reader of exactly `len` bytes.
    pub fn reader(reader: impl AsyncRead + Send + 'static, len: u64) -> Self {
        Self::Reader {
            reader: Box::pin(reader),
            len,
        }
    }

    /// A reader of unknown length, read until it ends: see [`UploadSource::Unsized`].
    /// A pipe, a socket or a decoder's output, for example.
    pub fn unsized_reader(reader: impl AsyncRead + Send + 'static) -> Self {
        Self::Unsized(Box::pin(reader))
    }

    /// A stream of byte chunks of unknown length (a response body, a channel), read until
    /// it ends: see [`UploadSource::Unsized`]. An `Err` item fails the upload with
    /// [`Error::Io`].
    pub fn stream<S, E>(stream: S) -> Self
    where
        S: futures_util::Stream<Item = std::result::Result<Bytes, E>> + Send + 'static,
        E: Into<Box<dyn std::error::Error + Send + Sync>> + 'static,
    {
        use futures_util::TryStreamExt;
        Self::unsized_reader(tokio_util::io::StreamReader::new(
            stream.map_err(std::io::Error::other),
        ))
    }

    /// A copy of a source that can be read again (bytes, a path); `None` for readers.
    pub(crate) fn try_clone(&self) -> Option<Self> {
        match self {
            Self::Bytes(bytes) => Some(Self::Bytes(bytes.clone())),
            Self::Path(path) => Some(Self::Path(path.clone())),
            Self::Reader { .. } | Self::Unsized(_) => None,
        }
    }

    /// The size in bytes (reads file metadata for a path). [`Error::InvalidInput`] for a
    /// source of unknown length.
    pub async fn len(&self) -> Result<u64> {
        match self {
            Self::Bytes(bytes) => Ok(bytes.len() as u64),
            Self::Path(path) => tokio::fs::metadata(path)
                .await
                .map(|m| m.len())
                .map_err(|e| Error::InvalidInput(format!("cannot read {}: {e}", path.display()))),
            Self::Reader { len, .. } => Ok(*len),
            Self::Unsized(_) => Err(Error::InvalidInput(
                "the source's length is unknown: upload it with `Client::upload`, which spools it".to_owned(),
            )),
        }
    }

    /// The file name a path suggests.
    pub fn file_name(&self) -> Option<String> {
        match self {
            Self::Path(path) => path.file_name().map(|n| n.to_string_lossy().into_owned()),
            _ => None,
        }
    }

    /// The content as chunks of at most [`STREAM_CHUNK`] bytes: slices of bytes in memory,
    /// reads of a file or a reader.
    async fn into_chunks(self) -> Result<ChunkStream> {
        Ok(match self {
            Self::Bytes(bytes) => byte_chunks(bytes),
            Self::Path(path) => {
                let file = tokio::fs::File::open(&path)
                    .await
                    .map_err(|e| Error::InvalidInput(format!("cannot open {}: {e}", path.display())))?;
                // A small file needs no 64 KiB buffer (many of them go in one batch).
                let len = file.metadata().await.map_or(STREAM_CHUNK as u64, |m| m.len());
                let capacity = (len as usize).clamp(1, STREAM_CHUNK);
                Box::pin(tokio_util::io::ReaderStream::with_capacity(file, capacity))
            }
            Self::Reader { reader, len } => Box::pin(tokio_util::io::ReaderStream::with_capacity(
                tokio::io::AsyncReadExt::take(reader, len),
                STREAM_CHUNK,
            )),
            Self::Unsized(reader) => {
                Box::pin(tokio_util::io::ReaderStream::with_capacity(reader, STREAM_CHUNK))
            }
        })
    }

    /// The content as a request body whose bytes count into `tally` (and `report`, see
    /// [`counted_body`]) as the HTTP client takes them.
    pub(crate) async fn into_counted_body(
        self,
        tally: &Tally,
        report: Option<ProgressFn>,
    ) -> Result<reqwest::Body> {
        Ok(counted_body(self.into_chunks().await?, tally, report))
    }
}

impl From<Bytes> for UploadSource {
    fn from(bytes: Bytes) -> Self {
        Self::Bytes(bytes)
    }
}

impl From<Vec<u8>> for UploadSource {
    fn from(bytes: Vec<u8>) -> Self {
        Self::Bytes(bytes.into())
    }
}

impl From<&'static [u8]> for UploadSource {
    fn from(bytes: &'static [u8]) -> Self {
        Self::Bytes(Bytes::from_static(bytes))
    }
}

impl From<&'static str> for UploadSource {
    fn from(text: &'static str) -> Self {
        Self::Bytes(Bytes::from_static(text.as_bytes()))
    }
}

impl From<PathBuf> for UploadSource {
    fn from(path: PathBuf) -> Self {
        Self::Path(path)
    }
}

impl From<&Path> for UploadSource {
    fn from(path: &Path) -> Self {
        Self::Path(path.to_owned())
    }
}
