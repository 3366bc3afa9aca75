//! Webhooks: `X-Uc-Signature` verification, payload parsing (the documented examples and
//! their variants), and the emulator delivering signed payloads to a receiver on 127.0.0.1.

use crate::common;

use common::document::OpenApiDoc;
use serde_json::{json, Value};
use uploadcare::webhooks::{
    self, AddonName, EventName, InitiatorType, MalformedSignature, SigningSecret, WebhookError, WebhookEvent,
};

const SECRET: &str = "d8Fq2LxW7pNz4Rt6";
const BODY: &str = r#"{"hook":{"id":1473151,"event":"file.uploaded"},"data":{"uuid":"3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"}}"#;
// python3 -c "import hmac,hashlib;print(hmac.new(b'd8Fq2LxW7pNz4Rt6',open('body','rb').read(),hashlib.sha256).hexdigest())"
const BODY_SIGNATURE: &str = "v1=6938b4b03b8d84d48975ac21157f3d97994abe8af39881fb66db846cee568970";
const FILE_UUID: &str = "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47";

fn secret() -> SigningSecret {
    SigningSecret::new(SECRET)
}

fn malformed(header: &str) -> MalformedSignature {
    match webhooks::verify(&secret(), Some(header), BODY.as_bytes()) {
        Err(WebhookError::MalformedSignature(why)) => why,
        other => panic!("{header:?}: expected a malformed-signature error, got {other:?}"),
    }
}

// ---------------------------------------------------------------- verification

#[test]
fn the_signature_is_hmac_sha256_of_the_raw_body_in_lowercase_hex() {
    assert_eq!(webhooks::sign(&secret(), BODY.as_bytes()), BODY_SIGNATURE);
    webhooks::verify(&secret(), Some(BODY_SIGNATURE), BODY.as_bytes()).expect("the right signature");
    // Surrounding whitespace of a header value is not part of it.
    webhooks::verify(&secret(), Some(&format!(" {BODY_SIGNATURE}\t")), BODY.as_bytes()).unwrap();
}

#[test]
fn a_changed_body_does_not_verify() {
    for body in [
        BODY.replace("1473151", "1473152"),
        BODY.replace(':', ": "),
        format!("{BODY}\n"),
        String::new(),
    ] {
        assert!(
            matches!(
                webhooks::verify(&secret(), Some(BODY_SIGNATURE), body.as_bytes()),
                Err(WebhookError::SignatureMismatch)
            ),
            "{body:?}"
        );
    }
}

#[test]
fn a_changed_secret_does_not_verify() {
    for other in ["d8Fq2LxW7pNz4Rt7", "d8Fq2LxW7pNz4Rt", "", "D8FQ2LXW7PNZ4RT6"] {
        let result = webhooks::verify(&SigningSecret::new(other), Some(BODY_SIGNATURE), BODY.as_bytes());
        assert!(
            matches!(result, Err(WebhookError::SignatureMismatch)),
            "{other:?}"
        );
    }
}

#[test]
fn a_missing_or_empty_header_is_reported_as_missing() {
    for header in [None, Some(""), Some("   ")] {
        assert!(
            matches!(
                webhooks::verify(&secret(), header, BODY.as_bytes()),
                Err(WebhookError::MissingSignature)
            ),
            "{header:?}"
        );
    }
    let result = webhooks::verify_and_parse(&secret(), None, BODY.as_bytes());
    assert!(matches!(result, Err(WebhookError::MissingSignature)));
}

#[test]
fn a_header_without_the_v1_scheme_is_malformed() {
    let hex = BODY_SIGNATURE.trim_start_matches("v1=");
    for header in [
        hex.to_owned(),
        format!("v2={hex}"),
        format!("V1={hex}"),
        format!("sha256={hex}"),
        format!("v1 {hex}"),
    ] {
        assert_eq!(malformed(&header), MalformedSignature::UnknownScheme, "{header}");
    }
}

