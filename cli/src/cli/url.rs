//! `ucare url`: a file's CDN URL with processing operations (`--op NAME=ARGS`), optionally
//! signed, or the project's CDN base.

use clap::Args;
use uuid::Uuid;

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
    #[arg(long, value_name = "SECS", default_value_t = uploadcare::cdn::secure::DEFAULT_WINDOW.as_secs())]
    pub expire: u64,
    /// A CDN base other than the project's (a CNAME, or `https://ucarecdn.com`).
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
