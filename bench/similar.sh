#!/usr/bin/env bash
# `pmsite similar` benchmark: generates a library with the shared generator, builds it once,
# then times whole `pmsite similar` commands (process start, the staleness check, the index
# files a query reads) with hyperfine, warm. The goal at 10,000 post-mortems: under 100 ms.
#
#   bash bench/similar.sh [N ...]        (default: 10000)
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
gen="${GEN_CORPUS:-$here/../shared/bench/gen_corpus.py}"
work="${BENCH_DIR:-${TMPDIR:-/tmp}/pmsite-bench}"
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000)
command -v hyperfine >/dev/null || { echo "bench: hyperfine is missing (apt-get install hyperfine)" >&2; exit 1; }
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
bin="$here/target/release/pmsite"
mkdir -p "$work"
for n in "${sizes[@]}"; do
  lib="$work/lib-$n"
  site="$work/similar-site-$n"
  [ -f "$lib/pmsite.toml" ] || python3 "$gen" --flavor pmsite --n "$n" --out "$lib" >/dev/null
  "$bin" -C "$lib" build --quiet -o "$site" --today 2026-11-24
  echo "== pmsite similar, $n post-mortems"
  hyperfine -N --warmup 3 --runs 30 \
    "$bin -C $lib similar --site $site 'checkout 500s after config push'" \
    "$bin -C $lib similar --site $site 'postgres replication lag after failover, connection pool exhausted on the api'" \
    "$bin -C $lib similar --site $site --json 'TLS certificate expired on the CDN, static assets failing'"
done
