//! `ucare projects` and `ucare usage`: the account-level Project API (one bearer token for
//! every project of the account: `--project-api-token`, `UPLOADCARE_PROJECT_API_TOKEN`, or
//! `project_api_token` in the config file).
//!
//! A `PROJECT` argument is a project of the config file (its name, in any case) or a
//! project's public key.

use clap::{ArgGroup, Args, Subcommand, ValueEnum};

#[derive(Debug, Subcommand)]
pub enum ProjectsCommand {
    /// The account's projects (every page).
    List,
    /// Create a project; `ucare projects use PUBKEY --create-secret` then gives it a secret
    /// key and saves both keys in the config file.
    Create {
        /// The new project's name.
        name: String,
        #[command(flatten)]
        uploads: UploadSettingsArgs,
    },
    /// A project's name, state and settings.
    #[command(visible_alias = "info")]
    Show {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
    },
    /// Change a project's name or upload settings: only the given flags are sent.
    Update {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
        /// A new name.
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        #[command(flatten)]
        uploads: UploadSettingsArgs,
    },
    /// Delete a project (a soft delete; only the account's owner may).
    Delete {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
    },
    /// A project's secret keys: list (id, hint, last use), create (shown once), delete.
    #[command(subcommand, visible_alias = "secret")]
    Secrets(SecretsCommand),
    /// Save a project's public key and a secret key into the config file as a named
    /// project (`[projects.NAME]`), for `ucare --project NAME …`.
    ///
    /// The file is created when missing; its other content stays as it is. The secret is
    /// the given one (`--secret-key`, `-` reads it from stdin) or a new one
    /// (`--create-secret`, printed this once).
    Use(UseArgs),
}

/// `--autostore`, `--filesize-limit`: the project's upload settings (`features.uploads`).
#[derive(Clone, Copy, Debug, Default, Args)]
pub struct UploadSettingsArgs {
    /// Store uploads unless they say otherwise.
    #[arg(long, value_name = "BOOL", action = clap::ArgAction::Set)]
    pub autostore: Option<bool>,
    /// The largest file accepted, in bytes.
    #[arg(long, value_name = "BYTES")]
    pub filesize_limit: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum SecretsCommand {
    /// A project's secret keys: id, hint (4 characters of the key), last use.
    List {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
    },
    /// Create a secret key; the answer holds the key in full, the only time it is shown.
    Create {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
    },
    /// Delete a secret key (refused for the last one while signed uploads are on).
    Delete {
        /// A project of the config file (by name, any case) or a public key.
        #[arg(value_name = "PROJECT")]
        key_or_name: String,
        /// The secret's id (`ucare projects secrets list`).
        id: String,
    },
}

/// `ucare projects use`.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("secret").required(true).args(["secret_key", "create_secret"])))]
pub struct UseArgs {
    /// A project of the config file (by name, any case) or a public key.
    #[arg(value_name = "PROJECT")]
    pub key_or_name: String,
    /// The project's secret key to save; `-` reads it from stdin (kept out of the process
    /// list).
    #[arg(long, value_name = "KEY")]
    pub secret_key: Option<uploadcare::SecretKey>,
    /// Create a new secret key for the project and save it (printed this once).
    #[arg(long)]
    pub create_secret: bool,
    /// The project's name in the config file (default: its name in the account).
    #[arg(long = "as", value_name = "NAME")]
    pub as_name: Option<String>,
    /// Also make it the config file's `default_project`.
    #[arg(long)]
    pub default: bool,
}

/// `ucare usage`.
#[derive(Debug, Args)]
pub struct UsageArgs {
    /// A project of the config file (by name, any case) or a public key.
    #[arg(value_name = "PROJECT")]
    pub key_or_name: String,
    /// One metric (default: all three).
    #[arg(long, value_enum, value_name = "METRIC")]
    pub metric: Option<Metric>,
    /// The first day (YYYY-MM-DD, UTC).
    #[arg(long, value_name = "DATE", required_unless_present = "last")]
    pub from: Option<chrono::NaiveDate>,
    /// The last day (YYYY-MM-DD, UTC): before today, at most 90 days after `--from`.
    #[arg(long, value_name = "DATE", required_unless_present = "last")]
    pub to: Option<chrono::NaiveDate>,
    /// The last N full days instead (ending yesterday, UTC).
    #[arg(long, value_name = "N", conflicts_with_all = ["from", "to"])]
    pub last: Option<u32>,
    /// A bar chart per day even when stdout is not a terminal (on a terminal it is the
    /// default; `--table` prints the figures as a table instead).
    #[arg(long)]
    pub chart: bool,
}

/// A usage metric.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Metric {
    /// Bytes served by the CDN per day.
    Traffic,
    /// Bytes stored per day.
    Storage,
    /// Operations per day.
    Operations,
}

impl Metric {
    /// The metric as the API names it.
    pub fn name(self) -> &'static str {
        match self {
            Metric::Traffic => "traffic",
            Metric::Storage => "storage",
            Metric::Operations => "operations",
        }
    }
}
