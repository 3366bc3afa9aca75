//! The project's files by UUID ([`Files`]): a map that notes when it may have changed, so
//! the file list (`GET /files/`) keeps its order from one page to the next instead of
//! sorting every file of the project for each page (which made listing N files cost N²).

use crate::file_record::FileRecord;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex};
use uuid::Uuid;

/// The files of a project by UUID: a `BTreeMap` to read and change as usual (through
/// `Deref` and `DerefMut`). Every mutable access counts as a change and drops the list
/// order kept for the pages of `GET /files/`.
#[derive(Debug, Default)]
pub struct Files {
    map: BTreeMap<Uuid, FileRecord>,
    /// Mutable accesses so far.
    changes: u64,
    /// The order of the last list asked for, valid while `changes` is what it was built at.
    order: Mutex<Option<Arc<ListOrder>>>,
}

impl Deref for Files {
    type Target = BTreeMap<Uuid, FileRecord>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl DerefMut for Files {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.changes = self.changes.wrapping_add(1);
        &mut self.map
    }
}

impl<'a> IntoIterator for &'a Files {
    type Item = (&'a Uuid, &'a FileRecord);
    type IntoIter = std::collections::btree_map::Iter<'a, Uuid, FileRecord>;

    fn into_iter(self) -> Self::IntoIter {
        self.map.iter()
    }
}

/// Which files a list shows, in which order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ListQuery {
    /// Removed files (`true`) or the others.
    pub removed: bool,
    /// Only stored (`Some(true)`) or unstored (`Some(false)`) files.
    pub stored: Option<bool>,
    /// By size (then upload time), else by upload time.
    pub by_size: bool,
    /// Largest or latest first.
    pub descending: bool,
}

/// One listed file: its size when the list is ordered by size (else 0), its upload time and
/// its UUID.
pub(crate) type Listed = (i64, DateTime<Utc>, Uuid);

/// The files a [`ListQuery`] shows, in its order, with the counts of the whole project.
#[derive(Debug)]
pub(crate) struct ListOrder {
    query: ListQuery,
    changes: u64,
    /// The files, in list order.
    pub files: Vec<Listed>,
    /// Removed, stored and unstored files of the project.
    pub totals: [usize; 3],
}

impl Files {
    /// The files `query` lists, in order: kept from the last call while the map has not
    /// been changed since and the query is the same (the pages of one walk), else sorted
    /// anew. Equal values keep UUID order (reversed when descending).
    pub(crate) fn list_order(&self, query: ListQuery) -> Arc<ListOrder> {
        let mut kept = self.order.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(order) = kept
            .as_ref()
            .filter(|order| order.query == query && order.changes == self.changes)
        {
            return order.clone();
        }
        let mut totals = [0; 3];
        let mut files: Vec<Listed> = Vec::new();
        for (uuid, file) in &self.map {
            let live = file.removed.is_none();
            totals[match (live, file.stored.is_some()) {
                (false, _) => 0,
                (true, true) => 1,
                (true, false) => 2,
            }] += 1;
            if live != query.removed && query.stored.is_none_or(|s| file.stored.is_some() == s) {
                let value = if query.by_size { file.size() as i64 } else { 0 };
                files.push((value, file.uploaded, *uuid));
            }
        }
        // UUIDs are unique: the unstable sort of the triples is the stable sort by value
        // and time of the files in UUID order.
        files.sort_unstable();
        if query.descending {
            files.reverse();
        }
        let order = Arc::new(ListOrder {
            query,
            changes: self.changes,
            files,
            totals,
        });
        *kept = Some(order.clone());
        order
    }
}
