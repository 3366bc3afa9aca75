//! Upload API errors: every documented code with its HTTP status and message, and how an
//! error goes on the wire.
//!
//! By default an error is its message as `text/plain; charset=utf-8` with the code's HTTP
//! status. With the query parameter `jsonerrors=1` (what the official JS client sends) the body
//! is `{"error": {"content": <message>, "status_code": <status>, "error_code": <code>}}` as
//! `application/json`. The emulator keeps the error's HTTP status in JSON mode too: the fact
//! sheet leaves open whether the service answers 200 or the error status there, and clients
//! must handle both; the error status is the stricter of the two for a client under test (it
//! cannot mistake an error for a success by looking at the status alone).

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use std::fmt::Display;

/// `(code, HTTP status, message template)` for every Upload API error code of the fact sheet
/// (90 from the 2022 reference plus `RequestFileNumberLimitExceededError`, and the four of
/// auth tokens from 2026), and the
/// emulator's own three for invalid `tags` (`FileTag*Error`, undocumented by the service). `%s`/`%d` are
/// filled in order by [`upload_error`].
pub(crate) const ERRORS: &[(&str, u16, &str)] = &[
    // Base upload
    ("AccountBlockedError", 403, "Account has been blocked."),
    (
        "AccountLimitsExceededError",
        403,
        "Account has reached its limits.",
    ),
    (
        "AccountUnpaidError",
        403,
        "Account has been blocked for non payment.",
    ),
    ("AutostoreDisabledError", 403, "Autostore is disabled."),
    ("BaseViewsError", 400, "Request processing failed."),
    (
        "FileMetadataKeyDuplicatedError",
        400,
        "File's metadata key `%s` has a duplicate.",
    ),
    (
        "FileMetadataKeyEmptyError",
        400,
        "File's metadata key can not be empty.",
    ),
    (
        "FileMetadataKeyForbiddenError",
        400,
        "File's metadata key `%s` contains symbols not allowed by the metadata key format.",
    ),
    (
        "FileMetadataKeyLengthTooBigError",
        400,
        "Length of file metadata key `%s` can not be more than %d symbols.",
    ),
    (
        "FileMetadataKeysNumberTooBigError",
        400,
        "A file can not have more than %d metadata keys.",
    ),
    (
        "FileMetadataValueEmptyError",
        400,
        "Value of the file metadata key `%s` can not be empty.",
    ),
    (
        "FileMetadataValueForbiddenError",
        400,
        "Value of file metadata key `%s` contains symbols not allowed by the metadata value format.",
    ),
    (
        "FileMetadataValueLengthTooBigError",
        400,
        "Value of file metadata's key `%s` can not be more than %d symbols in length.",
    ),
    ("FileSizeLimitExceededError", 400, "File is too large."),
    // File tags (`tags` field, 2026): the service's codes and messages for invalid tags are not
    // documented; these three are the emulator's, named and worded like the metadata ones.
    (
        "FileTagForbiddenError",
        400,
        "File's tag `%s` contains symbols not allowed by the tag format.",
    ),
    (
        "FileTagLengthTooBigError",
        400,
        "Length of file tag `%s` can not be more than %d symbols.",
    ),
    (
        "FileTagsNumberTooBigError",
        400,
        "A file can not have more than %d tags.",
    ),
    (
        "MethodNotAllowedError",
        405,
        "HTTP method %s is not allowed for %s",
    ),
    (
        "NullCharactersForbiddenError",
        400,
        "Null characters are not allowed.",
    ),
    (
        "PostRequestParserFailedError",
        400,
        "HTTP POST request parsing failed.",
    ),
    ("ProjectPublicKeyInvalidError", 403, "%s is invalid."),
    (
        "ProjectPublicKeyRemovedError",
        403,
        "Project %s is marked as removed.",
    ),
    ("ProjectPublicKeyRequiredError", 403, "%s is required."),
    (
        "RequestFileNumberLimitExceededError",
        400,
        "The request contains too many files.",
    ),
    (
        "RequestFiledsNumberLimitExceededError",
        400,
        "The request contains too many HTTP POST fields.",
    ),
    (
        "RequestSizeLimitExceededError",
        413,
        "The size of the request is too large.",
    ),
    ("RequestThrottledError", 429, "Request was throttled."),
    ("SignatureExpirationError", 403, "Expired signature."),
    (
        "SignatureExpirationInvalidError",
        400,
        "`expire` must be a UNIX timestamp.",
    ),
    ("SignatureExpirationRequiredError", 400, "`expire` is required."),
    ("SignatureInvalidError", 403, "Invalid signature."),
    ("SignatureRequiredError", 400, "`signature` is required."),
    // Auth tokens (2026-09-08). The two 403 messages are the JS emulator's wording; the
    // service's is unconfirmed (upload-jwt.md §4).
    ("AccessTokenInvalidError", 401, "Invalid token. Reason: %s"),
    ("AccessTokenExpiredError", 401, "Expired token."),
    (
        "ScopeForbiddenError",
        403,
        "`uc.restrictions.scope` does not allow this endpoint.",
    ),
    (
        "OperationsLimitExceededError",
        403,
        "The operation limit of the token is exhausted.",
    ),
    ("UploadAPIError", 500, "Internal error."),
    ("UploadFailedError", 403, "Upload failed."),
    // From URL (normally the `error_code` of a `/from_url/status/` answer)
    ("DownloadFileError", 500, "Failed to download the file."),
    ("DownloadFileHTTPClientError", 500, "HTTP client error: %s."),
    ("DownloadFileHTTPNetworkError", 500, "HTTP network error: %s."),
    ("DownloadFileHTTPServerError", 500, "HTTP server error: %s."),
    (
        "DownloadFileHTTPURLValidationError",
        500,
        "HTTP URL validation error: %s.",
    ),
    ("DownloadFileInternalServerError", 500, "Internal server error."),
    ("DownloadFileNotFoundError", 500, "downloaded file not found."),
    (
        "DownloadFileSizeLimitExceededError",
        500,
        "Downloaded file is too big: %s > %s.",
    ),
    ("DownloadFileTaskFailedError", 500, "download task failed."),
    (
        "DownloadFileTimeLimitExceededError",
        500,
        "Failed to download the file within the allotted time limit of %s seconds.",
    ),
    (
        "DownloadFileValidationFailedError",
        500,
        "File validation error: %s",
    ),
    // File upload
    ("FileIdInvalidError", 400, "file_id is invalid."),
    ("FileIdNotUniqueError", 400, "File id must be unique."),
    ("FileIdRequiredError", 400, "file_id is required."),
    ("FileNotFoundError", 404, "File is not found."),
    ("FileRequiredError", 400, "There should be a file."),
    ("FilesNumberLimitExceededError", 400, "There are too many files."),
    ("FilesRequiredError", 400, "Request does not contain files."),
    ("InternalRequestForbiddenError", 403, "Forbidden request."),
    ("InternalRequestInvalidError", 400, "Incorrect request."),
    (
        "MultipartFileAlreadyUploadedError",
        400,
        "File is already uploaded.",
    ),
    (
        "MultipartFileCompletionFailedError",
        400,
        "Can not complete upload. Wrong parts size?",
    ),
    ("MultipartFileIdRequiredError", 400, "uuid is required."),
    ("MultipartFileNotFoundError", 404, "File is not found."),
    (
        "MultipartFileSizeLimitExceededError",
        400,
        "File size exceeds project limit.",
    ),
    (
        "MultipartFileSizeTooSmallError",
        400,
        "File size can not be less than %d bytes. Please use direct upload instead of multipart.",
    ),
    (
        "MultipartPartSizeInvalidError",
        400,
        "Multipart Upload Part Size should be an integer.",
    ),
    (
        "MultipartPartSizeTooBigError",
        400,
        "Multipart Upload Part Size can not be more than %d bytes.",
    ),
    (
        "MultipartPartSizeTooSmallError",
        400,
        "Multipart Upload Part Size can not be less than %d bytes.",
    ),
    ("MultipartSizeInvalidError", 400, "size should be integer."),
    (
        "MultipartUploadSizeTooLargeError",
        400,
        "Uploaded size is more than expected.",
    ),
    (
        "MultipartUploadSizeTooSmallError",
        400,
        "File size mismatch. Not all parts uploaded?",
    ),
    ("RequestParamRequiredError", 400, "%s is required."),
    ("SourceURLRequiredError", 400, "source_url is required."),
    ("TokenRequiredError", 400, "token is required."),
    ("UUIDInvalidError", 400, "uuid is invalid."),
    ("UploadViewsError", 400, "Upload request processing failed."),
    (
        "UploadcareActionInvalidError",
        400,
        "UPLOADCARE_ACTION should be a valid URL.",
    ),
    (
        "UploadcareActionRequiredError",
        400,
        "UPLOADCARE_ACTION is required.",
    ),
    (
        "UploadcareFileIdDuplicatedError",
        400,
        "UPLOADCARE_FILE_ID is duplicated. You are probably a lottery winner.",
    ),
    (
        "UploadcareFileIdInvalidError",
        400,
        "UPLOADCARE_FILE_ID should be a valid UUID.",
    ),
    (
        "UploadcareFileIdRequiredError",
        400,
        "UPLOADCARE_FILE_ID is required.",
    ),
    // File group
    (
        "GroupFileURLParsingFailedError",
        400,
        "This is not valid file url: %s.",
    ),
    ("GroupFilesInvalidError", 400, "No files[N] parameters found."),
    ("GroupFilesNotFoundError", 400, "Some files not found."),
    ("GroupIdRequiredError", 400, "group_id is required."),
    ("GroupNotFoundError", 404, "group_id is invalid."),
    ("GroupViewsError", 400, "Request to group processing failed."),
    // Content validation
    ("FileInfectedError", 400, "The file is infected by %s virus."),
    (
        "FileTypeForbiddenError",
        400,
        "Uploading of these file types is not allowed.",
    ),
    // URL validation
    ("HostnameNotFoundError", 400, "Host does not exist."),
    ("URLBlacklistedError", 400, "Source is blacklisted."),
    ("URLHostMalformedError", 400, "URL host is malformed."),
    (
        "URLHostPrivateIPForbiddenError",
        400,
        "Only public IPs are allowed.",
    ),
    ("URLHostRequiredError", 400, "No URL host supplied."),
    ("URLParsingFailedError", 400, "Failed to parse URL."),
    ("URLRedirectsLimitExceededError", 400, "Too many redirects."),
    ("URLSchemeInvalidError", 400, "Invalid URL scheme."),
    ("URLSchemeRequiredError", 400, "No URL scheme supplied."),
    ("URLValidationError", 400, "Failed to validate URL."),
];

