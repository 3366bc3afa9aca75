//! The `uploadcare-emulator` binary tested as a process: started with flags, waited for by
//! its `ready` line, driven over HTTP (the control API, sessions, both APIs, the CDN), killed
//! with SIGKILL and restarted on the same `--data-dir`.

use serde_json::{json, Value};
use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const PK: &str = "pk-process";
const SK: &str = "sk-process";

/// A running emulator process.
struct Server {
    child: Child,
    rest: String,
    upload: String,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_uploadcare-emulator"))
            .args(["--public-key", PK, "--secret-key", SK])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the emulator binary starts");
        let stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let urls = loop {
            let line = rx.recv_timeout(Duration::from_secs(60)).expect("a ready line");
            if let Some(urls) = uploadcare_emulator::serve_cli::parse_ready_line(&line) {
                break urls;
            }
        };
        Server {
            rest: urls.rest,
            upload: urls.upload,
            child,
            stderr: Some(stderr),
        }
    }

    fn control(&self, path: &str) -> String {
        format!("{}/__emulator/{path}", self.rest)
    }

    /// SIGKILL: no chance to write anything more.
    fn kill_9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, then what it printed on stderr.
    fn stop(mut self) -> String {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(self.child.wait().unwrap().success());
        self.stderr.take().unwrap().join().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn http() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// A REST 0.7 request with simple auth.
fn rest(client: &reqwest::Client, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
    client
        .request(method, url)
        .header("accept", "application/vnd.uploadcare-v0.7+json")
        .header("authorization", format!("Uploadcare.Simple {PK}:{SK}"))
}

async fn json(response: reqwest::Response) -> Value {
    let status = response.status();
    let text = response.text().await.unwrap();
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("{status}: not JSON: {text}"))
}

