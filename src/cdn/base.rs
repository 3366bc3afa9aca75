//! The CDN base: the origin (scheme and host, no trailing slash) that file URLs start with.
//!
//! Since September 2025 every project has its own CDN subdomain,
//! `https://<prefix>.ucarecd.net`, where `<prefix>` is derived from the project's public key
//! ([`project_cdn_base`]). Projects created earlier may still use the legacy global domain
//! [`LEGACY_CDN_BASE`] (`https://ucarecdn.com`), and any project may have a custom CNAME; set
//! either with [`crate::Config::with_cdn_base_url`].
//!
//! File infos from the REST and Upload APIs carry URLs on `ucarecdn.com`;
//! [`rewrite_to_base`] moves them onto the project's base.

use sha2::{Digest, Sha256};

/// The legacy global CDN origin.
pub const LEGACY_CDN_BASE: &str = "https://ucarecdn.com";
/// The parent domain of per-project CDN subdomains.
pub const PROJECT_CDN_DOMAIN: &str = "ucarecd.net";
/// Length of a project's CDN subdomain prefix.
pub const PREFIX_LEN: usize = 10;

const BASE36_DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// The base-36 form (digits, then lower-case letters, no leading zeros) of a big-endian
/// unsigned number of any length; `"0"` for zero.
fn base36(big_endian: &[u8]) -> String {
    let mut number: Vec<u8> = big_endian.to_vec();
    let mut digits = Vec::new();
    // Long division by 36, most significant byte first; each pass yields one digit (the
    // remainder) and leaves the quotient in `number`.
    while number.iter().any(|&b| b != 0) {
        let mut remainder: u32 = 0;
        for byte in number.iter_mut() {
            let value = (remainder << 8) | u32::from(*byte);
            *byte = (value / 36) as u8;
            remainder = value % 36;
        }
        digits.push(BASE36_DIGITS[remainder as usize]);
        // Drop leading zero bytes so the loop shortens as the quotient does.
        let zeros = number.iter().take_while(|&&b| b == 0).count();
        number.drain(..zeros);
    }
    if digits.is_empty() {
        digits.push(b'0');
    }
    digits.reverse();
    String::from_utf8(digits).expect("base-36 digits are ASCII")
}

/// The project's CDN subdomain prefix: the first [`PREFIX_LEN`] characters of the base-36 form
/// of the SHA-256 digest of the public key, read as one big-endian number.
///
/// ```
/// assert_eq!(uploadcare::cdn::base::project_cdn_prefix("demopublickey"), "1s4oyld5dc");
/// ```
pub fn project_cdn_prefix(public_key: &str) -> String {
    let digest = Sha256::digest(public_key.as_bytes());
    let mut encoded = base36(&digest);
    encoded.truncate(PREFIX_LEN);
    encoded
}

/// The project's own CDN origin, `https://<prefix>.ucarecd.net` (no trailing slash), for
/// projects created since September 2025 (older ones may use [`LEGACY_CDN_BASE`]).
///
/// ```
/// assert_eq!(uploadcare::cdn::base::project_cdn_base("demopublickey"),
///            "https://1s4oyld5dc.ucarecd.net");
/// ```
pub fn project_cdn_base(public_key: &str) -> String {
    format!("https://{}.{PROJECT_CDN_DOMAIN}", project_cdn_prefix(public_key))
}

