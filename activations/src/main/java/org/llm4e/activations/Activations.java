package org.llm4e.activations;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The torch.nn.functional-style factory of element-wise activations: {@code Activations.create("leaky_relu",
 * Map.of("negative_slope", 0.2))} is {@code F.leaky_relu(x, negative_slope=0.2)}.
 *
 * <p>Names (case-insensitive) and their parameters, with PyTorch's defaults for missing keys:
 *
 * <pre>
 *   sigmoid, tanh, relu, relu6, selu, silu, mish, softsign, hardswish, hardsigmoid, logsigmoid, quick_gelu   (none)
 *   leaky_relu(negative_slope = 0.01)      elu(alpha = 1.0)           celu(alpha = 1.0)
 *   gelu(approximate = "none" | "tanh")    swish(beta = 1.0)          softplus(beta = 1.0, threshold = 20.0)
 *   hardtanh(min_val = −1.0, max_val = 1.0)                           prelu(weight = 0.25)
 *   rrelu(lower = 1/8, upper = 1/3)  (the eval form; {@link RReLU#training(long)} gives the random one)
 * </pre>
 *
 * <p>Numeric values may be any {@link Number}; {@code approximate} is a string. An unknown name or key, a value of the
 * wrong type or a value out of range is an {@link IllegalArgumentException} that lists what is valid. Overview
 * article: {@code 神经网络的激活函数（一）概述.md}.
 */
public final class Activations {
    private static final Map<String, List<String>> KEYS = new LinkedHashMap<>();

    static {
        for (String name : List.of(
                "sigmoid",
                "tanh",
                "relu",
                "relu6",
                "selu",
                "silu",
                "mish",
                "softsign",
                "hardswish",
                "hardsigmoid",
                "logsigmoid",
                "quick_gelu")) {
            KEYS.put(name, List.of());
        }
        KEYS.put("leaky_relu", List.of("negative_slope"));
        KEYS.put("elu", List.of("alpha"));
        KEYS.put("celu", List.of("alpha"));
        KEYS.put("gelu", List.of("approximate"));
        KEYS.put("swish", List.of("beta"));
        KEYS.put("softplus", List.of("beta", "threshold"));
        KEYS.put("hardtanh", List.of("min_val", "max_val"));
        KEYS.put("prelu", List.of("weight"));
        KEYS.put("rrelu", List.of("lower", "upper"));
    }

    private Activations() {}

    /**
     * The names {@link #create} accepts.
     *
     * @return an unmodifiable, sorted set of names
     */
    public static Set<String> names() {
        return Collections.unmodifiableSet(new TreeSet<>(KEYS.keySet()));
    }

    /**
     * An activation with PyTorch's default parameters.
     *
     * @param name the function's name (case-insensitive)
     * @return the activation
     * @throws IllegalArgumentException for an unknown name
     */
    public static Activation create(String name) {
        return create(name, Map.of());
    }

    /**
     * An activation by torch.nn.functional name and keyword parameters.
     *
     * @param name the function's name (case-insensitive)
     * @param params keyword parameters (torch's names); missing keys take torch's defaults; may be empty
     * @return the activation
     * @throws IllegalArgumentException for an unknown name or key, or a parameter of the wrong type or out of range
     */
    public static Activation create(String name, Map<String, ?> params) {
        String key = name == null ? "null" : name.toLowerCase(Locale.ROOT);
        List<String> valid = KEYS.get(key);
        if (valid == null) {
            throw new IllegalArgumentException("unknown activation \"" + name + "\"; expected one of " + names());
        }
        for (String k : params.keySet()) {
            if (!valid.contains(k)) {
                throw new IllegalArgumentException("unknown parameter \"" + k + "\" for " + key + "; valid keys: "
                        + (valid.isEmpty() ? "none" : valid));
            }
        }
        switch (key) {
            case "sigmoid":
                return Sigmoid.INSTANCE;
            case "tanh":
                return Tanh.INSTANCE;
            case "relu":
                return ReLU.INSTANCE;
            case "relu6":
                return ReLU6.INSTANCE;
            case "selu":
                return SELU.INSTANCE;
            case "silu":
                return SiLU.INSTANCE;
            case "mish":
                return Mish.INSTANCE;
            case "softsign":
                return Softsign.INSTANCE;
            case "hardswish":
                return Hardswish.INSTANCE;
            case "hardsigmoid":
                return Hardsigmoid.INSTANCE;
            case "logsigmoid":
                return LogSigmoid.INSTANCE;
            case "quick_gelu":
                return QuickGELU.INSTANCE;
            case "leaky_relu":
                return new LeakyReLU(number(params, "negative_slope", 0.01));
            case "elu":
                return new ELU(number(params, "alpha", 1.0));
            case "celu":
                return new CELU(number(params, "alpha", 1.0));
            case "gelu":
                return GELU.of(string(params, "approximate", "none"));
            case "swish":
                return new Swish(number(params, "beta", 1.0));
            case "softplus":
                return new Softplus(number(params, "beta", 1.0), number(params, "threshold", 20.0));
            case "hardtanh":
                return new Hardtanh(number(params, "min_val", -1.0), number(params, "max_val", 1.0));
            case "prelu":
                return new PReLU(number(params, "weight", 0.25));
            case "rrelu":
                return new RReLU(number(params, "lower", 1.0 / 8), number(params, "upper", 1.0 / 3));
            default:
                throw new AssertionError(key);
        }
    }

    private static double number(Map<String, ?> params, String key, double defaultValue) {
        Object v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof Number)) {
            throw new IllegalArgumentException(
                    key + " must be a number, got " + v.getClass().getSimpleName() + " " + v);
        }
        return ((Number) v).doubleValue();
    }

    private static String string(Map<String, ?> params, String key, String defaultValue) {
        Object v = params.get(key);
        if (v == null) {
            return defaultValue;
        }
        if (!(v instanceof String)) {
            throw new IllegalArgumentException(
                    key + " must be a string, got " + v.getClass().getSimpleName() + " " + v);
        }
        return (String) v;
    }
}
