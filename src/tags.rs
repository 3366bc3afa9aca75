//! File tags, checked and normalized on this side exactly as the service does it, so a bad
//! tag is an [`Error::InvalidTag`] before any request: lowercased, surrounding whitespace
//! stripped, empty ones dropped, duplicates dropped (the first stays), order kept; then at
//! most [`MAX_TAGS`] tags of at most [`MAX_TAG_LEN`] characters out of Latin letters,
//! digits, `-`, `_` and `.`.

use crate::error::{Error, Result};

pub use crate::limits::{MAX_TAGS, MAX_TAG_LEN};

/// The tags as the service stores them, or the first one it would refuse.
///
/// ```
/// let tags = uploadcare::tags::normalize_tags([" Summer ", "beach", "SUMMER", ""]).unwrap();
/// assert_eq!(tags, ["summer", "beach"]);
/// assert!(uploadcare::tags::normalize_tags(["two words"]).is_err());
/// ```
pub fn normalize_tags<I, S>(tags: I) -> Result<Vec<String>>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let tag = tag.as_ref().trim().to_lowercase();
        if tag.is_empty() || out.contains(&tag) {
            continue;
        }
        if tag.chars().count() > MAX_TAG_LEN {
            return Err(invalid(&tag, format!("longer than {MAX_TAG_LEN} characters")));
        }
        if let Some(bad) = tag.chars().find(|c| !crate::limits::is_tag_char(*c)) {
            return Err(invalid(
                &tag,
                format!("`{bad}` is not allowed (only Latin letters, digits, `-`, `_`, `.`)"),
            ));
        }
        out.push(tag);
    }
    if out.len() > MAX_TAGS {
        return Err(invalid(
            &out[MAX_TAGS],
            format!("a file has at most {MAX_TAGS} tags"),
        ));
    }
    Ok(out)
}

fn invalid(tag: &str, reason: String) -> Error {
    Error::InvalidTag {
        tag: tag.to_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_normalized_like_the_service_does() {
        assert_eq!(normalize_tags(["Summer"]).unwrap(), ["summer"]);
        assert_eq!(normalize_tags([" cat "]).unwrap(), ["cat"]);
        assert_eq!(normalize_tags(["cat", "Cat", "CAT"]).unwrap(), ["cat"]);
        assert_eq!(normalize_tags(["cat", "", "dog", "  "]).unwrap(), ["cat", "dog"]);
        assert_eq!(normalize_tags(["z", "a", "m"]).unwrap(), ["z", "a", "m"]);
        assert_eq!(normalize_tags(["a-b_c.d9"]).unwrap(), ["a-b_c.d9"]);
        assert!(normalize_tags(Vec::<String>::new()).unwrap().is_empty());
    }

    #[test]
    fn each_limit_is_a_typed_error_naming_the_tag() {
        let reason = |tags: Vec<String>| match normalize_tags(tags) {
            Err(Error::InvalidTag { tag, reason }) => (tag, reason),
            other => panic!("{other:?}"),
        };
        for bad in ["two words", "café", "a+b", "me@home", "x/y"] {
            let (tag, _) = reason(vec![bad.to_owned()]);
            assert_eq!(tag, bad.to_lowercase());
        }
        let (tag, why) = reason(vec!["x".repeat(101)]);
        assert!(tag.len() == 101 && why.contains("100"));
        assert!(normalize_tags(["x".repeat(100)]).is_ok());
        let many: Vec<String> = (0..51).map(|i| format!("t{i}")).collect();
        let (tag, why) = reason(many.clone());
        assert!(tag == "t50" && why.contains("50"), "{tag} {why}");
        assert!(normalize_tags(&many[..50]).is_ok());
        // Limits count after normalization: 60 spellings of 50 tags are fine.
        let spellings: Vec<String> = (0..60).map(|i| format!("T{}", i % 50)).collect();
        assert_eq!(normalize_tags(spellings).unwrap().len(), 50);
    }
}
