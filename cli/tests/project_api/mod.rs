//! `ucare projects` and `ucare usage` (#23) through the binary, against a small recording
//! stand-in for the account-level Project API on 127.0.0.1 that answers the fact sheet's
//! examples, takes the bearer token `demoaccounttoken` only, and keeps every request (method,
//! path, query, `Authorization`, body) for the tests to check.

use crate::{strings, ucare_io, Run, Scratch};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};

/// The token the stand-in accepts.
const TOKEN: &str = "demoaccounttoken";
/// The public keys of its projects.
const PHOTOS: &str = "5d9a1c3e7b2f4a6c8e0d";
const SHARED: &str = "a1b2c3d4e5f6a7b8c9d0";
/// The secret `secrets create` reveals (the fact sheet's 20 hex characters).
const NEW_SECRET: &str = "3f9a0c5b7e1d2a4c6e8f";

const GIB: i64 = 1024 * 1024 * 1024;

/// A request the stand-in received.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    path: String,
    query: String,
    authorization: String,
    body: Value,
}

/// The stand-in: its base URL and what it saw.
struct ProjectApi {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl ProjectApi {
    async fn start() -> Self {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = (url.clone(), seen.clone());
        let app = axum::Router::new().fallback(answer).with_state(state);
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    /// Runs `ucare` with this base URL, the token in the environment, `args`, more
    /// environment and stdin.
    async fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut all = strings(&["--project-api-base", &self.url]);
        all.extend(strings(args));
        let mut vars = vec![("UPLOADCARE_PROJECT_API_TOKEN".to_owned(), TOKEN.to_owned())];
        vars.extend(env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        ucare_io(all, vars, stdin.map(str::to_owned)).await
    }

    async fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None).await
    }

    /// Runs and parses the JSON output.
    async fn ok(&self, args: &[&str]) -> Value {
        self.run(args).await.json()
    }
}

fn project(pub_key: &str, name: &str, shared: bool) -> Value {
    json!({
        "pub_key": pub_key,
        "name": name,
        "is_blocked": false,
        "is_shared_project": shared,
        "features": {
            "uploads": {"autostore": true, "filesize_limit": 104857600, "is_signed_upload_enabled": false},
            "malware_protection": {"is_enabled": true},
            "team_members": {"team_size": 3}
        }
    })
}

type State = (String, Arc<Mutex<Vec<Seen>>>);

/// The fact sheet's answers, by method and path; 401 for any other token.
async fn answer(
    axum::extract::State((url, seen)): axum::extract::State<State>,
    request: axum::extract::Request,
) -> axum::response::Response {
    use axum::http::StatusCode;
    use axum::response::IntoResponse;
    let method = request.method().as_str().to_owned();
    let path = request.uri().path().to_owned();
    let query = request.uri().query().unwrap_or("").to_owned();
    let authorization = request
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let bytes = axum::body::to_bytes(request.into_body(), 1 << 20)
        .await
        .unwrap_or_default();
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    seen.lock().unwrap().push(Seen {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        authorization: authorization.clone(),
        body: body.clone(),
    });
    let json = |status: StatusCode, value: Value| (status, axum::Json(value)).into_response();
    if authorization != format!("Bearer {TOKEN}") {
        return json(
            StatusCode::UNAUTHORIZED,
            json!({"message": "Invalid token.", "code": "invalid_token"}),
        );
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["projects"]) if !query.contains("page=2") => json(
            StatusCode::OK,
            json!({"next": format!("{url}/projects/?page=2"), "results": [project(PHOTOS, "Photos", false)]}),
        ),
        ("GET", ["projects"]) => json(
            StatusCode::OK,
            json!({"next": null, "results": [project(SHARED, "Shared docs", true)]}),
        ),
        ("POST", ["projects"]) => {
            let name = body["name"].as_str().unwrap_or("").to_owned();
            json(StatusCode::OK, project("ffffeeeeddddccccbbbb", &name, false))
        }
        ("GET", ["projects", "missing"]) => json(
            StatusCode::NOT_FOUND,
            json!({"message": "Project not found.", "code": "not_found_error"}),
        ),
        ("GET", ["projects", key]) => json(StatusCode::OK, project(key, "Photos", false)),
        ("POST", ["projects", key]) => {
            let mut answer = project(key, body["name"].as_str().unwrap_or("Photos"), false);
            if let Some(autostore) = body.pointer("/features/uploads/autostore") {
                answer["features"]["uploads"]["autostore"] = autostore.clone();
            }
            json(StatusCode::OK, answer)
        }
        ("DELETE", ["projects", _]) | ("DELETE", ["projects", _, "secrets", _]) => {
            StatusCode::NO_CONTENT.into_response()
        }
        ("GET", ["projects", _, "secrets"]) => json(
            StatusCode::OK,
            json!({"next": null, "results": [
                {"id": "sec_1", "hint": "ea94", "last_used_at": "2025-11-30T10:00:00Z"},
                {"id": "sec_2", "hint": "07b1", "last_used_at": null},
            ]}),
        ),
        ("POST", ["projects", _, "secrets"]) => {
            json(StatusCode::OK, json!({"id": "sec_3", "secret": NEW_SECRET}))
        }
        ("GET", ["projects", _, "usage"]) => json(
            StatusCode::OK,
            json!({
                "units": {"traffic": "bytes", "storage": "bytes", "operations": "operations"},
                "data": [
                    {"date": "2025-11-01", "traffic": GIB, "storage": 5 * GIB, "operations": 1200},
                    {"date": "2025-11-02", "traffic": 3 * GIB / 2, "storage": 5 * GIB, "operations": 300},
                    {"date": "2025-11-03", "traffic": 0, "storage": 11 * GIB / 2, "operations": 2400},
                ]
            }),
        ),
        ("GET", ["projects", _, "usage", metric]) => json(
            StatusCode::OK,
            json!({"metric": metric, "unit": "bytes", "data": [
                {"date": "2025-11-01", "value": GIB},
                {"date": "2025-11-02", "value": 3 * GIB / 2},
            ]}),
        ),
        _ => json(
            StatusCode::NOT_FOUND,
            json!({"message": "Not found.", "code": "not_found_error"}),
        ),
    }
}

