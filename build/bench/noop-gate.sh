#!/usr/bin/env bash
# No-op rebuild of an app with two manifests (a fine-tune and its vendored parent), docs/benchmarks.md "The no-op
# rebuild and the incremental gate". Three copies of the same app, each built once and then rebuilt unchanged:
#   on      the package packed from this work tree (HEAD's files), OpenTrainEnabled left on
#   before  the package packed from BEFORE (a commit; default: the commit before the incremental gate), on
#   off     this work tree's package with OpenTrainEnabled=false (what the issue compares against)
# Fresh build nodes every run (MSBUILDDISABLENODEREUSE=1), the three interleaved in a rotating order; the figure is
# the median over rounds of the per-round ratio (same moment, same load).
#   build/bench/noop-gate.sh setup [BEFORE=4283d87]   pack both versions, create the copies, first builds
#   build/bench/noop-gate.sh repack                   pack this work tree again as 0.1.0-on (after a change), first builds
#   build/bench/noop-gate.sh run [rounds=15]          interleaved no-op builds; wall times in noop.txt, medians printed
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=$ROOT/artifacts/bench/noop-gate
export NUGET_PACKAGES=$OUT/packages MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cmd=${1:?setup|run}

app() { # app <folder> <version> <enabled>
  local dir=$OUT/$1; rm -rf "$dir"; mkdir -p "$dir/models"
  cp "$ROOT/samples/IrisDemo/models/iris-species.onnx" "$dir/models/"
  cp "$ROOT/samples/IrisDemo/models/iris-species.lineage.json" "$dir/models/base.lineage.json"
  # The fine-tune names its vendored parent by path and SHA-256 (as tests/…/LineageChainTaskTests does).
  python3 - "$dir" <<'PY'
import hashlib, sys, os
d = sys.argv[1]
base = open(os.path.join(d, "models/base.lineage.json"), "rb").read()
sha = hashlib.sha256(base).hexdigest()
child = base.decode().replace('"derivation": "from-scratch"',
    '"derivation": "finetune",\n    "parents": [{"name": "iris-species", "relation": "finetune", "manifest": {"path": "base.lineage.json", "sha256": "%s"}}]' % sha)
assert '"finetune"' in child
open(os.path.join(d, "models/iris-finetune.lineage.json"), "w").write(child)
PY
  cat > "$dir/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <RestoreAdditionalProjectSources>$OUT/feed</RestoreAdditionalProjectSources>
    <OpenTrainEnabled>$3</OpenTrainEnabled>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="OpenTrainAnalyzers" Version="$2" PrivateAssets="all" />
    <None Include="models/iris-species.onnx" CopyToOutputDirectory="PreserveNewest" />
  </ItemGroup>
</Project>
EOF
  printf 'System.Console.WriteLine("hello");\n' > "$dir/Program.cs"
}

case $cmd in
setup)
  before=${2:-4283d87}
  rm -rf "$OUT"; mkdir -p "$OUT/feed" "$OUT/src-before"
  for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$OUT/$f"; done
  dotnet pack "$ROOT/src/OpenTrainAnalyzers.Package" -c Release -p:Version=0.1.0-on -o "$OUT/feed" -nologo -v:q
  git -C "$ROOT" archive "$before" | tar -x -C "$OUT/src-before"
  dotnet pack "$OUT/src-before/src/OpenTrainAnalyzers.Package" -c Release -p:Version=0.1.0-before -o "$OUT/feed" -nologo -v:q
  rm -rf "$OUT/src-before"
  app on 0.1.0-on true; app before 0.1.0-before true; app off 0.1.0-on false
  for v in on before off; do
    (cd "$OUT/$v" && dotnet build -nologo -v:n > "$OUT/first-$v.log" 2>&1 && dotnet build -nologo -v:n > "$OUT/second-$v.log" 2>&1) \
      || { tail -30 "$OUT/first-$v.log" "$OUT/second-$v.log"; exit 1; }
  done
  grep -h "lineage manifest(s) checked\|Skipping target \"_OpenTrainGate\"" "$OUT"/first-*.log "$OUT"/second-*.log || true
  ;;
repack)
  rm -rf "$OUT/packages/opentrainanalyzers/0.1.0-on" "$OUT/feed/OpenTrainAnalyzers.0.1.0-on.nupkg"
  dotnet pack "$ROOT/src/OpenTrainAnalyzers.Package" -c Release -p:Version=0.1.0-on -o "$OUT/feed" -nologo -v:q
  app on 0.1.0-on true; app off 0.1.0-on false
  for v in on off; do
    (cd "$OUT/$v" && dotnet build -nologo -v:n > "$OUT/first-$v.log" 2>&1 && dotnet build -nologo -v:n > "$OUT/second-$v.log" 2>&1) \
      || { tail -30 "$OUT/first-$v.log" "$OUT/second-$v.log"; exit 1; }
  done
  grep -c "lineage manifest(s) checked" "$OUT"/first-on.log "$OUT"/second-on.log || true
  ;;
run)
  rounds=${2:-15}; : > "$OUT/noop.txt"
  echo "sdk $(dotnet --version) cores $(nproc) load-before $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/env.txt"
  for r in $(seq 1 "$rounds"); do
    echo "round $r load-before $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/noop.txt"
    case $((r % 3)) in 1) order="on before off" ;; 2) order="before off on" ;; *) order="off on before" ;; esac
    for v in $order; do
      (cd "$OUT/$v" && /usr/bin/time -f "$v wall=%e user=%U sys=%S" -a -o "$OUT/noop.txt" dotnet build -nologo -v:q > "$OUT/noop-$v.log" 2>&1)
    done
  done
  for v in on before off; do
    printf '%s median wall: ' $v; grep "^$v wall=" "$OUT/noop.txt" | sed 's/.*wall=\([0-9.]*\).*/\1/' | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
  done
  for v in on before off; do
    printf '%s median cpu (user+sys): ' $v; grep "^$v wall=" "$OUT/noop.txt" | sed 's/.*user=\([0-9.]*\) sys=\([0-9.]*\).*/\1 \2/' | awk '{print $1+$2}' | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'
  done
  for v in on before; do
    printf '%s / off, median of per-round ratios: ' $v
    awk -v v=$v '/^round/{r=$2; next} {split($2,a,"="); w[r,$1]=a[2]; R[r]=1} END{for (r in R) printf "%.4f\n", w[r,v]/w[r,"off"]}' "$OUT/noop.txt" \
      | sort -n | awk '{a[NR]=$1} END{print (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2, "(min " a[1] ", max " a[NR] ")"}'
  done
  ;;
*) echo "unknown command $cmd" >&2; exit 2 ;;
esac
