#!/usr/bin/env bash
# Build benchmark: generates 1,000 and 10,000-incident libraries with the shared generator and
# times `pmsite build` on each with hyperfine (wall time), plus one /usr/bin/time -v run for
# CPU time and peak memory. Every timed build starts from an empty output directory, as in
# ../shared/bench/PEERS.md, and with `--no-cache` (a clean build; bench/incremental.sh times
# what the cache saves).
#
#   bash bench/build.sh [N ...]        (default: 1000 10000)
#
# Needs python3, hyperfine (Debian package) and GNU time (Debian package `time`).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen="${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-bench}"
settle="${PMSITE_BENCH_SETTLE:-8}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000 10000)
for tool in hyperfine python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine)" >&2; exit 1; }
done
[ -x /usr/bin/time ] || { echo "bench: /usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/pmsite"
mkdir -p "$work"
for n in "${sizes[@]}"; do
  lib="$work/lib-$n"
  out="$work/out-$n"
  [ -f "$lib/pmsite.toml" ] || python3 "$gen" --flavor pmsite --n "$n" --out "$lib" >/dev/null
  runs=5; [ "$n" -ge 10000 ] && runs=3
  echo "== pmsite build, $n post-mortems"
  cmds=("'$bin' -C '$lib' build -o '$out' --today 2026-11-24 --no-cache")
  if [ -n "${HUGO:-}" ]; then
    hlib="$work/hugo-$n"
    [ -f "$hlib/hugo.toml" ] || python3 "$gen" --flavor hugo --n "$n" --out "$hlib" >/dev/null
    cmds+=("'$HUGO' --source '$hlib' --destination '$work/hugo-out-$n' --quiet")
  fi
  hyperfine --warmup 1 --runs "$runs" \
    --prepare "rm -rf '$out' '$work/hugo-out-$n' && sync && sleep $settle" "${cmds[@]}"
  rm -rf "$out" && sync && sleep "$settle"
  /usr/bin/time -v "$bin" -C "$lib" build -o "$out" --today 2026-11-24 --no-cache 2>&1 \
    | grep -E "Built|Elapsed|User time|System time|Maximum resident" | sed 's/^\s*/  /'
  echo "  output: $(find "$out" -type f | wc -l) files, $(find "$out" -type f -printf '%s\n' | awk '{s+=$1} END {printf "%.1f MB", s/1e6}')"
done
