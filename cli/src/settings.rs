//! Where each setting comes from: flags > environment > the named project of the config
//! file (`--project`, `UCARE_PROJECT`) > its default project > built-in defaults.
//!
//! `ucare projects use` writes `[projects.NAME]` entries (see `config_edit`).
//!
//! The two keys go together: when either is given by a flag or the environment, neither
//! is taken from the file.
//!
//! The config file is `$UCARE_CONFIG`, else `$XDG_CONFIG_HOME/ucare/config.toml`, else
//! `~/.config/ucare/config.toml`:
//!
//! ```toml
//! default_project = "main"
//! # The account's Project API token (`ucare projects`, `ucare usage`) and base URL.
//! project_api_token = "…"
//! project_api_base = "https://api.uploadcare.com"
//!
//! [projects.main]
//! public_key = "…"
//! secret_key = "…"
//!
//! [projects.staging]
//! public_key = "…"
//! secret_key = "…"
//! api_base = "https://api.uploadcare.com"
//! upload_base = "https://upload.uploadcare.com"
//! api_version = "0.7"
//! auth = "signed"
//! ```

use crate::cli::{ApiVersion, Auth, Global};
use crate::error::{CliError, Result};
use clap::parser::ValueSource;
use clap::{ArgMatches, ValueEnum};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

/// The config file.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    default_project: Option<String>,
    project_api_token: Option<String>,
    project_api_base: Option<String>,
    #[serde(default)]
    projects: BTreeMap<String, Project>,
}

/// One project of the config file; every field optional.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Project {
    public_key: Option<String>,
    secret_key: Option<String>,
    api_base: Option<String>,
    upload_base: Option<String>,
    api_version: Option<String>,
    auth: Option<String>,
}

/// The settings of this run and where each came from, for `ucare config show`.
#[derive(Debug, Default)]
pub struct Sources {
    /// The config file read (`None`: there is none).
    pub file: Option<PathBuf>,
    /// How the file was found.
    pub file_source: &'static str,
    /// The project used (`None`: no project from the file).
    pub project: Option<(String, String)>,
    /// Setting → where its value came from.
    pub of: BTreeMap<&'static str, String>,
    /// The config file's projects: name and public key (for `PROJECT` arguments).
    pub projects: Vec<(String, Option<String>)>,
}

/// The config file's path and how it was chosen.
pub fn config_path() -> Option<(PathBuf, &'static str)> {
    if let Some(path) = std::env::var_os("UCARE_CONFIG").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(path), "UCARE_CONFIG"));
    }
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").filter(|p| !p.is_empty()) {
        return Some((PathBuf::from(dir).join("ucare/config.toml"), "XDG_CONFIG_HOME"));
    }
    std::env::var_os("HOME").filter(|p| !p.is_empty()).map(|home| {
        (
            PathBuf::from(home).join(".config/ucare/config.toml"),
            "default path",
        )
    })
}

/// Reads the config file, if there is one. A file that exists but cannot be read or parsed
/// is an error (exit 3): better than silently using other keys; so is a missing
/// `$UCARE_CONFIG`, unless `may_be_missing` (a command that creates it).
fn read_file(may_be_missing: bool) -> Result<Option<(PathBuf, &'static str, ConfigFile)>> {
    let Some((path, how)) = config_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && (how != "UCARE_CONFIG" || may_be_missing) => {
            return Ok(None)
        }
        Err(e) => {
            return Err(CliError::credentials(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )))
        }
    };
    let file = parse(&text).map_err(|e| {
        CliError::credentials(format!("the config file {} is not valid: {e}", path.display()))
    })?;
    Ok(Some((path, how, file)))
}

fn parse(text: &str) -> Result<ConfigFile, String> {
    toml::from_str(text).map_err(|e| crate::error::one_line(&e.to_string(), 200))
}

