//! Trims what progenitor's request builders do on every call that the client does not
//! need: the `api-version` header (the service selects the version by `Accept`, which the
//! middleware sets), and with it the `HeaderMap` that only held it; and a `.query(…)` call
//! for every query parameter, set or not (each one rewrites the URL's query): the
//! parameters are written into the URL's text before it is parsed
//! (`crate::runtime::push_query`, see [`queries_into_url`]).

use syn::visit::Visit;
use syn::visit_mut::VisitMut;

/// Applies the trims to a generated file.
pub fn trim(file: &mut syn::File) {
    Trim.visit_file_mut(file);
}

/// Moves every generated call's query parameters into the URL text it formats:
/// `.query(&progenitor_client::QueryParam::new("name", &name))` on the request builder
/// (each one parses and rewrites the URL's query through `serde_urlencoded`) becomes
/// `crate::runtime::push_query(&mut url, "name", &name)` right after `let url = format!(..)`,
/// so the URL is parsed once, query included; unset (`None`) parameters add nothing.
/// Fails when a `send` with query parameters does not format `url` first.
pub fn queries_into_url(file: &mut syn::File) -> Result<(), String> {
    let mut pass = QueriesIntoUrl(Vec::new());
    pass.visit_file_mut(file);
    match pass.0.is_empty() {
        true => Ok(()),
        false => Err(pass.0.join("\n")),
    }
}

/// The problems found while moving query parameters.
struct QueriesIntoUrl(Vec<String>);

