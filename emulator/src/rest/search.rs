//! File search (REST API 0.7): `POST /files/search/`.
//!
//! Evaluated over the project's live, ready files as the search index sees them (see
//! [`crate::index`]): removed files and files still being made (conversions) are not
//! found. How the emulator reads the conditions where the service's documentation leaves room:
//!
//! - All top-level conditions combine with AND; OR only among the values of one `exact` field,
//!   across the fields `query` looks at, and in `tags.any`.
//! - `query` is split into whitespace-separated terms; every term must occur, case-insensitive
//!   and inside words too, in the original file name, the MIME type or a metadata value (any
//!   of them, each term on its own). A `query` that is a file's UUID finds that file.
//! - `phrase` fields match their whole string (case-insensitive substring) in that field; all
//!   given `phrase` fields must match. `phrase.metadata` looks at every metadata value.
//! - `exact` values are compared whole: UUIDs and MIME types case-insensitively, file names
//!   and metadata values case-sensitively. `phrase.metadata` and an `exact` `metadata[<key>]`
//!   count as the same field, so they may not be combined.
//! - `fuzziness: true` lets a term or phrase also match text one edit away (one character
//!   replaced, inserted or removed) when it does not occur as written.
//! - Relevance (`score`) counts full-text matches: 3 per term found in the file name, 2 in
//!   metadata, 1 in the MIME type, 2 per matching `phrase` field, 10 for a UUID `query`; the
//!   other conditions only filter. The default order is `-score`, then newest first. Every
//!   order ends with newest first, then UUID, so pages are stable. `original_filename` sorts
//!   case-insensitively.
//! - Paging: `offset + limit` may be at most 1000 (the service says it "must stay under
//!   1000"; the emulator allows exactly 1000, the lenient reading). A `next` link is given only
//!   while the next page fits under that ceiling.
//! - Validation errors are collected for every field at once and answered together.

use super::tags::type_name;
use super::{detail, json_body, no_route, not_found, query_pairs, reply, validation, Rest};
use crate::state::{ApiVersion, FileRecord};
use crate::tags::normalize;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use uploadcare::limits;
use uuid::Uuid;

pub(super) fn routes() -> Router<Rest> {
    Router::new().route("/files/search/", post(search).fallback(other_method))
}

/// Default and largest `limit`.
const DEFAULT_LIMIT: usize = limits::DEFAULT_SEARCH_PAGE as usize;
const MAX_LIMIT: usize = limits::MAX_SEARCH_PAGE as usize;
/// `offset + limit` may not exceed this (the service says "stay under"; the emulator allows
/// reaching it, the lenient reading).
const RESULT_CEILING: usize = limits::SEARCH_RESULT_CEILING as usize;
/// Shortest `query` and `phrase` string.
const MIN_TEXT_LEN: usize = limits::MIN_SEARCH_TEXT_LEN;
/// Most `sort` keys.
const MAX_SORT_KEYS: usize = limits::MAX_SEARCH_SORT_KEYS;
/// Condition keys (`sort` and `fuzziness` only modify a search).
const CONDITIONS: [&str; 7] = [
    "query",
    "phrase",
    "exact",
    "datetime_uploaded",
    "size",
    "is_image",
    "tags",
];

/// Validation messages by field, answered together.
#[derive(Default)]
struct Errors(BTreeMap<String, Vec<String>>);

impl Errors {
    fn add(&mut self, field: &str, message: impl Into<String>) {
        self.0.entry(field.to_owned()).or_default().push(message.into());
    }
}

/// A range condition's bounds.
#[derive(Clone, Debug)]
struct Range<T> {
    gt: Option<T>,
    gte: Option<T>,
    lt: Option<T>,
    lte: Option<T>,
}

impl<T: PartialOrd + Copy> Range<T> {
    fn contains(&self, value: T) -> bool {
        self.gt.is_none_or(|b| value > b)
            && self.gte.is_none_or(|b| value >= b)
            && self.lt.is_none_or(|b| value < b)
            && self.lte.is_none_or(|b| value <= b)
    }

    /// Whether no value can be in the range (its lower bound is not below its upper bound).
    fn is_empty(&self) -> bool {
        let lowers = [(self.gt, true), (self.gte, false)];
        let uppers = [(self.lt, true), (self.lte, false)];
        lowers.iter().any(|(lower, lower_strict)| {
            uppers.iter().any(|(upper, upper_strict)| match (lower, upper) {
                (Some(lower), Some(upper)) => {
                    lower > upper || (lower == upper && (*lower_strict || *upper_strict))
                }
                _ => false,
            })
        })
    }
}

