//! Matching a parsed search against files: full-text occurrences (exact, or one edit away
//! with `fuzziness`), the relevance score, the filters, the `highlight` of what matched, and
//! the order of the hits.

use super::{lower_chars, Search, SortKey};
use crate::state::FileRecord;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use std::collections::BTreeMap;
use uuid::Uuid;

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
pub(super) struct Matches {
    filename: Vec<(usize, usize)>,
    mime: Vec<(usize, usize)>,
    metadata: BTreeMap<String, Vec<(usize, usize)>>,
}

impl Matches {
    pub(super) fn highlight(&self, file: &FileRecord) -> Option<Value> {
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
pub(super) fn evaluate(search: &Search, file: &FileRecord) -> Option<(u32, Matches)> {
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
pub(super) fn compare(sort: &[(SortKey, bool)], a: &(u32, &FileRecord), b: &(u32, &FileRecord)) -> Ordering {
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
}
