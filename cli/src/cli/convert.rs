//! `ucare convert`: document and video conversions (the paths and `--wait` flags they
//! share), a job's status and a document's conversion info.

use clap::{Args, Subcommand, ValueEnum};

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
