//! `ucare` end to end: the built binary against the emulator, every subcommand under both
//! `--auth` values, API versions 0.5 and 0.6 for the commands they have, and the failures
//! (wrong secret, unreachable host, malformed JSON, usage errors) as one line on stderr
//! with a non-zero exit and no panic.

use serde_json::Value;
use std::path::PathBuf;
use std::time::Duration;
use uploadcare_emulator::{Emulator, Fault, FaultRule};
use uuid::Uuid;

/// `ucare projects` and `ucare usage` against a stand-in for the Project API.
mod project_api;

/// What a run of `ucare` gave.
#[derive(Debug)]
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// Asserts success and parses stdout as one JSON document.
    fn json(&self) -> Value {
        assert_eq!(self.code, 0, "ucare failed: {self:#?}");
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self:#?}"))
    }

    /// Asserts a failure with `code`, one `error: ` line on stderr, nothing on stdout and no
    /// panic; returns the line.
    fn failure(&self, code: i32) -> String {
        assert_eq!(self.code, code, "unexpected exit status: {self:#?}");
        assert!(self.stdout.is_empty(), "stdout should be empty: {self:#?}");
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "expected one line on stderr: {self:#?}");
        assert!(lines[0].starts_with("error: "), "{self:#?}");
        assert!(!self.stderr.contains("panicked"), "{self:#?}");
        assert!(!self.stderr.contains("RUST_BACKTRACE"), "{self:#?}");
        lines[0].to_owned()
    }
}

/// Runs the binary with `args`, nothing taken from the environment's `UPLOADCARE_*`.
async fn ucare(args: Vec<String>) -> Run {
    run_binary(move |command| {
        for var in [
            "UPLOADCARE_PUBLIC_KEY",
            "UPLOADCARE_SECRET_KEY",
            "UPLOADCARE_API_BASE",
            "UPLOADCARE_UPLOAD_BASE",
            "UPLOADCARE_API_VERSION",
            "UPLOADCARE_AUTH",
            "UPLOADCARE_UPLOAD_TOKEN",
            "UPLOADCARE_SECURE_DELIVERY_SECRET",
        ] {
            command.env_remove(var);
        }
        command.args(&args);
    })
    .await
}

/// Runs the binary as `configure` sets it up (2 minutes at most) and collects what it did.
async fn run_binary(configure: impl FnOnce(&mut assert_cmd::Command) + Send + 'static) -> Run {
    tokio::task::spawn_blocking(move || {
        let mut command = assert_cmd::Command::new(env!("CARGO_BIN_EXE_ucare"));
        configure(&mut command);
        command.timeout(Duration::from_secs(120));
        let output = command.output().expect("ucare runs");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    })
    .await
    .expect("the blocking task finishes")
}

/// Items of a JSON array or object; 0 when absent.
fn len(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        Value::Object(items) => items.len(),
        Value::Null => 0,
        other => panic!("not a collection: {other}"),
    }
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// An emulator and the global flags that point `ucare` at it.
struct Project {
    emulator: Emulator,
    auth: &'static str,
    version: &'static str,
}

impl Project {
    async fn start(auth: &'static str) -> Self {
        Self::with(Emulator::start().await.expect("emulator starts"), auth, "0.7")
    }

    fn with(emulator: Emulator, auth: &'static str, version: &'static str) -> Self {
        Self {
            emulator,
            auth,
            version,
        }
    }

    fn global(&self) -> Vec<String> {
        strings(&[
            "--public-key",
            self.emulator.public_key(),
            "--secret-key",
            self.emulator.secret_key().expose_secret(),
            "--api-base",
            self.emulator.rest_base_url(),
            "--upload-base",
            self.emulator.upload_base_url(),
            "--auth",
            self.auth,
            "--api-version",
            self.version,
        ])
    }

    async fn run(&self, args: &[&str]) -> Run {
        let mut all = self.global();
        all.extend(strings(args));
        ucare(all).await
    }

    /// Runs, asserts success, returns the JSON output.
    async fn ok(&self, args: &[&str]) -> Value {
        self.run(args).await.json()
    }

    fn add_file(&self, name: &str, stored: bool) -> Uuid {
        self.emulator
            .state()
            .add_file(name, "text/plain", format!("content of {name}"), Some(stored))
    }

    /// REST or Upload API requests received so far with this method and path.
    fn count(&self, api: &str, method: &str, path: &str) -> usize {
        self.emulator
            .state()
            .requests()
            .iter()
            .filter(|r| r.api == api && r.method == method && r.path == path)
            .count()
    }
}

/// Runs each scenario once per `--auth` value (in module `$module`).
macro_rules! under_both_auths {
    ($module:ident: $($scenario:ident),* $(,)?) => {
        mod $module {
        mod signed {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $scenario() {
                    super::super::$scenario("signed").await;
                }
            )*
        }
        mod simple {
            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $scenario() {
                    super::super::$scenario("simple").await;
                }
            )*
        }
        }
    };
}

under_both_auths!(
    api_0_7:
    project_and_file_listing,
    files_store_and_delete_use_the_batch_endpoint,
    file_copies,
    metadata_commands,
    tags_and_search_commands,
    group_commands,
    webhook_commands,
    conversion_commands,
    addon_commands,
    upload_commands,
    demo_against_given_keys,
);
under_both_auths!(api_0_6: api_0_6_commands);
under_both_auths!(api_0_5: api_0_5_commands);

async fn project_and_file_listing(auth: &'static str) {
    let p = Project::start(auth).await;
    let project = p.ok(&["project"]).await;
    assert_eq!(project["name"], "Emulated project");
    assert_eq!(project["pub_key"], "demopublickey");

    let a = p.add_file("a.txt", true);
    let b = p.add_file("b.txt", false);
    let c = p.add_file("c.txt", true);

    // The first page only, unless --all.
    let page = p.ok(&["files", "list", "--limit", "2"]).await;
    assert_eq!(page["results"].as_array().unwrap().len(), 2);
    assert!(page["next"].is_string(), "{page}");
    assert_eq!(p.count("rest", "GET", "/files/"), 1);

    let all = p.ok(&["files", "list", "--limit", "2", "--all"]).await;
    let uuids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["uuid"].as_str().unwrap())
        .collect();
    assert_eq!(uuids, [a.to_string(), b.to_string(), c.to_string()]);
    assert_eq!(p.count("rest", "GET", "/files/"), 3, "two pages for --all");

    let unstored = p.ok(&["files", "list", "--stored", "false"]).await;
    assert_eq!(unstored["results"].as_array().unwrap().len(), 1);
    assert_eq!(unstored["results"][0]["uuid"], b.to_string());

    // A value starting with `-`, attached or separate.
    for args in [
        &["files", "list", "--ordering=-datetime_uploaded"][..],
        &["files", "list", "--ordering", "-datetime_uploaded"][..],
    ] {
        let newest_first = p.ok(args).await;
        assert_eq!(newest_first["results"][0]["uuid"], c.to_string(), "{args:?}");
    }
    // Empty lists are left out of the generated types' JSON.
    let removed = p.ok(&["files", "list", "--removed"]).await;
    assert_eq!(len(&removed["results"]), 0, "{removed}");

    let info = p.ok(&["files", "info", &a.to_string()]).await;
    assert_eq!(info["original_filename"], "a.txt");
    assert!(info.get("appdata").is_none() || info["appdata"].is_null());
    let with_appdata = p
        .ok(&["files", "info", &a.to_string(), "--include", "appdata"])
        .await;
    assert_eq!(with_appdata["uuid"], a.to_string());
    assert!(with_appdata.get("appdata").is_some(), "{with_appdata}");

    let missing = p.run(&["files", "info", &Uuid::new_v4().to_string()]).await;
    assert_eq!(missing.failure(1), "error: HTTP 404: Not found.");
    let bad_uuid = p.run(&["files", "info", "not-a-uuid"]).await;
    assert_eq!(bad_uuid.code, 2, "{bad_uuid:#?}");
    let wrong_flag = p
        .run(&[
            "files",
            "info",
            &a.to_string(),
            "--add-fields",
            "rekognition_info",
        ])
        .await;
    assert!(wrong_flag
        .failure(2)
        .contains("`--add-fields` is not available in API 0.7"));
}

