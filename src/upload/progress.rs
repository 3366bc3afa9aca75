//! Upload progress: the public [`UploadProgress`] value and the running total of one upload
//! that parts and direct bodies add to (and take back from, when an attempt fails).

use super::requests::ProgressFn;
use std::sync::{Arc, Mutex};
use tokio::sync::watch;

/// How far an upload is: bytes sent of a file upload (direct or multipart), or the
/// service's `done`/`total` of an upload from URL.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct UploadProgress {
    /// Bytes sent (file uploads: handed to the connection; from URL: fetched by the
    /// service).
    pub done: u64,
    /// Bytes in all (0 while an upload from URL does not know the size yet).
    pub total: u64,
}

/// A progress callback of the public API.
pub(crate) type OnProgress = Arc<dyn Fn(UploadProgress) + Send + Sync>;

/// The running total of one upload, delivered to its watchers in order.
pub(crate) struct Reporter {
    total: u64,
    progress: Option<watch::Sender<UploadProgress>>,
    on_progress: Option<OnProgress>,
    /// Bytes counted so far; the lock also keeps deliveries in order when parts run in
    /// parallel.
    done: Mutex<u64>,
}

impl Reporter {
    pub(crate) fn new(
        total: u64,
        progress: Option<watch::Sender<UploadProgress>>,
        on_progress: Option<OnProgress>,
    ) -> Self {
        Self {
            total,
            progress,
            on_progress,
            done: Mutex::new(0),
        }
    }

    fn watched(&self) -> bool {
        self.progress.is_some() || self.on_progress.is_some()
    }

    fn update(&self, change: impl FnOnce(u64) -> u64) {
        if !self.watched() {
            return;
        }
        let mut done = self.done.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        *done = change(*done);
        let value = UploadProgress {
            done: *done,
            total: self.total,
        };
        deliver(self.progress.as_ref(), self.on_progress.as_ref(), value);
    }

    /// The total so far is `done`.
    pub(crate) fn set(&self, done: u64) {
        self.update(|_| done);
    }

    /// For the one body of a direct upload: its running total is the total.
    pub(crate) fn as_progress_fn(self: &Arc<Self>) -> Option<ProgressFn> {
        let reporter = self.clone();
        self.watched()
            .then(|| Arc::new(move |done: u64| reporter.set(done)) as ProgressFn)
    }

    /// A counter for one attempt of one part: its running total adds to the upload's;
    /// [`PartAttempt::undo`] takes it back when the attempt fails.
    pub(crate) fn part_attempt(self: &Arc<Self>) -> PartAttempt {
        PartAttempt {
            reporter: self.clone(),
            sent: Arc::new(Mutex::new(0)),
        }
    }
}

/// Hands `value` to the channel and the callback.
pub(crate) fn deliver(
    progress: Option<&watch::Sender<UploadProgress>>,
    on_progress: Option<&OnProgress>,
    value: UploadProgress,
) {
    if let Some(progress) = progress {
        progress.send_replace(value);
    }
    if let Some(f) = on_progress {
        f(value);
    }
}

/// The bytes one attempt of one multipart part has sent.
pub(crate) struct PartAttempt {
    reporter: Arc<Reporter>,
    sent: Arc<Mutex<u64>>,
}

impl PartAttempt {
    pub(crate) fn progress_fn(&self) -> Option<ProgressFn> {
        let (reporter, sent) = (self.reporter.clone(), self.sent.clone());
        self.reporter.watched().then(|| {
            Arc::new(move |total: u64| {
                let mut sent = sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
                let added = total.saturating_sub(*sent);
                *sent = total;
                reporter.update(|done| done + added);
            }) as ProgressFn
        })
    }

    pub(crate) fn undo(&self) {
        let mut sent = self.sent.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let taken = std::mem::take(&mut *sent);
        self.reporter.update(|done| done.saturating_sub(taken));
    }
}
