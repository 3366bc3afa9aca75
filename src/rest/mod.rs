//! Wiring shared by every generated REST API version module.

/// Connects a generated REST `Client` to the shared middleware and adds the constructors.
/// Invoked once per version module, right after its generated code.
macro_rules! rest_api_version {
    () => {
        impl progenitor_client::ClientHooks<crate::ClientContext> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                crate::runtime::prepare_rest_request(
                    request,
                    &self.inner,
                    <Self as ClientInfo<crate::ClientContext>>::api_version(),
                    info.operation_id,
                    BODY_ITEM_LIMITS,
                )
                .map_err(Into::into)
            }

            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                crate::runtime::execute_rest(&self.inner, request).await
            }
        }

        impl crate::runtime::Page for types::FilesPage {
            type Item = types::File;
            fn next_url(&self) -> Option<&str> {
                self.next.as_deref()
            }
            fn into_items(self) -> Vec<types::File> {
                self.results
            }
        }

        impl crate::runtime::Page for types::GroupsPage {
            type Item = types::Group;
            fn next_url(&self) -> Option<&str> {
                self.next.as_deref()
            }
            fn into_items(self) -> Vec<types::Group> {
                self.results
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
                    Ok(request.send().await.map_err(crate::Error::from)?.into_inner())
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
                    Ok(request.send().await.map_err(crate::Error::from)?.into_inner())
                })
            }

            /// Creates a client from a [`Config`](crate::Config).
            ///
            /// Fails with [`Error::Config`](crate::Error::Config) when a base URL is invalid
            /// or the HTTP client cannot be built.
            pub fn from_config(config: crate::Config) -> crate::Result<Self> {
                let context = crate::ClientContext::new(config)?;
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
                let mut request = self.inner.http().get(url).build()?;
                let info = progenitor_client::OperationInfo {
                    operation_id: "follow",
                };
                progenitor_client::ClientHooks::pre::<crate::ApiErrorBody>(self, &mut request, &info).await?;
                let response = progenitor_client::ClientHooks::exec(self, request, &info).await?;
                let status = response.status();
                if status.is_success() {
                    return Ok(
                        progenitor_client::ResponseValue::<T>::from_response::<crate::ApiErrorBody>(response)
                            .await?
                            .into_inner(),
                    );
                }
                let value = progenitor_client::ResponseValue::<crate::ApiErrorBody>::from_response::<
                    crate::ApiErrorBody,
                >(response)
                .await?;
                Err(progenitor_client::Error::ErrorResponse(value).into())
            }
        }
    };
}

pub(crate) use rest_api_version;
