//! File search (REST API 0.7, `POST /files/search/`) and file tags, with every rule the
//! service enforces checked before sending: a search without a condition, a full-text term
//! under 4 characters, a field in both `phrase` and `exact`, more than 4 sort keys, an empty
//! range, a page past the paging ceiling (`offset + limit` under 1000), or a bad tag is an error, not a request.
//!
//! ```no_run
//! # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
//! use futures_util::TryStreamExt;
//! use uploadcare::search::SortKey;
//!
//! let mut cats = client
//!     .search()
//!     .tags_all(["cat"])
//!     .images_only(true)
//!     .sort(SortKey::DatetimeUploaded.descending())
//!     .stream()?
//!     .items();
//! while let Some(file) = cats.try_next().await? {
//!     println!("{} {:?}", file.uuid, file.tags);
//! }
//! # Ok(()) }
//! ```

use crate::error::{Error, Result};
use crate::runtime::{Page, Pages};
use crate::v0_7::types::{
    FileSearchDatetimeRange, FileSearchExact, FileSearchPage, FileSearchPhrase, FileSearchRequest,
    FileSearchResult, FileSearchSizeRange, FileSearchTags, FileTagsChange, FileTagsReplaceRequest,
    FileTagsUpdateRequest,
};
use crate::v0_7::Client;
use std::collections::BTreeMap;

/// Shortest full-text term the service takes.
pub const MIN_TEXT_LEN: usize = crate::limits::MIN_SEARCH_TEXT_LEN;
/// Most sort keys of one search.
pub const MAX_SORT_KEYS: usize = crate::limits::MAX_SEARCH_SORT_KEYS;
/// The paging ceiling: `offset + limit` must stay under it, so at most 999 results of one
/// search are reachable.
pub const RESULT_CEILING: u64 = crate::limits::SEARCH_RESULT_CEILING;
/// Largest page.
pub const MAX_PAGE_SIZE: u64 = crate::limits::MAX_SEARCH_PAGE;
/// Page size of [`FileSearch::stream`] unless set.
pub const DEFAULT_STREAM_PAGE_SIZE: u64 = 100;

/// What results can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortKey {
    /// Relevance.
    Score,
    /// Upload time.
    DatetimeUploaded,
    /// Size in bytes.
    Size,
    /// File name.
    OriginalFilename,
}

/// A sort key and direction (see [`SortKey::ascending`], [`SortKey::descending`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Sort {
    key: SortKey,
    descending: bool,
}

impl SortKey {
    /// Smallest (or oldest, or first in order) first.
    pub fn ascending(self) -> Sort {
        Sort {
            key: self,
            descending: false,
        }
    }

    /// Largest (or newest, or most relevant) first.
    pub fn descending(self) -> Sort {
        Sort {
            key: self,
            descending: true,
        }
    }

    const ALL: [SortKey; 4] = [
        Self::Score,
        Self::DatetimeUploaded,
        Self::Size,
        Self::OriginalFilename,
    ];

    /// The key's name, from [`crate::limits::SEARCH_SORT_KEYS`] (same order as the variants).
    fn token(self) -> &'static str {
        crate::limits::SEARCH_SORT_KEYS[self as usize]
    }
}

impl Sort {
    /// The token the service reads, e.g. `-datetime_uploaded`.
    pub fn token(&self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.key.token())
    }
}

impl std::str::FromStr for Sort {
    type Err = Error;

    /// Reads a token as [`Sort::token`] writes it: a key name, descending after a `-`.
    ///
    /// ```
    /// use uploadcare::search::{Sort, SortKey};
    /// assert_eq!("-size".parse::<Sort>().unwrap(), SortKey::Size.descending());
    /// assert!("colour".parse::<Sort>().is_err());
    /// ```
    fn from_str(text: &str) -> Result<Self> {
        let (descending, name) = match text.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, text),
        };
        let key = SortKey::ALL
            .into_iter()
            .find(|key| key.token() == name)
            .ok_or_else(|| {
                Error::InvalidInput(format!(
                    "search sort `{text}`: expected one of {}, optionally after `-`",
                    crate::limits::SEARCH_SORT_KEYS.join(", ")
                ))
            })?;
        Ok(if descending {
            key.descending()
        } else {
            key.ascending()
        })
    }
}

