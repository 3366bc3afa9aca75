//! Tables for people: the columns of each resource (files, groups, webhooks, conversion
//! jobs, the account's projects and secret keys, …), sizes in KiB/MiB, long values cut. Lists (arrays, pages, an upload's files)
//! become one row per record; a single object becomes FIELD / VALUE rows.

use serde_json::{Map, Value};

/// A resource: how to recognize its records, and the columns to show.
struct Resource {
    /// Fields every record of this kind has.
    has: &'static [&'static str],
    /// Columns: (heading, field; the first field a record has of `a|b`).
    columns: &'static [(&'static str, &'static str)],
}

/// Tried in order; the first whose `has` fields a record has wins.
const RESOURCES: &[Resource] = &[
    // REST files, search results, Upload API file infos.
    Resource {
        has: &["uuid", "size"],
        columns: &[
            ("UUID", "uuid"),
            ("NAME", "original_filename|filename"),
            ("SIZE", "size"),
            ("TYPE", "mime_type"),
            ("UPLOADED", "datetime_uploaded"),
            ("STORED", "datetime_stored|is_stored"),
        ],
    },
    Resource {
        has: &["id", "files_count"],
        columns: &[
            ("ID", "id"),
            ("FILES", "files_count"),
            ("CREATED", "datetime_created"),
            ("STORED", "datetime_stored"),
        ],
    },
    Resource {
        has: &["target_url", "event"],
        columns: &[
            ("ID", "id"),
            ("EVENT", "event"),
            ("TARGET", "target_url"),
            ("ACTIVE", "is_active"),
            ("CREATED", "created"),
        ],
    },
    // Project API: the account's projects.
    Resource {
        has: &["pub_key", "name"],
        columns: &[
            ("PUB_KEY", "pub_key"),
            ("NAME", "name"),
            ("SHARED", "is_shared_project"),
            ("BLOCKED", "is_blocked"),
        ],
    },
    // Project API: a project's secret keys (never the keys themselves).
    Resource {
        has: &["id", "hint"],
        columns: &[("ID", "id"), ("HINT", "hint"), ("LAST_USED", "last_used_at")],
    },
    // Conversion jobs as submitted.
    Resource {
        has: &["original_source", "token"],
        columns: &[
            ("SOURCE", "original_source"),
            ("TOKEN", "token"),
            ("UUID", "uuid"),
        ],
    },
];

/// Longest cell, in characters.
const MAX_CELL: usize = 48;

/// `value` as a table (with a trailing newline); scalars as their text.
pub fn render(value: &Value) -> String {
    match value {
        Value::Array(items) => list(items, None, None),
        Value::Object(object) => match object.get("results") {
            Some(Value::Array(items)) => {
                let mut footer = Vec::new();
                if let Some(total) = object.get("total").and_then(Value::as_u64) {
                    footer.push(format!("{} of {total}", items.len()));
                }
                if object.get("next").is_some_and(|n| !n.is_null()) {
                    footer.push("more pages: add --all".to_owned());
                }
                let footer = (!footer.is_empty()).then(|| footer.join("; "));
                list(items, None, footer)
            }
            _ if is_keyed_files(object) => {
                let keys: Vec<String> = object.keys().cloned().collect();
                let items: Vec<Value> = object.values().cloned().collect();
                list(&items, Some(("PATH", keys)), None)
            }
            _ => fields(object),
        },
        Value::Null => String::new(),
        Value::String(text) => format!("{text}\n"),
        other => format!("{other}\n"),
    }
}

/// One row per record; `keys`: a first column of names (an upload's paths).
fn list(items: &[Value], keys: Option<(&str, Vec<String>)>, footer: Option<String>) -> String {
    if items.is_empty() {
        return "(none)\n".to_owned();
    }
    let columns = columns_of(items);
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(items.len() + 1);
    let mut heading: Vec<String> = Vec::new();
    if let Some((name, _)) = &keys {
        heading.push((*name).to_owned());
    }
    heading.extend(columns.iter().map(|(h, _)| h.clone()));
    rows.push(heading);
    for (i, item) in items.iter().enumerate() {
        let mut row = Vec::new();
        if let Some((_, names)) = &keys {
            row.push(cut(names.get(i).map_or("", String::as_str)));
        }
        for (_, field) in &columns {
            row.push(cell(field, lookup(item, field)));
        }
        rows.push(row);
    }
    let mut text = grid(&rows);
    if let Some(footer) = footer {
        text.push_str(&format!("({footer})\n"));
    }
    text
}

/// The columns of the first record's resource, or its first scalar fields.
fn columns_of(items: &[Value]) -> Vec<(String, String)> {
    let first = items.iter().find_map(Value::as_object);
    if let Some(first) = first {
        if let Some(resource) = RESOURCES
            .iter()
            .find(|r| r.has.iter().all(|f| first.contains_key(*f)))
        {
            return resource
                .columns
                .iter()
                .map(|(h, f)| ((*h).to_owned(), (*f).to_owned()))
                .collect();
        }
        return first
            .iter()
            .filter(|(_, v)| !v.is_object() && !v.is_array())
            .take(6)
            .map(|(k, _)| (k.to_uppercase(), k.clone()))
            .collect();
    }
    vec![("VALUE".to_owned(), String::new())]
}

