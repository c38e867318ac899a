package org.llm4e.quantization;

import java.util.SplittableRandom;

/** A deterministic GGUF file with every metadata value type and tensors of every type this library encodes. */
final class GgufSamples {
    private GgufSamples() {}

    static GgufWriter sample() {
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string("llm4e sample ✓ 模型 \uD83E\uDD99"));
        w.put("general.alignment", GgufValue.uint32(64));
        w.put("test.uint8", GgufValue.uint8(200));
        w.put("test.int8", GgufValue.int8(-100));
        w.put("test.uint16", GgufValue.uint16(65535));
        w.put("test.int16", GgufValue.int16(-32768));
        w.put("test.uint32", GgufValue.uint32(4_000_000_000L));
        w.put("test.int32", GgufValue.int32(-123456789));
        w.put("test.float32", GgufValue.float32(0.1f));
        w.put("test.bool", GgufValue.bool(true));
        w.put("test.uint64", GgufValue.uint64(-1L));
        w.put("test.int64", GgufValue.int64(Long.MIN_VALUE));
        w.put("test.float64", GgufValue.float64(Math.PI));
        w.put("tokenizer.ggml.tokens", GgufValue.stringArray("<unk>", "<s>", "</s>", "▁the", ""));
        w.put("tokenizer.ggml.scores", GgufValue.float32Array(0f, -1.5f, 3.25f, -0f, 1e-30f));
        w.put("tokenizer.ggml.token_type", GgufValue.integerArray(GgufValueType.INT32, 2, 3, 3, 1, 1));
        w.put("test.array.uint8", GgufValue.integerArray(GgufValueType.UINT8, 0, 7, 255));
        w.put("test.array.uint64", GgufValue.integerArray(GgufValueType.UINT64, 1, Long.MAX_VALUE));
        w.put("test.array.bool", GgufValue.boolArray(true, false, true));
        w.put("test.array.float64", GgufValue.float64Array(1e-3, -0.5));
        w.put("test.array.empty", GgufValue.integerArray(GgufValueType.UINT32));
        w.put(
                "test.array.nested",
                GgufValue.arrayOfArrays(
                        GgufValue.integerArray(GgufValueType.INT16, 1, -2), GgufValue.stringArray("a", "b")));
        SplittableRandom r = new SplittableRandom(18);
        w.addTensor("f32", GgmlType.F32, new long[] {8, 2}, gaussian(r, 16));
        w.addTensor("f16", GgmlType.F16, new long[] {4, 3}, gaussian(r, 12));
        w.addTensor("bf16", GgmlType.BF16, new long[] {5}, gaussian(r, 5));
        w.addTensor("blk.0.q8_0.weight", GgmlType.Q8_0, new long[] {64, 2}, gaussian(r, 128));
        w.addTensor("blk.0.q4_0.weight", GgmlType.Q4_0, new long[] {32, 3}, gaussian(r, 96));
        w.addTensor("blk.0.q4_1.weight", GgmlType.Q4_1, new long[] {32}, gaussian(r, 32));
        w.addTensor("blk.0.q5_0.weight", GgmlType.Q5_0, new long[] {32}, gaussian(r, 32));
        w.addTensor("blk.0.q5_1.weight", GgmlType.Q5_1, new long[] {32}, gaussian(r, 32));
        w.addTensor("blk.0.q4_k.weight", GgmlType.Q4_K, new long[] {256}, gaussian(r, 256));
        w.addTensor("blk.0.q6_k.weight", GgmlType.Q6_K, new long[] {256, 1, 1, 1}, gaussian(r, 256));
        byte[] q2k = new byte[84];
        for (int i = 0; i < q2k.length; i++) {
            q2k[i] = (byte) r.nextInt(256);
        }
        // A type without kernels here (Q2_K): written and read as raw blocks.
        w.addTensor("blk.0.q2_k.weight", 10, new long[] {256}, q2k);
        return w;
    }

    static float[] gaussian(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }
}
