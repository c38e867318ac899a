package org.llm4e.core;

import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Chooses, once per JVM, between a scalar implementation that always works and a Vector API
 * ({@code jdk.incubator.vector}) implementation, in the style of Lucene's {@code VectorizationProvider}.
 *
 * <p>The Vector API is an incubator module: it is only visible when the JVM runs with
 * {@code --add-modules jdk.incubator.vector}. Code that touches it therefore lives in {@code internal.simd} packages
 * that nothing references directly; {@link #load(Class, String, Object)} loads such a class reflectively when the
 * module is present and SIMD is enabled, and otherwise returns the scalar implementation. The choice follows the
 * system property {@code llm4e.simd}:
 *
 * <ul>
 *   <li>{@code auto} (default): the Vector API implementation when the module is present, else scalar;
 *   <li>{@code off}: always scalar;
 *   <li>{@code on}: the Vector API implementation, failing with {@link IllegalStateException} when it cannot load.
 * </ul>
 *
 * <p>One {@link System.Logger} line (level INFO) reports the outcome the first time a provider is chosen.
 */
public final class Simd {
    private static final System.Logger LOG = System.getLogger(Simd.class.getName());
    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static volatile boolean reported;

    private Simd() {}

    /** The three values of {@code -Dllm4e.simd}. */
    public enum Mode {
        /** Use the Vector API when the JVM has the module. */
        AUTO,
        /** Never use the Vector API. */
        OFF,
        /** Require the Vector API. */
        ON
    }

    /**
     * The mode from {@code -Dllm4e.simd}.
     *
     * @return the configured mode, {@link Mode#AUTO} when unset
     * @throws IllegalArgumentException if the property has another value
     */
    public static Mode mode() {
        String value = System.getProperty("llm4e.simd", "auto").trim().toLowerCase(Locale.ROOT);
        switch (value) {
            case "auto":
                return Mode.AUTO;
            case "off":
                return Mode.OFF;
            case "on":
                return Mode.ON;
            default:
                throw new IllegalArgumentException("system property llm4e.simd must be auto, off or on, got " + value);
        }
    }

    /**
     * Whether this JVM can see the Vector API module.
     *
     * @return true when {@code jdk.incubator.vector} is in the boot layer
     */
    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Loads the Vector API implementation of {@code api} when allowed and possible, else returns {@code scalarImpl}.
     *
     * @param api the interface both implementations implement
     * @param panamaImplClass the fully qualified name of the Vector API implementation; it needs a public no-argument
     *     constructor
     * @param scalarImpl the always-working implementation
     * @param <T> the interface type
     * @return the chosen implementation
     * @throws IllegalStateException in mode {@code on} when the Vector API implementation cannot be loaded
     */
    public static <T> T load(Class<T> api, String panamaImplClass, T scalarImpl) {
        Mode mode = mode();
        if (mode == Mode.OFF) {
            report("llm4e: SIMD disabled by -Dllm4e.simd=off; using scalar kernels");
            return scalarImpl;
        }
        if (!vectorModulePresent()) {
            if (mode == Mode.ON) {
                throw new IllegalStateException("-Dllm4e.simd=on but the JVM lacks " + VECTOR_MODULE
                        + "; run with --add-modules " + VECTOR_MODULE);
            }
            report("llm4e: " + VECTOR_MODULE + " not present (run with --add-modules " + VECTOR_MODULE
                    + "); using scalar kernels");
            return scalarImpl;
        }
        try {
            Object impl = Class.forName(panamaImplClass, true, api.getClassLoader())
                    .getConstructor()
                    .newInstance();
            report("llm4e: using Vector API kernels (" + vectorBitSize() + "-bit, " + (vectorBitSize() / 32)
                    + " float lanes)");
            return api.cast(impl);
        } catch (ReflectiveOperationException | LinkageError | ClassCastException e) {
            if (mode == Mode.ON) {
                throw new IllegalStateException("-Dllm4e.simd=on but " + panamaImplClass + " failed to load", e);
            }
            report("llm4e: Vector API kernels failed to load (" + e + "); using scalar kernels");
            return scalarImpl;
        }
    }

    /**
     * The preferred vector width of this machine, in bits, when the Vector API is present.
     *
     * @return the bit size of {@code FloatVector.SPECIES_PREFERRED}, or 0 without the module
     */
    public static int vectorBitSize() {
        if (!vectorModulePresent()) {
            return 0;
        }
        try {
            Class<?> species = Class.forName("org.llm4e.core.internal.simd.VectorInfo");
            return (int) species.getMethod("preferredBitSize").invoke(null);
        } catch (ReflectiveOperationException | LinkageError e) {
            return 0;
        }
    }

    private static void report(String line) {
        if (!reported) {
            reported = true;
            LOG.log(Level.INFO, line);
        }
    }
}
