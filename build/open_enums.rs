//! Open enums: every named string enum of a document becomes a Rust enum with one variant
//! per documented value plus `Unrecognized(String)`, so a value the service adds later
//! still deserializes (and serializes back unchanged). typify would generate closed enums,
//! so these schemas are replaced (`with_replacement`) by types declared with the crate's
//! `open_enum!` macro, inserted here into the generated `types` module.

use serde_json::Value;
use std::collections::BTreeSet;

/// Name of the fallback variant; no documented value may map to it.
const FALLBACK: &str = "Unrecognized";

pub struct OpenEnum {
    pub name: String,
    description: Option<String>,
    /// (Rust variant name, wire value)
    variants: Vec<(String, String)>,
}

/// The named string enums of `components/schemas`.
pub fn collect(doc: &Value) -> Result<Vec<OpenEnum>, String> {
    let mut enums = Vec::new();
    let Some(schemas) = doc.pointer("/components/schemas").and_then(Value::as_object) else {
        return Ok(enums);
    };
    for (name, schema) in schemas {
        let Some(values) = schema.get("enum").and_then(Value::as_array) else {
            continue;
        };
        let values: Vec<&str> = values.iter().filter_map(Value::as_str).collect();
        let explicit: Option<Vec<&str>> = schema
            .get("x-enum-varnames")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect());
        if explicit.as_ref().is_some_and(|names| names.len() != values.len()) {
            return Err(format!(
                "#/components/schemas/{name}: `x-enum-varnames` must name every enum value, in order"
            ));
        }
        let mut seen = BTreeSet::new();
        let mut variants = Vec::new();
        for (i, value) in values.iter().enumerate() {
            let variant = match &explicit {
                Some(names) => names[i].to_owned(),
                None => variant_name(value),
            };
            if variant == FALLBACK || syn::parse_str::<syn::Ident>(&variant).is_err() {
                return Err(format!(
                    "#/components/schemas/{name}: value `{value}` maps to variant `{variant}`, which is \
                     reserved or not an identifier; name it with `x-enum-varnames`"
                ));
            }
            if !seen.insert(variant.clone()) {
                return Err(format!(
                    "#/components/schemas/{name}: two values map to variant `{variant}`; name them with `x-enum-varnames`"
                ));
            }
            variants.push((variant, (*value).to_owned()));
        }
        let description = schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned);
        enums.push(OpenEnum {
            name: name.clone(),
            description,
            variants,
        });
    }
    Ok(enums)
}

/// `file.info_updated` → `FileInfoUpdated`, `-datetime_uploaded` → `DatetimeUploadedDesc`,
/// `0.7` → `V0_7`, `""` → `Empty`.
fn variant_name(value: &str) -> String {
    if value.is_empty() {
        return "Empty".to_owned();
    }
    let mut out = String::new();
    for word in value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let ends_with_digit = out.chars().last().is_some_and(|c| c.is_ascii_digit());
        if ends_with_digit && word.starts_with(|c: char| c.is_ascii_digit()) {
            out.push('_');
        }
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.extend(chars);
        }
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    if value.starts_with('-') {
        out.push_str("Desc");
    }
    out
}

/// Declares every open enum inside the generated `types` module.
pub fn declare(types: &mut Vec<syn::Item>, enums: &[OpenEnum]) {
    for e in enums {
        let name = syn::Ident::new(&e.name, proc_macro2::Span::call_site());
        let doc = e
            .description
            .clone()
            .unwrap_or_else(|| format!("`{}` values.", e.name));
        let variants = e.variants.iter().map(|(variant, value)| {
            let ident = syn::Ident::new(variant, proc_macro2::Span::call_site());
            let doc = format!("`{value}`");
            quote::quote!(#[doc = #doc] #ident = #value)
        });
        types.push(syn::parse_quote! {
            crate::open_enum! {
                #[doc = #doc]
                #name { #(#variants),* }
            }
        });
    }
}
