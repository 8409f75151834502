#!/usr/bin/env bash
# Puts the benchmarked Math.NET Numerics source into artifacts/bench/mathnet-src (git-ignored; nothing of it is committed).
# Usage: build/bench/get-mathnet.sh <git-dir | archive.tar.gz | --clone> [commit]
#   <git-dir>        a clone's .git directory or a bare/mirror repository (e.g. from `git clone --bare`)
#   archive.tar.gz   a GitHub source archive of the commit (top-level folder is stripped)
#   --clone          clones https://github.com/mathnet/mathnet-numerics into artifacts/bench/mathnet.git first
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/artifacts/bench/mathnet-src   # results go to artifacts/bench/<name>/, a separate folder
SRC=${1:?git-dir, archive or --clone}
COMMIT=${2:-84e9432bc1e8a6b2ae7acd32cda4175abeaeaed1}   # the commit measured in docs/benchmarks.md
rm -rf "$OUT"; mkdir -p "$OUT"
if [ "$SRC" = --clone ]; then
  [ -d "$ROOT/artifacts/bench/mathnet.git" ] || git clone --bare https://github.com/mathnet/mathnet-numerics "$ROOT/artifacts/bench/mathnet.git"
  SRC=$ROOT/artifacts/bench/mathnet.git
fi
if [ -d "$SRC" ]; then
  git --git-dir="$SRC" archive "$COMMIT" | tar -x -C "$OUT"
  echo "$COMMIT" > "$OUT/.bench-commit"
else
  tar -xzf "$SRC" -C "$OUT" --strip-components=1
  echo "archive $(basename "$SRC")" > "$OUT/.bench-commit"
fi
rm -f "$OUT/global.json"   # it pins SDK 8.0.100; the benchmark uses the installed SDK (recorded with the results)
echo "Math.NET Numerics $(cat "$OUT/.bench-commit") in $OUT: $(find "$OUT/src/Numerics" -name '*.cs' | xargs cat | wc -l) lines of C# in src/Numerics"
