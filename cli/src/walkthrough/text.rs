//! How the walkthrough writes: numbered steps, labelled values, and values as a person reads
//! them — sizes in KiB, dates in UTC, yes/no, lists joined with commas, `-` for nothing.

use std::fmt::Display;
use std::io::Write;

/// The `strftime` pattern of every date shown: `2026-12-07 10:15:03 UTC` (the API's
/// timestamps are in UTC).
pub const DATE: &str = "%Y-%m-%d %H:%M:%S UTC";

/// Writes the numbered steps and their labelled values.
pub struct Steps<'w, W: Write> {
    /// Where the steps go (stdout for the example, stderr for `ucare demo`).
    pub out: &'w mut W,
}

impl<W: Write> Steps<'_, W> {
    /// A step's heading: its number and title, after a blank line.
    pub fn step(&mut self, n: u32, title: &str) -> std::io::Result<()> {
        writeln!(self.out, "\n{n:>2}. {title}")
    }

    /// One value of a step, under a label.
    pub fn show(&mut self, label: &str, value: impl Display) -> std::io::Result<()> {
        writeln!(self.out, "      {label:<18} {value}")
    }

    /// A line as it is.
    pub fn line(&mut self, text: &str) -> std::io::Result<()> {
        writeln!(self.out, "{text}")
    }
}

/// A size in bytes as a person reads it: `17 B`, `1.2 KiB`, `3.4 MiB`.
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} B");
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// A size the API gives as a signed number (never negative in practice).
pub fn size_of(bytes: i64) -> String {
    size(u64::try_from(bytes).unwrap_or_default())
}

/// `yes` or `no`.
pub fn yes_no(value: bool) -> &'static str {
    if value {
        "yes"
    } else {
        "no"
    }
}

/// The items joined with commas; `-` when there are none.
pub fn list<T: Display>(items: impl IntoIterator<Item = T>) -> String {
    let items: Vec<String> = items.into_iter().map(|item| item.to_string()).collect();
    if items.is_empty() {
        "-".to_owned()
    } else {
        items.join(", ")
    }
}

/// The value as text, or `-` when there is none (or it is empty).
pub fn or_dash(value: Option<impl Display>) -> String {
    value
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "-".to_owned())
}

/// "1 file" or "3 files".
pub fn files(count: usize) -> String {
    if count == 1 {
        "1 file".to_owned()
    } else {
        format!("{count} files")
    }
}
