#!/usr/bin/env bash
# Hashing benchmark (docs/benchmarks.md §3). Needs openssl, GNU time (/usr/bin/time) and taskset (util-linux).
#   build/bench/hashing.sh files      create artifacts/bench/hash/weights-2g.bin (2 GiB) and shard-{1..4}.bin (4 x 512 MiB)
#   build/bench/hashing.sh single [rounds=5]   the task's single-file hashing vs `openssl dgst -sha256`, interleaved
#   build/bench/hashing.sh sharded [rounds=5]  WeightHasher.Prefetch of the 4 shards on all cores vs `taskset -c 0`
# Page cache: every file is read once before the rounds and the machine has far more RAM than 4 GiB, so every
# run reads from memory: this measures the hashing, not the disk. Results: artifacts/bench/hash/*.txt
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/artifacts/bench/hash
mkdir -p "$OUT"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
BIN=$OUT/bin/OpenTrain.HashBench.dll
cmd=${1:?files|single|sharded}; rounds=${2:-5}

build() {
  [ -f "$BIN" ] || dotnet build "$ROOT/build/bench/OpenTrain.HashBench" -c Release -o "$OUT/bin" -v:q -nologo
}
load() { cut -d' ' -f1-3 /proc/loadavg; }

case $cmd in
files)
  # Random bytes (incompressible, no sparse blocks). Back-dated: the task does not cache a digest of a file written
  # within 2 s of hashing it (racy-clean rule), and the rebuild benchmark needs the cache.
  [ -f "$OUT/weights-2g.bin" ] || head -c $((2048 * 1024 * 1024)) /dev/urandom > "$OUT/weights-2g.bin"
  for i in 1 2 3 4; do [ -f "$OUT/shard-$i.bin" ] || head -c $((512 * 1024 * 1024)) /dev/urandom > "$OUT/shard-$i.bin"; done
  touch -d '-1 hour' "$OUT"/weights-2g.bin "$OUT"/shard-*.bin
  ls -l "$OUT"/*.bin
  ;;
single)
  build
  F=$OUT/weights-2g.bin
  cat "$F" > /dev/null   # warm the page cache once for both tools
  : > "$OUT/single.txt"
  for r in $(seq 1 "$rounds"); do
    echo "round $r load-before $(load)" >> "$OUT/single.txt"
    # Alternate which tool goes first.
    if [ $((r % 2)) -eq 1 ]; then order="openssl opentrain incremental"; else order="opentrain incremental openssl"; fi
    for tool in $order; do
      case $tool in
      openssl) /usr/bin/time -f "openssl wall=%e user=%U sys=%S" -a -o "$OUT/single.txt" openssl dgst -sha256 -r "$F" | sed 's/^/openssl-digest /' >> "$OUT/single.txt" ;;
      opentrain) /usr/bin/time -f "opentrain-process wall=%e user=%U sys=%S" -a -o "$OUT/single.txt" dotnet "$BIN" hash "$F" >> "$OUT/single.txt" ;;
      incremental) dotnet "$BIN" incremental "$F" >> "$OUT/single.txt" ;;
      esac
    done
    echo "round $r load-after $(load)" >> "$OUT/single.txt"
  done
  cat "$OUT/single.txt"
  ;;
sharded)
  build
  S=("$OUT"/shard-1.bin "$OUT"/shard-2.bin "$OUT"/shard-3.bin "$OUT"/shard-4.bin)
  cat "${S[@]}" > /dev/null
  : > "$OUT/sharded.txt"
  for r in $(seq 1 "$rounds"); do
    echo "round $r load-before $(load)" >> "$OUT/sharded.txt"
    if [ $((r % 2)) -eq 1 ]; then order="all one"; else order="one all"; fi
    for c in $order; do
      if [ "$c" = all ]; then dotnet "$BIN" prefetch "${S[@]}" | sed 's/^/all-cores /' >> "$OUT/sharded.txt"
      else taskset -c 0 dotnet "$BIN" prefetch "${S[@]}" | sed 's/^/one-core /' >> "$OUT/sharded.txt"; fi
    done
    echo "round $r load-after $(load)" >> "$OUT/sharded.txt"
  done
  cat "$OUT/sharded.txt"
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
