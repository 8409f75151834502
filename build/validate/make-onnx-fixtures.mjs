// Writes the ONNX fixture of tests/OpenTrain.Lineage.Tests/Fixtures/headers with the npm onnx-proto package (the
// protobufjs encoding of onnx.proto), with a graph holding an initializer the C# reader must skip unread, then decodes
// it with the same package and records what it saw (*.onnx.expected.json) for the C# reader to match.
// Run: npm ci --prefix build/validate && node build/validate/make-onnx-fixtures.mjs
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const { onnx } = require('onnx-proto')
const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'OpenTrain.Lineage.Tests', 'Fixtures', 'headers')

const weights = new Float32Array(1024).fill(0.5)
const model = onnx.ModelProto.create({
  irVersion: 9,
  producerName: 'pytorch',
  producerVersion: '2.4.1',
  domain: 'ai.example.sentiment',
  modelVersion: 3,
  docString: 'Sentiment classifier exported with torch.onnx; é😀',
  opsetImport: [{ domain: '', version: 17 }, { domain: 'ai.onnx.ml', version: 3 }],
  metadataProps: [{ key: 'license', value: 'Apache-2.0' }, { key: 'base_model', value: 'distilbert-base-uncased' }],
  graph: {
    name: 'main',
    initializer: [{ name: 'classifier.weight', dims: [32, 32], dataType: 1, rawData: new Uint8Array(weights.buffer) }],
  },
})
const bytes = onnx.ModelProto.encode(model).finish()
writeFileSync(join(out, 'sentiment.onnx'), bytes)
const decoded = onnx.ModelProto.toObject(onnx.ModelProto.decode(bytes), { longs: Number })
delete decoded.graph
writeFileSync(join(out, 'sentiment.onnx.expected.json'), JSON.stringify(decoded, null, 2) + '\n')
console.log('wrote sentiment.onnx', bytes.length, 'bytes')
