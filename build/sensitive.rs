//! Sensitive strings: a named string schema marked `x-uploadcare-sensitive: true` (e.g. a
//! webhook signing secret) is replaced by a newtype declared with the crate's
//! `sensitive_string!` macro, whose `Debug` output never shows the value. Its `maxLength`
//! is still checked when a value is set.

use serde_json::Value;

pub struct SensitiveString {
    pub name: String,
    description: Option<String>,
    max_length: Option<u64>,
}

pub fn collect(doc: &Value) -> Vec<SensitiveString> {
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
        return Vec::new();
    };
    schemas
        .iter()
        .filter(|(_, schema)| schema.get("x-uploadcare-sensitive") == Some(&Value::Bool(true)))
        .map(|(name, schema)| SensitiveString {
            name: name.clone(),
            description: schema
                .get("description")
                .and_then(Value::as_str)
                .map(str::to_owned),
            max_length: schema.get("maxLength").and_then(Value::as_u64),
        })
        .collect()
}

/// Declares every sensitive string type inside the generated `types` module.
pub fn declare(types: &mut Vec<syn::Item>, strings: &[SensitiveString]) {
    for s in strings {
        let name = syn::Ident::new(&s.name, proc_macro2::Span::call_site());
        let doc = s
            .description
            .clone()
            .unwrap_or_else(|| format!("A sensitive `{}` value.", s.name));
        let max = s.max_length.map(|m| m as usize).unwrap_or(usize::MAX);
        types.push(syn::parse_quote! {
            crate::sensitive_string! {
                #[doc = #doc]
                #name { max_chars: #max }
            }
        });
    }
}
