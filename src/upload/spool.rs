//! Sources of unknown length. A multipart upload must state the file's exact size when it
//! starts (`/multipart/start/` takes a required `size`: "precise file size in bytes"), so
//! a source that does not know its length is read up to a memory limit first: if it ends
//! there, it is uploaded from memory; otherwise what was read and the rest go to a
//! temporary file, which the upload then reads like any file on disk (and removes at the
//! end, whether the upload succeeded or not).

use crate::error::{Error, Result};
use bytes::Bytes;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};

/// Where the content of a source of unknown length ended up.
pub(crate) enum Taken {
    /// All of it, in memory (it ended within the limit).
    Memory(Bytes),
    /// All of it, in a temporary file removed when this is dropped.
    Spooled(tempfile::TempPath),
}

/// Reads `reader` into memory up to `memory_limit` bytes; if it goes on, spools everything
/// to a temporary file in `dir` (default: the system's temporary directory). Memory stays
/// within `memory_limit` plus a copy buffer.
pub(crate) async fn take(
    mut reader: Pin<Box<dyn AsyncRead + Send>>,
    memory_limit: usize,
    dir: Option<&Path>,
) -> Result<Taken> {
    let read_error = |at: usize, e: std::io::Error| Error::Io {
        context: format!("reading the upload's source (failed after {at} bytes)"),
        source: e,
    };
    // The buffer never grows past its first capacity: pages the source never fills are
    // never touched, and the capacity is given back before the bytes are used.
    let mut buffer: Vec<u8> = Vec::with_capacity(memory_limit);
    while buffer.len() < memory_limit {
        let read = reader
            .read_buf(&mut buffer)
            .await
            .map_err(|e| read_error(buffer.len(), e))?;
        if read == 0 {
            buffer.shrink_to_fit();
            return Ok(Taken::Memory(Bytes::from(buffer)));
        }
    }

    // Full: one more byte tells whether the source ends exactly here.
    let mut probe = [0u8; 1];
    let extra = reader
        .read(&mut probe)
        .await
        .map_err(|e| read_error(buffer.len(), e))?;
    if extra == 0 {
        return Ok(Taken::Memory(Bytes::from(buffer)));
    }

    let dir: PathBuf = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    let spool_error = {
        let dir = dir.clone();
        move |e: std::io::Error| Error::Io {
            context: format!(
                "spooling an upload of unknown length to a temporary file in {}",
                dir.display()
            ),
            source: e,
        }
    };
    let created = {
        let dir = dir.clone();
        tokio::task::spawn_blocking(move || {
            tempfile::Builder::new()
                .prefix(".uploadcare-upload-")
                .tempfile_in(dir)
        })
        .await
        .map_err(|e| spool_error(std::io::Error::other(e)))?
        .map_err(&spool_error)?
    };
    let (file, path) = created.into_parts();
    let mut file = tokio::fs::File::from_std(file);
    file.write_all(&buffer).await.map_err(&spool_error)?;
    file.write_all(&probe).await.map_err(&spool_error)?;
    let mut written = buffer.len() + 1;
    drop(buffer);
    let mut chunk = vec![0u8; COPY_CHUNK];
    loop {
        let read = reader
            .read(&mut chunk)
            .await
            .map_err(|e| read_error(written, e))?;
        if read == 0 {
            break;
        }
        file.write_all(&chunk[..read]).await.map_err(&spool_error)?;
        written += read;
    }
    file.flush().await.map_err(&spool_error)?;
    tracing::debug!(bytes = written, path = %path.display(), "source of unknown length spooled");
    Ok(Taken::Spooled(path))
}

/// Bytes copied at a time from the source to the temporary file.
const COPY_CHUNK: usize = 256 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    fn reader(data: Vec<u8>) -> Pin<Box<dyn AsyncRead + Send>> {
        Box::pin(std::io::Cursor::new(data))
    }

    #[tokio::test]
    async fn a_source_that_ends_within_the_limit_stays_in_memory() {
        let data: Vec<u8> = (0..100_000u32).map(|i| i as u8).collect();
        match take(reader(data.clone()), 100_000, None).await.unwrap() {
            Taken::Memory(bytes) => assert_eq!(bytes.as_ref(), data.as_slice()),
            Taken::Spooled(_) => panic!("spooled a source within the limit"),
        }
    }

    #[tokio::test]
    async fn a_longer_source_is_spooled_whole_and_the_file_removed_after() {
        let dir = tempfile::tempdir().unwrap();
        let data: Vec<u8> = (0..1_000_001u32).map(|i| (i % 251) as u8).collect();
        let taken = take(reader(data.clone()), 4096, Some(dir.path())).await.unwrap();
        let Taken::Spooled(path) = taken else {
            panic!("kept a source above the limit in memory");
        };
        assert!(path.starts_with(dir.path()));
        assert_eq!(std::fs::read(&path).unwrap(), data);
        let kept = path.to_path_buf();
        drop(path);
        assert!(!kept.exists(), "the temporary file outlived the upload");
    }

    #[tokio::test]
    async fn a_directory_that_cannot_take_the_file_is_an_io_error() {
        let missing = std::env::temp_dir().join("uploadcare-no-such-dir/inner");
        let error = take(reader(vec![1; 10]), 4, Some(&missing)).await.err().unwrap();
        assert!(matches!(error, Error::Io { .. }), "{error:?}");
        assert!(error.to_string().contains("uploadcare-no-such-dir"), "{error}");
    }
}
