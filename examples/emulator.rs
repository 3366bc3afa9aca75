//! Runs the local Uploadcare emulator until Ctrl-C: `cargo run --example emulator`.
//!
//! Point any client (this crate's, `curl`, another SDK) at the printed URLs and keys.
//! `--discard-uploads` counts multipart bodies instead of keeping them (for benchmarks).

use uploadcare::emulator::Emulator;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let discard = std::env::args().skip(1).any(|a| a == "--discard-uploads");
    let emulator = Emulator::builder().discard_upload_bodies(discard).start().await?;
    println!("Uploadcare emulator running (Ctrl-C to stop)");
    println!("  REST API    {}", emulator.rest_base_url());
    println!("  Upload API  {}", emulator.upload_base_url());
    println!("  CDN         {}", emulator.cdn_base_url());
    println!("  public key  {}", emulator.public_key());
    println!("  secret key  {}", emulator.secret_key().expose_secret());
    println!();
    println!("  export UPLOADCARE_PUBLIC_KEY={}", emulator.public_key());
    println!(
        "  export UPLOADCARE_SECRET_KEY={}",
        emulator.secret_key().expose_secret()
    );
    tokio::signal::ctrl_c().await?;
    println!("stopping; {} requests served", emulator.state().requests().len());
    Ok(())
}
