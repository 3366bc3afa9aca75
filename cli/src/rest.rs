//! REST API commands: each is a call into the generated client of the chosen API version.
//!
//! Where the builder calls are the same in every version, [`each_version!`] expands one
//! body per compiled-in version. The real differences are handled explicitly:
//! - 0.5 sends the `stored`/`removed` filters as the strings `"true"`/`"false"` ([`Flag`]);
//! - extra file fields are `include` in 0.7 and `add_fields` in 0.6 ([`ExtraFields`]);
//! - copies are one `copy_file` endpoint in 0.5, `local_copy`/`remote_copy` later;
//! - metadata, add-ons and document info exist in 0.7 only; groups are deleted in 0.7 and
//!   stored in 0.5/0.6.
//!
//! A command a version lacks is refused with a usage error naming the version.

use crate::cli::{
    Addon, AddonsCommand, ApiVersion, ConversionKind, ConvertArgs, ConvertCommand, FilesCommand,
    FilesListArgs, FilesSearchArgs, GroupsCommand, MetadataCommand, TagsCommand, WebhooksCommand,
};
use crate::error::{CliError, Result};
use crate::{input, output};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use uploadcare::{v0_7, Config};

/// The REST client of the chosen API version.
pub enum Rest {
    V0_5(uploadcare::v0_5::Client),
    V0_6(uploadcare::v0_6::Client),
    V0_7(v0_7::Client),
}

/// Expands `$body` once per compiled-in API version, with `$client` bound to that version's
/// client and `$types` to its `types` module.
macro_rules! each_version {
    ($rest:expr, |$client:ident, $types:ident| $body:block) => {
        match $rest {
            Rest::V0_5($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_5::types as $types;
                $body
            }
            Rest::V0_6($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_6::types as $types;
                $body
            }
            Rest::V0_7($client) => {
                #[allow(unused_imports)]
                use uploadcare::v0_7::types as $types;
                $body
            }
        }
    };
}

/// Prints the first page of `$request`, or with `all` every item of every page as one JSON
/// array, streamed page by page through the library's list stream (`$stream`: `all_files`
/// or `all_groups`).
macro_rules! print_pages {
    ($client:expr, $request:expr, $stream:ident, $all:expr) => {{
        let request = $request;
        if $all {
            use futures_util::TryStreamExt;
            let mut pages = $client.$stream(move |_| request);
            // Nothing is printed unless the first page arrives.
            let first = pages.try_next().await?;
            let mut array = output::Array::start()?;
            if let Some(page) = first {
                array.extend(&page.results)?;
            }
            while let Some(page) = pages.try_next().await? {
                array.extend(&page.results)?;
            }
            array.finish()
        } else {
            output::print(&request.send().await?.into_inner())
        }
    }};
}

impl Rest {
    /// The client for `version`.
    pub fn new(version: ApiVersion, config: Config) -> Result<Self> {
        Ok(match version {
            ApiVersion::V0_5 => Rest::V0_5(uploadcare::v0_5::Client::from_config(config)?),
            ApiVersion::V0_6 => Rest::V0_6(uploadcare::v0_6::Client::from_config(config)?),
            ApiVersion::V0_7 => Rest::V0_7(v0_7::Client::from_config(config)?),
        })
    }

    fn version(&self) -> ApiVersion {
        match self {
            Rest::V0_5(_) => ApiVersion::V0_5,
            Rest::V0_6(_) => ApiVersion::V0_6,
            Rest::V0_7(_) => ApiVersion::V0_7,
        }
    }

    /// The 0.7 client for `what`, or a usage error naming the version in use.
    fn v0_7(&self, what: &str) -> Result<&v0_7::Client> {
        match self {
            Rest::V0_7(client) => Ok(client),
            #[allow(unreachable_patterns)]
            other => Err(CliError::usage(format!(
                "{what} is not available in API {}: it needs API 0.7",
                other.version()
            ))),
        }
    }
}

/// A `true`/`false` filter: a boolean in 0.6/0.7, the string `"true"`/`"false"` in 0.5.
#[derive(Clone, Copy)]
struct Flag(bool);

impl From<Flag> for bool {
    fn from(flag: Flag) -> bool {
        flag.0
    }
}

impl From<Flag> for uploadcare::v0_5::types::BooleanFlag {
    fn from(flag: Flag) -> Self {
        if flag.0 {
            Self::True
        } else {
            Self::False
        }
    }
}

/// `--include` (0.7) and `--add-fields` (0.6): extra fields of file objects, named
/// differently per version and absent from 0.5.
trait ExtraFields: Sized {
    fn extra_fields(self, include: Option<&str>, add_fields: Option<&str>) -> Result<Self>;
}

