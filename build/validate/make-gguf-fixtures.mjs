// Writes the GGUF header fixtures of tests/OpenTrain.Lineage.Tests/Fixtures/headers with Hugging Face's own GGUF
// writer (@huggingface/gguf serializeGgufMetadata), then reads each back with the same package's reader and stores what
// it saw beside the file (*.gguf.expected.json) so the C# reader is checked against an independent implementation.
// The files hold metadata only (no tensors): real keys and value types of a Q4_K_M quantization of a fine-tune.
// Run: npm ci --prefix build/validate && node build/validate/make-gguf-fixtures.mjs
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gguf, GGUFValueType } from '@huggingface/gguf'
import { ggufBytes } from './writers.mjs'

const out = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'OpenTrain.Lineage.Tests', 'Fixtures', 'headers')
const T = GGUFValueType

function fixture(name, entries, version = 3) {
  writeFileSync(join(out, name), ggufBytes(entries, { version }))
  return name
}

const tokens = Array.from({ length: 300 }, (_, i) => i < 3 ? ['<|begin_of_text|>', '<|end_of_text|>', 'é😀'][i] : `tok${i}`)
const quantized = fixture('llama-3.2-1b-instruct.Q4_K_M.gguf', {
  'general.architecture': { value: 'llama', type: T.STRING },
  'general.type': { value: 'model', type: T.STRING },
  'general.name': { value: 'Llama 3.2 1B Instruct', type: T.STRING },
  'general.finetune': { value: 'Instruct', type: T.STRING },
  'general.basename': { value: 'Llama-3.2', type: T.STRING },
  'general.size_label': { value: '1B', type: T.STRING },
  'general.license': { value: 'llama3.2', type: T.STRING },
  'general.base_model.count': { value: 1, type: T.UINT32 },
  'general.base_model.0.name': { value: 'Llama 3.2 1B', type: T.STRING },
  'general.base_model.0.organization': { value: 'Meta Llama', type: T.STRING },
  'general.base_model.0.repo_url': { value: 'https://huggingface.co/meta-llama/Llama-3.2-1B', type: T.STRING },
  'general.quantized_by': { value: 'an independent quantizer', type: T.STRING },
  'general.file_type': { value: 15, type: T.UINT32 },
  'general.quantization_version': { value: 2, type: T.UINT32 },
  'llama.context_length': { value: 131072, type: T.UINT32 },
  'llama.embedding_length': { value: 2048, type: T.UINT32 },
  'llama.block_count': { value: 16, type: T.UINT32 },
  'llama.rope.freq_base': { value: 500000.0, type: T.FLOAT32 },
  'llama.attention.layer_norm_rms_epsilon': { value: 0.00001, type: T.FLOAT32 },
  'tokenizer.ggml.add_bos_token': { value: true, type: T.BOOL },
  'tokenizer.ggml.model': { value: 'gpt2', type: T.STRING },
  'tokenizer.ggml.tokens': { value: tokens, type: T.ARRAY, subType: T.STRING },
  'tokenizer.ggml.token_type': { value: tokens.map((_, i) => i < 2 ? 3 : 1), type: T.ARRAY, subType: T.INT32 },
  'general.tags': { value: ['facebook', 'meta', 'llama-3'], type: T.ARRAY, subType: T.STRING },
})

// The first shard of a model split by llama.cpp's gguf-split, in GGUF version 2 (64-bit counts, little-endian only):
// the split.* keys say which shard it is; general.* metadata is in the first shard only.
const shard = fixture('qwen2-0.5b-instruct-q8_0-00001-of-00002.gguf', {
  'general.architecture': { value: 'qwen2', type: T.STRING },
  'general.name': { value: 'Qwen2 0.5B Instruct', type: T.STRING },
  'general.license': { value: 'apache-2.0', type: T.STRING },
  'general.file_type': { value: 7, type: T.UINT32 },
  'split.no': { value: 0, type: T.UINT16 },
  'split.count': { value: 2, type: T.UINT16 },
  'split.tensors.count': { value: 290, type: T.INT32 },
  'qwen2.context_length': { value: 32768, type: T.UINT32 },
  'qwen2.rope.freq_base': { value: 1000000.0, type: T.FLOAT32 },
  'tokenizer.ggml.merges': { value: ['Ġ Ġ', 'ĠĠ ĠĠ', 'i n'], type: T.ARRAY, subType: T.STRING },
}, 2)

for (const name of [quantized, shard]) {
  const { metadata } = await gguf(join(out, name), { allowLocalFile: true })
  const plain = JSON.stringify(metadata, (_, v) => typeof v === 'bigint' ? Number(v) : v, 2)
  writeFileSync(join(out, name + '.expected.json'), plain + '\n')
  console.log('wrote', name)
}
