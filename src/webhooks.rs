//! Webhook deliveries: checking their `X-Uc-Signature` and reading their payloads.
//!
//! Uploadcare POSTs a JSON body to a webhook's `target_url` when a subscribed event happens.
//! When the webhook has a signing secret, the delivery carries
//! `X-Uc-Signature: v1=<hex HMAC-SHA256(signing secret, raw body)>`. Verify it against the
//! body bytes exactly as received — before any JSON parsing or re-encoding — then read the
//! payload:
//!
//! ```
//! use uploadcare::webhooks::{self, SigningSecret, WebhookEvent};
//!
//! # fn main() -> Result<(), uploadcare::webhooks::WebhookError> {
//! let secret = SigningSecret::new("d8Fq2LxW7pNz4Rt6");
//! let body = br#"{"hook": {"id": 1473151, "event": "file.stored"},
//!                 "data": {"uuid": "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"},
//!                 "initiator": {"type": "api", "detail": {"request_id": null, "addon_name": null}},
//!                 "file": "https://ucarecdn.com/3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47/"}"#;
//! // What the service sends along (normally read from the request headers).
//! let header = webhooks::sign(&secret, body);
//!
//! match webhooks::verify_and_parse(&secret, Some(&header), body)? {
//!     WebhookEvent::FileStored(payload) => {
//!         println!("stored: {:?}", payload.file_uuid());
//!     }
//!     WebhookEvent::Other { event, body } => println!("not handled: {event} {body}"),
//!     other => println!("{}", other.event_name()),
//! }
//! # Ok(()) }
//! ```
//!
//! The models are tolerant: unknown fields are ignored, optional fields may be absent or
//! `null`, unknown initiator types and add-on names are kept, and an event this crate does
//! not know is returned whole as [`WebhookEvent::Other`]. The file object (`data`) is kept
//! as JSON, because its layout follows the webhook's payload version; with the `v0_7`
//! feature [`FilePayload::file_info`] reads it as a REST API 0.7 file.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use uuid::Uuid;

/// Name of the header that carries a delivery's signature.
pub const SIGNATURE_HEADER: &str = "X-Uc-Signature";

/// The only signature scheme the service uses: `v1=` followed by a hex HMAC-SHA256.
const SCHEME_PREFIX: &str = "v1=";
/// Hex digits of an HMAC-SHA256.
const SIGNATURE_HEX_LEN: usize = 64;

/// A webhook's signing secret (the `signing_secret` set when creating the webhook). Its
/// `Debug` output is redacted, so it can sit in logged configuration.
///
/// ```
/// let secret = uploadcare::webhooks::SigningSecret::new("d8Fq2LxW7pNz4Rt6");
/// assert_eq!(format!("{secret:?}"), "SigningSecret(<redacted>)");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(String);

