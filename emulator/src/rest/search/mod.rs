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
//!
//! This module holds the handler, paging and the parsed request's types; `parse` reads and
//! checks the request body, `matching` evaluates it against files, highlights and orders
//! the hits.

use super::tags::type_name;
use super::{detail, json_body, no_route, not_found, query_pairs, reply, validation, Rest};
use crate::state::{ApiVersion, FileRecord};
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::Method;
use axum::response::Response;
use axum::routing::post;
use axum::{Extension, Router};
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uploadcare::limits;
use uuid::Uuid;

mod matching;
mod parse;

use matching::{compare, evaluate, Matches};
use parse::parse_search;

pub(super) fn routes() -> Router<Rest> {
    Router::new().route("/files/search/", post(search).fallback(other_method))
}

/// Default and largest `limit`.
const DEFAULT_LIMIT: usize = limits::DEFAULT_SEARCH_PAGE as usize;
const MAX_LIMIT: usize = limits::MAX_SEARCH_PAGE as usize;
/// `offset + limit` may not exceed this (the service says "stay under"; the emulator allows
/// reaching it, the lenient reading).
const RESULT_CEILING: usize = limits::SEARCH_RESULT_CEILING as usize;

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
    fn empty_ranges_are_found() {
        let range = |gt, gte, lt, lte| Range { gt, gte, lt, lte };
        assert!(range(Some(5), None, Some(5), None).is_empty());
        assert!(range(None, Some(6), None, Some(5)).is_empty());
        assert!(!range(None, Some(5), None, Some(5)).is_empty());
        assert!(!range(Some(1), None, None, None).is_empty());
    }
}