/// A search being set up; made by [`Client::search`]. Run it with [`FileSearch::send`]
/// (one page) or [`FileSearch::stream`] (every page).
#[derive(Clone, Debug)]
#[must_use = "a search does nothing until `.send()` or `.stream()`"]
pub struct FileSearch<'a> {
    client: &'a Client,
    query: Option<String>,
    phrase: FileSearchPhrase,
    exact: BTreeMap<String, Vec<String>>,
    uploaded: FileSearchDatetimeRange,
    size: FileSearchSizeRange,
    is_image: Option<bool>,
    fuzziness: Option<bool>,
    tags: (Vec<String>, Vec<String>, Vec<String>),
    sort: Vec<Sort>,
    limit: Option<u64>,
    offset: u64,
    include_appdata: bool,
}

impl Client {
    /// Starts a file search; add conditions, then [`FileSearch::send`] or
    /// [`FileSearch::stream`]. See the [`search`](crate::search) module.
    pub fn search(&self) -> FileSearch<'_> {
        FileSearch {
            client: self,
            query: None,
            phrase: FileSearchPhrase::default(),
            exact: BTreeMap::new(),
            uploaded: FileSearchDatetimeRange::default(),
            size: FileSearchSizeRange::default(),
            is_image: None,
            fuzziness: None,
            tags: (Vec::new(), Vec::new(), Vec::new()),
            sort: Vec::new(),
            limit: None,
            offset: 0,
            include_appdata: false,
        }
    }

    /// The file's tags (`GET /files/{uuid}/tags/`).
    pub async fn tags(&self, uuid: uuid::Uuid) -> Result<Vec<String>> {
        Ok(self
            .file_tags()
            .uuid(uuid)
            .send()
            .await?
            .into_inner()
            .tags
            .map(|t| t.0)
            .unwrap_or_default())
    }

    /// Replaces the file's tags (an empty list removes all); checked and normalized first.
    pub async fn set_tags<I, S>(&self, uuid: uuid::Uuid, tags: I) -> Result<FileTagsChange>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let tags = crate::tags::normalize_tags(tags)?;
        let body = FileTagsReplaceRequest { tags };
        Ok(self
            .replace_file_tags()
            .uuid(uuid)
            .body(body)
            .send()
            .await?
            .into_inner())
    }

    /// Deletes `delete`, then adds `add` to the file's tags, in one step; both checked and
    /// normalized first.
    pub async fn change_tags<A, D, S, T>(&self, uuid: uuid::Uuid, add: A, delete: D) -> Result<FileTagsChange>
    where
        A: IntoIterator<Item = S>,
        S: AsRef<str>,
        D: IntoIterator<Item = T>,
        T: AsRef<str>,
    {
        let body = FileTagsUpdateRequest {
            add: crate::tags::normalize_tags(add)?,
            delete: crate::tags::normalize_tags(delete)?,
        };
        Ok(self
            .update_file_tags()
            .uuid(uuid)
            .body(body)
            .send()
            .await?
            .into_inner())
    }
}

fn text(what: &str, value: impl Into<String>) -> std::result::Result<String, String> {
    let value = value.into();
    if value.trim().chars().count() < MIN_TEXT_LEN {
        return Err(format!(
            "{what} must be at least {MIN_TEXT_LEN} characters, got `{value}`"
        ));
    }
    Ok(value)
}

impl<'a> FileSearch<'a> {
    /// Full text over file names, metadata values and MIME types (at least 4 characters).
    pub fn query(mut self, text: impl Into<String>) -> Self {
        self.query = Some(text.into());
        self
    }

    /// Full text in the file name (at least 4 characters).
    pub fn phrase_filename(mut self, text: impl Into<String>) -> Self {
        self.phrase.original_filename = Some(text.into());
        self
    }