#[test]
fn uppercase_non_hex_short_and_long_signatures_are_malformed() {
    let hex = BODY_SIGNATURE.trim_start_matches("v1=");
    assert_eq!(
        malformed(&format!("v1={}", hex.to_uppercase())),
        MalformedSignature::NotLowercaseHex
    );
    assert_eq!(
        malformed(&format!("v1={}zz", &hex[..62])),
        MalformedSignature::NotLowercaseHex
    );
    assert_eq!(
        malformed(&format!("v1={}", &hex[..63])),
        MalformedSignature::WrongLength(63)
    );
    assert_eq!(
        malformed(&format!("v1={}", &hex[..40])),
        MalformedSignature::WrongLength(40)
    );
    assert_eq!(
        malformed(&format!("v1={hex}00")),
        MalformedSignature::WrongLength(66)
    );
    assert_eq!(malformed("v1="), MalformedSignature::WrongLength(0));
}

#[test]
fn a_signature_is_checked_before_the_body_is_read() {
    // A forged body is refused even when it is not JSON at all.
    let result = webhooks::verify_and_parse(&secret(), Some(BODY_SIGNATURE), b"not json");
    assert!(matches!(result, Err(WebhookError::SignatureMismatch)));
    let event = webhooks::verify_and_parse(&secret(), Some(BODY_SIGNATURE), BODY.as_bytes()).unwrap();
    assert_eq!(event.file_uuid(), Some(FILE_UUID.parse().unwrap()));
}

#[test]
fn the_signing_secret_never_shows_in_debug_output_or_error_messages() {
    let secret = secret();
    assert_eq!(format!("{secret:?}"), "SigningSecret(<redacted>)");
    assert!(!format!("{:?}", Some(&secret)).contains(SECRET));
    assert_eq!(secret.expose_secret(), SECRET);
    let errors = [
        webhooks::verify(&secret, None, BODY.as_bytes()).unwrap_err(),
        webhooks::verify(&secret, Some("v1=abc"), BODY.as_bytes()).unwrap_err(),
        webhooks::verify(&secret, Some("v2=abc"), BODY.as_bytes()).unwrap_err(),
        webhooks::verify(&secret, Some(&"A".repeat(67)), BODY.as_bytes()).unwrap_err(),
        webhooks::verify(&secret, Some(BODY_SIGNATURE), b"{}").unwrap_err(),
        webhooks::verify_and_parse(
            &SigningSecret::new(SECRET),
            Some(&webhooks::sign(&secret, b"[")),
            b"[",
        )
        .unwrap_err(),
    ];
    for error in errors {
        for text in [error.to_string(), format!("{error:?}")] {
            assert!(!text.contains(SECRET), "{text}");
            // The received signature stays out too (it is derived from the secret).
            assert!(!text.contains(&BODY_SIGNATURE[3..]), "{text}");
        }
    }
}

// ---------------------------------------------------------------- payloads

/// The documented example of an OpenAPI schema of the crate's 0.7 document.
fn documented_example(schema: &str) -> Value {
    let doc = OpenApiDoc::load("rest-v0.7.yaml");
    doc.value
        .pointer(&format!("/components/schemas/{schema}/example"))
        .cloned()
        .unwrap_or_else(|| panic!("{schema} has an example"))
}

fn parse_value(body: &Value) -> WebhookEvent {
    webhooks::parse(body.to_string().as_bytes()).unwrap_or_else(|e| panic!("{e}: {body}"))
}

fn with_event(mut body: Value, event: &str) -> Value {
    body["hook"]["event"] = json!(event);
    body
}

