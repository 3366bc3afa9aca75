//! `ucare projects` and `ucare usage`: the account-level Project API, through the
//! library's `project_api` client (one bearer token for every project of the account).
//!
//! - the token: `--project-api-token`, `UPLOADCARE_PROJECT_API_TOKEN`, or
//!   `project_api_token` at the top of the config file (settings); none → exit 3;
//! - a `PROJECT` argument: a project of the config file (its name, in any case) or a
//!   public key;
//! - a token the service refuses (401) or that may not do what was asked (403) → exit 3
//!   with a line that says so;
//! - lists (projects, secrets) follow every page, printed as they arrive;
//! - a created secret key is printed once (`secrets create`, `use --create-secret`) and
//!   never otherwise.
//!
//! `save` holds `projects use` (writing the config file), `usage` the usage command and
//! `chart` its bar chart.

use crate::cli::{Global, ProjectsCommand, SecretsCommand, UploadSettingsArgs};
use crate::error::{CliError, Result};
use crate::output::{Mode, Output};
use crate::settings::Sources;
use futures_util::TryStreamExt;
use serde_json::json;
use uploadcare::project_api::{types, Client};

mod chart;
mod save;
mod usage;

pub use usage::usage;

/// Runs a `projects` command.
pub async fn projects(global: &Global, sources: &Sources, out: &Output, command: ProjectsCommand) -> Result {
    let client = client(global)?;
    run(&client, sources, out, command).await.map_err(refused)
}

/// The account's client, from the token and base URL of this run.
fn client(global: &Global) -> Result<Client> {
    let token = global
        .project_api_token
        .as_ref()
        .filter(|t| !t.expose_secret().trim().is_empty())
        .ok_or_else(|| {
            CliError::credentials(
                "the Project API needs the account's token: pass --project-api-token, set \
                 UPLOADCARE_PROJECT_API_TOKEN, or put project_api_token in the config file",
            )
        })?;
    let config = uploadcare::Config::for_account(uploadcare::SecretKey::new(token.expose_secret().trim()))
        .with_project_api_base_url(global.project_api_base.clone());
    Ok(Client::from_config(config)?)
}

/// A refused token (401) or a token that may not do this (403): a credentials error (exit 3)
/// that says so.
fn refused(error: CliError) -> CliError {
    use uploadcare::ErrorKind as K;
    match error {
        CliError::Api(e) if e.kind() == K::Auth => CliError::credentials(format!(
            "the Project API refused the token ({}): check --project-api-token or UPLOADCARE_PROJECT_API_TOKEN",
            crate::error::describe(&e)
        )),
        CliError::Api(e) if e.kind() == K::Forbidden => CliError::credentials(format!(
            "the token may not do this ({})",
            crate::error::describe(&e)
        )),
        other => other,
    }
}

/// The public key a `PROJECT` argument names: a project of the config file (the exact
/// name, else the one name equal in any case), else the argument itself as a public key.
fn public_key(sources: &Sources, argument: &str) -> Result<String> {
    let argument = argument.trim();
    let lower = argument.to_lowercase();
    let exact = sources.projects.iter().find(|(name, _)| name == argument);
    let found = match exact {
        Some(found) => Some(found),
        None => {
            let same: Vec<_> = sources
                .projects
                .iter()
                .filter(|(name, _)| name.to_lowercase() == lower)
                .collect();
            if same.len() > 1 {
                let names: Vec<&str> = same.iter().map(|(n, _)| n.as_str()).collect();
                return Err(CliError::usage(format!(
                    "`{argument}` names several projects of the config file ({}): spell it exactly",
                    names.join(", ")
                )));
            }
            same.first().copied()
        }
    };
    match found {
        Some((_, Some(key))) if !key.trim().is_empty() => Ok(key.trim().to_owned()),
        Some((name, _)) => Err(CliError::credentials(format!(
            "project `{name}` of the config file has no public_key"
        ))),
        None if is_key(argument) => Ok(argument.to_owned()),
        None => Err(CliError::usage(format!(
            "`{argument}` is neither a project of the config file nor a public key"
        ))),
    }
}

/// Whether `text` can be a public key (it names a path segment).
fn is_key(text: &str) -> bool {
    !text.is_empty()
        && !text
            .chars()
            .any(|c| c == '/' || c.is_whitespace() || c.is_control())
}

