//! Uploadcare Upload API: generated from `openapi/upload.yaml` (the GET operations and all
//! models) plus hand-written multipart/form-data requests and the upload flows.

crate::generated_module!("upload");

#[cfg(feature = "cdn")]
crate::cdn::cdn_files!(types::FileUploadInfo, types::GroupFileInfo);
#[cfg(feature = "cdn")]
crate::cdn::cdn_groups!(types::GroupInfo);

mod body;
mod flow;
mod from_url;
mod many;
mod parts;
mod progress;
mod requests;
mod source;
mod spool;

pub use crate::upload_token::{AuthToken, AuthTokenBuilder, TokenProvider};
pub use flow::{
    Upload, UploadedFile, DEFAULT_CONCURRENCY, DEFAULT_MULTIPART_THRESHOLD, DEFAULT_PART_SIZE,
    MULTIPART_THRESHOLD_RANGE,
};
pub use from_url::UploadFromUrl;
pub use many::{UploadMany, BATCH_MAX_BYTES, BATCH_MAX_FILES, BATCH_MAX_FILE_SIZE};
pub use progress::UploadProgress;
pub use requests::{
    form_field_name, guess_content_type, validate_metadata, DirectFile, MultipartStart, UploadSource,
    MAX_DIRECT_SIZE, MAX_METADATA_KEYS, MAX_METADATA_KEY_LEN, MAX_METADATA_VALUE_LEN, MAX_PART_SIZE,
    MIN_MULTIPART_SIZE, MIN_PART_SIZE,
};
pub use tokio_util::sync::CancellationToken;

// The request is prepared by `exchange` (build.rs takes progenitor's `pre` calls out); the
// hooks are progenitor's defaults.
impl progenitor_client::ClientHooks<crate::ClientContext> for Client {}

/// `Authorization: Bearer` with the token of the moment, for the generated GETs (a
/// provider's failure travels as text and comes back as `Error::AuthTokenProvider`).
async fn set_bearer<E>(
    request: &mut reqwest::Request,
    token: &crate::config::UploadToken,
) -> Result<(), progenitor_client::Error<E>> {
    let bearer = token
        .bearer()
        .await
        .map_err(|e| progenitor_client::Error::Custom(e.to_string()))?;
    request
        .headers_mut()
        .insert(reqwest::header::AUTHORIZATION, bearer);
    Ok(())
}

impl crate::runtime::Exchange for Client {
    async fn exchange<E>(
        &self,
        mut request: reqwest::Request,
        operation: &'static str,
    ) -> ::std::result::Result<crate::runtime::Answer, progenitor_client::Error<E>> {
        crate::runtime::prepare_upload_request(&mut request, &self.inner);
        let token = self.inner.config().upload_token();
        if let Some(token) = token {
            set_bearer(&mut request, token).await?;
        }
        let op = crate::runtime::Op {
            name: operation,
            kind: operation_class(operation),
            api: crate::runtime::Api::Upload,
        };
        // With an auth token, a copy for one more try with a new token (see `send_form`).
        let again = token.and_then(|_| request.try_clone());
        let answer = crate::runtime::exchange(&self.inner, op, request, Ok(())).await?;
        match (token, again) {
            (Some(token), Some(mut again))
                if token.refresh_after(
                    answer.status.as_u16(),
                    &answer.body,
                    again.headers().get(reqwest::header::AUTHORIZATION),
                ) =>
            {
                set_bearer(&mut again, token).await?;
                crate::runtime::exchange(&self.inner, op, again, Ok(())).await
            }
            _ => Ok(answer),
        }
    }
}

impl crate::ErrorCode {
    /// The code as the typed [`UploadErrorCode`](types::UploadErrorCode) (unknown codes
    /// become `Unrecognized`).
    pub fn typed(&self) -> types::UploadErrorCode {
        types::UploadErrorCode::from(self.as_str())
    }
}

impl PartialEq<types::UploadErrorCode> for crate::ErrorCode {
    fn eq(&self, other: &types::UploadErrorCode) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Client {
    /// Creates an Upload API client from a [`Config`](crate::Config) (only the public key
    /// is required; a secret key enables signed uploads).
    pub fn from_config(config: crate::Config) -> crate::Result<Self> {
        let context = crate::ClientContext::new(config)?;
        let base_url = context.upload_base_url().to_owned();
        Ok(Self::new_with_client(&base_url, context.http().clone(), context))
    }

    /// Creates a client with keys from `UPLOADCARE_PUBLIC_KEY` (and, optionally,
    /// `UPLOADCARE_SECRET_KEY`).
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
}
