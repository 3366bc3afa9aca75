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

crate::generated_module!("v0_7");

crate::rest::rest_api_version!(addons);

#[cfg(feature = "cdn")]
crate::cdn::cdn_files!(types::File, types::GroupFile, types::FileSearchResult);
#[cfg(feature = "cdn")]
crate::cdn::cdn_groups!(types::Group, types::GroupWithFiles);
