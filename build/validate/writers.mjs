// The two weight-header writers the fixture scripts share. GGUF: Hugging Face's own serializer (@huggingface/gguf).
// safetensors: the published format (https://github.com/huggingface/safetensors#format): an 8-byte little-endian
// header length, the JSON header (tensor table and "__metadata__" strings, padded with spaces to a multiple of 8),
// then the tensor bytes.
import { serializeGgufMetadata, GGUFValueType } from '@huggingface/gguf'

/** A GGUF file: the typed metadata entries (no tensors), then tensorBytes filler bytes. */
export function ggufBytes(entries, { version = 3, tensorBytes = 0 } = {}) {
  const typed = {
    version: { value: version, type: GGUFValueType.UINT32 },
    tensor_count: { value: 0n, type: GGUFValueType.UINT64 },
    kv_count: { value: BigInt(Object.keys(entries).length), type: GGUFValueType.UINT64 },
    ...entries,
  }
  const header = serializeGgufMetadata(typed, { littleEndian: true })
  return Buffer.concat([Buffer.from(header), Buffer.alloc(tensorBytes, 0x5a)])
}

const dtypeSizes = { F32: 4, F16: 2, BF16: 2, I8: 1 }

/** A safetensors file and what it holds: tensors are [name, dtype, shape]; data bytes are filled with `fill`. */
export function safetensorsBytes(metadata, tensors, fill = 0x3c) {
  const header = { __metadata__: metadata }
  let offset = 0
  for (const [name, dtype, shape] of tensors) {
    const bytes = shape.reduce((a, b) => a * b, 1) * dtypeSizes[dtype]
    header[name] = { dtype, shape, data_offsets: [offset, offset + bytes] }
    offset += bytes
  }
  const json = Buffer.from(JSON.stringify(header), 'utf8')
  const padded = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)])
  const length = Buffer.alloc(8)
  length.writeBigUInt64LE(BigInt(padded.length))
  return { bytes: Buffer.concat([length, padded, Buffer.alloc(offset, fill)]), headerEnd: 8 + padded.length }
}