impl SigningSecret {
    /// Wraps a signing secret.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

impl From<&str> for SigningSecret {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for SigningSecret {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

#[cfg(feature = "v0_7")]
impl From<&crate::v0_7::types::WebhookSigningSecret> for SigningSecret {
    fn from(secret: &crate::v0_7::types::WebhookSigningSecret) -> Self {
        Self::new(secret.expose_secret())
    }
}

/// Why a delivery was not accepted. Messages never contain the signing secret (nor the
/// received signature).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// There is no `X-Uc-Signature` header (or it is empty).
    #[error("the X-Uc-Signature header is missing")]
    MissingSignature,
    /// The header is not `v1=` followed by 64 lowercase hex digits.
    #[error("the X-Uc-Signature header is malformed: {0}")]
    MalformedSignature(MalformedSignature),
    /// The signature is well formed but was not made with this secret over this body.
    #[error("the X-Uc-Signature signature does not match the body and signing secret")]
    SignatureMismatch,
    /// The body is not a JSON object, or a known event's payload has fields of the wrong type.
    #[error("the webhook body is not a valid payload: {0}")]
    InvalidPayload(#[source] serde_json::Error),
}

/// What is wrong with the form of an `X-Uc-Signature` value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MalformedSignature {
    /// It does not start with `v1=` (the only scheme the service uses).
    #[error("it does not start with `v1=`")]
    UnknownScheme,
    /// The part after `v1=` has characters other than `0-9a-f`.
    #[error("the signature is not lowercase hex")]
    NotLowercaseHex,
    /// The part after `v1=` is not 64 hex digits long.
    #[error("the signature has {0} characters instead of 64")]
    WrongLength(usize),
}

fn hmac_sha256(secret: &SigningSecret, body: &[u8]) -> [u8; 32] {
    crate::auth::hmac_sha256(secret.expose_secret().as_bytes(), body)
}

/// The `X-Uc-Signature` value the service sends for `body`: `v1=<hex HMAC-SHA256>`.
///
/// ```
/// use uploadcare::webhooks::{sign, SigningSecret};
///
/// let header = sign(&SigningSecret::new("secret"), b"{}");
/// assert!(header.starts_with("v1=") && header.len() == 67);
/// ```
pub fn sign(secret: &SigningSecret, body: &[u8]) -> String {
    let digest = hmac_sha256(secret, body);
    format!("{SCHEME_PREFIX}{}", hex::encode(digest))
}

/// Checks a delivery's `X-Uc-Signature` header value against the raw body bytes, in
/// constant time. `signature_header` is `None` when the request has no such header.
///
/// ```
/// use uploadcare::webhooks::{sign, verify, SigningSecret, WebhookError};
///
/// let secret = SigningSecret::new("secret");
/// let header = sign(&secret, b"{}");
/// assert!(verify(&secret, Some(&header), b"{}").is_ok());
/// assert!(matches!(verify(&secret, Some(&header), b"{ }"), Err(WebhookError::SignatureMismatch)));
/// assert!(matches!(verify(&secret, None, b"{}"), Err(WebhookError::MissingSignature)));
/// ```
pub fn verify(
    secret: &SigningSecret,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<(), WebhookError> {
    let header = signature_header
        .map(|value| value.trim_matches(|c: char| c.is_ascii_whitespace()))
        .filter(|value| !value.is_empty())
        .ok_or(WebhookError::MissingSignature)?;
    let hex_digits = header
        .strip_prefix(SCHEME_PREFIX)
        .ok_or(WebhookError::MalformedSignature(
            MalformedSignature::UnknownScheme,
        ))?;
    // Only the service's own form is accepted: an uppercase or truncated value is a sign of a
    // different producer, not a variant of a valid signature.
    if !hex_digits.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return Err(WebhookError::MalformedSignature(
            MalformedSignature::NotLowercaseHex,
        ));
    }
    if hex_digits.len() != SIGNATURE_HEX_LEN {
        return Err(WebhookError::MalformedSignature(MalformedSignature::WrongLength(
            hex_digits.len(),
        )));
    }
    let received = hex::decode(hex_digits)
        .map_err(|_| WebhookError::MalformedSignature(MalformedSignature::NotLowercaseHex))?;
    let expected = hmac_sha256(secret, body);
    if crate::auth::constant_time_eq(&expected, &received) {
        Ok(())
    } else {
        Err(WebhookError::SignatureMismatch)
    }
}

/// Reads a delivery's body (no signature check; see [`verify_and_parse`]).
///
/// ```
/// use uploadcare::webhooks::{parse, WebhookEvent};
///
/// let event = parse(br#"{"hook": {"event": "file.uploaded"}, "data": {"uuid": "3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"}}"#)?;
/// assert!(matches!(event, WebhookEvent::FileUploaded(_)));
/// assert_eq!(event.file_uuid().map(|u| u.to_string()).as_deref(), Some("3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"));
/// # Ok::<(), uploadcare::webhooks::WebhookError>(())
/// ```
pub fn parse(body: &[u8]) -> Result<WebhookEvent, WebhookError> {
    let value: Value = serde_json::from_slice(body).map_err(WebhookError::InvalidPayload)?;
    WebhookEvent::from_value(value)
}

/// Verifies the signature ([`verify`]) and then reads the body ([`parse`]): the one call a
/// webhook endpoint needs.
pub fn verify_and_parse(
    secret: &SigningSecret,
    signature_header: Option<&str>,
    body: &[u8],
) -> Result<WebhookEvent, WebhookError> {
    verify(secret, signature_header, body)?;
    parse(body)
}

crate::open_enum! {
    /// A webhook event name (`hook.event` of a payload).
    EventName {
        /// `file.uploaded`: a file was uploaded.
        FileUploaded = "file.uploaded",
        /// `file.infected`: a virus scan found the file infected.
        FileInfected = "file.infected",
        /// `file.stored`: a file was stored.
        FileStored = "file.stored",
        /// `file.deleted`: a file was removed from storage.
        FileDeleted = "file.deleted",
        /// `file.info_updated`: a file's metadata or add-on data changed.
        FileInfoUpdated = "file.info_updated",
    }
}

crate::open_enum! {
    /// What caused a webhook event (`initiator.type`).
    InitiatorType {
        /// A REST or Upload API request.
        Api = "api",
        /// The service itself.
        System = "system",
        /// An add-on run.
        Addon = "addon",
    }
}

crate::open_enum! {
    /// The add-on or conversion backend that caused an event (`initiator.detail.addon_name`).
    AddonName {
        /// AWS Rekognition label detection.
        AwsRekognitionDetectLabels = "aws_rekognition_detect_labels",
        /// AWS Rekognition moderation label detection.
        AwsRekognitionDetectModerationLabels = "aws_rekognition_detect_moderation_labels",
        /// ClamAV virus scan.
        UcClamavVirusScan = "uc_clamav_virus_scan",
        /// Background removal.
        RemoveBg = "remove_bg",
        /// Document conversion.
        ZamzarConvertDocument = "zamzar_convert_document",
        /// Video conversion.
        ZencoderConvertVideo = "zencoder_convert_video",
    }
}

/// A parsed delivery, by event.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum WebhookEvent {
    /// `file.uploaded`.
    FileUploaded(FilePayload),
    /// `file.infected`.
    FileInfected(FilePayload),
    /// `file.stored`.
    FileStored(FilePayload),
    /// `file.deleted`.
    FileDeleted(FilePayload),
    /// `file.info_updated` (with the values before the change).
    FileInfoUpdated(FileInfoUpdatedPayload),
    /// An event this crate does not know (or a body without `hook.event`), kept whole.
    Other {
        /// `hook.event`, or `""` when the body has none.
        event: String,
        /// The whole body.
        body: Value,
    },
}

impl WebhookEvent {
    /// Reads a payload already parsed as JSON. The event is taken from `hook.event`.
    pub fn from_value(body: Value) -> Result<Self, WebhookError> {
        if !body.is_object() {
            return Err(WebhookError::InvalidPayload(
                <serde_json::Error as serde::de::Error>::custom("expected a JSON object"),
            ));
        }
        let event = body
            .pointer("/hook/event")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let file =
            |body: Value| serde_json::from_value::<FilePayload>(body).map_err(WebhookError::InvalidPayload);
        Ok(match EventName::from(event.as_str()) {
            EventName::FileUploaded => Self::FileUploaded(file(body)?),
            EventName::FileInfected => Self::FileInfected(file(body)?),
            EventName::FileStored => Self::FileStored(file(body)?),
            EventName::FileDeleted => Self::FileDeleted(file(body)?),
            EventName::FileInfoUpdated => {
                Self::FileInfoUpdated(serde_json::from_value(body).map_err(WebhookError::InvalidPayload)?)
            }
            _ => Self::Other { event, body },
        })
    }

