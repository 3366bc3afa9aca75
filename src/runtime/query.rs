//! Query parameters written straight into the URL text before it is parsed.
//!
//! build.rs turns every generated call's `.query(&QueryParam::new(name, &value))` into
//! [`push_query`] on the URL string the call formats, so the URL is
//! parsed once, with its query, by `reqwest` — instead of parsed, then rewritten once per
//! parameter by `Url::query_pairs_mut` through `serde_urlencoded`. The text is the same:
//! `application/x-www-form-urlencoded` pairs (`form_urlencoded`, as `serde_urlencoded`
//! writes them), nothing for `None`, one pair per item of a sequence (as progenitor's
//! `QueryParam` does); a unit test compares both ways value by value.

use serde::ser::{Impossible, Serialize, Serializer};
use std::fmt::Write as _;

/// Appends `name=value` to the query of `url` (a URL's text, without fragment): `?` for the
/// first pair, `&` after. `None` adds nothing; a sequence adds one pair per item. Maps and
/// structs cannot be query values (no document has one): they are refused with the
/// parameter's name.
pub(crate) fn push_query<T: Serialize + ?Sized>(
    url: &mut String,
    name: &str,
    value: &T,
) -> Result<(), String> {
    value
        .serialize(Pair { url, name })
        .map_err(|Refused(what)| format!("the query parameter `{name}` cannot be {what}"))
}

/// Why a value cannot be written.
#[derive(Debug)]
struct Refused(&'static str);

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Refused {}

impl serde::ser::Error for Refused {
    fn custom<M: std::fmt::Display>(_: M) -> Self {
        Refused("serialized")
    }
}

/// Writes one value under one name.
struct Pair<'a> {
    url: &'a mut String,
    name: &'a str,
}

impl Pair<'_> {
    /// `?name=` or `&name=`.
    fn start(&mut self) {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        self.url.push(separator);
        self.url
            .extend(form_urlencoded::byte_serialize(self.name.as_bytes()));
        self.url.push('=');
    }

    fn text(mut self, value: &str) -> Result<(), Refused> {
        self.start();
        self.url.extend(form_urlencoded::byte_serialize(value.as_bytes()));
        Ok(())
    }

    /// A value whose `Display` needs no escaping (numbers).
    fn plain(mut self, value: impl std::fmt::Display) -> Result<(), Refused> {
        self.start();
        let _ = write!(self.url, "{value}");
        Ok(())
    }
}

/// The items of a sequence, each under the same name.
struct Items<'a> {
    url: &'a mut String,
    name: &'a str,
}

impl serde::ser::SerializeSeq for Items<'_> {
    type Ok = ();
    type Error = Refused;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        value.serialize(Pair {
            url: self.url,
            name: self.name,
        })
    }
    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

impl serde::ser::SerializeTuple for Items<'_> {
    type Ok = ();
    type Error = Refused;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Refused> {
        serde::ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Refused> {
        Ok(())
    }
}

macro_rules! plain {
    ($($method:ident: $ty:ty),*) => {
        $(fn $method(self, value: $ty) -> Result<(), Refused> {
            self.plain(value)
        })*
    };
}

impl<'a> Serializer for Pair<'a> {
    type Ok = ();
    type Error = Refused;
    type SerializeSeq = Items<'a>;
    type SerializeTuple = Items<'a>;
    type SerializeTupleStruct = Impossible<(), Refused>;
    type SerializeTupleVariant = Impossible<(), Refused>;
    type SerializeMap = Impossible<(), Refused>;
    type SerializeStruct = Impossible<(), Refused>;
    type SerializeStructVariant = Impossible<(), Refused>;

