//! Batch operations of any size: store or delete thousands of files with one call. The
//! UUIDs are checked first (all malformed ones reported before any request), then sent in
//! chunks of the API's per-request limit with bounded concurrency, and the answers merged.

use crate::error::{Error, Result};
use futures_util::stream::{self, StreamExt};
use std::future::Future;

/// Batch requests in flight at once by default.
pub const DEFAULT_BATCH_CONCURRENCY: usize = 4;

/// An answer that can absorb the answer to another chunk of the same batch.
pub trait BatchResponse: Default {
    /// Adds `other`'s results and problems to this one.
    fn merge(&mut self, other: Self);
}

/// What a batch of any size did: the merged answer of every chunk that was answered, and
/// the chunks whose request failed (with their UUIDs, so nothing goes unreported).
#[derive(Debug)]
pub struct BatchOutcome<R> {
    /// The merged answers (results and `problems` of every answered chunk).
    pub response: R,
    /// Chunks whose request failed, with the error.
    pub failed: Vec<FailedChunk>,
}

/// One chunk of a batch whose request failed.
#[derive(Debug)]
pub struct FailedChunk {
    /// The UUIDs the request carried.
    pub uuids: Vec<uuid::Uuid>,
    /// Why it failed.
    pub error: Error,
}

impl<R> BatchOutcome<R> {
    /// The merged answer, or the first chunk's error when any request failed.
    pub fn into_result(self) -> Result<R> {
        match self.failed.into_iter().next() {
            Some(chunk) => Err(chunk.error),
            None => Ok(self.response),
        }
    }
}

/// Parses every entry as a UUID; the error lists every entry that is not one.
pub fn parse_uuids<I, S>(entries: I) -> Result<Vec<uuid::Uuid>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut uuids = Vec::new();
    let mut bad = Vec::new();
    for entry in entries {
        let entry = entry.as_ref();
        match entry.trim().parse::<uuid::Uuid>() {
            Ok(uuid) => uuids.push(uuid),
            Err(_) => bad.push(format!("`{entry}`")),
        }
    }
    if !bad.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{} of {} entries are not file UUIDs: {}",
            bad.len(),
            bad.len() + uuids.len(),
            bad.join(", ")
        )));
    }
    Ok(uuids)
}

/// Sends `uuids` in chunks of at most `chunk_size` with `send`, at most `concurrency` at
/// once, and merges the answers in chunk order as they come (an answer is not kept once
/// merged; a chunk's UUIDs only when its request failed).
#[cfg_attr(not(rest), allow(dead_code))]
pub(crate) async fn in_chunks<R, F, Fut>(
    uuids: Vec<uuid::Uuid>,
    chunk_size: usize,
    concurrency: usize,
    send: F,
) -> BatchOutcome<R>
where
    R: BatchResponse,
    F: Fn(Vec<uuid::Uuid>) -> Fut,
    Fut: Future<Output = Result<R>>,
{
    let outcome = BatchOutcome {
        response: R::default(),
        failed: Vec::new(),
    };
    stream::iter(uuids.chunks(chunk_size.max(1)))
        .map(|chunk| {
            let request = send(chunk.to_vec());
            async move { (chunk, request.await) }
        })
        .buffered(concurrency.max(1))
        .fold(outcome, |mut outcome, (chunk, answer)| async move {
            match answer {
                Ok(response) => outcome.response.merge(response),
                Err(error) => outcome.failed.push(FailedChunk {
                    uuids: chunk.to_vec(),
                    error,
                }),
            }
            outcome
        })
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_malformed_uuid_is_named_before_anything_is_sent() {
        let good = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";
        assert_eq!(parse_uuids([good]).unwrap().len(), 1);
        let err = parse_uuids([good, "nope", "", "3a1c9e05"]).unwrap_err();
        let Error::InvalidInput(message) = err else {
            panic!("{err:?}")
        };
        assert!(message.starts_with("3 of 4 entries"), "{message}");
        assert!(message.contains("`nope`") && message.contains("``") && message.contains("`3a1c9e05`"));
    }
}