/// A bar of `full` blocks and `partial` (or nothing), padded to `width`.
fn bar(full: usize, partial: &str, width: usize) -> String {
    let bar = format!("{}{partial}", "█".repeat(full));
    let pad = width - bar.chars().count();
    format!("{bar}{}", " ".repeat(pad))
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_list_show_create_update_delete() {
    let api = ProjectApi::start().await;
    // Every page, as one JSON array in a pipe; the token on each request.
    let list = api.ok(&["projects", "list"]).await;
    let keys: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["pub_key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, [PHOTOS, SHARED]);
    let seen = api.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[1].path.as_str(), seen[1].query.as_str()),
        ("/projects/", "page=2")
    );
    assert!(seen.iter().all(|s| s.authorization == format!("Bearer {TOKEN}")));

    let table = api.run(&["projects", "list", "--table"]).await;
    assert_eq!(table.code, 0, "{table:#?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(
        lines,
        [
            "PUB_KEY               NAME         SHARED  BLOCKED",
            "5d9a1c3e7b2f4a6c8e0d  Photos       no      no",
            "a1b2c3d4e5f6a7b8c9d0  Shared docs  yes     no",
        ]
    );
    let ndjson = api.run(&["projects", "list", "--ndjson"]).await;
    let records: Vec<Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2, "{ndjson:#?}");
    assert_eq!(records[1]["name"], "Shared docs");

    let created = api
        .ok(&["projects", "create", "Videos", "--autostore", "false"])
        .await;
    assert_eq!(created["name"], "Videos");
    let post = api.seen().pop().unwrap();
    assert_eq!((post.method.as_str(), post.path.as_str()), ("POST", "/projects/"));
    assert_eq!(
        post.body,
        json!({"name": "Videos", "features": {"uploads": {"autostore": false}}})
    );

    let shown = api.ok(&["projects", "show", PHOTOS]).await;
    assert_eq!(shown["features"]["uploads"]["filesize_limit"], 104857600);
    let table = api.run(&["projects", "show", PHOTOS, "--table"]).await;
    let row = |words: &[&str]| {
        table
            .stdout
            .lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == words)
    };
    assert!(row(&["FIELD", "VALUE"]), "{table:#?}");
    assert!(row(&["filesize_limit", "100.0", "MiB"]), "{table:#?}");
    assert!(row(&["autostore", "yes"]) && row(&["shared", "no"]), "{table:#?}");
    assert!(row(&["malware_protection", "yes"]), "{table:#?}");

    // Only the flags given are sent.
    let updated = api
        .ok(&["projects", "update", PHOTOS, "--name", "Pictures"])
        .await;
    assert_eq!(updated["name"], "Pictures");
    let post = api.seen().pop().unwrap();
    assert_eq!(
        (post.method.as_str(), post.path.as_str()),
        ("POST", format!("/projects/{PHOTOS}/").as_str())
    );
    assert_eq!(post.body, json!({"name": "Pictures"}));
    api.ok(&["projects", "update", PHOTOS, "--filesize-limit", "1048576"])
        .await;
    assert_eq!(
        api.seen().pop().unwrap().body,
        json!({"features": {"uploads": {"filesize_limit": 1048576}}})
    );
    let before = api.seen().len();
    let nothing = api.run(&["projects", "update", PHOTOS]).await;
    assert!(nothing.failure(2).contains("nothing to update"), "{nothing:#?}");
    assert_eq!(api.seen().len(), before);

    let deleted = api.ok(&["projects", "delete", PHOTOS]).await;
    assert_eq!(deleted, json!({}));
    let delete = api.seen().pop().unwrap();
    assert_eq!(
        (delete.method.as_str(), delete.path.as_str()),
        ("DELETE", format!("/projects/{PHOTOS}/").as_str())
    );
    let missing = api.run(&["projects", "show", "missing"]).await;
    assert!(
        missing.failure(1).contains("HTTP 404: Project not found."),
        "{missing:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_secrets_list_create_delete() {
    let api = ProjectApi::start().await;
    let list = api.run(&["projects", "secrets", "list", PHOTOS, "--table"]).await;
    assert_eq!(list.code, 0, "{list:#?}");
    assert_eq!(
        list.stdout.lines().collect::<Vec<_>>(),
        [
            "ID     HINT  LAST_USED",
            "sec_1  ea94  2025-11-30 10:00:00",
            "sec_2  07b1  -",
        ]
    );
    // The new secret is printed this once.
    let created = api.run(&["projects", "secrets", "create", PHOTOS]).await;
    let created_json = created.json();
    assert_eq!(created_json, json!({"id": "sec_3", "secret": NEW_SECRET}));
    assert!(created.stderr.contains("only time"), "{created:#?}");
    let post = api.seen().pop().unwrap();
    assert_eq!(
        (post.method.as_str(), post.path.as_str(), &post.body),
        (
            "POST",
            format!("/projects/{PHOTOS}/secrets/").as_str(),
            &Value::Null
        )
    );
    api.ok(&["projects", "secrets", "delete", PHOTOS, "sec_1"]).await;
    let delete = api.seen().pop().unwrap();
    assert_eq!(
        (delete.method.as_str(), delete.path.as_str()),
        ("DELETE", format!("/projects/{PHOTOS}/secrets/sec_1/").as_str())
    );
    // -v names every request, never the token.
    let verbose = api.run(&["-v", "projects", "secrets", "list", PHOTOS]).await;
    let line = format!("> GET {}/projects/{PHOTOS}/secrets/ → 200", api.url);
    assert!(verbose.stderr.contains(&line), "{verbose:#?}");
    assert!(!verbose.stderr.contains(TOKEN) && !verbose.stdout.contains(TOKEN));
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_usage_chart_and_pipe_output() {
    let api = ProjectApi::start().await;
    let range = ["--from", "2025-11-01", "--to", "2025-11-03"];
    let mut args = vec!["usage", PHOTOS, "--chart"];
    args.extend(range);
    let chart = api.run_with(&args, &[("COLUMNS", "60")], None).await;
    assert_eq!(chart.code, 0, "{chart:#?}");
    // 60 columns: the date, 2 spaces, the bar, 2 spaces, the widest value.
    let expected = [
        "traffic (bytes)".to_owned(),
        format!("2025-11-01  {}  1.0 GiB", bar(26, "", 39)),
        format!("2025-11-02  {}  1.5 GiB", bar(39, "", 39)),
        format!("2025-11-03  {}      0 B", bar(0, "", 39)),
        String::new(),
        "storage (bytes)".to_owned(),
        format!("2025-11-01  {}  5.0 GiB", bar(35, "▌", 39)),
        format!("2025-11-02  {}  5.0 GiB", bar(35, "▌", 39)),
        format!("2025-11-03  {}  5.5 GiB", bar(39, "", 39)),
        String::new(),
        "operations (operations)".to_owned(),
        format!("2025-11-01  {}  1,200", bar(20, "▌", 41)),
        format!("2025-11-02  {}    300", bar(5, "▏", 41)),
        format!("2025-11-03  {}  2,400", bar(41, "", 41)),
    ];
    assert_eq!(chart.stdout.lines().collect::<Vec<_>>(), expected);
    assert!(chart.stdout.lines().all(|l| l.chars().count() <= 60));
    let usage = api.seen().pop().unwrap();
    assert_eq!(usage.path, format!("/projects/{PHOTOS}/usage/"));
    assert_eq!(usage.query, "from=2025-11-01&to=2025-11-03");

    // One metric.
    let mut args = vec!["usage", PHOTOS, "--metric", "traffic", "--chart"];
    args.extend(range);
    let traffic = api.run_with(&args, &[("COLUMNS", "60")], None).await;
    assert_eq!(
        traffic.stdout.lines().collect::<Vec<_>>(),
        [
            "traffic (bytes)".to_owned(),
            format!("2025-11-01  {}  1.0 GiB", bar(26, "", 39)),
            format!("2025-11-02  {}  1.5 GiB", bar(39, "", 39)),
        ]
    );
    assert_eq!(
        api.seen().pop().unwrap().path,
        format!("/projects/{PHOTOS}/usage/traffic/")
    );

    // In a pipe: the API's answer; NDJSON: one object per day.
    let mut args = vec!["usage", PHOTOS];
    args.extend(range);
    let json = api.ok(&args).await;
    assert_eq!(json["units"]["operations"], "operations");
    assert_eq!(json["data"][2]["storage"], 11 * GIB / 2);
    args.push("--ndjson");
    let ndjson = api.run(&args).await;
    let days: Vec<Value> = ndjson
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(days.len(), 3, "{ndjson:#?}");
    assert_eq!(
        days[0],
        json!({"date": "2025-11-01", "traffic": GIB, "storage": 5 * GIB, "operations": 1200})
    );
    // --table: the figures in their units.
    args.pop();
    args.push("--table");
    let table = api.run(&args).await;
    assert_eq!(
        table.stdout.lines().next(),
        Some("DATE        OPERATIONS  STORAGE  TRAFFIC"),
        "{table:#?}"
    );
    assert!(
        table.stdout.contains("2025-11-01  1,200       5.0 GiB  1.0 GiB"),
        "{table:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_refused_tokens_and_bad_ranges() {
    let api = ProjectApi::start().await;
    // A refused token: exit 3, a line that says so, the token nowhere.
    let refused = api
        .run(&["--project-api-token", "wrong-token", "projects", "list"])
        .await;
    let line = refused.failure(3);
    assert!(
        line.contains("refused the token") && line.contains("Invalid token."),
        "{line}"
    );
    assert!(!refused.stderr.contains("wrong-token"));
    // No token at all: exit 3 before any request.
    let before = api.seen().len();
    let url = api.url.clone();
    let none = ucare_io(
        strings(&["--project-api-base", &url, "projects", "list"]),
        Vec::new(),
        None,
    )
    .await;
    assert!(none.failure(3).contains("--project-api-token"), "{none:#?}");
    // Ranges the API would refuse: exit 2, nothing sent.
    for range in [
        ["--from", "2025-11-03", "--to", "2025-11-01"],
        ["--from", "2025-01-01", "--to", "2025-06-01"],
        ["--from", "2025-11-01", "--to", "2999-01-01"],
        ["--from", "2025-11-01", "--to", "2025-11-31"],
    ] {
        let mut args = vec!["usage", PHOTOS];
        args.extend(range);
        let run = api.run(&args).await;
        assert_eq!(run.code, 2, "{range:?}: {run:#?}");
        assert!(run.stderr.starts_with("error: "), "{run:#?}");
    }
    let last = api.run(&["usage", PHOTOS, "--last", "0"]).await;
    assert!(last.failure(2).contains("1 to 91 days"), "{last:#?}");
    let both = api
        .run(&["usage", PHOTOS, "--last", "3", "--from", "2025-11-01"])
        .await;
    assert_eq!(both.code, 2, "{both:#?}");
    let bad_key = api.run(&["projects", "show", "a/b"]).await;
    assert!(bad_key.failure(2).contains("neither a project"), "{bad_key:#?}");
    assert_eq!(api.seen().len(), before, "a request was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_use_writes_the_config_file() {
    let api = ProjectApi::start().await;
    let dir = Scratch::new();
    let config = dir.join("ucare/config.toml");
    let path = config.display().to_string();
    let env = [("UCARE_CONFIG", path.as_str())];

    // A missing file is created; the new secret is printed this once and saved.
    let created = api
        .run_with(
            &["projects", "use", PHOTOS, "--create-secret", "--default"],
            &env,
            None,
        )
        .await;
    let answer = created.json();
    assert_eq!(answer["name"], "Photos");
    assert_eq!(answer["secret"], NEW_SECRET);
    assert_eq!(answer["default_project"], true);
    assert!(created.stderr.contains("--project Photos"), "{created:#?}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        format!(
            "default_project = \"Photos\"\n\n[projects.Photos]\npublic_key = \"{PHOTOS}\"\nsecret_key = \"{NEW_SECRET}\"\n"
        )
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&config).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let seen = api.seen();
    let calls: Vec<(&str, &str)> = seen
        .iter()
        .map(|s| (s.method.as_str(), s.path.as_str()))
        .collect();
    let info = format!("/projects/{PHOTOS}/");
    let secrets = format!("/projects/{PHOTOS}/secrets/");
    assert_eq!(calls, [("GET", info.as_str()), ("POST", secrets.as_str())]);

    // Other commands pick the project up: `config show`, and PROJECT arguments by name in
    // any case.
    let shown = api.run_with(&["config", "show"], &env, None).await;
    assert!(!shown.stdout.contains(NEW_SECRET), "{shown:#?}");
    let rows = shown.json();
    let row = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["setting"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("project")["value"], "Photos");
    assert_eq!(row("public_key")["value"], PHOTOS);
    assert_eq!(row("secret_key")["source"], "project Photos");
    assert_eq!(
        row("project_api_token")["source"],
        "env UPLOADCARE_PROJECT_API_TOKEN"
    );
    api.run_with(&["projects", "show", "photos"], &env, None)
        .await
        .json();
    assert_eq!(api.seen().pop().unwrap().path, info);

    // A given secret (from stdin) under another name; comments and other entries stay, and
    // the secret is not printed.
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("# mine\n{text}")).unwrap();
    let given = api
        .run_with(
            &["projects", "use", SHARED, "--secret-key", "-", "--as", "docs"],
            &env,
            Some("given-secret-1234\n"),
        )
        .await;
    let answer = given.json();
    assert_eq!(answer["name"], "docs");
    assert!(answer.get("secret").is_none());
    assert!(!given.stdout.contains("given-secret-1234") && !given.stderr.contains("given-secret-1234"));
    let text = std::fs::read_to_string(&config).unwrap();
    assert!(
        text.starts_with("# mine\ndefault_project = \"Photos\"\n"),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "[projects.docs]\npublic_key = \"{SHARED}\"\nsecret_key = \"given-secret-1234\"\n"
        )),
        "{text}"
    );
    assert!(text.contains(&format!("secret_key = \"{NEW_SECRET}\"")), "{text}");

    // The API's name of another project does not overwrite an entry: --as is needed.
    let clash = api
        .run_with(
            &["projects", "use", "ffffeeeeddddcccc", "--secret-key", "x"],
            &env,
            None,
        )
        .await;
    assert!(clash.failure(2).contains("--as"), "{clash:#?}");
    assert_eq!(std::fs::read_to_string(&config).unwrap(), text);
    // A token from the config file.
    std::fs::write(&config, format!("project_api_token = \"{TOKEN}\"\n{text}")).unwrap();
    let url = api.url.clone();
    let from_file = ucare_io(
        strings(&["--project-api-base", &url, "projects", "show", "DOCS"]),
        vec![("UCARE_CONFIG".to_owned(), path.clone())],
        None,
    )
    .await;
    assert_eq!(from_file.json()["pub_key"], SHARED);
}

