// Writes the Hugging Face model folders of tests/OpenTrainAnalyzers.Build.Tests/Fixtures/hub, as the Hub serves them:
// a model card (README.md with the Hub's YAML front matter, written by us after the Hub's model-card docs), config.json
// and weights whose headers were written by independent implementations: GGUF by Hugging Face's own
// @huggingface/gguf (serializeGgufMetadata), safetensors by the published format (8-byte length + JSON header).
// Also records @huggingface/tasks' GGUF file-type table (gguf-file-types.json), which the scaffold's table is checked
// against. The weights hold metadata and a few bytes of tensors only.
// Run: npm ci --prefix build/validate && node build/validate/make-hub-fixtures.mjs
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gguf, GGUFValueType } from '@huggingface/gguf'
import { ggufBytes, safetensorsBytes } from './writers.mjs'
import { GGMLFileQuantizationType } from '@huggingface/tasks'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'tests', 'OpenTrainAnalyzers.Build.Tests', 'Fixtures', 'hub')
const T = GGUFValueType

function folder(name, files) {
  const dir = join(root, name)
  mkdirSync(dir, { recursive: true })
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    writeFileSync(join(dir, file), content)
  }
  console.log('wrote', name)
}

const ggufFile = (entries, tensorBytes) => ggufBytes(entries, { tensorBytes })
const safetensorsFile = (metadata, tensors) => safetensorsBytes(metadata, tensors).bytes

// 1. A Q4_K_M GGUF quantization of an instruction fine-tune, as community quantizers publish them.
const gguf1 = ggufFile({
  'general.architecture': { value: 'llama', type: T.STRING },
  'general.type': { value: 'model', type: T.STRING },
  'general.name': { value: 'Tiny Chat 1B Instruct', type: T.STRING },
  'general.finetune': { value: 'Instruct', type: T.STRING },
  'general.basename': { value: 'Tiny-Chat', type: T.STRING },
  'general.size_label': { value: '1B', type: T.STRING },
  'general.license': { value: 'apache-2.0', type: T.STRING },
  'general.base_model.count': { value: 1, type: T.UINT32 },
  'general.base_model.0.name': { value: 'Tiny Chat 1B Instruct', type: T.STRING },
  'general.base_model.0.organization': { value: 'Acme', type: T.STRING },
  'general.base_model.0.repo_url': { value: 'https://huggingface.co/acme/tiny-chat-1b-instruct', type: T.STRING },
  'general.quantized_by': { value: 'Example Quants', type: T.STRING },
  'general.file_type': { value: 15, type: T.UINT32 },
  'general.quantization_version': { value: 2, type: T.UINT32 },
  'llama.context_length': { value: 8192, type: T.UINT32 },
  'llama.embedding_length': { value: 2048, type: T.UINT32 },
  'llama.block_count': { value: 16, type: T.UINT32 },
  'tokenizer.ggml.model': { value: 'gpt2', type: T.STRING },
}, 4096)

folder('tiny-chat-1b-instruct-GGUF', {
  'README.md': `---
base_model: acme/tiny-chat-1b-instruct
base_model_relation: quantized
license: apache-2.0
language:
- en
pipeline_tag: text-generation
quantized_by: Example Quants
tags:
- gguf
- llama
datasets:
- HuggingFaceH4/ultrachat_200k
---

# Tiny Chat 1B Instruct, GGUF

Q4_K_M quantization of [acme/tiny-chat-1b-instruct](https://huggingface.co/acme/tiny-chat-1b-instruct), made with llama.cpp.
`,
  'tiny-chat-1b-instruct-Q4_K_M.gguf': gguf1,
})

// 2. A safetensors fine-tune with its transformers config, tokenizer and evaluation results (model-index).
folder('sentiment-distilbert-sst2', {
  'README.md': `---
license: apache-2.0
base_model: distilbert/distilbert-base-uncased
base_model_relation: finetune
datasets:
- stanfordnlp/sst2
language: en
pipeline_tag: text-classification
library_name: transformers
model-index:
- name: sentiment-distilbert-sst2
  results:
  - task:
      type: text-classification
      name: Text Classification
    dataset:
      name: SST-2
      type: stanfordnlp/sst2
      config: default
      split: validation
    metrics:
    - type: accuracy
      value: 0.9106
      name: Accuracy
    - type: f1
      value: 0.9123
      name: F1
    - type: loss
      value: N/A
---

# sentiment-distilbert-sst2

DistilBERT fine-tuned on SST-2 for binary sentiment classification.
`,
  'config.json': JSON.stringify({
    _name_or_path: 'distilbert/distilbert-base-uncased',
    activation: 'gelu',
    architectures: ['DistilBertForSequenceClassification'],
    attention_dropout: 0.1,
    dim: 64,
    dropout: 0.1,
    hidden_dim: 256,
    id2label: { 0: 'NEGATIVE', 1: 'POSITIVE' },
    initializer_range: 0.02,
    max_position_embeddings: 512,
    model_type: 'distilbert',
    n_heads: 4,
    n_layers: 2,
    pad_token_id: 0,
    seq_classif_dropout: 0.2,
    sinusoidal_pos_embds: false,
    torch_dtype: 'float32',
    transformers_version: '4.44.2',
    vocab_size: 128,
  }, null, 2) + '\n',
  'model.safetensors': safetensorsFile({ format: 'pt' }, [
    ['distilbert.embeddings.word_embeddings.weight', 'F32', [128, 64]],
    ['distilbert.transformer.layer.0.attention.q_lin.weight', 'F32', [64, 64]],
    ['classifier.weight', 'F32', [2, 64]],
    ['classifier.bias', 'F32', [2]],
  ]),
  'tokenizer.json': JSON.stringify({ version: '1.0', model: { type: 'WordPiece', vocab: { '[PAD]': 0, '[UNK]': 1 } } }) + '\n',
  'vocab.txt': '[PAD]\n[UNK]\n[CLS]\n[SEP]\n',
})

// Cross-check: what @huggingface/gguf reads back from the GGUF fixture, and @huggingface/tasks' file-type table.
const { metadata } = await gguf(join(root, 'tiny-chat-1b-instruct-GGUF', 'tiny-chat-1b-instruct-Q4_K_M.gguf'), { allowLocalFile: true })
writeFileSync(join(root, 'tiny-chat-1b-instruct-Q4_K_M.gguf.expected.json'),
  JSON.stringify(metadata, (_, v) => typeof v === 'bigint' ? Number(v) : v, 2) + '\n')
const fileTypes = Object.fromEntries(Object.entries(GGMLFileQuantizationType).filter(([k]) => isNaN(Number(k))).map(([k, v]) => [String(v), k]))
writeFileSync(join(root, 'gguf-file-types.json'), JSON.stringify(fileTypes, null, 2) + '\n')
console.log('wrote gguf-file-types.json')