/// The config file's name for the project of `key`, if it has one.
fn config_name<'a>(sources: &'a Sources, key: &str) -> Option<&'a str> {
    sources
        .projects
        .iter()
        .find(|(_, k)| k.as_deref() == Some(key))
        .map(|(name, _)| name.as_str())
}

async fn run(client: &Client, sources: &Sources, out: &Output, command: ProjectsCommand) -> Result {
    match command {
        ProjectsCommand::List => {
            out.print_pages(client.all_projects(|list| list), |page| &page.results)
                .await
        }
        ProjectsCommand::Create { name, uploads } => {
            if name.trim().is_empty() {
                return Err(CliError::usage("a project needs a name"));
            }
            let features = features(uploads)?;
            let project = client
                .project_create()
                .body_map(|b| b.name(name.as_str()).features(features))
                .send()
                .await?
                .into_inner();
            eprintln!(
                "Created project {}; `ucare projects use {} --create-secret` gives it a secret key and saves its keys.",
                project.pub_key, project.pub_key
            );
            print_project(out, &project)
        }
        ProjectsCommand::Show { key_or_name } => {
            let key = public_key(sources, &key_or_name)?;
            let project = client.project_info().pub_key(key.as_str()).send().await?;
            print_project(out, &project.into_inner())
        }
        ProjectsCommand::Update {
            key_or_name,
            name,
            uploads,
        } => {
            if name.is_none() && uploads.autostore.is_none() && uploads.filesize_limit.is_none() {
                return Err(CliError::usage(
                    "nothing to update: give --name, --autostore or --filesize-limit",
                ));
            }
            let key = public_key(sources, &key_or_name)?;
            let name = name
                .as_deref()
                .map(types::ProjectUpdateName::try_from)
                .transpose()
                .map_err(|e| CliError::usage(format!("invalid --name: {e}")))?;
            let features = features(uploads)?;
            let project = client
                .project_update()
                .pub_key(key.as_str())
                .body_map(|b| b.name(name).features(features))
                .send()
                .await?;
            print_project(out, &project.into_inner())
        }
        ProjectsCommand::Delete { key_or_name } => {
            let key = public_key(sources, &key_or_name)?;
            client.project_delete().pub_key(key.as_str()).send().await?;
            if let Some(name) = config_name(sources, &key) {
                eprintln!("The config file still has this project as `{name}`: remove [projects.{name}] when you no longer need it.");
            }
            out.empty()
        }
        ProjectsCommand::Secrets(command) => secrets(client, sources, out, command).await,
        ProjectsCommand::Use(args) => save::use_project(client, sources, out, args).await,
    }
}

async fn secrets(client: &Client, sources: &Sources, out: &Output, command: SecretsCommand) -> Result {
    match command {
        SecretsCommand::List { key_or_name } => {
            let key = public_key(sources, &key_or_name)?;
            let mut pages = client.all_secrets(&key, |list| list);
            let first = pages.try_next().await?;
            let mut array = out.array()?;
            if let Some(page) = first {
                array.extend(&page.results)?;
            }
            while let Some(page) = pages.try_next().await? {
                array.extend(&page.results)?;
            }
            array.finish()
        }
        SecretsCommand::Create { key_or_name } => {
            let key = public_key(sources, &key_or_name)?;
            let created = client.secret_create().pub_key(key.as_str()).send().await?;
            let created = created.into_inner();
            // The one time the key is shown.
            out.print(&json!({"id": created.id, "secret": created.secret.expose_secret()}))?;
            eprintln!(
                "This is the only time the secret is shown: keep it (`ucare projects use {key} --secret-key -` saves it in the config file)."
            );
            Ok(())
        }
        SecretsCommand::Delete { key_or_name, id } => {
            let key = public_key(sources, &key_or_name)?;
            client
                .secret_delete()
                .pub_key(key.as_str())
                .secret_id(id.as_str())
                .send()
                .await?;
            out.empty()
        }
    }
}

