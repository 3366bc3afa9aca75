//! The command line: global flags (each also from the environment) and the subcommands.

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::num::NonZeroU64;
use std::path::PathBuf;
use uploadcare::upload::MULTIPART_THRESHOLD_RANGE;
use uuid::Uuid;

/// Uploadcare from the shell: REST API (0.5, 0.6, 0.7) and Upload API.
///
/// Prints the API's response objects on stdout (tables on a terminal, JSON otherwise);
/// progress and messages go to stderr. Values that start with `-` can be given after `--`.
#[derive(Debug, Parser)]
#[command(name = "ucare", version, max_term_width = 100, after_help = crate::schema::exit_codes_help())]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags that go before the subcommand.
#[derive(Clone, Debug, Args)]
pub struct Global {
    /// The project's public key.
    #[arg(long, env = "UPLOADCARE_PUBLIC_KEY", value_name = "KEY")]
    pub public_key: Option<String>,
    /// The project's secret key (needed for the REST API; signs uploads when given).
    #[arg(
        long,
        env = "UPLOADCARE_SECRET_KEY",
        value_name = "KEY",
        hide_env_values = true
    )]
    pub secret_key: Option<String>,
    /// An Upload API auth token to sign uploads with (instead of the secret key's
    /// `signature`/`expire`): `ucare token mint` on the backend makes one.
    #[arg(
        long,
        env = "UPLOADCARE_UPLOAD_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub upload_token: Option<String>,
    /// REST API base URL.
    #[arg(long, env = "UPLOADCARE_API_BASE", value_name = "URL", default_value = uploadcare::DEFAULT_REST_BASE_URL)]
    pub api_base: String,
    /// Upload API base URL.
    #[arg(long, env = "UPLOADCARE_UPLOAD_BASE", value_name = "URL", default_value = uploadcare::DEFAULT_UPLOAD_BASE_URL)]
    pub upload_base: String,
    /// REST API version.
    #[arg(
        long,
        env = "UPLOADCARE_API_VERSION",
        value_name = "VERSION",
        value_enum,
        default_value = "0.7"
    )]
    pub api_version: ApiVersion,
    /// How REST requests authenticate.
    #[arg(
        long,
        env = "UPLOADCARE_AUTH",
        value_name = "SCHEME",
        value_enum,
        default_value = "signed"
    )]
    pub auth: Auth,
    /// A project of the config file (`~/.config/ucare/config.toml` or `$UCARE_CONFIG`);
    /// default: its `default_project`.
    #[arg(long, global = true, env = "UCARE_PROJECT", value_name = "NAME")]
    pub project: Option<String>,
    /// JSON output (even on a terminal): `all` fields, or only these, e.g.
    /// `uuid,size,metadata.album`, for every record.
    #[arg(long, global = true, value_name = "FIELDS")]
    pub json: Option<String>,
    /// Filter the JSON output through a jq expression (string results print raw).
    #[arg(long, global = true, value_name = "EXPR", allow_hyphen_values = true)]
    pub jq: Option<String>,
    /// One compact JSON record per line (with `--all`: every page, in constant memory).
    #[arg(long, global = true, conflicts_with = "table")]
    pub ndjson: bool,
    /// Tables, even when stdout is not a terminal.
    #[arg(long, global = true)]
    pub table: bool,
    /// Print the requests the command would send (method, URL, body; never secrets) and
    /// send nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Log every HTTP request on stderr (method, URL, status, duration, retries).
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// A REST API version (the ones not compiled in are refused when used).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ApiVersion {
    #[value(name = "0.5")]
    V0_5,
    #[value(name = "0.6")]
    V0_6,
    #[value(name = "0.7")]
    V0_7,
}

impl std::fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ApiVersion::V0_5 => "0.5",
            ApiVersion::V0_6 => "0.6",
            ApiVersion::V0_7 => "0.7",
        })
    }
}

