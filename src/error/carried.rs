//! Errors the generated clients carry as text (`progenitor_client::Error::Custom`), and
//! how they are read back into [`Error`]: a creating request whose answer was lost, a read
//! timeout, a failed auth token provider.

use super::Error;
#[cfg(test)]
use super::{ApiErrorBody, ErrorKind};
use std::time::Duration;

/// The error a text made by this module stands for, if it is one.
pub(super) fn from_text(text: &str) -> Option<Error> {
    outcome_unknown_from_text(text)
        .or_else(|| read_timeout_from_text(text))
        .or_else(|| provider_failure_from_text(text))
}

/// The words of [`Error::OutcomeUnknown`] between the operation and the detail, and after.
const OUTCOME_UNKNOWN_MIDDLE: &str = ": the request was sent and its answer was lost (";
const OUTCOME_UNKNOWN_END: &str = "); it may have been done, and was not repeated";

/// [`Error::OutcomeUnknown`] as a text the generated clients can carry
/// (`progenitor_client::Error::Custom`): the same words as its `Display`.
pub(crate) fn outcome_unknown_text(operation: &str, detail: &str) -> String {
    format!("{operation}{OUTCOME_UNKNOWN_MIDDLE}{detail}{OUTCOME_UNKNOWN_END}")
}

/// [`Error::AuthTokenProvider`] carried through the generated clients as its text.
#[cfg(feature = "upload")]
fn provider_failure_from_text(text: &str) -> Option<Error> {
    let source = text.strip_prefix("the auth token provider failed: ")?;
    Some(Error::AuthTokenProvider {
        source: source.to_owned().into(),
    })
}

#[cfg(not(feature = "upload"))]
fn provider_failure_from_text(_: &str) -> Option<Error> {
    None
}

/// The words of [`Error::ReadTimeout`] before and after the milliseconds.
const READ_TIMEOUT_START: &str = "read timeout: nothing sent or received for ";
const READ_TIMEOUT_END: &str = " ms";

/// [`Error::ReadTimeout`] carried through the generated clients as its text.
fn read_timeout_from_text(text: &str) -> Option<Error> {
    let millis = text
        .strip_prefix(READ_TIMEOUT_START)?
        .strip_suffix(READ_TIMEOUT_END)?
        .parse()
        .ok()?;
    Some(Error::ReadTimeout {
        timeout: Duration::from_millis(millis),
    })
}

fn outcome_unknown_from_text(text: &str) -> Option<Error> {
    let (operation, rest) = text.split_once(OUTCOME_UNKNOWN_MIDDLE)?;
    let detail = rest.strip_suffix(OUTCOME_UNKNOWN_END)?;
    Some(Error::OutcomeUnknown {
        operation: operation.to_owned(),
        detail: detail.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_unknown_survives_the_generated_clients_error() {
        let e = Error::OutcomeUnknown {
            operation: "create_local_copy".into(),
            detail: "connection closed (before message completed)".into(),
        };
        let carried: Error = progenitor_client::Error::<ApiErrorBody>::Custom(e.to_string()).into();
        assert!(
            matches!(&carried, Error::OutcomeUnknown { operation, detail }
                if operation == "create_local_copy" && detail == "connection closed (before message completed)"),
            "{carried:?}"
        );
        assert_eq!(carried.to_string(), e.to_string());
        assert!(!carried.is_retryable_for(crate::retry::OperationKind::Creating));
    }

    #[test]
    fn a_read_timeout_survives_the_generated_clients_error() {
        let e = Error::ReadTimeout {
            timeout: Duration::from_millis(1500),
        };
        assert_eq!(
            e.to_string(),
            format!("{READ_TIMEOUT_START}1500{READ_TIMEOUT_END}")
        );
        let carried: Error = progenitor_client::Error::<ApiErrorBody>::Custom(e.to_string()).into();
        assert!(
            matches!(carried, Error::ReadTimeout { timeout } if timeout == Duration::from_millis(1500)),
            "{carried:?}"
        );
        assert_eq!(carried.kind(), ErrorKind::Timeout);
        assert!(carried.is_retryable_for(crate::retry::OperationKind::Idempotent));
        assert!(!carried.is_retryable_for(crate::retry::OperationKind::Creating));
    }
}