/// `--autostore`/`--filesize-limit` as the project's features (`None`: neither given).
fn features(uploads: UploadSettingsArgs) -> Result<Option<types::ProjectFeatures>> {
    if uploads.autostore.is_none() && uploads.filesize_limit.is_none() {
        return Ok(None);
    }
    let filesize_limit = uploads
        .filesize_limit
        .map(i64::try_from)
        .transpose()
        .map_err(|_| CliError::usage("--filesize-limit is too large"))?;
    Ok(Some(types::ProjectFeatures {
        uploads: Some(types::UploadSettings {
            autostore: uploads.autostore,
            filesize_limit,
            ..Default::default()
        }),
        ..Default::default()
    }))
}

/// A project: the API's object, or on a table its main fields first (upload settings
/// flattened, sizes readable) and then every feature switch.
fn print_project(out: &Output, project: &types::Project) -> Result {
    if out.mode() != Mode::Table {
        return out.print(project);
    }
    let yes_no = |b: Option<bool>| json!(b.map(|b| if b { "yes" } else { "no" }));
    let uploads = project.features.as_ref().and_then(|f| f.uploads.as_ref());
    let mut rows = vec![
        ("pub_key", json!(project.pub_key)),
        ("name", json!(project.name)),
        ("shared", yes_no(project.is_shared_project)),
        ("blocked", yes_no(project.is_blocked)),
        ("search_index", yes_no(project.is_search_index_allowed)),
        ("autostore", yes_no(uploads.and_then(|u| u.autostore))),
        (
            "filesize_limit",
            json!(uploads
                .and_then(|u| u.filesize_limit)
                .map(|l| u64::try_from(l).map_or_else(|_| l.to_string(), crate::table::human_size))),
        ),
        (
            "signed_uploads",
            yes_no(uploads.and_then(|u| u.is_signed_upload_enabled)),
        ),
    ];
    let features = serde_json::to_value(&project.features)?;
    let mut switches = Vec::new();
    if let Some(features) = features.as_object() {
        for (name, feature) in features.iter().filter(|(name, _)| *name != "uploads") {
            if let Some(on) = feature.get("is_enabled").and_then(serde_json::Value::as_bool) {
                switches.push((name.clone(), yes_no(Some(on))));
            }
        }
    }
    let mut table: Vec<serde_json::Value> = rows
        .drain(..)
        .map(|(field, value)| json!({"field": field, "value": value}))
        .collect();
    table.extend(
        switches
            .into_iter()
            .map(|(field, value)| json!({"field": field, "value": value})),
    );
    out.print(&table)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sources() -> Sources {
        Sources {
            projects: vec![
                ("Main".to_owned(), Some("pk-main".to_owned())),
                ("photos".to_owned(), Some("pk-photos".to_owned())),
                ("PHOTOS".to_owned(), Some("pk-photos-2".to_owned())),
                ("empty".to_owned(), None),
            ],
            ..Sources::default()
        }
    }

    #[test]
    fn project_arguments_are_config_names_in_any_case_or_public_keys() {
        let sources = sources();
        assert_eq!(public_key(&sources, "main").unwrap(), "pk-main");
        assert_eq!(public_key(&sources, "MAIN").unwrap(), "pk-main");
        assert_eq!(public_key(&sources, "photos").unwrap(), "pk-photos");
        assert_eq!(public_key(&sources, "PHOTOS").unwrap(), "pk-photos-2");
        assert!(matches!(public_key(&sources, "Photos"), Err(CliError::Usage(_))));
        assert_eq!(public_key(&sources, "5d9a1c3e7b2f").unwrap(), "5d9a1c3e7b2f");
        assert!(matches!(
            public_key(&sources, "empty"),
            Err(CliError::Credentials(_))
        ));
        assert!(matches!(public_key(&sources, "a/b"), Err(CliError::Usage(_))));
        assert!(matches!(public_key(&sources, " "), Err(CliError::Usage(_))));
        assert_eq!(config_name(&sources, "pk-main"), Some("Main"));
    }

    #[test]
    fn only_the_given_upload_settings_are_sent() {
        assert!(features(UploadSettingsArgs::default()).unwrap().is_none());
        let only_autostore = features(UploadSettingsArgs {
            autostore: Some(false),
            filesize_limit: None,
        })
        .unwrap();
        assert_eq!(
            serde_json::to_value(only_autostore).unwrap(),
            json!({"uploads": {"autostore": false}})
        );
        assert!(features(UploadSettingsArgs {
            autostore: None,
            filesize_limit: Some(u64::MAX),
        })
        .is_err());
    }
}