/// REST authentication scheme.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Auth {
    /// HMAC-SHA1 signature of every request (the secret key never travels).
    Signed,
    /// `Uploadcare.Simple public:secret` (the service refuses it over plain HTTP).
    Simple,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, inspect, store, delete and copy files.
    #[command(subcommand, visible_alias = "file")]
    Files(FilesCommand),
    /// File metadata (API 0.7).
    #[command(subcommand)]
    Metadata(MetadataCommand),
    /// File tags (API 0.7): get, set, add, remove.
    #[command(subcommand, visible_alias = "tag")]
    Tags(TagsCommand),
    /// File groups.
    #[command(subcommand, visible_alias = "group")]
    Groups(GroupsCommand),
    /// The project's information.
    Project,
    /// Webhooks.
    #[command(subcommand, visible_alias = "webhook")]
    Webhooks(WebhooksCommand),
    /// Document and video conversion.
    #[command(subcommand)]
    Convert(ConvertCommand),
    /// Add-ons (API 0.7): AWS Rekognition, ClamAV, remove.bg.
    #[command(subcommand, visible_alias = "addon")]
    Addons(AddonsCommand),
    /// A file's CDN URL with processing operations, optionally signed for secure delivery;
    /// or (`--cdn-base`) the project's CDN base. Needs only the public key.
    Url(UrlArgs),
    /// Upload files (or see `upload from-url`, `status`, `info`, `group`).
    Upload(UploadCommand),
    /// Upload API auth tokens: `ucare token mint --lifetime 1h --scope /base/ --operations 10`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// The end-to-end walkthrough, against the embedded emulator unless both keys are given.
    ///
    /// The steps are printed on stderr; stdout gets a JSON summary of what was created
    /// (and removed again at the end).
    Demo,
    /// The configuration in use: `ucare config show`.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Every command, flag, argument, JSON field and exit code, as JSON (for scripts and
    /// agents).
    #[command(visible_alias = "api-schema")]
    Schema,
    /// A shell completion script: `ucare completions bash > /etc/bash_completion.d/ucare`.
    #[command(visible_alias = "completion")]
    Completions { shell: clap_complete::Shell },
    /// The manual page (roff): `ucare man > ucare.1`.
    Man,
}

/// `ucare config …`
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Mints a token with the secret key (no network) and prints it; with `--json`, the
    /// token and its claims.
    Mint(TokenMintArgs),
}

/// `ucare token mint`.
#[derive(Debug, Args)]
pub struct TokenMintArgs {
    /// How long it is valid: seconds, or a number with `s`, `m` or `h` (at most 24h).
    #[arg(long, default_value = "1h", value_parser = parse_lifetime)]
    pub lifetime: std::time::Duration,
    /// An endpoint it may be used on (`/base/`, `/multipart/*`); repeat for more. Without
    /// it, every signed endpoint.
    #[arg(long, value_name = "PATH")]
    pub scope: Vec<String>,
    /// How many files it may upload (1 to 100000). Without it, no limit.
    #[arg(long, value_name = "N")]
    pub operations: Option<u32>,
    /// Your user's id (`sub`).
    #[arg(long, value_name = "ID")]
    pub sub: Option<String>,
    /// The token's id (`jti`).
    #[arg(long, value_name = "ID")]
    pub jti: Option<String>,
}

/// `90`, `90s`, `15m`, `1h`.
fn parse_lifetime(text: &str) -> std::result::Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
        Some((at, _)) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a lifetime (e.g. 90, 90s, 15m, 1h)"))?;
    let seconds = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        _ => return Err(format!("`{text}`: the unit is s, m or h")),
    };
    Ok(std::time::Duration::from_secs(seconds))
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// The resolved settings (secrets redacted) and where each one came from: a flag, the
    /// environment, a project of the config file, or the default.
    Show,
}

/// `--from-stdin`: more values, one per line (or NDJSON objects with a `uuid` field).
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct FromStdin {
    /// Also read values from stdin: one per line, or NDJSON objects with a `uuid` field
    /// (e.g. the output of `ucare files list --all --ndjson`).
    #[arg(long)]
    pub from_stdin: bool,
}

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

