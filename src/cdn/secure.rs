//! Signed URLs for secure delivery: time-limited `?token=` URLs for a project whose CDN
//! refuses unsigned requests (Dashboard → Delivery → "Enable signed URLs").
//!
//! Tokens are Akamai-style, signed with the project's hex-encoded signing secret:
//!
//! * ACL token: `exp=<unix>~acl=<acl>~hmac=<hex>`, the HMAC-SHA256 (keyed with the
//!   hex-decoded secret) of `exp=<unix>~acl=<acl>`. The ACL is a path (`/<uuid>/`,
//!   `/<uuid>/-/resize/640x/`) or a prefix ending in the `*` wildcard (`/<uuid>/*`: the file
//!   and all its variants; `/*`: every file). A `~` in the ACL is written `%7e`, since `~`
//!   separates the token's fields.
//! * URL token: `exp=<unix>~hmac=<hex>`, the HMAC-SHA256 of `exp=<unix>~url=<escaped path>`,
//!   where the path is "escaped early": every byte except ASCII letters, digits, `-._~,` is
//!   percent-encoded with lower-case hex (`/` → `%2f`), a space becomes `+`, then `~` becomes
//!   `%7e`. The token is good for that one path.
//!
//! ```
//! use std::time::Duration;
//! use uploadcare::cdn::secure::SecureDelivery;
//!
//! let signer = SecureDelivery::new("73636b6151")?.with_window(Duration::from_secs(600));
//! let url = signer.sign_url("https://cdn.example.com", "/3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c/");
//! assert!(url.starts_with("https://cdn.example.com/3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c/?token=exp="));
//! // The secret never shows in Debug output.
//! assert!(!format!("{signer:?}").contains("73636b6151"));
//! # Ok::<(), uploadcare::Error>(())
//! ```

use crate::error::{Error, Result};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Default lifetime of a signed URL.
pub const DEFAULT_WINDOW: Duration = Duration::from_secs(300);

/// Turns a CDN path into a signed path-and-query: the hook for a custom signing scheme (your
/// own token service, a proxy) wherever the crate builds signed URLs.
pub trait UrlSigner {
    /// `path` is a CDN path (`/<uuid>/…`, percent-encoded as it will be sent); the answer is
    /// that path with whatever query the CDN needs to accept it (e.g. `?token=…`), to be
    /// appended to the CDN base.
    fn sign(&self, path: &str) -> Result<String>;
}

/// A secure-delivery signing secret: the decoded bytes of the hex secret from the Dashboard.
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct SigningSecret(Vec<u8>);

impl SigningSecret {
    /// Decodes a hex secret; [`Error::Config`] when it is empty or not hex (the message never
    /// quotes the secret).
    pub fn from_hex(secret: &str) -> Result<Self> {
        let secret = secret.trim();
        if secret.is_empty() {
            return Err(Error::Config("the secure delivery secret is empty".to_owned()));
        }
        hex::decode(secret).map(Self).map_err(|_| {
            Error::Config(
                "the secure delivery secret is not hex (expected an even number of 0-9a-f digits)".to_owned(),
            )
        })
    }

    fn hmac_hex(&self, message: &str) -> String {
        hex::encode(crate::auth::hmac_sha256(&self.0, message.as_bytes()))
    }
}

impl std::fmt::Debug for SigningSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SigningSecret(<redacted>)")
    }
}

/// Which token [`SecureDelivery::sign_url`] puts in URLs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TokenKind {
    /// An ACL token whose ACL is the signed path itself (default).
    #[default]
    Acl,
    /// A URL token (no ACL in the token; the HMAC covers the escaped path).
    Url,
}

/// Signs CDN URLs with a project's secure-delivery secret.
#[derive(Clone, Debug)]
pub struct SecureDelivery {
    secret: SigningSecret,
    window: Duration,
    kind: TokenKind,
}

impl SecureDelivery {
    /// A signer with the hex secret (as the Dashboard shows it), a [`DEFAULT_WINDOW`] lifetime
    /// and ACL tokens. [`Error::Config`] when the secret is not hex.
    pub fn new(hex_secret: &str) -> Result<Self> {
        Ok(Self::from_secret(SigningSecret::from_hex(hex_secret)?))
    }

    /// A signer with an already decoded secret.
    pub fn from_secret(secret: SigningSecret) -> Self {
        Self {
            secret,
            window: DEFAULT_WINDOW,
            kind: TokenKind::default(),
        }
    }

    /// How long URLs from [`SecureDelivery::sign_url`] stay valid (default 300 s).
    pub fn with_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Which token [`SecureDelivery::sign_url`] uses (default [`TokenKind::Acl`]).
    pub fn with_token_kind(mut self, kind: TokenKind) -> Self {
        self.kind = kind;
        self
    }