    /// Full text in the MIME type (at least 4 characters).
    pub fn phrase_mime_type(mut self, text: impl Into<String>) -> Self {
        self.phrase.detected_mime_type = Some(text.into());
        self
    }

    /// Full text in any metadata value (at least 4 characters).
    pub fn phrase_metadata(mut self, text: impl Into<String>) -> Self {
        self.phrase.metadata = Some(text.into());
        self
    }

    fn exact(mut self, field: String, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.exact
            .entry(field)
            .or_default()
            .extend(values.into_iter().map(Into::into));
        self
    }

    /// Files with one of these UUIDs.
    pub fn uuids(self, uuids: impl IntoIterator<Item = uuid::Uuid>) -> Self {
        self.exact("uuid".to_owned(), uuids.into_iter().map(|u| u.to_string()))
    }

    /// Files named exactly one of these.
    pub fn filenames(self, names: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.exact("original_filename".to_owned(), names)
    }

    /// Files of exactly one of these MIME types.
    pub fn mime_types(self, types: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.exact("detected_mime_type".to_owned(), types)
    }

    /// Files whose metadata `key` is exactly one of `values`.
    pub fn metadata_value(self, key: &str, values: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.exact(format!("metadata[{key}]"), values)
    }

    /// Uploaded after `at` (exclusive).
    pub fn uploaded_after(mut self, at: impl Into<crate::Timestamp>) -> Self {
        self.uploaded.gt = Some(at.into());
        self
    }

    /// Uploaded at or after `at`.
    pub fn uploaded_since(mut self, at: impl Into<crate::Timestamp>) -> Self {
        self.uploaded.gte = Some(at.into());
        self
    }

    /// Uploaded before `at` (exclusive).
    pub fn uploaded_before(mut self, at: impl Into<crate::Timestamp>) -> Self {
        self.uploaded.lt = Some(at.into());
        self
    }

    /// Uploaded at or before `at`.
    pub fn uploaded_until(mut self, at: impl Into<crate::Timestamp>) -> Self {
        self.uploaded.lte = Some(at.into());
        self
    }

    /// At least `bytes` large.
    pub fn min_size(mut self, bytes: i64) -> Self {
        self.size.gte = Some(bytes);
        self
    }

    /// At most `bytes` large.
    pub fn max_size(mut self, bytes: i64) -> Self {
        self.size.lte = Some(bytes);
        self
    }

    /// `true`: images only; `false`: no images.
    pub fn images_only(mut self, images: bool) -> Self {
        self.is_image = Some(images);
        self
    }

    /// Typo tolerance for full-text conditions (slower).
    pub fn fuzzy(mut self, fuzzy: bool) -> Self {
        self.fuzziness = Some(fuzzy);
        self
    }

