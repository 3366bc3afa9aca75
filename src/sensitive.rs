//! `sensitive_string!`: the shape of every schema marked `x-uploadcare-sensitive` (build.rs
//! emits one invocation per such schema into the generated `types` module).

/// Declares a string newtype whose `Debug` output is redacted and whose length is checked
/// (in characters) when built from a string. Deserialization accepts any length, so a
/// response is never rejected for it.
#[doc(hidden)]
#[macro_export]
macro_rules! sensitive_string {
    ($(#[$meta:meta])* $name:ident { max_chars: $max:expr }) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, ::serde::Serialize, ::serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(::std::string::String);

        impl $name {
            /// Most characters a value may have.
            pub const MAX_CHARS: usize = $max;

            /// The secret value itself. Handle with care: don't log it.
            pub fn expose_secret(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Debug for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl ::std::convert::TryFrom<::std::string::String> for $name {
            type Error = ::std::string::String;
            fn try_from(value: ::std::string::String) -> ::std::result::Result<Self, Self::Error> {
                let chars = value.chars().count();
                if chars > Self::MAX_CHARS {
                    // The message deliberately leaves the value out.
                    return Err(format!(
                        "{} must be at most {} characters, got {chars}",
                        stringify!($name),
                        Self::MAX_CHARS
                    ));
                }
                Ok(Self(value))
            }
        }

        impl ::std::convert::TryFrom<&str> for $name {
            type Error = ::std::string::String;
            fn try_from(value: &str) -> ::std::result::Result<Self, Self::Error> {
                Self::try_from(value.to_owned())
            }
        }

        impl ::std::convert::TryFrom<&::std::string::String> for $name {
            type Error = ::std::string::String;
            fn try_from(value: &::std::string::String) -> ::std::result::Result<Self, Self::Error> {
                Self::try_from(value.clone())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::string::String;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::try_from(value)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::sensitive_string! {
        /// Test secret.
        TestSecret { max_chars: 8 }
    }

    #[test]
    fn debug_is_redacted_and_length_is_checked() {
        let secret = TestSecret::try_from("hunter2").unwrap();
        assert_eq!(format!("{secret:?}"), "TestSecret(<redacted>)");
        assert_eq!(secret.expose_secret(), "hunter2");
        let err = TestSecret::try_from("much-too-long").unwrap_err();
        assert!(!err.contains("much-too-long"), "{err}");
        let parsed: TestSecret = serde_json::from_str(r#""longer-than-eight""#).unwrap();
        assert_eq!(serde_json::to_string(&parsed).unwrap(), r#""longer-than-eight""#);
    }
}
