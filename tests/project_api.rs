//! Wire-level specification of every operation of the Project API document
//! (`openapi/project-api.yaml`): each test calls one operation through
//! `uploadcare::project_api::Client` against a recording server on 127.0.0.1 and checks
//! method, exact path, query, body and the bearer header, then what the answer parses into.
//! Also: page links followed across hosts (with the token only where it is trusted), usage
//! ranges refused before any request, retries by operation kind, the `{message, code}`
//! error body, and the token kept out of `Debug`.

#![cfg(feature = "project_api")]

use crate::common::document::{assert_no_body, OpenApiDoc};
use crate::common::{Recorded, Reply, Server};
use chrono::{Duration, NaiveDate, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use uploadcare::project_api::types::UsageMetricName;
use uploadcare::project_api::Client;
use uploadcare::{Config, Error};

const TOKEN: &str = "account-token-1234";
const PUB_KEY: &str = "5d9a1c3e7b2f4a6c8e0d";
const SECRET_ID: &str = "9b1c4d2e-51f0-4a7e-8c3b-2f6a0d9e7c11";

fn document() -> OpenApiDoc {
    OpenApiDoc::load("project-api.yaml")
}

fn client(server: &Server) -> Client {
    Client::from_config(Config::for_account(TOKEN).with_project_api_base_url(server.url())).unwrap()
}

/// Method, path, query, bearer header, no `Accept` version or REST signature.
fn assert_sent(request: &Recorded, operation_id: &str, method: &str, path: &str, query: Option<&str>) {
    let doc = document();
    let (documented, template, _) = doc.operation(operation_id);
    assert_eq!(documented, method, "{operation_id}: documented method");
    assert_eq!(request.method.as_str(), method, "{operation_id}: method");
    assert_eq!(request.path, path, "{operation_id}: path (documented {template})");
    assert_eq!(request.query.as_deref(), query, "{operation_id}: query");
    assert_eq!(
        request.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str()),
        "{operation_id}: bearer"
    );
    assert!(
        request.header("date").is_none()
            && request
                .header("accept")
                .is_none_or(|a| !a.contains("vnd.uploadcare"))
    );
    assert!(request
        .header("user-agent")
        .is_some_and(|ua| ua.starts_with("uploadcare-rust/")));
}

fn example(operation_id: &str) -> Reply {
    Reply::json(200, &document().example(operation_id, 200))
}

