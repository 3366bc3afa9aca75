//! Failures of a command, each as one human line on stderr and an exit status.

use std::process::ExitCode;

/// Why a command failed.
#[derive(Debug)]
pub enum CliError {
    /// The command line asks for something this build or API version cannot do (exit 2,
    /// like clap's own usage errors).
    Usage(String),
    /// Credentials missing (no key given) or a config file that cannot be used (exit 3).
    Credentials(String),
    /// A library call failed: exit 1, or 2 for input the library refused before any
    /// request, or 3 for credentials the service rejected.
    Api(uploadcare::Error),
    /// Anything else that went wrong while running (exit 1).
    Failed(String),
    /// Stdout was closed by the reader (e.g. `| head`): stop quietly.
    BrokenPipe,
    /// Interrupted with Ctrl-C (exit 130).
    Interrupted,
}

pub type Result<T = (), E = CliError> = std::result::Result<T, E>;

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        CliError::Usage(message.into())
    }

    pub fn failed(message: impl Into<String>) -> Self {
        CliError::Failed(message.into())
    }

    /// A writing error on stdout.
    pub fn output(error: std::io::Error) -> Self {
        if error.kind() == std::io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::failed(format!("cannot write the output: {error}"))
        }
    }

    pub fn credentials(message: impl Into<String>) -> Self {
        CliError::Credentials(message.into())
    }

    /// 0 ok, 1 API or operation failure, 2 usage or bad input, 3 missing or rejected
    /// credentials, 130 interrupted.
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code())
    }

    /// The exit status as a number (see [`CliError::exit_code`]).
    pub fn code(&self) -> u8 {
        match self {
            CliError::Usage(_) => 2,
            CliError::Credentials(_) => 3,
            CliError::Api(error) => api_exit_code(error),
            CliError::Failed(_) => 1,
            CliError::BrokenPipe => 0,
            CliError::Interrupted => 130,
        }
    }

    /// The one line to print on stderr (`None`: print nothing).
    pub fn line(&self) -> Option<String> {
        let text = match self {
            CliError::Usage(message) | CliError::Failed(message) | CliError::Credentials(message) => {
                message.clone()
            }
            CliError::Api(error) => describe(error),
            CliError::BrokenPipe => return None,
            CliError::Interrupted => "interrupted".to_owned(),
        };
        Some(format!("error: {}", one_line(&text, 400)))
    }
}

/// The exit status of a library error, from its kind: bad input refused before any request
/// → 2; credentials missing or refused, or not allowing the call, or a configuration the
/// library refuses → 3; anything else → 1.
pub fn api_exit_code(error: &uploadcare::Error) -> u8 {
    use uploadcare::ErrorKind as K;
    match error.kind() {
        K::InvalidInput => 2,
        K::Auth | K::Forbidden | K::Config => 3,
        _ => 1,
    }
}

impl From<uploadcare::Error> for CliError {
    fn from(error: uploadcare::Error) -> Self {
        CliError::Api(error)
    }
}

impl From<progenitor_client::Error<uploadcare::ApiErrorBody>> for CliError {
    fn from(error: progenitor_client::Error<uploadcare::ApiErrorBody>) -> Self {
        CliError::Api(error.into())
    }
}

impl From<serde_json::Error> for CliError {
    fn from(error: serde_json::Error) -> Self {
        match error.io_error_kind() {
            Some(kind) => CliError::output(std::io::Error::from(kind)),
            None => CliError::failed(format!("cannot write the output as JSON: {error}")),
        }
    }
}

impl From<std::io::Error> for CliError {
    fn from(error: std::io::Error) -> Self {
        CliError::output(error)
    }
}

/// The walkthrough's boxed errors: the library's are described like every other.
impl From<Box<dyn std::error::Error + Send + Sync>> for CliError {
    fn from(error: Box<dyn std::error::Error + Send + Sync>) -> Self {
        match error.downcast::<uploadcare::Error>() {
            Ok(error) => CliError::Api(*error),
            Err(error) => match error.downcast::<std::io::Error>() {
                Ok(error) => CliError::output(*error),
                Err(error) => CliError::failed(error.to_string()),
            },
        }
    }
}

