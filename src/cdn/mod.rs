//! The URL API: CDN URLs of files and groups with processing operations, the project's CDN
//! domain, and signed URLs for secure delivery (feature `cdn`, on by default). Nothing here
//! sends a request: these are values to put in pages and send to browsers.

pub mod base;
pub mod secure;
pub mod url;
