//! `groups` commands: list, info, delete (API 0.7) and store (API 0.5/0.6); creating a
//! group goes through the Upload API.

use super::Rest;
use crate::cli::GroupsCommand;
use crate::error::{CliError, Result};
use crate::input;
use crate::output::Output;

pub async fn groups(rest: &Rest, out: &Output, command: GroupsCommand) -> Result {
    match command {
        GroupsCommand::List {
            limit,
            ordering,
            from,
            all,
        } => each_version!(rest, |client, types| {
            let mut request = client.groups_list();
            if let Some(limit) = limit {
                request = request.limit(limit);
            }
            if let Some(ordering) = &ordering {
                request = request.ordering(ordering.as_str());
            }
            if let Some(from) = from {
                request = request.from(from);
            }
            print_pages!(out, client, request, all_groups, all)
        }),
        GroupsCommand::Info { id } => {
            input::check_group_id(&id)?;
            each_version!(rest, |client, types| {
                out.print(&client.group_info().uuid(id).send().await?.into_inner())
            })
        }
        GroupsCommand::Create { .. } => Err(CliError::usage("`groups create` goes through the Upload API")),
        GroupsCommand::Delete { id } => match input::check_group_id(&id).map(|()| rest)? {
            Rest::V0_7(client) => {
                client.delete_group().uuid(id).send().await?;
                out.empty()
            }
            #[allow(unreachable_patterns)]
            other => Err(CliError::usage(format!(
                "`groups delete` is not available in API {}: it needs API 0.7 (use `groups store` here)",
                other.version()
            ))),
        },
        GroupsCommand::Store { id } => match input::check_group_id(&id).map(|()| rest)? {
            Rest::V0_5(client) => out.print(&client.store_group().uuid(id).send().await?.into_inner()),
            Rest::V0_6(client) => out.print(&client.store_group().uuid(id).send().await?.into_inner()),
            Rest::V0_7(_) => Err(CliError::usage(
                "`groups store` is not available in API 0.7: store the files with `files store` \
                 (or use --api-version 0.6)",
            )),
        },
    }
}
