// Writes the safetensors fixture of tests/OpenTrain.Lineage.Tests/Fixtures/headers by the published format
// (https://github.com/huggingface/safetensors#format): an 8-byte little-endian header length, the JSON header
// (tensor table and "__metadata__" strings, padded with spaces to a multiple of 8), then the tensor bytes.
// No independent safetensors implementation is served on npm or Debian here; the C# reader is checked against this
// script's own record of what it wrote (*.safetensors.expected.json).
// Run: node build/validate/make-safetensors-fixtures.mjs
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'OpenTrain.Lineage.Tests', 'Fixtures', 'headers')
const sizes = { F32: 4, F16: 2, BF16: 2, I8: 1 }
const tensors = [
  ['model.embed_tokens.weight', 'BF16', [32, 8]],
  ['model.layers.0.self_attn.q_proj.weight', 'BF16', [8, 8]],
  ['model.layers.0.input_layernorm.weight', 'F32', [8]],
  ['lm_head.weight', 'BF16', [32, 8]],
]
const metadata = { format: 'pt', base_model: 'meta-llama/Llama-3.2-1B', license: 'llama3.2', 'é': '😀' }
const header = { __metadata__: metadata }
let offset = 0
for (const [name, dtype, shape] of tensors) {
  const bytes = shape.reduce((a, b) => a * b, 1) * sizes[dtype]
  header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] }
  offset += bytes
}
let json = Buffer.from(JSON.stringify(header), 'utf8')
const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)])
const length = Buffer.alloc(8)
length.writeBigUInt64LE(BigInt(padded.length))
const data = Buffer.alloc(offset, 0x3c)
writeFileSync(join(out, 'adapter.safetensors'), Buffer.concat([length, padded, data]))
const parameters = tensors.reduce((sum, [, , shape]) => sum + shape.reduce((a, b) => a * b, 1), 0)
const expected = { metadata, tensors: tensors.length, dtypes: [...new Set(tensors.map(t => t[1]))].sort(), parameters, headerEnd: 8 + padded.length }
writeFileSync(join(out, 'adapter.safetensors.expected.json'), JSON.stringify(expected, null, 2) + '\n')
console.log('wrote adapter.safetensors')
