//! The response corpus hook: `parse_component(name, json)` in every generated module parses
//! a JSON value as the type generated for `#/components/schemas/<name>`. It exists only in
//! the crate's own test build (`#[cfg(test)]`), where the corpus test (`src/corpus.rs`)
//! feeds it the documents' examples and their variants.

use serde_json::Value;
use std::collections::BTreeSet;

/// `parse_component` for the component schemas of `doc` that have a generated type among
/// `types` (plus the shared error body, replaced by `crate::ApiErrorBody`).
pub fn dispatcher(doc: &Value, types: &[syn::Item], declared: &BTreeSet<String>) -> syn::Item {
    let mut generated: BTreeSet<String> = declared.clone();
    for item in types {
        let ident = match item {
            syn::Item::Struct(s) => &s.ident,
            syn::Item::Enum(e) => &e.ident,
            syn::Item::Type(t) => &t.ident,
            _ => continue,
        };
        generated.insert(ident.to_string());
    }
    let names: Vec<&String> = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| schemas.keys().collect())
        .unwrap_or_default();
    let arms = names.into_iter().filter_map(|name| {
        let ty: syn::Type = if name == "ErrorBody" {
            syn::parse_quote!(crate::ApiErrorBody)
        } else if generated.contains(name) {
            let ident = syn::Ident::new(name, proc_macro2::Span::call_site());
            syn::parse_quote!(types::#ident)
        } else {
            return None;
        };
        Some(quote::quote! {
            #name => Some(::serde_json::from_value::<#ty>(value).map(drop).map_err(|e| e.to_string()))
        })
    });
    syn::parse_quote! {
        /// Parses `value` as the type generated for component schema `name`; `None` when the
        /// schema has no generated type. Used by the response corpus test.
        #[cfg(test)]
        #[allow(dead_code)]
        pub(crate) fn parse_component(
            name: &str,
            value: ::serde_json::Value,
        ) -> ::std::option::Option<::std::result::Result<(), ::std::string::String>> {
            match name {
                #(#arms,)*
                _ => None,
            }
        }
    }
}
