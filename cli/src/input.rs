//! Values from the command line and from stdin (`--from-stdin`), checked before any
//! request: UUIDs must be UUIDs, and nothing that goes into a URL path may carry control
//! characters or climb out of its place (`..`, `/`, `\`).

use crate::error::{CliError, Result};
use std::io::BufRead;
use uuid::Uuid;

/// Values read from stdin: one per line (blank lines skipped), or — when the first
/// non-blank line starts with `{` — NDJSON objects whose `uuid` field is the value.
pub fn read_stdin() -> Result<Vec<String>> {
    read_from(std::io::stdin().lock())
}

fn read_from(input: impl BufRead) -> Result<Vec<String>> {
    let mut values = Vec::new();
    let mut json = None;
    for (number, line) in input.lines().enumerate() {
        let line = line.map_err(|e| CliError::failed(format!("cannot read stdin: {e}")))?;
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let is_json = *json.get_or_insert_with(|| line.starts_with('{'));
        let value = if is_json {
            let object: serde_json::Value = serde_json::from_str(line)
                .map_err(|e| CliError::usage(format!("stdin line {}: not a JSON object: {e}", number + 1)))?;
            object
                .get("uuid")
                .and_then(serde_json::Value::as_str)
                .ok_or_else(|| CliError::usage(format!("stdin line {}: no `uuid` string field", number + 1)))?
                .to_owned()
        } else {
            line.to_owned()
        };
        check_text("stdin value", &value)?;
        values.push(value);
    }
    Ok(values)
}

/// The UUIDs of the arguments, then (with `--from-stdin`) of stdin, each once, in order.
pub fn uuids(given: Vec<Uuid>, from_stdin: bool) -> Result<Vec<Uuid>> {
    let mut all = given;
    if from_stdin {
        for value in read_stdin()? {
            all.push(parse_uuid(&value)?);
        }
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|u| seen.insert(*u));
    if all.is_empty() {
        return Err(CliError::usage("no UUIDs given (as arguments or on stdin)"));
    }
    Ok(all)
}

/// A UUID, or a usage error naming the value.
pub fn parse_uuid(text: &str) -> Result<Uuid> {
    check_text("UUID", text)?;
    text.trim()
        .parse()
        .map_err(|_| CliError::usage(format!("`{text}` is not a UUID")))
}

/// Refuses control characters anywhere.
pub fn check_text(what: &str, value: &str) -> Result<()> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(CliError::usage(format!(
            "{what} `{}` contains a control character (U+{:04X})",
            value.escape_debug(),
            c as u32
        )));
    }
    Ok(())
}

/// A value that becomes one URL path segment (a metadata key, a group id): no control
/// characters, no `/` or `\`, not `.` or `..`.
pub fn check_segment(what: &str, value: &str) -> Result<()> {
    check_text(what, value)?;
    if value.is_empty()
        || value == "."
        || value == ".."
        || value.contains(['/', '\\'])
        || value.contains("..")
    {
        return Err(CliError::usage(format!(
            "{what} `{value}` cannot be part of a URL path (empty, `.`, `..`, `/` or `\\`)"
        )));
    }
    Ok(())
}

/// A group id, `<uuid>~<count>`.
pub fn check_group_id(id: &str) -> Result<()> {
    check_segment("group id", id)?;
    let valid = uploadcare::limits::parse_group_id(id).is_some();
    if valid {
        Ok(())
    } else {
        Err(CliError::usage(format!(
            "`{id}` is not a group id (`<uuid>~<count>`)"
        )))
    }
}

/// The values of a command whose first argument is a UUID unless `--from-stdin` gives
/// them: (the UUIDs, the remaining arguments).
pub fn split_uuid_args(args: Vec<String>, from_stdin: bool) -> Result<(Vec<Uuid>, Vec<String>)> {
    for arg in &args {
        check_text("argument", arg)?;
    }
    if from_stdin {
        let uuids = uuids(Vec::new(), true)?;
        return Ok((uuids, args));
    }
    let mut args = args.into_iter();
    let first = args
        .next()
        .ok_or_else(|| CliError::usage("a file UUID is needed (or --from-stdin)"))?;
    Ok((vec![parse_uuid(&first)?], args.collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_ndjson_are_read() {
        let lines = read_from("a\n\n  b \n".as_bytes()).unwrap();
        assert_eq!(lines, ["a", "b"]);
        let objects = read_from("{\"uuid\": \"x\", \"size\": 1}\n{\"uuid\": \"y\"}\n".as_bytes()).unwrap();
        assert_eq!(objects, ["x", "y"]);
        assert!(matches!(
            read_from("{\"size\": 1}\n".as_bytes()),
            Err(CliError::Usage(_))
        ));
        assert!(matches!(
            read_from("a\u{7}b\n".as_bytes()),
            Err(CliError::Usage(_))
        ));
    }

    #[test]
    fn path_segments_and_group_ids_are_checked() {
        for bad in ["..", ".", "a/b", "a\\b", "x..y", "", "a\nb"] {
            assert!(check_segment("key", bad).is_err(), "{bad:?}");
        }
        assert!(check_segment("key", "album.name:v2").is_ok());
        assert!(check_group_id("3f1c7e2a-5b4d-4c3e-9a8b-1d2e3f4a5b6c~3").is_ok());
        for bad in [
            "3f1c7e2a-5b4d-4c3e-9a8b-1d2e3f4a5b6c",
            "x~1",
            "3f1c7e2a-5b4d-4c3e-9a8b-1d2e3f4a5b6c~0",
            "../x~1",
        ] {
            assert!(check_group_id(bad).is_err(), "{bad}");
        }
    }
}
