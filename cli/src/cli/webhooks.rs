//! `ucare webhooks`: list, create, update and delete webhooks.

use clap::Subcommand;

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
