//! Upload API auth tokens: the HS256 JWT the service takes in `Authorization: Bearer` as
//! the signed-upload credential (since 2026-09-08; `signature`/`expire` is the legacy
//! scheme). Minted on a backend that holds the project's secret key, with no network.
//!
//! ```
//! use std::time::Duration;
//! use uploadcare::upload_token::AuthToken;
//!
//! let token = AuthToken::builder()
//!     .lifetime(Duration::from_secs(3600))
//!     .scope(["/base/", "/multipart/*"])
//!     .operations(10)
//!     .subject("user-42")
//!     .mint(&uploadcare::SecretKey::new("project secret key"))?;
//! // Hand `token.expose_secret()` to the client that uploads; it never shows in Debug output.
//! assert!(!format!("{token:?}").contains(token.expose_secret()));
//! # Ok::<(), uploadcare::Error>(())
//! ```
//!
//! What the service checks, and so what [`AuthTokenBuilder::mint`] refuses with
//! [`Error::InvalidInput`] before anything is made: an expiry in the future, at most 24 hours
//! after issue; a scope of 1 to 16 items of at most 64 characters, each starting with `/`,
//! with `*` only as the last character right after a `/` (`/multipart/*`); an operations
//! limit of 1 to 100000. Only these claims are written (`exp`, `iat`, `sub`, `jti`,
//! `uc.restrictions`): the service refuses unknown ones, and `uc` is left out when the token
//! is unrestricted. The signing key is the raw 32-byte SHA-256 digest of the secret key
//! (not its hex form), the algorithm HS256.

use crate::error::{Error, Result};
use crate::SecretKey;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The longest lifetime the service accepts: 24 hours.
pub const MAX_TOKEN_LIFETIME: Duration = crate::limits::MAX_TOKEN_LIFETIME;
/// The most scope items a token may carry.
pub const MAX_SCOPE_ITEMS: usize = crate::limits::MAX_TOKEN_SCOPE_ITEMS;
/// The longest scope item, in characters.
pub const MAX_SCOPE_ITEM_LEN: usize = crate::limits::MAX_TOKEN_SCOPE_ITEM_LEN;
/// The range of a token's operations limit.
pub const OPERATIONS_RANGE: std::ops::RangeInclusive<u32> = crate::limits::TOKEN_OPERATIONS;

/// The compact JOSE header of every token: `{"alg":"HS256","typ":"JWT"}`, base64url.
const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// A minted auth token (a compact JWS). A credential: its `Debug` output is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct AuthToken {
    token: String,
    expires_at: u64,
}

impl AuthToken {
    /// A token to be configured and minted.
    pub fn builder() -> AuthTokenBuilder {
        AuthTokenBuilder::default()
    }

    /// The token, as the `Authorization: Bearer` header carries it. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.token
    }

    /// When it expires (its `exp` claim), in seconds since the Unix epoch.
    pub fn expires_at(&self) -> u64 {
        self.expires_at
    }
}

impl std::fmt::Debug for AuthToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthToken")
            .field("token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// When a token expires: a lifetime from its issue, or a moment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expiry {
    Lifetime(Duration),
    At(SystemTime),
}

/// The claims of a token being made; [`AuthTokenBuilder::mint`] checks and signs them.
#[derive(Clone, Debug, Default)]
#[must_use = "a token is made by `.mint(&secret_key)`"]
pub struct AuthTokenBuilder {
    expiry: Option<Expiry>,
    issued_at: Option<SystemTime>,
    subject: Option<String>,
    token_id: Option<String>,
    scope: Option<Vec<String>>,
    operations: Option<u32>,
}

impl AuthTokenBuilder {
    /// Expires this long after it is issued (whole seconds; at most 24 hours). Replaces an
    /// [`expires_at`](Self::expires_at).
    pub fn lifetime(mut self, lifetime: Duration) -> Self {
        self.expiry = Some(Expiry::Lifetime(lifetime));
        self
    }

    /// Expires at this moment (whole seconds; in the future, at most 24 hours after issue).
    /// Replaces a [`lifetime`](Self::lifetime).
    pub fn expires_at(mut self, at: SystemTime) -> Self {
        self.expiry = Some(Expiry::At(at));
        self
    }

