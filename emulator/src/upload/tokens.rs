//! Upload API auth tokens (`Authorization: Bearer <JWT>`), verified like the service: HS256
//! only, keyed with the raw SHA-256 digest of the project's secret key; `exp` and `iat`
//! required, `exp` at most 24 hours after `iat` and honoured with a 30 s leeway; unknown
//! claims refused; `uc.restrictions.scope` items matched exactly or, ending in `/*`, as a
//! whole-segment prefix; `uc.restrictions.limits.operations` spent per token.
//!
//! Checked only when the project requires signed uploads; a request that carries a
//! `signature` is checked by it and the header is ignored (the documented precedence).
//!
//! Readings where the service's docs leave a rule open (the fact sheet's "unconfirmed"): an
//! unknown claim and a lifetime over 24 hours are `AccessTokenInvalidError` (401); `iss` is
//! accepted (the official minter can write it); one operation is one file created — each
//! file of a `/base/` request, a `/multipart/start/`, a `/from_url/` — while
//! `/multipart/complete/` and `/group/` spend none; the GET endpoints are not checked, as
//! for signatures; a non-`Bearer` header is `AccessTokenInvalidError`.

use super::errors::{upload_error, UploadError};
use serde_json::Value;
use uploadcare::internal::{base64url, base64url_decode, check_scope, signing_key};
use uploadcare::upload_token::{MAX_TOKEN_LIFETIME, OPERATIONS_RANGE};

/// The service's leeway on `exp`, in seconds.
pub(super) const EXP_LEEWAY_SECS: i64 = 30;

/// The claims of a token that passed every check but the operations budget.
pub(super) struct Accepted {
    /// The token's signature: what its operations are counted by.
    pub id: String,
    /// Its operations limit, if any.
    pub operations: Option<u64>,
}

fn invalid(reason: &str) -> UploadError {
    upload_error("AccessTokenInvalidError", &[&reason])
}

/// Verifies `authorization` (the header's value) for a request to `path` at `now` (Unix
/// seconds).
pub(super) fn verify(
    authorization: &str,
    secret: &uploadcare::SecretKey,
    path: &str,
    now: i64,
) -> Result<Accepted, UploadError> {
    let token = authorization
        .strip_prefix("Bearer ")
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(|| invalid("the Authorization header is not `Bearer <token>`"))?;
    let mut parts = token.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(invalid("unreadable or not a JWT"));
    };
    let json = |part: &str| -> Option<serde_json::Map<String, Value>> {
        match serde_json::from_slice(&base64url_decode(part)?).ok()? {
            Value::Object(map) => Some(map),
            _ => None,
        }
    };
    let (Some(header_claims), Some(claims)) = (json(header), json(payload)) else {
        return Err(invalid("unreadable or not a JWT"));
    };
    if header_claims.get("alg").and_then(Value::as_str) != Some("HS256") {
        return Err(invalid("`alg` must be HS256"));
    }
    let expected = base64url(&uploadcare::internal::hmac_sha256(
        &signing_key(secret),
        format!("{header}.{payload}").as_bytes(),
    ));
    if !uploadcare::internal::constant_time_eq(expected.as_bytes(), signature.as_bytes()) {
        return Err(invalid("signature does not match"));
    }
    if let Some(unknown) = claims
        .keys()
        .find(|k| !["exp", "iat", "sub", "jti", "iss", "uc"].contains(&k.as_str()))
    {
        return Err(invalid(&format!("unknown claim `{unknown}`")));
    }
    let exp = claims
        .get("exp")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("`exp` is required"))?;
    let iat = claims
        .get("iat")
        .and_then(Value::as_i64)
        .ok_or_else(|| invalid("`iat` is required"))?;
    if exp.saturating_sub(iat) > MAX_TOKEN_LIFETIME.as_secs() as i64 {
        return Err(invalid(&format!(
            "`exp` is more than {} hours after `iat`",
            MAX_TOKEN_LIFETIME.as_secs() / 3600
        )));
    }
    for text in ["sub", "jti", "iss"] {
        if claims.get(text).is_some_and(|v| !v.is_string()) {
            return Err(invalid(&format!("`{text}` must be a string")));
        }
    }
    let (scope, operations) = restrictions(claims.get("uc"))?;
    if exp.saturating_add(EXP_LEEWAY_SECS) < now {
        return Err(upload_error("AccessTokenExpiredError", &[]));
    }
    if let Some(scope) = &scope {
        if !scope.iter().any(|item| scope_matches(item, path)) {
            return Err(upload_error("ScopeForbiddenError", &[]));
        }
    }
    Ok(Accepted {
        id: signature.to_owned(),
        operations,
    })
}

