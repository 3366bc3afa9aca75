//! Group URLs: [`GroupUrl`] for a file group (`<uuid>~<count>`), the `nth` file of a group as
//! a [`FileUrl`], and [`GroupArchiveUrl`] for downloading the whole group as an archive.

use std::fmt;

use super::{
    check_filename, invalid, keyword_enum, normalize_base, CdnPath, FileUrl, DEFAULT_DIMENSION_LIMIT,
};
use crate::Result;

/// A CDN URL of a file group: `<base>/<uuid>~<count>/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupUrl {
    base: String,
    id: String,
    count: u32,
}

impl GroupUrl {
    /// A group URL from a CDN base and a group id (`<uuid>~<count>`, count ≥ 1).
    pub fn new(base: &str, group_id: &str) -> Result<Self> {
        let base = normalize_base(base)?;
        let bad = || invalid(format!("not a group id (`<uuid>~<count>`): `{group_id}`"));
        let (uuid, count) = crate::limits::parse_group_id(group_id.trim()).ok_or_else(bad)?;
        Ok(Self {
            base,
            id: format!("{uuid}~{count}"),
            count,
        })
    }

    /// The `n`-th file (0-based, below the group's count): `<group>/nth/<n>/`; file
    /// operations chain on it.
    pub fn nth(&self, n: u32) -> Result<FileUrl> {
        if n >= self.count {
            return Err(invalid(format!(
                "nth: index {n} out of a group of {}",
                self.count
            )));
        }
        Ok(FileUrl {
            base: self.base.clone(),
            path: format!("{}/nth/{n}/", self.id),
            ops: String::new(),
            filename: None,
            limit: DEFAULT_DIMENSION_LIMIT,
        })
    }

    /// The whole group as an archive: `<group>/archive/<zip|tar>/`.
    pub fn archive(&self, format: ArchiveFormat) -> GroupArchiveUrl {
        GroupArchiveUrl {
            group: self.clone(),
            format,
            filename: None,
        }
    }
}

impl CdnPath for GroupUrl {
    fn base(&self) -> &str {
        &self.base
    }

    fn path(&self) -> String {
        format!("/{}/", self.id)
    }
}

impl fmt::Display for GroupUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.base, CdnPath::path(self))
    }
}

keyword_enum! {
    /// Archive formats of a group download.
    ArchiveFormat { /// `zip`.
        Zip => "zip", /// `tar`.
        Tar => "tar" }
}

/// A group archive URL: `<base>/<group>/archive/<format>/[<file name>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupArchiveUrl {
    group: GroupUrl,
    format: ArchiveFormat,
    filename: Option<String>,
}

impl GroupArchiveUrl {
    /// The archive's file name (percent-encoded; no `/`).
    pub fn filename(mut self, name: &str) -> Result<Self> {
        self.filename = Some(check_filename(name)?);
        Ok(self)
    }
}

impl CdnPath for GroupArchiveUrl {
    fn base(&self) -> &str {
        &self.group.base
    }

    fn path(&self) -> String {
        let name = self.filename.as_deref().unwrap_or("");
        format!("/{}/archive/{}/{name}", self.group.id, self.format)
    }
}

impl fmt::Display for GroupArchiveUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.group.base, CdnPath::path(self))
    }
}
