//! The search index of `POST /files/search/` (REST API 0.7).
//!
//! The service indexes asynchronously: a new or changed file takes seconds to appear in (or
//! disappear from) search results. The emulator models that with an opt-in delay
//! ([`EmulatorBuilder::search_index_delay`](super::EmulatorBuilder::search_index_delay)):
//! every searchable change records a snapshot of the file that becomes visible to search
//! only `delay` after the change. Until then search matches the previous snapshot (or, for a
//! new file, nothing). With the default delay of zero no snapshots are kept and search reads
//! the files as they are.
//!
//! Search matches snapshots, but answers with the file object as it is now (the service
//! fetches the objects it returns; only matching goes through the index).

use super::state::{FileRecord, Project};
use chrono::{DateTime, Utc};
use uuid::Uuid;

impl Project {
    /// Records file `uuid` as it is now for search, visible after the project's
    /// [`search_index_delay`](Project::search_index_delay). Call it after every change of what
    /// search looks at (upload, removal, readiness, metadata, tags). Nothing is recorded when
    /// the delay is zero (search then reads the files directly) or when nothing searchable
    /// changed since the last snapshot.
    pub fn reindex_for_search(&mut self, uuid: Uuid) {
        if self.search_index_delay.is_zero() {
            return;
        }
        let Some(file) = self.files.get(&uuid).cloned() else {
            return;
        };
        let now = Utc::now();
        let visible_from = chrono::Duration::from_std(self.search_index_delay)
            .ok()
            .and_then(|delay| now.checked_add_signed(delay))
            .unwrap_or(DateTime::<Utc>::MAX_UTC);
        let snapshots = self.search_index.snapshots.entry(uuid).or_default();
        if snapshots
            .last()
            .is_some_and(|(_, last)| same_for_search(last, &file))
        {
            return;
        }
        // Older visible snapshots are superseded by the newest visible one.
        if let Some(latest_visible) = snapshots.iter().rposition(|(at, _)| *at <= now) {
            snapshots.drain(..latest_visible);
        }
        snapshots.push((visible_from, file));
    }

    /// The files search sees now, by UUID: snapshots when the index has a delay, else the
    /// files themselves. Files never recorded (e.g. edited directly through
    /// [`EmulatorState::lock`](super::EmulatorState::lock) while the delay was zero) are seen
    /// as they are.
    pub(crate) fn searchable_files(&self) -> Vec<&FileRecord> {
        let now = Utc::now();
        self.files
            .iter()
            .filter_map(|(uuid, file)| match self.search_index.snapshots.get(uuid) {
                None => Some(file),
                Some(snapshots) => snapshots
                    .iter()
                    .rev()
                    .find(|(at, _)| *at <= now)
                    .map(|(_, snapshot)| snapshot),
            })
            .collect()
    }
}

/// Whether two versions of a file look the same to search.
fn same_for_search(a: &FileRecord, b: &FileRecord) -> bool {
    a.filename == b.filename
        && a.mime_type == b.mime_type
        && a.size() == b.size()
        && a.image_size() == b.image_size()
        && a.uploaded == b.uploaded
        && a.removed.is_some() == b.removed.is_some()
        && a.ready == b.ready
        && a.metadata == b.metadata
        && a.tags == b.tags
}