/// `ucare url`
#[derive(Debug, Args)]
pub struct UrlArgs {
    /// The file (not needed with `--cdn-base`).
    #[arg(required_unless_present = "cdn_base")]
    pub uuid: Option<Uuid>,
    /// An operation `NAME=ARGS` in order, as the URL writes it, e.g. `resize=800x`,
    /// `scale_crop=300x300/smart`, `format=webp`, `grayscale` (repeatable); checked like the
    /// library's typed methods.
    #[arg(long = "op", value_name = "NAME=ARGS", value_parser = parse_operation)]
    pub ops: Vec<(String, String)>,
    /// An operation the library has no typed method for, added unchecked after the `--op`s
    /// (repeatable).
    #[arg(long = "raw-op", value_name = "NAME=ARGS", value_parser = parse_operation)]
    pub raw_ops: Vec<(String, String)>,
    /// A file name at the end of the URL.
    #[arg(long, value_name = "NAME")]
    pub filename: Option<String>,
    /// Sign the URL for secure delivery (needs `--secure-delivery-secret`).
    #[arg(long)]
    pub sign: bool,
    /// The project's secure-delivery signing secret (hex).
    #[arg(
        long,
        env = "UPLOADCARE_SECURE_DELIVERY_SECRET",
        hide_env_values = true,
        value_name = "HEX"
    )]
    pub secure_delivery_secret: Option<String>,
    /// Seconds the signed URL stays valid.
    #[arg(long, value_name = "SECS", default_value_t = 300)]
    pub expire: u64,
    /// A CDN base other than the project's (a CNAME, or https://ucarecdn.com).
    #[arg(long, value_name = "URL")]
    pub cdn: Option<String>,
    /// Print the project's CDN base and nothing else.
    #[arg(long)]
    pub cdn_base: bool,
}

/// `resize=800x` → (`resize`, `800x`); `grayscale` or `grayscale=` → no arguments.
fn parse_operation(text: &str) -> Result<(String, String), String> {
    let (name, args) = text.split_once('=').unwrap_or((text, ""));
    if name.is_empty() {
        return Err("expected NAME=ARGS, e.g. resize=800x".to_owned());
    }
    Ok((name.to_owned(), args.to_owned()))
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

#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// List webhooks.
    List,
    /// Create a webhook.
    Create {
        #[arg(long, value_name = "URL")]
        target_url: String,
        /// e.g. `file.uploaded`, `file.stored`, `file.deleted`, `file.infected`, `file.info_updated`.
        #[arg(long, value_name = "EVENT")]
        event: String,
        /// Secret that signs deliveries (at most 32 characters).
        #[arg(long, value_name = "S")]
        signing_secret: Option<String>,
        /// Create it switched off.
        #[arg(long)]
        inactive: bool,
    },
    /// Change a webhook.
    Update {
        id: i64,
        #[arg(long, value_name = "URL")]
        target_url: Option<String>,
        #[arg(long, value_name = "EVENT")]
        event: Option<String>,
        #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
        active: Option<bool>,
        #[arg(long, value_name = "S")]
        signing_secret: Option<String>,
    },
    /// Unsubscribe a target URL.
    Delete {
        #[arg(long, value_name = "URL")]
        target_url: String,
    },
}

