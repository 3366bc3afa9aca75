//! Everything a command prints on stdout goes through here.
//!
//! - **JSON** (stdout not a terminal, or `--json all`): the API's body, pretty-printed, as it
//!   always was (`{}` for an empty answer; `--all` streams one array).
//! - **Fields** (`--json uuid,size,metadata.album`): every record keeps only those fields
//!   (records: a list's items, a page's `results`, an upload's files, else the object).
//! - **jq** (`--jq EXPR`): the document (after `--json`) through a jq filter; each result on
//!   its own, strings raw (so `--jq '.results[].uuid'` prints bare UUIDs).
//! - **NDJSON** (`--ndjson`): one record per line, compact; `--all` streams every page in
//!   constant memory.
//! - **Tables** (stdout a terminal, or `--table`): columns chosen per resource.

use crate::error::{CliError, Result};
use crate::{jq, table};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;

/// How stdout is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Pretty JSON documents.
    Json,
    /// One compact JSON record per line.
    Ndjson,
    /// Tables for people.
    Table,
}

/// The output settings of this run, from the global flags.
pub struct Options {
    pub mode: Mode,
    /// `--json FIELDS` (not `all`): the dotted paths to keep.
    pub fields: Option<Vec<Vec<String>>>,
    pub jq: Option<jq::Filter>,
}

impl Options {
    /// The options of the command line: `--table` or `--ndjson` when given; else tables on
    /// a terminal unless `--json`/`--jq` ask for JSON.
    pub fn new(
        json: Option<&str>,
        jq: Option<&str>,
        ndjson: bool,
        table: bool,
        terminal: bool,
    ) -> Result<Self> {
        let fields = match json.map(str::trim) {
            None | Some("all") => None,
            Some("") => {
                return Err(CliError::usage(
                    "--json needs `all` or field names, e.g. `--json uuid,size`",
                ))
            }
            Some(list) => Some(parse_fields(list)?),
        };
        let jq = jq.map(jq::Filter::compile).transpose()?;
        let mode = if ndjson {
            Mode::Ndjson
        } else if table || (terminal && json.is_none() && jq.is_none()) {
            Mode::Table
        } else {
            Mode::Json
        };
        Ok(Self { mode, fields, jq })
    }

    /// The output of every run before the flags existed: the body as it is.
    fn plain(&self) -> bool {
        self.mode == Mode::Json && self.fields.is_none() && self.jq.is_none()
    }
}

/// `uuid,metadata.album` → `[["uuid"], ["metadata", "album"]]`.
fn parse_fields(list: &str) -> Result<Vec<Vec<String>>> {
    list.split(',')
        .map(|field| {
            let path: Vec<String> = field.trim().split('.').map(str::to_owned).collect();
            if path.iter().any(|p| p.is_empty()) {
                Err(CliError::usage(format!(
                    "--json: `{field}` is not a field name or a dotted path"
                )))
            } else {
                Ok(path)
            }
        })
        .collect()
}

/// Where a run's answers go: stdout, in the run's [`Options`]; made once in `main` and
/// handed to every command (no global state).
pub struct Output {
    options: Options,
    /// While set, nothing reaches stdout (a dry run prints what it recorded instead).
    muted: std::sync::atomic::AtomicBool,
    /// This run is a `--dry-run` (flows that would react to a refused request check it).
    dry_run: bool,
}

impl Output {
    /// The output of a run with `options`.
    pub fn new(options: Options, dry_run: bool) -> Self {
        Self {
            options,
            muted: std::sync::atomic::AtomicBool::new(false),
            dry_run,
        }
    }

    /// How stdout is written in this run.
    pub fn mode(&self) -> Mode {
        self.options.mode
    }

    /// Prints `text` as it is (e.g. a chart); muted like every answer.
    pub fn text(&self, text: &str) -> Result {
        self.write(text)
    }

    /// Whether this run is a dry run.
    pub fn dry_run(&self) -> bool {
        self.dry_run
    }

    /// Mutes or unmutes stdout.
    pub fn mute(&self, muted: bool) {
        self.muted.store(muted, std::sync::atomic::Ordering::SeqCst);
    }

    /// Prints one answer.
    pub fn print<T: Serialize + ?Sized>(&self, value: &T) -> Result {
        let options = &self.options;
        if options.plain() {
            let mut text = serde_json::to_string_pretty(value)?;
            text.push('\n');
            return self.write(&text);
        }
        let value = select(serde_json::to_value(value)?, options.fields.as_deref());
        self.emit(value, false)
    }

    /// What an empty answer (`204 No Content`) prints: `{}` (nothing in a table).
    pub fn empty(&self) -> Result {
        match self.options.mode {
            Mode::Table => self.write("(done)\n"),
            _ if self.options.plain() => self.write("{}\n"),
            _ => self.print(&serde_json::json!({})),
        }
    }