/// A `sort` key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortKey {
    Score,
    Uploaded,
    Size,
    Filename,
}

/// A parsed, valid search request body.
#[derive(Default)]
struct Search {
    /// `query`: trimmed as given, and its lowercase terms.
    query: Option<(String, Vec<Vec<char>>)>,
    /// `phrase` fields, lowercase.
    phrase_filename: Option<Vec<char>>,
    phrase_mime: Option<Vec<char>>,
    phrase_metadata: Option<Vec<char>>,
    /// `exact` fields.
    exact_uuid: Option<Vec<Uuid>>,
    exact_mime: Option<Vec<String>>,
    exact_filename: Option<Vec<String>>,
    exact_metadata: Vec<(String, Vec<String>)>,
    uploaded: Option<Range<DateTime<Utc>>>,
    size: Option<Range<u64>>,
    is_image: Option<bool>,
    fuzzy: bool,
    tags_any: Option<Vec<String>>,
    tags_all: Option<Vec<String>>,
    tags_none: Option<Vec<String>>,
    /// `(key, descending)`, in order.
    sort: Vec<(SortKey, bool)>,
}

/// The chars of `text`, each lowercased one to one (so indexes stay those of the original).
fn lower_chars(text: &str) -> Vec<char> {
    text.chars()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .collect()
}

/// The service's message for a too-short text condition.
const TOO_SHORT: &str = "Must be at least 4 characters.";
const _: () = assert!(MIN_TEXT_LEN == 4, "TOO_SHORT names the minimum");

/// A string of at least [`MIN_TEXT_LEN`] characters (after trimming).
fn text_condition(value: &Value) -> Result<String, &'static str> {
    let Value::String(text) = value else {
        return Err("Not a valid string.");
    };
    let text = text.trim();
    if text.chars().count() < MIN_TEXT_LEN {
        return Err(TOO_SHORT);
    }
    Ok(text.to_owned())
}

/// A non-empty list of strings, or the message for `name`.
fn string_list(value: &Value, name: &str) -> Result<Vec<String>, String> {
    let bad = || format!("`{name}` must be a non-empty list of strings.");
    let Value::Array(items) = value else {
        return Err(bad());
    };
    let strings: Option<Vec<String>> = items.iter().map(|v| v.as_str().map(str::to_owned)).collect();
    strings.filter(|s| !s.is_empty()).ok_or_else(bad)
}

/// Whether `key` may be a metadata key (the REST metadata endpoints' rule).
fn valid_metadata_key(key: &str) -> bool {
    limits::is_metadata_key(key)
}

/// A range object; `bound` reads one bound's value (or says why it can't).
fn range<T: PartialOrd + Copy>(
    value: &Value,
    field: &str,
    errors: &mut Errors,
    bound: impl Fn(&Value) -> Option<T>,
    expected: &str,
) -> Option<Range<T>> {
    let Value::Object(object) = value else {
        errors.add(
            field,
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(value)
            ),
        );
        return None;
    };
    let mut range = Range {
        gt: None,
        gte: None,
        lt: None,
        lte: None,
    };
    let before = errors.0.len();
    for (key, value) in object {
        let slot = match key.as_str() {
            "gt" => &mut range.gt,
            "gte" => &mut range.gte,
            "lt" => &mut range.lt,
            "lte" => &mut range.lte,
            _ => {
                errors.add(
                    field,
                    format!("Unknown bound `{key}`; use `gt`, `gte`, `lt` or `lte`."),
                );
                continue;
            }
        };
        match bound(value) {
            Some(v) => *slot = Some(v),
            None => errors.add(field, format!("`{key}` must be {expected}.")),
        }
    }
    if errors.0.len() != before {
        return None;
    }
    if object.is_empty() {
        errors.add(field, "At least one of `gt`, `gte`, `lt`, `lte` is required.");
        return None;
    }
    if range.is_empty() {
        errors.add(field, "The lower bound must be below the upper bound.");
        return None;
    }
    Some(range)
}

