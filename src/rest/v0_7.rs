//! Uploadcare REST API v0.7, generated from `openapi/rest-v0.7.yaml`.
//!
//! ```no_run
//! # async fn run() -> uploadcare::Result<()> {
//! let client = uploadcare::v0_7::Client::from_env()?;
//! let page = client.files_list().limit(10).stored(true).send().await?;
//! for file in &page.results {
//!     println!("{} {}", file.uuid, file.original_filename);
//! }
//! # Ok(()) }
//! ```

/// The code progenitor generates from the document (never edited by hand), re-exported
/// below; the hand-written glue after it is documented like the rest of the crate.
// Documented error statuses and the `4XX`/`5XX` catch-alls share one type, so progenitor's
// range arms shadow some specific ones. typify emits some undocumented helpers (`builder()`).
#[allow(unreachable_patterns, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/v0_7.rs"));
}
pub use generated::*;

crate::rest::rest_api_version!(addons);

#[cfg(feature = "cdn")]
crate::cdn::cdn_files!(types::File, types::GroupFile, types::FileSearchResult);
#[cfg(feature = "cdn")]
crate::cdn::cdn_groups!(types::Group, types::GroupWithFiles);