#[test]
fn the_documented_file_payload_parses_for_each_file_event() {
    let example = documented_example("WebhookFilePayload");
    for event in ["file.uploaded", "file.infected", "file.stored", "file.deleted"] {
        let parsed = parse_value(&with_event(example.clone(), event));
        assert_eq!(parsed.event_name(), event);
        let payload = match (&parsed, event) {
            (WebhookEvent::FileUploaded(p), "file.uploaded")
            | (WebhookEvent::FileInfected(p), "file.infected")
            | (WebhookEvent::FileStored(p), "file.stored")
            | (WebhookEvent::FileDeleted(p), "file.deleted") => p,
            _ => panic!("{event} parsed as {parsed:?}"),
        };
        assert_eq!(payload.file_uuid(), Some(FILE_UUID.parse().unwrap()));
        assert_eq!(parsed.file_uuid(), payload.file_uuid());
        assert_eq!(
            payload.file.as_deref(),
            Some("https://ucarecdn.com/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/mountain-lake.jpg")
        );
        let hook = &payload.hook;
        assert_eq!(parsed.hook(), Some(hook));
        assert_eq!(hook.id, Some(1473151));
        assert_eq!(hook.project_id, Some(123456));
        assert_eq!(hook.event, EventName::from(event));
        assert_eq!(
            hook.target.as_deref(),
            Some("https://hooks.example.com/uploadcare")
        );
        assert_eq!(hook.is_active, Some(true));
        assert_eq!(hook.version.as_deref(), Some("0.7"));
        assert_eq!(
            hook.created_at.map(|t| t.to_rfc3339()),
            Some("2024-02-12T09:30:11.209427+00:00".to_owned())
        );
        assert!(hook.updated_at.is_some());
        let initiator = payload.initiator.as_ref().expect("initiator");
        assert_eq!(initiator.kind, InitiatorType::Api);
        assert_eq!(initiator.detail.request_id, None);
        assert_eq!(initiator.detail.addon_name, None);
        assert_eq!(payload.data["original_filename"], "mountain-lake.jpg");
        #[cfg(feature = "v0_7")]
        {
            let file = payload.file_info().expect("a 0.7 file");
            assert_eq!(file.uuid.to_string(), FILE_UUID);
            assert_eq!(file.size, 642817);
            assert_eq!(file.original_filename, "mountain-lake.jpg");
        }
    }
}

#[test]
fn the_documented_info_updated_payload_parses_with_previous_values() {
    let example = documented_example("WebhookFileInfoUpdatedPayload");
    let WebhookEvent::FileInfoUpdated(payload) = parse_value(&example) else {
        panic!("file.info_updated")
    };
    assert_eq!(payload.file_uuid(), Some(FILE_UUID.parse().unwrap()));
    assert_eq!(payload.hook.event, EventName::FileInfoUpdated);
    let initiator = payload.initiator.as_ref().expect("initiator");
    assert_eq!(initiator.kind, InitiatorType::Addon);
    assert_eq!(initiator.detail.addon_name, Some(AddonName::UcClamavVirusScan));
    assert_eq!(
        initiator.detail.request_id,
        Some("8f0a3c6d-2b4e-4f1a-9d7c-6e5b3a2f1c08".parse().unwrap())
    );
    assert_eq!(
        initiator.detail.source_file_uuid,
        Some(FILE_UUID.parse().unwrap())
    );
    assert_eq!(payload.previous_values.appdata, None);
    let previous = payload
        .previous_values
        .metadata
        .as_ref()
        .expect("previous metadata");
    assert_eq!(previous.get("subsystem").map(String::as_str), Some("gallery"));
    assert_eq!(
        payload.data["appdata"]["uc_clamav_virus_scan"]["data"]["infected"],
        false
    );
    #[cfg(feature = "v0_7")]
    {
        let file = payload.file_info().expect("a 0.7 file");
        assert!(file.appdata.is_some());
    }
}