    /// The issue time (`iat`; default: now). For tests and reproducible tokens.
    pub fn issued_at(mut self, at: SystemTime) -> Self {
        self.issued_at = Some(at);
        self
    }

    /// Your user's id (`sub`); the service gives it no meaning.
    pub fn subject(mut self, subject: impl Into<String>) -> Self {
        self.subject = Some(subject.into());
        self
    }

    /// The token's id (`jti`).
    pub fn token_id(mut self, id: impl Into<String>) -> Self {
        self.token_id = Some(id.into());
        self
    }

    /// The Upload API endpoints it may be used on (`uc.restrictions.scope`): paths with
    /// their trailing slash (`/base/`), or whole-segment prefixes ending in `/*`
    /// (`/multipart/*`; `/*` is every endpoint). Without a scope, every signed endpoint.
    pub fn scope(mut self, items: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scope
            .get_or_insert_with(Vec::new)
            .extend(items.into_iter().map(Into::into));
        self
    }

    /// How many operations (uploaded files) it may spend (`uc.restrictions.limits.operations`,
    /// 1 to 100000). Without it, no limit.
    pub fn operations(mut self, operations: u32) -> Self {
        self.operations = Some(operations);
        self
    }

    /// Checks the claims (see the [module docs](self)) and signs them with the project's
    /// secret key.
    pub fn mint(&self, secret_key: &SecretKey) -> Result<AuthToken> {
        let invalid = |rule: &str| Err(Error::InvalidInput(format!("auth token: {rule}")));
        if secret_key.expose_secret().is_empty() {
            return invalid("the secret key is empty");
        }
        let issued_at = unix_seconds(self.issued_at.unwrap_or_else(SystemTime::now));
        let expires_at = match self.expiry {
            None => return invalid("set a lifetime or an expiry (at most 24 hours)"),
            Some(Expiry::Lifetime(lifetime)) => issued_at.saturating_add(lifetime.as_secs()),
            Some(Expiry::At(at)) => unix_seconds(at),
        };
        if expires_at <= issued_at {
            return invalid("the expiry must be in the future (at least a second after issue)");
        }
        if expires_at - issued_at > MAX_TOKEN_LIFETIME.as_secs() {
            return invalid("the expiry can be at most 86400 seconds (24 hours) after issue");
        }
        if let Some(scope) = &self.scope {
            check_scope(scope).map_err(|rule| Error::InvalidInput(format!("auth token: {rule}")))?;
        }
        if let Some(operations) = self.operations {
            if !OPERATIONS_RANGE.contains(&operations) {
                return invalid(&format!(
                    "the operations limit must be {} to {}, got {operations}",
                    OPERATIONS_RANGE.start(),
                    OPERATIONS_RANGE.end()
                ));
            }
        }
        let payload = self.payload(issued_at, expires_at);
        let signing_input = format!("{HEADER}.{}", base64url(payload.as_bytes()));
        let key = signing_key(secret_key);
        let signature = crate::auth::hmac_sha256(&key, signing_input.as_bytes());
        Ok(AuthToken {
            token: format!("{signing_input}.{}", base64url(&signature)),
            expires_at,
        })
    }

    /// The claims as compact JSON, in the order `exp, iat, sub, jti, uc` (the official
    /// minter's order, so equal claims give byte-equal tokens).
    fn payload(&self, issued_at: u64, expires_at: u64) -> String {
        let text = |s: &str| serde_json::Value::from(s).to_string();
        let mut out = format!("{{\"exp\":{expires_at},\"iat\":{issued_at}");
        if let Some(subject) = &self.subject {
            out.push_str(&format!(",\"sub\":{}", text(subject)));
        }
        if let Some(id) = &self.token_id {
            out.push_str(&format!(",\"jti\":{}", text(id)));
        }
        if self.scope.is_some() || self.operations.is_some() {
            let mut restrictions = Vec::new();
            if let Some(scope) = &self.scope {
                let items: Vec<String> = scope.iter().map(|s| text(s)).collect();
                restrictions.push(format!("\"scope\":[{}]", items.join(",")));
            }
            if let Some(operations) = self.operations {
                restrictions.push(format!("\"limits\":{{\"operations\":{operations}}}"));
            }
            out.push_str(&format!(
                ",\"uc\":{{\"restrictions\":{{{}}}}}",
                restrictions.join(",")
            ));
        }
        out.push('}');
        out
    }
}