/// `uc`: only `restrictions`, with only `scope` (checked by the minter's rules) and
/// `limits.operations` (1 to 100000).
fn restrictions(uc: Option<&Value>) -> Result<(Option<Vec<String>>, Option<u64>), UploadError> {
    let Some(uc) = uc else { return Ok((None, None)) };
    let uc = uc.as_object().ok_or_else(|| invalid("`uc` must be an object"))?;
    if let Some(unknown) = uc.keys().find(|k| *k != "restrictions") {
        return Err(invalid(&format!("unknown claim `uc.{unknown}`")));
    }
    let Some(restrictions) = uc.get("restrictions") else {
        return Ok((None, None));
    };
    let restrictions = restrictions
        .as_object()
        .ok_or_else(|| invalid("`uc.restrictions` must be an object"))?;
    if let Some(unknown) = restrictions.keys().find(|k| *k != "scope" && *k != "limits") {
        return Err(invalid(&format!("unknown claim `uc.restrictions.{unknown}`")));
    }
    let scope = match restrictions.get("scope") {
        None => None,
        Some(items) => {
            let items: Vec<String> = items
                .as_array()
                .and_then(|a| a.iter().map(|i| i.as_str().map(str::to_owned)).collect())
                .ok_or_else(|| invalid("`uc.restrictions.scope` must be a list of strings"))?;
            check_scope(&items).map_err(|rule| invalid(&format!("uc.restrictions.{rule}")))?;
            Some(items)
        }
    };
    let operations = match restrictions.get("limits") {
        None => None,
        Some(limits) => {
            let limits = limits
                .as_object()
                .ok_or_else(|| invalid("`uc.restrictions.limits` must be an object"))?;
            if let Some(unknown) = limits.keys().find(|k| *k != "operations") {
                return Err(invalid(&format!(
                    "unknown claim `uc.restrictions.limits.{unknown}`"
                )));
            }
            match limits.get("operations") {
                None => None,
                Some(n) => Some(
                    n.as_u64()
                        .filter(|n| u32::try_from(*n).is_ok_and(|n| OPERATIONS_RANGE.contains(&n)))
                        .ok_or_else(|| {
                            invalid(&format!(
                                "`operations` must be an integer from {} to {}",
                                OPERATIONS_RANGE.start(),
                                OPERATIONS_RANGE.end()
                            ))
                        })?,
                ),
            }
        }
    };
    Ok((scope, operations))
}

