//! JSON on stdout: one pretty-printed document per command.

use crate::error::Result;
use serde::Serialize;
use std::io::Write;

/// Prints `value` as pretty JSON and a newline.
pub fn print<T: Serialize + ?Sized>(value: &T) -> Result {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write(&text)
}

/// What an empty answer (`204 No Content`) prints: `{}`.
pub fn empty() -> Result {
    write("{}\n")
}

fn write(text: &str) -> Result {
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()?;
    Ok(())
}

/// A JSON array written item by item as the items arrive (e.g. page by page), so a long
/// listing streams instead of waiting for the last page.
pub struct Array {
    items: usize,
}

impl Array {
    pub fn start() -> Result<Self> {
        write("[")?;
        Ok(Self { items: 0 })
    }

    /// Appends `items` (and flushes).
    pub fn extend<T: Serialize>(&mut self, items: &[T]) -> Result {
        let mut text = String::new();
        for item in items {
            text.push_str(if self.items == 0 { "\n" } else { ",\n" });
            for line in serde_json::to_string_pretty(item)?.lines() {
                text.push_str("  ");
                text.push_str(line);
                text.push('\n');
            }
            text.pop();
            self.items += 1;
        }
        write(&text)
    }

    pub fn finish(self) -> Result {
        write(if self.items == 0 { "]\n" } else { "\n]\n" })
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
}
