//! Many uploads at once: [`Client::upload_many`].

use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};

use super::flow::DEFAULT_CONCURRENCY;
use super::requests::UploadSource;
use super::types::{self, StoreType};
use super::Client;
use crate::{Error, Result};

/// Uploads of many sources with a bound on how many are in flight; made by
/// [`Client::upload_many`].
#[must_use = "nothing is sent until `.send()`"]
pub struct UploadMany<'a> {
    client: &'a Client,
    sources: Vec<UploadSource>,
    concurrency: usize,
    store: StoreType,
    metadata: BTreeMap<String, String>,
    tags: Vec<String>,
}

impl Client {
    /// Uploads every source (each as [`Client::upload`] would: direct or multipart by size)
    /// with at most [`UploadMany::concurrency`] files in flight. The answer has one result
    /// per source, in the order given: one failure does not lose the others' results.
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
            concurrency: DEFAULT_CONCURRENCY,
            store: StoreType::Auto,
            metadata: BTreeMap::new(),
            tags: Vec::new(),
        }
    }
}

impl Client {
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

impl UploadMany<'_> {
    /// Files in flight at once (default 4, at least 1). Each multipart file also runs its
    /// own parts in parallel ([`DEFAULT_CONCURRENCY`](super::DEFAULT_CONCURRENCY)).
    pub fn concurrency(mut self, files: usize) -> Self {
        self.concurrency = files;
        self
    }

    /// Whether to store the files (default [`StoreType::Auto`]: the project's setting).
    pub fn store(mut self, store: StoreType) -> Self {
        self.store = store;
        self
    }

    /// Adds a metadata key and value to every file.
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// Tags every file (checked and normalized before anything is sent).
    pub fn tags(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.extend(tags.into_iter().map(Into::into));
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
    /// concurrency of 0, invalid metadata or tags), before anything is sent; otherwise one
    /// result per source, in order.
    pub async fn send(self) -> Result<Vec<Result<types::FileUploadInfo>>> {
        if self.concurrency == 0 {
            return Err(Error::InvalidInput(
                "upload_many: concurrency must be at least 1".to_owned(),
            ));
        }
        super::validate_metadata(&self.metadata)?;
        crate::tags::normalize_tags(&self.tags)?;
        let client = self.client;
        let (store, metadata, tags) = (&self.store, &self.metadata, &self.tags);
        let mut results: Vec<(usize, Result<types::FileUploadInfo>)> =
            stream::iter(self.sources.into_iter().enumerate())
                .map(|(index, source)| {
                    let store = store.clone();
                    async move {
                        let mut upload = client.upload(source).store(store).tags(tags.iter().cloned());
                        for (key, value) in metadata {
                            upload = upload.metadata(key.clone(), value.clone());
                        }
                        (index, upload.send().await)
                    }
                })
                .buffer_unordered(self.concurrency)
                .collect()
                .await;
        results.sort_by_key(|(index, _)| *index);
        Ok(results.into_iter().map(|(_, result)| result).collect())
    }
}
