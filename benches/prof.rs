mod fixtures;
fn main() {
    let body = fixtures::files_page(1000);
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(300);
    let t = std::time::Instant::now();
    for _ in 0..n {
        let page: uploadcare::v0_7::types::FilesPage = serde_json::from_slice(body.as_bytes()).unwrap();
        std::hint::black_box(page);
    }
    eprintln!("{} bytes, {:?} per parse", body.len(), t.elapsed() / n as u32);
}
