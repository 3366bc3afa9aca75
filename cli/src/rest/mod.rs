//! REST API commands: each is a call into the generated client of the chosen API version.
//!
//! Where the builder calls are the same in every version, `each_version!` expands one
//! body per compiled-in version. The real differences are handled explicitly:
//! - 0.5 sends the `stored`/`removed` filters as the strings `"true"`/`"false"` ([`Flag`]);
//! - extra file fields are `include` in 0.7 and `add_fields` in 0.6 (`files::ExtraFields`);
//! - copies are one `copy_file` endpoint in 0.5, `local_copy`/`remote_copy` later;
//! - metadata, add-ons and document info exist in 0.7 only; groups are deleted in 0.7 and
//!   stored in 0.5/0.6.
//!
//! A command a version lacks is refused with a usage error naming the version.
//!
//! The commands live in one file per family: `files` (list, search, info, store, delete,
//! copy), `metadata`, `tags`, `groups`, `webhooks`, `conversions` and `addons`; this module
//! holds the client, the macros and helpers they share, and `project`.

use crate::cli::ApiVersion;
use crate::error::{CliError, Result};
use crate::output::Output;
use uploadcare::{v0_7, Config};

/// The REST client of the chosen API version.
pub enum Rest {
    V0_5(uploadcare::v0_5::Client),
    V0_6(uploadcare::v0_6::Client),
    V0_7(v0_7::Client),
}

/// Expands `$body` once per compiled-in API version, with `$client` bound to that version's
/// client and `$types` to its `types` module.
macro_rules! each_version {
    ($rest:expr, |$client:ident, $types:ident| $body:block) => {
        match $rest {
            Rest::V0_5($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_5::types as $types;
                $body
            }
            Rest::V0_6($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_6::types as $types;
                $body
            }
            Rest::V0_7($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_7::types as $types;
                $body
            }
        }
    };
}

/// Prints the first page of `$request`, or with `all` every item of every page as one JSON
/// array, streamed page by page through the library's list stream (`$stream`: `all_files`
/// or `all_groups`).
macro_rules! print_pages {
    ($out:expr, $client:expr, $request:expr, $stream:ident, $all:expr) => {{
        let request = $request;
        if $all {
            $out.print_pages($client.$stream(move |_| request), |page| &page.results)
                .await
        } else {
            $out.print(&request.send().await?.into_inner())
        }
    }};
}

// Declared after the macros above: `macro_rules!` are in scope only after their definition.
mod addons;
mod conversions;
mod files;
mod groups;
mod metadata;
mod tags;
mod webhooks;

pub use addons::addons;
pub use conversions::convert;
pub use files::files;
pub use groups::groups;
pub use metadata::metadata;
pub use tags::tags;
pub use webhooks::webhooks;

impl Rest {
    /// The client for `version`.
    pub fn new(version: ApiVersion, config: Config) -> Result<Self> {
        Ok(match version {
            ApiVersion::V0_5 => Rest::V0_5(uploadcare::v0_5::Client::from_config(config)?),
            ApiVersion::V0_6 => Rest::V0_6(uploadcare::v0_6::Client::from_config(config)?),
            ApiVersion::V0_7 => Rest::V0_7(v0_7::Client::from_config(config)?),
        })
    }

    fn version(&self) -> ApiVersion {
        match self {
            Rest::V0_5(_) => ApiVersion::V0_5,
            Rest::V0_6(_) => ApiVersion::V0_6,
            Rest::V0_7(_) => ApiVersion::V0_7,
        }
    }

    /// The 0.7 client for `what`, or a usage error naming the version in use.
    fn v0_7(&self, what: &str) -> Result<&v0_7::Client> {
        match self {
            Rest::V0_7(client) => Ok(client),
            #[allow(unreachable_patterns)]
            other => Err(CliError::usage(format!(
                "{what} is not available in API {}: it needs API 0.7",
                other.version()
            ))),
        }
    }
}

/// A `true`/`false` filter: a boolean in 0.6/0.7, the string `"true"`/`"false"` in 0.5.
#[derive(Clone, Copy)]
struct Flag(bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl From<Flag> for uploadcare::v0_5::types::BooleanFlag {
    fn from(flag: Flag) -> Self {
        if flag.0 {
            Self::True
        } else {
            Self::False
        }
    }
}

/// Runs `each` for every UUID in order. Without `--from-stdin` (one UUID) the answer is
/// printed as it is; with it, the answers form a list (streamed: NDJSON prints each as it
/// comes). The first failure ends the list and is the command's error.
async fn for_each_uuid<F, Fut, T>(out: &Output, uuids: Vec<uuid::Uuid>, list: bool, mut each: F) -> Result
where
    F: FnMut(uuid::Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
    T: serde::Serialize,
{
    if !list {
        for uuid in uuids {
            out.print(&each(uuid).await?)?;
        }
        return Ok(());
    }
    let mut array = out.array()?;
    for uuid in uuids {
        match each(uuid).await {
            Ok(answer) => array.extend(std::slice::from_ref(&answer))?,
            Err(error) => {
                array.finish()?;
                return Err(error);
            }
        }
    }
    array.finish()
}

pub async fn project(rest: &Rest, out: &Output) -> Result {
    each_version!(rest, |client, types| {
        out.print(&client.project_info().send().await?.into_inner())
    })
}