/// An Upload API error: its code, HTTP status and filled-in message.
///
/// As a response it is the `text/plain` form; the request layer turns it into the JSON form
/// when the request asked for `jsonerrors=1` (it finds the error in the response extensions).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct UploadError {
    /// The error code, e.g. `SignatureInvalidError`.
    pub code: &'static str,
    /// HTTP status.
    pub status: u16,
    /// The message, placeholders filled in.
    pub message: String,
}

/// The error `code` of [`ERRORS`] with its `%s`/`%d` placeholders replaced by `args` in order.
/// A code missing from the table is a bug of the emulator; it becomes `UploadAPIError` (500)
/// naming the missing code, so it shows up in a test instead of passing silently.
pub(crate) fn upload_error(code: &str, args: &[&dyn Display]) -> UploadError {
    let Some(&(code, status, template)) = ERRORS.iter().find(|(known, _, _)| *known == code) else {
        return UploadError {
            code: "UploadAPIError",
            status: 500,
            message: format!("Internal error. (emulator: unknown error code {code})"),
        };
    };
    let mut message = String::with_capacity(template.len());
    let mut args = args.iter();
    let mut rest = template;
    while let Some(at) = rest.find('%') {
        message.push_str(&rest[..at]);
        let placeholder = &rest[at..(at + 2).min(rest.len())];
        match (placeholder, args.next()) {
            ("%s" | "%d", Some(arg)) => message.push_str(&arg.to_string()),
            _ => message.push_str(placeholder),
        }
        rest = &rest[at + placeholder.len()..];
    }
    message.push_str(rest);
    UploadError {
        code,
        status,
        message,
    }
}