async fn files_store_and_delete_use_the_batch_endpoint(auth: &'static str) {
    let p = Project::start(auth).await;
    let a = p.add_file("a.txt", false);
    let b = p.add_file("b.txt", false);

    // One UUID: still the batch endpoint.
    let one = p.ok(&["files", "store", &a.to_string()]).await;
    assert_eq!(one["result"][0]["uuid"], a.to_string());
    assert_eq!(p.count("rest", "PUT", "/files/storage/"), 1);
    assert_eq!(p.count("rest", "PUT", &format!("/files/{a}/storage/")), 0);
    assert!(p.emulator.state().file(a).unwrap().stored.is_some());

    // 150 UUIDs: two requests, results and problems merged.
    let mut args = vec!["files".to_owned(), "store".to_owned(), b.to_string()];
    let unknown: Vec<String> = (0..149).map(|_| Uuid::new_v4().to_string()).collect();
    args.extend(unknown.iter().cloned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let merged = p.ok(&args).await;
    assert_eq!(p.count("rest", "PUT", "/files/storage/"), 3);
    assert_eq!(merged["result"].as_array().unwrap().len(), 1);
    assert_eq!(merged["result"][0]["uuid"], b.to_string());
    assert_eq!(merged["problems"].as_object().unwrap().len(), 149);
    assert!(
        merged["problems"].get(&unknown[148]).is_some(),
        "problems of the second chunk too"
    );

    let deleted = p.ok(&["files", "delete", &a.to_string()]).await;
    assert_eq!(deleted["result"][0]["uuid"], a.to_string());
    assert_eq!(p.count("rest", "DELETE", "/files/storage/"), 1);
    assert!(p.emulator.state().file(a).unwrap().removed.is_some());
    let both = p.ok(&["files", "delete", &a.to_string(), &b.to_string()]).await;
    assert_eq!(len(&both["result"]) + len(&both["problems"]), 2, "{both}");
    assert_eq!(p.count("rest", "DELETE", "/files/storage/"), 2);

    let none = p.run(&["files", "store"]).await;
    assert_eq!(none.code, 2, "{none:#?}");
}

async fn file_copies(auth: &'static str) {
    let p = Project::start(auth).await;
    let a = p.add_file("photo.txt", true);
    let local = p
        .ok(&[
            "files",
            "copy-local",
            &a.to_string(),
            "--store",
            "--metadata",
            "k=v",
        ])
        .await;
    assert_eq!(local["type"], "file");
    let copy: Uuid = local["result"]["uuid"].as_str().unwrap().parse().unwrap();
    let record = p.emulator.state().file(copy).unwrap();
    assert!(record.stored.is_some());
    assert_eq!(record.metadata.get("k").map(String::as_str), Some("v"));

    let remote = p
        .ok(&[
            "files",
            "copy-remote",
            &a.to_string(),
            "--target",
            "emulator-storage",
            "--make-public",
            "false",
            "--pattern",
            "${uuid}${ext}",
        ])
        .await;
    assert_eq!(remote["type"], "url");
    assert_eq!(remote["result"], format!("s3://emulator-storage/{a}.txt"));

    let no_storage = p
        .run(&["files", "copy-remote", &a.to_string(), "--target", "nope"])
        .await;
    assert_eq!(
        no_storage.failure(1),
        "error: HTTP 400: Project has no storage with provided name."
    );
}

async fn metadata_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let a = p.add_file("a.txt", true);
    let uuid = a.to_string();
    assert_eq!(p.ok(&["metadata", "set", &uuid, "color", "red"]).await, "red");
    // A value starting with `-`, after `--`.
    assert_eq!(p.ok(&["metadata", "set", &uuid, "size", "--", "-1"]).await, "-1");
    assert_eq!(
        p.ok(&["metadata", "get", &uuid]).await,
        serde_json::json!({"color": "red", "size": "-1"})
    );
    assert_eq!(p.ok(&["metadata", "get", &uuid, "color"]).await, "red");
    // 204: `{}`.
    let deleted = p.run(&["metadata", "delete", &uuid, "color"]).await;
    assert_eq!(deleted.stdout, "{}\n");
    assert_eq!(deleted.json(), serde_json::json!({}));
    assert!(!p.emulator.state().file(a).unwrap().metadata.contains_key("color"));
    let gone = p.run(&["metadata", "get", &uuid, "color"]).await;
    assert!(gone.failure(1).starts_with("error: HTTP 404"));
    let bad_key = p.run(&["metadata", "set", &uuid, "bad key", "x"]).await;
    assert!(bad_key.failure(2).contains("invalid input"), "{bad_key:#?}"); // exit 2 since #13 (bad input)
}

async fn tags_and_search_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let a = p.add_file("beach-photo.txt", true);
    let b = p.add_file("city-notes.txt", true);
    let (ua, ub) = (a.to_string(), b.to_string());

    let set = p.ok(&["tags", "set", &ua, "Summer", "beach"]).await;
    assert_eq!(set["tags"], serde_json::json!(["summer", "beach"]));
    assert_eq!(
        p.ok(&["tags", "add", &ub, "city"]).await["tags"],
        serde_json::json!(["city"])
    );
    let removed = p.ok(&["tags", "remove", &ua, "beach"]).await;
    assert_eq!(removed["deleted"], serde_json::json!(["beach"]));
    assert_eq!(
        p.ok(&["tags", "get", &ua]).await,
        serde_json::json!({"tags": ["summer"]})
    );
    let bad = p.run(&["tags", "set", &ua, "two words"]).await;
    assert!(bad.failure(2).contains("invalid tag `two words`"), "{bad:#?}"); // exit 2 since #13 (bad input)

    let found = p
        .ok(&[
            "files",
            "search",
            "--tag-any",
            "summer",
            "--tag-any",
            "city",
            "--sort",
            "original_filename",
        ])
        .await;
    let names: Vec<&str> = found["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["original_filename"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["beach-photo.txt", "city-notes.txt"]);
    let text = p.ok(&["files", "search", "--query", "notes"]).await;
    assert_eq!(text["results"][0]["uuid"], ub);
    let all = p
        .ok(&["files", "search", "--max-size", "100", "--all", "--limit", "1"])
        .await;
    assert_eq!(len(&all), 2, "{all}");
    let none = p.run(&["files", "search"]).await;
    assert!(none.failure(2).contains("at least one condition"), "{none:#?}"); // exit 2 since #13 (bad input)

    let dir = Scratch::new();
    let path = dir.join("tagged.txt");
    std::fs::write(&path, "tagged").unwrap();
    let uploaded = p
        .ok(&[
            "upload",
            path.to_str().unwrap(),
            "--tag",
            "Upload",
            "--tag",
            "cli",
        ])
        .await;
    let uuid: Uuid = uploaded[path.to_str().unwrap()]["uuid"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        p.ok(&["tags", "get", &uuid.to_string()]).await["tags"],
        serde_json::json!(["upload", "cli"])
    );
}

async fn group_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let a = p.add_file("a.txt", true).to_string();
    let b = p.add_file("b.txt", true).to_string();

    let created = p.ok(&["upload", "group", "create", &a, &b]).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.ends_with("~2"), "{created}");
    let info = p.ok(&["upload", "group", "info", &id]).await;
    assert_eq!(info["files_count"], 2);

    let second = p.ok(&["upload", "group", "create", &a]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let page = p.ok(&["groups", "list", "--limit", "1"]).await;
    assert_eq!(page["results"].as_array().unwrap().len(), 1);
    assert!(page["next"].is_string());
    let all = p.ok(&["groups", "list", "--limit", "1", "--all"]).await;
    let ids: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [id.as_str(), second.as_str()]);
    let newest = p.ok(&["groups", "list", "--ordering", "-datetime_created"]).await;
    assert_eq!(newest["results"][0]["id"], second);

    let rest_info = p.ok(&["groups", "info", &id]).await;
    assert_eq!(rest_info["id"], id);
    assert_eq!(rest_info["files"].as_array().unwrap().len(), 2);

    assert_eq!(p.ok(&["groups", "delete", &id]).await, serde_json::json!({}));
    assert!(!p.emulator.state().lock().groups.contains_key(&id));
    let store = p.run(&["groups", "store", &second]).await;
    assert!(store
        .failure(2)
        .contains("`groups store` is not available in API 0.7"));
}

async fn webhook_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let secret = "hook-signing-secret-42";
    let created = p
        .run(&[
            "webhooks",
            "create",
            "--target-url",
            "https://example.com/hook",
            "--event",
            "file.uploaded",
            "--signing-secret",
            secret,
            "--inactive",
        ])
        .await;
    assert!(!created.stdout.contains(secret), "secrets are never printed");
    let created = created.json();
    assert_eq!(created["signing_secret"], "<redacted>");
    assert_eq!(created["is_active"], false);
    let id = created["id"].as_i64().unwrap();
    let stored = p.emulator.state().lock().webhooks[&id].clone();
    assert_eq!(stored.signing_secret.as_deref(), Some(secret));

    let list = p.run(&["webhooks", "list"]).await;
    assert!(!list.stdout.contains(secret));
    assert_eq!(list.json()[0]["target_url"], "https://example.com/hook");

    let updated = p
        .ok(&[
            "webhooks",
            "update",
            &id.to_string(),
            "--active",
            "true",
            "--event",
            "file.stored",
        ])
        .await;
    assert_eq!(updated["is_active"], true);
    assert_eq!(updated["event"], "file.stored");
    let nothing = p.run(&["webhooks", "update", &id.to_string()]).await;
    assert!(nothing.failure(2).contains("nothing to update"));
    let too_long = p
        .run(&[
            "webhooks",
            "update",
            &id.to_string(),
            "--signing-secret",
            &"s".repeat(33),
        ])
        .await;
    let line = too_long.failure(2);
    assert!(
        line.contains("--signing-secret") && !line.contains(&"s".repeat(33)),
        "{line}"
    );

    assert_eq!(
        p.ok(&["webhooks", "delete", "--target-url", "https://example.com/hook"])
            .await,
        serde_json::json!({})
    );
    assert!(p.emulator.state().lock().webhooks.is_empty());
}