/// A scope item matches the path exactly, or, ending in `/*`, as a whole-segment prefix.
fn scope_matches(item: &str, path: &str) -> bool {
    match item.strip_suffix('*') {
        Some(prefix) => path.starts_with(prefix),
        None => item == path,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};
    use uploadcare::upload_token::AuthToken;

    fn secret() -> uploadcare::SecretKey {
        uploadcare::SecretKey::new("emulator secret")
    }

    fn now() -> i64 {
        SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs() as i64
    }

    fn bearer(token: &AuthToken) -> String {
        format!("Bearer {}", token.expose_secret())
    }

    fn code(result: Result<Accepted, UploadError>) -> &'static str {
        match result {
            Ok(_) => "ok",
            Err(e) => e.code,
        }
    }

    #[test]
    fn scope_items_match_exactly_or_as_whole_segment_prefixes() {
        assert!(scope_matches("/base/", "/base/"));
        assert!(!scope_matches("/base/", "/base/x/"));
        assert!(scope_matches("/multipart/*", "/multipart/start/"));
        assert!(scope_matches("/multipart/*", "/multipart/complete/"));
        assert!(!scope_matches("/multipart/*", "/multipartx/"));
        assert!(scope_matches("/*", "/from_url/"));
    }

    #[test]
    fn tokens_are_checked_like_the_service() {
        let hour = || AuthToken::builder().lifetime(Duration::from_secs(3600));
        let ok = hour().scope(["/base/"]).mint(&secret()).unwrap();
        assert_eq!(code(verify(&bearer(&ok), &secret(), "/base/", now())), "ok");
        assert_eq!(
            code(verify(&bearer(&ok), &secret(), "/multipart/start/", now())),
            "ScopeForbiddenError"
        );
        assert_eq!(
            code(verify(
                &bearer(&ok),
                &uploadcare::SecretKey::new("other"),
                "/base/",
                now()
            )),
            "AccessTokenInvalidError"
        );
        assert_eq!(
            code(verify(ok.expose_secret(), &secret(), "/base/", now())),
            "AccessTokenInvalidError"
        );
        assert_eq!(
            code(verify("Bearer a.b", &secret(), "/base/", now())),
            "AccessTokenInvalidError"
        );
        // Expired, with the 30 s leeway.
        let at = |t: i64| UNIX_EPOCH + Duration::from_secs(t as u64);
        let old = AuthToken::builder()
            .issued_at(at(now() - 100))
            .expires_at(at(now() - 20))
            .mint(&secret())
            .unwrap();
        assert_eq!(code(verify(&bearer(&old), &secret(), "/base/", now())), "ok");
        assert_eq!(
            code(verify(&bearer(&old), &secret(), "/base/", now() + 15)),
            "AccessTokenExpiredError"
        );
    }

    /// Tokens made by hand (as another minter could), with what the crate's minter refuses.
    #[test]
    fn hand_made_claims_are_refused_by_rule() {
        let sign = |claims: &str| {
            let input = format!(
                "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.{}",
                base64url(claims.as_bytes())
            );
            let signature = base64url(&uploadcare::internal::hmac_sha256(
                &signing_key(&secret()),
                input.as_bytes(),
            ));
            format!("Bearer {input}.{signature}")
        };
        let n = now();
        let check = |claims: String| match verify(&sign(&claims), &secret(), "/base/", n) {
            Ok(_) => "ok".to_owned(),
            Err(e) => format!("{} {}", e.code, e.message),
        };
        assert_eq!(check(format!(r#"{{"exp":{},"iat":{n}}}"#, n + 60)), "ok");
        assert!(check(format!(r#"{{"iat":{n}}}"#)).contains("`exp` is required"));
        assert!(check(format!(r#"{{"exp":{},"iat":{n},"nbf":{n}}}"#, n + 60)).contains("unknown claim `nbf`"));
        assert!(check(format!(r#"{{"exp":{},"iat":{n}}}"#, n + 86_401)).contains("more than 24 hours"));
        assert!(check(format!(
            r#"{{"exp":{},"iat":{n},"uc":{{"restrictions":{{"scope":["*"]}}}}}}"#,
            n + 60
        ))
        .contains("must start with `/`"));
        assert!(check(format!(
            r#"{{"exp":{},"iat":{n},"uc":{{"restrictions":{{"limits":{{"operations":0}}}}}}}}"#,
            n + 60
        ))
        .contains("1 to 100000"));
        let wrong_alg = format!(
            "Bearer {}.{}.x",
            base64url(br#"{"alg":"none"}"#),
            base64url(format!(r#"{{"exp":{},"iat":{n}}}"#, n + 60).as_bytes())
        );
        assert!(matches!(verify(&wrong_alg, &secret(), "/base/", n), Err(e) if e.message.contains("HS256")));
    }
}
