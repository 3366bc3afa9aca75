//! Request signing: pure functions, no I/O, and a secret type that never prints itself.

use hmac::{Hmac, KeyInit, Mac};
use md5::{Digest, Md5};
use sha1::Sha1;

/// A project's secret key. Its `Debug` output is redacted, so it can sit inside
/// configuration structs that get logged.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(String);

impl SecretKey {
    /// Wraps a secret key.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The key itself. Keep it out of logs.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl From<&str> for SecretKey {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

impl From<String> for SecretKey {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

/// The string the REST API's signed scheme (`Authorization: Uploadcare <pub>:<signature>`)
/// signs: method, hex MD5 of the body, `Content-Type`, `Date`, and the request URI (path
/// plus `?query` when there is one, exactly as sent), joined by `\n`.
///
/// ```
/// let s = uploadcare::rest_string_to_sign("GET", b"", "application/json",
///     "Mon, 05 Nov 2018 13:14:41 GMT", "/files/?limit=1&stored=true");
/// assert_eq!(s, "GET\nd41d8cd98f00b204e9800998ecf8427e\napplication/json\n\
///                Mon, 05 Nov 2018 13:14:41 GMT\n/files/?limit=1&stored=true");
/// ```
pub fn rest_string_to_sign(method: &str, body: &[u8], content_type: &str, date: &str, uri: &str) -> String {
    let body_md5 = hex::encode(Md5::digest(body));
    format!(
        "{}\n{body_md5}\n{content_type}\n{date}\n{uri}",
        method.to_ascii_uppercase()
    )
}

/// The REST API request signature: lower-case hex HMAC-SHA1 of
/// [`rest_string_to_sign`] keyed with the project's secret key.
///
/// ```
/// let signature = uploadcare::sign_rest_request("demoprivatekey", "GET", b"",
///     "application/json", "Mon, 05 Nov 2018 13:14:41 GMT", "/files/?limit=1&stored=true");
/// assert_eq!(signature, "3cbc4d2cf91f80c1ba162b926f8a975e8bec7995");
/// ```
pub fn sign_rest_request(
    secret_key: &str,
    method: &str,
    body: &[u8],
    content_type: &str,
    date: &str,
    uri: &str,
) -> String {
    // The string to sign is fed to the HMAC piece by piece (no intermediate strings): the
    // same bytes as `rest_string_to_sign`, which a test checks.
    let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(secret_key.as_bytes())
        .expect("HMAC accepts keys of any length");
    if method.bytes().any(|b| b.is_ascii_lowercase()) {
        for b in method.bytes() {
            mac.update(&[b.to_ascii_uppercase()]);
        }
    } else {
        mac.update(method.as_bytes());
    }
    mac.update(b"\n");
    let mut body_md5 = [0u8; 32];
    if body.is_empty() {
        body_md5.copy_from_slice(EMPTY_MD5_HEX);
    } else {
        hex::encode_to_slice(Md5::digest(body), &mut body_md5).expect("32 hex digits for 16 bytes");
    }
    mac.update(&body_md5);
    for part in [content_type, date, uri] {
        mac.update(b"\n");
        mac.update(part.as_bytes());
    }
    hex_string(&mac.finalize().into_bytes())
}

/// Hex MD5 of no bytes, the body hash of every bodiless request.
const EMPTY_MD5_HEX: &[u8; 32] = b"d41d8cd98f00b204e9800998ecf8427e";

/// Lower-case hex of a digest, with the output string as the only allocation.
fn hex_string(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    out
}

/// The signed-upload signature: lower-case hex HMAC-SHA256, keyed with the project's secret
/// key, of `expire` (a UNIX time in seconds) written as a decimal string. Sent with
/// `expire` as the Upload API's `signature` field.
///
/// ```
/// let signature = uploadcare::sign_upload("project_secret_key", 1454903856);
/// assert_eq!(signature, "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47");
/// ```
pub fn sign_upload(secret_key: &str, expire: u64) -> String {
    // `expire` as decimal text on the stack: no allocation but the output.
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    let mut n = expire;
    loop {
        start -= 1;
        digits[start] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    hex_string(&hmac_sha256(secret_key.as_bytes(), &digits[start..]))
}

/// [`sign_upload`] over `expire` exactly as written (the service signs the text it received).
pub fn sign_upload_expire_text(secret_key: &str, expire: &str) -> String {
    hex_string(&hmac_sha256(secret_key.as_bytes(), expire.as_bytes()))
}

/// HMAC-SHA256 of `message` keyed with `key`: the one primitive behind signed uploads,
/// webhook signatures and secure-delivery tokens.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<sha2::Sha256> as KeyInit>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().into()
}

/// Compares two signatures without an early exit on the first differing byte.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    const DATE: &str = "Mon, 05 Nov 2018 13:14:41 GMT";