/// Reads a search body, collecting every problem.
fn parse_search(body: &Map<String, Value>, errors: &mut Errors) -> Search {
    let mut search = Search::default();
    for (key, value) in body {
        if value.is_null() {
            errors.add(key, "This field may not be null.");
            continue;
        }
        match key.as_str() {
            "query" => match text_condition(value) {
                Ok(text) => {
                    let terms = text.split_whitespace().map(lower_chars).collect();
                    search.query = Some((text, terms));
                }
                Err(message) => errors.add("query", message),
            },
            "phrase" => parse_phrase(value, &mut search, errors),
            "exact" => parse_exact(value, &mut search, errors),
            "datetime_uploaded" => {
                search.uploaded = range(
                    value,
                    key,
                    errors,
                    |v| v.as_str().and_then(super::groups::parse_datetime),
                    "an ISO 8601 date-time",
                );
            }
            "size" => {
                search.size = range(value, key, errors, Value::as_u64, "a non-negative integer");
            }
            "is_image" => match value {
                Value::Bool(b) => search.is_image = Some(*b),
                _ => errors.add(key, "Must be a valid boolean."),
            },
            "fuzziness" => match value {
                Value::Bool(b) => search.fuzzy = *b,
                _ => errors.add(key, "Must be a valid boolean."),
            },
            "tags" => parse_tags(value, &mut search, errors),
            "sort" => parse_sort(value, &mut search, errors),
            _ => errors.add(key, "Unknown field."),
        }
    }
    let has_condition = CONDITIONS
        .iter()
        .any(|name| body.get(*name).is_some_and(|v| !v.is_null()));
    if !has_condition {
        errors.add("non_field_errors", "At least one search condition is required.");
    }
    // One field, one kind of matching.
    let phrase = body.get("phrase").and_then(Value::as_object);
    let exact = body.get("exact").and_then(Value::as_object);
    if let (Some(phrase), Some(exact)) = (phrase, exact) {
        for field in ["original_filename", "detected_mime_type", "metadata"] {
            let in_exact = if field == "metadata" {
                exact.keys().any(|k| k.starts_with("metadata["))
            } else {
                exact.contains_key(field)
            };
            if phrase.contains_key(field) && in_exact {
                errors.add(
                    "non_field_errors",
                    format!("`{field}` can not be used in both `phrase` and `exact`."),
                );
            }
        }
    }
    search
}

fn parse_phrase(value: &Value, search: &mut Search, errors: &mut Errors) {
    let Value::Object(object) = value else {
        errors.add(
            "phrase",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(value)
            ),
        );
        return;
    };
    if object.is_empty() {
        errors.add("phrase", "At least one field is required.");
    }
    for (field, value) in object {
        let slot = match field.as_str() {
            "original_filename" => &mut search.phrase_filename,
            "detected_mime_type" => &mut search.phrase_mime,
            "metadata" => &mut search.phrase_metadata,
            _ => {
                errors.add(
                    "phrase",
                    format!(
                        "Unknown field `{field}`; use `original_filename`, `detected_mime_type` or `metadata`."
                    ),
                );
                continue;
            }
        };
        match text_condition(value) {
            Ok(text) => *slot = Some(lower_chars(&text)),
            Err(_) if !value.is_string() => errors.add("phrase", format!("`{field}` must be a string.")),
            Err(_) => errors.add(
                "phrase",
                format!("`{field}` must be at least {MIN_TEXT_LEN} characters."),
            ),
        }
    }
}

fn parse_exact(value: &Value, search: &mut Search, errors: &mut Errors) {
    let Value::Object(object) = value else {
        errors.add(
            "exact",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(value)
            ),
        );
        return;
    };
    if object.is_empty() {
        errors.add("exact", "At least one field is required.");
    }
    for (field, value) in object {
        let metadata_key = field
            .strip_prefix("metadata[")
            .and_then(|k| k.strip_suffix(']'))
            .filter(|k| valid_metadata_key(k));
        let known = matches!(
            field.as_str(),
            "uuid" | "detected_mime_type" | "original_filename"
        );
        if !known && metadata_key.is_none() {
            errors.add(
                "exact",
                format!(
                    "Unknown field `{field}`; use `uuid`, `detected_mime_type`, `original_filename` or `metadata[<key>]`."
                ),
            );
            continue;
        }
        let values = match string_list(value, field) {
            Ok(values) => values,
            Err(message) => {
                errors.add("exact", message);
                continue;
            }
        };
        match (field.as_str(), metadata_key) {
            ("uuid", _) => {
                let mut uuids = Vec::new();
                for text in &values {
                    match text.trim().parse::<Uuid>() {
                        Ok(uuid) => uuids.push(uuid),
                        Err(_) => errors.add("exact", format!("`uuid` values must be UUIDs; got `{text}`.")),
                    }
                }
                search.exact_uuid = Some(uuids);
            }
            ("detected_mime_type", _) => {
                search.exact_mime = Some(values.iter().map(|v| v.to_ascii_lowercase()).collect());
            }
            ("original_filename", _) => search.exact_filename = Some(values),
            (_, Some(key)) => search.exact_metadata.push((key.to_owned(), values)),
            _ => {}
        }
    }
}

