//! Uploadcare REST API v0.5, generated from `openapi/rest-v0.5.yaml`.
//!
//! The service published v0.5 with an end-of-support date of 15 Aug 2024; prefer
//! [`crate::v0_7`] for new code. The client is built the same way as every version's:
//!
//! ```no_run
//! # async fn run() -> uploadcare::Result<()> {
//! let client = uploadcare::v0_5::Client::from_env()?;
//! let project = client.project_info().send().await?;
//! println!("{:?}", project.name);
//! # Ok(()) }
//! ```

/// The code progenitor generates from the document (never edited by hand), re-exported
/// below; the hand-written glue after it is documented like the rest of the crate.
// Documented error statuses and the `4XX`/`5XX` catch-alls share one type, so progenitor's
// range arms shadow some specific ones. typify emits some undocumented helpers (`builder()`).
#[allow(unreachable_patterns, missing_docs)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/v0_5.rs"));
}
pub use generated::*;

crate::rest::rest_api_version!();

#[cfg(feature = "cdn")]
crate::cdn::cdn_files!(types::File);
#[cfg(feature = "cdn")]
crate::cdn::cdn_groups!(types::Group, types::GroupWithFiles);