impl UploadError {
    /// The JSON form (`jsonerrors=1`), keeping the error's HTTP status.
    pub fn to_json_response(&self) -> Response {
        let body = serde_json::json!({
            "error": {"content": self.message, "status_code": self.status, "error_code": self.code}
        });
        let mut response = (
            self.http_status(),
            [("content-type", "application/json")],
            body.to_string(),
        )
            .into_response();
        response.extensions_mut().insert(self.clone());
        response
    }

    fn http_status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for UploadError {
    fn into_response(self) -> Response {
        let mut response = (
            self.http_status(),
            [("content-type", "text/plain; charset=utf-8")],
            self.message.clone(),
        )
            .into_response();
        response.extensions_mut().insert(self);
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_in_order() {
        let error = upload_error("FileMetadataKeyLengthTooBigError", &[&"k", &64]);
        assert_eq!(
            error.message,
            "Length of file metadata key `k` can not be more than 64 symbols."
        );
        assert_eq!(error.status, 400);
        let error = upload_error("ProjectPublicKeyRequiredError", &[&"pub_key"]);
        assert_eq!(
            (error.code, error.status, error.message.as_str()),
            ("ProjectPublicKeyRequiredError", 403, "pub_key is required.")
        );
        assert_eq!(
            upload_error("GroupFilesInvalidError", &[]).message,
            "No files[N] parameters found."
        );
    }

    #[test]
    fn unknown_codes_are_internal_errors() {
        assert_eq!(upload_error("NoSuchError", &[]).code, "UploadAPIError");
    }

    #[test]
    fn the_table_has_every_code_once() {
        let mut codes: Vec<&str> = ERRORS.iter().map(|(code, _, _)| *code).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), ERRORS.len());
        assert_eq!(ERRORS.len(), 98, "94 before the four auth-token codes");
    }
}
