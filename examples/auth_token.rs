//! Mints an Upload API auth token (no network) and prints it: what a backend does for
//! the clients that upload.
//!
//! ```sh
//! cargo run --example auth_token -- --secret "$UPLOADCARE_SECRET_KEY" --lifetime 3600 \
//!     --scope /base/ --scope '/multipart/*' --operations 10 --sub user-42
//! ```
//!
//! Options: `--secret S` (default `UPLOADCARE_SECRET_KEY`), `--lifetime SECONDS` (default
//! 3600), `--issued-at UNIX_SECONDS` (default now), `--scope ITEM` (repeatable),
//! `--operations N`, `--sub ID`, `--jti ID`. Prints the token on one line; a refused claim
//! prints the rule broken and exits with 2.

use std::time::{Duration, UNIX_EPOCH};
use uploadcare::upload_token::AuthToken;

fn main() {
    let mut args = std::env::args().skip(1);
    let mut secret = std::env::var("UPLOADCARE_SECRET_KEY").unwrap_or_default();
    let mut builder = AuthToken::builder().lifetime(Duration::from_secs(3600));
    while let Some(flag) = args.next() {
        let Some(value) = args.next() else {
            usage(&format!("{flag} needs a value"));
        };
        let seconds = |v: &str| {
            v.parse::<u64>()
                .unwrap_or_else(|_| usage(&format!("{flag}: not a number: {v}")))
        };
        builder = match flag.as_str() {
            "--secret" => {
                secret = value;
                builder
            }
            "--lifetime" => builder.lifetime(Duration::from_secs(seconds(&value))),
            "--issued-at" => builder.issued_at(UNIX_EPOCH + Duration::from_secs(seconds(&value))),
            "--scope" => builder.scope([value]),
            "--operations" => builder.operations(
                u32::try_from(seconds(&value)).unwrap_or_else(|_| usage("--operations: too large")),
            ),
            "--sub" => builder.subject(value),
            "--jti" => builder.token_id(value),
            other => usage(&format!("unknown option {other}")),
        };
    }
    match builder.mint(&uploadcare::SecretKey::new(secret)) {
        Ok(token) => println!("{}", token.expose_secret()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    }
}

fn usage(problem: &str) -> ! {
    eprintln!(
        "{problem}\nusage: auth_token [--secret S] [--lifetime SECONDS] [--issued-at UNIX_SECONDS] \
         [--scope ITEM]... [--operations N] [--sub ID] [--jti ID]"
    );
    std::process::exit(2)
}