/// Moves a URL on the legacy `ucarecdn.com` domain (as file infos from the service carry)
/// onto `base`, keeping the path and query: `https://ucarecdn.com/<uuid>/-/resize/640x/` with
/// base `https://1s4oyld5dc.ucarecd.net` gives `https://1s4oyld5dc.ucarecd.net/<uuid>/-/resize/640x/`.
/// `None` for URLs on any other host (including already rewritten ones).
///
/// ```
/// use uploadcare::cdn::base::rewrite_to_base;
/// assert_eq!(
///     rewrite_to_base("https://ucarecdn.com/0b4a5e77-7d3c-4a92-a1c0-2d3b6e1f9a10/?x=1",
///                     "https://cdn.example.com/"),
///     Some("https://cdn.example.com/0b4a5e77-7d3c-4a92-a1c0-2d3b6e1f9a10/?x=1".to_owned())
/// );
/// assert_eq!(rewrite_to_base("https://example.com/a/", "https://cdn.example.com"), None);
/// ```
pub fn rewrite_to_base(url: &str, base: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .or_else(|| url.strip_prefix("//"))?;
    let split = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (host, tail) = rest.split_at(split);
    if !host.eq_ignore_ascii_case("ucarecdn.com") {
        return None;
    }
    let base = base.trim_end_matches('/');
    let tail = if tail.is_empty() { "/" } else { tail };
    let tail = if tail.starts_with('/') {
        tail.to_owned()
    } else {
        format!("/{tail}")
    };
    Some(format!("{base}{tail}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors computed independently of this code:
    // python3 -c "import hashlib
    // def b36(n):
    //     a='0123456789abcdefghijklmnopqrstuvwxyz'; s=''
    //     while n: n,i=divmod(n,36); s=a[i]+s
    //     return s or '0'
    // for k in ['demopublickey','a','','0c7e5e3bd9c1c8d6a7f4','ключ']:
    //     print(repr(k), b36(int(hashlib.sha256(k.encode()).hexdigest(),16))[:10])"
    #[test]
    fn prefixes_match_independent_vectors() {
        assert_eq!(project_cdn_prefix("demopublickey"), "1s4oyld5dc");
        assert_eq!(project_cdn_prefix("a"), "51rzzsl5su");
        assert_eq!(project_cdn_prefix(""), "5oaq0bjhj6");
        assert_eq!(project_cdn_prefix("0c7e5e3bd9c1c8d6a7f4"), "3fq2so8xp2");
        assert_eq!(project_cdn_prefix("ключ"), "qtfo54gf2j");
        assert_eq!(
            project_cdn_base("demopublickey"),
            "https://1s4oyld5dc.ucarecd.net"
        );
    }

    #[test]
    fn base36_of_small_numbers() {
        assert_eq!(base36(&[]), "0");
        assert_eq!(base36(&[0, 0]), "0");
        assert_eq!(base36(&[35]), "z");
        assert_eq!(base36(&[36]), "10");
        assert_eq!(base36(&[0x01, 0x00]), "74"); // 256 = 7*36 + 4
                                                 // 2^64 - 1 in base 36, by the same python3 loop as above: 3w5e11264sgsf
        assert_eq!(base36(&[0xff; 8]), "3w5e11264sgsf");
    }

    #[test]
    fn rewrites_only_legacy_urls() {
        let uuid = "0b4a5e77-7d3c-4a92-a1c0-2d3b6e1f9a10";
        let base = "https://1s4oyld5dc.ucarecd.net";
        assert_eq!(
            rewrite_to_base(&format!("https://ucarecdn.com/{uuid}/-/resize/640x/a.jpg"), base).as_deref(),
            Some(format!("{base}/{uuid}/-/resize/640x/a.jpg").as_str())
        );
        assert_eq!(
            rewrite_to_base("https://UCARECDN.com", "http://127.0.0.1:1/cdn/").as_deref(),
            Some("http://127.0.0.1:1/cdn/")
        );
        assert_eq!(
            rewrite_to_base("https://ucarecdn.com?x", base).as_deref(),
            Some("https://1s4oyld5dc.ucarecd.net/?x")
        );
        assert_eq!(rewrite_to_base(&format!("{base}/{uuid}/"), base), None);
        assert_eq!(rewrite_to_base("https://ucarecdn.com.evil.net/x/", base), None);
        assert_eq!(rewrite_to_base("ucarecdn.com/x/", base), None);
    }
}
