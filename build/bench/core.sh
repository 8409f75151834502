#!/usr/bin/env bash
# Core benchmark: read + evaluate manifests (BenchmarkDotNet), against System.Text.Json's parser as the baseline.
# Usage: build/bench/core.sh [--job short]    Results: artifacts/bench/core/results/*.md
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), dotnet $(dotnet --version), commit $(git -C "$root" rev-parse --short HEAD)"
dotnet run -c Release --project "$root/build/bench/OpenTrain.Benchmarks" -- \
  --filter '*' --artifacts "$root/artifacts/bench/core" --exporters github "$@"