    plain!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128);

    fn serialize_bool(self, value: bool) -> Result<(), Refused> {
        self.plain(value)
    }
    fn serialize_f32(self, value: f32) -> Result<(), Refused> {
        self.plain(format_args!("{value:?}"))
    }
    fn serialize_f64(self, value: f64) -> Result<(), Refused> {
        self.plain(format_args!("{value:?}"))
    }
    fn serialize_char(self, value: char) -> Result<(), Refused> {
        self.text(value.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, value: &str) -> Result<(), Refused> {
        self.text(value)
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Refused> {
        Err(Refused("bytes"))
    }
    fn serialize_none(self) -> Result<(), Refused> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Refused> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Refused> {
        Err(Refused("a unit"))
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Refused> {
        Err(Refused("a unit"))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Refused> {
        self.text(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Refused> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Refused> {
        Err(Refused("an enum with data"))
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Items<'a>, Refused> {
        Ok(Items {
            url: self.url,
            name: self.name,
        })
    }
    fn serialize_tuple(self, _: usize) -> Result<Items<'a>, Refused> {
        self.serialize_seq(None)
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Refused> {
        Err(Refused("a tuple struct"))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Refused> {
        Err(Refused("an enum with data"))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Refused> {
        Err(Refused("a map"))
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Refused> {
        Err(Refused("a struct"))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Refused> {
        Err(Refused("an enum with data"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The URL reqwest's `RequestBuilder::query` makes from the same parameters (the way
    /// the generated calls wrote their queries before).
    fn through_reqwest(base: &str, params: &[(&str, &dyn erased::Param)]) -> String {
        let client = reqwest::Client::new();
        let mut builder = client.get(base);
        for (name, value) in params {
            builder = value.add_to(builder, name);
        }
        builder.build().unwrap().url().to_string()
    }

    fn through_push_query(base: &str, params: &[(&str, &dyn erased::Param)]) -> String {
        let mut url = base.to_owned();
        for (name, value) in params {
            value.push(&mut url, name).unwrap();
        }
        reqwest::Url::parse(&url).unwrap().to_string()
    }

    mod erased {
        /// A query value of any type, for the table below.
        pub trait Param {
            fn add_to(&self, builder: reqwest::RequestBuilder, name: &str) -> reqwest::RequestBuilder;
            fn push(&self, url: &mut String, name: &str) -> Result<(), String>;
        }
        impl<T: serde::Serialize> Param for T {
            fn add_to(&self, builder: reqwest::RequestBuilder, name: &str) -> reqwest::RequestBuilder {
                builder.query(&progenitor_client::QueryParam::new(name, self))
            }
            fn push(&self, url: &mut String, name: &str) -> Result<(), String> {
                super::push_query(url, name, self)
            }
        }
    }

    #[derive(serde::Serialize)]
    enum Ordering {
        #[serde(rename = "-datetime_uploaded")]
        Newest,
    }

    #[test]
    fn writes_what_reqwest_query_writes() {
        let at: crate::Timestamp = "2024-03-05T11:12:40.543218Z".parse().unwrap();
        let uuid = uuid::Uuid::parse_str("3a1c9e05-8f2b-4a3d-9c7e-5b6d2f1e0a47").unwrap();
        let none: Option<u64> = None;
        let one = std::num::NonZeroU64::new(1).unwrap();
        let from = Some(at);
        let date = chrono::NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let tags = vec!["one", "two words"];
        let cases: Vec<Vec<(&str, &dyn erased::Param)>> = vec![
            vec![("limit", &one)],
            vec![
                ("limit", &Some(100u64)),
                ("stored", &true),
                ("removed", &Some(false)),
            ],
            vec![("from", &none), ("limit", &5u32)],
            vec![("from", &from)],
            vec![("ordering", &Ordering::Newest), ("uuid", &uuid)],
            vec![("q", &"a b&c=d/é?#+%"), ("empty", &""), ("ñame", &'x')],
            vec![("tag", &tags), ("n", &-3i64)],
            vec![("date", &date)],
        ];
        for base in [
            "http://127.0.0.1:8000/files/",
            "https://api.example.com/groups/x~2/",
        ] {
            for params in &cases {
                assert_eq!(through_push_query(base, params), through_reqwest(base, params));
            }
            // Nothing set: no `?` at all, as reqwest leaves it.
            assert_eq!(through_push_query(base, &[("from", &none)]), base);
        }
    }

    #[test]
    fn maps_and_structs_are_refused_with_the_parameter_name() {
        let mut url = "http://h/".to_owned();
        let map = std::collections::BTreeMap::from([("a", 1)]);
        let err = push_query(&mut url, "filter", &map).unwrap_err();
        assert_eq!(err, "the query parameter `filter` cannot be a map");
        assert_eq!(url, "http://h/");
    }
}
