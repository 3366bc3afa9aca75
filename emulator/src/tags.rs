//! File tags (REST API 0.7): how the service normalizes a list of tags before storing it, and
//! the limits it checks afterwards. Shared by the REST tag endpoints, the search `tags`
//! condition and the Upload API's `tags` form field.

/// Most tags one file may carry (checked after normalization).
pub(crate) const MAX_TAGS_PER_FILE: usize = uploadcare::limits::MAX_TAGS;
/// Longest tag, in characters (checked after normalization).
pub(crate) const MAX_TAG_LENGTH: usize = uploadcare::limits::MAX_TAG_LEN;

/// Why a list of tags is refused. Nothing is changed when a list is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TagError {
    /// More than [`MAX_TAGS_PER_FILE`] tags after normalization.
    TooMany,
    /// A tag longer than [`MAX_TAG_LENGTH`] characters.
    TooLong(String),
    /// A tag with a character other than Latin letters, digits, `-`, `_`, `.`.
    Forbidden(String),
}

impl TagError {
    /// The REST message (the service's exact wording is not documented; these name the
    /// offending tag so a caller can tell which one to fix).
    pub(crate) fn message(&self) -> String {
        match self {
            Self::TooMany => format!("A file can have at most {MAX_TAGS_PER_FILE} tags."),
            Self::TooLong(tag) => {
                format!("Tag `{tag}` is longer than {MAX_TAG_LENGTH} characters.")
            }
            Self::Forbidden(tag) => {
                format!("Tag `{tag}` may contain only Latin letters, digits, `-`, `_` and `.`.")
            }
        }
    }
}

/// Lowercases and trims every tag, drops empty ones and later duplicates, keeping the order
/// of first appearance (`["Cat", " cat ", "", "dog"]` → `["cat", "dog"]`).
pub(crate) fn normalize<'a>(tags: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    let mut normalized: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.trim().to_lowercase();
        if !tag.is_empty() && !normalized.contains(&tag) {
            normalized.push(tag);
        }
    }
    normalized
}

/// Checks one normalized tag's length and characters.
pub(crate) fn check_tag(tag: &str) -> Result<(), TagError> {
    if tag.chars().count() > MAX_TAG_LENGTH {
        return Err(TagError::TooLong(tag.to_owned()));
    }
    if !tag.chars().all(uploadcare::limits::is_tag_char) {
        return Err(TagError::Forbidden(tag.to_owned()));
    }
    Ok(())
}

/// Checks a normalized list meant to be stored on one file: each tag, then the count.
pub(crate) fn check_file_tags(tags: &[String]) -> Result<(), TagError> {
    tags.iter().try_for_each(|tag| check_tag(tag))?;
    if tags.len() > MAX_TAGS_PER_FILE {
        return Err(TagError::TooMany);
    }
    Ok(())
}

/// `added` and `deleted` of a tag change: what `after` has that `before` had not, and the
/// reverse, each sorted alphabetically.
pub(crate) fn changes(before: &[String], after: &[String]) -> (Vec<String>, Vec<String>) {
    let mut added: Vec<String> = after.iter().filter(|t| !before.contains(t)).cloned().collect();
    let mut deleted: Vec<String> = before.iter().filter(|t| !after.contains(t)).cloned().collect();
    added.sort();
    deleted.sort();
    (added, deleted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization_follows_the_fact_sheet() {
        assert_eq!(normalize(["Summer"]), ["summer"]);
        assert_eq!(normalize([" cat "]), ["cat"]);
        assert_eq!(normalize(["cat", "Cat", "CAT"]), ["cat"]);
        assert_eq!(normalize(["cat", "", "dog", "  "]), ["cat", "dog"]);
        assert_eq!(normalize(["z", "a", "m"]), ["z", "a", "m"]);
    }

    #[test]
    fn limits_are_checked_after_normalization() {
        assert_eq!(check_tag(&"a".repeat(100)), Ok(()));
        assert_eq!(
            check_tag(&"a".repeat(101)),
            Err(TagError::TooLong("a".repeat(101)))
        );
        for bad in ["a b", "née", "c++", "x@y", "a/b"] {
            assert_eq!(check_tag(bad), Err(TagError::Forbidden(bad.to_owned())), "{bad}");
        }
        assert_eq!(check_tag("v1.2_beta-3"), Ok(()));
        let fifty: Vec<String> = (0..50).map(|i| format!("t{i}")).collect();
        assert_eq!(check_file_tags(&fifty), Ok(()));
        let mut fifty_one = fifty.clone();
        fifty_one.push("t50".into());
        assert_eq!(check_file_tags(&fifty_one), Err(TagError::TooMany));
    }

    #[test]
    fn changes_are_sorted_and_real() {
        let before = vec!["b".to_owned(), "z".to_owned(), "a".to_owned()];
        let after = vec!["z".to_owned(), "y".to_owned(), "c".to_owned()];
        assert_eq!(
            changes(&before, &after),
            (vec!["c".into(), "y".into()], vec!["a".into(), "b".into()])
        );
    }
}
