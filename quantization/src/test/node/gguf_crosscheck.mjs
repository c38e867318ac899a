// Cross-check of llm4e's GGUF reader and writer against an independent implementation, the npm package
// @huggingface/gguf (pinned in package.json beside this file). Run by GgufCrossCheckTest when node and npm are on
// the PATH, and by hand to regenerate the reference files in src/test/resources/gguf/:
//
//   node gguf_crosscheck.mjs read FILE          prints, as JSON, what @huggingface/gguf parses from FILE
//   node gguf_crosscheck.mjs write OUT          writes a metadata-only GGUF holding every value type
//   node gguf_crosscheck.mjs rewrite IN OUT     rebuilds IN's header with one added key (buildGgufHeader) and
//                                               copies IN's tensor data after it
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { gguf, serializeGgufMetadata, buildGgufHeader, GGUFValueType } from "@huggingface/gguf";

const json = (v) => JSON.stringify(v, (k, x) => (typeof x === "bigint" ? x.toString() : x), 1);

async function read(file) {
  const { metadata, typedMetadata, tensorInfos, tensorDataOffset, littleEndian } = await gguf(resolve(file), {
    allowLocalFile: true,
    typedMetadata: true,
  });
  const out = { version: metadata.version, tensor_count: metadata.tensor_count, kv_count: metadata.kv_count,
    littleEndian, tensorDataOffset, metadata: {}, tensors: [] };
  for (const [key, e] of Object.entries(typedMetadata)) {
    if (["version", "tensor_count", "kv_count"].includes(key)) continue;
    out.metadata[key] = { type: e.type, subType: e.subType, value: e.value };
  }
  for (const t of tensorInfos) {
    out.tensors.push({ name: t.name, n_dims: t.n_dims, shape: t.shape, dtype: t.dtype, offset: t.offset });
  }
  process.stdout.write(json(out) + "\n");
}

// The values of the reference file; GgufCrossCheckTest expects exactly these.
function referenceMetadata() {
  return {
    version: { value: 3, type: GGUFValueType.UINT32 },
    tensor_count: { value: 0n, type: GGUFValueType.UINT64 },
    kv_count: { value: 0n, type: GGUFValueType.UINT64 },
    "general.architecture": { value: "llama", type: GGUFValueType.STRING },
    "general.name": { value: "hf-gguf reference ✓ 模型", type: GGUFValueType.STRING },
    "test.uint8": { value: 255, type: GGUFValueType.UINT8 },
    "test.int8": { value: -128, type: GGUFValueType.INT8 },
    "test.uint16": { value: 65535, type: GGUFValueType.UINT16 },
    "test.int16": { value: -32768, type: GGUFValueType.INT16 },
    "test.uint32": { value: 4294967295, type: GGUFValueType.UINT32 },
    "test.int32": { value: -2147483648, type: GGUFValueType.INT32 },
    "test.float32": { value: 0.1, type: GGUFValueType.FLOAT32 },
    "test.bool": { value: true, type: GGUFValueType.BOOL },
    "test.uint64": { value: 18446744073709551615n, type: GGUFValueType.UINT64 },
    "test.int64": { value: -9223372036854775808n, type: GGUFValueType.INT64 },
    "test.float64": { value: -2.5e-300, type: GGUFValueType.FLOAT64 },
    "general.alignment": { value: 64, type: GGUFValueType.UINT32 },
    "tokenizer.ggml.tokens": { value: ["<unk>", "<s>", "</s>", "▁the", ""], type: GGUFValueType.ARRAY,
      subType: GGUFValueType.STRING },
    "tokenizer.ggml.scores": { value: [0, -1.5, 3.25], type: GGUFValueType.ARRAY, subType: GGUFValueType.FLOAT32 },
    "tokenizer.ggml.token_type": { value: [2, 3, 3, 1, 1], type: GGUFValueType.ARRAY,
      subType: GGUFValueType.INT32 },
    // Not an array of UINT8: @huggingface/gguf 0.4.6 refuses subType 0 (it tests `!subType`).
    "test.array.uint16": { value: [0, 7, 65535], type: GGUFValueType.ARRAY, subType: GGUFValueType.UINT16 },
    "test.array.bool": { value: [true, false], type: GGUFValueType.ARRAY, subType: GGUFValueType.BOOL },
    "test.array.int64": { value: [1n, -2n], type: GGUFValueType.ARRAY, subType: GGUFValueType.INT64 },
    "test.array.float64": { value: [1e-3, -0.5], type: GGUFValueType.ARRAY, subType: GGUFValueType.FLOAT64 },
    "test.array.empty": { value: [], type: GGUFValueType.ARRAY, subType: GGUFValueType.UINT32 },
  };
}

function write(out) {
  const md = referenceMetadata();
  writeFileSync(out, serializeGgufMetadata(md, { littleEndian: true, alignment: 64 }));
}

async function rewrite(input, out) {
  const bytes = readFileSync(input);
  const blob = new Blob([bytes]);
  const parsed = await gguf(resolve(input), { allowLocalFile: true, typedMetadata: true });
  const md = parsed.typedMetadata;
  // 0.4.6's writer cannot write arrays of UINT8 (subType 0 fails its `!subType` test) nor arrays of arrays (it
  // drops the inner element type): leave those keys out of the rebuilt header.
  let dropped = 0n;
  for (const [key, e] of Object.entries(md)) {
    if (e.type === GGUFValueType.ARRAY && (e.subType === GGUFValueType.UINT8 || e.subType === GGUFValueType.ARRAY)) {
      delete md[key];
      dropped++;
    }
  }
  md["test.added_by"] = { value: "@huggingface/gguf buildGgufHeader", type: GGUFValueType.STRING };
  md.kv_count = { value: md.kv_count.value + 1n - dropped, type: md.kv_count.type };
  const alignment = Number(md["general.alignment"]?.value ?? 32);
  const header = await buildGgufHeader(blob, md, {
    littleEndian: true,
    tensorInfoByteRange: parsed.tensorInfoByteRange,
    alignment,
  });
  const head = new Uint8Array(await header.arrayBuffer());
  const data = bytes.subarray(Number(parsed.tensorDataOffset));
  const result = new Uint8Array(head.length + data.length);
  result.set(head, 0);
  result.set(data, head.length);
  writeFileSync(out, result);
}

const [cmd, a, b] = process.argv.slice(2);
if (cmd === "read") await read(a);
else if (cmd === "write") write(a);
else if (cmd === "rewrite") await rewrite(a, b);
else {
  process.stderr.write("usage: gguf_crosscheck.mjs read FILE | write OUT | rewrite IN OUT\n");
  process.exit(2);
}