fn refuse_extra(flag: &str, version: &str) -> CliError {
    let hint = match flag {
        "--include" => "; API 0.6 has `--add-fields`",
        _ => "; API 0.7 has `--include`",
    };
    CliError::usage(format!("`{flag}` is not available in API {version}{hint}"))
}

macro_rules! extra_fields {
    ($builder:ty, include) => {
        impl ExtraFields for $builder {
            fn extra_fields(self, include: Option<&str>, add_fields: Option<&str>) -> Result<Self> {
                if add_fields.is_some() {
                    return Err(refuse_extra("--add-fields", "0.7"));
                }
                Ok(match include {
                    Some(fields) => self.include(fields),
                    None => self,
                })
            }
        }
    };
    ($builder:ty, add_fields) => {
        impl ExtraFields for $builder {
            fn extra_fields(self, include: Option<&str>, add_fields: Option<&str>) -> Result<Self> {
                if include.is_some() {
                    return Err(refuse_extra("--include", "0.6"));
                }
                Ok(match add_fields {
                    Some(fields) => self.add_fields(fields),
                    None => self,
                })
            }
        }
    };
    ($builder:ty, none) => {
        impl ExtraFields for $builder {
            fn extra_fields(self, include: Option<&str>, add_fields: Option<&str>) -> Result<Self> {
                match (include, add_fields) {
                    (Some(_), _) => Err(refuse_extra("--include", "0.5")),
                    (_, Some(_)) => Err(refuse_extra("--add-fields", "0.5")),
                    _ => Ok(self),
                }
            }
        }
    };
}

