//! `--jq EXPR`: a jq filter over the output, run by jaq (a jq implementation in Rust; no
//! external program).

use crate::error::{CliError, Result};
use jaq_core::load::{Arena, File, Loader};
use jaq_core::{data, unwrap_valr, Compiler, Ctx, Vars};
use jaq_json::Val;
use serde_json::Value;
use std::cell::RefCell;

type Compiled = jaq_core::Filter<data::JustLut<Val>>;

/// A filter checked when the command line is read.
pub struct Filter {
    code: String,
}

thread_local! {
    /// The compiled filter of this thread (compiled filters are not `Send`).
    static COMPILED: RefCell<Option<Compiled>> = const { RefCell::new(None) };
}

/// Parses and compiles `code` with jq's standard library.
fn compile(code: &str) -> std::result::Result<Compiled, String> {
    let defs = jaq_core::defs().chain(jaq_std::defs()).chain(jaq_json::defs());
    let funs = jaq_core::funs().chain(jaq_std::funs()).chain(jaq_json::funs());
    let loader = Loader::new(defs);
    let arena = Arena::default();
    let modules = loader.load(&arena, File { code, path: () }).map_err(|errors| {
        let first = errors.into_iter().next().map(|(_, e)| format!("{e:?}"));
        format!("cannot parse the filter: {}", first.unwrap_or_default())
    })?;
    Compiler::default()
        .with_funs(funs)
        .compile(modules)
        .map_err(|errors| {
            let names: Vec<String> = errors
                .into_iter()
                .flat_map(|(_, undefined)| undefined.into_iter().map(|(name, _)| name.to_owned()))
                .collect();
            format!("undefined in the filter: {}", names.join(", "))
        })
}

impl Filter {
    /// Checks `code` (a bad filter is a usage error, before any request).
    pub fn compile(code: &str) -> Result<Self> {
        let compiled = compile(code).map_err(|e| CliError::usage(format!("--jq: {e}")))?;
        COMPILED.with(|c| *c.borrow_mut() = Some(compiled));
        Ok(Self {
            code: code.to_owned(),
        })
    }

    /// The filter's outputs for `input`.
    pub fn run(&self, input: Value) -> Result<Vec<Value>> {
        let text = serde_json::to_vec(&input)?;
        let input = jaq_json::read::parse_single(&text)
            .map_err(|e| CliError::failed(format!("--jq: cannot read the input: {e}")))?;
        COMPILED.with(|cell| {
            let mut cell = cell.borrow_mut();
            if cell.is_none() {
                *cell = Some(compile(&self.code).map_err(|e| CliError::usage(format!("--jq: {e}")))?);
            }
            let Some(filter) = cell.as_ref() else {
                return Ok(Vec::new());
            };
            let ctx = Ctx::<data::JustLut<Val>>::new(&filter.lut, Vars::new([]));
            filter
                .id
                .run((ctx, input))
                .map(unwrap_valr)
                .map(|out| match out {
                    Ok(value) => {
                        let text = value.to_string();
                        Ok(serde_json::from_str(&text).unwrap_or(Value::String(text)))
                    }
                    Err(e) => Err(CliError::failed(format!("--jq: {e}"))),
                })
                .collect()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_run_with_the_standard_library() {
        let page = json!({"results": [{"uuid": "a", "size": 5}, {"uuid": "b", "size": 50}]});
        let filter = Filter::compile(".results[] | select(.size > 10) | .uuid").unwrap();
        assert_eq!(filter.run(page.clone()).unwrap(), vec![json!("b")]);
        let filter = Filter::compile("[.results[].size] | add").unwrap();
        assert_eq!(filter.run(page).unwrap(), vec![json!(55)]);
    }

    #[test]
    fn bad_filters_are_usage_errors() {
        assert!(matches!(Filter::compile(".[ | "), Err(CliError::Usage(_))));
        let Err(CliError::Usage(message)) = Filter::compile("no_such_function(1)") else {
            panic!("accepted an undefined function");
        };
        assert!(message.contains("no_such_function"), "{message}");
    }
}
