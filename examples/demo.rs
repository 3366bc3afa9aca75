//! Uploadcare from Rust, end to end: `cargo run --example demo`.
//!
//! Without keys it starts the embedded emulator (a local Uploadcare on 127.0.0.1) and runs
//! the whole workflow against it with real, signed HTTP. With `UPLOADCARE_PUBLIC_KEY` and
//! `UPLOADCARE_SECRET_KEY` set it runs against your real project instead, and removes what
//! it created at the end.
//!
//! The walkthrough itself lives in `cli/src/walkthrough.rs`, shared with `ucare demo`.

#[path = "../cli/src/walkthrough.rs"]
mod walkthrough;

use uploadcare::Config;
use uploadcare_emulator::Emulator;

#[tokio::main]
async fn main() -> Result<(), walkthrough::Error> {
    // Keep the emulator alive for the whole run (dropping it stops it).
    let (config, _emulator) = match Config::from_env() {
        Ok(config) if config.has_secret_key() => {
            println!(
                "Using the real Uploadcare project of {} (from the environment).",
                config.public_key()
            );
            (config, None)
        }
        _ => {
            let emulator = Emulator::start().await?;
            println!("No UPLOADCARE_PUBLIC_KEY/UPLOADCARE_SECRET_KEY: using the embedded emulator.");
            println!("  REST API   {}", emulator.rest_base_url());
            println!("  Upload API {}", emulator.upload_base_url());
            (emulator.config(), Some(emulator))
        }
    };
    walkthrough::run(config).await?;
    Ok(())
}