async fn conversion_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let doc = p.add_file("notes.txt", true);
    let path = format!("{doc}/document/-/format/pdf/");

    let submitted = p.ok(&["convert", "document", &path]).await;
    let token = submitted["result"][0]["token"].as_i64().unwrap().to_string();
    let status = p.ok(&["convert", "status", "document", &token]).await;
    assert_eq!(status["status"], "pending");

    let waited = p
        .ok(&["convert", "document", &path, "bad/path", "--store", "--wait"])
        .await;
    let job = &waited["submitted"]["result"][0];
    let token = job["token"].as_i64().unwrap().to_string();
    assert_eq!(waited["statuses"][&token]["status"], "finished", "{waited}");
    assert!(waited["submitted"]["problems"].get("bad/path").is_some());
    let output: Uuid = job["uuid"].as_str().unwrap().parse().unwrap();
    assert!(
        p.emulator.state().file(output).unwrap().stored.is_some(),
        "--store"
    );

    let grouped = p
        .ok(&["convert", "document", &path, "--save-in-group", "--wait"])
        .await;
    assert!(grouped["statuses"]
        .as_object()
        .unwrap()
        .values()
        .all(|s| s["status"] == "finished"));
    let info = p.ok(&["convert", "info", &doc.to_string()]).await;
    assert_eq!(info["format"]["name"], "txt");
    assert!(
        !info["converted_groups"].as_object().unwrap().is_empty(),
        "{info}"
    );

    let video = p
        .ok(&["convert", "video", &format!("{doc}/video/"), "--wait"])
        .await;
    let token = video["submitted"]["result"][0]["token"]
        .as_i64()
        .unwrap()
        .to_string();
    assert_eq!(video["statuses"][&token]["status"], "finished");
    let status = p.ok(&["convert", "status", "video", &token]).await;
    assert_eq!(status["status"], "finished");
    let wrong_kind = p.run(&["convert", "status", "document", &token]).await;
    assert!(wrong_kind.failure(1).starts_with("error: HTTP 404"));
}

async fn addon_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let file = p.add_file("a.txt", true).to_string();

    let submitted = p
        .ok(&["addons", "execute", "aws_rekognition_detect_labels", &file])
        .await;
    let request_id = submitted["request_id"].as_str().unwrap().to_owned();
    let status = p
        .ok(&["addons", "status", "aws_rekognition_detect_labels", &request_id])
        .await;
    assert_eq!(status["status"], "in_progress");

    let scan = p
        .ok(&[
            "addons",
            "execute",
            "uc_clamav_virus_scan",
            &file,
            "--params",
            r#"{"purge_infected": false}"#,
            "--wait",
        ])
        .await;
    assert_eq!(scan["status"]["status"], "done", "{scan}");
    assert!(scan["submitted"]["request_id"].is_string());

    let moderation = p
        .ok(&[
            "addons",
            "execute",
            "aws_rekognition_detect_moderation_labels",
            &file,
            "--wait",
        ])
        .await;
    assert_eq!(moderation["status"]["status"], "done");
    let bg = p
        .ok(&[
            "addons",
            "execute",
            "remove_bg",
            &file,
            "--params",
            r#"{"crop": true}"#,
            "--wait",
        ])
        .await;
    assert_eq!(bg["status"]["status"], "done");
    let id = bg["submitted"]["request_id"].as_str().unwrap().to_owned();
    assert_eq!(
        p.ok(&["addons", "status", "remove_bg", &id]).await["status"],
        "done"
    );

    let bad_params = p
        .run(&["addons", "execute", "remove_bg", &file, "--params", "{oops"])
        .await;
    assert!(bad_params.failure(2).contains("invalid --params"));
    let unknown = p.run(&["addons", "execute", "nope", &file]).await;
    assert_eq!(unknown.code, 2);
}

/// A fresh directory for test files, removed when dropped (failed tests included).
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("ucare-test-{}", Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        std::fs::remove_dir_all(&self.0).ok();
    }
}

async fn upload_commands(auth: &'static str) {
    let p = Project::start(auth).await;
    let dir = Scratch::new();
    let first = dir.join("first.txt");
    let second = dir.join("second file.txt");
    std::fs::write(&first, "first").unwrap();
    std::fs::write(&second, "second").unwrap();
    let (first, second) = (first.display().to_string(), second.display().to_string());

    let uploaded = p
        .ok(&[
            "upload",
            &first,
            &second,
            "--store",
            "1",
            "--metadata",
            "album=summer",
            "--metadata",
            "n=1",
        ])
        .await;
    let keys: Vec<&String> = uploaded.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 2);
    assert_eq!(uploaded[&second]["original_filename"], "second file.txt");
    let uuid: Uuid = uploaded[&first]["uuid"].as_str().unwrap().parse().unwrap();
    let record = p.emulator.state().file(uuid).unwrap();
    assert_eq!(record.data.as_ref(), b"first");
    assert!(record.stored.is_some(), "--store 1");
    assert_eq!(record.metadata.get("album").map(String::as_str), Some("summer"));
    assert_eq!(
        p.count("upload", "POST", "/base/"),
        2,
        "one direct upload per file"
    );

    let temporary = p.ok(&["upload", &first, "--store", "0"]).await;
    let uuid: Uuid = temporary[&first]["uuid"].as_str().unwrap().parse().unwrap();
    assert!(
        p.emulator.state().file(uuid).unwrap().stored.is_none(),
        "--store 0"
    );

    let info = p.ok(&["upload", "info", &uuid.to_string()]).await;
    assert_eq!(info["filename"], "first.txt");

    // From URL: the token, its status, and waiting for the file.
    let submitted = p
        .ok(&["upload", "from-url", "https://example.com/logo.png"])
        .await;
    assert_eq!(submitted["type"], "token");
    let token = submitted["token"].as_str().unwrap().to_owned();
    let status = p.ok(&["upload", "status", &token]).await;
    assert!(status["status"].is_string(), "{status}");
    let fetched = p
        .ok(&[
            "upload",
            "from-url",
            "https://example.com/photo.png",
            "--wait",
            "--store",
            "1",
        ])
        .await;
    assert!(fetched["uuid"].is_string(), "{fetched}");

    let missing = p
        .run(&["upload", &dir.join("missing.txt").display().to_string()])
        .await;
    assert!(missing.failure(1).contains("missing.txt"));
    let bad_metadata = p.run(&["upload", &first, "--metadata", "no value"]).await;
    assert_eq!(bad_metadata.code, 2);
}

async fn demo_against_given_keys(auth: &'static str) {
    let p = Project::start(auth).await;
    let run = p.run(&["demo"]).await;
    let summary = run.json();
    assert_eq!(summary["project"], "Emulated project");
    // One upload, then four at once (each reported as it is sent).
    assert_eq!(summary["files"].as_array().unwrap().len(), 5);
    assert_eq!(run.stderr.matches("sent ").count(), 4, "{run:#?}");
    assert!(run.stderr.contains("sent 4 of 4"), "{run:#?}");
    // Tags normalized, changed, and the search by this run's tag finds the five files.
    let tags = summary["tags"].as_array().unwrap();
    assert_eq!(tags.len(), 2, "{summary}");
    assert!(tags[0].as_str().unwrap().starts_with("demo-"), "{summary}");
    assert_eq!(tags[1], "reviewed");
    assert_eq!(summary["found"].as_array().unwrap().len(), 5, "{summary}");
    assert!(run.stderr.contains("images among them  pixels.png"), "{run:#?}");
    // A project: a URL with operations, no signed one without its secret, no CDN fetch.
    let url = summary["cdn"]["url"].as_str().unwrap();
    assert!(
        url.ends_with("/-/resize/60x/-/format/jpeg/-/quality/better/"),
        "{url}"
    );
    assert!(summary["cdn"]["signed"].is_null(), "{summary}");
    assert!(summary["cdn"]["delivered"].is_null(), "{summary}");
    assert!(
        run.stderr
            .contains("skipped: set UPLOADCARE_SECURE_DELIVERY_SECRET"),
        "{run:#?}"
    );
    let cdn_requests = p
        .emulator
        .state()
        .requests()
        .iter()
        .filter(|r| r.path.starts_with("/cdn/"))
        .count();
    assert_eq!(cdn_requests, 0);
    assert_eq!(summary["conversion"]["status"], "finished");
    assert!(run.stderr.contains(" 1. Project"), "{run:#?}");
    assert!(run.stderr.contains("Done."), "{run:#?}");
    assert_readable(&run.stderr);
    // It ran against this emulator, and removed every file it made (the conversion's
    // output too), the group and the webhook.
    let state = p.emulator.state();
    assert_all_removed(state, 6);
    assert!(state.lock().webhooks.is_empty());
    let group = summary["group"].as_str().unwrap();
    assert_eq!(p.run(&["groups", "info", group]).await.code, 1);
}

