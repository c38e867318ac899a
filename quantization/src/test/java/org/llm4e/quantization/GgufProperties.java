package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/** GGUF write → read round trips for random metadata and tensors, and truncation at every byte. */
class GgufProperties {
    private static final GgmlType[] TYPES = GgmlType.values();

    /** A random value of a random type; nested arrays up to one level. */
    static GgufValue randomValue(SplittableRandom r, boolean allowNested) {
        GgufValueType t = GgufValueType.values()[r.nextInt(GgufValueType.values().length)];
        if (t == GgufValueType.ARRAY) {
            int n = r.nextInt(6);
            GgufValueType et = GgufValueType.values()[r.nextInt(GgufValueType.values().length)];
            switch (et) {
                case ARRAY: {
                    if (!allowNested) {
                        return GgufValue.stringArray(randomString(r));
                    }
                    GgufValue[] a = new GgufValue[n];
                    for (int i = 0; i < n; i++) {
                        GgufValue inner = randomValue(r, false);
                        a[i] = inner.type() == GgufValueType.ARRAY ? inner : GgufValue.float64Array(r.nextDouble());
                    }
                    return GgufValue.arrayOfArrays(a);
                }
                case STRING: {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = randomString(r);
                    }
                    return GgufValue.stringArray(a);
                }
                case FLOAT32: {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Float.intBitsToFloat(r.nextInt());
                    }
                    return GgufValue.float32Array(a);
                }
                case FLOAT64: {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = Double.longBitsToDouble(r.nextLong());
                    }
                    return GgufValue.float64Array(a);
                }
                case BOOL: {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = r.nextBoolean();
                    }
                    return GgufValue.boolArray(a);
                }
                default: {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) {
                        a[i] = randomInteger(r, et);
                    }
                    return GgufValue.integerArray(et, a);
                }
            }
        }
        switch (t) {
            case STRING:
                return GgufValue.string(randomString(r));
            case FLOAT32:
                return GgufValue.float32(Float.intBitsToFloat(r.nextInt()));
            case FLOAT64:
                return GgufValue.float64(Double.longBitsToDouble(r.nextLong()));
            case BOOL:
                return GgufValue.bool(r.nextBoolean());
            default:
                return GgufValue.ofInteger(t, randomInteger(r, t));
        }
    }

    static long randomInteger(SplittableRandom r, GgufValueType t) {
        long v = r.nextLong();
        switch (t) {
            case UINT8:
                return v & 0xFF;
            case INT8:
                return (byte) v;
            case UINT16:
                return v & 0xFFFF;
            case INT16:
                return (short) v;
            case UINT32:
                return v & 0xFFFF_FFFFL;
            case INT32:
                return (int) v;
            default:
                return v;
        }
    }

    static String randomString(SplittableRandom r) {
        StringBuilder sb = new StringBuilder();
        int n = r.nextInt(12);
        for (int i = 0; i < n; i++) {
            // Any code point except the surrogate range, which has no UTF-8 encoding on its own.
            int cp;
            do {
                cp = r.nextInt(4) == 0 ? r.nextInt(0x110000) : r.nextInt(0x80);
            } while (cp >= 0xD800 && cp <= 0xDFFF);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    static GgufWriter randomFile(long seed, Map<String, float[]> floats, Map<String, GgufValue> metadata) {
        SplittableRandom r = new SplittableRandom(seed);
        GgufWriter w = new GgufWriter();
        if (r.nextBoolean()) {
            w.alignment(1 << r.nextInt(9));
        }
        int keys = r.nextInt(8);
        for (int i = 0; i < keys; i++) {
            GgufValue v = randomValue(r, true);
            w.put("k" + i + "." + randomString(r), v);
        }
        int tensors = r.nextInt(5);
        for (int i = 0; i < tensors; i++) {
            GgmlType t = TYPES[r.nextInt(TYPES.length)];
            int dims = 1 + r.nextInt(4);
            long[] shape = new long[dims];
            shape[0] = t.blockSize() * (1L + r.nextInt(t.blockSize() == 1 ? 40 : 3));
            long n = shape[0];
            for (int d = 1; d < dims; d++) {
                shape[d] = 1 + r.nextInt(3);
                n *= shape[d];
            }
            float[] x = GgufSamples.gaussian(r, (int) n);
            String name = "t" + i;
            w.addTensor(name, t, shape, x);
            floats.put(name, x);
        }
        return w;
    }

    @Property(tries = 60)
    void writeThenReadGivesBackEverything(@ForAll long seed) throws IOException {
        Map<String, float[]> floats = new LinkedHashMap<>();
        GgufWriter w = randomFile(seed, floats, null);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        w.write(out);
        byte[] bytes = out.toByteArray();
        GgufFile f = GgufFile.read(bytes, "round-trip");
        // Writing what was read gives the same bytes: metadata, infos, data and padding all survive.
        GgufWriter again = new GgufWriter();
        for (Map.Entry<String, GgufValue> e : f.metadata().entrySet()) {
            again.put(e.getKey(), e.getValue());
        }
        for (GgufTensorInfo t : f.tensors()) {
            again.addTensor(t.name(), t.typeId(), t.shape(), f.tensorBytes(t.name()));
        }
        ByteArrayOutputStream out2 = new ByteArrayOutputStream();
        again.write(out2);
        assertArrayEquals(bytes, out2.toByteArray());
        // The tensors decode to what the block formats make of the floats.
        for (GgufTensorInfo t : f.tensors()) {
            float[] x = floats.get(t.name());
            byte[] q = new byte[(int) t.type().bytes(x.length)];
            t.type().quantize(x, 0, x.length, q, 0);
            float[] expected = new float[x.length];
            t.type().dequantize(q, 0, x.length, expected, 0);
            assertArrayEquals(expected, f.dequantize(t.name()), t.name());
        }
        assertEquals(0, f.dataOffset() % f.alignment());
    }

    @Property(tries = 15)
    void everyTruncationIsAnErrorNamingAnOffsetInsideTheFile(
            @ForAll long seed, @ForAll @IntRange(min = 0, max = 1000) int salt) throws IOException {
        Map<String, float[]> floats = new LinkedHashMap<>();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        randomFile(seed, floats, null).write(out);
        byte[] bytes = out.toByteArray();
        GgufFile whole = GgufFile.read(bytes, "whole");
        long needed = whole.tensors().isEmpty() ? 0 : whole.dataOffset();
        for (GgufTensorInfo t : whole.tensors()) {
            needed = Math.max(needed, whole.dataOffset() + t.offset() + t.byteSize());
        }
        // Every prefix shorter than the header plus the last tensor's data must fail; longer ones (cutting only the
        // final padding) read the same file.
        // About 400 prefixes per file (every byte for small files), starting at a varying phase.
        int step = Math.max(1, bytes.length / 400);
        for (int len = salt % step; len < bytes.length; len += step) {
            byte[] prefix = java.util.Arrays.copyOf(bytes, len);
            try {
                GgufFile f = GgufFile.read(prefix, "prefix");
                assertTrue(len >= needed, "a prefix of " + len + " bytes read without error, needs " + needed);
                assertEquals(whole.metadata(), f.metadata());
                assertEquals(whole.tensors(), f.tensors());
            } catch (GgufFormatException e) {
                assertTrue(e.offset() >= 0 && e.offset() <= len, e.getMessage() + " (prefix " + len + ")");
                assertTrue(e.getMessage().startsWith("prefix: byte " + e.offset() + ": "), e.getMessage());
            }
        }
    }
}
