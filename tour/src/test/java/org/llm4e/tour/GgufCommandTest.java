package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.quantization.GgmlType;
import org.llm4e.quantization.GgufFile;
import org.llm4e.quantization.GgufFormatException;
import org.llm4e.quantization.GgufTensorInfo;
import org.llm4e.quantization.GgufValue;
import org.llm4e.quantization.GgufValueType;
import org.llm4e.quantization.GgufWriter;

class GgufCommandTest {

    /** A small model-like file written by the library's writer: metadata of several types and four tensors. */
    static Path sample(Path dir) throws Exception {
        SplittableRandom r = new SplittableRandom(11);
        GgufWriter w = new GgufWriter();
        w.put("general.architecture", GgufValue.string("llama"));
        w.put("general.name", GgufValue.string("tiny \"test\" model"));
        w.put("llama.block_count", GgufValue.uint32(2));
        w.put("llama.rope.freq_base", GgufValue.float32(10000f));
        w.put("general.file_type", GgufValue.uint64(-1L));
        w.put("tokenizer.ggml.tokens", GgufValue.stringArray("<unk>", "<s>", "</s>", "▁the", "a", "b", "c", "d", "e"));
        w.put("tokenizer.ggml.add_bos_token", GgufValue.bool(true));
        w.addTensor("token_embd.weight", GgmlType.F32, new long[] {16, 4}, gaussian(r, 64));
        w.addTensor("blk.0.attn_q.weight", GgmlType.Q8_0, new long[] {64, 2}, gaussian(r, 128));
        w.addTensor("blk.0.ffn_up.weight", GgmlType.Q4_0, new long[] {32, 3}, gaussian(r, 96));
        w.addTensor("blk.1.ffn_down.weight", GgmlType.Q4_K, new long[] {256, 2}, gaussian(r, 512));
        Path file = dir.resolve("tiny.gguf");
        w.write(file);
        return file;
    }

    static float[] gaussian(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextGaussian();
        }
        return x;
    }

    @Test
    void printsTheHeaderMetadataAndTensorTable(@TempDir Path dir) throws Exception {
        Path file = sample(dir);
        String[] r = CommandsTest.run("gguf", file.toString());
        assertEquals("0", r[0], r[2]);
        String out = r[1].replaceAll(" +", " ");
        GgufFile gguf = GgufFile.read(file);

        // header: version, alignment and the data offset as the reader found them
        assertTrue(out.contains("GGUF version " + gguf.version()), out);
        assertTrue(out.contains(String.format(Locale.ROOT, "tensor data at byte %,d", gguf.dataOffset())), out);
        assertTrue(out.contains("alignment " + gguf.alignment() + ", 7 metadata keys, 4 tensors"), out);

        // metadata: one row per key with its type and value; arrays shortened
        assertTrue(out.contains("general.architecture | STRING | \"llama\""), out);
        assertTrue(out.contains("general.name | STRING | \"tiny \\\"test\\\" model\""), out);
        assertTrue(out.contains("llama.block_count | UINT32 | 2"), out);
        assertTrue(out.contains("llama.rope.freq_base | FLOAT32 | 10000.0"), out);
        assertTrue(out.contains("general.file_type | UINT64 | 18446744073709551615"), out);
        assertTrue(out.contains("tokenizer.ggml.add_bos_token | BOOL | true"), out);
        assertTrue(
                out.contains("tokenizer.ggml.tokens | ARRAY[STRING × 9] | [\"<unk>\", \"<s>\", \"</s>\", \"▁the\","
                        + " \"a\", \"b\", \"c\", \"d\", … 1 more]"),
                out);

        // tensors: every row's sizes are the reader's, and bytes follow the block formats
        long total = 0;
        long elements = 0;
        for (GgufTensorInfo t : gguf.tensors()) {
            assertEquals(t.type().bytes(t.elementCount()), t.byteSize(), t.name());
            String row = String.format(
                    Locale.ROOT,
                    "%s | %s | %s | %,d | %,d | %.3f | %,d",
                    t.name(),
                    t.typeName(),
                    Arrays.toString(t.shape()),
                    t.elementCount(),
                    t.byteSize(),
                    8.0 * t.byteSize() / t.elementCount(),
                    t.offset());
            assertTrue(out.contains(row), row + "\n" + out);
            total += t.byteSize();
            elements += t.elementCount();
        }
        assertTrue(out.contains("blk.0.ffn_up.weight | Q4_0 | [32, 3] | 96 | 54 | 4.500 |"), out);
        assertTrue(out.contains("blk.1.ffn_down.weight | Q4_K | [256, 2] | 512 | 288 | 4.500 |"), out);
        assertTrue(out.contains("blk.0.attn_q.weight | Q8_0 | [64, 2] | 128 | 136 | 8.500 |"), out);
        assertTrue(out.contains(String.format(Locale.ROOT, "total: %,d elements in %,d bytes", elements, total)), out);
    }

    @Test
    void maxArrayControlsHowMuchOfAnArrayIsShown(@TempDir Path dir) throws Exception {
        Path file = sample(dir);
        String[] r = CommandsTest.run("gguf", "--max-array", "2", file.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].replaceAll(" +", " ").contains("[\"<unk>\", \"<s>\", … 7 more]"), r[1]);
        String[] bad = CommandsTest.run("gguf", "--max-array", "-1", file.toString());
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("--max-array must be >= 0, got -1"), bad[2]);
    }

    @Test
    void missingFileIsAUsageErrorAndACorruptFileNamesTheOffset(@TempDir Path dir) throws Exception {
        String[] missing = CommandsTest.run("gguf", dir.resolve("nope.gguf").toString());
        assertEquals("2", missing[0]);
        assertTrue(missing[2].contains("FILE must be a readable GGUF file") && missing[2].contains("nope.gguf"));

        Path file = sample(dir);
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.gguf");
        Files.write(cut, Arrays.copyOf(bytes, 40));
        String[] r = CommandsTest.run("gguf", cut.toString());
        assertEquals("1", r[0]);
        assertTrue(r[2].contains("not a readable GGUF file") && r[2].contains("cut.gguf"), r[2]);
        GgufFormatException expected = assertThrows(GgufFormatException.class, () -> GgufFile.read(cut));
        assertTrue(r[2].contains("at byte offset " + expected.offset() + ")"), r[2]);

        Path notGguf = dir.resolve("text.gguf");
        Files.writeString(notGguf, "hello, this is not a GGUF file at all");
        String[] t = CommandsTest.run("gguf", notGguf.toString());
        assertEquals("1", t[0]);
        assertTrue(t[2].contains("text.gguf"), t[2]);
    }

    @Test
    void arrayOfArraysAndEmptyArraysRender(@TempDir Path dir) throws Exception {
        GgufWriter w = new GgufWriter();
        w.put(
                "test.nested",
                GgufValue.arrayOfArrays(
                        GgufValue.integerArray(GgufValueType.INT16, 1, -2), GgufValue.stringArray("x")));
        w.put("test.empty", GgufValue.integerArray(GgufValueType.UINT32));
        Path file = dir.resolve("nested.gguf");
        w.write(file);
        String[] r = CommandsTest.run("gguf", file.toString());
        assertEquals("0", r[0], r[2]);
        String out = r[1].replaceAll(" +", " ");
        assertTrue(out.contains("test.nested | ARRAY[ARRAY × 2] | [[1, -2], [\"x\"]]"), out);
        assertTrue(out.contains("test.empty | ARRAY[UINT32 × 0] | []"), out);
        assertTrue(out.contains("0 tensors"), out);
    }
}
