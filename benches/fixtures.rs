//! Realistic REST 0.7 answers for the benchmarks: a files page of `n` image files, each with
//! the `content_info`, metadata and `appdata` the service sends (≈ 790 bytes per file).

/// One file object; `i` makes UUIDs and names distinct.
pub fn file_json(i: usize) -> String {
    let uuid = format!(
        "{:08x}-1c2c-4a4e-9a1e-{:012x}",
        0x3a7f_0c1e_u32.wrapping_add(i as u32),
        i
    );
    format!(
        r#"{{"datetime_removed":null,"datetime_stored":"2026-11-30T10:01:03.512345Z","datetime_uploaded":"2026-11-30T10:01:02.000001Z","is_image":true,"is_ready":true,"mime_type":"image/jpeg","original_file_url":"https://ucarecdn.com/{uuid}/IMG_{i:05}.jpg","original_filename":"IMG_{i:05}.jpg","size":{size},"url":"https://api.uploadcare.com/files/{uuid}/","uuid":"{uuid}","variations":null,"content_info":{{"mime":{{"mime":"image/jpeg","type":"image","subtype":"jpeg"}},"image":{{"format":"JPEG","width":4032,"height":3024,"sequence":false,"color_mode":"RGB","orientation":6,"geo_location":{{"latitude":55.62013611111111,"longitude":37.66299166666666}},"datetime_original":"2026-11-29T18:22:41","dpi":[72,72]}}}},"metadata":{{"subsystem":"uploader","pet":"cat"}},"appdata":null,"tags":["cats"]}}"#,
        size = 2_345_678 + i
    )
}

/// A files page (`FilesPage`) of `n` files.
pub fn files_page(n: usize) -> String {
    let results: Vec<String> = (0..n).map(file_json).collect();
    format!(
        r#"{{"next":"https://api.uploadcare.com/files/?from=2026-11-30T10%3A01%3A02.000001Z&limit={n}&offset=0","previous":null,"total":{total},"totals":{{"removed":0,"stored":{total},"unstored":0}},"per_page":{n},"results":[{}]}}"#,
        results.join(","),
        total = n * 3
    )
}
