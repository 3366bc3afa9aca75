//! Parsing a search request body: every condition (`query`, `phrase`, `exact`,
//! `datetime_uploaded`, `size`, `is_image`, `tags`) and modifier (`fuzziness`, `sort`) is read
//! into a [`Search`], and every problem is collected into [`Errors`], field by field.

use super::{lower_chars, Errors, Range, Search, SortKey};
use crate::rest::tags::type_name;
use crate::tags::normalize;
use serde_json::{Map, Value};
use uploadcare::limits;
use uuid::Uuid;

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
pub(super) fn parse_search(body: &Map<String, Value>, errors: &mut Errors) -> Search {
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
                    |v| v.as_str().and_then(crate::rest::groups::parse_datetime),
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
        // The names are the library's, in the order of `SortKey`'s variants.
        const KEYS: [SortKey; 4] = [
            SortKey::Score,
            SortKey::Uploaded,
            SortKey::Size,
            SortKey::Filename,
        ];
        let names = uploadcare::limits::SEARCH_SORT_KEYS;
        let Some(key) = names.iter().position(|known| *known == name).map(|at| KEYS[at]) else {
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            errors.add(
                "sort",
                format!(
                    "Unknown sort key `{token}`; use {} or {}, optionally prefixed with `-`.",
                    listed[..listed.len() - 1].join(", "),
                    listed[listed.len() - 1]
                ),
            );
            continue;
        };
        if search.sort.iter().any(|(k, _)| *k == key) {
            errors.add("sort", format!("Sort key `{name}` is given more than once."));
            continue;
        }
        search.sort.push((key, descending));
    }
}
