//! Sessions: independent projects on one emulator, so parallel test files (or test
//! processes in any language) share a server without seeing each other's files.
//!
//! A request names its session in one of two ways:
//! - the header `X-Uploadcare-Emulator-Session: NAME`, or
//! - a path prefix `/__session/NAME/`, e.g. a REST base URL
//!   `http://127.0.0.1:8000/__session/NAME` — everything the session answers with (file and
//!   page URLs, multipart part URLs, CDN URLs) carries the same prefix, so clients that
//!   follow those URLs without the header (a browser on a CDN URL, an SDK PUTting parts)
//!   stay in the session.
//!
//! Without either, a request goes to the default session (also reachable as `default`). A
//! session is created empty, with the emulator's settings, by the first request that names it.
//! Names are 1–64 characters of `A–Z a–z 0–9 . _ -`, starting with a letter or digit; others are refused with 400.

use crate::persist::Store;
pub(crate) use crate::session_name::valid_name;
pub use crate::session_name::{DEFAULT_SESSION, SESSION_HEADER, SESSION_PATH_PREFIX};
use crate::state::{EmulatorState, Project, ProjectSettings, Urls};
use crate::{deliveries, rest, upload, Options};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Router;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// One project of a session and the two routers serving it.
#[derive(Clone)]
pub(crate) struct ProjectEntry {
    pub(crate) public_key: Arc<str>,
    pub(crate) state: EmulatorState,
    pub(crate) rest: Router,
    pub(crate) upload: Router,
}

/// One session: its projects (the first is the one requests naming no known project reach),
/// some from the emulator's settings, others created through the Project API.
#[derive(Clone)]
pub(crate) struct Session {
    /// The session's name (`None`: the default session).
    pub(crate) name: Option<Arc<str>>,
    projects: Arc<Mutex<Vec<ProjectEntry>>>,
    factory: Arc<Factory>,
}

/// What a session needs to make a project's routers.
struct Factory {
    options: Arc<Options>,
    urls: Urls,
    stop: watch::Receiver<bool>,
}

impl Factory {
    /// A project's entry, its webhook deliveries started.
    fn entry(&self, project: Project) -> ProjectEntry {
        let public_key: Arc<str> = project.public_key.as_str().into();
        let state = EmulatorState::new(project);
        deliveries::start(&state, self.urls.clone(), self.stop.clone());
        let rest = rest::router(rest::Rest {
            state: state.clone(),
            options: self.options.clone(),
            urls: self.urls.clone(),
        });
        let upload = upload::router(upload::Upload {
            state: state.clone(),
            options: self.options.clone(),
            urls: self.urls.clone(),
        });
        ProjectEntry {
            public_key,
            state,
            rest,
            upload,
        }
    }
}

impl Session {
    /// How many projects the session has.
    pub(crate) fn len(&self) -> usize {
        lock(&self.projects).len()
    }

    /// The first project.
    pub(crate) fn first(&self) -> ProjectEntry {
        lock(&self.projects)[0].clone()
    }

    /// Every project, in order.
    pub(crate) fn projects(&self) -> Vec<ProjectEntry> {
        lock(&self.projects).clone()
    }

    /// The project with this public key.
    pub(crate) fn project(&self, public_key: &str) -> Option<ProjectEntry> {
        lock(&self.projects)
            .iter()
            .find(|p| &*p.public_key == public_key)
            .cloned()
    }

    /// Adds a project (created through the Project API).
    pub(crate) fn add(&self, project: Project) -> ProjectEntry {
        let entry = self.factory.entry(project);
        lock(&self.projects).push(entry.clone());
        entry
    }

    /// Removes a project; the first project (the emulator's own) cannot be removed.
    pub(crate) fn remove(&self, public_key: &str) -> Option<ProjectEntry> {
        let mut projects = lock(&self.projects);
        let index = projects.iter().position(|p| &*p.public_key == public_key)?;
        (index > 0).then(|| projects.remove(index))
    }

    /// The emulator's settings.
    pub(crate) fn options(&self) -> &Options {
        &self.factory.options
    }

    /// The base URLs the session's objects refer to.
    pub(crate) fn urls(&self) -> &Urls {
        &self.factory.urls
    }

