//! `ucare projects use`: a project's keys into the config file as a named project.
//!
//! The project is looked up first (its name, and whether the token reaches it); with
//! `--create-secret` a new secret key is made for it. The config file is read before any
//! request (so a file that cannot be updated costs no secret), then written in one step
//! with the entry `[projects.NAME]` (see `config_edit`). The secret is printed only when it
//! was created here, this once.

use super::public_key;
use crate::cli::UseArgs;
use crate::config_edit::{self, Entry};
use crate::error::{CliError, Result};
use crate::output::Output;
use crate::settings::{self, Sources};
use serde_json::json;
use uploadcare::project_api::Client;
use uploadcare::SecretKey;

/// Runs `ucare projects use`.
pub async fn use_project(client: &Client, sources: &Sources, out: &Output, args: UseArgs) -> Result {
    let key = public_key(sources, &args.key_or_name)?;
    if let Some(name) = &args.as_name {
        check_name(name)?;
    }
    let given = match args.secret_key {
        Some(secret) if secret.expose_secret() == "-" => Some(secret_from_stdin()?),
        Some(secret) => Some(secret),
        None => None,
    };
    if given
        .as_ref()
        .is_some_and(|s| s.expose_secret().trim().is_empty())
    {
        return Err(CliError::usage("--secret-key is empty"));
    }
    let (path, _) = settings::config_path().ok_or_else(|| {
        CliError::credentials("no place for the config file: set UCARE_CONFIG, XDG_CONFIG_HOME or HOME")
    })?;
    let old = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(CliError::credentials(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )))
        }
    };
    settings::check(&old).map_err(|e| {
        CliError::credentials(format!("the config file {} is not valid: {e}", path.display()))
    })?;

    let project = client
        .project_info()
        .pub_key(key.as_str())
        .send()
        .await?
        .into_inner();
    let explicit = args.as_name.is_some();
    let name = match args.as_name {
        Some(name) => name.trim().to_owned(),
        None if check_name(&project.name).is_ok() => project.name.trim().to_owned(),
        None => project.pub_key.clone(),
    };
    if !explicit {
        if let Some(other) = other_project(sources, &name, &project.pub_key) {
            return Err(CliError::usage(format!(
                "the config file's project `{other}` is another project: choose a name with --as"
            )));
        }
    }
    let (secret, created) = match given {
        Some(secret) => (secret, None),
        None => {
            let (id, secret) = client.create_secret_key(&project.pub_key).await?;
            (secret, Some(id))
        }
    };
    let mut answer = json!({
        "name": name,
        "project": project.name,
        "public_key": project.pub_key,
        "config_file": path.display().to_string(),
        "default_project": args.default,
    });
    if let Some(id) = &created {
        answer["secret_id"] = json!(id);
        answer["secret"] = json!(secret.expose_secret());
    }
    let entry = Entry {
        name: &name,
        public_key: &project.pub_key,
        secret_key: secret.expose_secret().trim(),
        make_default: args.default,
    };
    let saved = config_edit::with_project(&old, &entry)
        .and_then(|(text, name)| settings::check(&text).map(|()| (text, name)))
        .map_err(|e| format!("cannot update the config file {}: {e}", path.display()))
        .and_then(|(text, name)| {
            config_edit::write_atomically(&path, &text)
                .map(|_| name)
                .map_err(|e| format!("cannot write the config file {}: {e}", path.display()))
        });
    let saved_as = match saved {
        Ok(saved_as) => saved_as,
        Err(message) => {
            if created.is_some() {
                // The new secret exists only in this answer: print it before failing.
                answer["saved"] = json!(false);
                out.print(&answer)?;
            }
            return Err(CliError::failed(message));
        }
    };
    answer["name"] = json!(saved_as);
    eprintln!(
        "Saved project `{saved_as}` ({}) in {}{}: use it with `ucare --project {} …`.",
        project.pub_key,
        path.display(),
        if args.default {
            " as the default project"
        } else {
            ""
        },
        shell_word(&saved_as),
    );
    out.print(&answer)
}

/// The config file's entry that `name` would update (the same name, else one equal in any
/// case) when it holds another project's key.
fn other_project<'a>(sources: &'a Sources, name: &str, public_key: &str) -> Option<&'a str> {
    let lower = name.to_lowercase();
    let entry = sources
        .projects
        .iter()
        .find(|(n, _)| n == name)
        .or_else(|| sources.projects.iter().find(|(n, _)| n.to_lowercase() == lower))?;
    match &entry.1 {
        Some(key) if key.trim() != public_key => Some(entry.0.as_str()),
        _ => None,
    }
}

/// A name for the config file: not empty, one line.
fn check_name(name: &str) -> Result {
    if name.trim().is_empty() || name.chars().any(char::is_control) {
        return Err(CliError::usage(format!(
            "`{}` cannot name a project of the config file",
            name.escape_default()
        )));
    }
    Ok(())
}

/// The secret key from stdin's first line (`--secret-key -`).
fn secret_from_stdin() -> Result<SecretKey> {
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .map_err(|e| CliError::failed(format!("cannot read the secret key from stdin: {e}")))?;
    Ok(SecretKey::new(line.trim()))
}

/// `name` as one shell word (quoted when it has more than letters, digits, `-`, `_`, `.`).
fn shell_word(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        name.to_owned()
    } else {
        format!("'{}'", name.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked_and_quoted_for_the_shell() {
        assert!(check_name("Photos 2").is_ok());
        assert!(check_name(" ").is_err());
        assert!(check_name("a\nb").is_err());
        assert_eq!(shell_word("photos-2"), "photos-2");
        assert_eq!(shell_word("My photos"), "'My photos'");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
    }

    #[test]
    fn a_name_of_another_project_is_noticed() {
        let sources = Sources {
            projects: vec![("Photos".to_owned(), Some("pk1".to_owned()))],
            ..Sources::default()
        };
        assert_eq!(other_project(&sources, "photos", "pk2"), Some("Photos"));
        assert_eq!(other_project(&sources, "photos", "pk1"), None);
        assert_eq!(other_project(&sources, "videos", "pk2"), None);
    }
}
