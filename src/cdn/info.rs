//! The JSON the CDN answers for info URLs: `-/json/` ([`ImageInfo`]), `-/main_colors/`
//! ([`MainColors`]) and `detect_faces/` ([`FaceDetection`]). Parse the body with
//! `serde_json::from_slice`.
//!
//! Like every received type of the crate, these tolerate what real answers do: any field but
//! the id may be missing or `null`, and unknown fields are kept in `extra` rather than
//! refused.
//!
//! ```
//! use uploadcare::cdn::info::ImageInfo;
//! let info: ImageInfo = serde_json::from_str(
//!     r#"{"id":"a6d3a1a4-1c2c-4a4e-9a1e-4c1b3ef4a2d1","dpi":[300,300],"width":3432,
//!         "format":"JPEG","height":3432,"sequence":false,"color_mode":"RGB",
//!         "orientation":null,"geo_location":null,"datetime_original":"2020-06-07T10:38:16",
//!         "hash":"e98d9466a33a9c8b"}"#,
//! )?;
//! assert_eq!((info.width, info.height), (Some(3432), Some(3432)));
//! assert_eq!(info.dpi, Some([300.0, 300.0]));
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// `-/json/`: what the CDN knows of the (processed) image. For a file that is not an image
/// only `id` is present.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ImageInfo {
    /// The file's UUID (on `main_colors` answers' `original`: the source's UUID).
    #[serde(default)]
    pub id: String,
    /// Width in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Height in pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// Image format (`JPEG`, `PNG`, `WEBP`, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Horizontal and vertical resolution, when the file says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dpi: Option<[f64; 2]>,
    /// Whether the image has several frames (an animated GIF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence: Option<bool>,
    /// Colour mode (`RGB`, `RGBA`, `L`, `CMYK`, …; kept as text so new modes parse).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color_mode: Option<String>,
    /// EXIF orientation (1–8).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub orientation: Option<u8>,
    /// Where the photo was taken (EXIF), as the CDN writes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub geo_location: Option<Value>,
    /// When the photo was taken (EXIF), as written in the file — not always ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datetime_original: Option<String>,
    /// A 64-bit perceptual hash, as hex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
    /// Fields this version of the crate does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `-/main_colors/<n>/`: the processed image's size and main colours, and the source's info.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct MainColors {
    /// The processed path (`/<uuid>/-/preview/`), not a UUID.
    #[serde(default)]
    pub id: String,
    /// Width of the processed image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<u64>,
    /// Height of the processed image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub height: Option<u64>,
    /// The main colours, most prominent first, as `[r, g, b]`.
    #[serde(default, deserialize_with = "null_as_default")]
    pub main_colors: Vec<[u8; 3]>,
    /// The source image's info.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original: Option<ImageInfo>,
    /// Fields this version of the crate does not know.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl MainColors {
    /// The colours as `rrggbb` hex, e.g. for [`crate::cdn::url::FileUrl::setfill`].
    pub fn hex(&self) -> Vec<String> {
        self.main_colors
            .iter()
            .map(|[r, g, b]| format!("{r:02x}{g:02x}{b:02x}"))
            .collect()
    }
}

/// `detect_faces/`: the image's info plus the faces found.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct FaceDetection {
    /// The image's info.
    #[serde(flatten)]
    pub image: ImageInfo,
    /// Faces as `[x, y, width, height]` from the top left, in pixels of the image.
    #[serde(default, deserialize_with = "null_as_default")]
    pub faces: Vec<[u64; 4]>,
}

fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn main_colors_as_documented() {
        let body = r#"{"width":2000,"height":2000,"main_colors":[[138,142,143],[85,74,65]],
            "id":"/153d8a3e-ef43-4c2e-9b42-2f2f4e0bd0c4/-/preview/",
            "original":{"width":2000,"height":2000,"geo_location":null,"orientation":null,
            "datetime_original":null,"format":"JPEG","id":"153d8a3e-ef43-4c2e-9b42-2f2f4e0bd0c4"},
            "new_field":1}"#;
        let colors: MainColors = serde_json::from_str(body).unwrap();
        assert_eq!(colors.hex(), ["8a8e8f", "554a41"]);
        assert_eq!(colors.original.unwrap().format.as_deref(), Some("JPEG"));
        assert_eq!(colors.extra["new_field"], 1);
        let none: MainColors = serde_json::from_str(r#"{"main_colors":null}"#).unwrap();
        assert!(none.main_colors.is_empty());
    }

    #[test]
    fn faces_and_sparse_infos() {
        let body = r#"{"id":"x","width":1000,"height":800,"format":"JPEG","faces":[[45,142,207,207],[460,113,238,238]]}"#;
        let faces: FaceDetection = serde_json::from_str(body).unwrap();
        assert_eq!(faces.faces[1], [460, 113, 238, 238]);
        assert_eq!(faces.image.width, Some(1000));
        let bare: FaceDetection = serde_json::from_str(r#"{"id":"x","faces":null,"dpi":null}"#).unwrap();
        assert!(bare.faces.is_empty() && bare.image.dpi.is_none());
        let text: ImageInfo = serde_json::from_str(r#"{"id":"x"}"#).unwrap();
        assert_eq!(text.width, None);
    }
}
