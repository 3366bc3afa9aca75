//! The emulator's account-level Project API driven by the crate's `project_api` client: a
//! project created through it works on the same ports with the secret created for it, a
//! deleted secret stops signing, and usage counts what the emulator served.

#![cfg(all(feature = "project_api", feature = "v0_7", feature = "upload"))]

use chrono::{Duration, Utc};
use futures_util::TryStreamExt;
use serde_json::json;
use uploadcare::project_api::types::UsageMetricName;
use uploadcare::project_api::Client;
use uploadcare::{AuthScheme, Config, Error};
use uploadcare_emulator::Emulator;

fn account(emulator: &Emulator) -> Client {
    let config = Config::for_account(emulator.account_token().clone())
        .with_project_api_base_url(emulator.rest_base_url())
        .with_rest_base_url(emulator.rest_base_url())
        .with_upload_base_url(emulator.upload_base_url())
        .with_auth_scheme(AuthScheme::Simple);
    Client::from_config(config).unwrap()
}

async fn set_clock(emulator: &Emulator, offset_secs: i64) {
    let answer = reqwest::Client::new()
        .put(format!("{}/__emulator/clock", emulator.rest_base_url()))
        .json(&json!({ "offset_secs": offset_secs }))
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success());
}

#[tokio::test]
async fn a_project_created_through_the_api_works_with_its_new_secret_and_reports_usage() {
    let emulator = Emulator::start().await.unwrap();
    let account = account(&emulator);

    let before: Vec<_> = account.all_projects(|l| l).items().try_collect().await.unwrap();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0].pub_key, emulator.public_key());

    let project = account
        .project_create()
        .body_map(|b| b.name("Photos"))
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(project.name, "Photos");
    let listed: Vec<_> = account
        .all_projects(|l| l.limit(std::num::NonZeroU32::new(1).unwrap()))
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(listed.len(), 2, "two pages of one, the link followed");
    // No secret yet: the REST API refuses every key.
    let secrets = account
        .secrets_list()
        .pub_key(project.pub_key.as_str())
        .send()
        .await
        .unwrap();
    assert!(secrets.results.is_empty());

    let (secret_id, secret) = account.create_secret_key(&project.pub_key).await.unwrap();
    let config = account.project_config(&project.pub_key, secret);
    let rest = uploadcare::v0_7::Client::from_config(config.clone()).unwrap();
    let info = rest.project_info().send().await.unwrap();
    assert_eq!(info.pub_key.as_deref(), Some(project.pub_key.as_str()));

    // Upload into it "yesterday" (the emulator's clock a day back), fetch it from the CDN.
    set_clock(&emulator, -86_400).await;
    let uploads = uploadcare::upload::Client::from_config(config.clone()).unwrap();
    let content = vec![7u8; 3000];
    let file = uploads
        .upload(content.clone())
        .filename("a.bin")
        .send()
        .await
        .unwrap();
    let served = reqwest::get(format!("{}/{}/", emulator.cdn_base_url(), file.uuid))
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    assert_eq!(served.len(), 3000);
    set_clock(&emulator, 0).await;
    // The file is the new project's only.
    assert!(emulator.state().file(file.uuid).is_none());
    assert!(emulator
        .project(&project.pub_key)
        .unwrap()
        .file(file.uuid)
        .is_some());

    let yesterday = Utc::now().date_naive() - Duration::days(1);
    let usage = account
        .usage()
        .pub_key(project.pub_key.as_str())
        .from(yesterday - Duration::days(2))
        .to(yesterday)
        .send()
        .await
        .unwrap()
        .into_inner();
    assert_eq!(usage.data.len(), 3);
    let day = usage.data.last().unwrap();
    assert_eq!(day.date, yesterday);
    assert_eq!(day.traffic, Some(3000));
    assert_eq!(day.storage, Some(3000));
    assert!(day.operations.unwrap() >= 1, "{day:?}");
    assert_eq!(usage.data[0].traffic, Some(0));
    let traffic = account
        .usage_metric()
        .pub_key(project.pub_key.as_str())
        .metric(UsageMetricName::Traffic)
        .from(yesterday)
        .to(yesterday)
        .send()
        .await
        .unwrap();
    assert_eq!(traffic.data[0].value, 3000);

    // The secret was used; deleting it stops it working.
    let secrets = account
        .secrets_list()
        .pub_key(project.pub_key.as_str())
        .send()
        .await
        .unwrap();
    assert!(secrets.results[0].last_used_at.is_some());
    account
        .secret_delete()
        .pub_key(project.pub_key.as_str())
        .secret_id(secret_id.as_str())
        .send()
        .await
        .unwrap();
    let refused = Error::from(rest.project_info().send().await.unwrap_err());
    assert_eq!(refused.status(), Some(401));

    // Updates and deletion.
    let renamed = account
        .project_update()
        .pub_key(project.pub_key.as_str())
        .body_map(|b| b.name(Some("Pictures".parse().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(renamed.name, "Pictures");
    account
        .project_delete()
        .pub_key(project.pub_key.as_str())
        .send()
        .await
        .unwrap();
    let gone = Error::from(
        account
            .project_info()
            .pub_key(project.pub_key.as_str())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(gone.status(), Some(404));
    assert!(gone.to_string().contains("Project not found."), "{gone}");
}

#[tokio::test]
async fn the_emulator_refuses_what_the_api_refuses() {
    let emulator = Emulator::start().await.unwrap();
    // A wrong token: 401 with the API's body.
    let wrong =
        Client::from_config(Config::for_account("nope").with_project_api_base_url(emulator.rest_base_url()))
            .unwrap();
    let error = Error::from(wrong.projects_list().send().await.unwrap_err());
    assert_eq!(error.status(), Some(401));
    assert!(error.to_string().contains("Invalid token."), "{error}");

    // Ranges the client would refuse are refused by the emulator too (sent raw).
    let today = Utc::now().date_naive();
    let answer = reqwest::Client::new()
        .get(format!(
            "{}/projects/{}/usage/?from={}&to={today}",
            emulator.rest_base_url(),
            emulator.public_key(),
            today - Duration::days(3)
        ))
        .bearer_auth(emulator.account_token().expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 400);
    let body: serde_json::Value = answer.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("before today"),
        "{body}"
    );

    // The last secret of a project that requires signed uploads stays.
    let account = account(&emulator);
    let project = account
        .project_create()
        .body_map(|b| b.name("Signed"))
        .send()
        .await
        .unwrap();
    let (id, _) = account.create_secret_key(&project.pub_key).await.unwrap();
    let body: uploadcare::project_api::types::ProjectUpdate =
        serde_json::from_value(json!({"features": {"uploads": {"is_signed_upload_enabled": true}}})).unwrap();
    account
        .project_update()
        .pub_key(project.pub_key.as_str())
        .body(body)
        .send()
        .await
        .unwrap();
    let refused = Error::from(
        account
            .secret_delete()
            .pub_key(project.pub_key.as_str())
            .secret_id(id.as_str())
            .send()
            .await
            .unwrap_err(),
    );
    assert_eq!(refused.status(), Some(400));
}
