//! Webhook deliveries: when a file is uploaded (Upload API), stored, removed, or its metadata, tags
//! or add-on data change, the emulator POSTs the event's JSON payload to every active webhook
//! subscribed to it, signed with `X-Uc-Signature` when the webhook has a signing secret.
//!
//! Payloads are built while the change is made (under the project lock), so they show the
//! file exactly as the change left it; they are sent in the background by one dispatcher task
//! per emulator, so the request that caused the event never waits for a receiver.
//!
//! Only loopback targets (`127.0.0.1`, `::1`, `localhost`) are contacted: the emulator is for
//! tests and must not reach the network. Deliveries to any other host are recorded as
//! [`DeliveryStatus::NotSent`]. Every delivery is recorded in `Project::deliveries`
//! ([`EmulatorState::deliveries`]) with its outcome.
//!
//! Payload layout: the 0.7 one (`initiator`, `hook`, `data`, `file`, and `previous_values` for
//! `file.info_updated`). For webhooks whose payload version is `0.5` or `0.6` the envelope is
//! the same, `data` is the file in that REST version's layout, and `hook` also carries
//! `project_pub_key` as in the 0.5 sample; the fact sheets show no more of those versions'
//! payloads (the service added `initiator` in July 2023 without a per-version note).

use super::records::{Delivery, DeliveryStatus, Outbox, Outgoing, Urls};
use super::state::{timestamp, ApiVersion, EmulatorState, FileRecord, Project, WebhookRecord};
use serde_json::{json, Value};
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use uploadcare::webhooks::{EventName, SigningSecret, SIGNATURE_HEADER};
use uuid::Uuid;

/// Attempts per delivery when the target refuses the connection.
const CONNECT_ATTEMPTS: u32 = 3;
/// Pause before the second attempt; doubled for each further one.
const RETRY_DELAY: Duration = Duration::from_millis(100);
/// How long one attempt may take.
const ATTEMPT_TIMEOUT: Duration = Duration::from_secs(10);

/// What caused an event (the payload's `initiator`).
pub(crate) enum EventCause {
    /// A REST or Upload API request.
    Api,
    /// An add-on run on `source`.
    Addon {
        request_id: Uuid,
        addon: String,
        source: Uuid,
    },
}

impl EventCause {
    fn to_json(&self) -> Value {
        match self {
            Self::Api => json!({"type": "api", "detail": {"request_id": null, "addon_name": null}}),
            Self::Addon {
                request_id,
                addon,
                source,
            } => json!({
                "type": "addon",
                "detail": {
                    "request_id": request_id.to_string(),
                    "addon_name": addon,
                    "source_file_uuid": source.to_string(),
                },
            }),
        }
    }
}

/// `previous_values` of a `file.info_updated` payload, taken before the change.
pub(crate) fn previous_values(file: &FileRecord) -> Value {
    let appdata = if file.appdata.is_empty() {
        Value::Null
    } else {
        Value::Object(file.appdata.clone())
    };
    // `tags` next to the documented keys: receivers that know only those ignore it.
    json!({"appdata": appdata, "metadata": file.metadata, "tags": file.tags})
}

/// Whether `url` points at this machine's loopback interface.
fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
    else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    match host.parse::<std::net::IpAddr>() {
        Ok(ip) => ip.is_loopback(),
        Err(_) => host.eq_ignore_ascii_case("localhost"),
    }
}

impl Project {
    /// Records (and queues for sending) one delivery per active webhook subscribed to
    /// `event`, about file `uuid` as it is now. `previous_values`: for `file.info_updated`.
    /// A project that no running emulator serves makes no deliveries.
    pub(crate) fn webhook_event(
        &mut self,
        event: EventName,
        uuid: Uuid,
        cause: &EventCause,
        previous_values: Option<Value>,
    ) {
        let (Some(file), Some(urls)) = (
            self.files.get(&uuid).cloned(),
            self.outbox.as_ref().map(|outbox| outbox.urls.clone()),
        ) else {
            return;
        };
        let hooks: Vec<WebhookRecord> = self
            .webhooks
            .values()
            .filter(|hook| hook.is_active && hook.event == event.as_str())
            .cloned()
            .collect();
        for hook in hooks {
            let body = self.payload(&urls, &hook, &file, cause, previous_values.as_ref());
            let body = body.to_string();
            let signature = hook
                .signing_secret
                .as_deref()
                .map(|secret| uploadcare::webhooks::sign(&SigningSecret::new(secret), body.as_bytes()));
            let id = self.deliveries.len() as u64 + 1;
            let local = is_loopback(&hook.target_url);
            let outgoing = Outgoing {
                id,
                target_url: hook.target_url.clone(),
                body: body.clone(),
                signature: signature.clone(),
            };
            let queued = local
                && self
                    .outbox
                    .as_ref()
                    .is_some_and(|o| o.sender.send(outgoing).is_ok());
            let status = match (local, queued) {
                (false, _) => DeliveryStatus::NotSent,
                (true, true) => DeliveryStatus::Pending,
                (true, false) => DeliveryStatus::Failed {
                    error: "the emulator has stopped".to_owned(),
                },
            };
            self.deliveries.push(Delivery {
                id,
                webhook_id: hook.id,
                event: event.as_str().to_owned(),
                target_url: hook.target_url,
                file: uuid,
                body,
                signature,
                status,
                attempts: 0,
            });
        }
    }