extra_fields!(v0_7::builder::FilesList<'_>, include);
extra_fields!(v0_7::builder::FileInfo<'_>, include);
extra_fields!(uploadcare::v0_6::builder::FilesList<'_>, add_fields);
extra_fields!(uploadcare::v0_6::builder::FileInfo<'_>, add_fields);
extra_fields!(uploadcare::v0_5::builder::FilesList<'_>, none);
extra_fields!(uploadcare::v0_5::builder::FileInfo<'_>, none);

/// Stores or deletes (`$operation`: `store_many` or `delete_many`) any number of files
/// through the library's batch helper and prints the merged answer (results and problems);
/// a chunk whose request failed makes the command fail after printing what succeeded.
macro_rules! batch {
    ($rest:expr, $operation:ident, $uuids:expr) => {
        each_version!($rest, |client, types| {
            let outcome = client.$operation($uuids.iter().map(|u| u.to_string())).await?;
            output::print(&outcome.response)?;
            match outcome.failed.into_iter().next() {
                Some(chunk) => Err(chunk.error.into()),
                None => Ok(()),
            }
        })
    };
}

/// `files search`: the library's search builder, one page or (with `--all`) every result.
async fn files_search(rest: &Rest, args: FilesSearchArgs) -> Result {
    let client = rest.v0_7("`files search`")?;
    let mut search = client.search();
    if let Some(text) = args.query {
        search = search.query(text);
    }
    if let Some(text) = args.phrase_filename {
        search = search.phrase_filename(text);
    }
    if let Some(text) = args.phrase_mime_type {
        search = search.phrase_mime_type(text);
    }
    if let Some(text) = args.phrase_metadata {
        search = search.phrase_metadata(text);
    }
    if !args.uuid.is_empty() {
        search = search.uuids(args.uuid);
    }
    if !args.filename.is_empty() {
        search = search.filenames(args.filename);
    }
    if !args.mime_type.is_empty() {
        search = search.mime_types(args.mime_type);
    }
    for (key, value) in &args.metadata {
        search = search.metadata_value(key, [value.clone()]);
    }
    if let Some(at) = args.uploaded_after {
        search = search.uploaded_after(at);
    }
    if let Some(at) = args.uploaded_before {
        search = search.uploaded_before(at);
    }
    if let Some(bytes) = args.min_size {
        search = search.min_size(bytes);
    }
    if let Some(bytes) = args.max_size {
        search = search.max_size(bytes);
    }
    if let Some(images) = args.is_image {
        search = search.images_only(images);
    }
    if args.fuzzy {
        search = search.fuzzy(true);
    }
    if !args.tag_any.is_empty() {
        search = search.tags_any(args.tag_any);
    }
    if !args.tag_all.is_empty() {
        search = search.tags_all(args.tag_all);
    }
    if !args.tag_none.is_empty() {
        search = search.tags_none(args.tag_none);
    }
    for sort in args.sort {
        search = search.sort(sort);
    }
    if let Some(limit) = args.limit {
        search = search.limit(limit);
    }
    if args.include_appdata {
        search = search.include_appdata();
    }
    if !args.all {
        if let Some(offset) = args.offset {
            search = search.offset(offset);
        }
        return output::print(&search.send().await?);
    }
    use futures_util::TryStreamExt;
    let mut pages = search.stream()?;
    // Nothing is printed unless the first page arrives.
    let first = pages.try_next().await?;
    let mut array = output::Array::start()?;
    if let Some(page) = first {
        array.extend(&page.results)?;
    }
    while let Some(page) = pages.try_next().await? {
        array.extend(&page.results)?;
    }
    array.finish()
}

/// `tags get|set|add|remove` (API 0.7), through the library's checked tag calls.
pub async fn tags(rest: &Rest, command: TagsCommand) -> Result {
    let client = rest.v0_7("`tags`")?;
    match command {
        TagsCommand::Get { uuid, stdin } => {
            let list = stdin.from_stdin;
            let uuids = input::uuids(uuid.into_iter().collect(), list)?;
            for_each_uuid(uuids, list, |uuid| async move {
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
            for_each_uuid(uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.set_tags(uuid, tags).await?) }
            })
            .await
        }
        TagsCommand::Add { args, stdin } => {
            let (uuids, tags) = input::split_uuid_args(args, stdin.from_stdin)?;
            for_each_uuid(uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.change_tags(uuid, tags, Vec::<String>::new()).await?) }
            })
            .await
        }
        TagsCommand::Remove { args, stdin } => {
            let (uuids, tags) = input::split_uuid_args(args, stdin.from_stdin)?;
            for_each_uuid(uuids, stdin.from_stdin, |uuid| {
                let tags = tags.clone();
                async move { Ok(client.change_tags(uuid, Vec::<String>::new(), tags).await?) }
            })
            .await
        }
    }
}

/// Runs `each` for every UUID in order. Without `--from-stdin` (one UUID) the answer is
/// printed as it is; with it, the answers form a list (streamed: NDJSON prints each as it
/// comes). The first failure ends the list and is the command's error.
async fn for_each_uuid<F, Fut, T>(uuids: Vec<uuid::Uuid>, list: bool, mut each: F) -> Result
where
    F: FnMut(uuid::Uuid) -> Fut,
    Fut: std::future::Future<Output = Result<T>>,
    T: serde::Serialize,
{
    if !list {
        for uuid in uuids {
            output::print(&each(uuid).await?)?;
        }
        return Ok(());
    }
    let mut array = output::Array::start()?;
    for uuid in uuids {
        match each(uuid).await {
            Ok(answer) => array.extend(std::slice::from_ref(&answer))?,
            Err(error) => {
                array.finish()?;
                return Err(error);
            }
        }
    }
    array.finish()
}

pub async fn files(rest: &Rest, command: FilesCommand) -> Result {
    match command {
        FilesCommand::List(args) => files_list(rest, args).await,
        FilesCommand::Search(args) => files_search(rest, *args).await,
        FilesCommand::Info {
            uuid,
            stdin,
            include,
            add_fields,
        } => {
            let uuids = input::uuids(uuid.into_iter().collect(), stdin.from_stdin)?;
            each_version!(rest, |client, types| {
                for_each_uuid(uuids, stdin.from_stdin, |uuid| {
                    let request = client
                        .file_info()
                        .uuid(uuid)
                        .extra_fields(include.as_deref(), add_fields.as_deref());
                    async move { Ok(request?.send().await?.into_inner()) }
                })
                .await
            })
        }
        FilesCommand::Store { uuids, stdin } => {
            let uuids = input::uuids(uuids, stdin.from_stdin)?;
            batch!(rest, store_many, uuids)
        }
        FilesCommand::Delete { uuids, stdin } => {
            let uuids = input::uuids(uuids, stdin.from_stdin)?;
            batch!(rest, delete_many, uuids)
        }
        FilesCommand::CopyLocal {
            source,
            store,
            metadata,
        } => {
            if !metadata.is_empty() && rest.version() != ApiVersion::V0_7 {
                return Err(CliError::usage(format!(
                    "`--metadata` of a copy is not available in API {}: it needs API 0.7",
                    rest.version()
                )));
            }
            let store = store.then_some("true");
            match rest {
                Rest::V0_5(client) => {
                    let answer = client
                        .copy_file()
                        .body_map(|b| {
                            b.source(source)
                                .store(store.map(uploadcare::v0_5::types::StoreFlag::from))
                        })
                        .send()
                        .await?;
                    output::print(&answer.into_inner())
                }
                Rest::V0_6(client) => {
                    let answer = client
                        .create_local_copy()
                        .body_map(|b| {
                            b.source(source)
                                .store(store.map(uploadcare::v0_6::types::StoreFlag::from))
                        })
                        .send()
                        .await?;
                    output::print(&answer.into_inner())
                }
                Rest::V0_7(client) => {
                    let metadata: BTreeMap<String, String> = metadata.into_iter().collect();
                    let metadata = (!metadata.is_empty()).then(|| v0_7::types::Metadata::from(metadata));
                    let answer = client
                        .create_local_copy()
                        .body_map(|b| {
                            b.source(source)
                                .store(store.map(v0_7::types::StoreFlag::from))
                                .metadata(metadata)
                        })
                        .send()
                        .await?;
                    output::print(&answer.into_inner())
                }
            }
        }
        FilesCommand::CopyRemote {
            source,
            target,
            make_public,
            pattern,
        } => {
            // 0.6 and 0.7 share the endpoint and its body.
            macro_rules! remote_copy {
                ($client:expr) => {{
                    let answer = $client
                        .create_remote_copy()
                        .body_map(|b| {
                            b.source(source)
                                .target(target)
                                .make_public(make_public)
                                .pattern(pattern)
                        })
                        .send()
                        .await?;
                    output::print(&answer.into_inner())
                }};
            }
            match rest {
                Rest::V0_5(client) => {
                    let answer = client
                        .copy_file()
                        .body_map(|b| {
                            b.source(source)
                                .target(Some(target))
                                .make_public(
                                    make_public.map(|p| uploadcare::v0_5::types::BooleanFlag::from(Flag(p))),
                                )
                                .pattern(pattern)
                        })
                        .send()
                        .await?;
                    output::print(&answer.into_inner())
                }
                Rest::V0_6(client) => remote_copy!(client),
                Rest::V0_7(client) => remote_copy!(client),
            }
        }
    }
}

async fn files_list(rest: &Rest, args: FilesListArgs) -> Result {
    each_version!(rest, |client, types| {
        let mut request = client.files_list();
        if let Some(limit) = args.limit {
            request = request.limit(limit);
        }
        if let Some(stored) = args.stored {
            request = request.stored(Flag(stored));
        }
        if args.removed {
            request = request.removed(Flag(true));
        }
        if let Some(ordering) = &args.ordering {
            request = request.ordering(ordering.as_str());
        }
        if let Some(from) = &args.from {
            request = request.from(from.clone());
        }
        let request = request.extra_fields(args.include.as_deref(), args.add_fields.as_deref())?;
        print_pages!(client, request, all_files, args.all)
    })
}

pub async fn metadata(rest: &Rest, command: MetadataCommand) -> Result {
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
            for_each_uuid(uuids, list, |uuid| {
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
            for_each_uuid(uuids, list, |uuid| {
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
                return output::empty();
            }
            for_each_uuid(uuids, list, delete).await
        }
    }
}

/// A metadata key that can be one URL path segment.
fn checked_key(key: &str) -> Result<String> {
    input::check_segment("metadata key", key)?;
    Ok(key.to_owned())
}

pub async fn groups(rest: &Rest, command: GroupsCommand) -> Result {
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
            print_pages!(client, request, all_groups, all)
        }),
        GroupsCommand::Info { id } => {
            input::check_group_id(&id)?;
            each_version!(rest, |client, types| {
                output::print(&client.group_info().uuid(id).send().await?.into_inner())
            })
        }
        GroupsCommand::Create { .. } => Err(CliError::usage("`groups create` goes through the Upload API")),
        GroupsCommand::Delete { id } => match input::check_group_id(&id).map(|()| rest)? {
            Rest::V0_7(client) => {
                client.delete_group().uuid(id).send().await?;
                output::empty()
            }
            #[allow(unreachable_patterns)]
            other => Err(CliError::usage(format!(
                "`groups delete` is not available in API {}: it needs API 0.7 (use `groups store` here)",
                other.version()
            ))),
        },
        GroupsCommand::Store { id } => match input::check_group_id(&id).map(|()| rest)? {
            Rest::V0_5(client) => output::print(&client.store_group().uuid(id).send().await?.into_inner()),
            Rest::V0_6(client) => output::print(&client.store_group().uuid(id).send().await?.into_inner()),
            Rest::V0_7(_) => Err(CliError::usage(
                "`groups store` is not available in API 0.7: store the files with `files store` \
                 (or use --api-version 0.6)",
            )),
        },
    }
}