    // Expected values computed independently with Python's standard library, e.g.:
    // python3 -c "import hmac,hashlib;print(hmac.new(b'demoprivatekey',b'GET\nd41d8cd98f00b204e9800998ecf8427e\napplication/json\nMon, 05 Nov 2018 13:14:41 GMT\n/files/?limit=1&stored=true',hashlib.sha1).hexdigest())"
    #[test]
    fn signs_the_documented_example() {
        let sig = sign_rest_request(
            "demoprivatekey",
            "GET",
            b"",
            "application/json",
            DATE,
            "/files/?limit=1&stored=true",
        );
        assert_eq!(sig, "3cbc4d2cf91f80c1ba162b926f8a975e8bec7995");
    }

    // python3 -c "import hmac,hashlib;b=b'[\"3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47\"]';print(hmac.new(b'demoprivatekey',b'PUT\n'+hashlib.md5(b).hexdigest().encode()+b'\napplication/json\nMon, 05 Nov 2018 13:14:41 GMT\n/files/storage/',hashlib.sha1).hexdigest())"
    #[test]
    fn signs_a_json_body() {
        let body = br#"["3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47"]"#;
        let sig = sign_rest_request(
            "demoprivatekey",
            "PUT",
            body,
            "application/json",
            DATE,
            "/files/storage/",
        );
        assert_eq!(sig, "2a3d985324a8797fb7f35acb24dca3e094242c9e");
    }

    // python3 -c "import hmac,hashlib;b=b'target_url=https%3A%2F%2Fexample.com%2Fhook&event=file.uploaded';print(hmac.new('sécret'.encode(),b'POST\n'+hashlib.md5(b).hexdigest().encode()+b'\napplication/x-www-form-urlencoded\nMon, 05 Nov 2018 13:14:41 GMT\n/webhooks/',hashlib.sha1).hexdigest())"
    #[test]
    fn signs_a_form_body_with_a_non_ascii_secret() {
        let body = b"target_url=https%3A%2F%2Fexample.com%2Fhook&event=file.uploaded";
        let sig = sign_rest_request(
            "sécret",
            "post",
            body,
            "application/x-www-form-urlencoded",
            DATE,
            "/webhooks/",
        );
        assert_eq!(sig, "6c4664e83a0769fb87f6de5d4488e49114636dcc");
    }

    // python3 -c "import hmac,hashlib;print(hmac.new(b'project_secret_key',b'1454903856',hashlib.sha256).hexdigest())"
    #[test]
    fn signs_an_upload_expiry() {
        assert_eq!(
            sign_upload("project_secret_key", 1454903856),
            "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47"
        );
    }

    // python3 -c "import hmac,hashlib;print(hmac.new('sécret'.encode(),b'1700000000',hashlib.sha256).hexdigest())"
    #[test]
    fn signs_an_upload_expiry_with_a_non_ascii_secret() {
        assert_eq!(
            sign_upload("sécret", 1700000000),
            "b3f5ad89fc3e92198c4c2f7d1f7426e5c1d9d6176a6edfdb15330a3ba8590ae9"
        );
    }

    /// The streamed HMAC input is byte for byte `rest_string_to_sign` (lower-case methods,
    /// empty and non-empty bodies).
    #[test]
    fn signing_signs_the_string_to_sign() {
        for (method, body) in [("GET", &b""[..]), ("post", b"{\"a\":1}"), ("Delete", b"")] {
            let message = rest_string_to_sign(method, body, "application/json", DATE, "/files/?x=1");
            let mut mac = <Hmac<Sha1> as KeyInit>::new_from_slice(b"k").unwrap();
            mac.update(message.as_bytes());
            let expected = hex::encode(mac.finalize().into_bytes());
            assert_eq!(
                sign_rest_request("k", method, body, "application/json", DATE, "/files/?x=1"),
                expected
            );
        }
        assert_eq!(hex::encode(Md5::digest(b"")).as_bytes(), EMPTY_MD5_HEX);
        for expire in [0, 9, 10, 1_454_903_856, u64::MAX] {
            assert_eq!(
                sign_upload("k", expire),
                sign_upload_expire_text("k", &expire.to_string())
            );
        }
    }

    #[test]
    fn md5_of_an_empty_body_is_the_documented_constant() {
        let s = rest_string_to_sign("DELETE", b"", "application/json", DATE, "/groups/x~1/");
        assert_eq!(s.lines().nth(1), Some("d41d8cd98f00b204e9800998ecf8427e"));
        assert!(s.starts_with("DELETE\n"));
        assert!(s.ends_with("\n/groups/x~1/"));
    }

    #[test]
    fn secret_key_debug_is_redacted() {
        let key = SecretKey::new("super-secret-value");
        assert!(!format!("{key:?}").contains("super-secret-value"));
    }
}
