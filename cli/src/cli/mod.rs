//! The command line: global flags (each also from the environment) and the subcommands.
//!
//! This module holds the top of the command line (`Cli`, the `Global` flags with their value
//! types, `Command`) and what several command groups share (`FromStdin`, `key=value`
//! parsing); each group's Args and Subcommand types live in their own file and are
//! re-exported here.

use clap::{Args, Parser, Subcommand, ValueEnum};

mod addons;
mod convert;
mod files;
mod groups;
mod projects;
mod upload;
mod url;
mod webhooks;

pub use addons::{Addon, AddonsCommand};
pub use convert::{ConversionKind, ConvertArgs, ConvertCommand};
pub use files::{FilesCommand, FilesListArgs, FilesSearchArgs, MetadataCommand, TagsCommand};
pub use groups::GroupsCommand;
pub use projects::{ProjectsCommand, SecretsCommand, UploadSettingsArgs, UsageArgs, UseArgs};
pub use upload::{
    Store, TokenCommand, TokenMintArgs, UploadCommand, UploadFiles, UploadGroupCommand, UploadSubcommand,
};
pub use url::UrlArgs;
pub use webhooks::WebhooksCommand;

/// Uploadcare from the shell: REST API (0.5, 0.6, 0.7), Upload API and the account's
/// Project API.
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
    /// The account's Project API token (`ucare projects`, `ucare usage`); also
    /// `project_api_token` at the top of the config file.
    #[arg(
        long,
        env = "UPLOADCARE_PROJECT_API_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub project_api_token: Option<uploadcare::SecretKey>,
    /// Project API base URL (also `project_api_base` at the top of the config file).
    #[arg(long, env = "UPLOADCARE_PROJECT_API_BASE", value_name = "URL", default_value = uploadcare::DEFAULT_PROJECT_API_BASE_URL)]
    pub project_api_base: String,
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
    /// The project's information (REST API; for the account's projects see `projects`).
    Project,
    /// The account's projects and their secret keys (Project API, account token).
    #[command(subcommand)]
    Projects(ProjectsCommand),
    /// A project's usage per day: traffic, storage, operations (Project API, account
    /// token); a bar chart per day on a terminal.
    ///
    /// `ucare usage PROJECT --last 30`, `ucare usage PROJECT --metric traffic --from
    /// 2026-11-01 --to 2026-11-30`.
    Usage(UsageArgs),
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
    /// Uploads (one file, then four at once), metadata, tags and a search, CDN URLs, a
    /// group, a webhook and a conversion, then removes what it made. The steps are printed
    /// on stderr; stdout gets a JSON summary of what was created (and removed again at the
    /// end). Against a project, a CDN URL is signed only when
    /// UPLOADCARE_SECURE_DELIVERY_SECRET is set.
    Demo,
    /// Runs the local Uploadcare emulator on a port until Ctrl-C or SIGTERM (the same
    /// program as the `uploadcare-emulator` binary): prints its URLs, keys and a `ready`
    /// line. Its `--public-key`/`--secret-key` are the emulated project's.
    Emulator(uploadcare_emulator::serve_cli::ServeArgs),
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

/// `key=value` (split at the first `=`).
fn parse_key_value(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.is_empty() => Ok((key.to_owned(), value.to_owned())),
        _ => Err("expected KEY=VALUE".to_owned()),
    }
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
    fn key_values_are_checked() {
        assert_eq!(parse_key_value("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(parse_key_value("novalue").is_err());
        assert!(parse_key_value("=x").is_err());
    }
}
