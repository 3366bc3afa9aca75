//! `--data-dir`: the emulator's projects kept on disk, so files and state survive a restart
//! (or a crash).
//!
//! Layout of the directory:
//!
//! ```text
//! DIR/blobs/<uuid>                                       a file's content, written once
//! DIR/sessions/<session>/projects/<public key>/state.json a project of a session
//!                                                        (`default`: the default session)
//! ```
//!
//! **Why plain files.** Contents are immutable once a file exists, so each is one file written
//! once; the rest of a project (file records, groups, webhooks, settings) is small, so it is
//! written whole as one JSON document after every request that changed it. Both are written
//! to a temporary name, flushed to disk (`fsync`) and renamed over the old name; the rename
//! is atomic, so a reader (the next start) finds the old document or the new one, never half
//! of one. A content file is written before the document that names it. A crash (even
//! `kill -9`) therefore loses at most the request in flight, and never corrupts what was
//! stored. An embedded database would give the same guarantees at the cost of a dependency
//! and an opaque format; this layout can be read and seeded by hand.
//!
//! **What is kept**: files (content, metadata, tags, add-on data, store and removal times),
//! groups, webhooks (with their signing secrets), the project's name, secret keys (the
//! directory holds test data: keep it private), settings and usage, the id counter, and the
//! projects created through the Project API.
//! **What is not**: uploads in progress (multipart, from URL), conversion and add-on jobs,
//! webhook delivery records and the request log — a restart ends them, as a deploy of the
//! service would end a connection.
//!
//! One emulator per directory: two emulators writing the same directory overwrite each
//! other's documents.

use crate::file_record::FileRecord;
use crate::state::{DayUsage, EmulatorState, GroupRecord, Project, SecretRecord, WebhookRecord};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use uuid::Uuid;

/// The version of `state.json`'s layout.
const FORMAT: u32 = 1;
/// The directory name of the default session.
const DEFAULT_DIR: &str = "default";

/// A project as `state.json` holds it (borrowed when written).
#[derive(Serialize)]
struct SnapshotRef<'a> {
    format: u32,
    name: &'a str,
    secrets: &'a [SecretRecord],
    is_blocked: bool,
    is_search_index_allowed: bool,
    filesize_limit: Option<u64>,
    usage: &'a BTreeMap<chrono::NaiveDate, DayUsage>,
    autostore: bool,
    signed_uploads: bool,
    next_id: i64,
    files: Vec<&'a FileRecord>,
    groups: Vec<&'a GroupRecord>,
    webhooks: Vec<&'a WebhookRecord>,
    remote_copies: Vec<&'a String>,
}

/// A project as `state.json` holds it (owned when read).
#[derive(Deserialize)]
struct Snapshot {
    format: u32,
    name: String,
    secrets: Vec<SecretRecord>,
    is_blocked: bool,
    is_search_index_allowed: bool,
    filesize_limit: Option<u64>,
    usage: BTreeMap<chrono::NaiveDate, DayUsage>,
    autostore: bool,
    signed_uploads: bool,
    next_id: i64,
    files: Vec<FileRecord>,
    groups: Vec<GroupRecord>,
    webhooks: Vec<WebhookRecord>,
    remote_copies: Vec<String>,
}

/// The data directory.
pub(crate) struct Store {
    dir: PathBuf,
    /// Serializes writers, so the last document written is the latest state.
    written: Mutex<Written>,
}

#[derive(Default)]
struct Written {
    /// Content files known to be on disk.
    blobs: HashSet<Uuid>,
    /// A hash of the last document written, by session directory.
    documents: HashMap<String, u64>,
}

