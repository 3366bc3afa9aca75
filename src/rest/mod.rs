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
                crate::middleware::prepare_rest_request(
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
                crate::middleware::execute_rest(&self.inner, request).await
            }
        }

        impl Client {
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
