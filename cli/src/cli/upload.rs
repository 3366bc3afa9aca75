//! `ucare upload` and `ucare token`: the Upload API's commands (files, from URL, status,
//! info, groups) with their store, multipart and concurrency flags, and minting auth tokens.

use super::{parse_key_value, FromStdin};
use clap::{Args, Subcommand, ValueEnum};
use std::path::PathBuf;
use uploadcare::upload::MULTIPART_THRESHOLD_RANGE;
use uuid::Uuid;

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
            "must be from {} ({} MiB) to {} ({} MiB) bytes",
            MULTIPART_THRESHOLD_RANGE.start(),
            MULTIPART_THRESHOLD_RANGE.start() >> 20,
            MULTIPART_THRESHOLD_RANGE.end(),
            MULTIPART_THRESHOLD_RANGE.end() >> 20
        ));
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thresholds_are_checked() {
        assert_eq!(parse_threshold("10485760").unwrap(), 10 * 1024 * 1024);
        assert!(parse_threshold("1024").unwrap_err().contains("10 MiB"));
        assert!(parse_threshold("lots").is_err());
    }
}
