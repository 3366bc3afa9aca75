//! Information and delivery operations of [`FileUrl`]: inline display or download, and the
//! info URLs (`json`, `main_colors`, `detect_faces`) that answer JSON instead of the image.

use super::{check_range, invalid, yes_no, FileUrl};
use crate::Result;

impl FileUrl {
    /// `-/inline/yes|no/`: show in the browser, or download.
    pub fn inline(self, inline: bool) -> Self {
        self.op(format_args!("inline/{}", yes_no(inline)))
    }

    /// `-/json/`: image information instead of the image (end of the chain).
    pub fn json(self) -> Self {
        self.op("json")
    }

    /// `-/main_colors/[<n>/]`: the image's main colours as JSON ([`crate::cdn::info::MainColors`]),
    /// `n` 1–64 (the service's default is 4). It must be the last operation.
    pub fn main_colors(self, n: Option<u8>) -> Result<Self> {
        Ok(match n {
            Some(n) => {
                check_range("main_colors", n.into(), 1, 64)?;
                self.op(format_args!("main_colors/{n}"))
            }
            None => self.op("main_colors"),
        })
    }

    /// `<uuid>/detect_faces/`: the image's info with the faces found, as JSON
    /// ([`crate::cdn::info::FaceDetection`]). It takes no other operation and no file name:
    /// an error when the URL has any.
    pub fn detect_faces(mut self) -> Result<Self> {
        if !self.ops.is_empty() || self.filename.is_some() {
            return Err(invalid("detect_faces takes no other operation and no file name"));
        }
        self.ops.push_str("detect_faces/");
        Ok(self)
    }
}
