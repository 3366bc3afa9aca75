//! The emulated CDN's rules: which operation names a URL may carry (the URL API's list,
//! [`uploadcare::cdn::url::OPERATIONS`]), and secure delivery (signed URLs) when the project has it on.
//!
//! The token check is written independently of `uploadcare::cdn::secure` (the client side), so
//! tests of one against the other check both.

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// The operation names in a CDN path after `<uuid>/` (`-/resize/640x/-/json/` →
/// `["resize", "json"]`); `Err` with the reason for an empty or unknown name.
pub(crate) fn operations(rest: &str) -> Result<Vec<&str>, String> {
    let segments: Vec<&str> = rest.split('/').collect();
    let mut names = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        if segments[i] == "-" {
            let name = segments.get(i + 1).copied().unwrap_or("");
            if name.is_empty() {
                return Err("empty operation after `/-/`".to_owned());
            }
            if !uploadcare::cdn::url::OPERATIONS.contains(&name) {
                return Err(format!("unknown operation `{name}`"));
            }
            names.push(name);
            i += 2;
        } else {
            i += 1;
        }
    }
    Ok(names)
}

/// A secure-delivery signing secret, decoded; `Debug` is redacted.
#[derive(Clone)]
pub(crate) struct DeliverySecret(Vec<u8>);

impl std::fmt::Debug for DeliverySecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DeliverySecret(<redacted>)")
    }
}

impl DeliverySecret {
    /// `None` when `hex_secret` is empty or not hex.
    pub(crate) fn from_hex(hex_secret: &str) -> Option<Self> {
        let hex_secret = hex_secret.trim();
        if hex_secret.is_empty() {
            return None;
        }
        hex::decode(hex_secret).ok().map(Self)
    }

    fn verify(&self, message: &str, hmac_hex: &str) -> bool {
        let Ok(expected) = hex::decode(hmac_hex) else {
            return false;
        };
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0) else {
            return false;
        };
        mac.update(message.as_bytes());
        mac.verify_slice(&expected).is_ok()
    }

    /// Checks the `token` of a CDN request for `path` (the request path below the CDN
    /// base, as received, e.g. `/<uuid>/-/resize/640x/`) at `now` (Unix seconds). `Err` says
    /// why it is refused.
    pub(crate) fn check(&self, path: &str, query: Option<&str>, now: u64) -> Result<(), &'static str> {
        // The raw value: the token's own `%7e` escapes must survive, so no form decoding.
        let token = query
            .unwrap_or("")
            .split('&')
            .find_map(|pair| pair.strip_prefix("token="))
            .ok_or("missing token")?;
        let fields: Vec<&str> = token.split('~').collect();
        let (hmac_field, signed) = fields.split_last().ok_or("malformed token")?;
        let hmac = hmac_field.strip_prefix("hmac=").ok_or("malformed token")?;
        let field = |name: &str| {
            signed
                .iter()
                .find_map(|f| f.strip_prefix(name).and_then(|v| v.strip_prefix('=')))
        };
        let exp: u64 = field("exp")
            .and_then(|v| v.parse().ok())
            .ok_or("malformed token")?;
        let signed = signed.join("~");
        match field("acl") {
            Some(acl) => {
                if !self.verify(&signed, hmac) {
                    return Err("bad signature");
                }
                let path = unescape_tilde(path);
                let allowed = acl
                    .split('!')
                    .map(unescape_tilde)
                    .any(|acl| match acl.strip_suffix('*') {
                        Some(prefix) => path.starts_with(prefix),
                        None => path == acl,
                    });
                if !allowed {
                    return Err("path not covered by the token's ACL");
                }
            }
            None => {
                let message = format!("{signed}~url={}", escape_early(path));
                if !self.verify(&message, hmac) {
                    return Err("bad signature");
                }
            }
        }
        if exp <= now {
            return Err("token expired");
        }
        Ok(())
    }
}

fn unescape_tilde(s: &str) -> String {
    s.replace("%7e", "~").replace("%7E", "~")
}

/// Akamai's "escape early": every byte but ASCII letters, digits and `-._,` as `%xx`
/// (lower-case hex), a space as `+`, `~` as `%7e`.
fn escape_early(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b',') {
            out.push(char::from(b));
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains() {
        assert_eq!(operations("photo.jpg"), Ok(vec![]));
        assert_eq!(operations("-/resize/640x/-/json/"), Ok(vec!["resize", "json"]));
        assert!(operations("-/").is_err());
        assert!(operations("-/resize/640x/-/").is_err());
        assert!(operations("-/nosuchop/1/").is_err());
        assert!(operations("-/-/").is_err());
    }

    #[test]
    fn tokens() {
        // python3 -c "import hmac,hashlib;print(hmac.new(bytes.fromhex('73636b6151'),
        //   b'exp=1700000000~acl=/3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c/*',hashlib.sha256).hexdigest())"
        let secret = DeliverySecret::from_hex("73636b6151").unwrap();
        let uuid = "3a7f0c1e-1f2b-4e6a-9d2c-5b8e7a6f4d3c";
        let token = format!(
            "token=exp=1700000000~acl=/{uuid}/*~hmac=3d9ba720bcd4eb206078db2a6a842deb05f7de6f788e796cccc7ee58be4725a0"
        );
        let path = format!("/{uuid}/-/resize/640x/");
        assert_eq!(secret.check(&path, Some(&token), 1_699_999_999), Ok(()));
        assert_eq!(
            secret.check(&path, Some(&token), 1_700_000_000),
            Err("token expired")
        );
        assert!(secret.check("/other/", Some(&token), 1_600_000_000).is_err());
        assert_eq!(secret.check(&path, None, 1), Err("missing token"));
        // URL token: message exp=1700000000~url=%2f<uuid>%2f-%2fresize%2f640x%2f, same command.
        let token =
            "token=exp=1700000000~hmac=f60987887e0e2dc823ab30bb9a92db2e11c4d320fcf7dc83958cf18d37be212b";
        assert_eq!(secret.check(&path, Some(token), 1_600_000_000), Ok(()));
        assert!(secret
            .check(&format!("/{uuid}/"), Some(token), 1_600_000_000)
            .is_err());
        assert!(format!("{secret:?}").contains("redacted"));
        assert!(DeliverySecret::from_hex("zz").is_none());
    }
}
