//! `open_enum!`: the shape of every string enum of the OpenAPI documents (build.rs emits
//! one invocation per named enum schema into the generated `types` module).

/// Declares an enum with one variant per documented value plus `Unrecognized(String)`,
/// which keeps values the service added after this crate was generated.
#[doc(hidden)]
#[macro_export]
macro_rules! open_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident = $value:literal),* $(,)? }) => {
        $(#[$meta])*
        ///
        /// Values unknown to this version of the crate deserialize into `Unrecognized`.
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value the document did not list (kept verbatim, sent back unchanged).
            Unrecognized(::std::string::String),
        }

        impl $name {
            /// Every documented value.
            pub const KNOWN: &'static [&'static str] = &[$($value),*];

            /// The value as it travels on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $value,)*
                    Self::Unrecognized(other) => other.as_str(),
                }
            }

            /// Whether this is one of the documented values.
            pub fn is_known(&self) -> bool {
                !matches!(self, Self::Unrecognized(_))
            }
        }

        impl ::std::convert::From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => Self::$variant,)*
                    other => Self::Unrecognized(other.to_owned()),
                }
            }
        }

        impl ::std::convert::From<::std::string::String> for $name {
            fn from(value: ::std::string::String) -> Self {
                match Self::from(value.as_str()) {
                    Self::Unrecognized(_) => Self::Unrecognized(value),
                    known => known,
                }
            }
        }

        impl ::std::convert::From<&::std::string::String> for $name {
            fn from(value: &::std::string::String) -> Self {
                Self::from(value.as_str())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;
            fn from_str(value: &str) -> ::std::result::Result<Self, Self::Err> {
                Ok(Self::from(value))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                deserializer.deserialize_str($crate::open_enum::Visitor::<Self>::new(stringify!($name)))
            }
        }
    };
}

/// Reads an open enum from a string without allocating for the documented values (only an
/// `Unrecognized` one is copied).
#[doc(hidden)]
pub struct Visitor<T> {
    name: &'static str,
    of: std::marker::PhantomData<T>,
}

impl<T> Visitor<T> {
    /// A visitor for the enum called `name` (in messages).
    pub fn new(name: &'static str) -> Self {
        Visitor {
            name,
            of: std::marker::PhantomData,
        }
    }
}

impl<T: for<'a> From<&'a str> + From<String>> serde::de::Visitor<'_> for Visitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "a string ({})", self.name)
    }
    fn visit_str<E: serde::de::Error>(self, value: &str) -> Result<T, E> {
        Ok(T::from(value))
    }
    fn visit_string<E: serde::de::Error>(self, value: String) -> Result<T, E> {
        Ok(T::from(value))
    }
}

#[cfg(test)]
mod tests {
    crate::open_enum! {
        /// Test enum.
        Color { Red = "red", DarkBlue = "dark-blue" }
    }

    #[test]
    fn a_value_that_is_not_a_string_names_the_enum() {
        let err = serde_json::from_str::<Color>("7").unwrap_err().to_string();
        assert!(err.contains("a string (Color)"), "{err}");
        // An owned string (as from a `serde_json::Value`) is taken as it is.
        let owned: Color = serde_json::from_value(serde_json::json!("infrared")).unwrap();
        assert_eq!(owned, Color::Unrecognized("infrared".into()));
    }

    #[test]
    fn known_and_unknown_values_round_trip() {
        let parsed: Vec<Color> = serde_json::from_str(r#"["red","dark-blue","ultraviolet"]"#).unwrap();
        assert_eq!(
            parsed,
            vec![
                Color::Red,
                Color::DarkBlue,
                Color::Unrecognized("ultraviolet".into())
            ]
        );
        assert!(!parsed[2].is_known());
        assert_eq!(
            serde_json::to_string(&parsed).unwrap(),
            r#"["red","dark-blue","ultraviolet"]"#
        );
        assert_eq!("dark-blue".parse::<Color>().unwrap(), Color::DarkBlue);
        assert_eq!(Color::Red.to_string(), "red");
        assert_eq!(Color::KNOWN, &["red", "dark-blue"]);
    }
}