#[test]
fn optional_fields_may_be_missing() {
    for event in [
        "file.uploaded",
        "file.infected",
        "file.stored",
        "file.deleted",
        "file.info_updated",
    ] {
        let parsed = parse_value(&json!({"hook": {"event": event}}));
        assert_eq!(parsed.event_name(), event);
        let hook = parsed.hook().expect("hook");
        assert_eq!((hook.id, hook.project_id, hook.created_at), (None, None, None));
        assert_eq!(parsed.file_uuid(), None);
        match parsed {
            WebhookEvent::FileInfoUpdated(p) => {
                assert_eq!(p.previous_values, Default::default());
                assert!(p.initiator.is_none() && p.file.is_none() && p.data.is_null());
            }
            WebhookEvent::FileUploaded(p)
            | WebhookEvent::FileInfected(p)
            | WebhookEvent::FileStored(p)
            | WebhookEvent::FileDeleted(p) => {
                assert!(p.initiator.is_none() && p.file.is_none() && p.data.is_null());
            }
            other => panic!("{other:?}"),
        }
    }
    // Without `data.uuid`, the UUID comes from the CDN URL.
    let parsed = parse_value(&json!({
        "hook": {"event": "file.stored"},
        "file": format!("https://ucarecdn.com/{FILE_UUID}/photo.jpg"),
    }));
    assert_eq!(parsed.file_uuid(), Some(FILE_UUID.parse().unwrap()));
}

#[test]
fn nulls_read_as_absent() {
    let body = json!({
        "initiator": {"type": "system", "detail": null},
        "hook": {
            "id": null, "project_id": null, "project_pub_key": null, "created_at": null,
            "updated_at": null, "event": "file.info_updated", "target": null, "is_active": null,
            "version": null
        },
        "data": null,
        "file": null,
        "previous_values": {"appdata": null, "metadata": null},
    });
    let WebhookEvent::FileInfoUpdated(payload) = parse_value(&body) else {
        panic!("file.info_updated")
    };
    let initiator = payload.initiator.expect("initiator");
    assert_eq!(initiator.kind, InitiatorType::System);
    assert_eq!(initiator.detail, Default::default());
    assert_eq!(payload.hook.version, None);
    assert_eq!(payload.previous_values, Default::default());

    let body = json!({"hook": {"event": "file.stored"}, "initiator": null, "previous_values": null});
    let WebhookEvent::FileStored(payload) = parse_value(&body) else {
        panic!("file.stored")
    };
    assert!(payload.initiator.is_none());
    let body = json!({"hook": {"event": "file.info_updated"}, "previous_values": null});
    assert!(matches!(parse_value(&body), WebhookEvent::FileInfoUpdated(_)));
}

#[test]
fn unknown_fields_and_values_are_tolerated() {
    let mut body = documented_example("WebhookFileInfoUpdatedPayload");
    body["delivered_at"] = json!("2024-03-05T11:13:02Z");
    body["hook"]["retries"] = json!(2);
    body["hook"]["updated_at"] = json!("yesterday");
    body["hook"]["created_at"] = json!("2024-02-12T09:31:40.002381");
    body["initiator"]["type"] = json!("webhook_replay");
    body["initiator"]["detail"]["addon_name"] = json!("future_addon");
    body["initiator"]["detail"]["operator"] = json!({"id": 7});
    body["previous_values"]["content_info"] = json!({"mime": {}});
    body["data"]["brand_new_field"] = json!([1, 2, 3]);
    let WebhookEvent::FileInfoUpdated(payload) = parse_value(&body) else {
        panic!("file.info_updated")
    };
    let initiator = payload.initiator.as_ref().unwrap();
    assert_eq!(
        initiator.kind,
        InitiatorType::Unrecognized("webhook_replay".into())
    );
    assert_eq!(
        initiator.detail.addon_name,
        Some(AddonName::Unrecognized("future_addon".into()))
    );
    // An unreadable timestamp is dropped, an offset-less one read as UTC.
    assert_eq!(payload.hook.updated_at, None);
    assert_eq!(
        payload.hook.created_at.map(|t| t.to_rfc3339()),
        Some("2024-02-12T09:31:40.002381+00:00".to_owned())
    );
    assert_eq!(payload.data["brand_new_field"], json!([1, 2, 3]));
    assert_eq!(payload.file_uuid(), Some(FILE_UUID.parse().unwrap()));
}

