//! Memory of an upload from a source of unknown length, measured by a counting allocator:
//! 60 MiB from a pipe go up with at most `part_size × concurrency` (20 MiB by default) held
//! in memory, plus buffers of a few hundred KiB. The emulator, in the same process, counts
//! the bytes and drops them (`discard_upload_bodies`), so the count is the client's.
//!
//! One test in its own binary: other tests' allocations would be counted too.

#![cfg(feature = "upload")]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::io::AsyncWriteExt;
use uploadcare::upload::{Client, UploadSource, DEFAULT_CONCURRENCY, DEFAULT_PART_SIZE};
use uploadcare_emulator::Emulator;

/// The system allocator, keeping the bytes allocated now and the most at once.
struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(bytes: usize) {
    let now = NOW.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let moved = unsafe { System.realloc(p, layout, new_size) };
        if !moved.is_null() {
            // Counted as if old and new were both alive for a moment (a moving realloc).
            grew(new_size);
            NOW.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        moved
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const MIB: usize = 1024 * 1024;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_mib_of_unknown_length_upload_within_the_memory_budget() {
    let emulator = Emulator::builder()
        .discard_upload_bodies(true)
        .start()
        .await
        .unwrap();
    let client = Client::from_config(emulator.config()).unwrap();
    let spool = std::env::temp_dir().join(format!("uc-memory-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&spool).unwrap();
    let len = 60 * MIB;

    let (mut sender, receiver) = tokio::net::unix::pipe::pipe().unwrap();
    let writer = tokio::spawn(async move {
        let chunk = vec![0x5au8; 64 * 1024];
        for _ in 0..len / chunk.len() {
            sender.write_all(&chunk).await.unwrap();
        }
    });

    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    let info = client
        .upload(UploadSource::unsized_reader(receiver))
        .spool_dir(&spool)
        .send()
        .await
        .unwrap();
    let peak = PEAK.load(Ordering::Relaxed) - before;
    writer.await.unwrap();

    assert_eq!(info.size, len as i64);
    let record = emulator.state().file(info.uuid).unwrap();
    assert_eq!(record.size(), len as u64, "the emulator counted other bytes");
    let budget = (DEFAULT_PART_SIZE as usize) * DEFAULT_CONCURRENCY;
    eprintln!(
        "peak {:.1} MiB (budget {} MiB)",
        peak as f64 / MIB as f64,
        budget / MIB
    );
    assert!(
        peak <= budget + 4 * MIB,
        "peak {peak} bytes above the budget of {budget} (+ 4 MiB of buffers)"
    );
    assert_eq!(std::fs::read_dir(&spool).unwrap().count(), 0);
    std::fs::remove_dir_all(&spool).unwrap();
}
