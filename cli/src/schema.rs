//! `ucare schema`: every command, flag and argument (read from the clap definitions, so it
//! cannot drift from them), the JSON fields each command prints (from the OpenAPI
//! documents the client is generated from), the output modes and the exit codes — for
//! scripts and agents.

use clap::{Arg, ArgAction, Command};
use serde_json::{json, Map, Value};

/// Property names of every schema of REST API 0.7 and the Upload API (written by build.rs).
const REST_FIELDS: &str = uploadcare::internal::REST_V0_7_FIELDS;
const UPLOAD_FIELDS: &str = uploadcare::internal::UPLOAD_FIELDS;
const PROJECT_API_FIELDS: &str = uploadcare::internal::PROJECT_API_FIELDS;

/// What each command prints: (command path, API, schema; `[]` after the schema: a list of
/// them, `page` a page of them).
const OUTPUTS: &[(&str, &str, &str)] = &[
    ("files list", "rest", "File page"),
    ("files info", "rest", "File"),
    ("files store", "rest", "FilesBatchResponse"),
    ("files delete", "rest", "FilesBatchResponse"),
    ("files search", "rest", "FileSearchResult page"),
    ("files copy-local", "rest", "LocalCopyResponse"),
    ("files copy-remote", "rest", "RemoteCopyResponse"),
    ("groups list", "rest", "Group page"),
    ("groups info", "rest", "GroupWithFiles"),
    ("groups create", "upload", "GroupInfo"),
    ("project", "rest", "Project"),
    ("webhooks list", "rest", "Webhook []"),
    ("webhooks create", "rest", "Webhook"),
    ("webhooks update", "rest", "Webhook"),
    ("convert info", "rest", "DocumentInfo"),
    ("tags get", "rest", "FileTags"),
    ("tags set", "rest", "FileTags"),
    ("upload", "upload", "FileUploadInfo (by path)"),
    ("upload info", "upload", "FileUploadInfo"),
    ("upload status", "upload", "FromUrlUploadStatus"),
    ("upload from-url", "upload", "FromUrlUploadResponse"),
    ("upload group create", "upload", "GroupInfo"),
    ("upload group info", "upload", "GroupInfo"),
    ("projects list", "project_api", "Project []"),
    ("projects create", "project_api", "Project"),
    ("projects show", "project_api", "Project"),
    ("projects update", "project_api", "Project"),
    ("projects secrets list", "project_api", "SecretListItem []"),
    ("projects secrets create", "project_api", "SecretRevealed"),
    ("projects use", "ucare", "SavedProject"),
    (
        "usage",
        "project_api",
        "UsageCombined (UsageMetric with --metric; a chart on a terminal)",
    ),
];

/// The JSON fields of what `projects use` prints (the CLI's own output).
const SAVED_PROJECT_FIELDS: &[&str] = &[
    "config_file",
    "default_project",
    "name",
    "project",
    "public_key",
    "saved",
    "secret",
    "secret_id",
];

/// The exit statuses.
pub const EXIT_CODES: &[(u8, &str)] = &[
    (0, "success"),
    (
        1,
        "the API or an operation failed (HTTP error, failed job, partial batch failure)",
    ),
    (
        2,
        "usage: bad flags or arguments, or input refused before any request",
    ),
    (
        3,
        "credentials: missing or rejected by the service (project keys, the Project API token), or an unusable config file or project",
    ),
    (130, "interrupted (Ctrl-C)"),
];

/// The exit statuses as `--help` lists them.
pub fn exit_codes_help() -> String {
    let mut text = String::from("Exit status:\n");
    for (code, what) in EXIT_CODES {
        text.push_str(&format!("  {code:>3}  {what}\n"));
    }
    text
}

