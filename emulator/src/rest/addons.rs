//! Add-ons (0.7): execute and status for the four add-ons. An execution moves from
//! `in_progress` to `done` as it is polled; when `done` is reported its result lands in the
//! file's `appdata` (and `remove_bg` creates the result file).

use super::conversions::plain_json;
use super::copies::json_object;
use super::{detail, not_found, query_pairs, Rest};
use crate::deliveries::{previous_values, EventCause};
use crate::state::{timestamp, AddonInfo, ApiVersion, Job, Project};
use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{json, Map, Value};
use uploadcare::webhooks::EventName;
use uuid::Uuid;

pub(super) fn routes() -> Router<Rest> {
    Router::new()
        .route("/addons/{name}/execute/", post(execute))
        .route("/addons/{name}/execute/status/", get(status))
}

const REKOGNITION_LABELS: &str = "aws_rekognition_detect_labels";
const REKOGNITION_MODERATION: &str = "aws_rekognition_detect_moderation_labels";
const CLAMAV: &str = "uc_clamav_virus_scan";
const REMOVE_BG: &str = "remove_bg";
const ADDONS: [&str; 4] = [REKOGNITION_LABELS, REKOGNITION_MODERATION, CLAMAV, REMOVE_BG];
const STAGES: [&str; 2] = ["in_progress", "done"];
/// The anti-virus test signature: files containing it are reported infected.
const EICAR: &[u8] = b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE";

/// The add-on named in the path (0.7 only).
fn addon(version: ApiVersion, name: &str) -> Option<&'static str> {
    if version != ApiVersion::V0_7 {
        return None;
    }
    ADDONS.iter().copied().find(|a| *a == name)
}

/// Checks `params` of `addon` against the documented fields.
fn check_params(addon: &str, params: &Map<String, Value>) -> Result<(), String> {
    let one_of = |field: &str, allowed: &[&str]| match params.get(field) {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(()),
        Some(other) => Err(format!("`params.{field}`: {other} is not one of {allowed:?}.")),
    };
    let boolean = |field: &str| match params.get(field) {
        None | Some(Value::Null) | Some(Value::Bool(_)) => Ok(()),
        Some(other) => Err(format!("`params.{field}`: {other} is not a boolean.")),
    };
    let string = |field: &str| match params.get(field) {
        None | Some(Value::Null) | Some(Value::String(_)) => Ok(()),
        Some(other) => Err(format!("`params.{field}`: {other} is not a string.")),
    };
    match addon {
        CLAMAV => boolean("purge_infected"),
        REMOVE_BG => {
            one_of("type_level", &["none", "1", "2", "latest"])?;
            one_of("type", &["auto", "person", "product", "car"])?;
            one_of("channels", &["rgba", "alpha"])?;
            ["crop", "add_shadow", "semitransparency"]
                .into_iter()
                .try_for_each(boolean)?;
            ["crop_margin", "scale", "roi", "position"]
                .into_iter()
                .try_for_each(string)
        }
        _ => Ok(()),
    }
}

async fn execute(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(name): Path<String>,
    body: Bytes,
) -> Response {
    let Some(addon) = addon(version, &name) else {
        return not_found();
    };
    let request = match json_object(&body) {
        Ok(request) => request,
        Err(response) => return response,
    };
    let target = match request.get("target") {
        None | Some(Value::Null) => return detail(400, "`target` is required."),
        Some(Value::String(target)) => match target.parse::<Uuid>() {
            Ok(target) => target,
            Err(_) => return detail(400, "`target` must be a file UUID."),
        },
        Some(_) => return detail(400, "`target` must be a file UUID."),
    };
    let params = match request.get("params") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(params)) => params.clone(),
        Some(_) => return detail(400, "`params` must be a JSON object."),
    };
    if let Err(message) = check_params(addon, &params) {
        return detail(400, message);
    }

    let mut project = rest.state.lock();
    if project.live_file(&target).is_none() {
        return detail(404, "File not found.");
    }
    let busy = project.addon_requests.iter().any(|(id, (name, file, _))| {
        name == addon && *file == target && project.addon_info.get(id).is_some_and(|i| !i.finished)
    });
    if busy {
        return detail(409, "Concurrent call attempted");
    }
    let request_id = Uuid::new_v4();
    project
        .addon_requests
        .insert(request_id, (addon.to_owned(), target, Job::new(&STAGES)));
    project.addon_info.insert(
        request_id,
        AddonInfo {
            params: Value::Object(params),
            finished: false,
            outcome: "",
            result_file: None,
        },
    );
    plain_json(200, &json!({"request_id": request_id}))
}