    /// Files with at least one of these tags.
    pub fn tags_any(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.0.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Files with every one of these tags.
    pub fn tags_all(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.1.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Files with none of these tags.
    pub fn tags_none(mut self, tags: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.tags.2.extend(tags.into_iter().map(Into::into));
        self
    }

    /// Adds a sort key (at most 4, applied in order; default: relevance).
    pub fn sort(mut self, sort: Sort) -> Self {
        self.sort.push(sort);
        self
    }

    /// Results per page, 1 to 100.
    pub fn limit(mut self, limit: u64) -> Self {
        self.limit = Some(limit);
        self
    }

    /// Results to skip ([`FileSearch::send`] only).
    pub fn offset(mut self, offset: u64) -> Self {
        self.offset = offset;
        self
    }

    /// Adds the add-on results (`appdata`) to every result.
    pub fn include_appdata(mut self) -> Self {
        self.include_appdata = true;
        self
    }

    /// The request body, checked against every rule of the service.
    pub fn to_request(&self) -> Result<FileSearchRequest> {
        self.request().map_err(Error::InvalidInput)
    }

    fn request(&self) -> std::result::Result<FileSearchRequest, String> {
        let query = self.query.clone().map(|q| text("`query`", q)).transpose()?;
        let phrase = FileSearchPhrase {
            original_filename: self
                .phrase
                .original_filename
                .clone()
                .map(|t| text("the file name phrase", t))
                .transpose()?,
            detected_mime_type: self
                .phrase
                .detected_mime_type
                .clone()
                .map(|t| text("the MIME type phrase", t))
                .transpose()?,
            metadata: self
                .phrase
                .metadata
                .clone()
                .map(|t| text("the metadata phrase", t))
                .transpose()?,
        };
        let in_phrase = |field: &str| match field {
            "original_filename" => phrase.original_filename.is_some(),
            "detected_mime_type" => phrase.detected_mime_type.is_some(),
            _ => field.starts_with("metadata[") && phrase.metadata.is_some(),
        };
        if let Some(field) = self.exact.keys().find(|f| in_phrase(f)) {
            return Err(format!("`{field}` may be in `phrase` or in `exact`, not both"));
        }
        if let Some((field, _)) = self.exact.iter().find(|(_, values)| values.is_empty()) {
            return Err(format!("exact `{field}` needs at least one value"));
        }
        let tags = |list: &Vec<String>| crate::tags::normalize_tags(list).map_err(|e| e.to_string());
        let tags = FileSearchTags {
            any: tags(&self.tags.0)?,
            all: tags(&self.tags.1)?,
            none: tags(&self.tags.2)?,
        };
        if self.sort.len() > MAX_SORT_KEYS {
            return Err(format!(
                "at most {MAX_SORT_KEYS} sort keys, got {}",
                self.sort.len()
            ));
        }
        if let Some(limit) = self.limit {
            if !(1..=MAX_PAGE_SIZE).contains(&limit) {
                return Err(format!("`limit` must be 1 to {MAX_PAGE_SIZE}, got {limit}"));
            }
        }
        let has_phrase = phrase.original_filename.is_some()
            || phrase.detected_mime_type.is_some()
            || phrase.metadata.is_some();
        let has_range = |r: &FileSearchDatetimeRange| {
            r.gt.is_some() || r.gte.is_some() || r.lt.is_some() || r.lte.is_some()
        };
        let has_size = self.size.gt.is_some()
            || self.size.gte.is_some()
            || self.size.lt.is_some()
            || self.size.lte.is_some();
        let has_tags = !(tags.any.is_empty() && tags.all.is_empty() && tags.none.is_empty());
        let conditions = [
            query.is_some(),
            has_phrase,
            !self.exact.is_empty(),
            has_range(&self.uploaded),
            has_size,
            self.is_image.is_some(),
            has_tags,
        ];
        if !conditions.contains(&true) {
            return Err("a search needs at least one condition".to_owned());
        }
        Ok(FileSearchRequest {
            query,
            phrase: has_phrase.then_some(phrase),
            exact: (!self.exact.is_empty()).then(|| FileSearchExact(self.exact.clone())),
            datetime_uploaded: has_range(&self.uploaded).then(|| self.uploaded.clone()),
            size: has_size.then(|| self.size.clone()),
            is_image: self.is_image,
            fuzziness: self.fuzziness,
            tags: has_tags.then_some(tags),
            sort: self.sort.iter().map(Sort::token).collect(),
        })
    }

    fn check_page(offset: u64, limit: u64) -> Result<()> {
        if offset + limit >= RESULT_CEILING {
            return Err(Error::InvalidInput(format!(
                "offset {offset} + limit {limit} must stay under the service's ceiling of {RESULT_CEILING}"
            )));
        }
        Ok(())
    }

    async fn fetch(
        client: &Client,
        body: FileSearchRequest,
        limit: u64,
        offset: u64,
        appdata: bool,
    ) -> Result<FileSearchPage> {
        Self::check_page(offset, limit)?;
        let limit = std::num::NonZeroU64::new(limit)
            .ok_or_else(|| Error::InvalidInput("`limit` must be at least 1".to_owned()))?;
        let mut request = client
            .search_files()
            .body(body)
            .limit(limit)
            .offset(offset as i64);
        if appdata {
            request = request.include("appdata");
        }
        Ok(request.send().await?.into_inner())
    }

    /// One page (`offset`, `limit`; the service's default page size is 20).
    pub async fn send(self) -> Result<FileSearchPage> {
        let body = self.to_request()?;
        let limit = self.limit.unwrap_or(20);
        Self::fetch(self.client, body, limit, self.offset, self.include_appdata).await
    }

    /// Every result, page after page (100 per page unless [`FileSearch::limit`] says
    /// otherwise), up to the service's ceiling (999 results). Without a sort key the results are
    /// sorted by upload time, newest first (relevance order is not stable between pages).
    pub fn stream(self) -> Result<Pages<'a, FileSearchPage>> {
        let mut body = self.to_request()?;
        if body.sort.is_empty() {
            body.sort = vec![SortKey::DatetimeUploaded.descending().token()];
        }
        let limit = self.limit.unwrap_or(DEFAULT_STREAM_PAGE_SIZE);
        let (client, appdata) = (self.client, self.include_appdata);
        let pages = futures_util::stream::try_unfold(Some(0u64), move |offset| {
            let body = body.clone();
            async move {
                let Some(offset) = offset else { return Ok(None) };
                let limit = limit.min(RESULT_CEILING - 1 - offset);
                let page = Self::fetch(client, body, limit, offset, appdata).await?;
                let next = offset + limit;
                let more =
                    page.next.is_some() && next < RESULT_CEILING - 1 && page.results.len() as u64 == limit;
                Ok(Some((page, more.then_some(next))))
            }
        });
        Ok(Pages::from_stream(Box::pin(pages)))
    }
}

impl Page for FileSearchPage {
    type Item = FileSearchResult;
    fn next_url(&self) -> Option<&str> {
        self.next.as_deref()
    }
    fn into_items(self) -> Vec<FileSearchResult> {
        self.results
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client() -> Client {
        Client::from_config(crate::Config::new("pub", "secret").with_rest_base_url("http://127.0.0.1:9"))
            .unwrap()
    }

    fn refused(search: FileSearch<'_>) -> String {
        match search.to_request() {
            Err(Error::InvalidInput(message)) => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn invalid_searches_are_refused_before_sending() {
        let client = client();
        assert!(refused(client.search()).contains("at least one condition"));
        assert!(refused(client.search().query("cat")).contains("at least 4"));
        assert!(refused(client.search().phrase_filename("ab")).contains("at least 4"));
        assert!(
            refused(client.search().phrase_filename("holiday").filenames(["a.jpg"])).contains("not both")
        );
        assert!(refused(
            client
                .search()
                .phrase_metadata("gallery")
                .metadata_value("k", ["v"])
        )
        .contains("not both"));
        let five = (0..5).fold(client.search().query("cats"), |s, _| {
            s.sort(SortKey::Size.ascending())
        });
        assert!(refused(five).contains("at most 4"));
        assert!(refused(client.search().query("cats").limit(101)).contains("1 to 100"));
        assert!(refused(client.search().tags_any(["two words"])).contains("two words"));
        assert!(
            refused(client.search().metadata_value("k", Vec::<String>::new())).contains("at least one value")
        );
    }

    #[test]
    fn a_valid_search_is_the_documented_body() {
        let client = client();
        let body = client
            .search()
            .tags_all(["Cat"])
            .images_only(true)
            .metadata_value("album", ["summer", "winter"])
            .min_size(10)
            .sort(SortKey::DatetimeUploaded.descending())
            .sort(SortKey::OriginalFilename.ascending())
            .to_request()
            .unwrap();
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({
                "tags": {"all": ["cat"]},
                "is_image": true,
                "exact": {"metadata[album]": ["summer", "winter"]},
                "size": {"gte": 10},
                "sort": ["-datetime_uploaded", "original_filename"]
            })
        );
    }

    #[tokio::test]
    async fn a_page_beyond_the_ceiling_is_refused() {
        let err = client()
            .search()
            .query("cats")
            .limit(100)
            .offset(950)
            .send()
            .await
            .unwrap_err();
        assert!(matches!(err, Error::InvalidInput(m) if m.contains("1000")));
    }
}