    /// The event name (`hook.event`).
    pub fn event_name(&self) -> &str {
        match self {
            Self::FileUploaded(_) => "file.uploaded",
            Self::FileInfected(_) => "file.infected",
            Self::FileStored(_) => "file.stored",
            Self::FileDeleted(_) => "file.deleted",
            Self::FileInfoUpdated(_) => "file.info_updated",
            Self::Other { event, .. } => event,
        }
    }

    /// The webhook that made the delivery (`None` for [`WebhookEvent::Other`]).
    pub fn hook(&self) -> Option<&HookInfo> {
        match self {
            Self::FileUploaded(p) | Self::FileInfected(p) | Self::FileStored(p) | Self::FileDeleted(p) => {
                Some(&p.hook)
            }
            Self::FileInfoUpdated(p) => Some(&p.hook),
            Self::Other { .. } => None,
        }
    }

    /// The UUID of the file the event is about, when the payload names one (for
    /// [`WebhookEvent::Other`], `data.uuid` of the body).
    pub fn file_uuid(&self) -> Option<Uuid> {
        match self {
            Self::FileUploaded(p) | Self::FileInfected(p) | Self::FileStored(p) | Self::FileDeleted(p) => {
                p.file_uuid()
            }
            Self::FileInfoUpdated(p) => p.file_uuid(),
            Self::Other { body, .. } => file_uuid_of(body.get("data").unwrap_or(&Value::Null), None),
        }
    }
}

impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = Value::deserialize(deserializer)?;
        Self::from_value(body).map_err(serde::de::Error::custom)
    }
}

/// The webhook subscription as a payload shows it (`hook`). Everything but `event` is
/// optional: older payload versions leave fields out.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct HookInfo {
    /// Webhook ID.
    #[serde(default)]
    pub id: Option<i64>,
    /// ID of the project.
    #[serde(default)]
    pub project_id: Option<i64>,
    /// Public key of the project (0.5 payloads carry it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project_pub_key: Option<String>,
    /// When the webhook was created (`None` also when the text is not a date-time).
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub created_at: Option<DateTime<Utc>>,
    /// When the webhook was last changed (`None` also when the text is not a date-time).
    #[serde(default, deserialize_with = "lenient_datetime")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The event that triggered this delivery.
    pub event: EventName,
    /// The URL this payload is delivered to.
    #[serde(default)]
    pub target: Option<String>,
    /// Whether the webhook is active.
    #[serde(default)]
    pub is_active: Option<bool>,
    /// Payload version (`0.7`; older subscriptions: `0.5`, `0.6` or empty).
    #[serde(default)]
    pub version: Option<String>,
}