fn parse_tags(value: &Value, search: &mut Search, errors: &mut Errors) {
    let Value::Object(object) = value else {
        errors.add(
            "tags",
            format!(
                "Expected a dictionary of items but got type \"{}\".",
                type_name(value)
            ),
        );
        return;
    };
    if object.is_empty() {
        errors.add("tags", "At least one of `any`, `all`, `none` is required.");
    }
    for (key, value) in object {
        let slot = match key.as_str() {
            "any" => &mut search.tags_any,
            "all" => &mut search.tags_all,
            "none" => &mut search.tags_none,
            _ => {
                errors.add(
                    "tags",
                    format!("Unknown key `{key}`; use `any`, `all` or `none`."),
                );
                continue;
            }
        };
        // Tags are matched as they are stored: normalized.
        let tags = string_list(value, key).map(|list| normalize(list.iter().map(String::as_str)));
        match tags {
            Ok(tags) if !tags.is_empty() => *slot = Some(tags),
            _ => errors.add("tags", format!("`{key}` must be a non-empty list of tags.")),
        }
    }
}

fn parse_sort(value: &Value, search: &mut Search, errors: &mut Errors) {
    let Value::Array(items) = value else {
        errors.add(
            "sort",
            format!("Expected a list of items but got type \"{}\".", type_name(value)),
        );
        return;
    };
    if items.len() > MAX_SORT_KEYS {
        errors.add("sort", format!("At most {MAX_SORT_KEYS} sort keys are allowed."));
        return;
    }
    for item in items {
        let Some(token) = item.as_str() else {
            errors.add("sort", "Not a valid string.");
            continue;
        };
        let (descending, name) = match token.strip_prefix('-') {
            Some(name) => (true, name),
            None => (false, token),
        };
        let key = match name {
            "score" => SortKey::Score,
            "datetime_uploaded" => SortKey::Uploaded,
            "size" => SortKey::Size,
            "original_filename" => SortKey::Filename,
            _ => {
                errors.add(
                    "sort",
                    format!(
                        "Unknown sort key `{token}`; use `score`, `datetime_uploaded`, `size` or `original_filename`, optionally prefixed with `-`."
                    ),
                );
                continue;
            }
        };
        if search.sort.iter().any(|(k, _)| *k == key) {
            errors.add("sort", format!("Sort key `{name}` is given more than once."));
            continue;
        }
        search.sort.push((key, descending));
    }
}

/// Whether `a` and `b` are at most one edit apart (replace, insert or remove one char).
fn within_one_edit(a: &[char], b: &[char]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    match long.len() - short.len() {
        0 => short.iter().zip(long).filter(|(x, y)| x != y).count() <= 1,
        1 => {
            let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
            short[prefix..] == long[prefix + 1..]
        }
        _ => false,
    }
}

/// Where `needle` (lowercase) occurs in `haystack` (char index ranges, not overlapping),
/// case-insensitively; with `fuzzy`, text one edit away counts when there is no exact match.
fn occurrences(haystack: &str, needle: &[char], fuzzy: bool) -> Vec<(usize, usize)> {
    let hay = lower_chars(haystack);
    let n = needle.len();
    let mut found = Vec::new();
    let mut i = 0;
    while n > 0 && i + n <= hay.len() {
        if hay[i..i + n] == *needle {
            found.push((i, i + n));
            i += n;
        } else {
            i += 1;
        }
    }
    if found.is_empty() && fuzzy && n > 1 {
        let mut i = 0;
        while i < hay.len() {
            let window = [n, n - 1, n + 1]
                .into_iter()
                .find(|len| i + len <= hay.len() && within_one_edit(&hay[i..i + len], needle));
            match window {
                Some(len) => {
                    found.push((i, i + len));
                    i += len;
                }
                None => i += 1,
            }
        }
    }
    found
}

