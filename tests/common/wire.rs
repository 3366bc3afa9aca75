//! The one wire-test harness of the REST API versions: a recording server answering the
//! document's own examples, a client of the version under test for each auth scheme, the
//! authentication headers checked independently of the crate's signing code, and the
//! check that every operation of the document is exercised. Each version's file holds only
//! what differs between versions: the calls, the bytes they must put on the wire and the
//! values they must parse.

use super::document::OpenApiDoc;
use super::{Recorded, Reply, Server};
use serde_json::Value;
use std::collections::BTreeSet;
use std::future::Future;
use uploadcare::{AuthScheme, Config, Error, ResponseValue};

/// The harness of one REST API version, for its generated client `C`.
pub struct Wire<C> {
    document: OpenApiDoc,
    /// `0.5`, `0.6`, `0.7`.
    version: &'static str,
    /// The version's media type, `application/vnd.uploadcare-v0.X+json`.
    media_type: &'static str,
    client: fn(Config) -> uploadcare::Result<C>,
}

impl<C> Wire<C> {
    /// The harness of `version` (its document is `openapi/rest-v<version>.yaml`).
    pub fn new(version: &'static str, client: fn(Config) -> uploadcare::Result<C>) -> Self {
        Self {
            document: OpenApiDoc::load(&format!("rest-v{version}.yaml")),
            version,
            media_type: Box::leak(uploadcare::runtime::accept_header(version).into_boxed_str()),
            client,
        }
    }

    /// The version's OpenAPI document.
    pub fn document(&self) -> &OpenApiDoc {
        &self.document
    }

    /// The documented example answer of `operation_id` with `status`.
    pub fn example(&self, operation_id: &str, status: u16) -> Value {
        self.document.example(operation_id, status)
    }

    /// A documented answer without a body.
    pub fn empty_reply(&self, operation_id: &str, status: u16) -> Reply {
        self.document.empty_reply(operation_id, status)
    }

    /// Checks the request against the operation's method, path, query and content type.
    pub fn assert_request(
        &self,
        request: &Recorded,
        operation_id: &str,
        method: &str,
        path: &str,
        query: Option<&str>,
        content_type: &str,
    ) {
        self.document
            .assert_request(request, operation_id, method, path, query, content_type)
    }

    /// The server's answer: the documented example, as the service sends it (in the
    /// version's media type).
    pub fn example_reply(&self, operation_id: &str, status: u16) -> Reply {
        Reply {
            content_type: self.media_type,
            ..Reply::json(status, &self.example(operation_id, status))
        }
    }

    /// Same, with `Content-Type: application/json` (what the service sends for conversion
    /// job answers).
    pub fn plain_json_example_reply(&self, operation_id: &str, status: u16) -> Reply {
        Reply {
            content_type: "application/json",
            ..self.example_reply(operation_id, status)
        }
    }

    /// Starts a server answering `reply`, runs `call` with a client for `scheme`, checks the
    /// request's authentication headers and `Accept`, and returns the response and the
    /// single request.
    pub async fn exercise<T, F, Fut>(
        &self,
        scheme: AuthScheme,
        reply: Reply,
        call: F,
    ) -> (ResponseValue<T>, Recorded)
    where
        F: FnOnce(C) -> Fut,
        Fut: Future<Output = Result<ResponseValue<T>, Error>>,
    {
        let server = Server::start(vec![reply]).await;
        let config = Config::new(super::PUBLIC_KEY, super::SECRET_KEY)
            .with_rest_base_url(server.url())
            .with_auth_scheme(scheme);
        let client = (self.client)(config).expect("client from config");
        let response = match call(client).await {
            Ok(response) => response,
            Err(e) => panic!("{} {scheme:?}: the call failed: {e}", self.version),
        };
        let recorded = server.only_request();
        super::verify_auth(&recorded, scheme == AuthScheme::Signed, self.version);
        (response, recorded)
    }

    /// Every operation of the document is in `exercised` (one test each), and nothing else.
    pub fn assert_every_operation_exercised(&self, exercised: &[&str]) {
        let documented: BTreeSet<String> = self
            .document
            .operations()
            .iter()
            .map(|(_, _, op)| {
                op["operationId"]
                    .as_str()
                    .expect("operationId is a string")
                    .to_owned()
            })
            .collect();
        let listed: BTreeSet<String> = exercised.iter().map(|s| s.to_string()).collect();
        assert_eq!(listed.len(), exercised.len(), "duplicates in the exercised list");
        assert_eq!(documented, listed, "REST API {}", self.version);
    }
}
