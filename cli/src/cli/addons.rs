//! `ucare addons`: execute an add-on on a file and fetch an execution's status; the add-ons
//! by name.

use clap::{Subcommand, ValueEnum};
use uuid::Uuid;

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
