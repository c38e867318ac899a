package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GGUF files built byte by byte from the layout in ggml's {@code docs/gguf.md} (independently of
 * {@link GgufWriter}), the writer's exact bytes for them, and every kind of corrupt file with the offset its error
 * names.
 */
class GgufTest {

    /** A little-endian byte builder that remembers named positions. */
    static final class Bytes {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final java.util.Map<String, Integer> marks = new java.util.HashMap<>();

        Bytes mark(String name) {
            marks.put(name, out.size());
            return this;
        }

        Bytes raw(int... b) {
            for (int x : b) {
                out.write(x);
            }
            return this;
        }

        Bytes u32(long v) {
            for (int i = 0; i < 4; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Bytes u64(long v) {
            for (int i = 0; i < 8; i++) {
                out.write((int) (v >>> (8 * i)));
            }
            return this;
        }

        Bytes str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            out.write(b, 0, b.length);
            return this;
        }

        Bytes padTo(int alignment) {
            while (out.size() % alignment != 0) {
                out.write(0);
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }

        int at(String mark) {
            return marks.get(mark);
        }
    }

    /** A version-3 file with two key-values and one Q8_0 tensor of 32 values, built from the specification. */
    static Bytes handBuilt(Consumer<Bytes> afterKeys, float[] values) {
        Bytes b = new Bytes();
        b.raw('G', 'G', 'U', 'F')
                .mark("version")
                .u32(3)
                .mark("tensor_count")
                .u64(1)
                .mark("kv_count")
                .u64(2);
        b.mark("key0").str("general.architecture").mark("type0").u32(8).str("llama");
        b.mark("key1").str("llama.context_length").mark("type1").u32(4).u32(4096);
        afterKeys.accept(b);
        b.mark("tensor0").str("output.weight").mark("n_dims").u32(1).mark("ne0").u64(32);
        b.mark("ggml_type").u32(8).mark("offset").u64(0);
        b.padTo(32).mark("data");
        b.raw(toInts(Q8_0.quantize(values)));
        return b;
    }

    static Bytes handBuilt() {
        return handBuilt(b -> {}, ramp());
    }

    static float[] ramp() {
        float[] v = new float[32];
        for (int i = 0; i < 32; i++) {
            v[i] = (i - 16) / 8f;
        }
        return v;
    }

    static int[] toInts(byte[] b) {
        int[] out = new int[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i] & 0xFF;
        }
        return out;
    }

    @Test
    void readsAFileBuiltFromTheSpecification(@TempDir Path tmp) throws IOException {
        Bytes b = handBuilt();
        Path p = tmp.resolve("hand.gguf");
        Files.write(p, b.bytes());
        GgufFile f = GgufFile.read(p);
        assertEquals(3, f.version());
        assertEquals(2, f.metadata().size());
        assertEquals("llama", f.metadata().get("general.architecture").asString());
        assertEquals(4096, f.metadata().get("llama.context_length").asLong());
        assertEquals(32, f.alignment());
        assertEquals(b.at("data"), f.dataOffset());
        GgufTensorInfo t = f.tensor("output.weight");
        assertEquals(GgmlType.Q8_0, t.type());
        assertArrayEquals(new long[] {32}, t.shape());
        assertEquals(34, t.byteSize());
        ByteBuffer mapped = f.tensorData("output.weight");
        assertEquals(34, mapped.remaining());
        assertTrue(mapped.isReadOnly());
        assertArrayEquals(Q8_0.dequantize(Q8_0.quantize(ramp()), 32), f.dequantize("output.weight"));
        String text = f.describe();
        assertTrue(text.contains("GGUF v3") && text.contains("llama.context_length = 4096 (UINT32)"), text);
        assertTrue(text.contains("output.weight") && text.contains("Q8_0"), text);
    }

    @Test
    void theWriterWritesExactlyTheSpecifiedBytes() throws IOException {
        // The hand-built file is padded only to its last tensor's end; ggml (and this writer) pad that tensor too.
        Bytes expected = handBuilt().padTo(32);
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("llama.context_length", GgufValue.uint32(4096));
        w.addTensor("output.weight", GgmlType.Q8_0, new long[] {32}, ramp());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        assertArrayEquals(expected.bytes(), out.toByteArray());
    }