fn config(rest: &str, upload: &str) -> uploadcare::Config {
    uploadcare::Config::new(PK, SK)
        .with_rest_base_url(rest.to_owned())
        .with_upload_base_url(upload.to_owned())
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("uc-emulator-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn the_control_api_steers_a_running_emulator() {
    let server = Server::start(&[]);
    let client = http();

    let health = json(client.get(server.control("health")).send().await.unwrap()).await;
    assert_eq!(health["status"], "ok");
    assert_eq!(health["rest"], server.rest.as_str());
    // Answered on the Upload API's port too.
    let health = client
        .get(format!("{}/__emulator/ready", server.upload))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);

    // Seed a file, then find it through the REST API and its content through the control API.
    let added = client
        .post(server.control("files?name=hello.txt&store=true"))
        .body("hello, emulator")
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let added = json(added).await;
    let uuid = added["uuid"].as_str().unwrap().to_owned();
    assert_eq!(added["mime_type"], "text/plain");
    let page = json(
        rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["results"][0]["uuid"], uuid.as_str());
    let content = client
        .get(server.control(&format!("files/{uuid}/content")))
        .send()
        .await
        .unwrap();
    assert_eq!(content.text().await.unwrap(), "hello, emulator");
    // Many at once (`count`): their UUIDs, in upload order, unstored as asked.
    let many = client
        .post(server.control("files?name=x.bin&count=3&store=false"))
        .body("x");
    let many = json(many.send().await.unwrap()).await;
    let last = many["uuids"][2].as_str().unwrap().to_owned();
    let file = json(
        client
            .get(server.control(&format!("files/{last}")))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (
            file["original_filename"].as_str(),
            file["datetime_stored"].is_null()
        ),
        (Some("x.bin"), true)
    );

    // Faults: added as text, applied, listed, cleared; control calls never get them.
    let added = client
        .post(server.control("faults"))
        .body("GET /files/ 503 x1")
        .send()
        .await
        .unwrap();
    assert_eq!(added.status(), 201);
    let bad = client
        .post(server.control("faults"))
        .body("GET 503 lost")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(json(bad).await["error"].as_str().unwrap().contains("`lost`"));
    let first = rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 503);
    let second = rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 200);
    let faults = json(client.get(server.control("faults")).send().await.unwrap()).await;
    assert_eq!(faults["rules"], json!(["GET /files/ 503 x0"]));
    assert_eq!(faults["applied"][0]["fault"], "503");
    assert_eq!(faults["applied"][0]["path"], "/files/");
    client.delete(server.control("faults")).send().await.unwrap();
    let faults = json(client.get(server.control("faults")).send().await.unwrap()).await;
    assert_eq!(faults["rules"], json!([]));

    // The request log, filtered; no query strings in it.
    let log = json(
        client
            .get(server.control("requests?api=rest&path=/files/&status=200"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
    assert!(log[0].get("query").is_none());

    // Settings: the project's autostore, read back by the REST API.
    let settings = client
        .patch(server.control("settings"))
        .json(&json!({ "autostore": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(json(settings).await["autostore"], false);
    let project = json(
        rest(&client, reqwest::Method::GET, format!("{}/project/", server.rest))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(project["autostore_enabled"], false);
    let unknown = client
        .patch(server.control("settings"))
        .json(&json!({ "autostoer": false }))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);

    // The clock: answers' `Date` moves with it.
    client
        .put(server.control("clock"))
        .json(&json!({ "offset_secs": 7200 }))
        .send()
        .await
        .unwrap();
    let answer = rest(&client, reqwest::Method::GET, format!("{}/project/", server.rest))
        .send()
        .await
        .unwrap();
    let date = httpdate::parse_http_date(answer.headers()["date"].to_str().unwrap()).unwrap();
    let ahead = date.duration_since(std::time::SystemTime::now()).unwrap();
    assert!(ahead > Duration::from_secs(7000), "{ahead:?}");

    // Reset: the project is empty again.
    client.post(server.control("reset")).send().await.unwrap();
    let files = json(client.get(server.control("files")).send().await.unwrap()).await;
    assert_eq!(files, json!([]));
    let missing = client.get(server.control("nothing-here")).send().await.unwrap();
    assert_eq!(missing.status(), 404);

    let stderr = server.stop();
    assert!(!stderr.contains(SK), "{stderr}");
}

#[tokio::test]
async fn sessions_keep_parallel_tests_apart() {
    let server = Server::start(&[]);
    let client = http();

    // Session `alpha` by path prefix, through the crate's clients (signed REST requests:
    // the signature covers the prefixed path).
    let prefix = |base: &str| format!("{base}/__session/alpha");
    let alpha = config(&prefix(&server.rest), &prefix(&server.upload));
    let uploads = uploadcare::upload::Client::from_config(alpha.clone()).unwrap();
    let file = uploads
        .upload(b"alpha bytes".to_vec())
        .filename("a.txt")
        .send()
        .await
        .unwrap();
    let listed = uploadcare::v0_7::Client::from_config(alpha)
        .unwrap()
        .files_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.results.len(), 1);
    let cdn_url = listed.results[0].original_file_url.clone().unwrap();
    assert!(cdn_url.contains("/__session/alpha/cdn/"), "{cdn_url}");
    // The CDN URL needs no header to stay in the session.
    let bytes = client.get(&cdn_url).send().await.unwrap().bytes().await.unwrap();
    assert_eq!(&bytes[..], b"alpha bytes");

    // Session `beta` by header: empty.
    let beta = rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
        .header("x-uploadcare-emulator-session", "beta")
        .send()
        .await
        .unwrap();
    assert_eq!(json(beta).await["results"], json!([]));
    // The default session: empty too.
    let default = json(
        rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(default["results"], json!([]));

    // The control API sees each session; a fault scoped to one session spares the others.
    let files = json(
        client
            .get(server.control("files?session=alpha"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(files[0]["uuid"], file.uuid.to_string().as_str());
    let sessions = json(client.get(server.control("sessions")).send().await.unwrap()).await;
    let names: Vec<&str> = sessions
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["default", "alpha", "beta"]);
    client
        .post(server.control("faults"))
        .body("GET /files/ session=beta 502")
        .send()
        .await
        .unwrap();
    let in_beta = rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
        .header("x-uploadcare-emulator-session", "beta")
        .send()
        .await
        .unwrap();
    assert_eq!(in_beta.status(), 502);
    let in_alpha = rest(
        &client,
        reqwest::Method::GET,
        format!("{}/files/", prefix(&server.rest)),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(in_alpha.status(), 200);

    // Reset one session.
    let reset = client
        .post(server.control("sessions/alpha/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(reset.status(), 200);
    let files = json(
        client
            .get(server.control("files?session=alpha"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(files, json!([]));
    let unknown = client
        .post(server.control("sessions/nobody/reset"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);

    // Bad names are refused, whichever way they come.
    let bad = rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
        .header("x-uploadcare-emulator-session", "../etc")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let bad = client
        .get(format!("{}/__session/.hidden/files/", server.rest))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
}

#[tokio::test]
async fn a_data_dir_survives_kill_9_byte_for_byte() {
    let dir = temp_dir("data");
    let seed = temp_dir("seed");
    std::fs::write(seed.join("seeded.txt"), b"from the seed folder").unwrap();
    let data_dir = dir.to_str().unwrap().to_owned();
    let seed_dir = seed.to_str().unwrap().to_owned();
    let args = ["--data-dir", data_dir.as_str(), "--seed", seed_dir.as_str()];
    let server = Server::start(&args);
    let client = http();

    // A direct upload, a multipart upload (11 MiB) and one in a named session.
    let uploads = uploadcare::upload::Client::from_config(config(&server.rest, &server.upload)).unwrap();
    let small: Vec<u8> = (0..5000u32).flat_map(|i| i.to_le_bytes()).collect();
    let large: Vec<u8> = (0..11 * 1024 * 1024u32).map(|i| (i * 7 % 251) as u8).collect();
    let small_file = uploads
        .upload(small.clone())
        .filename("small.bin")
        .send()
        .await
        .unwrap();
    let large_file = uploads
        .upload(large.clone())
        .filename("large.bin")
        .send()
        .await
        .unwrap();
    let in_session = uploadcare::upload::Client::from_config(config(
        &format!("{}/__session/keep", server.rest),
        &format!("{}/__session/keep", server.upload),
    ))
    .unwrap()
    .upload(b"session bytes".to_vec())
    .filename("s.txt")
    .send()
    .await
    .unwrap();
    // Metadata and a group through the REST API.
    let put = rest(
        &client,
        reqwest::Method::PUT,
        format!("{}/files/{}/metadata/kind/", server.rest, small_file.uuid),
    )
    .header("content-type", "application/json")
    .body("\"sample\"")
    .send()
    .await
    .unwrap();
    assert!(put.status().is_success(), "{}", put.status());
    server.kill_9();

    // Restarted on the same directory, with the same seed folder: nothing lost, nothing
    // seeded twice.
    let server = Server::start(&args);
    let cdn = |uuid: &uuid::Uuid, base: &str| format!("{base}/cdn/{uuid}/");
    let got = client
        .get(cdn(&small_file.uuid, &server.upload))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], &small[..]);
    let got = client
        .get(cdn(&large_file.uuid, &server.upload))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got[..] == large[..], "the multipart file came back different");
    let info = json(
        rest(
            &client,
            reqwest::Method::GET,
            format!("{}/files/{}/", server.rest, small_file.uuid),
        )
        .send()
        .await
        .unwrap(),
    )
    .await;
    assert_eq!(info["metadata"], json!({ "kind": "sample" }));
    assert!(info["datetime_stored"].is_string());
    let got = client
        .get(cdn(
            &in_session.uuid,
            &format!("{}/__session/keep", server.upload),
        ))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(&got[..], b"session bytes");
    let files = json(client.get(server.control("files")).send().await.unwrap()).await;
    let names: Vec<&str> = files
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["original_filename"].as_str().unwrap())
        .collect();
    assert_eq!(
        names.iter().filter(|n| **n == "seeded.txt").count(),
        1,
        "{names:?}"
    );
    assert_eq!(names.len(), 3, "{names:?}");
    drop(server);
    std::fs::remove_dir_all(&dir).unwrap();
    std::fs::remove_dir_all(&seed).unwrap();
}

#[tokio::test]
async fn beyond_loopback_the_control_api_needs_a_token() {
    // Refuses to start without one.
    let output = Command::new(env!("CARGO_BIN_EXE_uploadcare-emulator"))
        .args(["--host", "0.0.0.0"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("--control-token"), "{stderr}");

    let server = Server::start(&["--host", "0.0.0.0", "--control-token", "tok-123456"]);
    let client = http();
    let refused = client.get(server.control("health")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
    let allowed = client
        .get(server.control("health"))
        .bearer_auth("tok-123456")
        .send()
        .await
        .unwrap();
    assert_eq!(allowed.status(), 200);
    let stderr = server.stop();
    assert!(stderr.contains("warning: listening on 0.0.0.0"), "{stderr}");
    assert!(!stderr.contains("tok-123456"));

    // And `--no-control` takes the control API away.
    let server = Server::start(&["--no-control"]);
    let gone = client.get(server.control("health")).send().await.unwrap();
    assert_eq!(gone.status(), 404);
    assert!(!gone.text().await.unwrap().contains("\"status\""));
}

#[tokio::test]
async fn several_projects_each_with_its_own_keys_and_files() {
    let server = Server::start(&["--public-key", "pk-second", "--secret-key", "sk-second"]);
    let client = http();
    let second = uploadcare::Config::new("pk-second", "sk-second")
        .with_rest_base_url(server.rest.clone())
        .with_upload_base_url(server.upload.clone());
    let uploads = uploadcare::upload::Client::from_config(second.clone()).unwrap();
    let small = uploads
        .upload(b"second project".to_vec())
        .filename("s.txt")
        .send()
        .await
        .unwrap();
    // Multipart: the part URLs name no project; the emulator finds the upload's.
    let large: Vec<u8> = (0..11 * 1024 * 1024u32).map(|i| (i % 253) as u8).collect();
    let large_file = uploads
        .upload(large.clone())
        .filename("l.bin")
        .send()
        .await
        .unwrap();
    let listed = uploadcare::v0_7::Client::from_config(second)
        .unwrap()
        .files_list()
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(listed.results.len(), 2);
    // The first project sees none of it, and the second's secret does not sign for it.
    let first = json(
        rest(&client, reqwest::Method::GET, format!("{}/files/", server.rest))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(first["results"], json!([]));
    let wrong = client
        .get(format!("{}/files/", server.rest))
        .header("accept", "application/vnd.uploadcare-v0.7+json")
        .header("authorization", format!("Uploadcare.Simple {PK}:sk-second"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    // The CDN finds each file in its project.
    let got = client
        .get(format!("{}/cdn/{}/", server.upload, large_file.uuid))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert!(got[..] == large[..]);
    let sessions = json(client.get(server.control("sessions")).send().await.unwrap()).await;
    assert_eq!(sessions[0]["projects"][1]["public_key"], "pk-second");
    assert_eq!(sessions[0]["projects"][1]["files"], 2);
    let files = json(
        client
            .get(server.control("files?project=pk-second"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert!(files
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["uuid"] == small.uuid.to_string().as_str()));

    // Keys must pair up.
    let output = Command::new(env!("CARGO_BIN_EXE_uploadcare-emulator"))
        .args(["--public-key", "a", "--public-key", "b", "--secret-key", "x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stderr).contains("one secret key per public key"));
}

#[tokio::test]
async fn projects_created_through_the_project_api_survive_a_restart() {
    let dir = temp_dir("account");
    let data_dir = dir.to_str().unwrap().to_owned();
    let args = ["--data-dir", data_dir.as_str(), "--account-token", "acct-tok"];
    let server = Server::start(&args);
    let client = http();
    let created = json(
        client
            .post(format!("{}/projects/", server.rest))
            .bearer_auth("acct-tok")
            .json(&json!({"name": "Kept"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    let pub_key = created["pub_key"].as_str().unwrap().to_owned();
    let secret = json(
        client
            .post(format!("{}/projects/{pub_key}/secrets/", server.rest))
            .bearer_auth("acct-tok")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let secret = secret["secret"].as_str().unwrap().to_owned();
    server.kill_9();

    let server = Server::start(&args);
    let projects = json(
        client
            .get(format!("{}/projects/", server.rest))
            .bearer_auth("acct-tok")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let names: Vec<&str> = projects["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"Kept"), "{projects}");
    // Its secret still signs requests.
    let info = client
        .get(format!("{}/project/", server.rest))
        .header("accept", "application/vnd.uploadcare-v0.7+json")
        .header("authorization", format!("Uploadcare.Simple {pub_key}:{secret}"))
        .send()
        .await
        .unwrap();
    assert_eq!(info.status(), 200);
    // The token never shows in the output.
    let stderr = server.stop();
    assert!(!stderr.contains(&secret));
    std::fs::remove_dir_all(&dir).unwrap();
}
