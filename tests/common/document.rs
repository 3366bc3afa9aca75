//! An OpenAPI document of the crate read in tests: operations, documented responses and
//! their examples (served by the recording server), and the route check.

use super::{Recorded, Reply};
use serde_json::Value;
use std::collections::BTreeMap;

/// A document from `openapi/`, as JSON.
pub struct OpenApiDoc {
    pub value: Value,
}

impl OpenApiDoc {
    /// Reads `openapi/<file>`.
    pub fn load(file: &str) -> Self {
        let path = format!("{}/openapi/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
        let yaml: serde_norway::Value = serde_norway::from_str(&text).expect("the document is YAML");
        Self {
            value: serde_json::to_value(yaml).expect("the document is representable as JSON"),
        }
    }

    /// Follows a local `$ref` (`#/components/...`), if any.
    pub fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        match value.get("$ref").and_then(Value::as_str) {
            Some(reference) => {
                let pointer = reference.strip_prefix('#').expect("local $ref");
                let target = self
                    .value
                    .pointer(pointer)
                    .unwrap_or_else(|| panic!("dangling $ref {reference}"));
                self.resolve(target)
            }
            None => value,
        }
    }

    /// (upper-case method, path template, operation object) of every operation.
    pub fn operations(&self) -> Vec<(String, String, &Value)> {
        let mut out = Vec::new();
        for (path, item) in self.value["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("path item") {
                if operation.get("operationId").is_some() {
                    out.push((method.to_uppercase(), path.clone(), operation));
                }
            }
        }
        out
    }

    /// The operation with this id.
    pub fn operation(&self, operation_id: &str) -> (String, String, &Value) {
        self.operations()
            .into_iter()
            .find(|(_, _, op)| op["operationId"] == operation_id)
            .unwrap_or_else(|| panic!("operation `{operation_id}` is not in the document"))
    }

    /// The documented response of `operation_id` for `status`, `$ref` resolved.
    pub fn documented_response(&self, operation_id: &str, status: u16) -> &Value {
        let (_, _, op) = self.operation(operation_id);
        let response = op["responses"]
            .get(status.to_string())
            .unwrap_or_else(|| panic!("`{operation_id}` documents no {status} response"));
        self.resolve(response)
    }

    /// The documented JSON example of `operation_id`'s `status` response.
    pub fn example(&self, operation_id: &str, status: u16) -> Value {
        self.documented_response(operation_id, status)
            .pointer("/content/application~1json/example")
            .cloned()
            .unwrap_or_else(|| panic!("`{operation_id}` {status} has no application/json example"))
    }

    /// A documented body-less answer (204).
    pub fn empty_reply(&self, operation_id: &str, status: u16) -> Reply {
        let response = self.documented_response(operation_id, status);
        assert!(
            response.get("content").is_none(),
            "`{operation_id}` {status} is documented with a body"
        );
        Reply::empty(status)
    }

    /// Checks method, path, query string and `Content-Type` of `request`, and that they
    /// match the route the document declares for `operation_id`.
    pub fn assert_request(
        &self,
        request: &Recorded,
        operation_id: &str,
        method: &str,
        path: &str,
        query: Option<&str>,
        content_type: &str,
    ) {
        assert_eq!(request.method.as_str(), method, "{operation_id}: method");
        assert_eq!(request.path, path, "{operation_id}: path");
        assert_eq!(request.query.as_deref(), query, "{operation_id}: query string");
        assert_eq!(
            request.header("content-type"),
            Some(content_type),
            "{operation_id}: Content-Type"
        );
        assert_eq!(
            request.headers.get_all("content-type").iter().count(),
            1,
            "{operation_id}: one Content-Type"
        );
        let (documented_method, template, _) = self.operation(operation_id);
        assert_eq!(documented_method, method, "{operation_id}: documented method");
        let matches_template = template.split('/').count() == path.split('/').count()
            && template.split('/').zip(path.split('/')).all(|(t, p)| {
                if t.starts_with('{') && t.ends_with('}') {
                    !p.is_empty()
                } else {
                    t == p
                }
            });
        assert!(
            matches_template,
            "{operation_id}: path {path} does not match the documented {template}"
        );
    }
}

pub fn assert_no_body(request: &Recorded) {
    assert!(
        request.body.is_empty(),
        "no body expected, got {:?}",
        String::from_utf8_lossy(&request.body)
    );
}

pub fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub fn uuid(text: &str) -> uuid::Uuid {
    text.parse().expect("a UUID")
}

pub fn at(text: &str) -> uploadcare::Timestamp {
    text.parse().expect("an RFC 3339 date-time")
}
