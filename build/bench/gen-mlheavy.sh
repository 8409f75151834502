#!/usr/bin/env bash
# Generates the ML-heavy worst case for build/bench/analyzers.sh (docs/benchmarks.md §2): a C# project with
# FILES x METHODS x 3 model-load sites spread over ONNX Runtime, TorchSharp and OpenCvSharp (their real NuGet
# packages), each method also doing ordinary work (strings, LINQ, arithmetic, a loop). No manifest: every load is
# an OTA0001 / RS0030 finding, so both analyzers also pay for reporting.
# Usage: build/bench/gen-mlheavy.sh [out-dir=artifacts/bench/mlheavy-src] [files=100] [methods=10]
# Also writes BannedSymbols.txt there: the documentation IDs of exactly the loaders the code calls.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${1:-$ROOT/artifacts/bench/mlheavy-src}; FILES=${2:-100}; METHODS=${3:-10}
rm -rf "$OUT"; mkdir -p "$OUT/src"
# Stop the repository's Directory.Build.props / Directory.Packages.props from applying (they sit above artifacts/).
echo '<Project />' > "$OUT/Directory.Build.props"
echo '<Project />' > "$OUT/Directory.Build.targets"
echo '<Project />' > "$OUT/Directory.Packages.props"
cat > "$OUT/MlHeavy.csproj" <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <OutputType>Library</OutputType>
    <Nullable>disable</Nullable>
    <ImplicitUsings>disable</ImplicitUsings>
    <TreatWarningsAsErrors>false</TreatWarningsAsErrors>
    <EnableNETAnalyzers>false</EnableNETAnalyzers>
    <NoWarn>$(NoWarn);CS0168;CS0219</NoWarn>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Microsoft.ML.OnnxRuntime.Managed" Version="1.31.1" />
    <PackageReference Include="TorchSharp" Version="0.107.0" />
    <PackageReference Include="OpenCvSharp4" Version="4.13.0.20260627" />
  </ItemGroup>
</Project>
EOF
cat > "$OUT/BannedSymbols.txt" <<'EOF'
M:Microsoft.ML.OnnxRuntime.InferenceSession.#ctor(System.String);model load
M:Microsoft.ML.OnnxRuntime.InferenceSession.#ctor(System.String,Microsoft.ML.OnnxRuntime.SessionOptions);model load
M:Microsoft.ML.OnnxRuntime.InferenceSession.#ctor(System.Byte[]);model load
M:TorchSharp.torch.jit.load(System.String,TorchSharp.DeviceType,System.Int64);model load
M:TorchSharp.torch.load(System.String);model load
M:TorchSharp.torch.nn.Module.load(System.String,System.Boolean,System.Collections.Generic.IList{System.String},System.Collections.Generic.Dictionary{System.String,System.Boolean});model load
M:OpenCvSharp.Dnn.CvDnn.ReadNetFromOnnx(System.String);model load
M:OpenCvSharp.Dnn.CvDnn.ReadNet(System.String,System.String,System.String);model load
M:OpenCvSharp.CascadeClassifier.#ctor(System.String);model load
EOF
awk -v files="$FILES" -v methods="$METHODS" -v out="$OUT/src" 'BEGIN {
  # Nine load shapes, three per library; constants, locals, Path.Combine, a field and a byte[] read.
  load[0] = "var s{k} = new InferenceSession(\"models/m{k}.onnx\");"
  load[1] = "var s{k} = new InferenceSession(System.IO.Path.Combine(ModelDir, \"m{k}.onnx\"), options);"
  load[2] = "var s{k} = new InferenceSession(System.IO.File.ReadAllBytes(\"models/b{k}.onnx\"));"
  load[3] = "var s{k} = TorchSharp.torch.jit.load(\"models/t{k}.pt\");"
  load[4] = "var s{k} = TorchSharp.torch.load(path);"
  load[5] = "var s{k} = TorchSharp.torch.nn.Linear(4, 4).load(\"models/w{k}.dat\");"
  load[6] = "var s{k} = CvDnn.ReadNetFromOnnx(\"models/c{k}.onnx\");"
  load[7] = "var s{k} = CvDnn.ReadNet(\"models/n{k}.caffemodel\", \"models/n{k}.prototxt\");"
  load[8] = "var s{k} = new CascadeClassifier(\"models/h{k}.xml\");"
  sites = 0
  for (f = 0; f < files; f++) {
    file = sprintf("%s/Pipeline%03d.cs", out, f)
    print "using System;\nusing System.Collections.Generic;\nusing System.Linq;\nusing System.Text;\nusing Microsoft.ML.OnnxRuntime;\nusing OpenCvSharp;\nusing OpenCvSharp.Dnn;\n" > file
    printf "namespace MlHeavy.Part%d\n{\n    public sealed class Pipeline%03d\n    {\n        private const string ModelDir = \"models\";\n        private readonly List<string> _log = new List<string>();\n        private int _count;\n\n", f % 7, f > file
    for (m = 0; m < methods; m++) {
      printf "        public double Step%d(int[] values, string name, SessionOptions options)\n        {\n", m > file
      printf "            string path = \"models/p%d_%d.bin\";\n", f, m > file
      for (j = 0; j < 3; j++) {
        k = sites++; t = load[(f * methods * 3 + m * 3 + j) % 9]; gsub(/\{k\}/, k, t)
        printf "            %s\n            _log.Add(s%d.ToString());\n", t, k > file
      }
      printf "            var sb = new StringBuilder(name);\n" > file
      printf "            for (int i = 0; i < values.Length; i++)\n            {\n                if (values[i] %% 3 == 0) { sb.Append(values[i]).Append(\x27,\x27); } else { _count += values[i] * %d; }\n            }\n", m + 1 > file
      printf "            var evens = values.Where(v => v %% 2 == 0).Select(v => v * %d).OrderBy(v => v).ToList();\n", f + 1 > file
      printf "            var text = string.Join(\";\", evens.Select(e => e.ToString())) + sb.ToString().Trim().ToUpperInvariant();\n" > file
      printf "            double acc = Math.Sqrt(_count) + Math.Max(evens.Count, %d) * Math.PI;\n", m > file
      printf "            foreach (var word in text.Split(\x27;\x27)) { acc += word.Length > 2 ? Math.Log(word.Length) : Math.Abs(acc - %d); }\n", f > file
      printf "            _log.Add(string.Format(\"{0}:{1}\", name, acc.ToString(\"F2\", System.Globalization.CultureInfo.InvariantCulture)));\n" > file
      printf "            return Helper(acc, evens.Sum(), _log.Count) + Math.Round(acc, 2);\n        }\n\n" > file
    }
    printf "        private static double Helper(double a, int b, int c) => c == 0 ? a : a / c + b;\n    }\n}\n" > file
    close(file)
  }
  printf "%d files, %d load sites\n", files, sites
}'
echo "wrote $OUT ($(cat "$OUT"/src/*.cs | wc -l) lines of C#)"