/// Whether `text` is a config file ucare can read (the message says why not).
pub fn check(text: &str) -> Result<(), String> {
    parse(text).map(|_| ())
}

/// Fills `global` from the config file where neither a flag nor the environment gave a
/// value, and says where every value came from. `may_be_missing`: the command creates the
/// file, so a missing `$UCARE_CONFIG` is no error.
pub fn resolve(global: &mut Global, matches: &ArgMatches, may_be_missing: bool) -> Result<Sources> {
    let mut sources = Sources::default();
    let origin = |id: &str, env: &str| -> Option<String> {
        match matches.value_source(id) {
            Some(ValueSource::CommandLine) => Some("flag".to_owned()),
            Some(ValueSource::EnvVariable) => Some(format!("env {env}")),
            _ => None,
        }
    };
    let file = read_file(may_be_missing)?;
    let project = match &file {
        Some((path, how, file)) => {
            sources.file = Some(path.clone());
            sources.file_source = how;
            sources.projects = file
                .projects
                .iter()
                .map(|(name, p)| (name.clone(), p.public_key.clone()))
                .collect();
            let (name, how) = match (&global.project, &file.default_project) {
                (Some(name), _) => (
                    Some(name.clone()),
                    origin("project", "UCARE_PROJECT").unwrap_or_default(),
                ),
                (None, Some(name)) => (Some(name.clone()), "default_project".to_owned()),
                (None, None) => (None, String::new()),
            };
            match name {
                Some(name) => match file.projects.get(&name) {
                    Some(project) => {
                        sources.project = Some((name.clone(), how));
                        Some((name, project.clone()))
                    }
                    None => {
                        let known: Vec<&String> = file.projects.keys().collect();
                        return Err(CliError::credentials(format!(
                            "no project `{name}` in {} (projects: {})",
                            path.display(),
                            if known.is_empty() {
                                "none".to_owned()
                            } else {
                                known.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(", ")
                            }
                        )));
                    }
                },
                None => None,
            }
        }
        None => {
            if let Some(name) = &global.project {
                return Err(CliError::credentials(format!(
                    "--project {name}: there is no config file ({})",
                    config_path().map_or_else(
                        || "no home directory".to_owned(),
                        |(p, _)| p.display().to_string()
                    )
                )));
            }
            None
        }
    };
    let from_project = |name: &str| format!("project {name}");

    macro_rules! setting {
        ($field:ident, $env:literal, $convert:expr) => {{
            let key = stringify!($field);
            if let Some(how) = origin(key, $env) {
                sources.of.insert(key, how);
            } else if let Some((name, value)) = project
                .as_ref()
                .and_then(|(name, p)| p.$field.clone().map(|v| (name, v)))
            {
                global.$field = $convert(value)?;
                sources.of.insert(key, from_project(name));
            } else {
                sources.of.insert(key, "default".to_owned());
            }
        }};
    }
    let keep = |v: String| Ok::<_, CliError>(Some(v));
    let text = |v: String| Ok::<_, CliError>(v);
    // The keys go together: one given by a flag or the environment, and neither comes from
    // the project (a public key of one project with the secret of another signs nothing).
    let keys_given = origin("public_key", "UPLOADCARE_PUBLIC_KEY").is_some()
        || origin("secret_key", "UPLOADCARE_SECRET_KEY").is_some();
    if keys_given {
        for (key, env) in [
            ("public_key", "UPLOADCARE_PUBLIC_KEY"),
            ("secret_key", "UPLOADCARE_SECRET_KEY"),
        ] {
            sources
                .of
                .insert(key, origin(key, env).unwrap_or_else(|| "default".to_owned()));
        }
    } else {
        setting!(public_key, "UPLOADCARE_PUBLIC_KEY", keep);
        setting!(secret_key, "UPLOADCARE_SECRET_KEY", keep);
    }
    setting!(api_base, "UPLOADCARE_API_BASE", text);
    setting!(upload_base, "UPLOADCARE_UPLOAD_BASE", text);
    setting!(api_version, "UPLOADCARE_API_VERSION", |v: String| {
        ApiVersion::from_str(&v, false).map_err(|_| {
            CliError::credentials(format!("config file: api_version `{v}` is not 0.5, 0.6 or 0.7"))
        })
    });
    setting!(auth, "UPLOADCARE_AUTH", |v: String| {
        Auth::from_str(&v, true)
            .map_err(|_| CliError::credentials(format!("config file: auth `{v}` is not signed or simple")))
    });
    // The account's settings: top-level entries of the file.
    let account = file.as_ref().map(|(_, _, f)| f);
    match origin("project_api_token", "UPLOADCARE_PROJECT_API_TOKEN") {
        Some(how) => {
            sources.of.insert("project_api_token", how);
        }
        None => match account.and_then(|f| f.project_api_token.clone()) {
            Some(token) => {
                global.project_api_token = Some(uploadcare::SecretKey::new(token));
                sources.of.insert("project_api_token", "config file".to_owned());
            }
            None => {
                sources.of.insert("project_api_token", "not set".to_owned());
            }
        },
    }
    match origin("project_api_base", "UPLOADCARE_PROJECT_API_BASE") {
        Some(how) => {
            sources.of.insert("project_api_base", how);
        }
        None => match account.and_then(|f| f.project_api_base.clone()) {
            Some(base) => {
                global.project_api_base = base;
                sources.of.insert("project_api_base", "config file".to_owned());
            }
            None => {
                sources.of.insert("project_api_base", "default".to_owned());
            }
        },
    }
    if global.public_key.is_none() {
        sources.of.insert("public_key", "not set".to_owned());
    }
    if global.secret_key.is_none() {
        sources.of.insert("secret_key", "not set".to_owned());
    }
    Ok(sources)
}

