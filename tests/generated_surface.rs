//! Snapshots of the generated clients. A change to an OpenAPI document (or to build.rs, or
//! to progenitor) changes these files; review the diff with `cargo insta review`.

#[cfg(feature = "v0_7")]
#[test]
fn v0_7_operations_listing() {
    insta::assert_snapshot!(
        "v0_7_surface",
        include_str!(concat!(env!("OUT_DIR"), "/v0_7.surface.txt"))
    );
}

#[cfg(feature = "v0_7")]
#[test]
fn v0_7_generated_source() {
    insta::assert_snapshot!("v0_7_source", include_str!(concat!(env!("OUT_DIR"), "/v0_7.rs")));
}