    /// The JSON body delivered for `hook` (see the module docs for the layout).
    fn payload(
        &self,
        urls: &Urls,
        hook: &WebhookRecord,
        file: &FileRecord,
        cause: &EventCause,
        previous_values: Option<&Value>,
    ) -> Value {
        let version = match hook.version.as_str() {
            "0.5" => ApiVersion::V0_5,
            "0.6" => ApiVersion::V0_6,
            // `0.7`, and `""` of old subscriptions (whose layout the fact sheets don't give).
            _ => ApiVersion::V0_7,
        };
        // Add-on data shows in `file.info_updated` payloads (the documented example has it).
        let data = file.to_rest_json(version, urls, previous_values.is_some());
        let mut hook_json = json!({
            "id": hook.id,
            "project_id": self.id,
            "created_at": timestamp(hook.created),
            "updated_at": timestamp(hook.updated),
            "event": hook.event,
            "target": hook.target_url,
            "is_active": hook.is_active,
            "version": hook.version,
        });
        if version != ApiVersion::V0_7 {
            hook_json["project_pub_key"] = json!(self.public_key);
        }
        let mut body = json!({
            "initiator": cause.to_json(),
            "hook": hook_json,
            "data": data,
            "file": format!("{}{}", file.cdn_url(&urls.cdn), file.filename),
        });
        if let Some(previous) = previous_values {
            body["previous_values"] = previous.clone();
        }
        body
    }
}

/// Connects `state`'s project to a dispatcher task that sends its deliveries until `stop`.
pub(crate) fn start(state: &EmulatorState, urls: Urls, mut stop: watch::Receiver<bool>) {
    let (sender, mut outbox) = mpsc::unbounded_channel::<Outgoing>();
    state.lock().outbox = Some(Outbox { sender, urls });
    let state = state.clone();
    tokio::spawn(async move {
        // Never through a proxy (the targets are local) and never following redirects.
        let client = reqwest::Client::builder()
            .no_proxy()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(ATTEMPT_TIMEOUT)
            .build();
        loop {
            tokio::select! {
                next = outbox.recv() => {
                    let Some(outgoing) = next else { break };
                    match &client {
                        Ok(client) => {
                            tokio::spawn(deliver(client.clone(), state.clone(), outgoing));
                        }
                        Err(error) => record(&state, outgoing.id, 0, DeliveryStatus::Failed {
                            error: format!("no HTTP client: {error}"),
                        }),
                    }
                }
                _ = stop.wait_for(|stopped| *stopped) => break,
            }
        }
    });
}

/// POSTs one delivery, retrying refused connections briefly, and records the outcome.
async fn deliver(client: reqwest::Client, state: EmulatorState, outgoing: Outgoing) {
    let mut delay = RETRY_DELAY;
    let mut attempt = 0;
    let status = loop {
        attempt += 1;
        let mut request = client
            .post(&outgoing.target_url)
            .header("content-type", "application/json")
            .body(outgoing.body.clone());
        if let Some(signature) = &outgoing.signature {
            request = request.header(SIGNATURE_HEADER, signature);
        }
        match request.send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                break if response.status().is_success() {
                    DeliveryStatus::Delivered { status }
                } else {
                    DeliveryStatus::Rejected { status }
                };
            }
            Err(error) if error.is_connect() && attempt < CONNECT_ATTEMPTS => {
                record(&state, outgoing.id, attempt, DeliveryStatus::Pending);
                tokio::time::sleep(delay).await;
                delay *= 2;
            }
            Err(error) => {
                break DeliveryStatus::Failed {
                    error: uploadcare::internal::root_cause(&error),
                }
            }
        }
    };
    record(&state, outgoing.id, attempt, status);
}

fn record(state: &EmulatorState, id: u64, attempts: u32, status: DeliveryStatus) {
    let mut project = state.lock();
    if let Some(delivery) = project.deliveries.iter_mut().find(|d| d.id == id) {
        delivery.attempts = attempts;
        delivery.status = status;
    }
}

impl EmulatorState {
    /// Every webhook delivery so far, in the order the events happened.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.lock().deliveries.clone()
    }

    /// Waits until at least `count` deliveries are over (see [`DeliveryStatus::is_final`]),
    /// or `timeout` passes, and returns all deliveries.
    pub async fn wait_for_deliveries(&self, count: usize, timeout: Duration) -> Vec<Delivery> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let deliveries = self.deliveries();
            let finished = deliveries.iter().filter(|d| d.status.is_final()).count();
            if finished >= count || tokio::time::Instant::now() >= deadline {
                return deliveries;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_loopback_targets_are_contacted() {
        for local in [
            "http://127.0.0.1:8080/hook",
            "http://127.1.2.3/",
            "http://localhost:3000/x",
            "http://LOCALHOST/",
            "http://[::1]:9000/",
        ] {
            assert!(is_loopback(local), "{local}");
        }
        for remote in [
            "https://hooks.example.com/uploadcare",
            "http://10.0.0.1/",
            "http://localhost.example.com/",
            "not a url",
        ] {
            assert!(!is_loopback(remote), "{remote}");
        }
    }
}