    /// The project a request is for (see [`crate::routing`]); the first when it names none
    /// known.
    pub(crate) fn pick(&self, target: &crate::routing::Target) -> ProjectEntry {
        let projects = lock(&self.projects);
        projects
            .iter()
            .find(|p| target.is(&p.public_key, &p.state.lock()))
            .unwrap_or(&projects[0])
            .clone()
    }
}

/// Every session of an emulator. Cheap to clone.
#[derive(Clone)]
pub(crate) struct Sessions(Arc<Inner>);

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions")
            .field("named", &lock(&self.0.named).keys().collect::<Vec<_>>())
            .field("data_dir", &self.0.store.is_some())
            .finish()
    }
}

struct Inner {
    /// The projects every session has, in order (at least one).
    settings: Vec<ProjectSettings>,
    options: Arc<Options>,
    base: Urls,
    stop: watch::Receiver<bool>,
    default: Session,
    named: Mutex<BTreeMap<String, Session>>,
    store: Option<Store>,
}

impl Sessions {
    /// The registry with its default session (restored from `store` when there is one, as
    /// are the named sessions it holds). `settings` has one entry per project.
    pub(crate) fn new(
        settings: Vec<ProjectSettings>,
        options: Arc<Options>,
        base: Urls,
        stop: watch::Receiver<bool>,
        store: Option<Store>,
    ) -> std::io::Result<Self> {
        assert!(!settings.is_empty(), "an emulator has at least one project");
        let default = open_session(&settings, &options, base.clone(), &stop, store.as_ref(), None)?;
        let sessions = Self(Arc::new(Inner {
            settings,
            options,
            base,
            stop,
            default,
            named: Mutex::new(BTreeMap::new()),
            store,
        }));
        if let Some(store) = &sessions.0.store {
            for name in store.session_names()? {
                sessions.open(&name)?;
            }
        }
        Ok(sessions)
    }

    /// The default session.
    pub(crate) fn default_session(&self) -> Session {
        self.0.default.clone()
    }

    /// The session called `name` (`None` or `default`: the default one), created when new.
    pub(crate) fn session(&self, name: Option<&str>) -> std::io::Result<Session> {
        match name.filter(|name| *name != DEFAULT_SESSION) {
            None => Ok(self.0.default.clone()),
            Some(name) => self.open(name),
        }
    }

    /// An existing session, without creating it.
    pub(crate) fn existing(&self, name: Option<&str>) -> Option<Session> {
        match name.filter(|name| *name != DEFAULT_SESSION) {
            None => Some(self.0.default.clone()),
            Some(name) => lock(&self.0.named).get(name).cloned(),
        }
    }

    fn open(&self, name: &str) -> std::io::Result<Session> {
        let mut named = lock(&self.0.named);
        if let Some(session) = named.get(name) {
            return Ok(session.clone());
        }
        let urls = session_urls(&self.0.base, name);
        let session = open_session(
            &self.0.settings,
            &self.0.options,
            urls,
            &self.0.stop,
            self.0.store.as_ref(),
            Some(name),
        )?;
        named.insert(name.to_owned(), session.clone());
        Ok(session)
    }

    /// Every session's name with the session, the default one first.
    pub(crate) fn all(&self) -> Vec<(String, Session)> {
        let mut all = vec![(DEFAULT_SESSION.to_owned(), self.default_session())];
        all.extend(
            lock(&self.0.named)
                .iter()
                .map(|(name, session)| (name.clone(), session.clone())),
        );
        all
    }

    /// Empties one session's projects (back to the emulator's settings); `false` when no
    /// such session exists.
    pub(crate) fn reset(&self, name: Option<&str>) -> std::io::Result<bool> {
        let Some(session) = self.existing(name) else {
            return Ok(false);
        };
        let configured: Vec<&str> = self.0.settings.iter().map(|s| s.public_key.as_str()).collect();
        for entry in session.projects() {
            if !configured.contains(&&*entry.public_key) {
                session.remove(&entry.public_key);
                self.forget_project(name, &entry.public_key)?;
            }
        }
        for (entry, settings) in session.projects().iter().zip(&self.0.settings) {
            entry.state.lock().reset(settings);
            self.save(name, entry)?;
        }
        Ok(true)
    }