    /// The lifetime of signed URLs.
    pub fn window(&self) -> Duration {
        self.window
    }

    /// The expiry (Unix seconds) of a URL signed now: now plus the window.
    pub fn expiry_from_now(&self) -> u64 {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
        (now + self.window).as_secs()
    }

    /// An ACL token, `exp=<exp>~acl=<acl>~hmac=<hex>`: good until `exp` (Unix seconds) for
    /// every path the ACL matches (`/<uuid>/*` for a file and its variants). A `~` in `acl` is
    /// written `%7e`.
    pub fn acl_token(&self, acl: &str, exp: u64) -> String {
        let acl = acl.replace('~', "%7e");
        let fields = format!("exp={exp}~acl={acl}");
        let hmac = self.secret.hmac_hex(&fields);
        format!("{fields}~hmac={hmac}")
    }

    /// A URL token, `exp=<exp>~hmac=<hex>`, whose HMAC covers `exp=<exp>~url=<path escaped
    /// early>` (see the module docs): good until `exp` for that one path.
    pub fn url_token(&self, path: &str, exp: u64) -> String {
        let message = format!("exp={exp}~url={}", escape_early(path));
        let hmac = self.secret.hmac_hex(&message);
        format!("exp={exp}~hmac={hmac}")
    }

    /// The token of this signer's kind for `path` (already in wire form) until `exp`.
    fn token_for(&self, path: &str, exp: u64) -> String {
        match self.kind {
            TokenKind::Acl => self.acl_token(path, exp),
            TokenKind::Url => self.url_token(path, exp),
        }
    }

    /// `<base><path>?token=…`, valid for the window from now. `path` is a CDN path
    /// (`/<uuid>/`, `/<uuid>/-/resize/640x/photo.jpg`; a missing leading `/` is added) without a
    /// query; characters a URL path cannot hold (space, non-ASCII, `?`, `#`, …) are
    /// percent-encoded before signing, so the token covers exactly what is sent.
    pub fn sign_url(&self, base: &str, path: &str) -> String {
        self.sign_url_at(base, path, self.expiry_from_now())
    }

    /// [`SecureDelivery::sign_url`] with an explicit expiry (Unix seconds).
    pub fn sign_url_at(&self, base: &str, path: &str, exp: u64) -> String {
        let path = wire_path(path);
        let token = self.token_for(&path, exp);
        format!("{}{path}?token={token}", base.trim_end_matches('/'))
    }

    /// `<base><path>?token=…` with an ACL token for `acl` (e.g. `/<uuid>/*`) rather than for
    /// the path itself.
    pub fn sign_url_with_acl(&self, base: &str, path: &str, acl: &str, exp: u64) -> String {
        let path = wire_path(path);
        let token = self.acl_token(acl, exp);
        format!("{}{path}?token={token}", base.trim_end_matches('/'))
    }
}

impl UrlSigner for SecureDelivery {
    fn sign(&self, path: &str) -> Result<String> {
        let path = wire_path(path);
        let token = self.token_for(&path, self.expiry_from_now());
        Ok(format!("{path}?token={token}"))
    }
}

