//! `convert` commands: document and video conversions, optionally waiting for every job to
//! be final, their statuses and (API 0.7) a document's conversion info.

use super::Rest;
use crate::cli::{ConversionKind, ConvertArgs, ConvertCommand};
use crate::error::{CliError, Result};
use crate::output::Output;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uploadcare::v0_7;

/// Waits (the library's waiter loop) until every job of a conversion answer is final;
/// returns the final statuses by token, or fails when `timeout` passes first.
macro_rules! wait_for_jobs {
    ($client:expr, $submitted:expr, $status:ident, $timeout:expr) => {{
        let started = Instant::now();
        let mut statuses = BTreeMap::new();
        for token in $submitted.result.iter().filter_map(|job| job.token) {
            let policy =
                uploadcare::runtime::WaitPolicy::with_timeout($timeout.saturating_sub(started.elapsed()));
            let status = uploadcare::runtime::wait_until_final(
                &format!("conversion job {token}"),
                &policy,
                || async move {
                    Ok::<_, uploadcare::Error>(
                        $client
                            .$status()
                            .token(token)
                            .send()
                            .await
                            .map_err(uploadcare::Error::from)?
                            .into_inner(),
                    )
                },
            )
            .await?;
            statuses.insert(token, status);
        }
        statuses
    }};
}

/// Prints a conversion answer, or with `--wait` the answer and every job's final status;
/// a job that did not finish makes the command fail after printing.
macro_rules! convert {
    ($out:expr, $client:expr, $submitted:expr, $status:ident, $args:expr) => {{
        let submitted = $submitted;
        if !$args.wait {
            return $out.print(&submitted);
        }
        let timeout = Duration::from_secs($args.timeout);
        let statuses = wait_for_jobs!($client, submitted, $status, timeout);
        $out.print(&serde_json::json!({ "submitted": submitted, "statuses": statuses }))?;
        let failed: Vec<String> = statuses
            .iter()
            .filter(|(_, s)| {
                !matches!(uploadcare::runtime::JobStatus::job_state(*s), uploadcare::runtime::JobState::Succeeded)
            })
            .map(|(token, s)| {
                let state = s.status.as_ref().map(|s| s.to_string()).unwrap_or_default();
                match &s.error {
                    Some(error) => format!("job {token} {state}: {error}"),
                    None => format!("job {token} {state}"),
                }
            })
            .collect();
        if failed.is_empty() {
            Ok(())
        } else {
            Err(CliError::failed(format!("conversion failed: {}", failed.join("; "))))
        }
    }};
}

pub async fn convert(rest: &Rest, out: &Output, command: ConvertCommand) -> Result {
    match command {
        ConvertCommand::Document { args, save_in_group } => {
            let store = args.store.then_some("1");
            match rest {
                Rest::V0_7(client) => {
                    let save = save_in_group.then_some("1");
                    let submitted = client
                        .document_convert()
                        .body_map(|b| {
                            b.paths(args.paths.clone())
                                .store(store.map(v0_7::types::BooleanString::from))
                                .save_in_group(save.map(v0_7::types::BooleanString::from))
                        })
                        .send()
                        .await?
                        .into_inner();
                    convert!(out, client, submitted, document_convert_status, args)
                }
                #[allow(unreachable_patterns)]
                other if save_in_group => Err(CliError::usage(format!(
                    "`--save-in-group` is not available in API {}: it needs API 0.7",
                    other.version()
                ))),
                #[allow(unreachable_patterns)]
                other => each_version!(other, |client, types| {
                    let submitted = client
                        .document_convert()
                        .body_map(|b| {
                            b.paths(args.paths.clone())
                                .store(store.map(types::BooleanString::from))
                        })
                        .send()
                        .await?
                        .into_inner();
                    convert!(out, client, submitted, document_convert_status, args)
                }),
            }
        }
        ConvertCommand::Video { args } => convert_video(rest, out, args).await,
        ConvertCommand::Status { kind, token } => each_version!(rest, |client, types| {
            match kind {
                ConversionKind::Document => {
                    let status = client.document_convert_status().token(token).send().await?;
                    out.print(&status.into_inner())
                }
                ConversionKind::Video => {
                    let status = client.video_convert_status().token(token).send().await?;
                    out.print(&status.into_inner())
                }
            }
        }),
        ConvertCommand::Info { uuid } => {
            let client = rest.v0_7("`convert info`")?;
            out.print(
                &client
                    .document_convert_info()
                    .uuid(uuid)
                    .send()
                    .await?
                    .into_inner(),
            )
        }
    }
}

async fn convert_video(rest: &Rest, out: &Output, args: ConvertArgs) -> Result {
    let store = args.store.then_some("1");
    each_version!(rest, |client, types| {
        let submitted = client
            .video_convert()
            .body_map(|b| {
                b.paths(args.paths.clone())
                    .store(store.map(types::BooleanString::from))
            })
            .send()
            .await?
            .into_inner();
        convert!(out, client, submitted, video_convert_status, args)
    })
}