/// `text` with the char ranges wrapped in `<em>…</em>` (overlapping ranges merged).
fn highlighted(text: &str, mut ranges: Vec<(usize, usize)>) -> String {
    ranges.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (start, end) in ranges {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 9);
    let mut ranges = merged.into_iter().peekable();
    for (i, c) in text.chars().enumerate() {
        if ranges.peek().is_some_and(|(start, _)| *start == i) {
            out.push_str("<em>");
        }
        out.push(c);
        if ranges.peek().is_some_and(|(_, end)| *end == i + 1) {
            out.push_str("</em>");
            ranges.next();
        }
    }
    out
}

/// Full-text matches found in one file: char ranges per field, for `highlight`.
#[derive(Default)]
struct Matches {
    filename: Vec<(usize, usize)>,
    mime: Vec<(usize, usize)>,
    metadata: BTreeMap<String, Vec<(usize, usize)>>,
}

impl Matches {
    fn highlight(&self, file: &FileRecord) -> Option<Value> {
        let mut highlight = Map::new();
        if !self.filename.is_empty() {
            highlight.insert(
                "original_filename".into(),
                json!([highlighted(&file.filename, self.filename.clone())]),
            );
        }
        if !self.mime.is_empty() {
            highlight.insert(
                "detected_mime_type".into(),
                json!([highlighted(&file.mime_type, self.mime.clone())]),
            );
        }
        let metadata: Map<String, Value> = self
            .metadata
            .iter()
            .filter(|(_, ranges)| !ranges.is_empty())
            .filter_map(|(key, ranges)| {
                let value = file.metadata.get(key)?;
                Some((key.clone(), json!([highlighted(value, ranges.clone())])))
            })
            .collect();
        if !metadata.is_empty() {
            highlight.insert("metadata".into(), Value::Object(metadata));
        }
        (!highlight.is_empty()).then_some(Value::Object(highlight))
    }
}

/// The relevance score and full-text matches of `file`, or `None` when it does not match.
fn evaluate(search: &Search, file: &FileRecord) -> Option<(u32, Matches)> {
    if file.removed.is_some() || !file.ready {
        return None;
    }
    let mut score = 0;
    let mut matches = Matches::default();
    let fuzzy = search.fuzzy;

    if let Some((text, terms)) = &search.query {
        let is_uuid = text.parse::<Uuid>().is_ok_and(|uuid| uuid == file.uuid);
        let mut every_term = true;
        for term in terms {
            let mut found = false;
            let in_name = occurrences(&file.filename, term, fuzzy);
            if !in_name.is_empty() {
                score += 3;
                found = true;
                matches.filename.extend(in_name);
            }
            let in_mime = occurrences(&file.mime_type, term, fuzzy);
            if !in_mime.is_empty() {
                score += 1;
                found = true;
                matches.mime.extend(in_mime);
            }
            for (key, value) in &file.metadata {
                let in_value = occurrences(value, term, fuzzy);
                if !in_value.is_empty() {
                    score += 2;
                    found = true;
                    matches.metadata.entry(key.clone()).or_default().extend(in_value);
                }
            }
            every_term &= found;
        }
        if is_uuid {
            score += 10;
        } else if !every_term {
            return None;
        }
    }

    if let Some(phrase) = &search.phrase_filename {
        let found = occurrences(&file.filename, phrase, fuzzy);
        if found.is_empty() {
            return None;
        }
        score += 2;
        matches.filename.extend(found);
    }
    if let Some(phrase) = &search.phrase_mime {
        let found = occurrences(&file.mime_type, phrase, fuzzy);
        if found.is_empty() {
            return None;
        }
        score += 2;
        matches.mime.extend(found);
    }
    if let Some(phrase) = &search.phrase_metadata {
        let mut any = false;
        for (key, value) in &file.metadata {
            let found = occurrences(value, phrase, fuzzy);
            if !found.is_empty() {
                any = true;
                matches.metadata.entry(key.clone()).or_default().extend(found);
            }
        }
        if !any {
            return None;
        }
        score += 2;
    }

    let exact_ok = search
        .exact_uuid
        .as_ref()
        .is_none_or(|uuids| uuids.contains(&file.uuid))
        && search
            .exact_mime
            .as_ref()
            .is_none_or(|mimes| mimes.contains(&file.mime_type.to_ascii_lowercase()))
        && search
            .exact_filename
            .as_ref()
            .is_none_or(|names| names.contains(&file.filename))
        && search
            .exact_metadata
            .iter()
            .all(|(key, values)| file.metadata.get(key).is_some_and(|v| values.contains(v)));
    let is_image = file.image_size().is_some();
    let filters_ok = exact_ok
        && search.uploaded.as_ref().is_none_or(|r| r.contains(file.uploaded))
        && search.size.as_ref().is_none_or(|r| r.contains(file.size()))
        && search.is_image.is_none_or(|wanted| wanted == is_image)
        && search
            .tags_any
            .as_ref()
            .is_none_or(|tags| tags.iter().any(|t| file.tags.contains(t)))
        && search
            .tags_all
            .as_ref()
            .is_none_or(|tags| tags.iter().all(|t| file.tags.contains(t)))
        && search
            .tags_none
            .as_ref()
            .is_none_or(|tags| !tags.iter().any(|t| file.tags.contains(t)));
    filters_ok.then_some((score, matches))
}