/// `ucare config show`: the resolved settings, secrets redacted, with their sources.
pub fn show(global: &Global, sources: &Sources) -> serde_json::Value {
    let source = |key: &str| sources.of.get(key).cloned().unwrap_or_default();
    let redacted = |value: &Option<String>| match value {
        Some(v) if !v.is_empty() => {
            serde_json::Value::String(format!("<redacted, {} characters>", v.chars().count()))
        }
        _ => serde_json::Value::Null,
    };
    let row = |setting: &str, value: serde_json::Value, source: String| serde_json::json!({"setting": setting, "value": value, "source": source});
    serde_json::Value::Array(vec![
        row(
            "config_file",
            sources
                .file
                .as_ref()
                .map_or(serde_json::Value::Null, |p| p.display().to_string().into()),
            if sources.file.is_some() {
                sources.file_source.to_owned()
            } else {
                "none found".to_owned()
            },
        ),
        row(
            "project",
            sources
                .project
                .as_ref()
                .map_or(serde_json::Value::Null, |(name, _)| name.clone().into()),
            sources
                .project
                .as_ref()
                .map(|(_, how)| how.clone())
                .unwrap_or_default(),
        ),
        row(
            "public_key",
            global.public_key.clone().into(),
            source("public_key"),
        ),
        row("secret_key", redacted(&global.secret_key), source("secret_key")),
        row("api_base", global.api_base.clone().into(), source("api_base")),
        row(
            "upload_base",
            global.upload_base.clone().into(),
            source("upload_base"),
        ),
        row(
            "api_version",
            global.api_version.to_string().into(),
            source("api_version"),
        ),
        row(
            "auth",
            format!("{:?}", global.auth).to_lowercase().into(),
            source("auth"),
        ),
        row(
            "project_api_token",
            redacted(
                &global
                    .project_api_token
                    .as_ref()
                    .map(|t| t.expose_secret().to_owned()),
            ),
            source("project_api_token"),
        ),
        row(
            "project_api_base",
            global.project_api_base.clone().into(),
            source("project_api_base"),
        ),
    ])
}