/// The scope rules of the service; the rule broken, in words.
#[doc(hidden)]
pub fn check_scope(scope: &[String]) -> std::result::Result<(), String> {
    if scope.is_empty() {
        return Err("the scope can not be empty (leave it out for every endpoint)".to_owned());
    }
    if scope.len() > MAX_SCOPE_ITEMS {
        return Err(format!(
            "the scope can have at most {MAX_SCOPE_ITEMS} items, got {}",
            scope.len()
        ));
    }
    for item in scope {
        let len = item.chars().count();
        if len == 0 || len > MAX_SCOPE_ITEM_LEN {
            return Err(format!(
                "scope item `{item}` must be 1 to {MAX_SCOPE_ITEM_LEN} characters, it has {len}"
            ));
        }
        if !item.starts_with('/') {
            return Err(format!("scope item `{item}` must start with `/`"));
        }
        if let Some(star) = item.find('*') {
            if star != item.len() - 1 || !item[..star].ends_with('/') {
                return Err(format!(
                    "scope item `{item}`: `*` is allowed only as the last character, right after a `/`"
                ));
            }
        }
    }
    Ok(())
}

/// The HS256 key: the raw SHA-256 digest of the secret key's UTF-8 bytes.
#[doc(hidden)]
pub fn signing_key(secret_key: &SecretKey) -> [u8; 32] {
    use sha2::Digest;
    sha2::Sha256::digest(secret_key.expose_secret().as_bytes()).into()
}

