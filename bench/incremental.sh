#!/usr/bin/env bash
# A second build does less: times, in one hyperfine run on one generated library,
#   clean     `build --no-cache` from an empty output folder (the cost of a first build),
#   unchanged `build` again over the same library (cache and previous output in place),
#   one edit  `build` after one post-mortem's analysis changed by a word,
# and prints the edit's time as a share of the clean build's.
#
#   bash bench/incremental.sh [N]       (default: 10000)
#
# Needs python3 and hyperfine.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen="${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-bench}"
n="${1:-10000}"
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/pmsite"
lib="$work/lib-$n"
mkdir -p "$work"
[ -f "$lib/pmsite.toml" ] || python3 "$gen" --flavor pmsite --n "$n" --out "$lib" >/dev/null
edited=$(find "$lib/content" -name '*.md' | sort | sed -n "$((n / 2))p")
grep -q "^The trigger was" "$edited" || { echo "bench: $edited has no analysis line to edit" >&2; exit 1; }
toggle="if grep -q '^The first trigger was' '$edited'; then sed -i 's/^The first trigger was/The trigger was/' '$edited'; else sed -i '0,/^The trigger was/s//The first trigger was/' '$edited'; fi"
build="'$bin' -C '$lib' build --today 2026-11-24 --quiet"
"$bin" -C "$lib" build -o "$work/inc-$n" --today 2026-11-24 --quiet
hyperfine --warmup 1 --runs 5 --export-json "$work/incremental-$n.json" \
  --prepare "rm -rf '$work/clean-$n'" --prepare true --prepare "$toggle" \
  -n clean "$build --no-cache -o '$work/clean-$n'" \
  -n unchanged "$build -o '$work/inc-$n'" \
  -n 'one edit' "$build -o '$work/inc-$n'"
python3 - "$work/incremental-$n.json" <<'PY'
import json, sys
r = {x["command"]: x["mean"] for x in json.load(open(sys.argv[1]))["results"]}
print(f"unchanged / clean = {r['unchanged'] / r['clean']:.2f}; one edit / clean = {r['one edit'] / r['clean']:.2f}")
PY