/// Orders two hits by the request's sort keys (default `-score`), then newest first, then
/// UUID.
fn compare(sort: &[(SortKey, bool)], a: &(u32, &FileRecord), b: &(u32, &FileRecord)) -> Ordering {
    let default = [(SortKey::Score, true)];
    let keys = if sort.is_empty() { &default[..] } else { sort };
    for (key, descending) in keys {
        let order = match key {
            SortKey::Score => a.0.cmp(&b.0),
            SortKey::Uploaded => a.1.uploaded.cmp(&b.1.uploaded),
            SortKey::Size => a.1.size().cmp(&b.1.size()),
            SortKey::Filename => {
                a.1.filename
                    .to_lowercase()
                    .cmp(&b.1.filename.to_lowercase())
                    .then_with(|| a.1.filename.cmp(&b.1.filename))
            }
        };
        let order = if *descending { order.reverse() } else { order };
        if order != Ordering::Equal {
            return order;
        }
    }
    b.1.uploaded
        .cmp(&a.1.uploaded)
        .then_with(|| a.1.uuid.cmp(&b.1.uuid))
}

/// `limit`, `offset` and whether `include=appdata` was asked for, from the query.
fn paging(pairs: &[(String, String)], errors: &mut Errors) -> (usize, usize, bool) {
    let param = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
    let mut number = |name: &str, default: usize, min: i64, max: Option<i64>| match param(name) {
        None => Some(default),
        Some(text) => match text.trim().parse::<i64>() {
            Err(_) => {
                errors.add(name, "A valid integer is required.");
                None
            }
            Ok(n) if n < min => {
                errors.add(
                    name,
                    format!("Ensure this value is greater than or equal to {min}."),
                );
                None
            }
            Ok(n) if max.is_some_and(|max| n > max) => {
                let max = max.unwrap_or_default();
                errors.add(name, format!("Ensure this value is less than or equal to {max}."));
                None
            }
            Ok(n) => usize::try_from(n).ok(),
        },
    };
    let limit = number("limit", DEFAULT_LIMIT, 1, Some(MAX_LIMIT as i64));
    let offset = number("offset", 0, 0, None);
    if let (Some(limit), Some(offset)) = (limit, offset) {
        if offset.saturating_add(limit) > RESULT_CEILING {
            errors.add(
                "offset",
                format!("`offset` + `limit` must not exceed {RESULT_CEILING}."),
            );
        }
    }
    let mut appdata = false;
    for (_, value) in pairs.iter().filter(|(k, _)| k == "include") {
        for item in value.split(',').filter(|v| !v.is_empty()) {
            if item == "appdata" {
                appdata = true;
            } else {
                errors.add(
                    "include",
                    format!("Unknown value `{item}`; only `appdata` is supported."),
                );
            }
        }
    }
    (limit.unwrap_or(DEFAULT_LIMIT), offset.unwrap_or(0), appdata)
}

