//! `files` commands: list (one page or every page), search, info, store and delete in
//! batches, local and remote copies; with the per-version handling of the extra file fields
//! ([`ExtraFields`]) and the batch macro.

use super::{for_each_uuid, Flag, Rest};
use crate::cli::{ApiVersion, FilesCommand, FilesListArgs, FilesSearchArgs};
use crate::error::{CliError, Result};
use crate::input;
use crate::output::Output;
use std::collections::BTreeMap;
use uploadcare::v0_7;

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
    ($out:expr, $rest:expr, $operation:ident, $uuids:expr) => {
        each_version!($rest, |client, types| {
            let outcome = client.$operation($uuids.iter().map(|u| u.to_string())).await?;
            $out.print(&outcome.response)?;
            match outcome.failed.into_iter().next() {
                Some(chunk) => Err(chunk.error.into()),
                None => Ok(()),
            }
        })
    };
}

/// `files search`: the library's search builder, one page or (with `--all`) every result.
async fn files_search(rest: &Rest, out: &Output, args: FilesSearchArgs) -> Result {
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
        return out.print(&search.send().await?);
    }
    out.print_pages(search.stream()?, |page| &page.results).await
}

pub async fn files(rest: &Rest, out: &Output, command: FilesCommand) -> Result {
    match command {
        FilesCommand::List(args) => files_list(rest, out, args).await,
        FilesCommand::Search(args) => files_search(rest, out, *args).await,
        FilesCommand::Info {
            uuid,
            stdin,
            include,
            add_fields,
        } => {
            let uuids = input::uuids(uuid.into_iter().collect(), stdin.from_stdin)?;
            each_version!(rest, |client, types| {
                for_each_uuid(out, uuids, stdin.from_stdin, |uuid| {
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
            batch!(out, rest, store_many, uuids)
        }
        FilesCommand::Delete { uuids, stdin } => {
            let uuids = input::uuids(uuids, stdin.from_stdin)?;
            batch!(out, rest, delete_many, uuids)
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
                    out.print(&answer.into_inner())
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
                    out.print(&answer.into_inner())
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
                    out.print(&answer.into_inner())
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
                    out.print(&answer.into_inner())
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
                    out.print(&answer.into_inner())
                }
                Rest::V0_6(client) => remote_copy!(client),
                Rest::V0_7(client) => remote_copy!(client),
            }
        }
    }
}

async fn files_list(rest: &Rest, out: &Output, args: FilesListArgs) -> Result {
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
        print_pages!(out, client, request, all_files, args.all)
    })
}