    @Test
    void alignmentOtherThan32IsStoredAndHonoured() throws IOException {
        GgufWriter w = new GgufWriter().alignment(256);
        w.addTensor("a", GgmlType.F32, new long[] {3}, new float[] {1, 2, 3});
        w.addTensor("b", GgmlType.F32, new long[] {1}, new float[] {4});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        GgufFile f = GgufFile.read(out.toByteArray(), "aligned");
        assertEquals(256, f.alignment());
        assertEquals(GgufValue.uint32(256), f.metadata().get("general.alignment"));
        assertEquals(0, f.dataOffset() % 256);
        assertEquals(256, f.tensor("b").offset());
        assertEquals(f.dataOffset() + 512, out.size());
        assertArrayEquals(new float[] {4}, f.dequantize("b"));
    }

    // ---- corrupt files: each error names the byte offset where reading failed ----

    private static GgufFormatException corrupt(byte[] bytes, long offset, String... words) {
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(bytes, "bad.gguf"));
        assertEquals(offset, e.offset(), e.getMessage());
        assertEquals("bad.gguf", e.source());
        assertTrue(e.getMessage().startsWith("bad.gguf: byte " + offset + ": "), e.getMessage());
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), e.getMessage() + " should contain " + w);
        }
        return e;
    }

    private static byte[] patch(byte[] b, int at, int... values) {
        byte[] c = b.clone();
        for (int i = 0; i < values.length; i++) {
            c[at + i] = (byte) values[i];
        }
        return c;
    }

    @Test
    void emptyAndForeignFiles() {
        corrupt(new byte[0], 0, "truncated", "magic");
        corrupt("GGML\3\0\0\0".getBytes(StandardCharsets.ISO_8859_1), 0, "bad magic", "GGUF");
    }

    @Test
    void unsupportedVersions() {
        byte[] b = handBuilt().bytes();
        corrupt(patch(b, 4, 1, 0, 0, 0), 4, "version 1", "expected 2 or 3");
        corrupt(patch(b, 4, 0, 0, 0, 3), 4, "big-endian");
        // Version 2 has the same layout and is read.
        assertTrue(assertDoesNotThrow(patch(b, 4, 2, 0, 0, 0)).version() == 2);
    }

    private static GgufFile assertDoesNotThrow(byte[] b) {
        try {
            return GgufFile.read(b, "ok.gguf");
        } catch (GgufFormatException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void countsThatCannotFit() {
        Bytes h = handBuilt();
        byte[] b = h.bytes();
        corrupt(patch(b, h.at("kv_count"), 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F), 16, "metadata_kv_count");
        corrupt(patch(b, h.at("tensor_count"), 0, 0, 0, 1), 8, "tensor_count 16777216");
    }

    @Test
    void badKeysAndValues() {
        Bytes h = handBuilt();
        byte[] b = h.bytes();
        corrupt(patch(b, h.at("type1"), 13), h.at("type1"), "unknown value type 13", "llama.context_length");
        corrupt(patch(b, h.at("key0") + 7, 0x10), h.at("key0"), "string length", "exceeds");
        byte[] dup = b.clone();
        byte[] arch = "general.architecture".getBytes(StandardCharsets.UTF_8);
        byte[] ctx = "llama.context_length".getBytes(StandardCharsets.UTF_8);
        assertEquals(arch.length, ctx.length);
        System.arraycopy(arch, 0, dup, h.at("key1") + 8, arch.length);
        corrupt(dup, h.at("key1"), "duplicate metadata key", "general.architecture");
        corrupt(patch(b, h.at("key0") + 8, 0xC3, 0x28), h.at("key0") + 8, "invalid UTF-8");
    }

    @Test
    void badBoolArrayAndAlignment() {
        Bytes bool = handBuilt(b -> b.mark("k").str("x.flag").u32(7).mark("v").raw(2), ramp());
        corrupt(patch(bool.bytes(), bool.at("kv_count"), 3), bool.at("v"), "BOOL", "0 or 1, got 2");
        Bytes arr = handBuilt(b -> b.str("x.arr").u32(9).mark("et").u32(77).u64(0), ramp());
        corrupt(patch(arr.bytes(), arr.at("kv_count"), 3), arr.at("et"), "unknown array element type 77");
        Bytes big = handBuilt(b -> b.str("x.arr").u32(9).u32(6).mark("n").u64(1L << 40), ramp());
        corrupt(patch(big.bytes(), big.at("kv_count"), 3), big.at("n"), "array of 1099511627776 FLOAT32");
        Bytes align = handBuilt(b -> b.str("general.alignment").u32(4).mark("v").u32(48), ramp());
        corrupt(patch(align.bytes(), align.at("kv_count"), 3), align.at("v"), "power of two, got 48");
        Bytes alignType =
                handBuilt(b -> b.str("general.alignment").mark("t").u32(5).u32(64), ramp());
        corrupt(patch(alignType.bytes(), alignType.at("kv_count"), 3), alignType.at("t"), "UINT32", "INT32");
    }

    @Test
    void badTensorInfos() {
        Bytes h = handBuilt();
        byte[] b = h.bytes();
        corrupt(patch(b, h.at("n_dims"), 5), h.at("n_dims"), "n_dims", "[1, 4], got 5");
        corrupt(patch(b, h.at("ggml_type"), 99), h.at("ggml_type"), "unknown ggml type id 99");
        corrupt(patch(b, h.at("ne0"), 33), h.at("n_dims"), "ne[0] = 33", "block size 32");
        corrupt(patch(b, h.at("offset"), 16), h.at("offset"), "offset 16", "multiple of the alignment 32");
        corrupt(patch(b, h.at("offset"), 32), h.at("offset"), "output.weight", "past the end of the file");
        byte[] cut = java.util.Arrays.copyOf(b, b.length - 1);
        corrupt(cut, h.at("offset"), "extends past the end", String.valueOf(cut.length));
    }

    @Test
    void duplicateTensorNames() throws IOException {
        GgufWriter w = new GgufWriter();
        w.addTensor("t", GgmlType.F32, new long[] {1}, new float[] {1});
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class, () -> w.addTensor("t", GgmlType.F32, new long[] {1}, new float[] {2}));
        assertTrue(e.getMessage().contains("\"t\""), e.getMessage());
        // The same file with the second name patched to collide: the reader refuses it at the second info.
        w.addTensor("u", GgmlType.F32, new long[] {1}, new float[] {2});
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        byte[] b = out.toByteArray();
        int second = indexOf(b, new byte[] {1, 0, 0, 0, 0, 0, 0, 0, 'u'});
        b[second + 8] = 't';
        corrupt(b, second, "duplicate tensor name \"t\"");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }

    @Test
    void fileErrorsNameThePath(@TempDir Path tmp) throws IOException {
        Path p = tmp.resolve("cut.gguf");
        Bytes h = handBuilt();
        // Cut inside the length of the first value (a string after the 4-byte type).
        Files.write(p, java.util.Arrays.copyOf(h.bytes(), h.at("type0") + 8));
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> GgufFile.read(p));
        assertTrue(e.getMessage().startsWith(p + ": byte " + (h.at("type0") + 4) + ": truncated"), e.getMessage());
        assertTrue(e.getMessage().contains("needs 8 bytes, 4 left"), e.getMessage());
    }

    // ---- bad arguments ----

    @Test
    void badArgumentsNameTheParameter() {
        GgufWriter w = new GgufWriter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.alignment(48));
        assertTrue(e.getMessage().contains("alignment") && e.getMessage().contains("48"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GgufValue.uint8(256));
        assertTrue(e.getMessage().contains("[0, 255]") && e.getMessage().contains("256"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> GgufValue.integerArray(GgufValueType.INT8, 1, 200));
        assertTrue(e.getMessage().contains("values[1]") && e.getMessage().contains("200"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> w.addTensor("q", GgmlType.Q4_0, new long[] {48}, new float[48]));
        assertTrue(e.getMessage().contains("ne[0] = 48") && e.getMessage().contains("32"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> w.addTensor("q", GgmlType.Q8_0, new long[] {32, 2}, new float[32]));
        assertTrue(e.getMessage().contains("64") && e.getMessage().contains("32"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.addTensor("r", 8, new long[] {32}, new byte[33]));
        assertTrue(e.getMessage().contains("34") && e.getMessage().contains("33"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> w.addTensor("s", 8, new long[0], new byte[0]));
        assertTrue(e.getMessage().contains("n_dims"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.put("general.alignment", GgufValue.int32(64)));
        assertThrows(IllegalStateException.class, () -> GgufValue.string("x").asLong());
    }
}
