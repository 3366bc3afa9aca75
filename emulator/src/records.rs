//! The records the emulator keeps about what it sent: webhook deliveries and where they
//! go, and the base URLs objects refer to. Plain data, imported by `state` (which stores
//! them) and by `deliveries` (which makes them), so neither imports the other's internals.

use tokio::sync::mpsc;
use uuid::Uuid;

/// The base URLs objects refer to.
#[derive(Clone, Debug)]
pub struct Urls {
    /// REST API base URL (no trailing slash).
    pub rest: String,
    /// Upload API base URL (no trailing slash).
    pub upload: String,
    /// CDN base URL (no trailing slash), served by the Upload API listener under `/cdn`.
    pub cdn: String,
}

/// One webhook delivery the emulator made (or decided not to make).
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Delivery {
    /// Sequence number, from 1, in the order events happened.
    pub id: u64,
    /// The webhook delivered for.
    pub webhook_id: i64,
    /// The event (`file.uploaded`, …).
    pub event: String,
    /// Where the payload is POSTed.
    pub target_url: String,
    /// The file the event is about.
    pub file: Uuid,
    /// The JSON body sent.
    pub body: String,
    /// The `X-Uc-Signature` header sent (the webhook has a signing secret).
    pub signature: Option<String>,
    /// How it went.
    pub status: DeliveryStatus,
    /// POST attempts made so far.
    pub attempts: u32,
}

/// The outcome of a [`Delivery`].
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryStatus {
    /// Not finished yet.
    Pending,
    /// The target answered with a 2XX status (the service's "received").
    Delivered {
        /// The status the target answered.
        status: u16,
    },
    /// The target answered with another status.
    Rejected {
        /// The status the target answered.
        status: u16,
    },
    /// No answer: connection refused (after retries), timeout, or another transport error.
    Failed {
        /// What went wrong.
        error: String,
    },
    /// The target is not on the loopback interface, so the emulator did not contact it.
    NotSent,
}

impl DeliveryStatus {
    /// Whether the delivery is over (anything but [`DeliveryStatus::Pending`]).
    pub fn is_final(&self) -> bool {
        !matches!(self, Self::Pending)
    }
}

/// A delivery handed to the dispatcher.
#[derive(Debug)]
pub(crate) struct Outgoing {
    pub(crate) id: u64,
    pub(crate) target_url: String,
    pub(crate) body: String,
    pub(crate) signature: Option<String>,
}

/// Where a project sends its deliveries (set when the emulator starts).
#[derive(Debug)]
pub(crate) struct Outbox {
    pub(crate) sender: mpsc::UnboundedSender<Outgoing>,
    pub(crate) urls: Urls,
}
