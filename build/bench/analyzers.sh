#!/usr/bin/env bash
# Analyzer cost, side by side (docs/benchmarks.md §1, §2): OpenTrainAnalyzers vs BannedApiAnalyzers 5.6.0, the
# no-op invocation analyzer (the floor) and no analyzer, on one C# project. Nothing in the benchmarked codebase is
# edited: every configuration is injected with -p:CustomAfterMicrosoftCommonTargets=build/bench/inject/inject-<cfg>.targets.
#
# Usage:
#   build/bench/analyzers.sh prepare <name> <project.csproj> [extra msbuild args...]
#       packs OpenTrainAnalyzers (from `git archive HEAD`, version 0.1.0-bench), builds the no-op analyzer, and runs
#       one full build per configuration with /reportanalyzer, keeping the exact csc command line (a .rsp file).
#   build/bench/analyzers.sh replay <name> [rounds=5] [modes="parallel sequential"]
#       compiler-only replays of those command lines (no MSBuild), interleaved by configuration, both concurrency modes.
#   build/bench/analyzers.sh summary <name>
#       medians per configuration and mode, ratios, load per round.
# Everything is written to artifacts/bench/<name>/ (git-ignored). Needs GNU time (/usr/bin/time, Debian "time").
# CONFIGS overrides the configuration list (default: base noop-op ota-empty banned-empty ota banned).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BENCH=$ROOT/artifacts/bench
INJECT=$ROOT/build/bench/inject
export NUGET_PACKAGES=$BENCH/nuget-packages   # keeps the 0.1.0-bench package out of the user's global cache
export MSBUILDDISABLENODEREUSE=1 UseSharedCompilation=false DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
read -r -a CONFIGS <<< "${CONFIGS:-base noop-op ota-empty banned-empty ota banned}"
GNU_TIME=/usr/bin/time
[ -x "$GNU_TIME" ] || { echo "GNU time is required (apt-get install time)" >&2; exit 2; }
CSC="$(dirname "$(readlink -f "$(command -v dotnet)")")/sdk/$(dotnet --version)/Roslyn/bincore/csc.dll"

cmd=${1:?prepare|replay|summary}; name=${2:?name}; shift 2
OUT=$BENCH/$name
mkdir -p "$OUT"

pack() {
  # The analyzers as committed: HEAD, not the working tree (the commit is recorded).
  local src=$BENCH/ota-src commit
  commit=$(git -C "$ROOT" rev-parse HEAD)
  if [ ! -f "$src/.commit" ] || [ "$(cat "$src/.commit")" != "$commit" ] || [ ! -f "$BENCH/feed/OpenTrainAnalyzers.0.1.0-bench.nupkg" ]; then
    rm -rf "$src" && mkdir -p "$src" && git -C "$ROOT" archive HEAD | tar -x -C "$src"
    # Only what the pack needs: a second copy of build/bench/OpenTrain.Benchmarks under the repository makes
    # BenchmarkDotNet (core.sh) refuse to run ("more than one matching project file").
    rm -rf "$src/build/bench" "$src/tests" "$src/samples"
    rm -rf "$NUGET_PACKAGES/opentrainanalyzers/0.1.0-bench"   # never restore a stale copy of the bench version
    dotnet pack "$src/src/OpenTrainAnalyzers.Package" -c Release -p:Version=0.1.0-bench -o "$BENCH/feed" -v:q -nologo
    echo "$commit" > "$src/.commit"
  fi
  dotnet build "$ROOT/build/bench/noop" -c Release -o "$BENCH/noop" -v:q -nologo
}

busy_ticks() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9; exit}' /proc/stat; }   # user nice system irq softirq steal

inject_args() { # cfg -> msbuild args
  [ "$1" = base ] || printf '%s\n' "-p:CustomAfterMicrosoftCommonTargets=$INJECT/inject-$1.targets"
}