/// The path as sent: a leading `/`, and bytes a URL path cannot hold percent-encoded
/// (upper-case hex; existing `%XX` escapes are kept).
fn wire_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 1);
    if !path.starts_with('/') {
        out.push('/');
    }
    for &b in path.as_bytes() {
        let keep = b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@/%".contains(&b);
        if keep {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Akamai's "escape early" of a path for URL tokens: percent-encode every byte but ASCII
/// letters, digits and `-._~,` (lower-case hex), a space as `+`, then `~` as `%7e`.
pub fn escape_early(path: &str) -> String {
    let mut out = String::with_capacity(path.len() * 3);
    for &b in path.as_bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b',' => out.push(b as char),
            b'~' => out.push_str("%7e"),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // The docs' test environment secret (https://uploadcare.com/docs/security/secure-delivery/).
    const SECRET: &str = "73636b6151";
    const UUID: &str = "3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c";

    fn signer() -> SecureDelivery {
        SecureDelivery::new(SECRET).unwrap()
    }

    // Vectors: python3 -c "import hmac,hashlib;print(hmac.new(bytes.fromhex('73636b6151'),
    //   b'<message>',hashlib.sha256).hexdigest())" with the message shown in each assertion.
    #[test]
    fn acl_tokens_match_independent_vectors() {
        // message exp=1700000000~acl=/<uuid>/*
        assert_eq!(
            signer().acl_token(&format!("/{UUID}/*"), 1_700_000_000),
            format!(
                "exp=1700000000~acl=/{UUID}/*~hmac=3d9ba720bcd4eb206078db2a6a842deb05f7de6f788e796cccc7ee58be4725a0"
            )
        );
        // message exp=1700000000~acl=/<uuid>/
        assert_eq!(
            signer().acl_token(&format!("/{UUID}/"), 1_700_000_000),
            format!(
                "exp=1700000000~acl=/{UUID}/~hmac=a97d84ed9f60f54a7ec8369e960e36944e4842cf7f89a6b5c67b954a3c160d68"
            )
        );
        // message exp=1700000000~acl=/*
        assert_eq!(
            signer().acl_token("/*", 1_700_000_000),
            "exp=1700000000~acl=/*~hmac=cc9a415a1576ae20f11b56ed388d56e5ce58e8eead6de41852246da0418d191e"
        );
        // message exp=1700000000~acl=/<uuid>/a%7eb/  (the `~` escaped)
        assert_eq!(
            signer().acl_token(&format!("/{UUID}/a~b/"), 1_700_000_000),
            format!(
                "exp=1700000000~acl=/{UUID}/a%7eb/~hmac=e6b6e6be2525c5bff4899826a935bf27427543ab5f2d85636e133c4fba7fa2d7"
            )
        );
    }

    // The escaped paths were computed with Python's
    // re.sub(r"(%..)", lambda m: m.group(1).lower(), quote_plus(p, safe=",")).replace("~", "%7e").
    #[test]
    fn url_tokens_match_independent_vectors() {
        // message exp=1700000000~url=%2f<uuid>%2f-%2fresize%2f640x%2f
        assert_eq!(
            signer().url_token(&format!("/{UUID}/-/resize/640x/"), 1_700_000_000),
            "exp=1700000000~hmac=f60987887e0e2dc823ab30bb9a92db2e11c4d320fcf7dc83958cf18d37be212b"
        );
        // message exp=1700000000~url=%2f<uuid>%2f-%2fcrop%2f10,20%2fmy%7efile+name%2b%c3%bc.jpg
        assert_eq!(
            signer().url_token(&format!("/{UUID}/-/crop/10,20/my~file name+ü.jpg"), 1_700_000_000),
            "exp=1700000000~hmac=56759fc8a69e0ce67abdcd68e3439040eb274b153fe2f2821e9d8ac3b3907ded"
        );
    }

    #[test]
    fn escaping() {
        assert_eq!(escape_early("/a b/~,+ü%"), "%2fa+b%2f%7e,%2b%c3%bc%25");
        assert_eq!(wire_path("x/my file?.jpg"), "/x/my%20file%3F.jpg");
        assert_eq!(wire_path("/x/a%20b/ü"), "/x/a%20b/%C3%BC");
    }

    #[test]
    fn signed_urls() {
        let url = signer().sign_url_at("https://sectest.ucarecdn.com/", UUID, 1_700_000_000);
        assert_eq!(
            url,
            format!(
                "https://sectest.ucarecdn.com/{UUID}?token=exp=1700000000~acl=/{UUID}~hmac={}",
                signer().secret.hmac_hex(&format!("exp=1700000000~acl=/{UUID}"))
            )
        );
        let url = signer().with_token_kind(TokenKind::Url).sign_url_at(
            "https://sectest.ucarecdn.com",
            &format!("/{UUID}/-/resize/640x/"),
            1_700_000_000,
        );
        assert_eq!(
            url,
            format!(
                "https://sectest.ucarecdn.com/{UUID}/-/resize/640x/?token=exp=1700000000~hmac=f60987887e0e2dc823ab30bb9a92db2e11c4d320fcf7dc83958cf18d37be212b"
            )
        );
        let url = signer().sign_url_with_acl(
            "https://sectest.ucarecdn.com",
            &format!("/{UUID}/-/resize/640x/"),
            &format!("/{UUID}/*"),
            1_700_000_000,
        );
        assert!(url.ends_with(
            "?token=exp=1700000000~acl=/3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c/*~hmac=3d9ba720bcd4eb206078db2a6a842deb05f7de6f788e796cccc7ee58be4725a0"
        ));
        let signed = UrlSigner::sign(&signer(), &format!("/{UUID}/")).unwrap();
        assert!(signed.starts_with(&format!("/{UUID}/?token=exp=")));
        let exp: u64 = signed
            .split("exp=")
            .nth(1)
            .unwrap()
            .split('~')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
        assert!(exp >= now + 299 && exp <= now + 301);
    }

    #[test]
    fn bad_secrets_are_typed_errors_without_the_secret() {
        for bad in ["", "xyz-not-hex", "abc"] {
            let err = SecureDelivery::new(bad).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err:?}");
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad));
                assert!(!format!("{err:?}").contains(bad));
            }
        }
        let signer = signer();
        assert!(!format!("{signer:?}").contains(SECRET));
        assert!(format!("{signer:?}").contains("redacted"));
    }
}
