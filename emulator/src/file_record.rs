//! A file of the emulated project: its content and state, and how it looks on the wire in
//! each REST API version and in the Upload API.

use crate::records::Urls;
use crate::wire::{timestamp, ApiVersion};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use uuid::Uuid;

/// A file of the project. Serialized without its content (the data directory keeps
/// contents in files of their own).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct FileRecord {
    /// The file's UUID.
    pub uuid: Uuid,
    /// Original file name.
    pub filename: String,
    /// MIME type.
    pub mime_type: String,
    /// The content (empty when the emulator discarded it: see `discarded_size`).
    #[serde(skip)]
    pub data: Bytes,
    /// The size of a body the emulator counted but did not keep
    /// ([`EmulatorBuilder::discard_upload_bodies`](crate::EmulatorBuilder::discard_upload_bodies)).
    pub discarded_size: Option<u64>,
    /// Upload time.
    pub uploaded: DateTime<Utc>,
    /// Store time, when stored.
    pub stored: Option<DateTime<Utc>>,
    /// Removal time, when removed.
    pub removed: Option<DateTime<Utc>>,
    /// `false` while a conversion or copy still produces it.
    pub ready: bool,
    /// File metadata (key → value).
    pub metadata: BTreeMap<String, String>,
    /// Add-on results (`appdata`), by add-on name.
    pub appdata: Map<String, Value>,
    /// Tags (REST API 0.7), normalized, in storage order (see the tag endpoints).
    pub tags: Vec<String>,
    /// The URL it was fetched from, set only when the upload asked for
    /// `save_URL_duplicates` (so later `check_URL_duplicates` uploads find it).
    pub source_url: Option<String>,
}

impl FileRecord {
    /// The file's size in bytes (also for a discarded body).
    pub fn size(&self) -> u64 {
        self.discarded_size.unwrap_or(self.data.len() as u64)
    }

    /// Whether the content is an image the emulator recognizes.
    pub fn image_size(&self) -> Option<(u32, u32, &'static str)> {
        image_dimensions(&self.data)
    }

    /// Whether the file is an image (`null` while not ready, like the service).
    fn is_image(&self) -> Value {
        if !self.ready {
            Value::Null
        } else {
            Value::Bool(self.image_size().is_some())
        }
    }

    /// The file's CDN URL on the emulator.
    pub fn cdn_url(&self, cdn_base: &str) -> String {
        format!("{cdn_base}/{}/", self.uuid)
    }

    /// The file object of REST API `version`.
    pub fn to_rest_json(&self, version: ApiVersion, urls: &Urls, include_appdata: bool) -> Value {
        let image_info = self
            .image_size()
            .filter(|_| self.ready)
            .map(|(width, height, format)| {
                json!({
                    "color_mode": "RGB", "orientation": null, "format": format, "sequence": false,
                    "height": height, "width": width, "geo_location": null, "datetime_original": null,
                    "dpi": null
                })
            });
        let original_file_url = if self.removed.is_some() || !self.ready {
            Value::Null
        } else {
            Value::String(format!("{}{}", self.cdn_url(&urls.cdn), self.filename))
        };
        let mut file = json!({
            "datetime_removed": self.removed.map(timestamp),
            "datetime_stored": self.stored.map(timestamp),
            "datetime_uploaded": timestamp(self.uploaded),
            "is_image": self.is_image(),
            "is_ready": self.ready,
            "mime_type": if self.ready { self.mime_type.as_str() } else { "" },
            "original_file_url": original_file_url,
            "original_filename": if self.ready { self.filename.as_str() } else { "" },
            "size": if self.ready { self.size() } else { 0 },
            "url": format!("{}/files/{}/", urls.rest, self.uuid),
            "uuid": self.uuid.to_string(),
        });
        let object = file.as_object_mut().expect("a JSON object");
        match version {
            ApiVersion::V0_7 => {
                object.insert("variations".into(), Value::Null);
                let content_info = self.ready.then(|| {
                    let (kind, subtype) = self
                        .mime_type
                        .split_once('/')
                        .unwrap_or(("application", "octet-stream"));
                    let mut info =
                        json!({"mime": {"mime": self.mime_type, "type": kind, "subtype": subtype}});
                    if let Some(image) = &image_info {
                        info["image"] = image.clone();
                    }
                    info
                });
                object.insert("content_info".into(), json!(content_info));
                object.insert("metadata".into(), json!(self.metadata));
                object.insert("tags".into(), json!(self.tags));
                if include_appdata {
                    object.insert("appdata".into(), Value::Object(self.appdata.clone()));
                }
            }
            ApiVersion::V0_6 | ApiVersion::V0_5 => {
                object.insert("image_info".into(), json!(image_info));
                if version == ApiVersion::V0_6 {
                    object.insert("video_info".into(), Value::Null);
                    object.insert("variations".into(), Value::Null);
                    if include_appdata {
                        let labels = self.appdata.get("aws_rekognition_detect_labels").cloned();
                        object.insert("rekognition_info".into(), labels.unwrap_or_else(|| json!({})));
                    }
                }
            }
        }
        file
    }

