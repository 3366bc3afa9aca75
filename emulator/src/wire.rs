//! How the emulator writes what it answers: the REST API version of an answer (from the
//! `Accept` header) and the service's timestamp format.

use chrono::{DateTime, SecondsFormat, Utc};

/// A REST API version the emulator answers in (selected by the `Accept` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ApiVersion {
    /// `application/vnd.uploadcare-v0.5+json`
    V0_5,
    /// `application/vnd.uploadcare-v0.6+json`
    V0_6,
    /// `application/vnd.uploadcare-v0.7+json`
    V0_7,
}

impl ApiVersion {
    /// Parses an `Accept` header value.
    pub fn from_accept(accept: &str) -> Option<Self> {
        match accept.trim() {
            "application/vnd.uploadcare-v0.5+json" => Some(Self::V0_5),
            "application/vnd.uploadcare-v0.6+json" => Some(Self::V0_6),
            "application/vnd.uploadcare-v0.7+json" => Some(Self::V0_7),
            _ => None,
        }
    }

    /// The version's `Content-Type` for JSON answers.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::V0_5 => "application/vnd.uploadcare-v0.5+json",
            Self::V0_6 => "application/vnd.uploadcare-v0.6+json",
            Self::V0_7 => "application/vnd.uploadcare-v0.7+json",
        }
    }

    /// `"0.5"`, `"0.6"` or `"0.7"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V0_5 => "0.5",
            Self::V0_6 => "0.6",
            Self::V0_7 => "0.7",
        }
    }
}

/// Formats a timestamp the way the service does (`2024-03-05T11:12:40.543218Z`).
pub fn timestamp(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}