    /// A list printed item by item as the items arrive.
    pub fn array(&self) -> Result<Array<'_>> {
        Array::start(self)
    }

    /// Every item of every page of a paged list (`items` picks a page's items) as one list,
    /// printed page by page as the pages arrive. Nothing is printed unless the first page
    /// arrives.
    pub async fn print_pages<P, T: Serialize>(
        &self,
        pages: impl futures_util::Stream<Item = uploadcare::Result<P>>,
        items: impl Fn(&P) -> &[T],
    ) -> Result {
        use futures_util::TryStreamExt;
        let mut pages = std::pin::pin!(pages);
        let first = pages.try_next().await?;
        let mut array = self.array()?;
        if let Some(page) = first {
            array.extend(items(&page))?;
        }
        while let Some(page) = pages.try_next().await? {
            array.extend(items(&page))?;
        }
        array.finish()
    }

    fn write(&self, text: &str) -> Result {
        if self.muted.load(std::sync::atomic::Ordering::SeqCst) {
            return Ok(());
        }
        let mut stdout = std::io::stdout().lock();
        stdout.write_all(text.as_bytes())?;
        stdout.flush()?;
        Ok(())
    }

    /// Renders a (selected) document in the run's mode. `streamed`: `value` is one item of a
    /// streamed list (NDJSON writes it as one line).
    fn emit(&self, value: Value, streamed: bool) -> Result {
        let text = render(&self.options, value, streamed)?;
        self.write(&text)
    }
}

/// The text of a (selected) document in `options`' mode.
fn render(options: &Options, value: Value, streamed: bool) -> Result<String> {
    let outputs = match &options.jq {
        Some(filter) => filter.run(value)?,
        None => vec![value],
    };
    let mut text = String::new();
    for value in outputs {
        match options.mode {
            Mode::Table => text.push_str(&table::render(&value)),
            Mode::Ndjson => {
                let records = if streamed || options.jq.is_some() {
                    vec![value]
                } else {
                    records(value)
                };
                for record in records {
                    line(&mut text, &record, false, options.jq.is_some())?;
                }
            }
            Mode::Json => line(&mut text, &value, true, options.jq.is_some())?,
        }
    }
    Ok(text)
}

/// One value on its own: strings raw (jq results), anything else JSON.
fn line(text: &mut String, value: &Value, pretty: bool, jq: bool) -> Result {
    match value {
        Value::String(s) if jq => text.push_str(s),
        _ if pretty => text.push_str(&serde_json::to_string_pretty(value)?),
        _ => text.push_str(&serde_json::to_string(value)?),
    }
    text.push('\n');
    Ok(())
}

/// The records of a document: a list's items, a page's `results`, the files of an upload
/// (path → file), else the document itself.
pub fn records(value: Value) -> Vec<Value> {
    match value {
        Value::Array(items) => items,
        Value::Object(mut object) => match object.remove("results") {
            Some(Value::Array(items)) => items,
            Some(other) => {
                object.insert("results".to_owned(), other);
                vec![Value::Object(object)]
            }
            None if table::is_keyed_files(&object) => object.into_values().collect(),
            None => vec![Value::Object(object)],
        },
        other => vec![other],
    }
}

/// Keeps `fields` of every record, in place: list items, page results, upload files, or
/// the object itself.
fn select(value: Value, fields: Option<&[Vec<String>]>) -> Value {
    let Some(fields) = fields else {
        return value;
    };
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| pick(&v, fields)).collect()),
        Value::Object(mut object) => {
            if let Some(Value::Array(items)) = object.get_mut("results") {
                for item in items.iter_mut() {
                    *item = pick(item, fields);
                }
                Value::Object(object)
            } else if table::is_keyed_files(&object) {
                Value::Object(object.into_iter().map(|(k, v)| (k, pick(&v, fields))).collect())
            } else {
                pick(&Value::Object(object), fields)
            }
        }
        other => other,
    }
}

/// A record with only `fields` (dotted paths make nested objects; missing ones are null).
fn pick(record: &Value, fields: &[Vec<String>]) -> Value {
    let mut out = Value::Object(serde_json::Map::new());
    for path in fields {
        let found = path
            .iter()
            .try_fold(record, |at, key| at.get(key))
            .cloned()
            .unwrap_or(Value::Null);
        let mut at = &mut out;
        for (i, key) in path.iter().enumerate() {
            let object = match at {
                Value::Object(object) => object,
                _ => break,
            };
            if i + 1 == path.len() {
                object.insert(key.clone(), found.clone());
                break;
            }
            at = object
                .entry(key.clone())
                .or_insert_with(|| Value::Object(serde_json::Map::new()));
        }
    }
    out
}

/// A list printed item by item as the items arrive (e.g. page by page): a JSON array that
/// streams, one line per item (`--ndjson`, constant memory), or — for tables and jq, which
/// need the whole list — collected and printed at the end.
pub struct Array<'a> {
    out: &'a Output,
    items: usize,
    collected: Option<Vec<Value>>,
}

