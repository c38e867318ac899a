package org.llm4e.quantization;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * One GGUF metadata value: its {@link GgufValueType} and the value, immutable.
 *
 * <p>Java holds the value as follows: every integer type as a {@code long} ({@link #asLong()}; UINT64 keeps its 64
 * bits, read it with {@link Long#toUnsignedString(long)} when it may exceed {@link Long#MAX_VALUE}); FLOAT32 as a
 * {@code float}, FLOAT64 as a {@code double}, BOOL as a {@code boolean}, STRING as a {@link String}. An ARRAY has an
 * element type and its elements as a primitive array ({@code long[]} for integer elements, {@code float[]},
 * {@code double[]}, {@code boolean[]}, {@code String[]}), or as {@code GgufValue[]} for an array of arrays (which
 * GGUF allows and ggml itself does not write). Factories check that integers fit their type, so that what is written
 * reads back the same.
 */
public final class GgufValue {
    private final GgufValueType type;
    private final GgufValueType elementType;
    private final Object value;

    private GgufValue(GgufValueType type, GgufValueType elementType, Object value) {
        this.type = type;
        this.elementType = elementType;
        this.value = value;
    }

    /**
     * An integer value of an integer type.
     *
     * @param type one of the eight integer types
     * @param v the value; UINT64 takes any 64 bits
     * @return the value
     * @throws IllegalArgumentException if the type is not an integer type or v does not fit it
     */
    public static GgufValue ofInteger(GgufValueType type, long v) {
        checkInteger(type, v, "v");
        return new GgufValue(type, null, v);
    }

    /**
     * A UINT8.
     *
     * @param v 0 … 255
     * @return the value
     * @throws IllegalArgumentException if v is out of range
     */
    public static GgufValue uint8(int v) {
        return ofInteger(GgufValueType.UINT8, v);
    }

    /**
     * An INT8.
     *
     * @param v −128 … 127
     * @return the value
     * @throws IllegalArgumentException if v is out of range
     */
    public static GgufValue int8(int v) {
        return ofInteger(GgufValueType.INT8, v);
    }

    /**
     * A UINT16.
     *
     * @param v 0 … 65535
     * @return the value
     * @throws IllegalArgumentException if v is out of range
     */
    public static GgufValue uint16(int v) {
        return ofInteger(GgufValueType.UINT16, v);
    }

    /**
     * An INT16.
     *
     * @param v −32768 … 32767
     * @return the value
     * @throws IllegalArgumentException if v is out of range
     */
    public static GgufValue int16(int v) {
        return ofInteger(GgufValueType.INT16, v);
    }

    /**
     * A UINT32.
     *
     * @param v 0 … 2³² − 1
     * @return the value
     * @throws IllegalArgumentException if v is out of range
     */
    public static GgufValue uint32(long v) {
        return ofInteger(GgufValueType.UINT32, v);
    }

    /**
     * An INT32.
     *
     * @param v any int
     * @return the value
     */
    public static GgufValue int32(int v) {
        return ofInteger(GgufValueType.INT32, v);
    }

    /**
     * A UINT64.
     *
     * @param v the 64 bits, read as unsigned
     * @return the value
     */
    public static GgufValue uint64(long v) {
        return ofInteger(GgufValueType.UINT64, v);
    }

    /**
     * An INT64.
     *
     * @param v any long
     * @return the value
     */
    public static GgufValue int64(long v) {
        return ofInteger(GgufValueType.INT64, v);
    }

    /**
     * A FLOAT32.
     *
     * @param v any float, NaN included
     * @return the value
     */
    public static GgufValue float32(float v) {
        return new GgufValue(GgufValueType.FLOAT32, null, v);
    }

    /**
     * A FLOAT64.
     *
     * @param v any double
     * @return the value
     */
    public static GgufValue float64(double v) {
        return new GgufValue(GgufValueType.FLOAT64, null, v);
    }

    /**
     * A BOOL.
     *
     * @param v the value
     * @return the value
     */
    public static GgufValue bool(boolean v) {
        return new GgufValue(GgufValueType.BOOL, null, v);
    }

    /**
     * A STRING.
     *
     * @param v any string; written as UTF-8
     * @return the value
     */
    public static GgufValue string(String v) {
        return new GgufValue(GgufValueType.STRING, null, Objects.requireNonNull(v, "v"));
    }

    /**
     * An ARRAY of integers.
     *
     * @param elementType one of the eight integer types
     * @param values the elements (copied)
     * @return the array value
     * @throws IllegalArgumentException if the type is not an integer type or an element does not fit it
     */
    public static GgufValue integerArray(GgufValueType elementType, long... values) {
        for (int i = 0; i < values.length; i++) {
            checkInteger(elementType, values[i], "values[" + i + "]");
        }
        return new GgufValue(GgufValueType.ARRAY, elementType, values.clone());
    }

    /**
     * An ARRAY of FLOAT32.
     *
     * @param values the elements (copied)
     * @return the array value
     */
    public static GgufValue float32Array(float... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT32, values.clone());
    }

    /**
     * An ARRAY of FLOAT64.
     *
     * @param values the elements (copied)
     * @return the array value
     */
    public static GgufValue float64Array(double... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.FLOAT64, values.clone());
    }

    /**
     * An ARRAY of BOOL.
     *
     * @param values the elements (copied)
     * @return the array value
     */
    public static GgufValue boolArray(boolean... values) {
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.BOOL, values.clone());
    }

    /**
     * An ARRAY of STRING.
     *
     * @param values the elements (copied), none null
     * @return the array value
     */
    public static GgufValue stringArray(String... values) {
        String[] copy = values.clone();
        for (int i = 0; i < copy.length; i++) {
            Objects.requireNonNull(copy[i], "values[" + i + "]");
        }
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.STRING, copy);
    }

    /**
     * An ARRAY of ARRAYs.
     *
     * @param values the elements, each an array value (copied)
     * @return the array value
     * @throws IllegalArgumentException if an element is not an array
     */
    public static GgufValue arrayOfArrays(GgufValue... values) {
        for (int i = 0; i < values.length; i++) {
            if (values[i].type != GgufValueType.ARRAY) {
                throw new IllegalArgumentException("values[" + i + "] must be an ARRAY value, got " + values[i].type);
            }
        }
        return new GgufValue(GgufValueType.ARRAY, GgufValueType.ARRAY, values.clone());
    }

    /**
     * The type.
     *
     * @return the value's GGUF type
     */
    public GgufValueType type() {
        return type;
    }

    /**
     * The element type of an array.
     *
     * @return the element type, or null when this is not an array
     */
    public GgufValueType elementType() {
        return elementType;
    }

    /**
     * An integer value.
     *
     * @return the value (UINT64: its 64 bits)
     * @throws IllegalStateException if this is not an integer value
     */
    public long asLong() {
        if (!type.isInteger()) {
            throw new IllegalStateException("not an integer value: " + type);
        }
        return (Long) value;
    }

    /**
     * A numeric value as a double (integers converted, UINT64 as unsigned).
     *
     * @return the value
     * @throws IllegalStateException if this is not a number
     */
    public double asDouble() {
        if (type == GgufValueType.FLOAT32) {
            return (Float) value;
        }
        if (type == GgufValueType.FLOAT64) {
            return (Double) value;
        }
        long v = asLong();
        return type == GgufValueType.UINT64 && v < 0 ? (v >>> 1) * 2.0 + (v & 1) : v;
    }

    /**
     * A BOOL value.
     *
     * @return the value
     * @throws IllegalStateException if this is not a BOOL
     */
    public boolean asBoolean() {
        if (type != GgufValueType.BOOL) {
            throw new IllegalStateException("not a BOOL value: " + type);
        }
        return (Boolean) value;
    }

    /**
     * A STRING value.
     *
     * @return the string
     * @throws IllegalStateException if this is not a STRING
     */
    public String asString() {
        if (type != GgufValueType.STRING) {
            throw new IllegalStateException("not a STRING value: " + type);
        }
        return (String) value;
    }

    /**
     * The number of elements of an array.
     *
     * @return the length
     * @throws IllegalStateException if this is not an array
     */
    public int length() {
        requireArray();
        return java.lang.reflect.Array.getLength(value);
    }

    /**
     * The elements of an integer array.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of integers
     */
    public long[] asLongArray() {
        requireArray();
        if (!elementType.isInteger()) {
            throw new IllegalStateException("not an integer array: ARRAY of " + elementType);
        }
        return ((long[]) value).clone();
    }

    /**
     * The elements of a FLOAT32 array.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of FLOAT32
     */
    public float[] asFloatArray() {
        requireElement(GgufValueType.FLOAT32);
        return ((float[]) value).clone();
    }

    /**
     * The elements of a FLOAT64 array.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of FLOAT64
     */
    public double[] asDoubleArray() {
        requireElement(GgufValueType.FLOAT64);
        return ((double[]) value).clone();
    }

    /**
     * The elements of a BOOL array.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of BOOL
     */
    public boolean[] asBooleanArray() {
        requireElement(GgufValueType.BOOL);
        return ((boolean[]) value).clone();
    }

    /**
     * The elements of a STRING array.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of STRING
     */
    public String[] asStringArray() {
        requireElement(GgufValueType.STRING);
        return ((String[]) value).clone();
    }

    /**
     * The elements of an array of arrays.
     *
     * @return a copy
     * @throws IllegalStateException if this is not an array of ARRAY
     */
    public GgufValue[] asArrayArray() {
        requireElement(GgufValueType.ARRAY);
        return ((GgufValue[]) value).clone();
    }

    /**
     * The elements of any array, boxed: Long, Float, Double, Boolean, String or {@code List} for nested arrays.
     *
     * @return an unmodifiable list
     * @throws IllegalStateException if this is not an array
     */
    public List<Object> asList() {
        requireArray();
        int n = length();
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Object e = java.lang.reflect.Array.get(value, i);
            out.add(e instanceof GgufValue ? ((GgufValue) e).asList() : e);
        }
        return Collections.unmodifiableList(out);
    }

    /** The raw held object, for the writer (not copied: callers must not modify it). */
    Object raw() {
        return value;
    }

    /** Creates an array value from an array the reader built (not copied). */
    static GgufValue ofArrayUnchecked(GgufValueType elementType, Object elements) {
        return new GgufValue(GgufValueType.ARRAY, elementType, elements);
    }

    /** Creates a scalar value the reader decoded (integers already range-correct by construction). */
    static GgufValue ofScalarUnchecked(GgufValueType type, Object v) {
        return new GgufValue(type, null, v);
    }

    private void requireArray() {
        if (type != GgufValueType.ARRAY) {
            throw new IllegalStateException("not an ARRAY value: " + type);
        }
    }

    private void requireElement(GgufValueType t) {
        requireArray();
        if (elementType != t) {
            throw new IllegalStateException("not an array of " + t + ": ARRAY of " + elementType);
        }
    }

    private static void checkInteger(GgufValueType type, long v, String name) {
        long min;
        long max;
        switch (type) {
            case UINT8:
                min = 0;
                max = 0xFF;
                break;
            case INT8:
                min = Byte.MIN_VALUE;
                max = Byte.MAX_VALUE;
                break;
            case UINT16:
                min = 0;
                max = 0xFFFF;
                break;
            case INT16:
                min = Short.MIN_VALUE;
                max = Short.MAX_VALUE;
                break;
            case UINT32:
                min = 0;
                max = 0xFFFF_FFFFL;
                break;
            case INT32:
                min = Integer.MIN_VALUE;
                max = Integer.MAX_VALUE;
                break;
            case UINT64:
            case INT64:
                return;
            default:
                throw new IllegalArgumentException("type must be an integer type, got " + type);
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(
                    name + " must be in [" + min + ", " + max + "] for " + type + ", got " + v);
        }
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufValue)) {
            return false;
        }
        GgufValue g = (GgufValue) o;
        // deepEquals compares floats by their bits (Float.equals, Arrays.equals), so NaN equals NaN and 0 ≠ −0.
        return type == g.type && elementType == g.elementType && Objects.deepEquals(value, g.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, elementType, Arrays.deepHashCode(new Object[] {value}));
    }

    /**
     * A short readable form: scalars as {@code value (TYPE)}, arrays as {@code [TYPE × n] first elements …}.
     *
     * @return the text
     */
    @Override
    public String toString() {
        if (type != GgufValueType.ARRAY) {
            String v = type == GgufValueType.STRING
                    ? quote((String) value)
                    : type == GgufValueType.UINT64 ? Long.toUnsignedString((Long) value) : String.valueOf(value);
            return v + " (" + type + ")";
        }
        int n = length();
        StringBuilder sb = new StringBuilder("[" + elementType + " × " + n + "]");
        int shown = Math.min(n, 8);
        for (int i = 0; i < shown; i++) {
            Object e = java.lang.reflect.Array.get(value, i);
            sb.append(i == 0 ? " " : ", ");
            sb.append(
                    e instanceof String
                            ? quote((String) e)
                            : e instanceof GgufValue ? e.toString() : String.valueOf(e));
        }
        if (n > shown) {
            sb.append(", …");
        }
        return sb.toString();
    }

    private static String quote(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return "\"" + t.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
    }
}