#[derive(Debug, Args)]
pub struct ConvertArgs {
    /// `<uuid>/document/-/format/pdf/`, `<uuid>/video/-/size/640x/`, …
    #[arg(required = true)]
    pub paths: Vec<String>,
    /// Store the outputs.
    #[arg(long)]
    pub store: bool,
    /// Wait until every job is finished (or failed); exit 1 when one failed.
    #[arg(long)]
    pub wait: bool,
    /// Longest wait, in seconds.
    #[arg(long, value_name = "SECS", default_value_t = 600)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum ConvertCommand {
    /// Convert documents.
    Document {
        #[command(flatten)]
        args: ConvertArgs,
        /// Also save the pages of a multi-page output as a group (API 0.7).
        #[arg(long)]
        save_in_group: bool,
    },
    /// Convert videos.
    Video {
        #[command(flatten)]
        args: ConvertArgs,
    },
    /// A conversion job's status.
    Status { kind: ConversionKind, token: i64 },
    /// A document's format and the formats it converts to (API 0.7).
    Info { uuid: String },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ConversionKind {
    Document,
    Video,
}

#[derive(Debug, Subcommand)]
pub enum AddonsCommand {
    /// Run an add-on on a file.
    Execute {
        name: Addon,
        uuid: Uuid,
        /// The add-on's `params` as a JSON object (ClamAV and remove.bg).
        #[arg(long, value_name = "JSON")]
        params: Option<String>,
        /// Wait until the execution is done; exit 1 when it ends in error.
        #[arg(long)]
        wait: bool,
        /// Longest wait, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 600)]
        timeout: u64,
    },
    /// An execution's status.
    Status { name: Addon, request_id: Uuid },
}

#[derive(Clone, Copy, Debug, ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum Addon {
    AwsRekognitionDetectLabels,
    AwsRekognitionDetectModerationLabels,
    UcClamavVirusScan,
    RemoveBg,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct UploadCommand {
    #[command(subcommand)]
    pub command: Option<UploadSubcommand>,
    #[command(flatten)]
    pub files: UploadFiles,
}

/// `ucare upload FILE...`
#[derive(Debug, Args)]
pub struct UploadFiles {
    /// Files to upload (a file named like a subcommand: `./status` or after `--`).
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Store the files: `auto` (the project's setting), `0` or `1`.
    #[arg(long, value_enum, default_value = "auto")]
    pub store: Store,
    /// File metadata, `key=value` (repeatable).
    #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
    pub metadata: Vec<(String, String)>,
    /// A file tag (repeatable); checked before anything is sent.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Files of at least this many bytes go multipart (10 MiB to 100 MiB).
    #[arg(long, value_name = "BYTES", default_value_t = uploadcare::upload::DEFAULT_MULTIPART_THRESHOLD, value_parser = parse_threshold)]
    pub multipart_threshold: u64,
    /// Multipart parts uploaded at once (per file).
    #[arg(long, value_name = "N", default_value_t = uploadcare::upload::DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub concurrency: usize,
    /// Requests in flight at once across the files (small files may share one).
    #[arg(long, value_name = "N", default_value_t = uploadcare::upload::DEFAULT_CONCURRENCY, value_parser = parse_concurrency)]
    pub jobs: usize,
    /// Sign with an auth token minted here from the secret key (10 minutes, limited to
    /// `/base/` and `/multipart/*` and to as many files as are given) instead of
    /// `signature`/`expire`.
    #[arg(long)]
    pub mint_token: bool,
}

#[derive(Debug, Subcommand)]
pub enum UploadSubcommand {
    /// Make the service fetch a file from a URL (prints the token unless `--wait`).
    FromUrl {
        url: String,
        /// Wait for the file and print its information.
        #[arg(long)]
        wait: bool,
        /// Store the file: `auto`, `0` or `1`.
        #[arg(long, value_enum, default_value = "auto")]
        store: Store,
        /// The file's name.
        #[arg(long, value_name = "NAME")]
        filename: Option<String>,
        /// File metadata, `key=value` (repeatable).
        #[arg(long, value_name = "KEY=VALUE", value_parser = parse_key_value)]
        metadata: Vec<(String, String)>,
        /// Longest wait, in seconds.
        #[arg(long, value_name = "SECS", default_value_t = 600)]
        timeout: u64,
    },
    /// The status of an upload from URL.
    Status { token: Uuid },
    /// An uploaded file's information.
    Info { uuid: Uuid },
    /// File groups.
    #[command(subcommand)]
    Group(UploadGroupCommand),
}

#[derive(Debug, Subcommand)]
pub enum UploadGroupCommand {
    /// Create a group of files (UUIDs or CDN URLs).
    Create {
        #[arg(required_unless_present = "from_stdin", value_name = "ID")]
        files: Vec<String>,
        #[command(flatten)]
        stdin: FromStdin,
    },
    /// A group's information.
    Info { id: String },
}

/// `UPLOADCARE_STORE` of an upload.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Store {
    /// The project's auto-store setting.
    Auto,
    /// Temporary (removed after about 24 hours).
    #[value(name = "0")]
    No,
    /// Stored.
    #[value(name = "1")]
    Yes,
}

/// `key=value` (split at the first `=`).
fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
}

/// Parts in flight: 1 to 64.
fn parse_concurrency(text: &str) -> Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if (1..=64).contains(&n) => Ok(n),
        _ => Err("must be a number from 1 to 64".to_owned()),
    }
}

/// A multipart threshold the library accepts.
fn parse_threshold(text: &str) -> Result<u64, String> {
    let bytes: u64 = text
        .parse()
        .map_err(|_| format!("`{text}` is not a number of bytes"))?;
    if !MULTIPART_THRESHOLD_RANGE.contains(&bytes) {
        return Err(format!(
            "must be from {} (10 MiB) to {} (100 MiB) bytes",
            MULTIPART_THRESHOLD_RANGE.start(),
            MULTIPART_THRESHOLD_RANGE.end()
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn key_values_and_thresholds_are_checked() {
        assert_eq!(parse_key_value("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
        assert_eq!(parse_threshold("10485760").unwrap(), 10 * 1024 * 1024);
        assert!(parse_threshold("1024").unwrap_err().contains("10 MiB"));
        assert!(parse_threshold("lots").is_err());
    }
}
