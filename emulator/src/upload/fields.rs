//! The upload fields every upload endpoint reads the same way: the store flag
//! (`UPLOADCARE_STORE`/`store`), the `metadata[<key>]` fields and `tags`, checked like the
//! service checks them; metadata and tags together are what an upload attaches to its file.

use super::form::Form;
use super::{upload_error, UploadError};
use std::collections::BTreeMap;
use uploadcare::limits::{
    is_metadata_key_char, MAX_METADATA_KEYS as METADATA_MAX_KEYS,
    MAX_METADATA_KEY_LEN as METADATA_MAX_KEY_LEN, MAX_METADATA_VALUE_LEN as METADATA_MAX_VALUE_LEN,
};

/// `UPLOADCARE_STORE`/`store`: `Some(true)` for `1`, `Some(false)` for `0`, `None` (the
/// project's autostore) for `auto`. Missing also means `auto`, the current documented default.
/// Other values are not documented as errors; the emulator reads them as `auto` too.
pub(super) fn store_flag(value: Option<&str>) -> Option<bool> {
    match value {
        Some("1") => Some(true),
        Some("0") => Some(false),
        _ => None,
    }
}

/// The `metadata[<key>]` fields, checked like the service: key not empty, at most 64
/// characters from `[A-Za-z0-9_.:-]`, no duplicates; value 1–512 characters without control
/// characters; at most 50 keys.
fn parse_metadata(form: &Form) -> Result<BTreeMap<String, String>, UploadError> {
    let mut metadata = BTreeMap::new();
    for (name, value) in &form.fields {
        let Some(key) = name.strip_prefix("metadata[").and_then(|k| k.strip_suffix(']')) else {
            continue;
        };
        if key.is_empty() {
            return Err(upload_error("FileMetadataKeyEmptyError", &[]));
        }
        if key.chars().count() > METADATA_MAX_KEY_LEN {
            return Err(upload_error(
                "FileMetadataKeyLengthTooBigError",
                &[&key, &METADATA_MAX_KEY_LEN],
            ));
        }
        if !key.chars().all(is_metadata_key_char) {
            return Err(upload_error("FileMetadataKeyForbiddenError", &[&key]));
        }
        if metadata.contains_key(key) {
            return Err(upload_error("FileMetadataKeyDuplicatedError", &[&key]));
        }
        if value.is_empty() {
            return Err(upload_error("FileMetadataValueEmptyError", &[&key]));
        }
        if value.chars().count() > METADATA_MAX_VALUE_LEN {
            return Err(upload_error(
                "FileMetadataValueLengthTooBigError",
                &[&key, &METADATA_MAX_VALUE_LEN],
            ));
        }
        if value.chars().any(char::is_control) {
            return Err(upload_error("FileMetadataValueForbiddenError", &[&key]));
        }
        metadata.insert(key.to_owned(), value.clone());
    }
    if metadata.len() > METADATA_MAX_KEYS {
        return Err(upload_error(
            "FileMetadataKeysNumberTooBigError",
            &[&METADATA_MAX_KEYS],
        ));
    }
    Ok(metadata)
}

/// The `tags` fields: each a comma-separated list (`cat,animal,cute`), normalized and checked
/// like the REST tag endpoints do; invalid → `FileTag*Error` (400) and the upload does not
/// proceed. Several `tags` fields are read as one list.
fn parse_tags(form: &Form) -> Result<Vec<String>, UploadError> {
    let tags = crate::tags::normalize(
        form.fields
            .iter()
            .filter(|(name, _)| name == "tags")
            .flat_map(|(_, value)| value.split(',')),
    );
    crate::tags::check_file_tags(&tags).map_err(|error| match error {
        crate::tags::TagError::TooMany => {
            upload_error("FileTagsNumberTooBigError", &[&crate::tags::MAX_TAGS_PER_FILE])
        }
        crate::tags::TagError::TooLong(tag) => {
            upload_error("FileTagLengthTooBigError", &[&tag, &crate::tags::MAX_TAG_LENGTH])
        }
        crate::tags::TagError::Forbidden(tag) => upload_error("FileTagForbiddenError", &[&tag]),
    })?;
    Ok(tags)
}

/// What an upload attaches to its file besides the content.
#[derive(Clone, Debug, Default)]
pub(super) struct Attached {
    /// `metadata[<key>]` fields.
    pub(super) metadata: BTreeMap<String, String>,
    /// The `tags` field.
    pub(super) tags: Vec<String>,
}

impl Attached {
    /// Reads and checks both from the form.
    pub(super) fn from_form(form: &Form) -> Result<Self, UploadError> {
        Ok(Self {
            metadata: parse_metadata(form)?,
            tags: parse_tags(form)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metadata_rules() {
        let form = |pairs: &[(&str, &str)]| Form {
            fields: pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            files: Vec::new(),
        };
        let ok = parse_metadata(&form(&[("metadata[a:b.c-d_e]", "x"), ("other", "")])).unwrap();
        assert_eq!(ok.get("a:b.c-d_e").map(String::as_str), Some("x"));
        let code = |pairs: &[(&str, &str)]| parse_metadata(&form(pairs)).unwrap_err().code;
        assert_eq!(code(&[("metadata[]", "x")]), "FileMetadataKeyEmptyError");
        assert_eq!(code(&[("metadata[a b]", "x")]), "FileMetadataKeyForbiddenError");
        assert_eq!(
            code(&[(&format!("metadata[{}]", "k".repeat(65)), "x")]),
            "FileMetadataKeyLengthTooBigError"
        );
        assert_eq!(
            code(&[("metadata[k]", "x"), ("metadata[k]", "y")]),
            "FileMetadataKeyDuplicatedError"
        );
        assert_eq!(code(&[("metadata[k]", "")]), "FileMetadataValueEmptyError");
        assert_eq!(
            code(&[("metadata[k]", &"v".repeat(513))]),
            "FileMetadataValueLengthTooBigError"
        );
        assert_eq!(
            code(&[("metadata[k]", "a\nb")]),
            "FileMetadataValueForbiddenError"
        );
        let many: Vec<(String, String)> = (0..51)
            .map(|i| (format!("metadata[k{i}]"), "v".to_owned()))
            .collect();
        let many = Form {
            fields: many,
            files: Vec::new(),
        };
        assert_eq!(
            parse_metadata(&many).unwrap_err().code,
            "FileMetadataKeysNumberTooBigError"
        );
    }
}