/// The whole description.
pub fn describe(root: &Command) -> Value {
    let rest: Map<String, Value> = serde_json::from_str(REST_FIELDS).unwrap_or_default();
    let upload: Map<String, Value> = serde_json::from_str(UPLOAD_FIELDS).unwrap_or_default();
    let project_api: Map<String, Value> = serde_json::from_str(PROJECT_API_FIELDS).unwrap_or_default();
    let mut commands = Vec::new();
    walk(root, &[], &mut commands, [&rest, &upload, &project_api]);
    let global: Vec<Value> = root
        .get_arguments()
        .filter(|a| !is_help(a))
        .map(describe_arg)
        .collect();
    json!({
        "name": root.get_name(),
        "version": root.get_version().unwrap_or_default(),
        "about": root.get_about().map(|a| a.to_string()),
        "global_flags": global,
        "commands": commands,
        "output": {
            "terminal": "tables (columns per resource); --table forces them",
            "pipe": "the API's JSON body, pretty-printed ({} for an empty answer)",
            "--json FIELDS": "JSON with only these fields of each record (dotted paths allowed); `all` keeps every field",
            "--jq EXPR": "the JSON through a jq filter; string results print raw",
            "--ndjson": "one compact JSON record per line; with --all, every page in constant memory",
            "usage": "a bar chart per day on a terminal or with --chart; the API's JSON in a pipe; --ndjson: one object per day",
        },
        "exit_codes": EXIT_CODES.iter().map(|(code, what)| (code.to_string(), Value::from(*what))).collect::<Map<_, _>>(),
    })
}

fn is_help(arg: &Arg) -> bool {
    matches!(
        arg.get_action(),
        ArgAction::Help | ArgAction::HelpShort | ArgAction::HelpLong | ArgAction::Version
    )
}

/// `documents`: the field lists of REST API 0.7, the Upload API and the Project API.
fn walk(command: &Command, path: &[&str], out: &mut Vec<Value>, documents: [&Map<String, Value>; 3]) {
    for sub in command.get_subcommands() {
        if sub.get_name() == "help" {
            continue;
        }
        let mut here = path.to_vec();
        here.push(sub.get_name());
        let joined = here.join(" ");
        let (positional, flags): (Vec<&Arg>, Vec<&Arg>) = sub
            .get_arguments()
            .filter(|a| !is_help(a) && !a.is_global_set())
            .partition(|a| a.is_positional());
        let mut entry = json!({
            "path": joined,
            "about": sub.get_about().map(|a| a.to_string()),
            "aliases": sub.get_all_aliases().collect::<Vec<_>>(),
            "arguments": positional.into_iter().map(describe_arg).collect::<Vec<_>>(),
            "flags": flags.into_iter().map(describe_arg).collect::<Vec<_>>(),
            "has_subcommands": sub.has_subcommands(),
        });
        if let Some((_, api, schema)) = OUTPUTS.iter().find(|(p, _, _)| *p == joined) {
            let name = schema.split_whitespace().next().unwrap_or(schema);
            let fields = match *api {
                "rest" => documents[0].get(name).cloned(),
                "upload" => documents[1].get(name).cloned(),
                "project_api" => documents[2].get(name).cloned(),
                _ => (name == "SavedProject").then(|| json!(SAVED_PROJECT_FIELDS)),
            };
            entry["output"] = json!({"schema": schema, "api": api, "json_fields": fields});
        }
        out.push(entry);
        walk(sub, &here, out, documents);
    }
}

fn describe_arg(arg: &Arg) -> Value {
    let takes_value = arg.get_num_args().is_some_and(|n| n.takes_values())
        && !matches!(arg.get_action(), ArgAction::SetTrue | ArgAction::Count);
    let mut out = json!({
        "name": arg.get_id().as_str(),
        "help": arg.get_help().map(|h| h.to_string()),
        "required": arg.is_required_set(),
        "takes_value": takes_value,
        "repeatable": matches!(arg.get_action(), ArgAction::Append | ArgAction::Count),
    });
    if let Some(long) = arg.get_long() {
        out["long"] = json!(format!("--{long}"));
    }
    if let Some(short) = arg.get_short() {
        out["short"] = json!(format!("-{short}"));
    }
    if let Some(names) = arg.get_value_names() {
        out["value_name"] = json!(names.iter().map(|n| n.as_str()).collect::<Vec<_>>().join(" "));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_owned())
        .collect();
    if !values.is_empty() && takes_value {
        out["values"] = json!(values);
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if !defaults.is_empty() {
        out["default"] = json!(defaults.join(","));
    }
    if let Some(env) = arg.get_env() {
        out["env"] = json!(env.to_string_lossy());
    }
    if arg.is_global_set() {
        out["global"] = json!(true);
    }
    out
}
