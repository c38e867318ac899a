package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * The hyperparameters one optimizer accepts: names (torch's keyword names), kinds, defaults (torch's) and checks.
 *
 * <p>It is the single source of truth for the typed builders, the {@link Optimizers} facade, per-group overrides and
 * {@code loadStateDict}: every path that sets a hyperparameter goes through {@link #resolve(Map, Map)}, so a value out
 * of range is rejected the same way everywhere.
 */
final class HyperSpec {
    /** torch's implementation switches: accepted when false or null, because this library has one implementation. */
    static final Set<String> IMPLEMENTATION_SWITCHES = Set.of("foreach", "fused", "capturable", "differentiable");

    enum Kind {
        NUMBER,
        FLAG,
        PAIR
    }

    @FunctionalInterface
    interface NumberCheck {
        /** Returns null when {@code v} is valid, else the expectation ("must be >= 0"). */
        String check(double v);
    }

    record Key(String name, Kind kind, Object defaultValue, NumberCheck first, NumberCheck second) {}

    private final String optimizer;
    private final Map<String, Key> keys = new LinkedHashMap<>();
    private final List<Consumer<Map<String, Object>>> crossChecks = new ArrayList<>();

    HyperSpec(String optimizer) {
        this.optimizer = optimizer;
    }

    String optimizer() {
        return optimizer;
    }

    HyperSpec number(String name, double defaultValue, NumberCheck check) {
        keys.put(name, new Key(name, Kind.NUMBER, defaultValue, check, null));
        return this;
    }

    HyperSpec flag(String name, boolean defaultValue) {
        keys.put(name, new Key(name, Kind.FLAG, defaultValue, null, null));
        return this;
    }

    HyperSpec pair(String name, double first, double second, NumberCheck check0, NumberCheck check1) {
        keys.put(name, new Key(name, Kind.PAIR, new double[] {first, second}, check0, check1));
        return this;
    }

    HyperSpec crossCheck(Consumer<Map<String, Object>> check) {
        crossChecks.add(check);
        return this;
    }

    /** The valid keys in declaration order. */
    List<String> keyNames() {
        return List.copyOf(keys.keySet());
    }

    /** torch's defaults for every key, pairs as fresh arrays. */
    Map<String, Object> defaults() {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Key k : keys.values()) {
            out.put(k.name(), copyValue(k.defaultValue()));
        }
        return out;
    }

    /**
     * {@code base} (every key present) overridden by {@code given}, normalised (numbers to Double, pairs to
     * {@code double[2]}) and checked.
     */
    Map<String, Object> resolve(Map<String, ?> given, Map<String, Object> base) {
        Map<String, Object> out = resolveUnchecked(given, base);
        for (Consumer<Map<String, Object>> c : crossChecks) {
            c.accept(out);
        }
        return out;
    }

    /** As {@link #resolve(Map, Map)} without the cross-key checks (a builder checks those when it builds). */
    Map<String, Object> resolveUnchecked(Map<String, ?> given, Map<String, Object> base) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : base.entrySet()) {
            out.put(e.getKey(), copyValue(e.getValue()));
        }
        if (given != null) {
            for (Map.Entry<String, ?> e : given.entrySet()) {
                String name = e.getKey();
                if (name == null) {
                    throw new IllegalArgumentException(
                            optimizer + ": hyperparameter names must not be null; valid keys: " + keyNames());
                }
                if (IMPLEMENTATION_SWITCHES.contains(name)) {
                    Object v = e.getValue();
                    if (v != null && !Boolean.FALSE.equals(v)) {
                        throw new IllegalArgumentException(optimizer + ": " + name
                                + " is a torch implementation switch; only false or null is accepted, got " + v);
                    }
                    continue;
                }
                Key key = keys.get(name);
                if (key == null) {
                    throw new IllegalArgumentException(optimizer + ": unknown hyperparameter '" + name
                            + "'; valid keys: " + String.join(", ", keyNames())
                            + " (and foreach, fused, capturable, differentiable when false)");
                }
                out.put(name, convert(key, e.getValue()));
            }
        }
        return out;
    }

    private Object convert(Key key, Object value) {
        String name = key.name();
        switch (key.kind()) {
            case NUMBER: {
                double v = toNumber(name, value);
                checkNumber(name, v, key.first());
                return v;
            }
            case FLAG:
                if (value instanceof Boolean) {
                    return value;
                }
                throw new IllegalArgumentException(
                        optimizer + ": " + name + " must be a boolean, got " + describe(value));
            case PAIR: {
                double[] pair = toPair(name, value);
                checkNumber(name + "[0]", pair[0], key.first());
                checkNumber(name + "[1]", pair[1], key.second());
                return pair;
            }
            default:
                throw new AssertionError(key.kind());
        }
    }

    private void checkNumber(String name, double v, NumberCheck check) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must be a number, got NaN");
        }
        if (check != null) {
            String expected = check.check(v);
            if (expected != null) {
                throw new IllegalArgumentException(optimizer + ": " + name + " " + expected + ", got " + v);
            }
        }
    }

    private double toNumber(String name, Object value) {
        if (value instanceof Number) {
            return ((Number) value).doubleValue();
        }
        throw new IllegalArgumentException(optimizer + ": " + name + " must be a number, got " + describe(value));
    }

    private double[] toPair(String name, Object value) {
        double[] out = null;
        if (value instanceof double[]) {
            out = ((double[]) value).clone();
        } else if (value instanceof float[]) {
            float[] f = (float[]) value;
            out = new double[f.length];
            for (int i = 0; i < f.length; i++) {
                out[i] = f[i];
            }
        } else if (value instanceof List<?>) {
            List<?> list = (List<?>) value;
            out = new double[list.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(list.get(i) instanceof Number)) {
                    throw new IllegalArgumentException(
                            optimizer + ": " + name + "[" + i + "] must be a number, got " + describe(list.get(i)));
                }
                out[i] = ((Number) list.get(i)).doubleValue();
            }
        }
        if (out == null) {
            throw new IllegalArgumentException(optimizer + ": " + name
                    + " must be a pair given as double[2] or List<Number> of size 2, got " + describe(value));
        }
        if (out.length != 2) {
            throw new IllegalArgumentException(optimizer + ": " + name + " must have 2 elements, got " + out.length);
        }
        return out;
    }

    private static String describe(Object value) {
        return value == null ? "null" : value + " (" + value.getClass().getSimpleName() + ")";
    }

    static Object copyValue(Object v) {
        return v instanceof double[] ? ((double[]) v).clone() : v;
    }

    /** A deep, unmodifiable copy for callers. */
    static Map<String, Object> snapshot(Map<String, Object> values) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : values.entrySet()) {
            out.put(e.getKey(), copyValue(e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    // --- reusable checks -------------------------------------------------------------------------------------------

    static String nonNegative(double v) {
        return v >= 0 && !Double.isInfinite(v) ? null : "must be a finite number >= 0";
    }

    static String finite(double v) {
        return Double.isFinite(v) ? null : "must be finite";
    }

    static String unitInterval(double v) {
        return v >= 0 && v < 1 ? null : "must be in [0, 1)";
    }

    static String closedUnitInterval(double v) {
        return v >= 0 && v <= 1 ? null : "must be in [0, 1]";
    }

    /** The lr check every optimizer shares (torch: "Invalid learning rate"). */
    HyperSpec lr(double defaultValue) {
        return number("lr", defaultValue, HyperSpec::nonNegative);
    }

    HyperSpec betas(double b1, double b2) {
        return pair("betas", b1, b2, HyperSpec::unitInterval, HyperSpec::unitInterval);
    }

    HyperSpec eps(double defaultValue) {
        return number("eps", defaultValue, HyperSpec::nonNegative);
    }

    HyperSpec weightDecay(double defaultValue) {
        return number("weight_decay", defaultValue, HyperSpec::nonNegative);
    }

    HyperSpec maximize() {
        return flag("maximize", false);
    }
}
