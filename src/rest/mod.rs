//! Wiring shared by every generated REST API version module.

/// One `wait_for_*` method (its doc comment goes right before the invocation): polls the
/// status operation with the job's id until [`crate::runtime::wait_for`] sees a final state.
macro_rules! waiter {
    ($(#[$doc:meta])* $name:ident, $label:literal, $status:ident, $id:ident: $id_type:ty, $answer:ty) => {
        $(#[$doc])*
        pub async fn $name(&self, $id: $id_type, policy: &crate::runtime::WaitPolicy) -> crate::Result<$answer> {
            let operation = format!(concat!($label, " {}"), $id);
            crate::runtime::wait_for(&operation, policy, || async move {
                let status = self.$status().$id($id).send().await;
                Ok::<_, crate::Error>(status.map_err(crate::Error::from)?.into_inner())
            })
            .await
        }
    };
}
pub(crate) use waiter;

/// Connects a generated REST `Client` to the shared middleware and adds the constructors.
/// Invoked once per version module, right after its generated code.
macro_rules! rest_api_version {
    (addons) => {
        $crate::rest::rest_api_version!();

        fn addon_state(status: Option<&types::AddonExecutionState>) -> crate::runtime::JobState {
            use types::AddonExecutionState as S;
            match status {
                Some(S::Done) => crate::runtime::JobState::Succeeded,
                Some(S::Error) => crate::runtime::JobState::Failed("the add-on reported an error".to_owned()),
                Some(S::Unknown) => {
                    crate::runtime::JobState::Failed("the service does not know this request".to_owned())
                }
                // `in_progress`, no status yet, or a state added later.
                _ => crate::runtime::JobState::Pending,
            }
        }

        impl crate::runtime::JobStatus for types::AddonExecutionStatus {
            fn job_state(&self) -> crate::runtime::JobState {
                addon_state(self.status.as_ref())
            }
        }

        impl crate::runtime::JobStatus for types::RemoveBgExecutionStatus {
            fn job_state(&self) -> crate::runtime::JobState {
                addon_state(self.status.as_ref())
            }
        }

        impl Client {
            $crate::rest::waiter!(
                /// Polls an AWS Rekognition label detection (started with
                /// [`aws_rekognition_execute`](Self::aws_rekognition_execute)) until it is done
                /// ([`Error::JobFailed`](crate::Error::JobFailed) on `error`/`unknown`).
                wait_for_aws_rekognition, "aws_rekognition_detect_labels", aws_rekognition_execution_status, request_id: ::uuid::Uuid, types::AddonExecutionStatus
            );

            $crate::rest::waiter!(
                /// Polls an AWS Rekognition moderation run until it is done; see
                /// [`wait_for_aws_rekognition`](Self::wait_for_aws_rekognition).
                wait_for_aws_rekognition_moderation, "aws_rekognition_detect_moderation_labels", aws_rekognition_detect_moderation_labels_execution_status, request_id: ::uuid::Uuid, types::AddonExecutionStatus
            );

            $crate::rest::waiter!(
                /// Polls a ClamAV virus scan until it is done; see
                /// [`wait_for_aws_rekognition`](Self::wait_for_aws_rekognition).
                wait_for_virus_scan, "uc_clamav_virus_scan", uc_clamav_virus_scan_execution_status, request_id: ::uuid::Uuid, types::AddonExecutionStatus
            );

            $crate::rest::waiter!(
                /// Polls a remove.bg run until it is done; the answer holds the result file.
                wait_for_remove_bg, "remove_bg", remove_bg_execution_status, request_id: ::uuid::Uuid, types::RemoveBgExecutionStatus
            );

            /// The UUIDs of a group's files that still exist (removed ones show as `null`).
            async fn group_file_uuids(&self, group_id: &str) -> crate::Result<Vec<::uuid::Uuid>> {
                let group = self
                    .group_info()
                    .uuid(group_id)
                    .send()
                    .await
                    .map_err(crate::Error::from)?
                    .into_inner();
                Ok(group
                    .files
                    .unwrap_or_default()
                    .into_iter()
                    .flatten()
                    .map(|f| f.uuid)
                    .collect())
            }

            /// Deletes a group **and its files**: the files in batches
            /// ([`delete_many`](Self::delete_many)), then the group — which
            /// [`delete_group`](Self::delete_group) alone leaves the files of. When a batch
            /// request fails (see [`BatchOutcome::failed`](crate::runtime::BatchOutcome)) the
            /// group is kept, so the call can be repeated; files the service reports as
            /// problems (e.g. already deleted) do not keep it.
            ///
            /// ```no_run
            /// # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
            /// let outcome = client.delete_group_with_files("5f0b7c2e-3d9a-4e1b-8c6f-2a4d1e9b7c30~2").await?;
            /// assert!(outcome.failed.is_empty());
            /// # Ok(()) }
            /// ```
            pub async fn delete_group_with_files(
                &self,
                group_id: &str,
            ) -> crate::Result<crate::runtime::BatchOutcome<types::FilesBatchResponse>> {
                let uuids = self.group_file_uuids(group_id).await?;
                let outcome = self
                    .delete_many(uuids.iter().map(ToString::to_string))
                    .await?;
                if outcome.failed.is_empty() {
                    self.delete_group()
                        .uuid(group_id)
                        .send()
                        .await
                        .map_err(crate::Error::from)?;
                }
                Ok(outcome)
            }

            /// Stores every file of a group, in batches ([`store_many`](Self::store_many)):
            /// API 0.7 has no "store group" call (0.5 and 0.6 had `PUT /groups/{id}/storage/`).
            pub async fn store_group_files(
                &self,
                group_id: &str,
            ) -> crate::Result<crate::runtime::BatchOutcome<types::FilesBatchResponse>> {
                let uuids = self.group_file_uuids(group_id).await?;
                self.store_many(uuids.iter().map(ToString::to_string)).await
            }
        }
    };
    () => {
        use crate::runtime::FOLLOW_OPERATION;

        /// What repeating a REST operation can do: from the document's table; a followed
        /// next-page URL is a read.
        fn rest_operation_kind(id: &str) -> crate::retry::OperationKind {
            if id == FOLLOW_OPERATION {
                crate::retry::OperationKind::Safe
            } else {
                operation_class(id)
            }
        }

        // The request is prepared by `exchange` (build.rs takes progenitor's `pre` calls
        // out); the hooks are progenitor's defaults.
        impl progenitor_client::ClientHooks<crate::ClientContext> for Client {}

        impl crate::runtime::Exchange for Client {
            fn exchange<E>(
                &self,
                mut request: reqwest::Request,
                operation: &'static str,
            ) -> impl ::std::future::Future<
                Output = ::std::result::Result<crate::runtime::Answer, progenitor_client::Error<E>>,
            > + Send {
                let prepared = crate::runtime::prepare_rest_request(
                    &mut request,
                    &self.inner,
                    <Self as ClientInfo<crate::ClientContext>>::api_version(),
                    operation,
                    BODY_ITEM_LIMITS,
                );
                let kind = rest_operation_kind(operation);
                crate::runtime::exchange_rest(&self.inner, operation, kind, request, prepared)
            }
        }

        crate::runtime::next_results_page!(types::FilesPage => types::File, types::GroupsPage => types::Group);

        fn conversion_state(
            status: Option<&types::ConversionJobState>,
            error: Option<&str>,
        ) -> crate::runtime::JobState {
            use types::ConversionJobState as S;
            let reason = |state: &str| error.filter(|e| !e.is_empty()).unwrap_or(state).to_owned();
            match status {
                Some(S::Finished) => crate::runtime::JobState::Succeeded,
                Some(S::Failed) => crate::runtime::JobState::Failed(reason("failed")),
                Some(S::Cancelled | S::Canceled) => crate::runtime::JobState::Failed(reason("cancelled")),
                // `pending`, `processing`, or a state added later.
                _ => crate::runtime::JobState::Pending,
            }
        }

        impl crate::runtime::JobStatus for types::DocumentConvertStatus {
            fn job_state(&self) -> crate::runtime::JobState {
                conversion_state(self.status.as_ref(), self.error.as_deref())
            }
        }

        impl crate::runtime::JobStatus for types::VideoConvertStatus {
            fn job_state(&self) -> crate::runtime::JobState {
                conversion_state(self.status.as_ref(), self.error.as_deref())
            }
        }

        /// Most items one request of `operation` takes, from the document's `maxItems`.
        fn batch_limit(operation: &str) -> usize {
            BODY_ITEM_LIMITS
                .iter()
                .find(|limit| limit.operation_id == operation)
                .map_or(crate::limits::MAX_BATCH_UUIDS, |limit| limit.max)
        }

        impl crate::runtime::BatchResponse for types::FilesBatchResponse {
            fn merge(&mut self, other: Self) {
                self.problems.extend(other.problems);
                self.result.extend(other.result);
                if self.status.is_none() {
                    self.status = other.status;
                }
            }
        }

        impl crate::runtime::FollowLinks for Client {
            fn follow_link<T: ::serde::de::DeserializeOwned + Send>(
                &self,
                url: &str,
            ) -> impl ::std::future::Future<Output = crate::Result<T>> + Send {
                self.follow(url)
            }
        }

        impl Client {
            /// Every file of the list as `configure` sets it up (any option of
            /// [`files_list`](Self::files_list): stored, removed, ordering, from, limit as
            /// the page size, …), across all pages, one page in memory at a time.
            ///
            /// ```no_run
            /// # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
            /// use futures_util::TryStreamExt;
            ///
            /// let mut files = client.all_files(|list| list.stored(true).limit(500)).items();
            /// while let Some(file) = files.try_next().await? {
            ///     println!("{} {}", file.uuid, file.size);
            /// }
            /// # Ok(()) }
            /// ```
            ///
            /// Pages as a whole (with `total`, and `totals` where the version has them)
            /// are the stream itself: `client.all_files(|list| list).try_next()`.
            pub fn all_files<'a>(
                &'a self,
                configure: impl FnOnce(builder::FilesList<'a>) -> builder::FilesList<'a>,
            ) -> crate::runtime::Pages<'a, types::FilesPage> {
                let request = configure(self.files_list());
                crate::runtime::Pages::new(self, async move {
                    Ok(request
                        .send()
                        .await
                        .map_err(crate::Error::from)?
                        .into_inner())
                })
            }

            /// Every group of the list as `configure` sets it up (ordering, from, limit as
            /// the page size), across all pages; see [`all_files`](Self::all_files).
            pub fn all_groups<'a>(
                &'a self,
                configure: impl FnOnce(builder::GroupsList<'a>) -> builder::GroupsList<'a>,
            ) -> crate::runtime::Pages<'a, types::GroupsPage> {
                let request = configure(self.groups_list());
                crate::runtime::Pages::new(self, async move {
                    Ok(request
                        .send()
                        .await
                        .map_err(crate::Error::from)?
                        .into_inner())
                })
            }

            /// Stores any number of files: every entry is checked to be a UUID before
            /// anything is sent, then they go in chunks of the API's per-request limit,
            /// [`DEFAULT_BATCH_CONCURRENCY`](crate::runtime::DEFAULT_BATCH_CONCURRENCY)
            /// requests at a time; the answers are merged (files and `problems`), and a
            /// chunk whose request failed is reported with its UUIDs.
            ///
            /// ```no_run
            /// # async fn run(client: uploadcare::v0_7::Client, uuids: Vec<String>) -> uploadcare::Result<()> {
            /// let outcome = client.store_many(&uuids).await?;
            /// for (entry, problem) in &outcome.response.problems {
            ///     eprintln!("{entry}: {problem}");
            /// }
            /// let stored = outcome.into_result()?; // or look at `outcome.failed`
            /// println!("{} files stored", stored.result.len());
            /// # Ok(()) }
            /// ```
            pub async fn store_many<I, S>(
                &self,
                uuids: I,
            ) -> crate::Result<crate::runtime::BatchOutcome<types::FilesBatchResponse>>
            where
                I: IntoIterator<Item = S>,
                S: AsRef<str>,
            {
                let uuids = crate::runtime::parse_uuids(uuids)?;
                let chunk = batch_limit("files_storing");
                Ok(crate::runtime::batch::in_chunks(
                    uuids,
                    chunk,
                    crate::runtime::DEFAULT_BATCH_CONCURRENCY,
                    |chunk| async move {
                        Ok(self
                            .files_storing()
                            .body(chunk)
                            .send()
                            .await
                            .map_err(crate::Error::from)?
                            .into_inner())
                    },
                )
                .await)
            }

            /// Deletes any number of files, like [`store_many`](Self::store_many) stores them.
            pub async fn delete_many<I, S>(
                &self,
                uuids: I,
            ) -> crate::Result<crate::runtime::BatchOutcome<types::FilesBatchResponse>>
            where
                I: IntoIterator<Item = S>,
                S: AsRef<str>,
            {
                let uuids = crate::runtime::parse_uuids(uuids)?;
                let chunk = batch_limit("files_delete");
                Ok(crate::runtime::batch::in_chunks(
                    uuids,
                    chunk,
                    crate::runtime::DEFAULT_BATCH_CONCURRENCY,
                    |chunk| async move {
                        Ok(self
                            .files_delete()
                            .body(chunk)
                            .send()
                            .await
                            .map_err(crate::Error::from)?
                            .into_inner())
                    },
                )
                .await)
            }

            /// Submits document conversions given as typed paths
            /// ([`DocumentConversion`](crate::cdn::url::DocumentConversion): format, page), with
            /// `store` for the results (`None`: the project's setting). Poll the jobs with
            /// [`wait_for_document_conversion`](Self::wait_for_document_conversion).
            ///
            /// ```no_run
            /// # async fn run(client: uploadcare::v0_7::Client, uuid: uuid::Uuid) -> uploadcare::Result<()> {
            /// use uploadcare::cdn::url::{DocumentConversion, DocumentFormat};
            ///
            /// let page = DocumentConversion::new(uuid, DocumentFormat::Png).page(1)?;
            /// let submitted = client.convert_documents(&[page], Some(true)).await?;
            /// # Ok(()) }
            /// ```
            #[cfg(feature = "cdn")]
            pub async fn convert_documents(
                &self,
                conversions: &[crate::cdn::url::DocumentConversion],
                store: Option<bool>,
            ) -> crate::Result<types::DocumentConvertResponse> {
                let (paths, store) =
                    crate::cdn::url::conversion_body::<types::BooleanString>(conversions, store);
                Ok(self
                    .document_convert()
                    .body_map(|b| b.paths(paths).store(store))
                    .send()
                    .await
                    .map_err(crate::Error::from)?
                    .into_inner())
            }

            /// Submits video conversions given as typed paths
            /// ([`VideoConversion`](crate::cdn::url::VideoConversion): format, size and resize
            /// mode, quality, cut, thumbnails); see [`convert_documents`](Self::convert_documents).
            #[cfg(feature = "cdn")]
            pub async fn convert_videos(
                &self,
                conversions: &[crate::cdn::url::VideoConversion],
                store: Option<bool>,
            ) -> crate::Result<types::VideoConvertResponse> {
                let (paths, store) =
                    crate::cdn::url::conversion_body::<types::BooleanString>(conversions, store);
                Ok(self
                    .video_convert()
                    .body_map(|b| b.paths(paths).store(store))
                    .send()
                    .await
                    .map_err(crate::Error::from)?
                    .into_inner())
            }

            $crate::rest::waiter!(
                /// Polls a document conversion job (its `token` from
                /// [`document_convert`](Self::document_convert)) until it is `finished`:
                /// [`Error::JobFailed`](crate::Error::JobFailed) when it fails or is cancelled,
                /// [`Error::TimedOut`](crate::Error::TimedOut) after `policy.timeout`.
                ///
                /// ```no_run
                /// # async fn run(client: uploadcare::v0_7::Client, token: i64) -> uploadcare::Result<()> {
                /// use uploadcare::runtime::WaitPolicy;
                ///
                /// let done = client.wait_for_document_conversion(token, &WaitPolicy::default()).await?;
                /// println!("converted file: {:?}", done.result.and_then(|r| r.uuid));
                /// # Ok(()) }
                /// ```
                wait_for_document_conversion, "document conversion", document_convert_status, token: i64, types::DocumentConvertStatus
            );

            $crate::rest::waiter!(
                /// Polls a video conversion job until it is `finished`; see
                /// [`wait_for_document_conversion`](Self::wait_for_document_conversion).
                wait_for_video_conversion, "video conversion", video_convert_status, token: i64, types::VideoConvertStatus
            );

            /// Creates a client from a [`Config`](crate::Config).
            ///
            /// Fails with [`Error::Config`](crate::Error::Config) when a base URL is invalid
            /// or the HTTP client cannot be built.
            pub fn from_config(config: crate::Config) -> crate::Result<Self> {
                let context = crate::ClientContext::new(config)?;
                context.check_rest_transport()?;
                let base_url = context.rest_base_url().to_owned();
                Ok(Self::new_with_client(
                    &base_url,
                    context.http().clone(),
                    context,
                ))
            }

            /// Creates a client with the project keys `UPLOADCARE_PUBLIC_KEY` and
            /// `UPLOADCARE_SECRET_KEY` from the environment, and default settings.
            pub fn from_env() -> crate::Result<Self> {
                Self::from_config(crate::Config::from_env()?)
            }

            /// The configuration this client was built from.
            pub fn config(&self) -> &crate::Config {
                self.inner.config()
            }

            /// The URL API of this client's project: [`crate::Config::cdn`].
            #[cfg(feature = "cdn")]
            pub fn cdn(&self) -> crate::Result<crate::cdn::Cdn> {
                self.config().cdn()
            }

            /// Fetches an absolute API URL the service handed out — the `next`/`previous`
            /// page of a list — signed like every other request, and parses it as `T`.
            ///
            /// ```no_run
            /// # async fn run(client: uploadcare::v0_7::Client) -> uploadcare::Result<()> {
            /// let mut page = client.files_list().limit(100).send().await?.into_inner();
            /// loop {
            ///     for file in &page.results {
            ///         println!("{}", file.uuid);
            ///     }
            ///     match page.next.take() {
            ///         Some(next) => page = client.follow(&next).await?,
            ///         None => break,
            ///     }
            /// }
            /// # Ok(()) }
            /// ```
            ///
            /// Only URLs under the client's REST base URL are followed
            /// ([`Error::InvalidInput`](crate::Error::InvalidInput) otherwise).
            pub async fn follow<T: ::serde::de::DeserializeOwned>(&self, url: &str) -> crate::Result<T> {
                let base = self.inner.rest_base_url();
                let inside = url
                    .strip_prefix(base)
                    .is_some_and(|rest| rest.starts_with('/'));
                if !inside {
                    return Err(crate::Error::InvalidInput(format!(
                        "refusing to follow `{url}`: it is not under the API base URL `{base}`"
                    )));
                }
                let request = self.inner.http().get(url).build()?;
                crate::runtime::fetch_link(self, request).await
            }
        }
    };
}

pub(crate) use rest_api_version;