#[test]
fn an_unknown_event_is_kept_whole() {
    let mut body = documented_example("WebhookFilePayload");
    body["hook"]["event"] = json!("file.moved");
    body["destination"] = json!("s3://bucket/x");
    let WebhookEvent::Other { event, body: kept } = parse_value(&body) else {
        panic!("an unknown event")
    };
    assert_eq!(event, "file.moved");
    assert_eq!(kept, body);

    let parsed = parse_value(&json!({"data": {"uuid": FILE_UUID}}));
    assert!(matches!(&parsed, WebhookEvent::Other { event, .. } if event.is_empty()));
    assert_eq!(parsed.event_name(), "");
    assert_eq!(parsed.hook(), None);
    assert_eq!(parsed.file_uuid(), Some(FILE_UUID.parse().unwrap()));
}

#[test]
fn the_0_5_payload_sample_parses() {
    // The 0.5 seed's shape: `hook` with `project_pub_key` and no `target`, `data`, no
    // `initiator`.
    let body = json!({
        "hook": {
            "id": 1, "project_id": 2, "project_pub_key": "demopublickey",
            "created_at": "2016-03-01T10:00:00.000000Z", "updated_at": "2016-03-01T10:00:00.000000Z",
            "event": "file.uploaded", "is_active": true, "version": "0.5"
        },
        "data": {"uuid": FILE_UUID, "original_filename": "a.txt", "image_info": null},
    });
    let WebhookEvent::FileUploaded(payload) = parse_value(&body) else {
        panic!("file.uploaded")
    };
    assert_eq!(payload.hook.project_pub_key.as_deref(), Some("demopublickey"));
    assert_eq!(payload.hook.version.as_deref(), Some("0.5"));
    assert_eq!(payload.hook.target, None);
    assert!(payload.initiator.is_none());
    assert_eq!(payload.file_uuid(), Some(FILE_UUID.parse().unwrap()));
}

#[test]
fn bodies_that_are_not_payloads_are_errors() {
    for body in [&b"not json"[..], b"[1, 2]", b"\"file.uploaded\"", b""] {
        assert!(
            matches!(webhooks::parse(body), Err(WebhookError::InvalidPayload(_))),
            "{body:?}"
        );
    }
    // A known event whose fields have the wrong types.
    let body = json!({"hook": {"event": "file.stored", "id": "one"}});
    let error = webhooks::parse(body.to_string().as_bytes()).unwrap_err();
    assert!(matches!(error, WebhookError::InvalidPayload(_)), "{error}");
}

#[test]
fn events_deserialize_with_serde_too() {
    let event: WebhookEvent = serde_json::from_str(BODY).unwrap();
    assert!(matches!(event, WebhookEvent::FileUploaded(_)));
    assert!(serde_json::from_str::<WebhookEvent>("[]").is_err());
}

// ---------------------------------------------------------------- emulator deliveries

#[cfg(all(feature = "v0_7", feature = "upload"))]
mod deliveries {
    use super::*;
    use axum::body::Bytes;
    use axum::http::HeaderMap;
    use std::time::Duration;
    use tokio::sync::mpsc;
    use uploadcare::upload::types::StoreType;
    use uploadcare::v0_7::types::{WebhookEvent as EventType, WebhookSigningSecret};
    use uploadcare_emulator::{DeliveryStatus, Emulator};

    /// One POST the receiver got: `X-Uc-Signature`, `Content-Type`, body.
    type Received = (Option<String>, Option<String>, Bytes);