/// A library error as a human line: the HTTP status with the service's message, the
/// Upload API error code, or what failed on the way.
pub fn describe(error: &uploadcare::Error) -> String {
    use uploadcare::Error as E;
    match error {
        E::Api { status, detail, .. } => format!("HTTP {status}: {detail}"),
        E::Upload {
            status,
            code,
            message,
        } => format!("HTTP {status}, {code}: {message}"),
        E::UploadFromUrlFailed {
            code: Some(code),
            message,
        } => format!("upload from URL failed, {code}: {message}"),
        E::Transport(e) => format!("cannot reach the server: {}", causes(e)),
        E::Timeout(e) => format!("the request timed out: {}", causes(e)),
        E::InvalidResponse { message, body } => {
            let body = one_line(body, 80);
            format!("the server sent a malformed response ({message}); it began with: {body}")
        }
        E::UnexpectedStatus { status } => format!("the server answered with unexpected HTTP status {status}"),
        other => other.to_string(),
    }
}

/// An error with its root cause: `outer: innermost` (reqwest's own message names the URL,
/// the innermost says what happened, e.g. `Connection refused`).
fn causes(error: &dyn std::error::Error) -> String {
    let outer = error.to_string();
    let mut inner = None;
    let mut source = error.source();
    while let Some(cause) = source {
        inner = Some(cause.to_string());
        source = cause.source();
    }
    match inner {
        Some(inner) if !outer.contains(&inner) => format!("{outer}: {inner}"),
        _ => outer,
    }
}

/// Collapses whitespace (newlines included) and shortens to `max` characters.
pub fn one_line(text: &str, max: usize) -> String {
    let joined = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if joined.chars().count() <= max {
        joined
    } else {
        let mut short: String = joined.chars().take(max).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exit codes `ucare --help` and `ucare schema` list are exactly those the error
    /// mapping produces (plus 0, success).
    #[test]
    fn the_listed_exit_codes_are_the_ones_produced() {
        let variants = [
            CliError::Usage("u".into()),
            CliError::Credentials("c".into()),
            CliError::Api(uploadcare::Error::InvalidInput("i".into())),
            CliError::Api(uploadcare::Error::Config("c".into())),
            CliError::Failed("f".into()),
            CliError::BrokenPipe,
            CliError::Interrupted,
        ];
        let produced: std::collections::BTreeSet<u8> = variants.iter().map(CliError::code).collect();
        let listed: std::collections::BTreeSet<u8> =
            crate::schema::EXIT_CODES.iter().map(|(code, _)| *code).collect();
        assert_eq!(produced, listed);
        let help = crate::schema::exit_codes_help();
        for (code, _) in crate::schema::EXIT_CODES {
            assert!(help.contains(&code.to_string()), "--help lists {code}: {help}");
        }
    }

    #[test]
    fn messages_are_one_line() {
        assert_eq!(one_line("a\n  b\r\n\tc ", 10), "a b c");
        assert_eq!(one_line("abcdef", 3), "abc…");
        let error = CliError::Api(uploadcare::Error::Api {
            status: 502,
            detail: "<html>\n<body>Bad\ngateway</body>\n</html>".to_owned(),
            body: String::new(),
            retry_after: None,
        });
        assert_eq!(
            error.line().unwrap(),
            "error: HTTP 502: <html> <body>Bad gateway</body> </html>"
        );
        assert_eq!(error.exit_code(), ExitCode::from(1));
        assert_eq!(CliError::usage("x").exit_code(), ExitCode::from(2));
        assert!(CliError::BrokenPipe.line().is_none());
    }

    #[test]
    fn malformed_responses_are_described_briefly() {
        let error = uploadcare::Error::InvalidResponse {
            message: "key must be a string at line 1 column 2".to_owned(),
            body: format!("{{not json\n{}", "x".repeat(500)),
        };
        let line = describe(&error);
        assert!(
            line.starts_with("the server sent a malformed response (key must be"),
            "{line}"
        );
        assert!(line.len() < 250, "{line}");
    }
}
