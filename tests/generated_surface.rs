//! Snapshots of the generated clients. A change to an OpenAPI document (or to build.rs, or
//! to progenitor) changes these files; review the diff with `cargo insta review`.

/// Snapshots one generated module: its readable listing and its full source.
macro_rules! snapshot_module {
    ($feature:literal, $listing_test:ident, $source_test:ident, $module:literal) => {
        #[cfg(feature = $feature)]
        #[test]
        fn $listing_test() {
            insta::assert_snapshot!(
                concat!($module, "_surface"),
                include_str!(concat!(env!("OUT_DIR"), "/", $module, ".surface.txt"))
            );
        }

        #[cfg(feature = $feature)]
        #[test]
        fn $source_test() {
            insta::assert_snapshot!(
                concat!($module, "_source"),
                include_str!(concat!(env!("OUT_DIR"), "/", $module, ".rs"))
            );
        }
    };
}

snapshot_module!("v0_5", v0_5_operations_listing, v0_5_generated_source, "v0_5");
snapshot_module!("v0_6", v0_6_operations_listing, v0_6_generated_source, "v0_6");
snapshot_module!("v0_7", v0_7_operations_listing, v0_7_generated_source, "v0_7");
snapshot_module!(
    "upload",
    upload_operations_listing,
    upload_generated_source,
    "upload"
);
snapshot_module!(
    "project_api",
    project_api_operations_listing,
    project_api_generated_source,
    "project_api"
);