impl VisitMut for QueriesIntoUrl {
    fn visit_impl_item_fn_mut(&mut self, item: &mut syn::ImplItemFn) {
        if item.sig.ident != "send" {
            return syn::visit_mut::visit_impl_item_fn_mut(self, item);
        }
        let stmts = &mut item.block.stmts;
        let Some(request_at) = stmts.iter().position(|s| is_local_named(s, "request")) else {
            return;
        };
        let mut params = Vec::new();
        if let syn::Stmt::Local(syn::Local { init: Some(init), .. }) = &mut stmts[request_at] {
            take_queries(&mut init.expr, &mut params);
        }
        if params.is_empty() {
            return;
        }
        // Collected from the outermost call in: the last parameter first.
        params.reverse();
        let Some(url_at) = stmts[..request_at].iter().position(|s| is_local_named(s, "url")) else {
            self.0.push(
                "a generated `send` with query parameters has no `let url` before its request".to_owned(),
            );
            return;
        };
        if let syn::Stmt::Local(syn::Local {
            pat: syn::Pat::Ident(ident),
            ..
        }) = &mut stmts[url_at]
        {
            ident.mutability = Some(Default::default());
        }
        let pushes = params.into_iter().map(|(name, value)| -> syn::Stmt {
            syn::parse_quote! {
                crate::runtime::push_query(&mut url, #name, #value).map_err(Error::InvalidRequest)?;
            }
        });
        stmts.splice(url_at + 1..url_at + 1, pushes);
    }
}

/// Removes the `.query(&QueryParam::new(name, value))` calls of a request builder's chain,
/// collecting `(name, value)` from the outermost call in.
fn take_queries(expr: &mut syn::Expr, out: &mut Vec<(syn::Expr, syn::Expr)>) {
    let taken = match &*expr {
        syn::Expr::MethodCall(call) if call.method == "query" && call.args.len() == 1 => {
            match call.args.first() {
                Some(syn::Expr::Reference(arg)) => match &*arg.expr {
                    syn::Expr::Call(new)
                        if path_ends_with(&new.func, "QueryParam::new") && new.args.len() == 2 =>
                    {
                        Some((new.args[0].clone(), new.args[1].clone(), (*call.receiver).clone()))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    };
    if let Some((name, value, receiver)) = taken {
        out.push((name, value));
        *expr = receiver;
        return take_queries(expr, out);
    }
    match expr {
        syn::Expr::MethodCall(call) => take_queries(&mut call.receiver, out),
        syn::Expr::Try(tried) => take_queries(&mut tried.expr, out),
        _ => {}
    }
}

struct Trim;

/// Makes every body-less request without progenitor's `RequestBuilder`:
/// `client.client.get(url).build()?` (a builder holding its own copy of the client) becomes
/// `crate::runtime::new_request(&client.client, ::reqwest::Method::GET, url)?`, the same
/// request (and, for a URL reqwest refuses, the same error).
pub fn direct_requests(file: &mut syn::File) {
    DirectRequests.visit_file_mut(file);
}

struct DirectRequests;

impl VisitMut for DirectRequests {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(build) = expr {
            if build.method == "build" && build.args.is_empty() {
                if let syn::Expr::MethodCall(verb) = &*build.receiver {
                    let method = match verb.method.to_string().as_str() {
                        "get" => Some(quote::quote!(GET)),
                        "post" => Some(quote::quote!(POST)),
                        "put" => Some(quote::quote!(PUT)),
                        "delete" => Some(quote::quote!(DELETE)),
                        "patch" => Some(quote::quote!(PATCH)),
                        "head" => Some(quote::quote!(HEAD)),
                        _ => None,
                    };
                    let on_client = quote::quote!(#verb).to_string().starts_with("client . client .");
                    if let (Some(method), true, 1) = (method, on_client, verb.args.len()) {
                        let url = &verb.args[0];
                        *expr = syn::parse_quote!(
                            crate::runtime::new_request(&client.client, ::reqwest::Method::#method, #url)
                        );
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Removes the generated `.header(ACCEPT, HeaderValue::from_static("application/json"))` of
/// every request: for the REST documents, whose `Accept` names the API version and is set by
/// the exchange (the generated value was replaced on every request).
pub fn drop_accept(file: &mut syn::File) {
    DropCalls(|call: &syn::ExprMethodCall| {
        call.method == "header"
            && call.args.len() == 2
            && call
                .args
                .first()
                .is_some_and(|name| path_ends_with(name, "header::ACCEPT"))
    })
    .visit_file_mut(file);
}

/// Removes from method chains every call the predicate picks (`a.b(x).c()` → `a.c()`).
struct DropCalls<F>(F);

impl<F: Fn(&syn::ExprMethodCall) -> bool> VisitMut for DropCalls<F> {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        if let syn::Expr::MethodCall(call) = expr {
            if (self.0)(call) {
                *expr = (*call.receiver).clone();
                self.visit_expr_mut(expr);
                return;
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

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
            // `.headers(header_map)` goes with the map.
            DropCalls(|call: &syn::ExprMethodCall| {
                call.method == "headers"
                    && call.args.len() == 1
                    && call.args.first().is_some_and(is_header_map)
            })
            .visit_block_mut(block);
        }
        syn::visit_mut::visit_block_mut(self, block);
    }
}

/// Hands every generated `send` to the client's own exchange: instead of progenitor's
/// `pre`/`exec`/`post` hooks returning a `reqwest::Response` that
/// `ResponseValue::from_response` reads again (copying its headers), the request goes
/// through `crate::runtime::Exchange::exchange`, which prepares it (what `pre` did) and
/// returns the answer already read whole by the retry loop; what makes the request runs in
/// a block before the exchange is awaited (its values are not kept in the future while it
/// is); and the answer is decoded once from those bytes
/// (`crate::runtime::decode`/`empty`). Fails when a `send` does not have the expected
/// shape, so a progenitor upgrade cannot silently bypass the client's request path.
pub fn own_exchange(file: &mut syn::File) -> Result<(), String> {
    let mut rewrite = OwnExchange {
        problems: Vec::new(),
        rewritten: 0,
    };
    rewrite.visit_file_mut(file);
    if !rewrite.problems.is_empty() {
        return Err(rewrite.problems.join("\n"));
    }
    if rewrite.rewritten == 0 {
        return Err("no generated `send` was handed to the client's exchange".to_owned());
    }
    Ok(())
}

struct OwnExchange {
    problems: Vec<String>,
    rewritten: usize,
}

fn is_local_named(stmt: &syn::Stmt, name: &str) -> bool {
    matches!(stmt, syn::Stmt::Local(local) if matches!(&local.pat, syn::Pat::Ident(i) if i.ident == name))
}

fn is_path(expr: &syn::Expr, name: &str) -> bool {
    matches!(expr, syn::Expr::Path(p) if p.path.is_ident(name))
}

fn path_ends_with(expr: &syn::Expr, tail: &str) -> bool {
    match expr {
        syn::Expr::Path(p) => {
            let segments: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
            segments.join("::").ends_with(tail)
        }
        _ => false,
    }
}

impl VisitMut for OwnExchange {
    fn visit_impl_item_fn_mut(&mut self, item: &mut syn::ImplItemFn) {
        if item.sig.ident != "send" {
            return syn::visit_mut::visit_impl_item_fn_mut(self, item);
        }
        let stmts = &mut item.block.stmts;
        let Some(at) = stmts.iter().position(|s| is_local_named(s, "result")) else {
            self.problems
                .push("a generated `send` has no `let result = client.exec(..)`".to_owned());
            return;
        };
        // `let result = client.exec(request, &info).await; client.post(&result, &info).await?;
        // let response = result?;`
        let post = stmts
            .get(at + 1)
            .is_some_and(|s| quote::quote!(#s).to_string().contains(". post ("));
        if at + 2 >= stmts.len() || !post || !is_local_named(&stmts[at + 2], "response") {
            self.problems
                .push("a generated `send` does not end with exec, post, `let response`".to_owned());
            return;
        }
        // `client.pre(&mut request, &info).await?;`: the exchange prepares the request.
        let Some(pre) = stmts[..at].iter().position(|s| {
            quote::quote!(#s)
                .to_string()
                .starts_with("client . pre (& mut request , & info) . await")
        }) else {
            self.problems
                .push("a generated `send` has no `client.pre(&mut request, &info).await?`".to_owned());
            return;
        };
        stmts.remove(pre);
        let at = at - 1;
        // Everything before the exchange runs in a block of its own, so that the builder's
        // values, the URL and the request are not kept in the future while it is awaited.
        let making: Vec<syn::Stmt> = stmts.drain(..at).collect();
        let exchange: syn::Stmt = syn::parse_quote! {
            let answer = {
                #(#making)*
                crate::runtime::Exchange::exchange(client, request, info.operation_id)
            }
            .await?;
        };
        stmts.splice(0..3, [exchange]);
        let mut answers = AnswerArms { problems: Vec::new() };
        for stmt in &mut stmts[1..] {
            answers.visit_stmt_mut(stmt);
        }
        let mut left = ResponseLeft(false);
        left.visit_block(&item.block);
        if left.0 || !answers.problems.is_empty() {
            self.problems.push(format!(
                "a generated `send` still uses the reqwest response: {}",
                answers.problems.join("; ")
            ));
        }
        self.rewritten += 1;
    }
}

/// Rewrites what the arms of a `send` do with `response` into the same on `answer`.
struct AnswerArms {
    problems: Vec<String>,
}

impl VisitMut for AnswerArms {
    fn visit_expr_mut(&mut self, expr: &mut syn::Expr) {
        // `ResponseValue::from_response(response).await` → `crate::runtime::decode(answer)`
        if let syn::Expr::Await(awaited) = expr {
            if let syn::Expr::Call(call) = &*awaited.base {
                if path_ends_with(&call.func, "ResponseValue::from_response")
                    && call.args.len() == 1
                    && call.args.first().is_some_and(|a| is_path(a, "response"))
                {
                    *expr = syn::parse_quote!(crate::runtime::decode(answer));
                    return;
                }
            }
        }
        if let syn::Expr::Call(call) = expr {
            if call.args.len() == 1 && call.args.first().is_some_and(|a| is_path(a, "response")) {
                if path_ends_with(&call.func, "ResponseValue::empty") {
                    *expr = syn::parse_quote!(crate::runtime::empty(answer));
                    return;
                }
                if path_ends_with(&call.func, "Error::UnexpectedResponse") {
                    let func = &call.func;
                    *expr = syn::parse_quote!(#func(answer.into_response()));
                    return;
                }
                self.problems
                    .push(format!("unknown use `{}`", quote::quote!(#call)));
            }
        }
        // `response.status().as_u16()` → `answer.status.as_u16()`
        if let syn::Expr::MethodCall(outer) = expr {
            if outer.method == "as_u16" {
                if let syn::Expr::MethodCall(inner) = &*outer.receiver {
                    if inner.method == "status" && is_path(&inner.receiver, "response") {
                        *expr = syn::parse_quote!(answer.status.as_u16());
                        return;
                    }
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, expr);
    }
}

/// Whether the identifier `response` is still used.
struct ResponseLeft(bool);

impl<'ast> Visit<'ast> for ResponseLeft {
    fn visit_ident(&mut self, ident: &'ast proc_macro2::Ident) {
        if ident == "response" {
            self.0 = true;
        }
    }
}