pub async fn project(rest: &Rest) -> Result {
    each_version!(rest, |client, types| {
        output::print(&client.project_info().send().await?.into_inner())
    })
}

pub async fn webhooks(rest: &Rest, command: WebhooksCommand) -> Result {
    match command {
        WebhooksCommand::List => each_version!(rest, |client, types| {
            let hooks = client.webhooks_list().send().await?.into_inner();
            output::print(&output::redact_webhooks(&hooks)?)
        }),
        WebhooksCommand::Create {
            target_url,
            event,
            signing_secret,
            inactive,
        } => each_version!(rest, |client, types| {
            let secret = signing_secret
                .as_deref()
                .map(types::WebhookSigningSecret::try_from)
                .transpose()
                .map_err(|e| CliError::usage(format!("invalid --signing-secret: {e}")))?;
            let hook = client
                .webhook_create()
                .body_map(|b| {
                    b.target_url(target_url.as_str())
                        .event(event.as_str())
                        .is_active(inactive.then_some(false))
                        .signing_secret(secret)
                })
                .send()
                .await?;
            output::print(&output::redact_webhooks(&hook.into_inner())?)
        }),
        WebhooksCommand::Update {
            id,
            target_url,
            event,
            active,
            signing_secret,
        } => {
            if target_url.is_none() && event.is_none() && active.is_none() && signing_secret.is_none() {
                return Err(CliError::usage(
                    "nothing to update: give --target-url, --event, --active or --signing-secret",
                ));
            }
            each_version!(rest, |client, types| {
                let secret = signing_secret
                    .as_deref()
                    .map(types::WebhookSigningSecret::try_from)
                    .transpose()
                    .map_err(|e| CliError::usage(format!("invalid --signing-secret: {e}")))?;
                let target_url = target_url
                    .as_deref()
                    .map(types::WebhookUpdateRequestTargetUrl::try_from)
                    .transpose()
                    .map_err(|e| CliError::usage(format!("invalid --target-url: {e}")))?;
                let event = event.as_deref().map(types::WebhookEvent::from);
                let hook = client
                    .update_webhook()
                    .id(id)
                    .body_map(|b| {
                        b.target_url(target_url)
                            .event(event)
                            .is_active(active)
                            .signing_secret(secret)
                    })
                    .send()
                    .await?;
                output::print(&output::redact_webhooks(&hook.into_inner())?)
            })
        }
        WebhooksCommand::Delete { target_url } => each_version!(rest, |client, types| {
            client
                .webhook_unsubscribe()
                .body_map(|b| b.target_url(target_url.as_str()))
                .send()
                .await?;
            output::empty()
        }),
    }
}

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
    ($client:expr, $submitted:expr, $status:ident, $args:expr) => {{
        let submitted = $submitted;
        if !$args.wait {
            return output::print(&submitted);
        }
        let timeout = Duration::from_secs($args.timeout);
        let statuses = wait_for_jobs!($client, submitted, $status, timeout);
        output::print(&serde_json::json!({ "submitted": submitted, "statuses": statuses }))?;
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

pub async fn convert(rest: &Rest, command: ConvertCommand) -> Result {
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
                    convert!(client, submitted, document_convert_status, args)
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
                    convert!(client, submitted, document_convert_status, args)
                }),
            }
        }
        ConvertCommand::Video { args } => convert_video(rest, args).await,
        ConvertCommand::Status { kind, token } => each_version!(rest, |client, types| {
            match kind {
                ConversionKind::Document => {
                    let status = client.document_convert_status().token(token).send().await?;
                    output::print(&status.into_inner())
                }
                ConversionKind::Video => {
                    let status = client.video_convert_status().token(token).send().await?;
                    output::print(&status.into_inner())
                }
            }
        }),
        ConvertCommand::Info { uuid } => {
            let client = rest.v0_7("`convert info`")?;
            output::print(
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

async fn convert_video(rest: &Rest, args: ConvertArgs) -> Result {
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
        convert!(client, submitted, video_convert_status, args)
    })
}

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

pub async fn addons(rest: &Rest, command: AddonsCommand) -> Result {
    let client = rest.v0_7("`addons`")?;
    match command {
        AddonsCommand::Status { name, request_id } => {
            output::print(&addon_status(client, name, request_id).await?)
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
                return output::print(&submitted);
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
            output::print(&serde_json::json!({ "submitted": submitted, "status": status }))?;
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
        match serde_json::from_value::<v0_7::types::AddonExecutionStatus>(self.0.clone()) {
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
