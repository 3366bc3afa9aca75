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

crate::generated_module!("v0_5");

crate::rest::rest_api_version!();

#[cfg(feature = "cdn")]
crate::cdn::cdn_files!(types::File);
#[cfg(feature = "cdn")]
crate::cdn::cdn_groups!(types::Group, types::GroupWithFiles);