    /// An HTTP server on 127.0.0.1 that hands every POST to the test; its URL.
    async fn receiver() -> (String, mpsc::UnboundedReceiver<Received>) {
        let (sender, received) = mpsc::unbounded_channel();
        let app = axum::Router::new().route(
            "/hooks/uploadcare",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let sender = sender.clone();
                async move {
                    let header =
                        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
                    let _ = sender.send((header("x-uc-signature"), header("content-type"), body));
                    "ok"
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/uploadcare", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (url, received)
    }

    async fn next(received: &mut mpsc::UnboundedReceiver<Received>) -> Received {
        tokio::time::timeout(Duration::from_secs(10), received.recv())
            .await
            .expect("a delivery within 10 s")
            .expect("the receiver is running")
    }

    #[tokio::test]
    async fn the_emulator_delivers_signed_payloads_for_upload_store_metadata_and_delete() {
        let emulator = Emulator::start().await.unwrap();
        let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
        let upload = uploadcare::upload::Client::from_config(emulator.config()).unwrap();
        let (url, mut received) = receiver().await;
        for event in [
            EventType::FileUploaded,
            EventType::FileStored,
            EventType::FileInfoUpdated,
            EventType::FileDeleted,
        ] {
            let secret = WebhookSigningSecret::try_from(SECRET).unwrap();
            rest.webhook_create()
                .body_map(|b| b.target_url(url.as_str()).event(event).signing_secret(secret))
                .send()
                .await
                .unwrap();
        }
        // Subscribed elsewhere or inactive: recorded or skipped, never sent here.
        rest.webhook_create()
            .body_map(|b| {
                b.target_url("https://hooks.example.com/uploadcare")
                    .event(EventType::FileUploaded)
            })
            .send()
            .await
            .unwrap();
        rest.webhook_create()
            .body_map(|b| {
                b.target_url(format!("{url}?inactive").as_str())
                    .event(EventType::FileUploaded)
                    .is_active(false)
            })
            .send()
            .await
            .unwrap();

        let info = upload
            .upload(b"hello webhooks".to_vec())
            .filename("hello.txt")
            .store(StoreType::Temporary)
            .send()
            .await
            .unwrap();
        let uuid = info.uuid;
        let secret = SigningSecret::new(SECRET);
        let check = |(signature, content_type, body): Received| {
            assert_eq!(content_type.as_deref(), Some("application/json"));
            webhooks::verify_and_parse(&secret, signature.as_deref(), &body).expect("a signed payload")
        };

        let uploaded = check(next(&mut received).await);
        let WebhookEvent::FileUploaded(payload) = &uploaded else {
            panic!("file.uploaded first, got {uploaded:?}")
        };
        assert_eq!(payload.file_uuid(), Some(uuid));
        assert_eq!(payload.hook.target.as_deref(), Some(url.as_str()));
        assert_eq!(payload.hook.version.as_deref(), Some("0.7"));
        assert_eq!(
            payload.initiator.as_ref().map(|i| &i.kind),
            Some(&InitiatorType::Api)
        );
        let file = payload.file_info().expect("a 0.7 file");
        assert_eq!((file.original_filename.as_str(), file.size), ("hello.txt", 14));
        assert_eq!(file.datetime_stored, None);
        assert_eq!(
            payload.file.as_deref(),
            Some(format!("{}/{uuid}/hello.txt", emulator.cdn_base_url()).as_str())
        );

        rest.store_file().uuid(uuid).send().await.unwrap();
        let stored = check(next(&mut received).await);
        let WebhookEvent::FileStored(payload) = &stored else {
            panic!("file.stored, got {stored:?}")
        };
        assert_eq!(payload.file_uuid(), Some(uuid));
        assert!(payload.file_info().unwrap().datetime_stored.is_some());
        rest.store_file().uuid(uuid).send().await.unwrap();

        rest.update_file_metadata_key()
            .uuid(uuid)
            .key("subsystem")
            .body("gallery")
            .send()
            .await
            .unwrap();
        let updated = check(next(&mut received).await);
        let WebhookEvent::FileInfoUpdated(payload) = &updated else {
            panic!("file.info_updated, got {updated:?}")
        };
        assert_eq!(payload.file_uuid(), Some(uuid));
        assert_eq!(payload.previous_values.metadata, Some(Default::default()));
        assert_eq!(payload.data["metadata"], json!({"subsystem": "gallery"}));

        rest.delete_file_storage().uuid(uuid).send().await.unwrap();
        let deleted = check(next(&mut received).await);
        let WebhookEvent::FileDeleted(payload) = &deleted else {
            panic!("file.deleted, got {deleted:?}")
        };
        assert_eq!(payload.file_uuid(), Some(uuid));
        assert!(payload.file_info().unwrap().datetime_removed.is_some());

        // Removing a removed file is no event (nor is storing a stored one, above).
        rest.delete_file_storage().uuid(uuid).send().await.unwrap();

        let deliveries = emulator
            .state()
            .wait_for_deliveries(5, Duration::from_secs(10))
            .await;
        let events: Vec<(&str, bool)> = deliveries
            .iter()
            .map(|d| (d.event.as_str(), d.target_url == url))
            .collect();
        assert_eq!(
            events,
            [
                ("file.uploaded", true),
                ("file.uploaded", false),
                ("file.stored", true),
                ("file.info_updated", true),
                ("file.deleted", true),
            ]
        );
        for delivery in &deliveries {
            assert_eq!(delivery.file, uuid);
            if delivery.target_url == url {
                assert_eq!(delivery.status, DeliveryStatus::Delivered { status: 200 });
                assert_eq!(delivery.attempts, 1);
                let signature = delivery.signature.as_deref();
                webhooks::verify(&secret, signature, delivery.body.as_bytes()).unwrap();
            } else {
                assert_eq!(delivery.status, DeliveryStatus::NotSent);
                assert_eq!(delivery.signature, None);
            }
        }
        assert!(received.try_recv().is_err(), "nothing else was delivered");

        // The secret stays out of the emulator's debug output.
        let state = emulator.state();
        assert!(!format!("{:?}", *state.lock()).contains(SECRET));
        assert!(!format!("{deliveries:?}").contains(SECRET));
    }

    #[tokio::test]
    async fn a_delivery_to_a_closed_port_is_recorded_as_failed_and_the_request_still_succeeds() {
        let emulator = Emulator::start().await.unwrap();
        let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
        // A port that was just free: nothing listens on it.
        let closed = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        rest.webhook_create()
            .body_map(|b| {
                b.target_url(format!("http://{closed}/hook").as_str())
                    .event(EventType::FileStored)
            })
            .send()
            .await
            .unwrap();
        let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(false));
        let stored = rest.store_file().uuid(uuid).send().await.unwrap();
        assert!(stored.datetime_stored.is_some());
        let deliveries = emulator
            .state()
            .wait_for_deliveries(1, Duration::from_secs(10))
            .await;
        assert_eq!(deliveries.len(), 1);
        assert!(
            matches!(deliveries[0].status, DeliveryStatus::Failed { .. }),
            "{:?}",
            deliveries[0].status
        );
        assert_eq!(deliveries[0].attempts, 3, "retried");
        assert_eq!(deliveries[0].signature, None, "no secret, no signature");
    }

    /// Subscribes `url` to every event (no signing secret).
    async fn subscribe_to_all(rest: &uploadcare::v0_7::Client, url: &str) {
        for event in [
            EventType::FileUploaded,
            EventType::FileInfected,
            EventType::FileStored,
            EventType::FileDeleted,
            EventType::FileInfoUpdated,
        ] {
            rest.webhook_create()
                .body_map(|b| b.target_url(url).event(event))
                .send()
                .await
                .unwrap();
        }
    }

    #[tokio::test]
    async fn an_infected_file_is_announced_by_the_virus_scan_add_on() {
        use uploadcare::v0_7::types::UcClamavVirusScanParams;
        let emulator = Emulator::start().await.unwrap();
        let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
        let (url, mut received) = receiver().await;
        subscribe_to_all(&rest, &url).await;
        let uuid = emulator.state().add_file(
            "eicar.txt",
            "text/plain",
            "X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*",
            Some(true),
        );
        let run = rest
            .uc_clamav_virus_scan_execute()
            .body_map(|b| {
                b.target(uuid).params(UcClamavVirusScanParams {
                    purge_infected: Some(true),
                })
            })
            .send()
            .await
            .unwrap()
            .into_inner()
            .request_id
            .expect("request_id");
        // The run finishes when `done` is reported.
        for _ in 0..2 {
            rest.uc_clamav_virus_scan_execution_status()
                .request_id(run)
                .send()
                .await
                .unwrap();
        }
        let mut events = Vec::new();
        for _ in 0..3 {
            let (signature, _, body) = next(&mut received).await;
            assert_eq!(signature, None, "no signing secret, no signature");
            events.push(webhooks::parse(&body).unwrap());
        }
        let names: Vec<&str> = events.iter().map(WebhookEvent::event_name).collect();
        assert_eq!(names, ["file.info_updated", "file.infected", "file.deleted"]);
        let WebhookEvent::FileInfoUpdated(updated) = &events[0] else {
            unreachable!()
        };
        assert_eq!(updated.previous_values.appdata, None, "no add-on data before");
        assert_eq!(
            updated.data["appdata"]["uc_clamav_virus_scan"]["data"]["infected"],
            true
        );
        for event in &events {
            assert_eq!(event.file_uuid(), Some(uuid));
            let initiator = match event {
                WebhookEvent::FileInfoUpdated(p) => p.initiator.as_ref(),
                WebhookEvent::FileInfected(p) | WebhookEvent::FileDeleted(p) => p.initiator.as_ref(),
                other => panic!("{other:?}"),
            }
            .expect("initiator");
            assert_eq!(initiator.kind, InitiatorType::Addon);
            assert_eq!(initiator.detail.addon_name, Some(AddonName::UcClamavVirusScan));
            assert_eq!(initiator.detail.request_id, Some(run));
            assert_eq!(initiator.detail.source_file_uuid, Some(uuid));
        }
    }

    #[tokio::test]
    async fn a_0_5_webhook_gets_the_file_in_the_0_5_layout() {
        use uploadcare_emulator::WebhookRecord;
        let emulator = Emulator::start().await.unwrap();
        let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
        let (url, mut received) = receiver().await;
        {
            let mut project = emulator.state().lock();
            let now = project.now();
            project.webhooks.insert(
                1,
                WebhookRecord {
                    id: 1,
                    target_url: url.clone(),
                    event: "file.stored".into(),
                    is_active: true,
                    signing_secret: Some(SECRET.into()),
                    version: "0.5".into(),
                    created: now,
                    updated: now,
                },
            );
        }
        let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(false));
        rest.store_file().uuid(uuid).send().await.unwrap();
        let (signature, _, body) = next(&mut received).await;
        let event =
            webhooks::verify_and_parse(&SigningSecret::new(SECRET), signature.as_deref(), &body).unwrap();
        let WebhookEvent::FileStored(payload) = event else {
            panic!("file.stored")
        };
        assert_eq!(payload.hook.version.as_deref(), Some("0.5"));
        assert_eq!(
            payload.hook.project_pub_key.as_deref(),
            Some(emulator.public_key())
        );
        assert!(payload.data.get("image_info").is_some(), "0.5 file layout");
        assert!(payload.data.get("content_info").is_none());
        assert_eq!(payload.file_uuid(), Some(uuid));
    }

    #[tokio::test]
    async fn a_non_2xx_answer_is_recorded_as_rejected() {
        let emulator = Emulator::start().await.unwrap();
        let rest = uploadcare::v0_7::Client::from_config(emulator.config()).unwrap();
        // The receiver only answers `/hooks/uploadcare`; another path gets 404.
        let (url, mut received) = receiver().await;
        let target = url.replace("/hooks/uploadcare", "/elsewhere");
        rest.webhook_create()
            .body_map(|b| b.target_url(target.as_str()).event(EventType::FileStored))
            .send()
            .await
            .unwrap();
        let uuid = emulator.state().add_file("a.txt", "text/plain", "a", Some(false));
        rest.store_file().uuid(uuid).send().await.unwrap();
        let deliveries = emulator
            .state()
            .wait_for_deliveries(1, Duration::from_secs(10))
            .await;
        assert_eq!(deliveries[0].status, DeliveryStatus::Rejected { status: 404 });
        assert!(received.try_recv().is_err());
    }
}
