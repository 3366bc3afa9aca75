//! `ucare files`, `ucare metadata` and `ucare tags`: the subcommands and flags of the file
//! commands (list, info, store, delete, search, copies) and of a file's metadata and tags.

use super::{parse_key_value, FromStdin};
use clap::{Args, Subcommand};
use std::num::NonZeroU64;
use uuid::Uuid;

#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// List files (the first page unless `--all`).
    List(FilesListArgs),
    /// One file's information (with `--from-stdin`: one per UUID read).
    Info {
        #[arg(required_unless_present = "from_stdin")]
        uuid: Option<Uuid>,
        #[command(flatten)]
        stdin: FromStdin,
        /// Extra fields to include, e.g. `appdata` (API 0.7).
        #[arg(long, value_name = "FIELDS")]
        include: Option<String>,
        /// Extra fields to add, e.g. `rekognition_info` (API 0.6).
        #[arg(long, value_name = "FIELDS")]
        add_fields: Option<String>,
    },
    /// Store files (the batch endpoint, 100 UUIDs per request).
    Store {
        #[arg(required_unless_present = "from_stdin")]
        uuids: Vec<Uuid>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Delete files (the batch endpoint, 100 UUIDs per request).
    Delete {
        #[arg(required_unless_present = "from_stdin")]
        uuids: Vec<Uuid>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Search files (API 0.7): every condition given must hold.
    Search(Box<FilesSearchArgs>),
    /// Copy a file within the project.
    CopyLocal {
        /// A file UUID or CDN URL (with operations, if any).
        source: String,
        /// Store the copy.
        #[arg(long)]
        store: bool,
        /// Metadata of the copy, `key=value` (repeatable; API 0.7).
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
        metadata: Vec<(String, String)>,
    },
    /// Copy a file to a custom storage.
    CopyRemote {
        /// A file UUID or CDN URL (with operations, if any).
        source: String,
        /// The custom storage's name.
        #[arg(long, value_name = "NAME")]
        target: String,
        /// Whether the copy is publicly readable.
        #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
        make_public: Option<bool>,
        /// The copy's name, e.g. `${uuid}/${auto_filename}`.
        #[arg(long, value_name = "P", allow_hyphen_values = true)]
        pattern: Option<String>,
    },
}

/// `ucare files search`: one flag per condition of the service's search.
#[derive(Debug, Args)]
pub struct FilesSearchArgs {
    /// Full text over file names, metadata values and MIME types (4 characters or more).
    #[arg(long, value_name = "TEXT")]
    pub query: Option<String>,
    /// Full text in the file name.
    #[arg(long, value_name = "TEXT")]
    pub phrase_filename: Option<String>,
    /// Full text in the MIME type.
    #[arg(long, value_name = "TEXT")]
    pub phrase_mime_type: Option<String>,
    /// Full text in any metadata value.
    #[arg(long, value_name = "TEXT")]
    pub phrase_metadata: Option<String>,
    /// Exactly this UUID (repeatable: any of them).
    #[arg(long, value_name = "UUID")]
    pub uuid: Vec<Uuid>,
    /// Exactly this file name (repeatable).
    #[arg(long, value_name = "NAME")]
    pub filename: Vec<String>,
    /// Exactly this MIME type (repeatable).
    #[arg(long, value_name = "TYPE")]
    pub mime_type: Vec<String>,
    /// Metadata `key` exactly `value` (repeatable; values of one key: any of them).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub metadata: Vec<(String, String)>,
    /// Uploaded after this time (RFC 3339, e.g. 2026-06-01T00:00:00Z).
    #[arg(long, value_name = "TIME")]
    pub uploaded_after: Option<chrono::DateTime<chrono::Utc>>,
    /// Uploaded before this time (RFC 3339).
    #[arg(long, value_name = "TIME")]
    pub uploaded_before: Option<chrono::DateTime<chrono::Utc>>,
    /// At least this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub min_size: Option<i64>,
    /// At most this many bytes.
    #[arg(long, value_name = "BYTES")]
    pub max_size: Option<i64>,
    /// Only images (`true`) or no images (`false`).
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub is_image: Option<bool>,
    /// Tolerate typos in full-text conditions (slower).
    #[arg(long)]
    pub fuzzy: bool,
    /// Has this tag or another `--tag-any` (repeatable).
    #[arg(long, value_name = "TAG")]
    pub tag_any: Vec<String>,
    /// Has this tag and every other `--tag-all` (repeatable).
    #[arg(long, value_name = "TAG")]
    pub tag_all: Vec<String>,
    /// Has none of these tags (repeatable).
    #[arg(long, value_name = "TAG")]
    pub tag_none: Vec<String>,
    /// Sort key, `-` first for descending: score, datetime_uploaded, size, original_filename
    /// (repeatable, at most 4, applied in order).
    #[arg(long, value_name = "KEY", allow_hyphen_values = true, value_parser = parse_sort)]
    pub sort: Vec<uploadcare::search::Sort>,
    /// Results per page (1 to 100).
    #[arg(long, value_name = "N")]
    pub limit: Option<u64>,
    /// Results to skip (first page only).
    #[arg(long, value_name = "N")]
    pub offset: Option<u64>,
    /// Add the add-on results (`appdata`).
    #[arg(long)]
    pub include_appdata: bool,
    /// Every result (up to the service's ceiling), as one JSON array.
    #[arg(long, visible_alias = "page-all")]
    pub all: bool,
}

/// A sort token: `size`, `-datetime_uploaded`, …
fn parse_sort(text: &str) -> Result<uploadcare::search::Sort, String> {
    text.parse().map_err(|e: uploadcare::Error| e.to_string())
}

/// `ucare tags …`
#[derive(Debug, Subcommand)]
pub enum TagsCommand {
    /// A file's tags.
    Get {
        #[arg(required_unless_present = "from_stdin")]
        uuid: Option<Uuid>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Replace a file's tags (none given: remove all). With `--from-stdin`, of every file
    /// read, and every argument is a tag.
    Set {
        #[arg(value_name = "UUID TAG")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Add tags to a file (`--from-stdin`: to every file read; every argument is a tag).
    Add {
        #[arg(required = true, value_name = "UUID TAG")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Remove tags from a file (`--from-stdin`: from every file read).
    Remove {
        #[arg(required = true, value_name = "UUID TAG")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
}

#[derive(Debug, Args)]
pub struct FilesListArgs {
    /// Files per page.
    #[arg(long, value_name = "N")]
    pub limit: Option<NonZeroU64>,
    /// Only stored (`true`) or only not stored (`false`) files.
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub stored: Option<bool>,
    /// Only removed files.
    #[arg(long)]
    pub removed: bool,
    /// Order, e.g. `-datetime_uploaded` (newest first).
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub ordering: Option<String>,
    /// Start from this upload time or size (depends on the ordering).
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    pub from: Option<String>,
    /// Extra fields to include, e.g. `appdata` (API 0.7).
    #[arg(long, value_name = "FIELDS")]
    pub include: Option<String>,
    /// Extra fields to add, e.g. `rekognition_info` (API 0.6).
    #[arg(long, value_name = "FIELDS")]
    pub add_fields: Option<String>,
    /// Every page: prints one JSON array of all files, page by page as they arrive.
    #[arg(long, visible_alias = "page-all")]
    pub all: bool,
}

#[derive(Debug, Subcommand)]
pub enum MetadataCommand {
    /// All metadata of a file, or the value of one key (`--from-stdin`: of every file
    /// read; the arguments are then `[KEY]`).
    Get {
        #[arg(value_name = "UUID KEY")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Set one key (`UUID KEY VALUE`; with `--from-stdin`: `KEY VALUE` for every file read).
    Set {
        #[arg(required = true, value_name = "UUID KEY VALUE")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// Delete one key (`UUID KEY`; with `--from-stdin`: `KEY` for every file read).
    Delete {
        #[arg(required = true, value_name = "UUID KEY")]
        args: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
}
