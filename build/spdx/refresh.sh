#!/usr/bin/env bash
# Refreshes the SPDX licence list embedded in OpenTrain.Lineage from the npm package `spdx-license-list`
# (the SPDX project's published data, repackaged). Usage: build/spdx/refresh.sh [version]   (default: latest)
# Writes src/OpenTrain.Lineage/Data/spdx-licenses.tsv; review the diff and commit it with the version in the message.
set -euo pipefail
version="${1:-latest}"
repo_root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cd "$work"
tarball="$(npm pack "spdx-license-list@$version" --silent)"
tar xzf "$tarball"
node - "$repo_root/src/OpenTrain.Lineage/Data/spdx-licenses.tsv" <<'JS'
const fs = require('fs');
const pkg = require('./package/package.json');
const list = require('./package/spdx.json');
const ids = Object.keys(list).sort((a, b) => a.localeCompare(b, 'en'));
const lines = [
  `# SPDX licence identifiers from the npm package spdx-license-list@${pkg.version} (refresh: build/spdx/refresh.sh).`,
  '# Columns: identifier <TAB> osi-approved (1/0)',
  ...ids.map(id => `${id}\t${list[id].osiApproved ? 1 : 0}`),
];
fs.writeFileSync(process.argv[2], lines.join('\n') + '\n');
console.log(`wrote ${ids.length} licences from spdx-license-list@${pkg.version}`);
JS
