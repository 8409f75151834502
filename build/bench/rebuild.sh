#!/usr/bin/env bash
# Unchanged-rebuild benchmark (docs/benchmarks.md §3): a sample project whose manifest declares the 2 GiB weight file
# of build/bench/hashing.sh. Two identical copies, with and without the OpenTrainAnalyzers package (0.1.0-bench,
# packed by build/bench/analyzers.sh prepare). Needs openssl and GNU time.
#   build/bench/rebuild.sh setup            create artifacts/bench/rebuild/{with,without}, first and second build (-v:n logs)
#   build/bench/rebuild.sh noop [rounds=7]  no-op `dotnet build` of each copy, interleaved; wall times in noop.txt
#     (a third copy, with-off, has the package with -p:OpenTrainEnabled=false: what evaluating its props/targets costs)
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/artifacts/bench
OUT=$BENCH/rebuild
export NUGET_PACKAGES=$BENCH/nuget-packages MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
W=$BENCH/hash/weights-2g.bin
cmd=${1:?setup|noop}; rounds=${2:-7}

case $cmd in
setup)
  [ -f "$W" ] || { echo "run build/bench/hashing.sh files first" >&2; exit 2; }
  [ -f "$BENCH/feed/OpenTrainAnalyzers.0.1.0-bench.nupkg" ] || { echo "run build/bench/analyzers.sh prepare first (it packs 0.1.0-bench)" >&2; exit 2; }
  rm -rf "$OUT"; mkdir -p "$OUT"
  # Keep the repository's Directory.Build.props / central package versions out of the sample.
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$OUT/$f"; done
  sha=$(openssl dgst -sha256 -r "$W" | cut -d' ' -f1); size=$(stat -c %s "$W")
  for v in with without; do
    mkdir -p "$OUT/$v/models"
    ln "$W" "$OUT/$v/models/weights-2g.bin"   # a hard link: same bytes, same timestamps, no copy
    ref=''; [ $v = with ] && ref='<ItemGroup><PackageReference Include="OpenTrainAnalyzers" Version="0.1.0-bench" PrivateAssets="all" /></ItemGroup>'
    cat > "$OUT/$v/Sample.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <RestoreAdditionalProjectSources>$BENCH/feed</RestoreAdditionalProjectSources>
  </PropertyGroup>
  $ref
</Project>
EOF
    printf 'namespace Sample;\n\npublic static class Greeting\n{\n    public static string Hello(string name) => "Hello, " + name;\n}\n' > "$OUT/$v/Greeting.cs"
    # The complete test fixture, with its one weight file replaced by the 2 GiB file.
    sed -e "s|\"path\": \"model.onnx\"|\"path\": \"weights-2g.bin\"|" \
        -e "s|\"sha256\": \"4f2d1c0b9a8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a392817061234\"|\"sha256\": \"$sha\"|" \
        -e "s|\"size\": 12,|\"size\": $size,|" \
        "$ROOT/tests/OpenTrain.Lineage.Tests/Fixtures/complete.lineage.json" > "$OUT/$v/models/weights-2g.lineage.json"
  done
  grep -q "$sha" "$OUT/with/models/weights-2g.lineage.json" || { echo "manifest rewrite failed" >&2; exit 1; }
  cd "$OUT/with"
  /usr/bin/time -f "first build wall=%e" dotnet build -v:n -nologo > "$OUT/with-first.log" 2>&1 || { tail -30 "$OUT/with-first.log"; exit 1; }
  /usr/bin/time -f "second build wall=%e" dotnet build -v:n -nologo > "$OUT/with-second.log" 2>&1 || { tail -30 "$OUT/with-second.log"; exit 1; }
  grep -hE 'OpenTrain: (hashed|[0-9]+ lineage)|build wall=' "$OUT/with-first.log" "$OUT/with-second.log"
  cp -al "$OUT/with" "$OUT/with-off" && rm -rf "$OUT/with-off/obj" "$OUT/with-off/bin"
  ;;
noop)
  : > "$OUT/noop.txt"
  off() { [ "$1" = with-off ] && echo -p:OpenTrainEnabled=false || true; }
  for v in with without with-off; do (cd "$OUT/$v" && dotnet build -nologo -v:q $(off $v) > /dev/null); done   # all up to date
  for r in $(seq 1 "$rounds"); do
    echo "round $r load-before $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/noop.txt"
    case $((r % 3)) in 1) order="with without with-off" ;; 2) order="without with-off with" ;; *) order="with-off with without" ;; esac
    for v in $order; do
      (cd "$OUT/$v" && /usr/bin/time -f "$v wall=%e user=%U sys=%S" -a -o "$OUT/noop.txt" dotnet build -nologo -v:q $(off $v) > "$OUT/noop-$v-$r.log" 2>&1)
    done
  done
  cat "$OUT/noop.txt"
  for v in with without with-off; do
    printf '%s median wall: ' $v; grep "^$v wall=" "$OUT/noop.txt" | sed 's/.*wall=\([0-9.]*\).*/\1/' | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
  done
  # The ratio within each round (same moment, same load), then its median over the rounds.
  for v in with with-off; do
    printf '%s / without, median of per-round ratios: ' $v
    awk -v v=$v '/^round/{r=$2; next} {split($2,a,"="); w[r,$1]=a[2]; R[r]=1} END{for (r in R) printf "%.4f\n", w[r,v]/w[r,"without"]}' "$OUT/noop.txt" \
      | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2, "(min " a[1] ", max " a[NR] ")"}'
  done
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
