package org.llm4e.activations;

import java.util.Locale;

/**
 * The members of the gated-linear-unit family: {@code out = a ⊙ act(b)} with a the first half of the input (the
 * value) and b the second half (the gate), as {@code torch.nn.functional.glu}.
 *
 * <pre>
 *   GLU         a ⊙ σ(b)              (Dauphin et al. 2017)
 *   ReGLU       a ⊙ ReLU(b)           (Shazeer 2020, "GLU Variants Improve Transformer")
 *   GEGLU       a ⊙ GELU(b)
 *   GEGLU_tanh  a ⊙ GELU_tanh(b)
 *   SwiGLU      a ⊙ SiLU(b)
 * </pre>
 *
 * <p>Articles: {@code 神经网络的激活函数（五）门控系列} and {@code 为什么大型语言模型都在使用SwiGLU作为激活函数？.md}. <b>Errata:</b> the overview writes GLU(x) = σ(x) ⊙ tanh(x) and SwiGLU as
 * xσ(x) + tanh(x); (五) §3.1 writes SwiGLU(a, b) = Swish(a) ⊙ σ(b) (a double gate); the correct forms (五 §3.5, the
 * SwiGLU article, Shazeer 2020) are the ones above. SwiGLU is attributed there to "DeepMind 2021, Scaling Vision
 * Transformers"; the source is Shazeer 2020.
 */
public enum GluVariant {
    /** a ⊙ σ(b). */
    GLU("glu", Sigmoid.INSTANCE),
    /** a ⊙ ReLU(b). */
    REGLU("reglu", ReLU.INSTANCE),
    /** a ⊙ GELU(b), exact. */
    GEGLU("geglu", GELU.EXACT),
    /** a ⊙ GELU(b), tanh approximation. */
    GEGLU_TANH("geglu_tanh", GELU.TANH),
    /** a ⊙ SiLU(b). */
    SWIGLU("swiglu", SiLU.INSTANCE);

    private final String apiName;
    private final Activation gate;

    GluVariant(String apiName, Activation gate) {
        this.apiName = apiName;
        this.gate = gate;
    }

    /**
     * The lower-case name {@link Glu#forward(String, float[])} accepts.
     *
     * @return e.g. {@code "geglu_tanh"}
     */
    public String apiName() {
        return apiName;
    }

    /**
     * The activation applied to the gate half.
     *
     * @return the gate's activation
     */
    public Activation gate() {
        return gate;
    }

    /**
     * Looks a variant up by name, case-insensitively ({@code "SwiGLU"}, {@code "swiglu"}, {@code "GEGLU_tanh"}).
     *
     * @param name the name
     * @return the variant
     * @throws IllegalArgumentException for an unknown name
     */
    public static GluVariant of(String name) {
        String key = name == null ? "null" : name.toLowerCase(Locale.ROOT);
        for (GluVariant v : values()) {
            if (v.apiName.equals(key)) {
                return v;
            }
        }
        throw new IllegalArgumentException(
                "unknown GLU variant \"" + name + "\"; expected one of glu, reglu, geglu, geglu_tanh, swiglu");
    }
}