/// No Rust debug formatting in the demo's steps: no `Some(…)`, no quoted lists, dates in
/// UTC without RFC 3339's `T`.
/// The emulator holds `count` files, every one of them removed (the demo cleaned up).
fn assert_all_removed(state: &uploadcare_emulator::EmulatorState, count: usize) {
    let files = state.file_uuids();
    assert_eq!(files.len(), count, "{files:?}");
    for uuid in files {
        assert!(
            state.file(uuid).unwrap().removed.is_some(),
            "{uuid} was not removed"
        );
    }
}

fn assert_readable(steps: &str) {
    for debug in ["Some(", "None", "[\"", "{\"", "+00:00"] {
        assert!(!steps.contains(debug), "`{debug}` in the demo's output:\n{steps}");
    }
    assert!(steps.contains(" UTC\n"), "{steps}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_without_keys_starts_the_embedded_emulator() {
    let run = ucare(strings(&["demo"])).await;
    let summary = run.json();
    assert_eq!(summary["project"], "Emulated project");
    assert!(run.stderr.contains("using the embedded emulator"), "{run:#?}");
    assert!(run.stderr.contains("13. Clean up"), "{run:#?}");
    assert_readable(&run.stderr);
    assert_eq!(summary["found"].as_array().unwrap().len(), 5, "{summary}");
    // The emulator runs with secure delivery on: the plain URL is refused, the signed one
    // delivers the processed image (a 120×80 PNG made 60 px wide, as JPEG).
    let signed = summary["cdn"]["signed"].as_str().unwrap();
    assert!(
        signed.starts_with(summary["cdn"]["url"].as_str().unwrap()),
        "{summary}"
    );
    assert!(signed.contains("?token=exp="), "{signed}");
    assert!(
        run.stderr.contains("without token      refused (403 Forbidden)"),
        "{run:#?}"
    );
    let delivered = &summary["cdn"]["delivered"];
    assert_eq!(delivered["format"], "JPEG", "{summary}");
    assert_eq!(
        (delivered["width"].as_u64(), delivered["height"].as_u64()),
        (Some(60), Some(40))
    );
    assert!(delivered["bytes"].as_u64().unwrap() > 0, "{summary}");
    // The demo's secret is never printed.
    assert!(!run.stderr.contains("75706c6f6164"), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_cleans_up_when_a_step_fails() {
    let p = Project::start("signed").await;
    p.emulator
        .faults()
        .add(FaultRule::always(Fault::Status(400)).on_path("/files/search/"));
    let run = p.run(&["demo"]).await;
    assert_ne!(run.code, 0, "{run:#?}");
    assert!(run.stdout.is_empty(), "{run:#?}");
    assert!(run.stderr.contains("stopped"), "{run:#?}");
    assert!(run.stderr.contains("13. Clean up"), "{run:#?}");
    assert!(!run.stderr.contains("Done."), "{run:#?}");
    // The five uploads were made before the search, and are all removed.
    assert_all_removed(p.emulator.state(), 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn demo_against_a_project_signs_with_the_secret_from_the_environment() {
    let p = Project::start("signed").await;
    let secret = "73636b6151";
    let mut args = p.global();
    args.push("demo".to_owned());
    let run = run_binary(move |command| {
        command.env("UPLOADCARE_SECURE_DELIVERY_SECRET", secret);
        command.args(&args);
    })
    .await;
    let summary = run.json();
    let signed = summary["cdn"]["signed"].as_str().unwrap();
    assert!(signed.contains("?token=exp="), "{signed}");
    assert!(summary["cdn"]["delivered"].is_null(), "{summary}");
    assert!(!run.stderr.contains(secret), "{run:#?}");

    // A secret that is not hex is an error that does not quote it.
    let mut args = p.global();
    args.push("demo".to_owned());
    let run = run_binary(move |command| {
        command.env("UPLOADCARE_SECURE_DELIVERY_SECRET", "not-hex-at-all");
        command.args(&args);
    })
    .await;
    assert!(run.failure(3).contains("not hex"), "{run:#?}");
    assert!(!run.stderr.contains("not-hex-at-all"), "{run:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_at_or_above_the_threshold_go_multipart() {
    let p = Project::start("signed").await;
    let dir = Scratch::new();
    let threshold: usize = 10 * 1024 * 1024;
    let small = dir.join("just-below.bin");
    let large = dir.join("at-threshold.bin");
    std::fs::write(&small, vec![7u8; threshold - 1]).unwrap();
    std::fs::write(&large, vec![9u8; threshold]).unwrap();
    let (small, large) = (small.display().to_string(), large.display().to_string());

    let uploaded = p
        .ok(&[
            "upload",
            &small,
            &large,
            "--multipart-threshold",
            &threshold.to_string(),
            "--concurrency",
            "2",
            "--metadata",
            "kind=big",
        ])
        .await;
    assert_eq!(p.count("upload", "POST", "/base/"), 1);
    assert_eq!(p.count("upload", "POST", "/multipart/start/"), 1);
    assert_eq!(p.count("upload", "POST", "/multipart/complete/"), 1);
    assert_eq!(uploaded[&large]["size"], threshold);
    assert_eq!(uploaded[&small]["size"], threshold - 1);
    let uuid: Uuid = uploaded[&large]["uuid"].as_str().unwrap().parse().unwrap();
    let record = p.emulator.state().file(uuid).unwrap();
    assert_eq!(record.data.len(), threshold);
    assert_eq!(record.metadata.get("kind").map(String::as_str), Some("big"));

    // Thresholds outside the library's range are usage errors.
    let low = p
        .run(&["upload", &small, "--multipart-threshold", "1048576"])
        .await;
    assert_eq!(low.code, 2);
    assert!(low.stderr.contains("10 MiB"), "{low:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_are_signed_when_the_secret_key_is_given() {
    let emulator = Emulator::builder().signed_uploads(true).start().await.unwrap();
    let p = Project::with(emulator, "signed", "0.7");
    let dir = Scratch::new();
    let file = dir.join("signed.txt");
    std::fs::write(&file, "signed").unwrap();
    let file = file.display().to_string();
    let uploaded = p.ok(&["upload", &file]).await;
    assert!(uploaded[&file]["uuid"].is_string());

    // Without the secret key the project refuses the upload: the error code is reported.
    let unsigned = ucare(strings(&[
        "--public-key",
        p.emulator.public_key(),
        "--upload-base",
        p.emulator.upload_base_url(),
        "upload",
        &file,
    ]))
    .await;
    let line = unsigned.failure(3); // exit 3 since #13 (rejected credentials)
    assert!(line.contains("SignatureRequiredError"), "{line}");
    assert!(line.contains("signed.txt"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_minted_token_signs_an_upload_made_without_the_secret_key() {
    let emulator = Emulator::builder().signed_uploads(true).start().await.unwrap();
    let secret = emulator.secret_key().expose_secret().to_owned();
    // The backend mints (no network)...
    let minted = ucare(strings(&[
        "--secret-key",
        &secret,
        "token",
        "mint",
        "--lifetime",
        "10m",
        "--scope",
        "/base/",
        "--operations",
        "1",
    ]))
    .await;
    assert_eq!(minted.code, 0, "{}", minted.stderr);
    let token = minted.stdout.trim().to_owned();
    assert_eq!(token.split('.').count(), 3, "{token}");
    // ...the client uploads with the public key and the token only.
    let dir = Scratch::new();
    let file = dir.join("tokened.txt");
    std::fs::write(&file, "tokened").unwrap();
    let file = file.display().to_string();
    let upload = |file: String, token: String| {
        let (public_key, base) = (
            emulator.public_key().to_owned(),
            emulator.upload_base_url().to_owned(),
        );
        run_binary(move |command| {
            command.env_remove("UPLOADCARE_SECRET_KEY");
            command.env("UPLOADCARE_UPLOAD_TOKEN", token);
            command.args([
                "--public-key",
                &public_key,
                "--upload-base",
                &base,
                "upload",
                &file,
            ]);
        })
    };
    let first = upload(file.clone(), token.clone()).await;
    assert_eq!(first.code, 0, "{}", first.stderr);
    // The token allowed one file: the second is refused, with exit 1 (a quota, not bad keys).
    let second = upload(file.clone(), token.clone()).await;
    let line = second.failure(1);
    assert!(line.contains("OperationsLimitExceededError"), "{line}");
    // A token signed with another key: rejected credentials, exit 3.
    let forged = ucare(strings(&["--secret-key", "not the secret", "token", "mint"])).await;
    let third = upload(file, forged.stdout.trim().to_owned()).await;
    let line = third.failure(3);
    assert!(line.contains("AccessTokenInvalidError"), "{line}");
    // `--mint-token`: the secret key mints a token for just these files.
    let dir2 = Scratch::new();
    let a = dir2.join("a.txt");
    let b = dir2.join("b.txt");
    std::fs::write(&a, "a").unwrap();
    std::fs::write(&b, "b").unwrap();
    let minted_here = ucare(strings(&[
        "--public-key",
        emulator.public_key(),
        "--secret-key",
        &secret,
        "--upload-base",
        emulator.upload_base_url(),
        "upload",
        "--mint-token",
        &a.display().to_string(),
        &b.display().to_string(),
    ]))
    .await;
    assert_eq!(minted_here.code, 0, "{}", minted_here.stderr);
    let tokened = emulator
        .state()
        .lock()
        .uploads
        .token_operations
        .values()
        .copied()
        .collect::<Vec<_>>();
    assert!(
        tokened.contains(&2),
        "two files spent on one minted token: {tokened:?}"
    );
    // Minting refuses what the service would, before anything: exit 2.
    let refused = ucare(strings(&[
        "--secret-key",
        &secret,
        "token",
        "mint",
        "--scope",
        "*",
    ]))
    .await;
    let line = refused.failure(2);
    assert!(line.contains("must start with `/`"), "{line}");
    let json = ucare(strings(&[
        "--secret-key",
        &secret,
        "token",
        "mint",
        "--json",
        "token,expires_at",
    ]))
    .await;
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(
        value["token"].is_string() && value["expires_at"].is_u64(),
        "{value}"
    );
}

async fn api_0_6_commands(auth: &'static str) {
    let p = Project::with(Emulator::start().await.unwrap(), auth, "0.6");
    common_older_version_commands(&p).await;
    let a = p.add_file("a.txt", true).to_string();
    let local = p.ok(&["files", "copy-local", &a, "--store"]).await;
    assert_eq!(local["type"], "file");
    assert_eq!(p.count("rest", "POST", "/files/local_copy/"), 1);
    let remote = p
        .ok(&["files", "copy-remote", &a, "--target", "emulator-storage"])
        .await;
    assert_eq!(remote["type"], "url");
    assert_eq!(p.count("rest", "POST", "/files/remote_copy/"), 1);
    let with_fields = p
        .ok(&["files", "info", &a, "--add-fields", "rekognition_info"])
        .await;
    assert_eq!(with_fields["uuid"], a);
    let include = p.run(&["files", "list", "--include", "appdata"]).await;
    assert!(include.failure(2).contains("API 0.6 has `--add-fields`"));
}

async fn api_0_5_commands(auth: &'static str) {
    let p = Project::with(Emulator::start().await.unwrap(), auth, "0.5");
    common_older_version_commands(&p).await;
    let a = p.add_file("a.txt", true).to_string();
    // 0.5 copies through `POST /files/`.
    let local = p.ok(&["files", "copy-local", &a, "--store"]).await;
    assert_eq!(local["type"], "file");
    let remote = p
        .ok(&[
            "files",
            "copy-remote",
            &a,
            "--target",
            "emulator-storage",
            "--make-public",
            "true",
        ])
        .await;
    assert_eq!(remote["type"], "url");
    assert_eq!(p.count("rest", "POST", "/files/"), 2);
    let metadata = p.run(&["files", "copy-local", &a, "--metadata", "k=v"]).await;
    assert!(metadata.failure(2).contains("API 0.5"));
    let add_fields = p.run(&["files", "info", &a, "--add-fields", "x"]).await;
    assert!(add_fields.failure(2).contains("not available in API 0.5"));
}

/// What 0.5 and 0.6 have in common with 0.7, and the 0.7-only commands refused.
async fn common_older_version_commands(p: &Project) {
    assert_eq!(p.ok(&["project"]).await["name"], "Emulated project");
    let a = p.add_file("a.txt", false);
    let b = p.add_file("b.txt", true);
    let (a_text, b_text) = (a.to_string(), b.to_string());

    let unstored = p.ok(&["files", "list", "--stored", "false"]).await;
    assert_eq!(unstored["results"].as_array().unwrap().len(), 1, "{unstored}");
    let query = p
        .emulator
        .state()
        .requests()
        .last()
        .unwrap()
        .query
        .clone()
        .unwrap_or_default();
    assert!(query.contains("stored=false"), "{query}");
    let all = p.ok(&["files", "list", "--limit", "1", "--all"]).await;
    assert_eq!(all.as_array().unwrap().len(), 2);
    assert_eq!(p.ok(&["files", "info", &a_text]).await["uuid"], a_text);
    let stored = p.ok(&["files", "store", &a_text]).await;
    assert_eq!(stored["result"][0]["uuid"], a_text);
    assert!(p.emulator.state().file(a).unwrap().stored.is_some());

    let group = p.ok(&["upload", "group", "create", &a_text, &b_text]).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(p.ok(&["groups", "list"]).await["results"][0]["id"], group);
    assert_eq!(p.ok(&["groups", "info", &group]).await["id"], group);
    let stored_group = p.ok(&["groups", "store", &group]).await;
    assert_eq!(stored_group["id"], group);
    assert!(p.emulator.state().lock().groups[&group].stored.is_some());
    let delete_group = p.run(&["groups", "delete", &group]).await;
    assert!(delete_group.failure(2).contains("use `groups store` here"));

    let hook = p
        .ok(&[
            "webhooks",
            "create",
            "--target-url",
            "https://example.com/old",
            "--event",
            "file.uploaded",
        ])
        .await;
    let id = hook["id"].as_i64().unwrap().to_string();
    assert_eq!(p.ok(&["webhooks", "list"]).await.as_array().unwrap().len(), 1);
    assert_eq!(
        p.ok(&["webhooks", "update", &id, "--active", "false"]).await["is_active"],
        false
    );
    assert_eq!(
        p.ok(&["webhooks", "delete", "--target-url", "https://example.com/old"])
            .await,
        serde_json::json!({})
    );

    let converted = p
        .ok(&[
            "convert",
            "document",
            &format!("{b}/document/-/format/pdf/"),
            "--wait",
        ])
        .await;
    assert!(converted["statuses"]
        .as_object()
        .unwrap()
        .values()
        .all(|s| s["status"] == "finished"));
    let video = p.ok(&["convert", "video", &format!("{b}/video/")]).await;
    let token = video["result"][0]["token"].as_i64().unwrap().to_string();
    assert_eq!(
        p.ok(&["convert", "status", "video", &token]).await["status"],
        "pending"
    );

    assert_eq!(
        p.ok(&["files", "delete", &a_text]).await["result"][0]["uuid"],
        a_text
    );

    // The requests carried this version's Accept header (the emulator answers 406 otherwise)
    // and none of them failed.
    assert!(
        p.emulator.state().requests().iter().all(|r| r.status < 400),
        "{:#?}",
        p.emulator.state().requests()
    );

    // What only 0.7 has.
    let version = p.version;
    for args in [
        &["metadata", "get", a_text.as_str()][..],
        &["addons", "status", "remove_bg", a_text.as_str()][..],
        &["convert", "info", a_text.as_str()][..],
        &[
            "convert",
            "document",
            "x/document/-/format/pdf/",
            "--save-in-group",
        ][..],
    ] {
        let refused = p.run(args).await;
        let line = refused.failure(2);
        assert!(line.contains(&format!("API {version}")), "{args:?}: {line}");
    }
}

// ---- Failures: one line on stderr, non-zero exit, no panic, no secret. ----

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_is_a_one_line_error_under_both_schemes() {
    let emulator = Emulator::start().await.unwrap();
    let wrong = "not-the-secret-key-123";
    for (auth, message) in [
        (
            "signed",
            "error: HTTP 401: Invalid signature. Please check your Secret key.",
        ),
        ("simple", "error: HTTP 401: Incorrect authentication credentials."),
    ] {
        let run = ucare(strings(&[
            "--public-key",
            emulator.public_key(),
            "--secret-key",
            wrong,
            "--api-base",
            emulator.rest_base_url(),
            "--auth",
            auth,
            "files",
            "list",
        ]))
        .await;
        assert_eq!(run.failure(3), message); // exit 3 since #13 (rejected credentials)
        assert!(!run.stderr.contains(wrong));
    }
}

/// A base URL nothing listens on.
async fn closed_port_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unreachable_host_is_a_clear_message() {
    let url = closed_port_url().await;
    let rest = ucare(strings(&[
        "--public-key",
        "pk",
        "--secret-key",
        "sk",
        "--api-base",
        &url,
        "project",
    ]))
    .await;
    let line = rest.failure(1);
    assert!(line.starts_with("error: cannot reach the server: "), "{line}");
    assert!(line.contains(&url), "{line}");
    assert!(line.to_lowercase().contains("refused"), "{line}");

    let upload = ucare(strings(&[
        "--public-key",
        "pk",
        "--upload-base",
        &url,
        "upload",
        "info",
        &Uuid::new_v4().to_string(),
    ]))
    .await;
    assert!(upload.failure(1).starts_with("error: cannot reach the server: "));
}

/// A server answering `200 {not json` to everything.
async fn malformed_json_server() -> String {
    let app =
        axum::Router::new().fallback(|| async { ([("content-type", "application/json")], "{not json") });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_json_from_the_server_is_a_clear_message() {
    let url = malformed_json_server().await;
    for args in [
        vec!["project"],
        vec!["files", "list", "--all"],
        vec!["webhooks", "list"],
        vec!["upload", "status", "7c3c3b6e-8b2e-4b7e-9f2a-0d5f5f0b1c2d"],
    ] {
        let mut all = strings(&[
            "--public-key",
            "pk",
            "--secret-key",
            "sk",
            "--api-base",
            &url,
            "--upload-base",
            &url,
        ]);
        all.extend(strings(&args));
        let run = ucare(all).await;
        let line = run.failure(1);
        assert!(
            line.starts_with("error: the server sent a malformed response"),
            "{args:?}: {line}"
        );
        assert!(line.contains("{not json"), "{line}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_throttled_request_is_retried_after_retry_after() {
    let p = Project::start("signed").await;
    p.emulator
        .faults()
        .add(FaultRule::first(1, Fault::Throttle { retry_after_secs: 1 }).on_path("/project/"));
    let started = std::time::Instant::now();
    let project = p.ok(&["project"]).await;
    assert_eq!(project["name"], "Emulated project");
    assert_eq!(p.emulator.faults().applied(), 1);
    assert!(started.elapsed() >= Duration::from_secs(1));
}

#[tokio::test(flavor = "multi_thread")]
async fn server_errors_with_text_bodies_stay_on_one_line() {
    let p = Project::start("signed").await;
    p.emulator
        .faults()
        .add(FaultRule::always(Fault::Status(500)).on_path("/project/"));
    let line = p.run(&["project"]).await.failure(1);
    assert!(line.starts_with("error: HTTP 500"), "{line}");
}

#[tokio::test(flavor = "multi_thread")]
async fn missing_keys_and_usage_errors() {
    let no_public = ucare(strings(&["project"])).await;
    assert!(no_public.failure(3).contains("--public-key")); // exit 3 since #13 (missing credentials)
    let no_secret = ucare(strings(&["--public-key", "pk", "files", "list"])).await;
    assert!(no_secret.failure(3).contains("--secret-key")); // exit 3 since #13
    let empty_secret = ucare(strings(&["--public-key", "pk", "--secret-key", "", "project"])).await;
    assert!(empty_secret.failure(3).contains("UPLOADCARE_SECRET_KEY")); // exit 3 since #13

    // clap's own usage errors: exit 2, no panic.
    for args in [
        vec!["nope"],
        vec!["--api-version", "0.8", "project"],
        vec!["--auth", "basic", "project"],
        vec!["files", "list", "--limit", "0"],
        vec!["files", "list", "--stored", "maybe"],
        vec!["upload", "--store", "2", "x"],
    ] {
        let run = ucare(strings(&args)).await;
        assert_eq!(run.code, 2, "{args:?}: {run:#?}");
        assert!(run.stderr.starts_with("error: "), "{args:?}: {run:#?}");
        assert!(!run.stderr.contains("panicked"));
    }
    let help = ucare(strings(&["--help"])).await;
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("upload"));
    // Every exit status the binary uses is listed, in `--help` as in `ucare schema`.
    let listed = help.stdout.split("Exit status:").nth(1).unwrap_or_default();
    let schema = ucare(strings(&["schema"])).await.json();
    let codes = schema["exit_codes"].as_object().unwrap();
    assert_eq!(codes.len(), 5, "{codes:?}");
    for code in codes.keys() {
        assert!(
            listed
                .lines()
                .any(|l| l.trim_start().starts_with(&format!("{code} "))),
            "{code} not in --help: {listed}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn keys_come_from_the_environment_and_the_secret_never_shows() {
    let emulator = Emulator::start().await.unwrap();
    let secret = emulator.secret_key().expose_secret().to_owned();
    let emulator_ref = &emulator;
    let run = |args: Vec<String>| {
        let public = emulator_ref.public_key().to_owned();
        let secret = secret.clone();
        let api = emulator_ref.rest_base_url().to_owned();
        tokio::task::spawn_blocking(move || {
            assert_cmd::Command::new(env!("CARGO_BIN_EXE_ucare"))
                .env("UPLOADCARE_PUBLIC_KEY", public)
                .env("UPLOADCARE_SECRET_KEY", secret)
                .env("UPLOADCARE_API_BASE", api)
                .env("UPLOADCARE_API_VERSION", "0.7")
                .env("UPLOADCARE_AUTH", "simple")
                .args(args)
                .output()
                .unwrap()
        })
    };
    let project = run(strings(&["project"])).await.unwrap();
    assert!(project.status.success(), "{project:?}");
    let requests = emulator.state().requests();
    assert_eq!(requests.len(), 1);
    let help = run(strings(&["--help"])).await.unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(help.contains("UPLOADCARE_SECRET_KEY"));
    assert!(!help.contains(&secret), "the secret key is not shown in --help");
}

#[tokio::test(flavor = "multi_thread")]
async fn url_prints_cdn_urls_and_signed_urls_the_emulator_accepts() {
    let secret = "73636b6151";
    let emulator = Emulator::builder()
        .secure_delivery_secret(secret)
        .start()
        .await
        .unwrap();
    let uuid = emulator
        .state()
        .add_file("a.txt", "text/plain", "signed bytes", Some(true));
    let cdn = emulator.cdn_base_url().to_owned();
    let global = |rest: &[&str]| {
        let mut all = strings(&["--public-key", "demopublickey", "url"]);
        all.extend(strings(rest));
        all
    };
    let base = ucare(global(&["--cdn-base"])).await;
    assert_eq!(base.stdout, "https://1s4oyld5dc.ucarecd.net\n");
    let plain = ucare(global(&[
        &uuid.to_string(),
        "--op",
        "resize=800x",
        "--op",
        "grayscale",
        "--cdn",
        &cdn,
    ]))
    .await;
    assert_eq!(plain.stdout, format!("{cdn}/{uuid}/-/resize/800x/-/grayscale/\n"));

    let signed = ucare(global(&[
        &uuid.to_string(),
        "--cdn",
        &cdn,
        "--sign",
        "--secure-delivery-secret",
        secret,
    ]))
    .await;
    let url = signed.stdout.trim().to_owned();
    assert!(url.contains("?token=exp="), "{signed:#?}");
    let fetched = reqwest::get(&url).await.unwrap();
    assert_eq!(fetched.status(), 200);
    assert_eq!(fetched.bytes().await.unwrap(), "signed bytes");
    let unsigned = reqwest::get(format!("{cdn}/{uuid}/")).await.unwrap();
    assert_eq!(unsigned.status(), 403);

    let bad = ucare(global(&[&uuid.to_string(), "--sign"])).await;
    assert_eq!(bad.code, 2, "{bad:#?}");

    // `--op` is checked like the typed methods; `--raw-op` is not, and comes after.
    let typed = ucare(global(&[
        &uuid.to_string(),
        "--op",
        "scale_crop=300x200/smart",
        "--raw-op",
        "future_op=1/2",
        "--op",
        "text=50px10p/bottom/Hi there/you",
    ]))
    .await;
    assert_eq!(
        typed.stdout,
        format!(
            "https://1s4oyld5dc.ucarecd.net/{uuid}/-/scale_crop/300x200/smart/-/text/50px10p/bottom/Hi%20there~syou/-/future_op/1/2/\n"
        ),
        "{typed:#?}"
    );
    for bad_op in ["resize=99999x", "format=avif", "nosuchop=1", "rotate=45"] {
        let bad = ucare(global(&[&uuid.to_string(), "--op", bad_op])).await;
        assert_eq!(bad.code, 2, "{bad_op}: {bad:#?}");
        assert!(bad.stderr.starts_with("error: "), "{bad:#?}");
        assert!(bad.stdout.is_empty());
    }
}

/// `upload FILE…` goes through `upload_many`: when one file fails, the others still
/// upload, their infos are printed, and the failure is the one `error:` line (exit 1).
#[tokio::test(flavor = "multi_thread")]
async fn a_failed_file_among_many_does_not_lose_the_others() {
    let p = Project::start("signed").await;
    let dir = Scratch::new();
    let mut files = Vec::new();
    for name in ["one.txt", "two.txt", "three.txt"] {
        let path = dir.join(name);
        std::fs::write(&path, name).unwrap();
        files.push(path.display().to_string());
    }
    // The first /base/ request is refused (400, not retried): one file fails.
    p.emulator
        .faults()
        .add(FaultRule::first(1, Fault::Status(400)).on_path("/base/"));
    // Three files, four requests at a time: each file is its own request, one of them the
    // refused one.
    let mut args = vec!["upload", "--jobs", "4"];
    args.extend(files.iter().map(String::as_str));
    let run = p.run(&args).await;
    assert_eq!(run.code, 1, "{run:#?}");
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    let printed_files: Vec<&String> = printed.as_object().unwrap().keys().collect();
    assert_eq!(printed_files.len(), 2, "{run:#?}");
    let failed = files.iter().find(|f| !printed_files.contains(f)).unwrap();
    let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{run:#?}");
    assert!(
        lines[0].starts_with(&format!("error: uploading {failed}: ")),
        "{}",
        lines[0]
    );
    assert!(lines[0].contains("2 of 3 files uploaded"), "{}", lines[0]);
    // Files listed in the order given (checked on the text: `Value` sorts keys).
    let at: Vec<usize> = files
        .iter()
        .filter(|f| *f != failed)
        .map(|f| run.stdout.find(&format!("\"{f}\"")).unwrap())
        .collect();
    assert!(at[0] < at[1], "{run:#?}");
    for name in printed_files {
        let uuid: Uuid = printed[name]["uuid"].as_str().unwrap().parse().unwrap();
        assert!(p.emulator.state().file(uuid).is_some());
    }
}

// ---- #13: output modes, piping, dry runs, config file, schema, verbose, completions. ----

/// Runs the binary with `args`, extra environment and stdin; no `UPLOADCARE_*`/`UCARE_*`
/// from the caller's environment.
async fn ucare_io(args: Vec<String>, env: Vec<(String, String)>, stdin: Option<String>) -> Run {
    run_binary(move |command| {
        for (var, _) in std::env::vars() {
            if var.starts_with("UPLOADCARE_") || var.starts_with("UCARE_") {
                command.env_remove(var);
            }
        }
        // No config file unless a test gives one.
        command.env("XDG_CONFIG_HOME", "/nonexistent/ucare-test-config-home");
        for (k, v) in env {
            command.env(k, v);
        }
        if let Some(input) = stdin {
            command.write_stdin(input);
        }
        command.args(&args);
    })
    .await
}

impl Project {
    async fn run_io(&self, args: &[&str], stdin: Option<&str>) -> Run {
        let mut all = self.global();
        all.extend(strings(args));
        ucare_io(all, Vec::new(), stdin.map(str::to_owned)).await
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn tables_fields_jq_and_ndjson() {
    let p = Project::start("signed").await;
    let a = p.add_file("alpha.txt", true);
    let b = p.add_file("beta.txt", false);
    p.emulator.state().add_file(
        "big.bin",
        "application/octet-stream",
        vec![0u8; 3 * 1024 * 1024],
        Some(true),
    );

    // Tables: one row per file, sizes human-readable, a footer when there are more pages.
    let table = p
        .run_io(&["files", "list", "--table", "--limit", "2"], None)
        .await;
    assert_eq!(table.code, 0, "{table:#?}");
    let lines: Vec<&str> = table.stdout.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["UUID", "NAME", "SIZE", "TYPE", "UPLOADED", "STORED"],
        "{table:#?}"
    );
    assert!(table.stdout.contains("more pages: add --all"), "{table:#?}");
    let all = p.run_io(&["file", "list", "--table", "--page-all"], None).await;
    assert!(all.stdout.contains("3.0 MiB"), "{all:#?}");
    assert!(all.stdout.contains("alpha.txt"), "{all:#?}");
    let info = p
        .run_io(&["files", "info", &a.to_string(), "--table"], None)
        .await;
    assert!(info.stdout.starts_with("FIELD"), "{info:#?}");

    // --json FIELDS keeps those fields of every record (nested paths allowed).
    let page = p
        .run_io(
            &["files", "list", "--json", "uuid,size,content_info.mime.type"],
            None,
        )
        .await;
    let page: Value = serde_json::from_str(&page.stdout).unwrap();
    for file in page["results"].as_array().unwrap() {
        let keys: Vec<&String> = file.as_object().unwrap().keys().collect();
        assert_eq!(keys.len(), 3, "{file}");
        assert!(file["uuid"].is_string() && file["size"].is_number(), "{file}");
    }
    // --json all is the body as it always was.
    assert_eq!(
        p.run_io(&["files", "info", &a.to_string(), "--json", "all"], None)
            .await
            .stdout,
        p.run(&["files", "info", &a.to_string()]).await.stdout
    );

    // --jq: strings raw, one per line.
    let jq = p
        .run_io(
            &[
                "files",
                "list",
                "--all",
                "--jq",
                ".[] | select(.size < 1000) | .uuid",
            ],
            None,
        )
        .await;
    assert_eq!(jq.code, 0, "{jq:#?}");
    let mut uuids: Vec<&str> = jq.stdout.lines().collect();
    uuids.sort();
    let mut expected = vec![a.to_string(), b.to_string()];
    expected.sort();
    assert_eq!(uuids, expected);
    let listed = p.count("rest", "GET", "/files/");
    let bad = p.run_io(&["files", "list", "--jq", ".[ |"], None).await;
    assert!(bad.failure(2).contains("--jq"), "{bad:#?}");
    assert_eq!(
        p.count("rest", "GET", "/files/"),
        listed,
        "a bad filter sends nothing"
    );

    // --ndjson --all: one compact record per line, every page.
    let nd = p
        .run_io(
            &[
                "files",
                "list",
                "--all",
                "--limit",
                "1",
                "--ndjson",
                "--json",
                "uuid,size",
            ],
            None,
        )
        .await;
    let records: Vec<Value> = nd
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3, "{nd:#?}");
    assert!(records.iter().all(|r| r.as_object().unwrap().len() == 2));
}

#[tokio::test(flavor = "multi_thread")]
async fn commands_read_uuids_from_stdin_and_refuse_bad_input_before_sending() {
    let p = Project::start("signed").await;
    let files: Vec<Uuid> = (0..3).map(|i| p.add_file(&format!("s{i}.txt"), false)).collect();

    // The NDJSON of one command is the input of the next.
    let listed = p
        .run_io(&["files", "list", "--all", "--ndjson", "--json", "uuid"], None)
        .await;
    let stored = p
        .run_io(&["files", "store", "--from-stdin"], Some(&listed.stdout))
        .await;
    assert_eq!(stored.code, 0, "{stored:#?}");
    for uuid in &files {
        assert!(p.emulator.state().file(*uuid).unwrap().stored.is_some());
    }
    // Plain lines work too; each file's answer is listed with its UUID.
    let lines: String = files.iter().map(|u| format!("{u}\n")).collect();
    let tagged = p
        .run_io(&["tags", "add", "--from-stdin", "piped"], Some(&lines))
        .await;
    let tagged: Value = serde_json::from_str(&tagged.stdout).unwrap();
    assert_eq!(tagged.as_array().unwrap().len(), 3, "{tagged}");
    let got = p.run_io(&["tags", "get", "--from-stdin"], Some(&lines)).await;
    let got: Value = serde_json::from_str(&got.stdout).unwrap();
    assert_eq!(got[0]["tags"], serde_json::json!(["piped"]));
    assert_eq!(got[0]["uuid"], files[0].to_string());
    let group = p
        .run_io(&["groups", "create", "--from-stdin"], Some(&lines))
        .await;
    let group: Value = serde_json::from_str(&group.stdout).unwrap();
    assert!(group["id"].as_str().unwrap().ends_with("~3"), "{group}");

    // Bad input: refused with exit 2 before any request.
    let before = p.emulator.state().requests().len();
    let control = p
        .run_io(
            &["files", "delete", "--from-stdin"],
            Some("not-a-uuid\u{1b}[31m\n"),
        )
        .await;
    assert!(control.failure(2).contains("control character"), "{control:#?}");
    let not_uuid = p
        .run_io(&["files", "delete", "--from-stdin"], Some("../../etc\n"))
        .await;
    assert!(not_uuid.failure(2).contains("not a UUID"), "{not_uuid:#?}");
    let traversal = p
        .run_io(&["metadata", "set", &files[0].to_string(), "..", "x"], None)
        .await;
    assert!(traversal.failure(2).contains("URL path"), "{traversal:#?}");
    let group_id = p.run_io(&["groups", "info", "../files"], None).await;
    assert!(group_id.failure(2).contains("group id"), "{group_id:#?}");
    assert_eq!(p.emulator.state().requests().len(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn dry_runs_print_the_requests_and_send_nothing() {
    let p = Project::start("signed").await;
    let a = p.add_file("keep-me.txt", true);
    let before = p.emulator.state().requests().len();
    let run = p
        .run_io(&["files", "delete", &a.to_string(), "--dry-run"], None)
        .await;
    assert_eq!(run.code, 0, "{run:#?}");
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    let request = &out["requests"][0];
    assert_eq!(request["method"], "DELETE");
    assert_eq!(
        request["url"],
        format!("{}/files/storage/", p.emulator.rest_base_url())
    );
    assert_eq!(request["body"], serde_json::json!([a.to_string()]));
    assert!(p.emulator.state().file(a).unwrap().removed.is_none());

    // An upload: the form's fields, the file by name and size, the signature redacted.
    let dir = Scratch::new();
    let file = dir.join("dry.txt");
    std::fs::write(&file, "dry run").unwrap();
    let upload = p
        .run_io(&["upload", &file.display().to_string(), "--dry-run"], None)
        .await;
    assert_eq!(upload.code, 0, "{upload:#?}");
    let out: Value = serde_json::from_str(&upload.stdout).unwrap();
    let request = &out["requests"][0];
    // Exactly what would go out, the library's `jsonerrors` flag included.
    assert_eq!(
        request["url"],
        format!("{}/base/?jsonerrors=1", p.emulator.upload_base_url())
    );
    let fields = request["body"]["multipart"].as_array().unwrap();
    let field = |name: &str| {
        fields
            .iter()
            .find(|f| f["name"] == name)
            .map(|f| f["value"].clone())
    };
    assert_eq!(field("signature"), Some(serde_json::json!("<redacted>")));
    assert!(
        fields
            .iter()
            .any(|f| f["value"] == serde_json::json!({"file": "dry.txt", "bytes": 7})),
        "{fields:?}"
    );
    let secret = p.emulator.secret_key().expose_secret().to_owned();
    assert!(!upload.stdout.contains(&secret) && !upload.stderr.contains(&secret));
    assert_eq!(
        p.emulator.state().requests().len(),
        before,
        "the emulator saw a request"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn named_projects_come_from_the_config_file_with_flags_first() {
    let emulator = Emulator::start().await.unwrap();
    let dir = Scratch::new();
    let config = dir.join("config.toml");
    let secret = emulator.secret_key().expose_secret().to_owned();
    std::fs::write(
        &config,
        format!(
            "default_project = \"main\"\n\n[projects.main]\npublic_key = \"{pk}\"\nsecret_key = \"{secret}\"\napi_base = \"{rest}\"\n\n[projects.broken]\npublic_key = \"{pk}\"\nsecret_key = \"wrong-secret\"\napi_base = \"{rest}\"\n",
            pk = emulator.public_key(),
            rest = emulator.rest_base_url(),
        ),
    )
    .unwrap();
    let env = vec![("UCARE_CONFIG".to_owned(), config.display().to_string())];
    let project = ucare_io(strings(&["project"]), env.clone(), None).await;
    assert_eq!(project.json()["name"], "Emulated project");

    let broken = ucare_io(strings(&["--project", "broken", "project"]), env.clone(), None).await;
    assert!(broken.failure(3).contains("401"), "{broken:#?}");
    let unknown = ucare_io(strings(&["--project", "nope", "project"]), env.clone(), None).await;
    assert!(unknown.failure(3).contains("no project `nope`"), "{unknown:#?}");
    // Keys from flags win over the project (both keys together).
    let flags = ucare_io(
        strings(&[
            "--public-key",
            emulator.public_key(),
            "--secret-key",
            &secret,
            "--project",
            "broken",
            "project",
        ]),
        env.clone(),
        None,
    )
    .await;
    assert_eq!(flags.json()["name"], "Emulated project");

    let shown = ucare_io(
        strings(&["--project", "broken", "config", "show"]),
        env.clone(),
        None,
    )
    .await;
    assert!(
        !shown.stdout.contains("wrong-secret") && !shown.stdout.contains(&secret),
        "{shown:#?}"
    );
    let rows: Value = serde_json::from_str(&shown.stdout).unwrap();
    let row = |name: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["setting"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(row("project")["value"], "broken");
    assert_eq!(row("secret_key")["source"], "project broken");
    assert_eq!(row("secret_key")["value"], "<redacted, 12 characters>");
    assert_eq!(row("api_base")["value"], emulator.rest_base_url());
    assert_eq!(row("upload_base")["source"], "default");
    assert_eq!(row("config_file")["source"], "UCARE_CONFIG");

    std::fs::write(&config, "projects = 3\n").unwrap();
    let invalid = ucare_io(strings(&["project"]), env, None).await;
    assert!(invalid.failure(3).contains("not valid"), "{invalid:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn schema_verbose_completions_and_man() {
    let schema = ucare_io(strings(&["schema"]), Vec::new(), None).await.json();
    let commands = schema["commands"].as_array().unwrap();
    let list = commands.iter().find(|c| c["path"] == "files list").unwrap();
    assert!(list["flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["long"] == "--limit"));
    let fields = list["output"]["json_fields"].as_array().unwrap();
    assert!(fields.contains(&serde_json::json!("uuid")) && fields.contains(&serde_json::json!("size")));
    assert!(commands.iter().any(|c| c["path"] == "metadata set"));
    assert!(schema["global_flags"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["long"] == "--jq"));
    assert!(schema["exit_codes"]["3"]
        .as_str()
        .unwrap()
        .contains("credentials"));
    assert_eq!(
        commands.iter().find(|c| c["path"] == "files").unwrap()["aliases"],
        serde_json::json!(["file"])
    );

    let p = Project::start("simple").await;
    let verbose = p.run_io(&["-v", "project"], None).await;
    assert_eq!(verbose.code, 0, "{verbose:#?}");
    let line = format!("> GET {}/project/ → 200", p.emulator.rest_base_url());
    assert!(verbose.stderr.contains(&line), "{verbose:#?}");
    assert!(!verbose.stderr.contains(p.emulator.secret_key().expose_secret()));

    let bash = ucare_io(strings(&["completions", "bash"]), Vec::new(), None).await;
    assert_eq!(bash.code, 0);
    assert!(
        bash.stdout.contains("_ucare()"),
        "{}",
        &bash.stdout[..200.min(bash.stdout.len())]
    );
    let man = ucare_io(strings(&["man"]), Vec::new(), None).await;
    assert!(
        man.stdout.starts_with(".ie") || man.stdout.contains(".TH ucare"),
        "{}",
        &man.stdout[..200.min(man.stdout.len())]
    );
}

/// `ucare emulator` (the `uploadcare-emulator` program) serves with the keys, settings and
/// `--fault` rules given, announces itself with a `ready` line, and stops cleanly on SIGTERM.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn the_emulator_command_serves_until_sigterm() {
    use std::io::BufRead;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_ucare"))
        .args([
            "emulator",
            "--public-key",
            "pk-served",
            "--secret-key",
            "sk-served",
            "--autostore",
            "false",
            "--fault",
            "GET /project/ 503 x1",
            "--log",
            "json",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let log = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap());
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let urls = loop {
        let line = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("a ready line");
        if let Some(urls) = uploadcare_emulator::serve_cli::parse_ready_line(&line) {
            break urls;
        }
    };
    let config = uploadcare::Config::new("pk-served", "sk-served")
        .with_rest_base_url(urls.rest)
        .with_upload_base_url(urls.upload);
    let project = uploadcare::v0_7::Client::from_config(config)
        .unwrap()
        .project_info()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(project.pub_key.as_deref(), Some("pk-served"));
    assert_eq!(project.autostore_enabled, Some(false));
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let rest: Vec<String> = rx.try_iter().collect();
    // One JSON line per request on stderr, the faulted one included; never the secret.
    let log = log.join().unwrap();
    let lines: Vec<serde_json::Value> = log.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let statuses: Vec<&serde_json::Value> = lines.iter().map(|l| &l["status"]).collect();
    assert_eq!(statuses, [503, 200], "{log}");
    assert!(
        lines
            .iter()
            .all(|l| l["path"] == "/project/" && l["project"] == "pk-served"),
        "{log}"
    );
    assert!(!log.contains("sk-served"), "{log}");
    // The first GET met the 503 of `--fault`, the client's retry got the project.
    assert!(
        rest.iter()
            .any(|l| l.starts_with("stopped: 1 requests served, 1 faults applied")),
        "{rest:?}"
    );
}
