#!/usr/bin/env bash
# Runs every benchmark from a clean clone and prints one table (ratios measured in this one
# run on this one machine; absolute times of shared machines are not comparable across runs).
#
#   scripts/bench.sh            # everything (~10 minutes on 2 cores from a clean clone)
#   BENCH_SKIP_BUILD=1 scripts/bench.sh   # without the clean-build timings
#   BENCH_SKIP_SCALE=1 scripts/bench.sh   # without the cost-as-the-work-grows rows (~2 minutes;
#                                         # scripts/bench_scale.sh runs them alone)
#
# Needs the Rust toolchain, Python 3 and Node.js (the SDKs are installed into
# tests/interop/ by tests/interop/install). Raw results: target/bench/results.jsonl.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="$root/target/bench"
mkdir -p "$out"
results="$out/results.jsonl"
: > "$results"
export CARGO_TERM_COLOR=never

echo "== installing the SDKs" >&2
tests/interop/install >&2

echo "== building the benchmarks (release)" >&2
cargo bench --no-run --bench micro --bench requests --bench uploads --bench scale >&2 2>"$out/build.log" || { cat "$out/build.log" >&2; exit 1; }
cargo build --release --example emulator 2>>"$out/build.log"

echo "== micro-benchmarks: signing, parsing" >&2
cargo bench --bench micro -- --sample-count 300 > "$out/micro.txt" 2>>"$out/build.log"
python3 scripts/bench_table.py divan "$out/micro.txt" >> "$results"

echo "== per-request overhead (crate vs bare reqwest)" >&2
BENCH_PAIRS=3000 cargo bench --bench requests 2>>"$out/build.log" >> "$results"

echo "== uploads (1 GiB sparse file, discarding emulator)" >&2
emulator_log="$out/emulator.log"
target/release/examples/emulator --discard-uploads > "$emulator_log" 2>&1 &
emulator_pid=$!
trap 'kill $emulator_pid 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do grep -q "secret key" "$emulator_log" && break; sleep 0.1; done
export UC_UPLOAD_BASE="$(awk '/Upload API/ {print $3}' "$emulator_log")"
export UC_PUBLIC_KEY="$(awk '/public key/ {print $3}' "$emulator_log")"
export UC_NODE_MODULES="$root/tests/interop/node_modules"
big="$out/sparse-1GiB.bin"
rm -f "$big"
truncate -s 1G "$big"
small="$out/small"
rm -rf "$small"
mkdir -p "$small"
python3 -c "
import os, sys
for i in range(1000):
    open(os.path.join(sys.argv[1], f'f{i:04}.bin'), 'wb').write(os.urandom(10240))" "$small"
uploads="$(ls -t target/release/deps/uploads-* | grep -v '\.d$' | head -1)"
# Five rounds, crate and bare back to back, so each pair sees the same machine.
for round in 1 2 3 4 5; do
  for concurrency in 1 4 8; do
    "$uploads" crate "$big" "$concurrency" >> "$results"
    "$uploads" bare "$big" "$concurrency" >> "$results"
  done
  "$uploads" many "$small" 8 >> "$results"
  UC_INFOS=0 "$uploads" many "$small" 8 >> "$results"
  UC_BATCH=0 "$uploads" many "$small" 8 >> "$results"
done
# Small files sharing /base/ requests against a distant service: 10 ms per request.
target/release/examples/emulator --discard-uploads --latency-ms 10 > "$out/emulator-latency.log" 2>&1 &
latency_pid=$!
for _ in $(seq 1 100); do grep -q "secret key" "$out/emulator-latency.log" && break; sleep 0.1; done
latency_base="$(awk '/Upload API/ {print $3}' "$out/emulator-latency.log")"
mkdir -p "$out/small-400"
cp "$small"/f0[0-3]*.bin "$out/small-400/"
for round in 1 2 3; do
  UC_UPLOAD_BASE="$latency_base" UC_LABEL=latency10 "$uploads" many "$out/small-400" 8 >> "$results"
  UC_UPLOAD_BASE="$latency_base" UC_LABEL=latency10 UC_INFOS=0 "$uploads" many "$out/small-400" 8 >> "$results"
  UC_UPLOAD_BASE="$latency_base" UC_LABEL=latency10 UC_BATCH=0 "$uploads" many "$out/small-400" 8 >> "$results"
done
UC_UPLOAD_BASE="$latency_base" UC_LABEL=latency10 tests/interop/.venv/bin/python benches/sdk/pyuploadcare_upload.py many "$out/small-400" >> "$results"
kill $latency_pid 2>/dev/null || true
tests/interop/.venv/bin/python benches/sdk/pyuploadcare_upload.py big "$big" >> "$results"
for round in 1 2 3; do
  tests/interop/.venv/bin/python benches/sdk/pyuploadcare_upload.py many "$small" >> "$results"
done
node benches/sdk/js_upload.mjs big "$big" 4 >> "$results"
kill $emulator_pid 2>/dev/null || true
rm -f "$big"

if [[ -z "${BENCH_SKIP_SCALE:-}" ]]; then
  scripts/bench_scale.sh "$results"
fi

if [[ -z "${BENCH_SKIP_BUILD:-}" ]]; then
  echo "== build cost (clean target directories)" >&2
  for spec in "v0_7:--no-default-features --features v0_7,rustls" "all:--features v0_5,v0_6"; do
    name="${spec%%:*}"
    flags="${spec#*:}"
    dir="$out/build-$name"
    rm -rf "$dir"
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    CARGO_TARGET_DIR="$dir" cargo build --quiet $flags 2>>"$out/build.log"
    end=$(date +%s%N)
    crate_start=$(date +%s%N)
    touch build.rs
    # shellcheck disable=SC2086
    CARGO_TARGET_DIR="$dir" cargo build --quiet $flags 2>>"$out/build.log"
    crate_end=$(date +%s%N)
    lines=$(cat "$dir"/debug/build/uploadcare-*/out/*.rs 2>/dev/null | wc -l)
    echo "{\"bench\":\"build\",\"features\":\"$name\",\"clean_ms\":$(( (end - start) / 1000000 )),\"crate_only_ms\":$(( (crate_end - crate_start) / 1000000 )),\"generated_lines\":$lines}" >> "$results"
    for f in "$dir"/debug/build/uploadcare-*/out/*.rs; do
      [[ -f "$f" ]] && echo "{\"bench\":\"generated\",\"features\":\"$name\",\"module\":\"$(basename "$f" .rs)\",\"lines\":$(wc -l < "$f")}" >> "$results"
    done
    rm -rf "$dir"
  done
  cargo build --quiet --release -p ucare 2>>"$out/build.log"
  echo "{\"bench\":\"binary\",\"name\":\"ucare\",\"bytes\":$(stat -c %s target/release/ucare)}" >> "$results"
fi

python3 scripts/bench_table.py table "$results"
