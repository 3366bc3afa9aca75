//! `tags` commands (API 0.7): get, set, add and remove a file's tags, for one file or a
//! list of UUIDs read from stdin.

use super::{for_each_uuid, Rest};
use crate::cli::TagsCommand;
use crate::error::Result;
use crate::input;
use crate::output::Output;

/// `tags get|set|add|remove` (API 0.7), through the library's checked tag calls.
pub async fn tags(rest: &Rest, out: &Output, command: TagsCommand) -> Result {
    let client = rest.v0_7("`tags`")?;
    match command {
        TagsCommand::Get { uuid, stdin } => {
            let list = stdin.from_stdin;
            let uuids = input::uuids(uuid.into_iter().collect(), list)?;
            for_each_uuid(out, uuids, list, |uuid| async move {
                let tags = client.tags(uuid).await?;
                // Listed (from stdin) with their file's UUID.
                Ok(if list {
                    serde_json::json!({ "uuid": uuid, "tags": tags })
                } else {
                    serde_json::json!({ "tags": tags })
                })
            })
            .await
        }
        TagsCommand::Set { args, stdin } => {
            let (uuids, tags) = input::split_uuid_args(args, stdin.from_stdin)?;
            for_each_uuid(out, uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.set_tags(uuid, tags).await?) }
            })
            .await
        }
        TagsCommand::Add { args, stdin } => {
            let (uuids, tags) = input::split_uuid_args(args, stdin.from_stdin)?;
            for_each_uuid(out, uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.change_tags(uuid, tags, Vec::<String>::new()).await?) }
            })
            .await
        }
        TagsCommand::Remove { args, stdin } => {
            let (uuids, tags) = input::split_uuid_args(args, stdin.from_stdin)?;
            for_each_uuid(out, uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.change_tags(uuid, Vec::<String>::new(), tags).await?) }
            })
            .await
        }
    }
}
