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
                crate::middleware::execute(&self.inner, request).await
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
        }
    };
}

pub(crate) use rest_api_version;