if [ "$cmd" = prepare ]; then
  proj=$(readlink -f "${1:?project}"); shift
  pack
  echo "$proj" > "$OUT/project.txt"; printf '%s\n' "$@" > "$OUT/extra-args.txt"
  for cfg in "${CONFIGS[@]}"; do
    mapfile -t INJ < <(inject_args "$cfg")
    dotnet restore "$proj" "$@" -p:RestoreAdditionalProjectSources="$BENCH/feed" "${INJ[@]}" -v:q -nologo
    # One full build: it is only the source of the csc command line (and a binlog); the replays are the measurement.
    dotnet build "$proj" --no-restore --no-incremental -c Release -p:ReportAnalyzer=true "$@" "${INJ[@]}" -nologo \
      -bl:"$OUT/$cfg.binlog" -flp:"verbosity=detailed;performancesummary;logfile=$OUT/$cfg.build.log" > /dev/null || true
    # The Csc task logs its command line: "<dotnet> exec <csc.dll> /noconfig ..." (or ".../csc /noconfig").
    grep -m1 -E 'bincore/csc(\.dll)? /noconfig' "$OUT/$cfg.build.log" | sed -E 's|^.*bincore/csc(\.dll)? ||' > "$OUT/$cfg.rsp"
    [ -s "$OUT/$cfg.rsp" ] || { echo "no csc command line for $cfg" >&2; exit 1; }
    grep -E '^ +[0-9]+ ms +Csc ' "$OUT/$cfg.build.log" | head -1 | sed "s/^/$cfg build Csc task: /"
    echo "$cfg: $(grep -cE 'warning (RS0030|OTA[0-9]{4})' "$OUT/$cfg.build.log" || true) RS0030/OTA lines in the build log (each printed twice at detailed verbosity)"
  done
  exit 0
fi

if [ "$cmd" = replay ]; then
  rounds=${1:-5}; read -r -a MODES <<< "${2:-parallel sequential}"
  proj=$(cat "$OUT/project.txt")
  cd "$(dirname "$proj")"   # the command lines use project-relative paths
  {
    echo "machine: $(nproc) cores, $(dotnet --version) SDK, $(dotnet exec "$CSC" /version 2>/dev/null | head -1) compiler"
    echo "opentrain commit $(cat "$BENCH/ota-src/.commit")"
  } >> "$OUT/env.txt"
  for mode in "${MODES[@]}"; do
    EXTRA=(); [ "$mode" = sequential ] && EXTRA=(/parallel-)
    for round in $(seq 1 "$rounds"); do
      echo "$mode $round before $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
      # Rotate the start so that no configuration always runs first (or last) in a round.
      n=${#CONFIGS[@]}; off=$(( (round - 1) % n ))
      for i in $(seq 0 $((n - 1))); do
        cfg=${CONFIGS[$(( (i + off) % n ))]}
        out="$OUT/$cfg.$mode.$round.out"
        b0=$(busy_ticks)
        "$GNU_TIME" -f "$cfg $mode $round wall=%e user=%U sys=%S rss_kb=%M" -a -o "$OUT/times.txt" \
          dotnet exec "$CSC" @"$OUT/$cfg.rsp" /reportanalyzer "${EXTRA[@]}" > "$out" 2>&1 || true
        # Machine-wide busy CPU during the run; minus the run's own user+sys, it is what others used (noise).
        echo "$cfg $mode $round busy_ticks=$(( $(busy_ticks) - b0 )) hz=$(getconf CLK_TCK)" >> "$OUT/busy.txt"
      done
      echo "$mode $round after $(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/load.txt"
      tail -n "$n" "$OUT/times.txt"
    done
  done
  exit 0
fi

if [ "$cmd" = summary ]; then
  exec awk -v dir="$OUT" -f "$ROOT/build/bench/summarize.awk" "$OUT/times.txt"
fi
echo "unknown command $cmd" >&2; exit 2