/// What caused an event (`initiator`; payloads before July 2023 have none).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Initiator {
    /// API request, the system, or an add-on.
    #[serde(rename = "type")]
    pub kind: InitiatorType,
    /// Details about the origin.
    #[serde(default, deserialize_with = "null_as_default")]
    pub detail: InitiatorDetail,
}

/// Details about what caused an event (`initiator.detail`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct InitiatorDetail {
    /// ID of the add-on run that caused the event.
    #[serde(default)]
    pub request_id: Option<Uuid>,
    /// The add-on or conversion backend that caused the event.
    #[serde(default)]
    pub addon_name: Option<AddonName>,
    /// UUID of the file the add-on ran on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_file_uuid: Option<Uuid>,
}

/// The payload of `file.uploaded`, `file.infected`, `file.stored` and `file.deleted`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FilePayload {
    /// The webhook making this delivery.
    pub hook: HookInfo,
    /// What caused the event.
    #[serde(default)]
    pub initiator: Option<Initiator>,
    /// The file object, in the layout of the webhook's payload version (`Null` if absent).
    #[serde(default)]
    pub data: Value,
    /// CDN URL of the file.
    #[serde(default)]
    pub file: Option<String>,
}

impl FilePayload {
    /// The file's UUID: `data.uuid`, or the UUID in the CDN URL.
    pub fn file_uuid(&self) -> Option<Uuid> {
        file_uuid_of(&self.data, self.file.as_deref())
    }

    /// The file object as a REST API 0.7 file.
    #[cfg(feature = "v0_7")]
    pub fn file_info(&self) -> Result<crate::v0_7::types::File, WebhookError> {
        serde_json::from_value(self.data.clone()).map_err(WebhookError::InvalidPayload)
    }
}

/// The payload of `file.info_updated`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FileInfoUpdatedPayload {
    /// The webhook making this delivery.
    pub hook: HookInfo,
    /// What caused the event.
    #[serde(default)]
    pub initiator: Option<Initiator>,
    /// The file object after the change (`Null` if absent).
    #[serde(default)]
    pub data: Value,
    /// CDN URL of the file.
    #[serde(default)]
    pub file: Option<String>,
    /// The values as they were before the change.
    #[serde(default, deserialize_with = "null_as_default")]
    pub previous_values: PreviousValues,
}

impl FileInfoUpdatedPayload {
    /// The file's UUID: `data.uuid`, or the UUID in the CDN URL.
    pub fn file_uuid(&self) -> Option<Uuid> {
        file_uuid_of(&self.data, self.file.as_deref())
    }

    /// The file object (after the change) as a REST API 0.7 file.
    #[cfg(feature = "v0_7")]
    pub fn file_info(&self) -> Result<crate::v0_7::types::File, WebhookError> {
        serde_json::from_value(self.data.clone()).map_err(WebhookError::InvalidPayload)
    }
}

/// A file's values before a `file.info_updated` change (`previous_values`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PreviousValues {
    /// Add-on results before the change, by add-on name (`None`: there were none).
    #[serde(default)]
    pub appdata: Option<serde_json::Map<String, Value>>,
    /// Metadata before the change (`None`: not given).
    #[serde(default)]
    pub metadata: Option<BTreeMap<String, String>>,
}

/// `data.uuid`, else the first path segment of `cdn_url` that is a UUID.
fn file_uuid_of(data: &Value, cdn_url: Option<&str>) -> Option<Uuid> {
    data.get("uuid")
        .and_then(Value::as_str)
        .and_then(|text| text.parse().ok())
        .or_else(|| cdn_url?.split('/').find_map(|segment| segment.parse().ok()))
}

/// `null` reads as the type's default.
fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

/// An RFC 3339 date-time, or one without offset (read as UTC); anything else is `None`, so
/// an odd timestamp never makes a delivery unreadable.
fn lenient_datetime<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let Some(Value::String(text)) = Option::<Value>::deserialize(deserializer)? else {
        return Ok(None);
    };
    if let Ok(at) = DateTime::parse_from_rfc3339(&text) {
        return Ok(Some(at.with_timezone(&Utc)));
    }
    Ok(NaiveDateTime::parse_from_str(&text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc()))
}

#[cfg(test)]
mod tests {
    use super::*;

    // python3 -c "import hmac,hashlib;print(hmac.new(b'd8Fq2LxW7pNz4Rt6',b'{\"hook\":{}}',hashlib.sha256).hexdigest())"
    #[test]
    fn signs_like_an_independent_hmac_sha256() {
        let secret = SigningSecret::new("d8Fq2LxW7pNz4Rt6");
        assert_eq!(
            sign(&secret, br#"{"hook":{}}"#),
            "v1=ea71125259e4280613fc18b621d10afb630f58dd454a315333d662b3b9ae5f3e"
        );
    }
}