impl Store {
    /// Opens (creating) the data directory.
    pub(crate) fn open(dir: &Path) -> io::Result<Self> {
        std::fs::create_dir_all(dir.join("blobs"))?;
        std::fs::create_dir_all(dir.join("sessions"))?;
        let mut written = Written::default();
        for entry in std::fs::read_dir(dir.join("blobs"))? {
            let name = entry?.file_name();
            if let Some(uuid) = name.to_str().and_then(|n| n.parse::<Uuid>().ok()) {
                written.blobs.insert(uuid);
            }
        }
        Ok(Self {
            dir: dir.to_owned(),
            written: Mutex::new(written),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Written> {
        self.written
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn session_dir(&self, name: Option<&str>) -> PathBuf {
        self.dir.join("sessions").join(name.unwrap_or(DEFAULT_DIR))
    }

    fn project_dir(&self, name: Option<&str>, public_key: &str) -> PathBuf {
        self.session_dir(name).join("projects").join(public_key)
    }

    fn document_key(name: Option<&str>, public_key: &str) -> String {
        format!("{}/{public_key}", name.unwrap_or(DEFAULT_DIR))
    }

    /// The named sessions the directory holds (not the default one).
    pub(crate) fn session_names(&self) -> io::Result<Vec<String>> {
        let mut names = Vec::new();
        for entry in std::fs::read_dir(self.dir.join("sessions"))? {
            let entry = entry?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if name != DEFAULT_DIR
                && crate::session_name::valid_name(&name)
                && entry.path().join("projects").is_dir()
            {
                names.push(name);
            }
        }
        names.sort();
        Ok(names)
    }

    /// The public keys of the projects session `name` holds documents of.
    pub(crate) fn project_keys(&self, name: Option<&str>) -> io::Result<Vec<String>> {
        let dir = self.session_dir(name).join("projects");
        let mut keys = Vec::new();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(keys),
            Err(e) => return Err(e),
        };
        for entry in entries {
            let entry = entry?;
            if let Ok(key) = entry.file_name().into_string() {
                if entry.path().join("state.json").is_file() {
                    keys.push(key);
                }
            }
        }
        keys.sort();
        Ok(keys)
    }

    /// Removes a project's document (a project deleted through the Project API).
    pub(crate) fn forget_project(&self, name: Option<&str>, public_key: &str) -> io::Result<()> {
        let mut written = self.lock();
        match std::fs::remove_dir_all(self.project_dir(name, public_key)) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        written.documents.remove(&Self::document_key(name, public_key));
        Ok(())
    }

    /// Fills `project` from its document in session `name`, if there is one.
    pub(crate) fn load(&self, name: Option<&str>, public_key: &str, project: &mut Project) -> io::Result<()> {
        let path = self.project_dir(name, public_key).join("state.json");
        let text = match std::fs::read(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let invalid =
            |what: String| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {what}", path.display()));
        let snapshot: Snapshot = serde_json::from_slice(&text).map_err(|e| invalid(e.to_string()))?;
        if snapshot.format != FORMAT {
            return Err(invalid(format!(
                "layout {} (this emulator reads {FORMAT})",
                snapshot.format
            )));
        }
        project.name = snapshot.name;
        project.secrets = snapshot.secrets;
        project.is_blocked = snapshot.is_blocked;
        project.is_search_index_allowed = snapshot.is_search_index_allowed;
        project.filesize_limit = snapshot.filesize_limit;
        project.usage = snapshot.usage;
        project.autostore = snapshot.autostore;
        project.signed_uploads = snapshot.signed_uploads;
        project.next_id = snapshot.next_id;
        for mut file in snapshot.files {
            if file.discarded_size.is_none() {
                file.data = std::fs::read(self.dir.join("blobs").join(file.uuid.to_string()))
                    .map_err(|e| invalid(format!("content of {}: {e}", file.uuid)))?
                    .into();
            }
            let uuid = file.uuid;
            project.files.insert(uuid, file);
            project.reindex_for_search(uuid);
        }
        project.groups = snapshot.groups.into_iter().map(|g| (g.id.clone(), g)).collect();
        project.webhooks = snapshot.webhooks.into_iter().map(|w| (w.id, w)).collect();
        project.remote_copies = snapshot.remote_copies.into_iter().collect();
        let mut hashes = self.lock();
        hashes
            .documents
            .insert(Self::document_key(name, public_key), hash(&text));
        Ok(())
    }

    /// Writes a project of session `name`: new contents first, then the document (when it
    /// changed).
    pub(crate) fn save(&self, name: Option<&str>, public_key: &str, state: &EmulatorState) -> io::Result<()> {
        let mut written = self.lock();
        let (document, new_blobs) = {
            let mut project = state.lock();
            project.settle_storage();
            let snapshot = SnapshotRef {
                format: FORMAT,
                name: &project.name,
                secrets: &project.secrets,
                is_blocked: project.is_blocked,
                is_search_index_allowed: project.is_search_index_allowed,
                filesize_limit: project.filesize_limit,
                usage: &project.usage,
                autostore: project.autostore,
                signed_uploads: project.signed_uploads,
                next_id: project.next_id,
                files: project.files.values().collect(),
                groups: project.groups.values().collect(),
                webhooks: project.webhooks.values().collect(),
                remote_copies: project.remote_copies.iter().collect(),
            };
            let document = serde_json::to_vec(&snapshot).map_err(io::Error::other)?;
            let new_blobs: BTreeMap<Uuid, bytes::Bytes> = project
                .files
                .values()
                .filter(|f| f.discarded_size.is_none() && !written.blobs.contains(&f.uuid))
                .map(|f| (f.uuid, f.data.clone()))
                .collect();
            (document, new_blobs)
        };
        let blobs = self.dir.join("blobs");
        for (uuid, data) in new_blobs {
            write_atomically(&blobs, &uuid.to_string(), &data)?;
            written.blobs.insert(uuid);
        }
        let key = Self::document_key(name, public_key);
        let digest = hash(&document);
        if written.documents.get(&key) != Some(&digest) {
            let dir = self.project_dir(name, public_key);
            std::fs::create_dir_all(&dir)?;
            write_atomically(&dir, "state.json", &document)?;
            written.documents.insert(key, digest);
        }
        Ok(())
    }

    /// Removes a session's documents (their contents stay: other sessions' files never share
    /// a UUID, and an orphan content file is harmless).
    pub(crate) fn forget(&self, name: Option<&str>) -> io::Result<()> {
        let mut written = self.lock();
        let dir = self.session_dir(name);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let prefix = format!("{}/", name.unwrap_or(DEFAULT_DIR));
        written.documents.retain(|key, _| !key.starts_with(&prefix));
        Ok(())
    }
}

fn hash(bytes: &[u8]) -> u64 {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    hasher.finish()
}

/// Writes `dir/name` so that it is either the old file or the whole new one: a temporary
/// file, flushed, renamed over `name`, then the directory flushed.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> io::Result<()> {
    let temporary = dir.join(format!(".{name}.tmp"));
    {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
    }
    std::fs::rename(&temporary, dir.join(name))?;
    // The rename itself reaches the disk with the directory's entry.
    if let Ok(dir) = std::fs::File::open(dir) {
        let _ = dir.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ProjectSettings;

    fn settings() -> ProjectSettings {
        ProjectSettings {
            name: "p".into(),
            public_key: "pk".into(),
            secret_key: uploadcare::SecretKey::new("sk"),
            autostore: true,
            signed_uploads: false,
            search_index_delay: std::time::Duration::ZERO,
        }
    }

    #[test]
    fn a_project_survives_a_reopen_byte_for_byte() {
        let dir = std::env::temp_dir().join(format!("uc-emulator-store-{}", Uuid::new_v4()));
        let store = Store::open(&dir).unwrap();
        let state = EmulatorState::new(Project::from_settings(&settings()));
        let uuid = state.add_file(
            "a.bin",
            "application/octet-stream",
            vec![0u8, 1, 2, 255],
            Some(false),
        );
        state.lock().files.get_mut(&uuid).unwrap().tags = vec!["t".into()];
        let group = state.lock().add_group(vec![uuid]);
        store.save(Some("s1"), "pk", &state).unwrap();
        drop(store);

        let store = Store::open(&dir).unwrap();
        assert_eq!(store.session_names().unwrap(), vec!["s1".to_owned()]);
        let mut project = Project::from_settings(&settings());
        store.load(Some("s1"), "pk", &mut project).unwrap();
        let file = &project.files[&uuid];
        assert_eq!(&file.data[..], &[0u8, 1, 2, 255]);
        assert_eq!(file.tags, vec!["t".to_owned()]);
        assert_eq!(file.stored, None);
        assert!(project.groups.contains_key(&group));
        // Nothing left half-written.
        assert!(dir.join("sessions/s1/projects/pk/state.json").exists());
        assert!(!dir.join("sessions/s1/projects/pk/.state.json.tmp").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_damaged_document_is_an_error_not_an_empty_project() {
        let dir = std::env::temp_dir().join(format!("uc-emulator-store-{}", Uuid::new_v4()));
        let store = Store::open(&dir).unwrap();
        std::fs::create_dir_all(dir.join("sessions/default/projects/pk")).unwrap();
        std::fs::write(
            dir.join("sessions/default/projects/pk/state.json"),
            b"{\"format\":1,",
        )
        .unwrap();
        let mut project = Project::from_settings(&settings());
        let error = store.load(None, "pk", &mut project).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::InvalidData);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
