//! What names a session: the header, the path prefix, the name rules, and the request
//! extensions that carry the name (read by the request log, fault rules and REST signature
//! checks). A leaf module: everything about sessions themselves is in `sessions`.

use std::sync::Arc;

/// The header naming a request's session.
pub const SESSION_HEADER: &str = "x-uploadcare-emulator-session";
/// The path prefix naming a request's session: `/__session/NAME/…`.
pub const SESSION_PATH_PREFIX: &str = "/__session/";
/// The name of the session requests go to when they name none.
pub const DEFAULT_SESSION: &str = "default";
/// The longest session name.
pub(crate) const MAX_NAME_LEN: usize = 64;

/// The path of a request as the client sent it (session prefix included): REST signatures
/// cover it.
#[derive(Clone, Debug)]
pub(crate) struct ReceivedPath(pub(crate) String);

/// The session a request named, as the outermost middleware (`sessions::route_session`) read it.
#[derive(Clone, Debug)]
pub(crate) struct SessionName(pub(crate) Arc<str>);

/// Whether `name` may name a session.
pub(crate) fn valid_name(name: &str) -> bool {
    (1..=MAX_NAME_LEN).contains(&name.len())
        && name.starts_with(|c: char| c.is_ascii_alphanumeric())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}
