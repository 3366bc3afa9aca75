//! `ucare`: Uploadcare from the shell, a thin command line over the `uploadcare` crate.
//!
//! Every command is one call (or a short sequence of calls) into the library; the API's
//! response objects are printed as JSON on stdout, progress and messages go to stderr.
//! Failures print one line on stderr and exit non-zero: 1 when a request or an operation
//! failed, 2 for usage errors (clap's own, a missing key, an API version this build or
//! this command lacks), 130 when interrupted.

mod cli;
mod error;
mod output;
mod rest;
mod upload;
mod walkthrough;

use clap::Parser;
use cli::{ApiVersion, Auth, Cli, Command, Global};
use error::{CliError, Result};
use rest::Rest;
use std::io::Write;
use std::process::ExitCode;
use uploadcare::{AuthScheme, Config};

fn main() -> ExitCode {
    // A bug must not end in a backtrace either: one line, like every other failure.
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let at = info.location().map(|l| format!(" at {l}")).unwrap_or_default();
        eprintln!(
            "error: internal error (a bug in ucare{at}): {}",
            error::one_line(&message, 300)
        );
    }));

    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run(cli) => result,
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            if let Some(line) = error.line() {
                eprintln!("{line}");
            }
            error.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result {
    let global = cli.global;
    match cli.command {
        Command::Files(command) => rest::files(&rest_client(&global)?, command).await,
        Command::Metadata(command) => rest::metadata(&rest_client(&global)?, command).await,
        Command::Tags(command) => rest::tags(&rest_client(&global)?, command).await,
        Command::Groups(command) => rest::groups(&rest_client(&global)?, command).await,
        Command::Project => rest::project(&rest_client(&global)?).await,
        Command::Webhooks(command) => rest::webhooks(&rest_client(&global)?, command).await,
        Command::Convert(command) => rest::convert(&rest_client(&global)?, command).await,
        Command::Addons(command) => rest::addons(&rest_client(&global)?, command).await,
        Command::Upload(command) => {
            let client = uploadcare::upload::Client::from_config(config(&global)?)?;
            upload::run(&client, command).await
        }
        Command::Url(args) => url(&global, args),
        Command::Demo => demo(&global).await,
    }
}

/// `ucare url`: the library's typed URL builder and signer; prints the URL (plain text).
fn url(global: &Global, args: cli::UrlArgs) -> Result {
    let mut config = config(global)?;
    if let Some(base) = &args.cdn {
        config = config.with_cdn_base_url(base.clone());
    }
    let mut cdn = config.cdn()?;
    if args.cdn_base {
        println!("{}", cdn.base());
        return Ok(());
    }
    let uuid = args
        .uuid
        .ok_or_else(|| CliError::usage("a file UUID is needed"))?;
    let mut url = cdn.file_by_uuid(uuid);
    // An operation the builder refuses is a bad command line (exit 2), not a failed call.
    let bad_op = |e: uploadcare::Error| CliError::usage(e.to_string());
    for (name, op_args) in &args.ops {
        url = url.apply(name, op_args).map_err(bad_op)?;
    }
    for (name, op_args) in &args.raw_ops {
        url = url.operation(name, op_args).map_err(bad_op)?;
    }
    if let Some(name) = &args.filename {
        url = url.filename(name)?;
    }
    if args.sign {
        let secret = args.secure_delivery_secret.as_deref().ok_or_else(|| {
            CliError::usage("--sign needs --secure-delivery-secret or UPLOADCARE_SECURE_DELIVERY_SECRET")
        })?;
        let signer = uploadcare::cdn::secure::SecureDelivery::new(secret)?
            .with_window(std::time::Duration::from_secs(args.expire));
        cdn = cdn.with_secure_delivery(signer);
    }
    println!("{}", cdn.url(&url)?);
    Ok(())
}

/// A key given on the command line or in the environment (empty counts as absent).
fn key(value: &Option<String>) -> Option<&str> {
    value.as_deref().map(str::trim).filter(|k| !k.is_empty())
}

/// The configuration from the global flags: keys, base URLs, auth scheme. Uploads are
/// signed whenever the secret key is given.
fn config(global: &Global) -> Result<Config> {
    let public_key = key(&global.public_key)
        .ok_or_else(|| CliError::usage("no public key: pass --public-key or set UPLOADCARE_PUBLIC_KEY"))?;
    let config = match key(&global.secret_key) {
        Some(secret_key) => Config::new(public_key, secret_key.to_owned()),
        None => Config::public_only(public_key),
    };
    Ok(config
        .with_rest_base_url(global.api_base.clone())
        .with_upload_base_url(global.upload_base.clone())
        .with_auth_scheme(auth_scheme(global.auth)))
}

fn auth_scheme(auth: Auth) -> AuthScheme {
    match auth {
        Auth::Signed => AuthScheme::Signed,
        Auth::Simple => AuthScheme::Simple,
    }
}

/// The REST client of `--api-version`; the REST API needs the secret key.
fn rest_client(global: &Global) -> Result<Rest> {
    let config = config(global)?;
    if key(&global.secret_key).is_none() {
        return Err(CliError::usage(
            "the REST API needs the secret key: pass --secret-key or set UPLOADCARE_SECRET_KEY",
        ));
    }
    Rest::new(global.api_version, config)
}

/// `ucare demo`: the walkthrough against the given project when both keys are given, else
/// against the embedded emulator. The steps are messages (stderr); the summary of what was
/// created is the command's JSON output (stdout).
async fn demo(global: &Global) -> Result {
    if global.api_version != ApiVersion::V0_7 {
        return Err(CliError::usage(format!(
            "the demo walks through API 0.7, not {}; drop --api-version",
            global.api_version
        )));
    }
    let mut stderr = std::io::stderr();
    let (config, _emulator) = match (key(&global.public_key), key(&global.secret_key)) {
        (Some(public_key), Some(_)) => {
            writeln!(
                stderr,
                "Using the project of {public_key} at {}.",
                global.api_base
            )?;
            (config(global)?, None)
        }
        _ => {
            let emulator = uploadcare::emulator::Emulator::start()
                .await
                .map_err(|e| CliError::failed(format!("cannot start the embedded emulator: {e}")))?;
            writeln!(stderr, "No keys given: using the embedded emulator.")?;
            writeln!(stderr, "  REST API   {}", emulator.rest_base_url())?;
            writeln!(stderr, "  Upload API {}", emulator.upload_base_url())?;
            let config = emulator.config().with_auth_scheme(auth_scheme(global.auth));
            (config, Some(emulator))
        }
    };
    let summary = walkthrough::run_to(config, &mut stderr).await?;
    output::print(&summary)
}
