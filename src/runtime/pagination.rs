//! Lists as streams: every item of a paged list (files, groups), following the `next` page
//! links the service hands out, one page in memory at a time. The same code serves every
//! API version; each version only says where its pages keep their items and links
//! ([`Page`]) and how it fetches a link ([`FollowLinks`]).

use crate::error::{Error, Result};
use futures_util::stream::{self, BoxStream, Stream, StreamExt, TryStreamExt};
use std::collections::HashSet;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// One page of a paged list.
pub trait Page: serde::de::DeserializeOwned + Send + 'static {
    /// What the page lists.
    type Item: Send + 'static;
    /// The absolute URL of the next page, if there is one.
    fn next_url(&self) -> Option<&str>;
    /// The page's items, in order.
    fn into_items(self) -> Vec<Self::Item>;
}

/// Fetches a page link the service handed out (signed like every other request).
pub trait FollowLinks: Sync {
    /// Fetches `url` and parses it as `T`.
    fn follow_link<T: serde::de::DeserializeOwned + Send>(
        &self,
        url: &str,
    ) -> impl Future<Output = Result<T>> + Send;
}

/// The operation name of page-link requests (a read: retried like one).
#[cfg(any(rest, feature = "project_api"))]
pub(crate) const FOLLOW_OPERATION: &str = "follow";

/// Sends a page-link request through a generated client's exchange (prepared and sent as
/// its generated requests are), and decodes the answer (or its error).
#[cfg(any(rest, feature = "project_api"))]
pub(crate) async fn fetch_link<C, T>(client: &C, request: reqwest::Request) -> Result<T>
where
    C: super::Exchange + Sync,
    T: serde::de::DeserializeOwned,
{
    let answer = client
        .exchange::<crate::ApiErrorBody>(request, FOLLOW_OPERATION)
        .await?;
    if answer.status.is_success() {
        return Ok(super::decode::<T, crate::ApiErrorBody>(answer)?.into_inner());
    }
    let value = super::decode::<crate::ApiErrorBody, crate::ApiErrorBody>(answer)?;
    Err(progenitor_client::Error::ErrorResponse(value).into())
}

/// `impl Page` for page types of the `{next, results}` shape: `next_page!(FilesPage => File)`.
#[cfg(any(rest, feature = "project_api"))]
macro_rules! next_results_page {
    ($($page:ty => $item:ty),+ $(,)?) => {
        $(
            impl $crate::runtime::Page for $page {
                type Item = $item;
                fn next_url(&self) -> Option<&str> {
                    self.next.as_deref()
                }
                fn into_items(self) -> Vec<$item> {
                    self.results
                }
            }
        )+
    };
}
#[cfg(any(rest, feature = "project_api"))]
pub(crate) use next_results_page;

/// The pages of a list, as a [`Stream`]; [`Pages::items`] flattens them into their items.
///
/// The first page comes from the list request as configured; each further page from the
/// previous page's `next` link. A failed page ends the stream with its error. A link seen
/// before (a service bug that would loop forever) ends it with
/// [`Error::InvalidResponse`].
#[must_use = "streams do nothing unless polled"]
pub struct Pages<'a, P: Page> {
    inner: BoxStream<'a, Result<P>>,
}

impl<P: Page> std::fmt::Debug for Pages<'_, P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages").finish_non_exhaustive()
    }
}

/// Where the walk is.
enum Walk<'a, P> {
    First(Pin<Box<dyn Future<Output = Result<P>> + Send + 'a>>),
    Next { url: String, seen: HashSet<String> },
    Done,
}

impl<'a, P: Page> Pages<'a, P> {
    /// The pages starting with `first` (the configured list request), following links with
    /// `client`.
    pub fn new<C: FollowLinks>(client: &'a C, first: impl Future<Output = Result<P>> + Send + 'a) -> Self {
        let start = Walk::First(Box::pin(first));
        let inner = stream::try_unfold(start, move |walk| async move {
            let (page, mut seen) = match walk {
                Walk::Done => return Ok(None),
                Walk::First(first) => (first.await?, HashSet::new()),
                Walk::Next { url, seen } => (client.follow_link::<P>(&url).await?, seen),
            };
            let next = match page.next_url() {
                None => Walk::Done,
                Some(url) if !seen.insert(url.to_owned()) => {
                    return Err(Error::InvalidResponse {
                        message: format!("the page link `{url}` came back twice; stopping to avoid a loop"),
                        body: String::new(),
                    })
                }
                Some(url) => Walk::Next {
                    url: url.to_owned(),
                    seen,
                },
            };
            Ok(Some((page, next)))
        });
        Self { inner: inner.boxed() }
    }

    /// Pages from any stream of pages (e.g. offset paging that re-sends a search body).
    #[cfg_attr(not(feature = "v0_7"), allow(dead_code))]
    pub(crate) fn from_stream(pages: impl Stream<Item = Result<P>> + Send + 'a) -> Self {
        Self { inner: pages.boxed() }
    }

    /// Every item of every page, in order; the next page is fetched once this one's items
    /// are used up.
    pub fn items(self) -> Items<'a, P::Item> {
        let inner = self
            .inner
            .map_ok(|page| stream::iter(page.into_items().into_iter().map(Ok)))
            .try_flatten()
            .boxed();
        Items { inner }
    }
}

impl<P: Page> Stream for Pages<'_, P> {
    type Item = Result<P>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}

/// The items of a paged list, as a [`Stream`] (made by [`Pages::items`]).
#[must_use = "streams do nothing unless polled"]
pub struct Items<'a, T> {
    inner: BoxStream<'a, Result<T>>,
}

impl<T> std::fmt::Debug for Items<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items").finish_non_exhaustive()
    }
}

impl<T> Stream for Items<'_, T> {
    type Item = Result<T>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.poll_next_unpin(cx)
    }
}
