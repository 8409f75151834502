// Writes the safetensors fixture of tests/OpenTrain.Lineage.Tests/Fixtures/headers by the published format
// (writers.mjs: an 8-byte little-endian header length, the padded JSON header, then the tensor bytes).
// No independent safetensors implementation is served on npm or Debian here; the C# reader is checked against this
// script's own record of what it wrote (*.safetensors.expected.json).
// Run: node build/validate/make-safetensors-fixtures.mjs
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { safetensorsBytes } from './writers.mjs'

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'OpenTrain.Lineage.Tests', 'Fixtures', 'headers')
const tensors = [
  ['model.embed_tokens.weight', 'BF16', [32, 8]],
  ['model.layers.0.self_attn.q_proj.weight', 'BF16', [8, 8]],
  ['model.layers.0.input_layernorm.weight', 'F32', [8]],
  ['lm_head.weight', 'BF16', [32, 8]],
]
const metadata = { format: 'pt', base_model: 'meta-llama/Llama-3.2-1B', license: 'llama3.2', 'é': '😀' }
const { bytes, headerEnd } = safetensorsBytes(metadata, tensors)
writeFileSync(join(out, 'adapter.safetensors'), bytes)
const parameters = tensors.reduce((sum, [, , shape]) => sum + shape.reduce((a, b) => a * b, 1), 0)
const expected = { metadata, tensors: tensors.length, dtypes: [...new Set(tensors.map(t => t[1]))].sort(), parameters, headerEnd }
writeFileSync(join(out, 'adapter.safetensors.expected.json'), JSON.stringify(expected, null, 2) + '\n')
console.log('wrote adapter.safetensors')
