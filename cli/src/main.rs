//! `ucare`: Uploadcare from the shell, a thin command line over the `uploadcare` crate.
//!
//! Every command is one call (or a short sequence of calls) into the library; the API's
//! response objects are printed on stdout (tables on a terminal, JSON otherwise; see
//! `output`), progress and messages go to stderr. `projects` and `usage` speak to the
//! account-level Project API with the account's token. Failures print one line on stderr and
//! exit non-zero: 1 when a request or an operation failed, 2 for usage errors and input
//! refused before any request, 3 for missing or rejected credentials, 130 when
//! interrupted.

mod cli;
mod config_edit;
mod dry_run;
mod error;
mod input;
mod jq;
mod output;
mod projects;
mod rest;
mod schema;
mod settings;
mod table;
mod upload;
mod verbose;
mod walkthrough;

use clap::{CommandFactory, FromArgMatches};
use cli::{ApiVersion, Auth, Cli, Command, ConfigCommand, Global, GroupsCommand};
use error::{CliError, Result};
use rest::Rest;
use std::io::IsTerminal;
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

    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    // `projects use` creates the config file when it is missing.
    let creates_config = matches!(cli.command, Command::Projects(cli::ProjectsCommand::Use(_)));
    let prepared = settings::resolve(&mut cli.global, &matches, creates_config).and_then(|sources| {
        let global = &cli.global;
        let options = output::Options::new(
            global.json.as_deref(),
            global.jq.as_deref(),
            global.ndjson,
            global.table,
            std::io::stdout().is_terminal(),
        )?;
        Ok((sources, output::Output::new(options, global.dry_run)))
    });
    let (sources, out) = match prepared {
        Ok(prepared) => prepared,
        Err(error) => return fail(error),
    };
    if cli.global.verbose {
        verbose::install();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        tokio::select! {
            result = run_or_record(cli, sources, &out) => result,
            _ = tokio::signal::ctrl_c() => Err(CliError::Interrupted),
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => fail(error),
    }
}

/// The one `error: …` line and the exit status.
fn fail(error: CliError) -> ExitCode {
    if let Some(line) = error.line() {
        eprintln!("{line}");
    }
    error.exit_code()
}

/// Runs the command; with `--dry-run`, against the recorder, printing what was recorded
/// instead of the command's own output.
async fn run_or_record(mut cli: Cli, sources: settings::Sources, out: &output::Output) -> Result {
    if !cli.global.dry_run {
        return run(cli, sources, out).await;
    }
    let recorder = dry_run::Recorder::start(dry_run::Bases {
        rest: &cli.global.api_base,
        upload: &cli.global.upload_base,
        project_api: &cli.global.project_api_base,
    })
    .await
    .map_err(|e| CliError::failed(format!("--dry-run: cannot start the request recorder: {e}")))?;
    cli.global.api_base = recorder.rest_base.clone();
    cli.global.upload_base = recorder.upload_base.clone();
    cli.global.project_api_base = recorder.project_api_base.clone();
    out.mute(true);
    let result = run(cli, sources, out).await;
    out.mute(false);
    let recorded = recorder.recorded.take();
    match result {
        // Refused before any request (bad input, missing keys): that is the answer.
        Err(error) if recorded.is_empty() => Err(error),
        _ => out.print(&serde_json::json!({ "dry_run": true, "requests": recorded })),
    }
}

async fn run(cli: Cli, sources: settings::Sources, out: &output::Output) -> Result {
    let global = cli.global;
    match cli.command {
        Command::Config(ConfigCommand::Show) => out.print(&settings::show(&global, &sources)),
        Command::Schema => out.print(&schema::describe(&Cli::command())),
        Command::Completions { shell } => {
            let mut stdout = std::io::stdout();
            clap_complete::generate(shell, &mut Cli::command(), "ucare", &mut stdout);
            Ok(())
        }
        Command::Man => {
            let mut stdout = std::io::stdout();
            clap_mangen::Man::new(Cli::command()).render(&mut stdout)?;
            Ok(())
        }
        Command::Groups(GroupsCommand::Create { files, stdin }) => {
            let client = uploadcare::upload::Client::from_config(config(&global)?)?;
            upload::create_group(&client, out, files, stdin.from_stdin).await
        }
        Command::Files(command) => rest::files(&rest_client(&global)?, out, command).await,
        Command::Metadata(command) => rest::metadata(&rest_client(&global)?, out, command).await,
        Command::Tags(command) => rest::tags(&rest_client(&global)?, out, command).await,
        Command::Groups(command) => rest::groups(&rest_client(&global)?, out, command).await,
        Command::Project => rest::project(&rest_client(&global)?, out).await,
        Command::Projects(command) => projects::projects(&global, &sources, out, command).await,
        Command::Usage(args) => projects::usage(&global, &sources, out, args).await,
        Command::Webhooks(command) => rest::webhooks(&rest_client(&global)?, out, command).await,
        Command::Convert(command) => rest::convert(&rest_client(&global)?, out, command).await,
        Command::Addons(command) => rest::addons(&rest_client(&global)?, out, command).await,
        Command::Upload(command) => {
            let mut config = config(&global)?;
            if command.command.is_none() && command.files.mint_token {
                config = config.with_upload_token(upload_token_for(&global, command.files.files.len())?);
            }
            let client = uploadcare::upload::Client::from_config(config)?;
            upload::run(&client, out, command).await
        }
        Command::Url(args) => url(&global, args),
        Command::Token(cli::TokenCommand::Mint(args)) => mint_token(&global, out, args),
        Command::Demo => demo(&global, out).await,
        Command::Emulator(args) => uploadcare_emulator::serve_cli::serve(&args)
            .await
            .map_err(|e| CliError::failed(format!("emulator: {e}"))),
    }
}

