//! A short, readable listing of a generated client: for each operation, the HTTP method
//! and path, the `Client` method, the builder's setters with their types, and what `send`
//! returns. Snapshot tests lock it, so a document change shows up as a reviewable diff.

use quote::ToTokens;
use std::collections::BTreeMap;
use std::fmt::Write;

pub fn listing(file: &syn::File, module: &str, kinds: &[crate::preprocess::OperationKind]) -> String {
    let builders = builder_impls(file, module);
    let mut out = String::new();
    let class = |request: &str| {
        kinds
            .iter()
            .find(|k| format!("{} {}", k.method, k.path) == request)
            .map(|k| k.kind.as_str())
            .unwrap_or("?")
    };
    let mut generated = std::collections::BTreeSet::new();
    for item in &file.items {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() || type_name(&imp.self_ty) != "Client" {
            continue;
        }
        for method in imp.items.iter().filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        }) {
            let Some(request) = doc_text(&method.attrs).lines().find_map(sends_line) else {
                continue;
            };
            let builder = match &method.sig.output {
                syn::ReturnType::Type(_, ty) => type_name(ty),
                syn::ReturnType::Default => continue,
            };
            let _ = writeln!(
                out,
                "{request} [retry: {}]\n  client.{}()",
                class(&request),
                method.sig.ident
            );
            generated.insert(request);
            if let Some(setters) = builders.get(&builder) {
                for line in setters {
                    let _ = writeln!(out, "    {line}");
                }
            }
            out.push('\n');
        }
    }
    for k in kinds {
        let request = format!("{} {}", k.method, k.path);
        if !generated.contains(&request) {
            let _ = writeln!(out, "{request} [retry: {}]\n  hand-written: {}\n", k.kind, k.id);
        }
    }
    out
}

/// "Sends a `GET` request to `/files/`" → "GET /files/"
fn sends_line(line: &str) -> Option<String> {
    let rest = line.trim().strip_prefix("Sends a `")?;
    let (method, rest) = rest.split_once('`')?;
    let path = rest.split('`').nth(1)?;
    Some(format!("{method} {path}"))
}

fn doc_text(attrs: &[syn::Attribute]) -> String {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn type_name(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Compact rendering of a type: `:: std :: string :: String` → `String`.
fn render(tokens: &impl ToTokens, module: &str) -> String {
    let mut out: String = tokens.to_token_stream().to_string().split_whitespace().collect();
    out = out.replace(",>", ">").replace(',', ", ").replace("->", " -> ");
    for prefix in [
        "::std::string::",
        "::std::vec::",
        "::std::num::",
        "::std::collections::",
        "::std::option::",
        "::chrono::",
        "::uuid::",
        "std::convert::",
        "std::ops::",
        "crate::",
    ] {
        out = out.replace(prefix, "");
    }
    out.replace(&format!("{module}::types::"), "types::")
}

/// Builder struct name → its setter lines and the `send` line.
fn builder_impls(file: &syn::File, module: &str) -> BTreeMap<String, Vec<String>> {
    let mut map = BTreeMap::new();
    let Some(builder) = file.items.iter().find_map(|item| match item {
        syn::Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
        _ => None,
    }) else {
        return map;
    };
    for item in &builder.1 {
        let syn::Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some() {
            continue;
        }
        let mut lines = Vec::new();
        for f in imp.items.iter().filter_map(|i| match i {
            syn::ImplItem::Fn(f) => Some(f),
            _ => None,
        }) {
            let name = f.sig.ident.to_string();
            if name == "new" {
                continue;
            }
            if name == "send" {
                if let syn::ReturnType::Type(_, ty) = &f.sig.output {
                    lines.push(format!(".send() -> {}", render(ty, module)));
                }
                continue;
            }
            // Setters take `V: TryInto<T>` (or a closure for `*_map`); show `T`.
            let bound = f
                .sig
                .generics
                .where_clause
                .as_ref()
                .and_then(|w| w.predicates.first())
                .map(|p| match p {
                    syn::WherePredicate::Type(t) => render(&t.bounds, module),
                    other => render(other, module),
                })
                .unwrap_or_else(|| {
                    f.sig
                        .inputs
                        .iter()
                        .skip(1)
                        .map(|input| render(input, module))
                        .collect::<Vec<_>>()
                        .join(", ")
                });
            let bound = bound
                .strip_prefix("TryInto<")
                .and_then(|b| b.strip_suffix('>'))
                .map(str::to_owned)
                .unwrap_or(bound);
            lines.push(format!(".{name}({bound})"));
        }
        // Setters first (sorted for a stable listing), `send` last.
        lines.sort_by_key(|l| (l.starts_with(".send"), l.clone()));
        map.insert(type_name(&imp.self_ty), lines);
    }
    map
}
