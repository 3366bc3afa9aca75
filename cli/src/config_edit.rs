//! Writing the config file (`ucare projects use`): one `[projects.NAME]` entry's keys and,
//! optionally, `default_project` — comments, layout and every other entry kept as they are
//! — then the file replaced in one step (a temporary file beside it, renamed over it), so a
//! reader never sees half a file and a failed write leaves the old one.

use std::io::Write;
use std::path::{Path, PathBuf};
use toml_edit::{DocumentMut, Item, Table, TableLike};

/// What to write into the config file.
pub struct Entry<'a> {
    /// The project's name in the file (an entry of the same name in another case is the
    /// same project: it is updated, keeping its spelling).
    pub name: &'a str,
    /// The project's public key.
    pub public_key: &'a str,
    /// The secret key (written to the file only).
    pub secret_key: &'a str,
    /// Also set `default_project` to it.
    pub make_default: bool,
}

/// `text` (a config file, possibly empty) with `entry` written in; and the name the entry
/// has in the file. Other settings of an existing entry (`api_base`, …) stay.
pub fn with_project(text: &str, entry: &Entry<'_>) -> Result<(String, String), String> {
    let mut doc: DocumentMut = text
        .parse()
        .map_err(|e: toml_edit::TomlError| crate::error::one_line(&e.to_string(), 200))?;
    let projects = doc
        .entry("projects")
        .or_insert_with(|| {
            let mut table = Table::new();
            table.set_implicit(true);
            Item::Table(table)
        })
        .as_table_like_mut()
        .ok_or("`projects` in the config file is not a table")?;
    let wanted = entry.name.to_lowercase();
    let name = projects
        .iter()
        .map(|(key, _)| key.to_owned())
        .find(|key| *key == entry.name)
        .or_else(|| {
            projects
                .iter()
                .map(|(key, _)| key.to_owned())
                .find(|key| key.to_lowercase() == wanted)
        })
        .unwrap_or_else(|| entry.name.to_owned());
    let project = projects
        .entry(&name)
        .or_insert_with(|| Item::Table(Table::new()))
        .as_table_like_mut()
        .ok_or_else(|| format!("`projects.{name}` in the config file is not a table"))?;
    set(project, "public_key", entry.public_key);
    set(project, "secret_key", entry.secret_key);
    if entry.make_default {
        set(doc.as_table_mut(), "default_project", &name);
    }
    Ok((doc.to_string(), name))
}

/// Sets `key` to the string `text`, keeping the comments and spacing around an old value.
fn set(table: &mut dyn TableLike, key: &str, text: &str) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = text.into();
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, toml_edit::value(text));
        }
    }
}

/// Replaces `path`'s content with `text` in one step: a temporary file in the same
/// directory (readable by the owner only, or with the old file's permissions), flushed to
/// disk, then renamed over the file (through a symbolic link to its target). Creates the
/// directory when missing.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<PathBuf> {
    let target = match std::fs::canonicalize(path) {
        Ok(real) => real,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(e),
    };
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir)?;
    let file_name = target
        .file_name()
        .map_or_else(|| "config.toml".into(), |n| n.to_string_lossy().into_owned());
    let temporary = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let result = write_new(&temporary, text, &target).and_then(|()| std::fs::rename(&temporary, &target));
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result.map(|()| target)
}

/// Writes `text` to the new file `temporary` with `like`'s permissions (owner-only when
/// `like` does not exist).
fn write_new(temporary: &Path, text: &str, like: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(temporary)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    if let Ok(old) = std::fs::metadata(like) {
        std::fs::set_permissions(temporary, old.permissions())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry<'a>(name: &'a str, make_default: bool) -> Entry<'a> {
        Entry {
            name,
            public_key: "pk1",
            secret_key: "sk1",
            make_default,
        }
    }

    #[test]
    fn a_new_file_gets_the_project() {
        let (text, name) = with_project("", &entry("Photos", true)).unwrap();
        assert_eq!(name, "Photos");
        assert_eq!(
            text,
            "default_project = \"Photos\"\n\n[projects.Photos]\npublic_key = \"pk1\"\nsecret_key = \"sk1\"\n"
        );
        assert!(crate::settings::check(&text).is_ok());
    }

    #[test]
    fn comments_and_other_entries_stay_and_names_match_in_any_case() {
        let old = "# my settings\ndefault_project = \"main\"\n\n[projects.main]\npublic_key = \"a\" # keep\nsecret_key = \"b\"\n\n[projects.Photos]\npublic_key = \"old\"   # rotated\nsecret_key = \"old\"\napi_base = \"http://127.0.0.1:1\"\n";
        let (text, name) = with_project(old, &entry("photos", false)).unwrap();
        assert_eq!(name, "Photos");
        assert_eq!(
            text,
            "# my settings\ndefault_project = \"main\"\n\n[projects.main]\npublic_key = \"a\" # keep\nsecret_key = \"b\"\n\n[projects.Photos]\npublic_key = \"pk1\"   # rotated\nsecret_key = \"sk1\"\napi_base = \"http://127.0.0.1:1\"\n"
        );
        let (text, _) = with_project(old, &entry("My project", true)).unwrap();
        assert!(
            text.starts_with("# my settings\ndefault_project = \"My project\"\n"),
            "{text}"
        );
        assert!(
            text.ends_with("[projects.\"My project\"]\npublic_key = \"pk1\"\nsecret_key = \"sk1\"\n"),
            "{text}"
        );
        assert!(crate::settings::check(&text).is_ok());
    }

    #[test]
    fn files_that_are_not_config_files_are_refused() {
        assert!(with_project("projects = 3\n", &entry("x", false)).is_err());
        assert!(with_project("[projects\n", &entry("x", false)).is_err());
    }

    #[test]
    fn writes_replace_the_file_and_leave_no_temporary() {
        let dir = std::env::temp_dir().join(format!("ucare-config-edit-{}", std::process::id()));
        let path = dir.join("sub/config.toml");
        write_atomically(&path, "a = 1\n").unwrap();
        write_atomically(&path, "a = 2\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "a = 2\n");
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(names.len(), 1);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