/// The result data an add-on reports for the file.
fn result_data(addon: &str, data: &[u8], is_image: bool, params: &Value) -> (&'static str, Value) {
    match addon {
        REKOGNITION_LABELS => {
            let labels = if is_image {
                json!([
                    {"Confidence": 97.8, "Instances": [], "Name": "Outdoors", "Parents": []},
                    {
                        "Confidence": 91.2,
                        "Instances": [{
                            "BoundingBox": {"Height": 0.62, "Left": 0.21, "Top": 0.18, "Width": 0.33},
                            "Confidence": 91.2
                        }],
                        "Name": "Person",
                        "Parents": []
                    },
                    {
                        "Confidence": 88.5,
                        "Instances": [],
                        "Name": "Mountain",
                        "Parents": [{"Name": "Outdoors"}]
                    }
                ])
            } else {
                json!([])
            };
            (
                "2016-06-27",
                json!({"LabelModelVersion": "3.0", "Labels": labels}),
            )
        }
        REKOGNITION_MODERATION => (
            "2016-06-27",
            json!({"ModerationModelVersion": "6.1", "ModerationLabels": []}),
        ),
        CLAMAV => {
            let infected = data.windows(EICAR.len()).any(|w| w == EICAR);
            let mut result = json!({"infected": infected});
            if infected {
                result["infected_with"] = json!("Win.Test.EICAR_HDB-1");
            }
            ("0.105.1", result)
        }
        _ => {
            // `foreground_type` is only reported when classification was asked for.
            let level = params.get("type_level").and_then(Value::as_str).unwrap_or("none");
            let kind = params
                .get("type")
                .and_then(Value::as_str)
                .filter(|t| *t != "auto");
            let result = if level == "none" {
                json!({})
            } else {
                json!({"foreground_type": kind.unwrap_or("person")})
            };
            ("1.0", result)
        }
    }
}

/// Writes the add-on's result; `Err` when the file is gone (status `error`). The change is
/// announced as `file.info_updated` (plus `file.infected`, and `file.deleted` when purged, for
/// an infected file), caused by the add-on.
fn finish(project: &mut Project, request_id: Uuid, addon: &str, target: Uuid) -> Result<Option<Uuid>, ()> {
    let file = project.live_file(&target).cloned().ok_or(())?;
    let params = project
        .addon_info
        .get(&request_id)
        .map(|i| i.params.clone())
        .unwrap_or_default();
    let (result_version, data) = result_data(addon, &file.data, file.image_size().is_some(), &params);
    let now = project.now();
    let created = file
        .appdata
        .get(addon)
        .and_then(|previous| previous.get("datetime_created"))
        .cloned()
        .unwrap_or_else(|| json!(timestamp(now)));
    let infected = data.get("infected").and_then(Value::as_bool).unwrap_or(false);
    let entry = json!({
        "version": result_version,
        "datetime_created": created,
        "datetime_updated": timestamp(now),
        "data": data,
    });
    let record = project.files.get_mut(&target).expect("live above");
    record.appdata.insert(addon.to_owned(), entry);
    let purged =
        addon == CLAMAV && infected && params.get("purge_infected").and_then(Value::as_bool) == Some(true);
    if purged {
        record.removed = Some(now);
        record.stored = None;
    }
    let cause = EventCause::Addon {
        request_id,
        addon: addon.to_owned(),
        source: target,
    };
    project.webhook_event(
        EventName::FileInfoUpdated,
        target,
        &cause,
        Some(previous_values(&file)),
    );
    if addon == CLAMAV && infected {
        project.webhook_event(EventName::FileInfected, target, &cause, None);
    }
    if purged {
        project.webhook_event(EventName::FileDeleted, target, &cause, None);
    }
    if addon != REMOVE_BG {
        return Ok(None);
    }
    let (width, height) = file.image_size().map_or((1, 1), |(w, h, _)| (w, h));
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    png.extend_from_slice(&file.data);
    let stem = file
        .filename
        .rsplit_once('.')
        .map_or(file.filename.as_str(), |(stem, _)| stem);
    let result = project.add_file(&format!("{stem}.png"), "image/png", png.into(), None);
    Ok(Some(result))
}

async fn status(
    State(rest): State<Rest>,
    Extension(version): Extension<ApiVersion>,
    Path(name): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Some(addon) = addon(version, &name) else {
        return not_found();
    };
    let pairs = query_pairs(query.as_deref());
    let Some(raw) = pairs.iter().find(|(k, _)| k == "request_id").map(|(_, v)| v) else {
        return detail(400, "`request_id` is required.");
    };
    let Ok(request_id) = raw.parse::<Uuid>() else {
        return detail(400, "`request_id` must be a UUID.");
    };
    let mut project = rest.state.lock();
    let Some((owner, target, _)) = project.addon_requests.get(&request_id) else {
        return detail(404, "Request not found.");
    };
    if owner.as_str() != addon {
        return detail(404, "Request not found.");
    }
    let target = *target;
    let finished = project
        .addon_info
        .get(&request_id)
        .filter(|i| i.finished)
        .cloned();
    let info = match finished {
        Some(info) => info,
        None => {
            let (job_status, is_final) = {
                let (_, _, job) = project.addon_requests.get_mut(&request_id).expect("found above");
                let status = job.poll(rest.options.polls_per_stage);
                (status, job.is_final(status))
            };
            if !is_final {
                return plain_json(200, &json!({"status": job_status}));
            }
            let outcome = finish(&mut project, request_id, addon, target);
            let info = project.addon_info.entry(request_id).or_insert_with(|| AddonInfo {
                params: json!({}),
                finished: false,
                outcome: "",
                result_file: None,
            });
            info.finished = true;
            match outcome {
                Ok(result_file) => {
                    info.outcome = "done";
                    info.result_file = result_file;
                }
                Err(()) => info.outcome = "error",
            }
            info.clone()
        }
    };
    let mut body = json!({"status": info.outcome});
    if let Some(file) = info.result_file {
        body["result"] = json!({"file_id": file});
    }
    plain_json(200, &body)
}