    /// Empties every session's projects; named sessions are forgotten.
    pub(crate) fn reset_all(&self) -> std::io::Result<()> {
        let named = std::mem::take(&mut *lock(&self.0.named));
        for (name, session) in named {
            for (entry, settings) in session.projects().iter().zip(&self.0.settings) {
                entry.state.lock().reset(settings);
            }
            if let Some(store) = &self.0.store {
                store.forget(Some(&name))?;
            }
        }
        self.reset(None).map(|_| ())
    }

    /// Writes a session's project to the data directory, when there is one.
    pub(crate) fn save(&self, name: Option<&str>, project: &ProjectEntry) -> std::io::Result<()> {
        match &self.0.store {
            Some(store) => store.save(
                name.filter(|n| *n != DEFAULT_SESSION),
                &project.public_key,
                &project.state,
            ),
            None => Ok(()),
        }
    }

    /// Removes a project's document from the data directory, when there is one.
    pub(crate) fn forget_project(&self, name: Option<&str>, public_key: &str) -> std::io::Result<()> {
        match &self.0.store {
            Some(store) => store.forget_project(name.filter(|n| *n != DEFAULT_SESSION), public_key),
            None => Ok(()),
        }
    }

    /// Requests served over all sessions and projects.
    pub(crate) fn requests_served(&self) -> usize {
        self.all()
            .iter()
            .flat_map(|(_, session)| session.projects())
            .map(|p| p.state.lock().requests.len())
            .sum()
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// A session's projects (read from the store when it has one: the configured ones, then
/// those created through the Project API) and their routers.
fn open_session(
    settings: &[ProjectSettings],
    options: &Arc<Options>,
    urls: Urls,
    stop: &watch::Receiver<bool>,
    store: Option<&Store>,
    name: Option<&str>,
) -> std::io::Result<Session> {
    let factory = Arc::new(Factory {
        options: options.clone(),
        urls,
        stop: stop.clone(),
    });
    let mut projects = Vec::with_capacity(settings.len());
    for (index, settings) in settings.iter().enumerate() {
        let mut project = Project::from_settings(settings);
        project.id += index as i64;
        if let Some(store) = store {
            store.load(name, &settings.public_key, &mut project)?;
        }
        projects.push(factory.entry(project));
    }
    if let Some(store) = store {
        for public_key in store.project_keys(name)? {
            if settings.iter().any(|s| s.public_key == public_key) {
                continue;
            }
            let mut project = Project::from_settings(&ProjectSettings {
                public_key: public_key.clone(),
                ..settings[0].clone()
            });
            project.secrets.clear();
            store.load(name, &public_key, &mut project)?;
            projects.push(factory.entry(project));
        }
    }
    Ok(Session {
        name: name.map(Into::into),
        projects: Arc::new(Mutex::new(projects)),
        factory,
    })
}

/// The base URLs of a named session: the emulator's, with the session's path prefix.
pub(crate) fn session_urls(base: &Urls, name: &str) -> Urls {
    let rest = format!("{}{SESSION_PATH_PREFIX}{name}", base.rest);
    let upload = format!("{}{SESSION_PATH_PREFIX}{name}", base.upload);
    Urls {
        cdn: format!("{upload}/cdn"),
        rest,
        upload,
    }
}

/// 500 when the data directory cannot be written or read.
pub(crate) fn storage_error(error: &std::io::Error) -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        format!("emulator storage error: {error}"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names() {
        assert!(valid_name("test-1.a_B"));
        assert!(valid_name(&"a".repeat(64)));
        assert!(!valid_name(&"a".repeat(65)));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
        assert!(!valid_name("a b"));
        assert!(!valid_name(".."));
        assert!(!valid_name("-x"));
    }

    #[test]
    fn session_urls_carry_the_prefix() {
        let base = Urls {
            rest: "http://127.0.0.1:1".into(),
            upload: "http://127.0.0.1:2".into(),
            cdn: "http://127.0.0.1:2/cdn".into(),
        };
        let urls = session_urls(&base, "t1");
        assert_eq!(urls.rest, "http://127.0.0.1:1/__session/t1");
        assert_eq!(urls.upload, "http://127.0.0.1:2/__session/t1");
        assert_eq!(urls.cdn, "http://127.0.0.1:2/__session/t1/cdn");
    }
}
