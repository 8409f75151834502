// Answers licence-policy cases with npm's spdx-satisfies, an independent implementation of SPDX expression semantics,
// for LicensePolicyCrossCheckTests. Input: a JSON file [{ "expression": "...", "allowed": ["MIT", ...] }, ...].
// Output: one line per case, "allowed" or "denied", in order. Usage: node spdx-satisfies-cases.mjs <cases.json>
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const satisfies = require('spdx-satisfies');

if (process.argv.length !== 3 || process.argv[2].startsWith('--')) {
  console.error('usage: node spdx-satisfies-cases.mjs <cases.json>');
  process.exit(2);
}

const cases = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const lines = cases.map(c => (satisfies(c.expression, c.allowed) ? 'allowed' : 'denied'));
process.stdout.write(lines.join('\n') + '\n');
