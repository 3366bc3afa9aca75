//! `addons` commands (API 0.7): execute an add-on (AWS Rekognition, ClamAV, remove.bg),
//! optionally waiting for its final status, and fetch an execution's status.

use super::Rest;
use crate::cli::{Addon, AddonsCommand};
use crate::error::{CliError, Result};
use crate::output::Output;
use std::time::Duration;
use uploadcare::v0_7;

/// An add-on's `params`, parsed from the `--params` JSON into that add-on's type.
fn addon_params<T: serde::de::DeserializeOwned>(params: Option<&str>) -> Result<Option<T>> {
    params
        .map(|json| serde_json::from_str(json).map_err(|e| CliError::usage(format!("invalid --params: {e}"))))
        .transpose()
}

/// Fetches an add-on execution's status (the status type depends on the add-on).
async fn addon_status(
    client: &v0_7::Client,
    addon: Addon,
    request_id: uuid::Uuid,
) -> Result<serde_json::Value> {
    Ok(match addon {
        Addon::AwsRekognitionDetectLabels => serde_json::to_value(
            client
                .aws_rekognition_execution_status()
                .request_id(request_id)
                .send()
                .await?
                .into_inner(),
        )?,
        Addon::AwsRekognitionDetectModerationLabels => serde_json::to_value(
            client
                .aws_rekognition_detect_moderation_labels_execution_status()
                .request_id(request_id)
                .send()
                .await?
                .into_inner(),
        )?,
        Addon::UcClamavVirusScan => serde_json::to_value(
            client
                .uc_clamav_virus_scan_execution_status()
                .request_id(request_id)
                .send()
                .await?
                .into_inner(),
        )?,
        Addon::RemoveBg => serde_json::to_value(
            client
                .remove_bg_execution_status()
                .request_id(request_id)
                .send()
                .await?
                .into_inner(),
        )?,
    })
}

pub async fn addons(rest: &Rest, out: &Output, command: AddonsCommand) -> Result {
    let client = rest.v0_7("`addons`")?;
    match command {
        AddonsCommand::Status { name, request_id } => {
            out.print(&addon_status(client, name, request_id).await?)
        }
        AddonsCommand::Execute {
            name,
            uuid,
            params,
            wait,
            timeout,
        } => {
            let params = params.as_deref();
            let no_params = || match params {
                Some(_) => Err(CliError::usage(format!(
                    "{} takes no --params",
                    name.to_possible_value_name()
                ))),
                None => Ok(()),
            };
            let submitted = match name {
                Addon::AwsRekognitionDetectLabels => {
                    no_params()?;
                    client
                        .aws_rekognition_execute()
                        .body_map(|b| b.target(uuid))
                        .send()
                        .await?
                }
                Addon::AwsRekognitionDetectModerationLabels => {
                    no_params()?;
                    client
                        .aws_rekognition_detect_moderation_labels_execute()
                        .body_map(|b| b.target(uuid))
                        .send()
                        .await?
                }
                Addon::UcClamavVirusScan => {
                    let params = addon_params::<v0_7::types::UcClamavVirusScanParams>(params)?;
                    client
                        .uc_clamav_virus_scan_execute()
                        .body_map(|b| b.target(uuid).params(params))
                        .send()
                        .await?
                }
                Addon::RemoveBg => {
                    let params = addon_params::<v0_7::types::RemoveBgParams>(params)?;
                    client
                        .remove_bg_execute()
                        .body_map(|b| b.target(uuid).params(params))
                        .send()
                        .await?
                }
            }
            .into_inner();
            if !wait {
                return out.print(&submitted);
            }
            let request_id = submitted
                .request_id
                .ok_or_else(|| CliError::failed("the service returned no request_id to wait for"))?;
            let policy = uploadcare::runtime::WaitPolicy::with_timeout(Duration::from_secs(timeout));
            let operation = format!("add-on execution {request_id}");
            let status = uploadcare::runtime::wait_until_final(&operation, &policy, || async move {
                Ok::<_, CliError>(AddonAnswer(addon_status(client, name, request_id).await?))
            })
            .await?;
            let state = uploadcare::runtime::JobStatus::job_state(&status);
            let status = status.0;
            out.print(&serde_json::json!({ "submitted": submitted, "status": status }))?;
            match state {
                uploadcare::runtime::JobState::Succeeded => Ok(()),
                _ => Err(CliError::failed(format!(
                    "add-on execution {request_id} ended with status `{}`",
                    status["status"].as_str().unwrap_or_default()
                ))),
            }
        }
    }
}

/// An add-on status answer of any add-on (as JSON), read with the library's job states.
struct AddonAnswer(serde_json::Value);

impl uploadcare::runtime::JobStatus for AddonAnswer {
    fn job_state(&self) -> uploadcare::runtime::JobState {
        // Every add-on's status answer has the shape of `AddonExecutionStatus` (`status` and
        // add-on specific fields, which the type ignores).
        match <v0_7::types::AddonExecutionStatus as serde::Deserialize>::deserialize(&self.0) {
            Ok(status) => status.job_state(),
            Err(e) => uploadcare::runtime::JobState::Failed(format!("unreadable status answer: {e}")),
        }
    }
}

impl Addon {
    fn to_possible_value_name(self) -> String {
        clap::ValueEnum::to_possible_value(&self)
            .map(|v| v.get_name().to_owned())
            .unwrap_or_default()
    }
}
