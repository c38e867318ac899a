package org.llm4e.optimizers;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.llm4e.core.Parameter;
import org.llm4e.optimizers.internal.UpdateKernels;

/**
 * The torch-parity facade: build any optimizer from its torch name and torch keyword arguments, as
 * {@code getattr(torch.optim, name)(params, **hyperparameters)} would.
 *
 * <pre>{@code
 * Optimizer opt = Optimizers.create("RMSprop", model.parameters(), Map.of("lr", 1e-3, "momentum", 0.9));
 * }</pre>
 *
 * <p>Names ({@link #names()}) are matched case-insensitively, so torch's class names ({@code RMSprop}, {@code AdamW},
 * {@code NAdam}) work. Keys are torch's keyword names; a missing key takes torch's default; tuple values
 * ({@code betas}, {@code etas}, {@code step_sizes}) are {@code double[]} or {@code List<Number>} of size 2. torch's
 * implementation switches {@code foreach}, {@code fused}, {@code capturable} and {@code differentiable} are accepted
 * when false or null (this library has one implementation) and rejected otherwise. An unknown key or a value out of
 * range is an {@link IllegalArgumentException} that lists the valid keys or names the expected range.
 */
public final class Optimizers {
    private interface Factory {
        Optimizer create(Map<String, Object> values, List<ParamGroup> groups, UpdateKernels kernels);
    }

    private record Entry(HyperSpec spec, Factory factory) {}

    private static final Map<String, Entry> REGISTRY = new LinkedHashMap<>();

    static {
        REGISTRY.put("sgd", new Entry(SGD.SPEC, SGD::new));
        REGISTRY.put("asgd", new Entry(ASGD.SPEC, ASGD::new));
        REGISTRY.put("rprop", new Entry(Rprop.SPEC, Rprop::new));
        REGISTRY.put("adagrad", new Entry(Adagrad.SPEC, Adagrad::new));
        REGISTRY.put("adadelta", new Entry(Adadelta.SPEC, Adadelta::new));
        REGISTRY.put("rmsprop", new Entry(RMSprop.SPEC, RMSprop::new));
        REGISTRY.put("adam", new Entry(Adam.SPEC, Adam::new));
        REGISTRY.put("adamw", new Entry(AdamW.SPEC, AdamW::new));
        REGISTRY.put("nadam", new Entry(NAdam.SPEC, NAdam::new));
        REGISTRY.put("radam", new Entry(RAdam.SPEC, RAdam::new));
        REGISTRY.put("adamax", new Entry(Adamax.SPEC, Adamax::new));
        REGISTRY.put("lion", new Entry(Lion.SPEC, Lion::new));
    }

    private Optimizers() {}

    /**
     * The optimizer names, lower case, in the articles' order followed by Adamax and Lion.
     *
     * @return {@code sgd, asgd, rprop, adagrad, adadelta, rmsprop, adam, adamw, nadam, radam, adamax, lion}
     */
    public static List<String> names() {
        return List.copyOf(REGISTRY.keySet());
    }

    /**
     * Builds an optimizer over one parameter group.
     *
     * @param name an optimizer name, case-insensitive (torch's class name works)
     * @param params the parameters, non-empty
     * @param hyperparameters torch keyword names to values; missing keys take torch's defaults
     * @return the optimizer
     * @throws IllegalArgumentException for an unknown name (listing the names), an unknown key (listing the valid keys),
     *     a value of the wrong type or out of range, or bad parameters
     */
    public static Optimizer create(String name, List<Parameter> params, Map<String, ?> hyperparameters) {
        return createGroups(name, List.of(ParamGroup.of(params)), hyperparameters);
    }

    /**
     * Builds an optimizer over several parameter groups; each group's overrides take precedence over
     * {@code hyperparameters} (torch's list of dictionaries plus keyword defaults).
     *
     * @param name an optimizer name, case-insensitive
     * @param groups group requests made with {@link ParamGroup#of(List, Map)}
     * @param hyperparameters torch keyword names to values for every group; missing keys take torch's defaults
     * @return the optimizer
     * @throws IllegalArgumentException as {@link #create(String, List, Map)}
     */
    public static Optimizer createGroups(String name, List<ParamGroup> groups, Map<String, ?> hyperparameters) {
        Entry e = entry(name);
        Map<String, Object> values = e.spec()
                .resolve(
                        hyperparameters == null ? Map.of() : hyperparameters,
                        e.spec().defaults());
        return e.factory().create(values, groups, UpdateKernels.INSTANCE);
    }

    /**
     * torch's default hyperparameters of an optimizer.
     *
     * @param name an optimizer name, case-insensitive
     * @return every key with its default, pairs as {@code double[2]} (unmodifiable)
     * @throws IllegalArgumentException for an unknown name
     */
    public static Map<String, Object> defaults(String name) {
        return HyperSpec.snapshot(entry(name).spec().defaults());
    }

    /**
     * The torch class name of an optimizer ({@code "rmsprop"} → {@code "RMSprop"}).
     *
     * @param name an optimizer name, case-insensitive
     * @return the class name
     * @throws IllegalArgumentException for an unknown name
     */
    public static String torchName(String name) {
        return entry(name).spec().optimizer();
    }

    private static Entry entry(String name) {
        if (name == null) {
            throw new IllegalArgumentException("optimizer name must not be null; valid names: " + names());
        }
        Entry e = REGISTRY.get(name.toLowerCase(Locale.ROOT));
        if (e == null) {
            throw new IllegalArgumentException("unknown optimizer '" + name + "'; valid names (case-insensitive): "
                    + String.join(", ", new ArrayList<>(REGISTRY.keySet())));
        }
        return e;
    }
}
