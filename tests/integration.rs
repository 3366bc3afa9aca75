//! The library's integration tests, in one binary: one module per area, each against the
//! emulator (`uploadcare-emulator`) or a small recording server on 127.0.0.1. One binary
//! links once, which keeps a fresh `cargo test` quick and its target directory small.
//! `upload_memory` stays a binary of its own: it replaces the global allocator to count.

mod common;

mod batches;
mod build_checks;
mod cdn_secure;
mod cdn_urls;
mod chaos;
mod emulator_faults;
mod emulator_images;
mod emulator_project_api;
mod emulator_rest;
mod emulator_search_tags;
mod emulator_upload;
mod errors_and_tolerance;
mod generated_surface;
mod limits;
mod observability;
mod project_api;
mod read_timeout;
mod rest_v0_5_operations;
mod rest_v0_6_operations;
mod rest_v0_7_operations;
mod search_tags;
mod streams;
mod upload_client;
mod upload_flows;
mod upload_tokens;
mod waiters;
mod webhooks;