#[tokio::test(flavor = "multi_thread")]
async fn projects_dry_run_prints_the_requests_without_the_token() {
    let api = ProjectApi::start().await;
    let run = api
        .run(&["projects", "update", PHOTOS, "--autostore", "true", "--dry-run"])
        .await;
    let out = run.json();
    assert_eq!(
        out["requests"],
        json!([{
            "method": "POST",
            "url": format!("{}/projects/{PHOTOS}/", api.url),
            "body": {"features": {"uploads": {"autostore": true}}},
        }])
    );
    assert!(!run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN));
    let usage = api
        .run(&[
            "usage",
            PHOTOS,
            "--metric",
            "storage",
            "--from",
            "2025-11-01",
            "--to",
            "2025-11-02",
            "--dry-run",
        ])
        .await
        .json();
    assert_eq!(
        usage["requests"][0]["url"],
        format!(
            "{}/projects/{PHOTOS}/usage/storage/?from=2025-11-01&to=2025-11-02",
            api.url
        )
    );
    assert!(api.seen().is_empty(), "the stand-in saw a request");

    // The schema lists the commands and what they print.
    let schema = ucare_io(strings(&["schema"]), Vec::new(), None).await.json();
    let commands = schema["commands"].as_array().unwrap();
    let list = commands.iter().find(|c| c["path"] == "projects list").unwrap();
    assert!(list["output"]["json_fields"]
        .as_array()
        .unwrap()
        .contains(&json!("pub_key")));
    assert!(commands.iter().any(|c| c["path"] == "projects secrets create"));
    let usage = commands.iter().find(|c| c["path"] == "usage").unwrap();
    assert!(usage["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["long"] == "--last"));
}

/// From the account to an upload into a new project to its usage chart, against the
/// emulator (not the stand-in): `projects create`, `projects use --create-secret`, `upload`
/// with the saved project, then `usage --chart` once the emulator's clock is moved back.
#[tokio::test(flavor = "multi_thread")]
async fn projects_against_the_emulator_from_account_to_upload_to_usage_chart() {
    let emulator = uploadcare_emulator::Emulator::start().await.unwrap();
    let dir = Scratch::new();
    let config = dir.join("config.toml").display().to_string();
    // An explicit config file must exist (an empty one: `projects use` fills it).
    std::fs::write(&config, "").unwrap();
    let file = dir.join("hello.txt");
    std::fs::write(&file, "x".repeat(2048)).unwrap();
    let env = |extra: &[(&str, &str)]| {
        let mut vars = vec![
            (
                "UPLOADCARE_PROJECT_API_TOKEN".to_owned(),
                emulator.account_token().expose_secret().to_owned(),
            ),
            (
                "UPLOADCARE_PROJECT_API_BASE".to_owned(),
                emulator.rest_base_url().to_owned(),
            ),
            (
                "UPLOADCARE_API_BASE".to_owned(),
                emulator.rest_base_url().to_owned(),
            ),
            (
                "UPLOADCARE_UPLOAD_BASE".to_owned(),
                emulator.upload_base_url().to_owned(),
            ),
            ("UCARE_CONFIG".to_owned(), config.clone()),
        ];
        vars.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        vars
    };
    let run = |args: &[&str], extra: &[(&str, &str)]| ucare_io(strings(args), env(extra), None);
    let clock = |offset: i64| {
        let url = format!("{}/__emulator/clock", emulator.rest_base_url());
        async move {
            let answer = reqwest::Client::new()
                .put(url)
                .json(&json!({ "offset_secs": offset }))
                .send()
                .await
                .unwrap();
            assert!(answer.status().is_success());
        }
    };

    let created = run(&["projects", "create", "Photos"], &[]).await;
    assert_eq!(created.code, 0, "{created:#?}");
    let pub_key = created.json()["pub_key"].as_str().unwrap().to_owned();
    let used = run(
        &["projects", "use", &pub_key, "--create-secret", "--default"],
        &[],
    )
    .await;
    assert_eq!(used.code, 0, "{used:#?}");

    // Uploaded "yesterday" by the emulator's clock, then fetched from its CDN.
    clock(-86_400).await;
    let uploaded = run(&["upload", file.to_str().unwrap()], &[]).await;
    assert_eq!(uploaded.code, 0, "{uploaded:#?}");
    let uuid = uploaded
        .stdout
        .split('"')
        .find(|s| s.len() == 36 && s.matches('-').count() == 4)
        .unwrap()
        .to_owned();
    let served = reqwest::get(format!("{}/{uuid}/", emulator.cdn_base_url()))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.len(), 2048);
    clock(0).await;
    assert!(emulator
        .project(&pub_key)
        .unwrap()
        .file(uuid.parse().unwrap())
        .is_some());

    let yesterday = (chrono::Utc::now().date_naive() - chrono::Duration::days(1)).to_string();
    let chart = run(
        &[
            "usage", &pub_key, "--metric", "traffic", "--from", &yesterday, "--to", &yesterday, "--chart",
        ],
        &[("COLUMNS", "60")],
    )
    .await;
    assert_eq!(chart.code, 0, "{chart:#?}");
    assert_eq!(
        chart.stdout.lines().collect::<Vec<_>>(),
        [
            "traffic (bytes)".to_owned(),
            format!("{yesterday}  {}  2.0 KiB", bar(39, "", 39))
        ]
    );
}