#[tokio::test]
async fn projects_list_create_info_update_delete() {
    let server = Server::start(vec![example("projectsList")]).await;
    let page = client(&server)
        .projects_list()
        .limit(std::num::NonZeroU32::new(2).unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(page.results[0].pub_key, PUB_KEY);
    assert_eq!(
        page.results[0]
            .features
            .as_ref()
            .unwrap()
            .uploads
            .as_ref()
            .unwrap()
            .autostore,
        Some(true)
    );
    let request = server.only_request();
    assert_sent(&request, "projectsList", "GET", "/projects/", Some("limit=2"));
    assert_no_body(&request);

    let project = json!({"pub_key": PUB_KEY, "name": "Photos", "is_blocked": false});
    let server = Server::start(vec![Reply::json(200, &project)]).await;
    let created = client(&server)
        .project_create()
        .body_map(|body| body.name("Photos"))
        .send()
        .await
        .unwrap();
    assert_eq!(created.name, "Photos");
    let request = server.only_request();
    assert_sent(&request, "projectCreate", "POST", "/projects/", None);
    assert_eq!(request.json(), json!({"name": "Photos"}));
    assert_eq!(request.header("content-type"), Some("application/json"));

    let server = Server::start(vec![Reply::json(200, &project)]).await;
    let info = client(&server)
        .project_info()
        .pub_key(PUB_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(info.pub_key, PUB_KEY);
    let request = server.only_request();
    assert_sent(
        &request,
        "projectInfo",
        "GET",
        &format!("/projects/{PUB_KEY}/"),
        None,
    );
    assert_no_body(&request);

    let server = Server::start(vec![Reply::json(200, &project)]).await;
    client(&server)
        .project_update()
        .pub_key(PUB_KEY)
        .body_map(|body| body.name(Some("Renamed".parse().unwrap())))
        .send()
        .await
        .unwrap();
    let request = server.only_request();
    assert_sent(
        &request,
        "projectUpdate",
        "POST",
        &format!("/projects/{PUB_KEY}/"),
        None,
    );
    // Only the fields set are sent.
    assert_eq!(request.json(), json!({"name": "Renamed"}));

    let server = Server::start(vec![Reply::empty(204)]).await;
    client(&server)
        .project_delete()
        .pub_key(PUB_KEY)
        .send()
        .await
        .unwrap();
    let request = server.only_request();
    assert_sent(
        &request,
        "projectDelete",
        "DELETE",
        &format!("/projects/{PUB_KEY}/"),
        None,
    );
    assert_no_body(&request);
}

#[tokio::test]
async fn secrets_list_create_delete() {
    let server = Server::start(vec![example("secretsList")]).await;
    let page = client(&server)
        .secrets_list()
        .pub_key(PUB_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(page.results[0].hint.as_deref(), Some("ea94"));
    assert_sent(
        &server.only_request(),
        "secretsList",
        "GET",
        &format!("/projects/{PUB_KEY}/secrets/"),
        None,
    );

    let server = Server::start(vec![example("secretCreate")]).await;
    let (id, secret) = client(&server).create_secret_key(PUB_KEY).await.unwrap();
    assert_eq!(id, SECRET_ID);
    assert_eq!(secret.expose_secret(), "3f6c0a9be1d24c7f8a55");
    assert!(
        !format!("{secret:?}").contains("3f6c0a9be1d24c7f8a55"),
        "the secret is redacted"
    );
    let request = server.only_request();
    assert_sent(
        &request,
        "secretCreate",
        "POST",
        &format!("/projects/{PUB_KEY}/secrets/"),
        None,
    );
    assert_no_body(&request);
    // The generated answer type redacts it too.
    let server = Server::start(vec![example("secretCreate")]).await;
    let revealed = client(&server)
        .secret_create()
        .pub_key(PUB_KEY)
        .send()
        .await
        .unwrap();
    assert!(!format!("{:?}", revealed.into_inner()).contains("3f6c0a9be1d24c7f8a55"));

    let server = Server::start(vec![Reply::empty(204)]).await;
    client(&server)
        .secret_delete()
        .pub_key(PUB_KEY)
        .secret_id(SECRET_ID)
        .send()
        .await
        .unwrap();
    assert_sent(
        &server.only_request(),
        "secretDelete",
        "DELETE",
        &format!("/projects/{PUB_KEY}/secrets/{SECRET_ID}/"),
        None,
    );
}

fn yesterday() -> NaiveDate {
    Utc::now().date_naive() - Duration::days(1)
}

#[tokio::test]
async fn usage_combined_and_per_metric() {
    let (from, to) = (yesterday() - Duration::days(29), yesterday());
    let server = Server::start(vec![example("usage")]).await;
    let usage = client(&server)
        .usage()
        .pub_key(PUB_KEY)
        .from(from)
        .to(to)
        .send()
        .await
        .unwrap();
    assert_eq!(usage.units["traffic"], "bytes");
    assert_eq!(usage.data[0].traffic, Some(1048576));
    assert_sent(
        &server.only_request(),
        "usage",
        "GET",
        &format!("/projects/{PUB_KEY}/usage/"),
        Some(&format!("from={from}&to={to}")),
    );

    let server = Server::start(vec![example("usageMetric")]).await;
    let metric = client(&server)
        .usage_metric()
        .pub_key(PUB_KEY)
        .metric(UsageMetricName::Traffic)
        .from(from)
        .to(to)
        .send()
        .await
        .unwrap();
    assert_eq!(metric.data[0].value, 1048576);
    assert_sent(
        &server.only_request(),
        "usageMetric",
        "GET",
        &format!("/projects/{PUB_KEY}/usage/traffic/"),
        Some(&format!("from={from}&to={to}")),
    );
}

#[tokio::test]
async fn usage_ranges_are_refused_before_any_request() {
    let server = Server::start(vec![example("usage")]).await;
    let client = client(&server);
    let today = Utc::now().date_naive();
    for (from, to, says) in [
        (today - Duration::days(3), today, "before today"),
        (yesterday(), yesterday() - Duration::days(1), "after"),
        (yesterday() - Duration::days(91), yesterday(), "at most 90 days"),
    ] {
        let error = client
            .usage()
            .pub_key(PUB_KEY)
            .from(from)
            .to(to)
            .send()
            .await
            .map_err(Error::from)
            .unwrap_err();
        assert!(matches!(error, Error::InvalidInput(_)), "{error:?}");
        assert!(error.to_string().contains(says), "{error}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}

#[tokio::test]
async fn page_links_are_followed_across_hosts_with_the_token_only_where_trusted() {
    // The second page lives on "another host" (`localhost` instead of `127.0.0.1`).
    let second = Server::start(vec![Reply::json(
        200,
        &json!({"next": null, "results": [{"pub_key": "second", "name": "Second"}]}),
    )])
    .await;
    let next = format!(
        "http://localhost:{}/apps/api/project-api/v1/projects/?limit=1&offset=1",
        second.addr.port()
    );
    let first_page = json!({"next": next, "results": [{"pub_key": "first", "name": "First"}]});
    let first = Server::start(vec![Reply::json(200, &first_page)]).await;

    let names: Vec<String> = client(&first)
        .all_projects(|list| list)
        .items()
        .map_ok(|p| p.name)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(names, ["First", "Second"]);
    let followed = second.only_request();
    assert_eq!(followed.path, "/apps/api/project-api/v1/projects/");
    assert_eq!(
        followed.query.as_deref(),
        Some("limit=1&offset=1"),
        "the link verbatim"
    );
    assert_eq!(
        followed.header("authorization"),
        None,
        "no token to an untrusted host"
    );

    // Trusted: the token goes along.
    let trusting = Client::from_config(
        Config::for_account(TOKEN)
            .with_project_api_base_url(first.url())
            .with_project_api_trusted_host("localhost"),
    )
    .unwrap();
    let count = trusting
        .all_projects(|list| list)
        .items()
        .try_collect::<Vec<_>>()
        .await
        .unwrap()
        .len();
    assert_eq!(count, 2);
    let followed = second.requests().pop().unwrap();
    assert_eq!(
        followed.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
}

#[tokio::test]
async fn errors_read_the_message_and_reads_are_retried_creations_are_not() {
    let refused = json!({"message": "Invalid token.", "code": "invalid_token"});
    let server = Server::start(vec![Reply::json(401, &refused)]).await;
    let error = Error::from(client(&server).projects_list().send().await.unwrap_err());
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("Invalid token."), "{error}");
    assert!(!error.to_string().contains(TOKEN) && !format!("{error:?}").contains(TOKEN));

    // A read: retried after a 503.
    let server = Server::start(vec![
        Reply::text(503, "Service Unavailable"),
        example("projectsList"),
    ])
    .await;
    client(&server).projects_list().send().await.unwrap();
    assert_eq!(server.requests().len(), 2);
    // A creation: a 503 may have created the secret already; not repeated.
    let server = Server::start(vec![
        Reply::text(503, "Service Unavailable"),
        example("secretCreate"),
    ])
    .await;
    let error = client(&server).create_secret_key(PUB_KEY).await.unwrap_err();
    assert_eq!(error.status(), Some(503));
    assert_eq!(server.requests().len(), 1);
    // A throttled creation was not processed: retried after `Retry-After`.
    let server = Server::start(vec![
        Reply::json(429, &json!({"message": "slow down"})).with_header("retry-after", "0"),
        example("secretCreate"),
    ])
    .await;
    client(&server).create_secret_key(PUB_KEY).await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn the_token_stays_out_of_debug_and_is_required() {
    let config = Config::for_account(TOKEN);
    assert!(!format!("{config:?}").contains(TOKEN));
    let client = Client::from_config(config).unwrap();
    assert!(!format!("{client:?}").contains(TOKEN));
    let error = Client::from_config(Config::new("pk", "sk")).unwrap_err();
    assert!(error.to_string().contains("token"), "{error}");
    // A project's configuration from the account's: its keys, the account's settings.
    let project = client.project_config(PUB_KEY, uploadcare::SecretKey::new("sk-new"));
    assert_eq!(project.public_key(), PUB_KEY);
    assert!(project.has_secret_key() && !project.has_project_api_token());
}
