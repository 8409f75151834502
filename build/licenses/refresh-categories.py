#!/usr/bin/env python3
"""Regenerates src/OpenTrain.Lineage/Data/license-categories.tsv, the licence classification the licence policy embeds.

Source: OSS Review Toolkit's license-classifications.yml (repository oss-review-toolkit/ort-config, Apache-2.0), which
ORT generates from the ScanCode LicenseDB (https://scancode-licensedb.aboutcode.org/, data CC-BY-4.0). Only the ScanCode
categories are kept (ORT's own notice-file markers are not licence categories). One category is derived here and
marked as such: 'non-commercial' for the Creative Commons licences whose identifier carries the NC (NonCommercial)
element, because ScanCode files them under 'source-available' and a policy must be able to name them.

Usage:
  build/licenses/refresh-categories.py [COMMIT]            # downloads the file at COMMIT of ort-config (default below)
  build/licenses/refresh-categories.py --file PATH COMMIT  # uses a local copy of that commit's file
Review the diff and commit the TSV together with the commit id in the message.
"""
import re
import sys
import urllib.request
from pathlib import Path

DEFAULT_COMMIT = "0bfcff9875647c1f86ccc2dc8e14213a5e84954a"
REPOSITORY = "oss-review-toolkit/ort-config"
# The ORT markers that say what to put in a notice file; they are not categories of the licence itself.
NOT_CATEGORIES = {"include-in-notice-file", "include-source-code-offer-in-notice-file"}
# CC-BY-NC-4.0, CC-BY-NC-SA-2.0-FR, LicenseRef-scancode-cc-by-nc-sa-3.0 ...: the NC element of a CC licence name.
NON_COMMERCIAL = re.compile(r"^(LicenseRef-scancode-)?cc-by-nc(-|$)", re.IGNORECASE)


def read_source(argv):
    if len(argv) >= 3 and argv[0] == "--file":
        return Path(argv[1]).read_text(encoding="utf-8"), argv[2]
    commit = argv[0] if argv else DEFAULT_COMMIT
    url = f"https://raw.githubusercontent.com/{REPOSITORY}/{commit}/license-classifications.yml"
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read().decode("utf-8"), commit


def parse(text):
    """The file's two lists: categories (name) and categorizations (id, categories). Line-based: its layout is fixed."""
    declared, licences = [], {}
    section, current = None, None
    for line in text.splitlines():
        if line.startswith("categories:"):
            section = "categories"
        elif line.startswith("categorizations:"):
            section = "categorizations"
        elif section == "categories" and line.startswith("- name:"):
            declared.append(line.split(":", 1)[1].strip().strip('"'))
        elif section == "categorizations" and line.startswith("- id:"):
            current = line.split(":", 1)[1].strip().strip('"')
            licences[current] = []
        elif section == "categorizations" and current and line.startswith("  - "):
            licences[current].append(line[4:].strip().strip('"'))
    if not declared or not licences:
        raise SystemExit("license-classifications.yml: no categories or categorizations found; has the format changed?")
    return declared, licences


def main(argv):
    text, commit = read_source(argv)
    declared, licences = parse(text)
    categories = [c for c in declared if c not in NOT_CATEGORIES] + ["non-commercial"]
    rows = []
    for licence_id in sorted(licences, key=str.lower):
        kept = [c for c in licences[licence_id] if c not in NOT_CATEGORIES]
        unknown = [c for c in kept if c not in declared]
        if unknown:
            raise SystemExit(f"{licence_id}: category {unknown} is not declared in the file")
        if NON_COMMERCIAL.match(licence_id):
            kept.append("non-commercial")
        if kept:
            rows.append(f"{licence_id}\t{','.join(kept)}")
    out = Path(__file__).resolve().parents[2] / "src/OpenTrain.Lineage/Data/license-categories.tsv"
    header = [
        f"# Licence categories of the ScanCode LicenseDB (data: CC-BY-4.0, https://scancode-licensedb.aboutcode.org/),",
        f"# as published in OSS Review Toolkit's license-classifications.yml (Apache-2.0),",
        f"# source: https://github.com/{REPOSITORY}/blob/{commit}/license-classifications.yml",
        "# 'non-commercial' is derived by build/licenses/refresh-categories.py (CC licences with the NC element).",
        "# Regenerate with build/licenses/refresh-categories.py; do not edit by hand.",
        f"#categories\t{','.join(categories)}",
        f"#source\t{REPOSITORY}@{commit}",
    ]
    out.write_text("\n".join(header + rows) + "\n", encoding="utf-8")
    print(f"wrote {len(rows)} licences in {len(categories)} categories from {REPOSITORY}@{commit}")


if __name__ == "__main__":
    main(sys.argv[1:])
