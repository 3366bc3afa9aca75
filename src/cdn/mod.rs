//! The URL API: CDN URLs of files and groups with processing operations, the project's CDN
//! domain, and signed URLs for secure delivery (feature `cdn`, on by default). Nothing here
//! sends a request: these are values to put in pages and send to browsers.
//!
//! Start from [`Cdn`], the URL API of one project: [`Config::cdn`](crate::Config::cdn) or
//! `client.cdn()` gives it on the project's CDN base, and it turns files and groups — UUIDs
//! or the values the REST and Upload APIs answer with — into typed URL builders.
//!
//! ```
//! use uploadcare::cdn::url::Format;
//!
//! # fn main() -> uploadcare::Result<()> {
//! let cdn = uploadcare::Config::public_only("demopublickey").cdn()?;
//! let url = cdn
//!     .file("a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1")?
//!     .resize_width(800)?
//!     .format(Format::Auto);
//! assert_eq!(
//!     cdn.url(&url)?,
//!     "https://1s4oyld5dc.ucarecd.net/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/-/resize/800x/-/format/auto/"
//! );
//! # Ok(())
//! # }
//! ```

pub mod base;
mod chain;
pub mod info;
pub mod secure;
pub mod url;

use std::fmt;
use std::sync::Arc;

use uuid::Uuid;

use crate::Result;
use secure::{SecureDelivery, UrlSigner};
use url::{CdnPath, FileUrl, GroupUrl};

/// The URL API of one project: its CDN base and, when the project has signed URLs on, the
/// signer that makes delivery URLs the CDN accepts. Cheap to clone.
#[derive(Clone)]
pub struct Cdn {
    base: String,
    signer: Option<Arc<dyn UrlSigner + Send + Sync>>,
}

impl fmt::Debug for Cdn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cdn")
            .field("base", &self.base)
            .field("signed", &self.signer.is_some())
            .finish()
    }
}

impl Cdn {
    /// The URL API on `base` (`https://1s4oyld5dc.ucarecd.net`, a CNAME, `https://ucarecdn.com`,
    /// a local server; a trailing slash is optional). Errors on a base that is not an http(s)
    /// URL with a host.
    pub fn new(base: &str) -> Result<Self> {
        Ok(Self {
            base: url::normalize_base(base)?,
            signer: None,
        })
    }

    /// Signs every URL [`Cdn::url`] renders with the project's secure-delivery secret.
    pub fn with_secure_delivery(self, signer: SecureDelivery) -> Self {
        self.with_signer(signer)
    }

    /// Signs every URL [`Cdn::url`] renders with a custom [`UrlSigner`] (your own token
    /// service, a proxy's scheme).
    pub fn with_signer(mut self, signer: impl UrlSigner + Send + Sync + 'static) -> Self {
        self.signer = Some(Arc::new(signer));
        self
    }

    /// The CDN base, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether [`Cdn::url`] signs.
    pub fn is_signed(&self) -> bool {
        self.signer.is_some()
    }

    /// A URL builder for the file with this UUID (text); [`Error::InvalidInput`](crate::Error::InvalidInput)
    /// when it is not one.
    pub fn file(&self, uuid: &str) -> Result<FileUrl> {
        Ok(self.file_by_uuid(url::parse_uuid(uuid)?))
    }

    /// A URL builder for the file with this UUID.
    pub fn file_by_uuid(&self, uuid: Uuid) -> FileUrl {
        FileUrl::on_base(uuid, self.base.clone())
    }

    /// A URL builder for a file the REST or Upload API answered with (any version's `File`,
    /// a group's file, a search result, an upload's file info), on this project's base —
    /// never on the `ucarecdn.com` URL the answer may carry.
    ///
    /// ```no_run
    /// # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
    /// let cdn = client.cdn()?;
    /// let page = client.files_list().limit(10).send().await?.into_inner();
    /// for file in &page.results {
    ///     println!("{}", cdn.url(&cdn.file_of(file).preview(400, 400)?)?);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub fn file_of(&self, file: &impl CdnFile) -> FileUrl {
        self.file_by_uuid(file.cdn_uuid())
    }

    /// A URL builder for the group with this id (`<uuid>~<count>`).
    pub fn group(&self, id: &str) -> Result<GroupUrl> {
        GroupUrl::new(&self.base, id)
    }

    /// A URL builder for a group the REST or Upload API answered with;
    /// [`Error::InvalidInput`](crate::Error::InvalidInput) when the answer has no usable id.
    pub fn group_of(&self, group: &impl CdnGroup) -> Result<GroupUrl> {
        let id = group
            .cdn_group_id()
            .ok_or_else(|| crate::Error::InvalidInput("the group has no id".to_owned()))?;
        self.group(id)
    }

    /// Renders a built URL for delivery: as is, or signed (`?token=…`) when a signer is set.
    /// The URL keeps the base it was built on.
    pub fn url(&self, target: &impl CdnPath) -> Result<String> {
        match &self.signer {
            None => Ok(target.to_string()),
            Some(signer) => Ok(format!("{}{}", target.base(), signer.sign(&target.path())?)),
        }
    }

    /// Moves a URL on the legacy `ucarecdn.com` domain (as file infos from the service carry)
    /// onto this base; any other URL comes back unchanged.
    ///
    /// ```
    /// let cdn = uploadcare::cdn::Cdn::new("https://cdn.example.com")?;
    /// assert_eq!(
    ///     cdn.rewrite("https://ucarecdn.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/photo.jpg"),
    ///     "https://cdn.example.com/a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1/photo.jpg"
    /// );
    /// assert_eq!(cdn.rewrite("https://example.com/x"), "https://example.com/x");
    /// # Ok::<(), uploadcare::Error>(())
    /// ```
    pub fn rewrite(&self, url: &str) -> String {
        base::rewrite_to_base(url, &self.base).unwrap_or_else(|| url.to_owned())
    }
}

/// A file value that names a file on the CDN: every API version's `File`, a group's file, a
/// search result, an upload's file info, or a bare [`Uuid`].
pub trait CdnFile {
    /// The file's UUID.
    fn cdn_uuid(&self) -> Uuid;
}

impl CdnFile for Uuid {
    fn cdn_uuid(&self) -> Uuid {
        *self
    }
}

/// A group value that names a group on the CDN: every API version's group answers.
pub trait CdnGroup {
    /// The group's id (`<uuid>~<count>`), when the answer carries one.
    fn cdn_group_id(&self) -> Option<&str>;
}

/// `impl CdnFile` for value types with a `uuid: Uuid` field; each API module invokes it for
/// its own types, next to them (so this module depends on none of them).
#[allow(unused_macros)] // with `cdn` alone, no API module uses them
macro_rules! cdn_files {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::cdn::CdnFile for $ty {
            fn cdn_uuid(&self) -> ::uuid::Uuid {
                self.uuid
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use cdn_files;

/// `impl CdnGroup` for group answers with an `id: Option<String>` field.
#[allow(unused_macros)]
macro_rules! cdn_groups {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::cdn::CdnGroup for $ty {
            fn cdn_group_id(&self) -> Option<&str> {
                self.id.as_deref()
            }
        }
    )*};
}
#[allow(unused_imports)]
pub(crate) use cdn_groups;