/// `POST /files/search/`.
async fn search(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    if version != ApiVersion::V0_7 {
        // Before 0.7 the path has no route (it used to reach `/files/{uuid}/`, which has no
        // POST; today's answer for a path without one is the same as for no route at all).
        return no_route();
    }
    // An empty body is an empty search (one without conditions).
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        Value::Object(Map::new())
    } else {
        match json_body(&body) {
            Ok(body) => body,
            Err(response) => return response,
        }
    };
    let mut errors = Errors::default();
    let pairs = query_pairs(query.as_deref());
    let (limit, offset, appdata) = paging(&pairs, &mut errors);
    let search = match &body {
        Value::Object(object) => parse_search(object, &mut errors),
        other => {
            errors.add(
                "non_field_errors",
                format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    type_name(other)
                ),
            );
            Search::default()
        }
    };
    if !errors.0.is_empty() {
        return validation(&errors.0);
    }

    let project = rest.state.lock();
    let mut hits: Vec<(u32, &FileRecord, Matches)> = project
        .searchable_files()
        .into_iter()
        .filter_map(|file| evaluate(&search, file).map(|(score, matches)| (score, file, matches)))
        .collect();
    hits.sort_by(|a, b| compare(&search.sort, &(a.0, a.1), &(b.0, b.1)));
    let total = hits.len();
    let results: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(limit)
        .map(|(_, indexed, matches)| {
            // Matched against the index; answered as the file is now.
            let current = project.files.get(&indexed.uuid).unwrap_or(indexed);
            let mut object = current.to_rest_json(version, &rest.urls, appdata);
            if let Some(highlight) = matches.highlight(indexed) {
                object["highlight"] = highlight;
            }
            object
        })
        .collect();
    let link = |offset: usize| {
        let mut pairs = vec![
            ("limit".to_owned(), limit.to_string()),
            ("offset".to_owned(), offset.to_string()),
        ];
        if appdata {
            pairs.push(("include".to_owned(), "appdata".to_owned()));
        }
        let query = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}/files/search/?{query}", rest.urls.rest)
    };
    let next_offset = offset + limit;
    let next = (next_offset < total && next_offset + limit <= RESULT_CEILING).then(|| link(next_offset));
    let previous = (offset > 0).then(|| link(offset.saturating_sub(limit)));
    reply(
        version,
        200,
        &json!({
            "next": next,
            "previous": previous,
            "total": total,
            "per_page": limit,
            "results": results,
        }),
    )
}

/// Other methods on `/files/search/`: 405 in 0.7; before, what `/files/{uuid}/` answered for
/// the non-UUID `search` (404 `Not found.` for its methods, no route for the others).
async fn other_method(Extension(version): Extension<ApiVersion>, method: Method) -> Response {
    match version {
        ApiVersion::V0_7 => detail(405, format!("Method \"{method}\" not allowed.")),
        _ if method == Method::GET || method == Method::DELETE => not_found(),
        _ => no_route(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_edit_apart() {
        let c = |s: &str| s.chars().collect::<Vec<_>>();
        assert!(within_one_edit(&c("sunset"), &c("sunset")));
        assert!(within_one_edit(&c("sunset"), &c("sumset")));
        assert!(within_one_edit(&c("sunset"), &c("sunet")));
        assert!(within_one_edit(&c("sunset"), &c("sunsets")));
        assert!(!within_one_edit(&c("sunset"), &c("sanzet")));
        assert!(!within_one_edit(&c("sunset"), &c("sun")));
    }

    #[test]
    fn matches_are_wrapped_in_em() {
        let needle = lower_chars("sun");
        let ranges = occurrences("Sunny SUNset", &needle, false);
        assert_eq!(ranges, [(0, 3), (6, 9)]);
        assert_eq!(
            highlighted("Sunny SUNset", ranges),
            "<em>Sun</em>ny <em>SUN</em>set"
        );
        assert_eq!(highlighted("abcdef", vec![(1, 3), (2, 5)]), "a<em>bcde</em>f");
        assert_eq!(
            occurrences("beach-sumset.jpg", &lower_chars("sunset"), true),
            [(6, 12)]
        );
    }

    #[test]
    fn empty_ranges_are_found() {
        let range = |gt, gte, lt, lte| Range { gt, gte, lt, lte };
        assert!(range(Some(5), None, Some(5), None).is_empty());
        assert!(range(None, Some(6), None, Some(5)).is_empty());
        assert!(!range(None, Some(5), None, Some(5)).is_empty());
        assert!(!range(Some(1), None, None, None).is_empty());
    }
}
