package org.llm4e.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.llm4e.core.Tensor;

/**
 * Loads golden reference files (PyTorch, tiktoken, ggml, …) from the test classpath under {@code /golden/} and reads
 * their tensor objects.
 *
 * <p>A golden tensor is {@code {"dtype": "float64", "shape": [2, 3], "data": [...]}} with row-major data.
 * Non-finite values are the strings {@code "Infinity"}, {@code "-Infinity"} and {@code "NaN"}; every reader here
 * accepts them. Files are parsed once and cached, since several test classes read the same file.
 */
public final class Golden {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, JsonNode> CACHE = new ConcurrentHashMap<>();

    private Golden() {}

    /**
     * Parses {@code /golden/<name>} from the test classpath.
     *
     * @param name the file name, e.g. {@code "activations.json"}
     * @return the root node (shared; do not modify)
     * @throws UncheckedIOException if the resource is missing or not JSON
     */
    public static JsonNode load(String name) {
        return CACHE.computeIfAbsent(name, Golden::parse);
    }

    private static JsonNode parse(String name) {
        String path = "/golden/" + name;
        try (InputStream in = Golden.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new UncheckedIOException(
                        new IOException("golden resource " + path + " not found on the test classpath"));
            }
            return MAPPER.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read golden resource " + path, e);
        }
    }

    /**
     * A JSON number or non-finite string as a double.
     *
     * @param node a number or one of {@code "Infinity"}, {@code "-Infinity"}, {@code "NaN"}
     * @return its value
     */
    public static double number(JsonNode node) {
        if (node == null || node.isNull()) {
            throw new IllegalArgumentException("expected a number, got " + node);
        }
        if (node.isNumber()) {
            return node.doubleValue();
        }
        if (node.isTextual()) {
            return Double.parseDouble(node.textValue());
        }
        if (node.isBoolean()) {
            return node.booleanValue() ? 1 : 0;
        }
        throw new IllegalArgumentException("expected a number, got " + node);
    }

    /**
     * An array of numbers, or the {@code data} of a tensor object, as doubles.
     *
     * @param node a JSON array or a tensor object
     * @return the values
     */
    public static double[] doubles(JsonNode node) {
        JsonNode data = dataOf(node);
        double[] out = new double[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(data.get(i));
        }
        return out;
    }

    /**
     * An array of numbers, or the {@code data} of a tensor object, rounded to float32.
     *
     * @param node a JSON array or a tensor object
     * @return the values
     */
    public static float[] floats(JsonNode node) {
        double[] d = doubles(node);
        float[] out = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            out[i] = (float) d[i];
        }
        return out;
    }

    /**
     * An array of integers, or the {@code data} of an integer tensor object.
     *
     * @param node a JSON array or a tensor object
     * @return the values
     */
    public static int[] ints(JsonNode node) {
        JsonNode data = dataOf(node);
        int[] out = new int[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asInt();
        }
        return out;
    }

    /**
     * An array of integers as longs.
     *
     * @param node a JSON array or a tensor object
     * @return the values
     */
    public static long[] longs(JsonNode node) {
        JsonNode data = dataOf(node);
        long[] out = new long[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asLong();
        }
        return out;
    }

    /**
     * The {@code data} of a boolean tensor object (or a JSON array of booleans).
     *
     * @param node a JSON array or a tensor object
     * @return the values
     */
    public static boolean[] booleans(JsonNode node) {
        JsonNode data = dataOf(node);
        boolean[] out = new boolean[data.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = data.get(i).asBoolean();
        }
        return out;
    }

    /**
     * The shape of a tensor object.
     *
     * @param tensor a tensor object
     * @return its {@code shape}
     */
    public static int[] shape(JsonNode tensor) {
        JsonNode s = tensor.get("shape");
        if (s == null) {
            throw new IllegalArgumentException("not a tensor object (no shape): " + abbreviate(tensor));
        }
        return ints(s);
    }

    /**
     * A tensor object as a float32 {@link Tensor}.
     *
     * @param tensor a tensor object
     * @return a new tensor with the object's shape and data rounded to float32
     */
    public static Tensor tensor(JsonNode tensor) {
        return Tensor.of(floats(tensor), shape(tensor));
    }

    private static JsonNode dataOf(JsonNode node) {
        if (node == null) {
            throw new IllegalArgumentException("expected an array or a tensor object, got null");
        }
        JsonNode data = node.isObject() ? node.get("data") : node;
        if (data == null || !data.isArray()) {
            throw new IllegalArgumentException("expected an array or a tensor object, got " + abbreviate(node));
        }
        return data;
    }

    private static String abbreviate(JsonNode node) {
        String s = String.valueOf(node);
        return s.length() > 120 ? s.substring(0, 120) + "…" : s;
    }
}
