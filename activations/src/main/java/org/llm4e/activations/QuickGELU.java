package org.llm4e.activations;

/**
 * The sigmoid approximation of GELU used by CLIP and DL4J.
 *
 * <pre>
 *   QuickGELU(x)  = x·σ(1.702·x)            = Swish with β = 1.702
 *   QuickGELU′(x) = σ(1.702x) + 1.702·x·σ(1.702x)·(1 − σ(1.702x))
 * </pre>
 *
 * <p>Absent from the articles (catalog, part E). It is the default GELU of DL4J/ND4J ({@code ActivationGELU} without
 * "precise"), which is why the ND4J cross-check compares that class with this one and not with {@link GELU}. PyTorch
 * has no such function; Hugging Face calls it {@code quick_gelu}. Its largest distance from exact GELU is about
 * 0.02.
 */
public final class QuickGELU extends ElementwiseActivation {
    /** The slope 1.702 of the approximation. */
    public static final double BETA = 1.702;

    static final QuickGELU INSTANCE = new QuickGELU();

    /** Creates QuickGELU (stateless). */
    public QuickGELU() {}

    @Override
    public String name() {
        return "quick_gelu";
    }

    @Override
    public double apply(double x) {
        return Swish.swish(x, BETA);
    }

    @Override
    public double derivative(double x) {
        return Swish.swishDerivative(x, BETA);
    }
}
