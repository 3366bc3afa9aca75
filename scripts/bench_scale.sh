#!/usr/bin/env bash
# Cost as the work grows (#24 item 3): time and peak RSS of the client at three sizes a
# factor of 10 apart, each row twice, against one emulator (--discard-uploads) emptied before
# every row. Part of scripts/bench.sh (BENCH_SKIP_SCALE=1 skips it); on its own:
#
#   scripts/bench_scale.sh [RESULTS]   # appends JSON lines to RESULTS (default
#                                      # target/bench/scale.jsonl) and prints the table
#
#   a. Client::all_files over 1k / 10k / 100k files (pages of 100, and of 1000)
#   b. Client::upload_many of 100 / 1k / 10k files of 10 KiB from paths, 8 in flight
#      (.send() and .send_uploaded())
#   c. one sparse file of 100 MiB / 1 GiB / 4 GiB, multipart, 4 parts in flight
#   d. Client::store_many of 1k / 10k / 100k UUIDs of unstored files
#
# Needs the Rust toolchain and Python 3; honours CARGO_TARGET_DIR. About 2 minutes on 2 cores
# once built.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
target="${CARGO_TARGET_DIR:-$root/target}"
out="$target/bench"
mkdir -p "$out"
results="${1:-$out/scale.jsonl}"
[[ $# -ge 1 ]] || : > "$results"
export CARGO_TERM_COLOR=never

echo "== cost as the work grows: building (release)" >&2
cargo bench --no-run --bench scale --bench uploads 2>>"$out/build-scale.log" || { cat "$out/build-scale.log" >&2; exit 1; }
cargo build --release --example emulator 2>>"$out/build-scale.log"
newest() { ls -t "$target"/release/deps/"$1"-* | grep -v '\.d$' | head -1; }
scale="$(newest scale)"
uploads="$(newest uploads)"

log="$out/emulator-scale.log"
"$target/release/examples/emulator" --discard-uploads > "$log" 2>&1 &
emulator_pid=$!
cleanup() {
  kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$out/scale-files" "$out/scale-sparse.bin" "$out/scale-uuids.txt"
}
trap cleanup EXIT
for _ in $(seq 1 100); do grep -q "^ready " "$log" && break; sleep 0.1; done
export UC_REST_BASE="$(awk '/REST API/ {print $3}' "$log")"
export UC_UPLOAD_BASE="$(awk '/Upload API/ {print $3}' "$log")"
export UC_PUBLIC_KEY="$(awk '/public key/ {print $3; exit}' "$log")"
export UC_SECRET_KEY="$(awk '/secret key/ {print $3; exit}' "$log")"
uuids="$out/scale-uuids.txt"
empty() { "$scale" fill 0 "$uuids"; }

echo "== (a) all_files, (d) store_many: 1k / 10k / 100k files" >&2
for count in 1000 10000 100000; do
  "$scale" fill "$count" "$uuids"
  for round in 1 2; do
    "$scale" list "$count" >> "$results"
    UC_PAGE=1000 "$scale" list "$count" >> "$results"
  done
  for round in 1 2; do
    [[ $round == 1 ]] || "$scale" fill "$count" "$uuids"
    "$scale" store "$uuids" >> "$results"
  done
done

echo "== (b) upload_many: 100 / 1k / 10k files of 10 KiB" >&2
files="$out/scale-files"
rm -rf "$files"
python3 -c "
import os, sys
root = sys.argv[1]
for count in (100, 1000, 10000):
    os.makedirs(os.path.join(root, str(count)))
first = os.path.join(root, '10000')
for i in range(10000):
    open(os.path.join(first, f'f{i:05}.bin'), 'wb').write(os.urandom(10240))
for count in (100, 1000):
    for i in range(count):
        os.link(os.path.join(first, f'f{i:05}.bin'), os.path.join(root, str(count), f'f{i:05}.bin'))
" "$files"
for count in 100 1000 10000; do
  for round in 1 2; do
    empty
    UC_LABEL=scale "$uploads" many "$files/$count" 8 >> "$results"
    empty
    UC_LABEL=scale UC_INFOS=0 "$uploads" many "$files/$count" 8 >> "$results"
  done
done
rm -rf "$files"

echo "== (c) multipart: 100 MiB / 1 GiB / 4 GiB sparse file, 4 parts in flight" >&2
big="$out/scale-sparse.bin"
for size in 100M 1G 4G; do
  rm -f "$big"
  truncate -s "$size" "$big"
  # Read once first: the first read of a sparse file fills the page cache with zeros (4 GiB:
  # +3 s), which is not what the rows compare.
  cat "$big" > /dev/null
  for round in 1 2; do
    empty
    UC_LABEL=scale "$uploads" crate "$big" 4 >> "$results"
  done
done

# Run alone: its table (scripts/bench.sh prints it with the others).
[[ $# -ge 1 ]] || python3 scripts/bench_table.py scale "$results"
