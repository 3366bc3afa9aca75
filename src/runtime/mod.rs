//! What every request and every API version shares, written once: the request pipeline
//! (headers, signing, retries with fresh signatures — the `pipeline` module), and the flows built on
//! top of single requests.
//!
//! Layering: this module depends on the configuration, the signing functions and the error
//! type, never on a version module or the CLI; version modules and the Upload API client
//! call into it.

pub mod batch;
mod copies;
pub mod pagination;
pub(crate) mod pipeline;
pub(crate) mod prepare;
#[cfg(api)]
mod query;
mod transport;
pub mod wait;
mod watchdog;

pub use batch::{parse_uuids, BatchOutcome, BatchResponse, FailedChunk, DEFAULT_BATCH_CONCURRENCY};
#[cfg(any(rest, feature = "project_api"))]
pub(crate) use pagination::{fetch_link, next_results_page, FOLLOW_OPERATION};
pub use pagination::{FollowLinks, Items, Page, Pages};
pub use wait::{wait_for, wait_until_final, JobState, JobStatus, WaitPolicy};

#[cfg(rest)]
pub(crate) use prepare::new_request;
#[cfg(feature = "project_api")]
pub(crate) use prepare::Rejected;
pub use prepare::{accept_header, BodyItemLimit};
#[cfg(api)]
pub(crate) use query::push_query;
// `empty` serves the documents with bodiless answers (the REST ones).
#[cfg(any(feature = "upload", feature = "project_api"))]
pub(crate) use copies::exchange;
#[cfg(rest)]
pub(crate) use copies::exchange_rest;
pub use pipeline::parse_json;
#[cfg(any(feature = "upload", feature = "project_api"))]
pub(crate) use pipeline::Op;
#[allow(unused_imports)]
pub(crate) use pipeline::{decode, empty, Exchange};
#[cfg(feature = "upload")]
pub(crate) use pipeline::{send_with_retries, Attempts};
#[cfg(rest)]
pub(crate) use prepare::prepare_rest_request;
#[cfg(feature = "upload")]
pub(crate) use prepare::prepare_upload_request;
#[allow(unused_imports)]
pub(crate) use transport::Answer;
#[cfg(any(feature = "upload", feature = "project_api"))]
pub(crate) use transport::Api;
