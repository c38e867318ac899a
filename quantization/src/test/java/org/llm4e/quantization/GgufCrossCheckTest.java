package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * llm4e's GGUF reader and writer against an independent implementation, the npm package {@code @huggingface/gguf}
 * 0.4.6, through {@code src/test/node/gguf_crosscheck.mjs}: the package reads a file llm4e wrote, and llm4e reads
 * files the package wrote. The files and the package's parse are committed under {@code resources/gguf/}, so these
 * checks run without node; {@link #liveCrossCheckWithNpm} repeats them against the package itself when node and npm
 * are on the PATH.
 */
class GgufCrossCheckTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = GgufCrossCheckTest.class.getResourceAsStream("/gguf/" + name)) {
            if (in == null) {
                throw new IOException("missing test resource /gguf/" + name);
            }
            return in.readAllBytes();
        }
    }

    @Test
    void theCommittedLlm4eFileIsWhatTheWriterWritesToday() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        GgufSamples.sample().write(out);
        assertArrayEquals(resource("llm4e-written.gguf"), out.toByteArray());
    }

    @Test
    void hfGgufReadsWhatLlm4eWrote() throws IOException {
        GgufFile ours = GgufFile.read(resource("llm4e-written.gguf"), "llm4e-written.gguf");
        assertAgrees(ours, JSON.readTree(resource("llm4e-written.hf-gguf.json")));
    }

    @Test
    void llm4eReadsWhatHfGgufWrote() throws IOException {
        GgufFile f = GgufFile.read(resource("hf-gguf-written.gguf"), "hf-gguf-written.gguf");
        assertEquals(npmReferenceMetadata(), f.metadata());
        assertEquals(64, f.alignment());
        assertEquals(0, f.tensors().size());
        assertEquals(3, f.version());
    }

    @Test
    void llm4eReadsAHeaderHfGgufRebuiltAroundLlm4eTensorData() throws IOException {
        GgufFile original = GgufFile.read(resource("llm4e-written.gguf"), "llm4e-written.gguf");
        GgufFile rebuilt = GgufFile.read(resource("hf-gguf-rewritten.gguf"), "hf-gguf-rewritten.gguf");
        assertEquals(original.tensors(), rebuilt.tensors());
        assertEquals(
                GgufValue.string("@huggingface/gguf buildGgufHeader"),
                rebuilt.metadata().get("test.added_by"));
        for (Map.Entry<String, GgufValue> e : rebuilt.metadata().entrySet()) {
            if (!e.getKey().equals("test.added_by")) {
                assertEquals(original.metadata().get(e.getKey()), e.getValue(), e.getKey());
            }
        }
        for (GgufTensorInfo t : original.tensors()) {
            assertArrayEquals(original.tensorBytes(t.name()), rebuilt.tensorBytes(t.name()), t.name());
        }
        assertArrayEquals(original.dequantize("blk.0.q4_k.weight"), rebuilt.dequantize("blk.0.q4_k.weight"));
    }

    /** Runs the script against the real package: needs node and npm (and the npm registry), else it is skipped. */
    @Test
    @Tag("slow")
    void liveCrossCheckWithNpm(@TempDir Path tmp) throws Exception {
        Assumptions.assumeTrue(run(tmp, 30, "node", "--version") == 0, "node is not installed");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "llm4e-gguf-crosscheck");
        Files.createDirectories(dir);
        for (String f : new String[] {"package.json", "gguf_crosscheck.mjs"}) {
            Files.copy(Path.of("src/test/node", f), dir.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/@huggingface/gguf"))) {
            int rc = run(dir, 180, "npm", "install", "--no-audit", "--no-fund", "--loglevel=error");
            Assumptions.assumeTrue(rc == 0, "npm install @huggingface/gguf failed (rc " + rc + ")");
        }
        // A file the committed resources do not have: other values, other shapes, default alignment.
        GgufWriter w = new GgufWriter();
        SplittableRandom r = new SplittableRandom(4242);
        w.put("general.architecture", GgufValue.string("gpt2"));
        w.put("gpt2.block_count", GgufValue.uint32(r.nextInt(1000)));
        w.put("x.scores", GgufValue.float32Array(GgufSamples.gaussian(r, 40)));
        w.put("x.ids", GgufValue.integerArray(GgufValueType.INT64, r.nextLong(), r.nextLong()));
        w.addTensor("w", GgmlType.Q4_0, new long[] {64, 5}, GgufSamples.gaussian(r, 320));
        w.addTensor("v", GgmlType.Q8_0, new long[] {32, 1, 3}, GgufSamples.gaussian(r, 96));
        Path ours = tmp.resolve("ours.gguf");
        w.write(ours);
        Path parsed = tmp.resolve("parsed.json");
        assertEquals(0, run(dir, 60, parsed, "node", "gguf_crosscheck.mjs", "read", ours.toString()));
        assertAgrees(GgufFile.read(ours), JSON.readTree(parsed.toFile()));
        Path theirs = tmp.resolve("theirs.gguf");
        assertEquals(0, run(dir, 60, "node", "gguf_crosscheck.mjs", "write", theirs.toString()));
        assertEquals(npmReferenceMetadata(), GgufFile.read(theirs).metadata());
    }

    private static int run(Path dir, int seconds, String... cmd) throws Exception {
        return run(dir, seconds, null, cmd);
    }

    private static int run(Path dir, int seconds, Path stdout, String... cmd) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.redirectOutput(
                stdout == null ? ProcessBuilder.Redirect.DISCARD : ProcessBuilder.Redirect.to(stdout.toFile()));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            return -1;
        }
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return -2;
        }
        return p.exitValue();
    }

    /** The values gguf_crosscheck.mjs's referenceMetadata() writes. */
    private static Map<String, GgufValue> npmReferenceMetadata() {
        Map<String, GgufValue> m = new LinkedHashMap<>();
        m.put("general.architecture", GgufValue.string("llama"));
        m.put("general.name", GgufValue.string("hf-gguf reference ✓ 模型"));
        m.put("test.uint8", GgufValue.uint8(255));
        m.put("test.int8", GgufValue.int8(-128));
        m.put("test.uint16", GgufValue.uint16(65535));
        m.put("test.int16", GgufValue.int16(-32768));
        m.put("test.uint32", GgufValue.uint32(4294967295L));
        m.put("test.int32", GgufValue.int32(Integer.MIN_VALUE));
        m.put("test.float32", GgufValue.float32(0.1f));
        m.put("test.bool", GgufValue.bool(true));
        m.put("test.uint64", GgufValue.uint64(-1L));
        m.put("test.int64", GgufValue.int64(Long.MIN_VALUE));
        m.put("test.float64", GgufValue.float64(-2.5e-300));
        m.put("general.alignment", GgufValue.uint32(64));
        m.put("tokenizer.ggml.tokens", GgufValue.stringArray("<unk>", "<s>", "</s>", "▁the", ""));
        m.put("tokenizer.ggml.scores", GgufValue.float32Array(0f, -1.5f, 3.25f));
        m.put("tokenizer.ggml.token_type", GgufValue.integerArray(GgufValueType.INT32, 2, 3, 3, 1, 1));
        m.put("test.array.uint16", GgufValue.integerArray(GgufValueType.UINT16, 0, 7, 65535));
        m.put("test.array.bool", GgufValue.boolArray(true, false));
        m.put("test.array.int64", GgufValue.integerArray(GgufValueType.INT64, 1, -2));
        m.put("test.array.float64", GgufValue.float64Array(1e-3, -0.5));
        m.put("test.array.empty", GgufValue.integerArray(GgufValueType.UINT32));
        return m;
    }

    /** Asserts that @huggingface/gguf's parse (as the script prints it) says what llm4e's reader says. */
    static void assertAgrees(GgufFile ours, JsonNode theirs) {
        assertEquals(ours.version(), theirs.get("version").asInt());
        assertEquals(
                String.valueOf(ours.metadata().size()), theirs.get("kv_count").asText());
        assertEquals(
                String.valueOf(ours.tensors().size()),
                theirs.get("tensor_count").asText());
        assertEquals(
                String.valueOf(ours.dataOffset()),
                theirs.get("tensorDataOffset").asText());
        List<String> keys = new ArrayList<>();
        for (Iterator<String> it = theirs.get("metadata").fieldNames(); it.hasNext(); ) {
            keys.add(it.next());
        }
        assertEquals(new ArrayList<>(ours.metadata().keySet()), keys, "keys in file order");
        for (Map.Entry<String, GgufValue> e : ours.metadata().entrySet()) {
            JsonNode j = theirs.get("metadata").get(e.getKey());
            GgufValue v = e.getValue();
            assertEquals(v.type().id(), j.get("type").asInt(), e.getKey());
            if (v.type() == GgufValueType.ARRAY) {
                assertEquals(v.elementType().id(), j.get("subType").asInt(), e.getKey());
            }
            assertSameValue(e.getKey(), v, j.get("value"));
        }
        JsonNode ts = theirs.get("tensors");
        assertEquals(ours.tensors().size(), ts.size());
        for (int i = 0; i < ts.size(); i++) {
            GgufTensorInfo t = ours.tensors().get(i);
            JsonNode j = ts.get(i);
            assertEquals(t.name(), j.get("name").asText());
            assertEquals(t.typeId(), j.get("dtype").asInt(), t.name());
            assertEquals(String.valueOf(t.offset()), j.get("offset").asText(), t.name());
            long[] shape = t.shape();
            assertEquals(shape.length, j.get("shape").size(), t.name());
            for (int d = 0; d < shape.length; d++) {
                assertEquals(String.valueOf(shape[d]), j.get("shape").get(d).asText(), t.name());
            }
        }
    }

    private static void assertSameValue(String key, GgufValue v, JsonNode j) {
        if (v.type() != GgufValueType.ARRAY) {
            assertScalar(key, v.type(), scalar(v), j);
            return;
        }
        List<Object> elements = v.asList();
        assertEquals(elements.size(), j.size(), key);
        GgufValue[] nested = v.elementType() == GgufValueType.ARRAY ? v.asArrayArray() : null;
        for (int i = 0; i < elements.size(); i++) {
            if (nested != null) {
                assertSameValue(key + "[" + i + "]", nested[i], j.get(i));
            } else {
                assertScalar(key + "[" + i + "]", v.elementType(), elements.get(i), j.get(i));
            }
        }
    }

    private static Object scalar(GgufValue v) {
        switch (v.type()) {
            case FLOAT32:
                return (float) v.asDouble();
            case FLOAT64:
                return v.asDouble();
            case BOOL:
                return v.asBoolean();
            case STRING:
                return v.asString();
            default:
                return v.asLong();
        }
    }

    private static void assertScalar(String key, GgufValueType t, Object ours, JsonNode j) {
        switch (t) {
            case FLOAT32:
                // JSON.stringify loses the sign of −0, hence a comparison by value.
                assertEquals((Float) ours, (float) j.asDouble(), 0f, key);
                break;
            case FLOAT64:
                assertEquals((Double) ours, j.asDouble(), 0d, key);
                break;
            case BOOL:
                assertEquals(ours, j.asBoolean(), key);
                break;
            case STRING:
                assertEquals(ours, j.asText(), key);
                assertTrue(j.isTextual(), key);
                break;
            default:
                long v = (Long) ours;
                assertEquals(t == GgufValueType.UINT64 ? Long.toUnsignedString(v) : Long.toString(v), j.asText(), key);
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
