//! Who may upload: the project's public key, signed uploads (`signature`/`expire`, when the
//! project requires them) and Upload API auth tokens in `Authorization: Bearer`, whose
//! operations are spent.

use super::form::Form;
use super::{tokens, upload_error, Upload, UploadError};
use axum::extract::Request;

impl Upload {
    /// The project's public key in field `field` (`UPLOADCARE_PUB_KEY` or `pub_key`): missing →
    /// `ProjectPublicKeyRequiredError`, other than the project's → `ProjectPublicKeyInvalidError`
    /// (both 403, message naming the field).
    pub(super) fn check_public_key(&self, form: &Form, field: &'static str) -> Result<(), UploadError> {
        let Some(given) = form.non_empty(field) else {
            return Err(upload_error("ProjectPublicKeyRequiredError", &[&field]));
        };
        if given != self.state.lock().public_key {
            return Err(upload_error("ProjectPublicKeyInvalidError", &[&field]));
        }
        Ok(())
    }

    /// The signed-upload credential of a request to `path` that creates `operations`
    /// files, when the project requires signed uploads: a `signature` (checked by
    /// [`Upload::check_signature`]; an `Authorization` header beside it is ignored, as
    /// documented), else an auth token in `Authorization: Bearer` (see [`tokens`]), whose
    /// operations are then spent; neither is `SignatureRequiredError`.
    pub(super) fn check_credential(
        &self,
        form: &Form,
        authorization: Option<&str>,
        path: &str,
        operations: u64,
    ) -> Result<(), UploadError> {
        if !self.state.lock().signed_uploads || form.non_empty("signature").is_some() {
            return self.check_signature(form);
        }
        let Some(authorization) = authorization else {
            return self.check_signature(form);
        };
        let now = self
            .options
            .now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        let secrets = self.state.lock().secret_values();
        // Any of the project's secrets may have signed the token; when none did, the
        // first's refusal is the answer.
        let mut refusal = None;
        let mut verified = None;
        for secret in &secrets {
            match tokens::verify(authorization, secret, path, now) {
                Ok(token) => {
                    verified = Some(token);
                    break;
                }
                Err(e) => {
                    refusal.get_or_insert(e);
                }
            }
        }
        let Some(token) = verified else {
            return Err(refusal.unwrap_or_else(|| {
                upload_error("AccessTokenInvalidError", &[&"the project has no secret key"])
            }));
        };
        if let Some(limit) = token.operations {
            let mut project = self.state.lock();
            let spent = project.uploads.token_operations.entry(token.id).or_insert(0);
            if *spent + operations > limit {
                return Err(upload_error("OperationsLimitExceededError", &[]));
            }
            *spent += operations;
        }
        Ok(())
    }

    /// Signed uploads, when the project requires them: `signature` and `expire` present,
    /// `expire` whole seconds not in the past, `signature` the HMAC-SHA256 of `expire` (as
    /// sent) keyed with the secret key. Without the setting both fields are ignored.
    fn check_signature(&self, form: &Form) -> Result<(), UploadError> {
        if !self.state.lock().signed_uploads {
            return Ok(());
        }
        let signature = form
            .non_empty("signature")
            .ok_or_else(|| upload_error("SignatureRequiredError", &[]))?;
        let expire = form
            .non_empty("expire")
            .ok_or_else(|| upload_error("SignatureExpirationRequiredError", &[]))?;
        let expire_secs = expire
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then(|| expire.parse::<i64>().ok())
            .flatten()
            .ok_or_else(|| upload_error("SignatureExpirationInvalidError", &[]))?;
        if expire_secs < chrono::Utc::now().timestamp() {
            return Err(upload_error("SignatureExpirationError", &[]));
        }
        let secrets = self.state.lock().secret_values();
        if !secrets
            .iter()
            .any(|secret| upload_signature_matches(secret.expose_secret(), expire, signature))
        {
            return Err(upload_error("SignatureInvalidError", &[]));
        }
        Ok(())
    }
}

/// The `Authorization` header of a request, if it has a readable one.
pub(super) fn authorization(request: &Request) -> Option<String> {
    request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Whether `signature` is the lower-case hex HMAC-SHA256 of `expire` (the decimal string as
/// sent), keyed with `secret`: the signed-upload scheme of the service.
pub(crate) fn upload_signature_matches(secret: &str, expire: &str, signature: &str) -> bool {
    let expected = uploadcare::internal::sign_upload_expire_text(secret, expire);
    uploadcare::internal::constant_time_eq(expected.as_bytes(), signature.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_the_documented_vector() {
        // python3 -c "import hmac,hashlib;print(hmac.new(b'project_secret_key',b'1454903856',hashlib.sha256).hexdigest())"
        let vector = "d39a461d41f607338abffee5f31da4d4e46535651c87346e76906bf75c064d47";
        assert!(upload_signature_matches(
            "project_secret_key",
            "1454903856",
            vector
        ));
        assert!(!upload_signature_matches(
            "project_secret_key",
            "1454903857",
            vector
        ));
        assert!(!upload_signature_matches("other", "1454903856", vector));
        assert!(!upload_signature_matches(
            "project_secret_key",
            "1454903856",
            &vector.to_uppercase()
        ));
    }
}