fn unix_seconds(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Base64url without padding (RFC 7515 §2).
#[doc(hidden)]
pub fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// What a token provider's fetch can fail with.
#[cfg(feature = "upload")]
pub type FetchError = Box<dyn std::error::Error + Send + Sync>;

#[cfg(feature = "upload")]
type Fetch = Box<
    dyn Fn() -> std::pin::Pin<
            Box<dyn std::future::Future<Output = std::result::Result<String, FetchError>> + Send>,
        > + Send
        + Sync,
>;

/// Auth tokens fetched from your backend (how browsers and mobile apps get them: the secret
/// key stays on the server), cached and refreshed `skew` before they expire (default 30 s,
/// read from the token's `exp` without verifying it; a token without a readable `exp` is
/// used until the service refuses it). Callers that arrive while a fetch runs share it:
/// one fetch, however many uploads are in flight. Give it to
/// [`Config::with_upload_token_provider`](crate::Config::with_upload_token_provider); on
/// `AccessTokenExpiredError` or `OperationsLimitExceededError` the client drops the token,
/// fetches a new one and sends the request once more.
///
/// ```no_run
/// use uploadcare::upload_token::TokenProvider;
///
/// let provider = TokenProvider::new(|| async {
///     // Ask your backend, which mints with `AuthToken::builder()`.
///     let token: String = reqwest::get("https://example.com/uploadcare-token").await?.text().await?;
///     Ok::<_, reqwest::Error>(token)
/// });
/// let config = uploadcare::Config::public_only("public key").with_upload_token_provider(provider);
/// ```
#[cfg(feature = "upload")]
pub struct TokenProvider {
    fetch: Fetch,
    skew: Duration,
    cached: std::sync::Mutex<Option<Cached>>,
    /// Held while a fetch runs: later callers wait for it and take its token.
    flight: tokio::sync::Mutex<()>,
    fetches: std::sync::atomic::AtomicU64,
    /// Tokens stored so far: a caller that waited sees whether one arrived meanwhile.
    stored: std::sync::atomic::AtomicU64,
}

#[cfg(feature = "upload")]
struct Cached {
    token: String,
    expires_at: Option<u64>,
}

#[cfg(feature = "upload")]
impl TokenProvider {
    /// A provider that calls `fetch` for a token (a compact JWS) whenever it has none
    /// fresh.
    pub fn new<F, Fut, E>(fetch: F) -> Self
    where
        F: Fn() -> Fut + Send + Sync + 'static,
        Fut: std::future::Future<Output = std::result::Result<String, E>> + Send + 'static,
        E: Into<FetchError> + 'static,
    {
        let fetch: Fetch = Box::new(move || {
            let fetched = fetch();
            Box::pin(async move { fetched.await.map_err(Into::into) })
        });
        Self {
            fetch,
            skew: Duration::from_secs(30),
            cached: std::sync::Mutex::new(None),
            flight: tokio::sync::Mutex::new(()),
            fetches: std::sync::atomic::AtomicU64::new(0),
            stored: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Fetches a new token this long before the cached one expires (default 30 s).
    pub fn with_skew(mut self, skew: Duration) -> Self {
        self.skew = skew;
        self
    }

    /// Starts with this token (e.g. one rendered by the server) instead of fetching.
    pub fn with_initial_token(self, token: impl Into<String>) -> Self {
        let token = token.into();
        *self.lock() = Some(Cached {
            expires_at: unverified_expiry(&token),
            token,
        });
        self
    }

    /// A fresh token: the cached one, or one fetched (shared with concurrent callers).
    pub async fn token(&self) -> Result<String> {
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        let stored_before = self.stored.load(std::sync::atomic::Ordering::Acquire);
        let _flight = self.flight.lock().await;
        // Another caller fetched while this one waited: take its token, fresh or not (a
        // token that lives no longer than the skew would otherwise be fetched once per
        // waiting caller).
        if self.stored.load(std::sync::atomic::Ordering::Acquire) != stored_before {
            if let Some(cached) = self.lock().as_ref() {
                return Ok(cached.token.clone());
            }
        }
        if let Some(token) = self.fresh() {
            return Ok(token);
        }
        self.fetches.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let token = (self.fetch)()
            .await
            .map_err(|source| Error::AuthTokenProvider { source })?;
        if token.trim().is_empty() {
            return Err(Error::AuthTokenProvider {
                source: "the provider returned an empty token".into(),
            });
        }
        let token = token.trim().to_owned();
        *self.lock() = Some(Cached {
            expires_at: unverified_expiry(&token),
            token: token.clone(),
        });
        self.stored.fetch_add(1, std::sync::atomic::Ordering::Release);
        Ok(token)
    }

    /// Drops the cached token: the next request fetches a new one.
    pub fn invalidate(&self) {
        *self.lock() = None;
    }

    /// Drops the cached token if it is still `refused` (a request refused with an older
    /// token must not throw away the new one another request already fetched).
    pub(crate) fn invalidate_if(&self, refused: &str) {
        let mut cached = self.lock();
        if cached.as_ref().is_some_and(|c| c.token == refused) {
            *cached = None;
        }
    }

    /// How many times the provider has fetched so far.
    pub fn fetches(&self) -> u64 {
        self.fetches.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn fresh(&self) -> Option<String> {
        let cached = self.lock();
        let cached = cached.as_ref()?;
        let now = unix_seconds(SystemTime::now());
        match cached.expires_at {
            Some(exp) if now.saturating_add(self.skew.as_secs()) >= exp => None,
            _ => Some(cached.token.clone()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<Cached>> {
        self.cached
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(feature = "upload")]
impl std::fmt::Debug for TokenProvider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenProvider")
            .field("skew", &self.skew)
            .field("fetches", &self.fetches())
            .finish_non_exhaustive()
    }
}

/// Decodes base64url without padding; `None` for any other text.
#[doc(hidden)]
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let value = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            _ => return None,
        } as u32)
    };
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            n |= value(*c)? << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// The `exp` claim of a token, read without verifying it (a client cannot: it has no
/// key); `None` when the token is not readable.
#[cfg_attr(not(feature = "upload"), allow(dead_code))]
pub(crate) fn unverified_expiry(token: &str) -> Option<u64> {
    let payload = token.split('.').nth(1)?;
    let claims: serde_json::Value = serde_json::from_slice(&base64url_decode(payload)?).ok()?;
    claims.get("exp")?.as_u64()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "YOUR_SECRET_KEY";
    const ISSUED: u64 = 1_678_359_840;

    fn at(seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(seconds)
    }

    fn hour() -> AuthTokenBuilder {
        AuthToken::builder()
            .issued_at(at(ISSUED))
            .lifetime(Duration::from_secs(3600))
    }

    fn mint(builder: AuthTokenBuilder) -> Result<AuthToken> {
        builder.mint(&SecretKey::new(SECRET))
    }

    #[test]
    fn the_fact_sheet_vectors_reproduce_byte_for_byte() {
        let v1 = mint(hour()).unwrap();
        assert_eq!(
            v1.expose_secret(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NzgzNjM0NDAsImlhdCI6MTY3ODM1OTg0MH0.8STB0bgfvWSXrEcRo_jZxWfBXc7o2VzcKJSSu8iodYw"
        );
        assert_eq!(v1.expires_at(), 1_678_363_440);
        let v2 = mint(hour().scope(["/base/", "/multipart/*"]).operations(10)).unwrap();
        assert_eq!(
            v2.expose_secret(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NzgzNjM0NDAsImlhdCI6MTY3ODM1OTg0MCwidWMiOnsicmVzdHJpY3Rpb25zIjp7InNjb3BlIjpbIi9iYXNlLyIsIi9tdWx0aXBhcnQvKiJdLCJsaW1pdHMiOnsib3BlcmF0aW9ucyI6MTB9fX19.ffkWKJ7n2wzoKF6Ujhm5umfyVsDY9ob12FJGlX47f4s"
        );
        let v3 = mint(
            hour()
                .subject("user-42")
                .token_id("token-1")
                .scope(["/base/", "/multipart/*"])
                .operations(20),
        )
        .unwrap();
        assert_eq!(
            v3.expose_secret(),
            "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2NzgzNjM0NDAsImlhdCI6MTY3ODM1OTg0MCwic3ViIjoidXNlci00MiIsImp0aSI6InRva2VuLTEiLCJ1YyI6eyJyZXN0cmljdGlvbnMiOnsic2NvcGUiOlsiL2Jhc2UvIiwiL211bHRpcGFydC8qIl0sImxpbWl0cyI6eyJvcGVyYXRpb25zIjoyMH19fX0.mGhnXVCbkLbGRUdTonR906rVl4n7DIkaIXKUnyAgwDQ"
        );
        // The same expiry given as a moment.
        let v1_at = mint(
            AuthToken::builder()
                .issued_at(at(ISSUED))
                .expires_at(at(1_678_363_440)),
        )
        .unwrap();
        assert_eq!(v1_at, v1);
    }

    #[test]
    fn the_key_is_the_raw_digest_of_the_secret() {
        assert_eq!(
            hex::encode(signing_key(&SecretKey::new(SECRET))),
            "67e2ad7ac39c349aa94140872d31cc585440e06c5758f82448f59bc877a191d4"
        );
    }

    #[test]
    fn each_rule_is_refused_with_its_own_message() {
        let refused = |builder: AuthTokenBuilder, rule: &str| match mint(builder) {
            Err(Error::InvalidInput(message)) => assert!(message.contains(rule), "{message} (wanted {rule})"),
            other => panic!("{rule}: {other:?}"),
        };
        refused(AuthToken::builder(), "set a lifetime");
        refused(hour().lifetime(Duration::ZERO), "in the future");
        refused(hour().expires_at(at(ISSUED - 1)), "in the future");
        refused(
            hour().lifetime(Duration::from_secs(86_401)),
            "at most 86400 seconds",
        );
        assert!(mint(hour().lifetime(Duration::from_secs(86_400))).is_ok());
        refused(hour().scope(Vec::<String>::new()), "can not be empty");
        refused(
            hour().scope((0..17).map(|i| format!("/p{i}/"))),
            "at most 16 items",
        );
        assert!(mint(hour().scope((0..16).map(|i| format!("/p{i}/")))).is_ok());
        refused(
            hour().scope([format!("/{}", "a".repeat(64))]),
            "1 to 64 characters",
        );
        assert!(mint(hour().scope([format!("/{}", "a".repeat(63))])).is_ok());
        refused(hour().scope([""]), "1 to 64 characters");
        refused(hour().scope(["base/"]), "must start with `/`");
        refused(hour().scope(["*"]), "must start with `/`");
        refused(hour().scope(["/base*"]), "only as the last character");
        refused(hour().scope(["/*/base/"]), "only as the last character");
        assert!(mint(hour().scope(["/*"])).is_ok());
        refused(hour().operations(0), "1 to 100000, got 0");
        refused(hour().operations(100_001), "1 to 100000, got 100001");
        assert!(mint(hour().operations(100_000)).is_ok());
        match hour().mint(&SecretKey::new("")) {
            Err(Error::InvalidInput(message)) => assert!(message.contains("secret key is empty")),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_token_and_the_secret_stay_out_of_debug_output() {
        let token = mint(hour()).unwrap();
        let shown = format!("{token:?} {:?}", hour().subject("u"));
        assert!(!shown.contains(token.expose_secret()), "{shown}");
        assert!(!shown.contains(SECRET));
        assert!(shown.contains("expires_at: 1678363440"), "{shown}");
    }

    #[test]
    fn claims_are_escaped_json() {
        let token = mint(hour().subject("a\"b\\c ü")).unwrap();
        let payload = token.expose_secret().split('.').nth(1).unwrap();
        assert_eq!(
            payload,
            base64url(r#"{"exp":1678363440,"iat":1678359840,"sub":"a\"b\\c ü"}"#.as_bytes())
        );
    }

    #[test]
    fn base64url_decodes_what_it_encodes() {
        for bytes in [&b""[..], b"f", b"fo", b"foo", b"foob", &[0xfb, 0xff, 0x00, 0x10]] {
            assert_eq!(base64url_decode(&base64url(bytes)).as_deref(), Some(bytes));
        }
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("ab=c"), None);
        assert_eq!(
            unverified_expiry(mint(hour()).unwrap().expose_secret()),
            Some(1_678_363_440)
        );
        assert_eq!(unverified_expiry("not a token"), None);
    }

    #[cfg(feature = "upload")]
    #[tokio::test]
    async fn waiting_callers_share_one_fetch_even_of_a_short_lived_token() {
        use std::sync::atomic::{AtomicU64, Ordering};
        use std::sync::Arc;
        let calls = Arc::new(AtomicU64::new(0));
        let counter = calls.clone();
        // Lives 10 s, less than the 30 s skew: never fresh.
        let provider = Arc::new(TokenProvider::new(move || {
            let n = counter.fetch_add(1, Ordering::SeqCst);
            async move {
                tokio::time::sleep(Duration::from_millis(50)).await;
                AuthToken::builder()
                    .lifetime(Duration::from_secs(10))
                    .token_id(format!("t{n}"))
                    .mint(&SecretKey::new(SECRET))
                    .map(|t| t.expose_secret().to_owned())
            }
        }));
        let tokens = futures_util::future::join_all((0..8).map(|_| {
            let provider = provider.clone();
            async move { provider.token().await.unwrap() }
        }))
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert!(tokens.iter().all(|t| t == &tokens[0]));
        // A refusal of an older token keeps the newer one.
        provider.invalidate_if("an older token");
        assert_eq!(
            provider.lock().as_ref().map(|c| c.token.clone()),
            Some(tokens[0].clone())
        );
        provider.invalidate_if(&tokens[0]);
        assert!(provider.lock().is_none());
    }

    #[test]
    fn base64url_has_no_padding() {
        assert_eq!(base64url(b""), "");
        assert_eq!(base64url(b"f"), "Zg");
        assert_eq!(base64url(b"fo"), "Zm8");
        assert_eq!(base64url(b"foo"), "Zm9v");
        assert_eq!(base64url(&[0xfb, 0xff]), "-_8");
    }
}