    /// The Upload API's `fileUploadInfo` object.
    pub fn to_upload_json(&self) -> Value {
        let image_info = self.image_size().map(|(width, height, format)| {
            json!({
                "color_mode": "RGB", "orientation": null, "format": format, "sequence": false,
                "height": height, "width": width, "geo_location": null, "datetime_original": null,
                "dpi": null
            })
        });
        let (kind, subtype) = self
            .mime_type
            .split_once('/')
            .unwrap_or(("application", "octet-stream"));
        let mut content_info = json!({"mime": {"mime": self.mime_type, "type": kind, "subtype": subtype}});
        if let Some(image) = &image_info {
            content_info["image"] = image.clone();
        }
        json!({
            "uuid": self.uuid.to_string(),
            "file_id": self.uuid.to_string(),
            "size": self.size(),
            "total": self.size(),
            "done": self.size(),
            "original_filename": self.filename,
            "filename": sanitized_filename(&self.filename),
            "mime_type": self.mime_type,
            "is_image": image_info.is_some(),
            "is_stored": self.stored.is_some(),
            "is_ready": self.ready,
            "image_info": image_info,
            "video_info": null,
            "content_info": content_info,
            "metadata": self.metadata,
            "s3_bucket": null,
            "default_effects": "",
        })
    }
}

/// What the service does to names in `filename`: keeps only `A-Z a-z 0-9 . _`
/// (`IMG-0412_123.JPG` → `IMG0412_123.JPG`).
fn sanitized_filename(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_'))
        .collect()
}

/// Width, height and format name of PNG, GIF and JPEG content.
pub fn image_dimensions(data: &[u8]) -> Option<(u32, u32, &'static str)> {
    if data.len() >= 24 && data.starts_with(b"\x89PNG\r\n\x1a\n") {
        let width = u32::from_be_bytes(data[16..20].try_into().ok()?);
        let height = u32::from_be_bytes(data[20..24].try_into().ok()?);
        return Some((width, height, "PNG"));
    }
    if data.len() >= 10 && (data.starts_with(b"GIF87a") || data.starts_with(b"GIF89a")) {
        let width = u16::from_le_bytes([data[6], data[7]]) as u32;
        let height = u16::from_le_bytes([data[8], data[9]]) as u32;
        return Some((width, height, "GIF"));
    }
    if data.starts_with(&[0xFF, 0xD8]) {
        // Walk the JPEG segments to the first start-of-frame marker.
        let mut i = 2;
        while i + 9 < data.len() {
            if data[i] != 0xFF {
                return None;
            }
            let marker = data[i + 1];
            let length = u16::from_be_bytes([data[i + 2], data[i + 3]]) as usize;
            if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
                let height = u16::from_be_bytes([data[i + 5], data[i + 6]]) as u32;
                let width = u16::from_be_bytes([data[i + 7], data[i + 8]]) as u32;
                return Some((width, height, "JPEG"));
            }
            i += 2 + length;
        }
    }
    None
}