/// `ucare token mint`: the library's minter; prints the token (plain text), or with
/// `--json` the token and its claims.
fn mint_token(global: &Global, out: &output::Output, args: cli::TokenMintArgs) -> Result {
    let secret = key(&global.secret_key).ok_or_else(|| {
        CliError::credentials(
            "minting a token needs the secret key: pass --secret-key or set UPLOADCARE_SECRET_KEY",
        )
    })?;
    let mut builder = uploadcare::upload::AuthToken::builder().lifetime(args.lifetime);
    if !args.scope.is_empty() {
        builder = builder.scope(args.scope.clone());
    }
    if let Some(operations) = args.operations {
        builder = builder.operations(operations);
    }
    if let Some(sub) = &args.sub {
        builder = builder.subject(sub.clone());
    }
    if let Some(jti) = &args.jti {
        builder = builder.token_id(jti.clone());
    }
    let token = builder.mint(&uploadcare::SecretKey::new(secret.to_owned()))?;
    if global.json.is_none() && global.jq.is_none() {
        println!("{}", token.expose_secret());
        return Ok(());
    }
    let mut restrictions = serde_json::Map::new();
    if !args.scope.is_empty() {
        restrictions.insert("scope".into(), serde_json::json!(args.scope));
    }
    if let Some(operations) = args.operations {
        restrictions.insert("limits".into(), serde_json::json!({ "operations": operations }));
    }
    out.print(&serde_json::json!({
        "token": token.expose_secret(),
        "expires_at": token.expires_at(),
        "sub": args.sub,
        "jti": args.jti,
        "restrictions": restrictions,
    }))
}

/// `ucare upload --mint-token`: a token for just this upload (10 minutes, the upload
/// endpoints, one operation per file).
fn upload_token_for(global: &Global, files: usize) -> Result<String> {
    let secret = key(&global.secret_key).ok_or_else(|| {
        CliError::credentials(
            "--mint-token needs the secret key: pass --secret-key or set UPLOADCARE_SECRET_KEY",
        )
    })?;
    let operations = u32::try_from(files.max(1))
        .unwrap_or(u32::MAX)
        .min(*uploadcare::limits::TOKEN_OPERATIONS.end());
    let token = uploadcare::upload::AuthToken::builder()
        .lifetime(std::time::Duration::from_secs(600))
        .scope(["/base/", "/multipart/*"])
        .operations(operations)
        .mint(&uploadcare::SecretKey::new(secret.to_owned()))?;
    Ok(token.expose_secret().to_owned())
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
    let public_key = key(&global.public_key).ok_or_else(|| {
        CliError::credentials(
            "no public key: pass --public-key, set UPLOADCARE_PUBLIC_KEY, or name a project of the config file (--project)",
        )
    })?;
    let config = match key(&global.secret_key) {
        Some(secret_key) => Config::new(public_key, secret_key.to_owned()),
        None => Config::public_only(public_key),
    };
    let config = config
        .with_rest_base_url(global.api_base.clone())
        .with_upload_base_url(global.upload_base.clone())
        .with_auth_scheme(auth_scheme(global.auth));
    Ok(match key(&global.upload_token) {
        Some(token) => config.with_upload_token(token.to_owned()),
        None => config,
    })
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
        return Err(CliError::credentials(
            "the REST API needs the secret key: pass --secret-key or set UPLOADCARE_SECRET_KEY",
        ));
    }
    Rest::new(global.api_version, config)
}

/// `ucare demo`: the walkthrough against the given project when both keys are given (a CDN
/// URL signed only with `UPLOADCARE_SECURE_DELIVERY_SECRET`), else against the embedded
/// emulator with secure delivery on. The steps are messages (stderr); the summary of what
/// was created is the command's JSON output (stdout).
async fn demo(global: &Global, out: &output::Output) -> Result {
    if global.api_version != ApiVersion::V0_7 {
        return Err(CliError::usage(format!(
            "the demo walks through API 0.7, not {}; drop --api-version",
            global.api_version
        )));
    }
    let mut stderr = std::io::stderr();
    let (config, target, _emulator) = match (key(&global.public_key), key(&global.secret_key)) {
        (Some(public_key), Some(_)) => {
            let (config, target) = (config(global)?, walkthrough::Target::project_from_env()?);
            writeln!(
                stderr,
                "Using the project of {public_key} at {}.",
                global.api_base
            )?;
            (config, target, None)
        }
        _ => {
            let emulator = uploadcare_emulator::Emulator::builder()
                .secure_delivery_secret(walkthrough::DEMO_DELIVERY_SECRET)
                .start()
                .await
                .map_err(|e| CliError::failed(format!("cannot start the embedded emulator: {e}")))?;
            writeln!(stderr, "No keys given: using the embedded emulator.")?;
            writeln!(stderr, "  REST API   {}", emulator.rest_base_url())?;
            writeln!(stderr, "  Upload API {}", emulator.upload_base_url())?;
            writeln!(
                stderr,
                "  CDN        {} (secure delivery on)",
                emulator.cdn_base_url()
            )?;
            let config = emulator.config().with_auth_scheme(auth_scheme(global.auth));
            (config, walkthrough::Target::Emulator, Some(emulator))
        }
    };
    let summary = walkthrough::run_to(config, target, &mut stderr).await?;
    out.print(&summary)
}