/// The first of `a|b` a record has (the whole record for the empty field).
fn lookup<'a>(record: &'a Value, field: &str) -> Option<&'a Value> {
    if field.is_empty() {
        return Some(record);
    }
    field
        .split('|')
        .find_map(|f| record.get(f).filter(|v| !v.is_null()))
}

/// A single object: FIELD / VALUE rows.
fn fields(object: &Map<String, Value>) -> String {
    let mut rows = vec![vec!["FIELD".to_owned(), "VALUE".to_owned()]];
    for (key, value) in object {
        rows.push(vec![key.clone(), cell(key, Some(value))]);
    }
    grid(&rows)
}

/// A value as a cell: sizes human-readable, times to the second, `-` for nothing, nested
/// values as compact JSON, everything cut to [`MAX_CELL`].
fn cell(field: &str, value: Option<&Value>) -> String {
    let text = match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s))
            if field.starts_with("datetime") || field == "created" || field == "last_used_at" =>
        {
            s.get(..19).map_or_else(|| s.clone(), |t| t.replace('T', " "))
        }
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) if field == "size" => n.as_u64().map_or_else(|| n.to_string(), human_size),
        Some(Value::Bool(b)) => if *b { "yes" } else { "no" }.to_owned(),
        Some(other) => other.to_string(),
    };
    cut(&text)
}

fn cut(text: &str) -> String {
    let text = text.replace(['\n', '\t'], " ");
    if text.chars().count() <= MAX_CELL {
        text
    } else {
        let kept: String = text.chars().take(MAX_CELL - 1).collect();
        format!("{kept}…")
    }
}

/// `1536` → `1.5 KiB`.
pub fn human_size(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut size = bytes as f64;
    let mut unit = 0;
    while size >= 1024.0 && unit + 1 < UNITS.len() {
        size /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{size:.1} {}", UNITS[unit])
    }
}

/// Rows padded to their columns' widths, two spaces apart; the last column not padded.
fn grid(rows: &[Vec<String>]) -> String {
    let columns = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.get(c).map_or(0, |s| s.chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            if c + 1 < row.len() {
                let pad = widths[c] - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            } else {
                line.push_str(cell);
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

/// `{"a.txt": {"uuid": …}, "b.txt": {"uuid": …}}`: an upload's answer.
pub fn is_keyed_files(object: &serde_json::Map<String, serde_json::Value>) -> bool {
    !object.is_empty()
        && object
            .values()
            .all(|v| v.as_object().is_some_and(|o| o.contains_key("uuid")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sizes_are_human_readable() {
        assert_eq!(human_size(0), "0 B");
        assert_eq!(human_size(1023), "1023 B");
        assert_eq!(human_size(1536), "1.5 KiB");
        assert_eq!(human_size(5 * 1024 * 1024), "5.0 MiB");
    }

    #[test]
    fn a_page_of_files_is_one_row_per_file() {
        let page = json!({"next": "http://x/?from=2", "total": 3, "results": [
            {"uuid": "3f1a", "original_filename": "cat.jpg", "size": 2048, "mime_type": "image/jpeg",
             "datetime_uploaded": "2026-12-01T10:11:12.345Z", "datetime_stored": null},
        ]});
        let text = render(&page);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0].split_whitespace().collect::<Vec<_>>(),
            ["UUID", "NAME", "SIZE", "TYPE", "UPLOADED", "STORED"]
        );
        assert!(
            lines[1].starts_with("3f1a  cat.jpg  2.0 KiB  image/jpeg  2026-12-01 10:11:12  -"),
            "{text}"
        );
        assert_eq!(lines[2], "(1 of 3; more pages: add --all)");
    }

    #[test]
    fn an_object_is_field_value_rows_and_unknown_lists_show_their_scalars() {
        let text = render(&json!({"name": "Project", "collaborators": [], "pub_key": "pk"}));
        assert!(text.starts_with("FIELD"), "{text}");
        assert!(text.contains("name           Project"), "{text}");
        let text = render(&json!([{"a": 1, "b": {"x": 1}, "c": "long ".repeat(20)}]));
        assert!(text.starts_with("A  C"), "{text}");
        assert!(text.lines().nth(1).unwrap().ends_with('…'), "{text}");
        assert_eq!(render(&json!([])), "(none)\n");
    }

    #[test]
    fn an_upload_answer_has_a_path_column() {
        let text = render(&json!({"a.txt": {"uuid": "u1", "size": 3, "filename": "a.txt"}}));
        let heading: Vec<&str> = text.lines().next().unwrap().split_whitespace().collect();
        assert_eq!(heading[..2], ["PATH", "UUID"], "{text}");
        assert!(text.contains("a.txt  u1"), "{text}");
    }
}
