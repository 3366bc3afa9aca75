//! `metadata` commands (API 0.7): get, set and delete a file's metadata keys, for one file
//! or a list of UUIDs read from stdin.

use super::{for_each_uuid, Rest};
use crate::cli::MetadataCommand;
use crate::error::{CliError, Result};
use crate::input;
use crate::output::Output;

pub async fn metadata(rest: &Rest, out: &Output, command: MetadataCommand) -> Result {
    let client = rest.v0_7("`metadata`")?;
    // With `--from-stdin` the answers are listed with their file's UUID.
    let labelled = |uuid: uuid::Uuid, list: bool, value: serde_json::Value| {
        if list {
            serde_json::json!({"uuid": uuid, "value": value})
        } else {
            value
        }
    };
    match command {
        MetadataCommand::Get { args, stdin } => {
            let list = stdin.from_stdin;
            let (uuids, rest_args) = input::split_uuid_args(args, list)?;
            let key = match rest_args.as_slice() {
                [] => None,
                [key] => Some(checked_key(key)?),
                _ => return Err(CliError::usage("`metadata get` takes a UUID and at most one KEY")),
            };
            for_each_uuid(out, uuids, list, |uuid| {
                let key = key.clone();
                async move {
                    let value = match key {
                        None => serde_json::to_value(
                            client.file_metadata().uuid(uuid).send().await?.into_inner(),
                        )?,
                        Some(key) => serde_json::to_value(
                            client
                                .file_metadata_key()
                                .uuid(uuid)
                                .key(key.as_str())
                                .send()
                                .await?
                                .into_inner(),
                        )?,
                    };
                    Ok(labelled(uuid, list, value))
                }
            })
            .await
        }
        MetadataCommand::Set { args, stdin } => {
            let list = stdin.from_stdin;
            let (uuids, rest_args) = input::split_uuid_args(args, list)?;
            let [key, value] = rest_args.as_slice() else {
                return Err(CliError::usage(
                    "`metadata set` takes UUID KEY VALUE (KEY VALUE with --from-stdin)",
                ));
            };
            let key = checked_key(key)?;
            for_each_uuid(out, uuids, list, |uuid| {
                let (key, value) = (key.clone(), value.clone());
                async move {
                    let answer = client
                        .update_file_metadata_key()
                        .uuid(uuid)
                        .key(key.as_str())
                        .body(value.as_str())
                        .send()
                        .await?;
                    Ok(labelled(uuid, list, serde_json::to_value(answer.into_inner())?))
                }
            })
            .await
        }
        MetadataCommand::Delete { args, stdin } => {
            let list = stdin.from_stdin;
            let (uuids, rest_args) = input::split_uuid_args(args, list)?;
            let [key] = rest_args.as_slice() else {
                return Err(CliError::usage(
                    "`metadata delete` takes UUID KEY (KEY with --from-stdin)",
                ));
            };
            let key = checked_key(key)?;
            let delete = |uuid: uuid::Uuid| {
                let key = key.clone();
                async move {
                    client
                        .delete_file_metadata_key()
                        .uuid(uuid)
                        .key(key.as_str())
                        .send()
                        .await?;
                    Ok::<_, CliError>(serde_json::json!({"uuid": uuid, "deleted": key}))
                }
            };
            if !list {
                // One file: the empty answer, as before.
                delete(uuids[0]).await?;
                return out.empty();
            }
            for_each_uuid(out, uuids, list, delete).await
        }
    }
}

/// A metadata key that can be one URL path segment.
fn checked_key(key: &str) -> Result<String> {
    input::check_segment("metadata key", key)?;
    Ok(key.to_owned())
}
