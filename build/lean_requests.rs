//! Trims what progenitor's request builders do on every call that the client does not
//! need: the `api-version` header (the service selects the version by `Accept`, which the
//! middleware sets), and with it the `HeaderMap` that only held it.

use syn::visit_mut::VisitMut;

/// Applies the trims to a generated file.
pub fn trim(file: &mut syn::File) {
    Trim.visit_file_mut(file);
}

struct Trim;

/// `header_map.append(HeaderName::from_static("api-version"), …);`
fn is_api_version_append(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Expr(syn::Expr::MethodCall(call), _) = stmt else {
        return false;
    };
    call.method == "append"
        && is_header_map(&call.receiver)
        && call
            .args
            .first()
            .is_some_and(|name| quote::quote!(#name).to_string().contains("\"api-version\""))
}

fn is_header_map(expr: &syn::Expr) -> bool {
    matches!(expr, syn::Expr::Path(p) if p.path.is_ident("header_map"))
}

/// `let mut header_map = …;`
fn is_header_map_let(stmt: &syn::Stmt) -> bool {
    let syn::Stmt::Local(local) = stmt else {
        return false;
    };
    match &local.pat {
        syn::Pat::Ident(ident) => ident.ident == "header_map",
        _ => false,
    }
}

fn uses_header_map(stmt: &syn::Stmt) -> bool {
    quote::quote!(#stmt).to_string().contains("header_map")
}

impl VisitMut for Trim {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        block.stmts.retain(|stmt| !is_api_version_append(stmt));
        let appends = block
            .stmts
            .iter()
            .filter(|stmt| !is_header_map_let(stmt) && uses_header_map(stmt))
            .filter(|stmt| !quote::quote!(#stmt).to_string().contains("headers (header_map)"))
            .count();
        if appends == 0 && block.stmts.iter().any(is_header_map_let) {
            block.stmts.retain(|stmt| !is_header_map_let(stmt));
            DropHeaders.visit_block_mut(block);
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// Removes `.headers(header_map)` from method chains.
struct DropHeaders;

impl VisitMut for DropHeaders {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr {
            if call.method == "headers"
                && call.args.len() == 1
                && call.args.first().is_some_and(is_header_map)
            {
                *expr = (*call.receiver).clone();
                self.visit_expr_mut(expr);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}