impl<'a> Array<'a> {
    fn start(out: &'a Output) -> Result<Self> {
        let options = &out.options;
        let collect = options.mode == Mode::Table || (options.mode == Mode::Json && options.jq.is_some());
        if !collect && options.mode == Mode::Json {
            out.write("[")?;
        }
        Ok(Self {
            out,
            items: 0,
            collected: collect.then(Vec::new),
        })
    }

    /// Appends `items` (and flushes).
    pub fn extend<T: Serialize>(&mut self, items: &[T]) -> Result {
        let options = &self.out.options;
        if let Some(all) = &mut self.collected {
            for item in items {
                all.push(select_one(serde_json::to_value(item)?, options));
            }
            return Ok(());
        }
        if options.mode == Mode::Ndjson {
            for item in items {
                self.out
                    .emit(select_one(serde_json::to_value(item)?, options), true)?;
            }
            return Ok(());
        }
        let mut text = String::new();
        for item in items {
            text.push_str(if self.items == 0 { "\n" } else { ",\n" });
            let pretty = if options.fields.is_some() {
                serde_json::to_string_pretty(&select_one(serde_json::to_value(item)?, options))?
            } else {
                serde_json::to_string_pretty(item)?
            };
            for line in pretty.lines() {
                text.push_str("  ");
                text.push_str(line);
                text.push('\n');
            }
            text.pop();
            self.items += 1;
        }
        self.out.write(&text)
    }

    pub fn finish(self) -> Result {
        match self.collected {
            Some(all) => self.out.emit(Value::Array(all), false),
            None if self.out.options.mode == Mode::Json => {
                self.out.write(if self.items == 0 { "]\n" } else { "\n]\n" })
            }
            None => Ok(()),
        }
    }
}

/// One list item with the `--json` fields.
fn select_one(item: Value, options: &Options) -> Value {
    match &options.fields {
        Some(fields) => pick(&item, fields),
        None => item,
    }
}

/// Serializes pairs as a JSON object in their order (e.g. each given path to its file).
pub struct OrderedMap<'a, V>(pub &'a [(String, V)]);

impl<V: Serialize> Serialize for OrderedMap<'_, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        serializer.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

/// Webhook objects with their `signing_secret` replaced: secrets are never printed.
pub fn redact_webhooks<T: Serialize>(value: &T) -> Result<serde_json::Value> {
    fn redact(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Array(items) => items.iter_mut().for_each(redact),
            serde_json::Value::Object(object) => {
                if let Some(secret) = object.get_mut("signing_secret") {
                    if !secret.is_null() {
                        *secret = serde_json::Value::String("<redacted>".to_owned());
                    }
                }
            }
            _ => {}
        }
    }
    let mut value = serde_json::to_value(value)?;
    redact(&mut value);
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn signing_secrets_are_redacted() {
        let hooks = serde_json::json!([
            {"id": 1, "signing_secret": "s3cret"},
            {"id": 2, "signing_secret": null},
        ]);
        let redacted = redact_webhooks(&hooks).unwrap();
        assert_eq!(redacted[0]["signing_secret"], "<redacted>");
        assert!(redacted[1]["signing_secret"].is_null());
        assert!(!redacted.to_string().contains("s3cret"));
    }

    #[test]
    fn ordered_maps_keep_their_order() {
        let pairs = vec![("b".to_owned(), 1), ("a".to_owned(), 2)];
        assert_eq!(
            serde_json::to_string(&OrderedMap(&pairs)).unwrap(),
            r#"{"b":1,"a":2}"#
        );
    }

    #[test]
    fn fields_are_kept_per_record_with_nested_paths() {
        let fields = parse_fields("uuid, metadata.album,missing").unwrap();
        let page = json!({"next": null, "results": [
            {"uuid": "a", "size": 1, "metadata": {"album": "x", "n": "1"}},
            {"uuid": "b", "size": 2},
        ]});
        assert_eq!(
            select(page, Some(&fields)),
            json!({"next": null, "results": [
                {"uuid": "a", "metadata": {"album": "x"}, "missing": null},
                {"uuid": "b", "metadata": {"album": null}, "missing": null},
            ]})
        );
        let upload = json!({"a.txt": {"uuid": "1", "size": 3}});
        assert_eq!(
            select(upload, Some(&fields[..1])),
            json!({"a.txt": {"uuid": "1"}})
        );
        assert!(parse_fields("uuid,,size").is_err());
        assert!(parse_fields("a..b").is_err());
    }

    #[test]
    fn records_of_lists_pages_uploads_and_objects() {
        assert_eq!(records(json!([1, 2])).len(), 2);
        assert_eq!(
            records(json!({"results": [{"a": 1}], "next": null})),
            vec![json!({"a": 1})]
        );
        assert_eq!(
            records(json!({"x.txt": {"uuid": "u"}})),
            vec![json!({"uuid": "u"})]
        );
        assert_eq!(records(json!({"uuid": "u"})), vec![json!({"uuid": "u"})]);
    }
}
