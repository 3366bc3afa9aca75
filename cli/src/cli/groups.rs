//! `ucare groups`: list, info, create, delete and store file groups.

use super::FromStdin;
use chrono::{DateTime, Utc};
use clap::Subcommand;
use std::num::NonZeroU64;

#[derive(Debug, Subcommand)]
pub enum GroupsCommand {
    /// List groups (the first page unless `--all`).
    List {
        /// Groups per page.
        #[arg(long, value_name = "N")]
        limit: Option<NonZeroU64>,
        /// Order, e.g. `-datetime_created` (newest first).
        #[arg(long, value_name = "X", allow_hyphen_values = true)]
        ordering: Option<String>,
        /// Start from this creation time (RFC 3339).
        #[arg(long, value_name = "TIME")]
        from: Option<DateTime<Utc>>,
        /// Every page: prints one JSON array of all groups.
        #[arg(long, visible_alias = "page-all")]
        all: bool,
    },
    /// One group's information.
    Info { id: String },
    /// Create a group of files (UUIDs or CDN URLs, in order) through the Upload API.
    Create {
        #[arg(required_unless_present = "from_stdin", value_name = "FILE")]
        files: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Delete a group (API 0.7; its files stay).
    Delete { id: String },
    /// Store every file of a group (API 0.5 and 0.6).
    Store { id: String },
}
