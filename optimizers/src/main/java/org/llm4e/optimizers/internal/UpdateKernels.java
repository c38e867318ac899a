package org.llm4e.optimizers.internal;

import org.llm4e.core.Simd;

/**
 * The element-wise update loops that dominate an optimizer step, behind one interface so that a Vector API
 * implementation ({@code internal.simd.PanamaUpdateKernels}) can replace the scalar one. Not API.
 *
 * <p>Each method updates the index range {@code [from, to)} in one pass over memory, with coefficients that the
 * optimizer computed once per step in double and rounded to float (as torch's kernels do). Implementations compute
 * every element with the same float operations in the same order, without fused multiply-adds, so the scalar and the
 * vector implementation agree bit for bit.
 */
public interface UpdateKernels {
    /** The implementation this JVM uses: the Vector API one when available (see {@link Simd}), else scalar. */
    UpdateKernels INSTANCE = Simd.load(
            UpdateKernels.class, "org.llm4e.optimizers.internal.simd.PanamaUpdateKernels", new ScalarUpdateKernels());

    /**
     * Adam / AdamW / Adam with AMSGrad.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param m first moment, updated
     * @param v second moment, updated
     * @param vMax running max of {@code v} (AMSGrad), updated; null without AMSGrad
     * @param from first index
     * @param to one past the last index
     * @param decay decoupled decay factor {@code 1 − lr·λ} applied to p first (1 for none)
     * @param l2 L2 coefficient added to the gradient as {@code g + l2·p} (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param oneMinusBeta1 {@code 1 − β1}, the lerp weight of m
     * @param beta2 β2
     * @param oneMinusBeta2 {@code 1 − β2}
     * @param negStepSize {@code −lr / (1 − β1ᵗ)}
     * @param bc2Sqrt {@code √(1 − β2ᵗ)}
     * @param eps ε, added after dividing √v by {@code bc2Sqrt}
     */
    void adam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            float[] vMax,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float negStepSize,
            float bc2Sqrt,
            float eps);

    /**
     * SGD with optional momentum, dampening and Nesterov.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param buf momentum buffer, updated; null without momentum
     * @param from first index
     * @param to one past the last index
     * @param l2 weight decay added to the gradient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param negLr {@code −lr}
     * @param momentum μ
     * @param oneMinusDampening {@code 1 − dampening}
     * @param nesterov Nesterov form {@code d = g + μ·buf}
     * @param firstStep the buffer is initialised to {@code d} (torch's {@code buf = clone(d_p)})
     */
    void sgd(
            float[] p,
            float[] g,
            float[] buf,
            int from,
            int to,
            float l2,
            boolean negate,
            float negLr,
            float momentum,
            float oneMinusDampening,
            boolean nesterov,
            boolean firstStep);

    /**
     * Lion (Chen et al. 2023): decoupled decay, sign of the interpolated momentum, then the momentum update.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param m momentum, updated
     * @param from first index
     * @param to one past the last index
     * @param decay {@code 1 − lr·λ}
     * @param negate whether to negate the gradient first (maximize)
     * @param beta1 β1
     * @param oneMinusBeta1 {@code 1 − β1}
     * @param beta2 β2
     * @param oneMinusBeta2 {@code 1 − β2}
     * @param negLr {@code −lr}
     */
    void lion(
            float[] p,
            float[] g,
            float[] m,
            int from,
            int to,
            float decay,
            boolean negate,
            float beta1,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float negLr);

    /**
     * RMSprop: {@code v = α·v + (1−α)·g²}, {@code p += −lr·g / (√v + ε)} (or {@code √(v + ε)} when
     * {@code epsInside}); centered, the root is of {@code v − ḡ²} with {@code ḡ} the running mean gradient; with
     * momentum, {@code b = μ·b + g/avg} and {@code p += −lr·b}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param v square average, updated
     * @param gAvg running mean gradient ḡ (centered), updated; null when not centered
     * @param buf momentum buffer, updated; null without momentum
     * @param from first index
     * @param to one past the last index
     * @param l2 weight decay added to the gradient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param alpha α
     * @param oneMinusAlpha {@code 1 − α}
     * @param eps ε
     * @param epsInside the article's placement √(v + ε)
     * @param negLr {@code −lr}
     * @param momentum μ (read only with {@code buf})
     */
    void rmsprop(
            float[] p,
            float[] g,
            float[] v,
            float[] gAvg,
            float[] buf,
            int from,
            int to,
            float l2,
            boolean negate,
            float alpha,
            float oneMinusAlpha,
            float eps,
            boolean epsInside,
            float negLr,
            float momentum);

    /**
     * Rprop (torch ≥ 2.0): the step size grows by η⁺ where the gradient kept its sign, shrinks by η⁻ where it flipped
     * (and the gradient is then taken as 0), stays where the product is 0; it is clamped to {@code [min, max]} and
     * {@code p −= sign(g)·Δ}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param prev previous gradient (after the zeroing on a flip), updated
     * @param size step sizes Δ, updated
     * @param from first index
     * @param to one past the last index
     * @param negate whether to negate the gradient first (maximize)
     * @param etaMinus η⁻
     * @param etaPlus η⁺
     * @param min smallest step size
     * @param max largest step size
     */
    void rprop(
            float[] p,
            float[] g,
            float[] prev,
            float[] size,
            int from,
            int to,
            boolean negate,
            float etaMinus,
            float etaPlus,
            float min,
            float max);

    /**
     * ASGD (torch ≥ 2.0, single-tensor): {@code p = p·(1 − λη) − η·g}, then {@code ax += μ·(p − ax)} once averaging
     * has started, else {@code ax = p}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param ax averaged parameters, updated
     * @param from first index
     * @param to one past the last index
     * @param l2 weight decay added to the gradient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param decay {@code 1 − λ·η}
     * @param negEta {@code −η}
     * @param average whether averaging has started (μ ≠ 1)
     * @param mu μ
     */
    void asgd(
            float[] p,
            float[] g,
            float[] ax,
            int from,
            int to,
            float l2,
            boolean negate,
            float decay,
            float negEta,
            boolean average,
            float mu);

    /**
     * NAdam (torch ≥ 2.0): decoupled decay or L2, moments, then the gradient and the momentum terms over
     * {@code √(v / bc2) + ε}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param m first moment, updated
     * @param v second moment, updated
     * @param from first index
     * @param to one past the last index
     * @param decay decoupled decay factor (1 for none)
     * @param l2 L2 coefficient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param oneMinusBeta1 {@code 1 − β1}
     * @param beta2 β2
     * @param oneMinusBeta2 {@code 1 − β2}
     * @param bc2 {@code 1 − β2ᵗ}
     * @param eps ε
     * @param coefG {@code −lr·(1 − μₜ)/(1 − Πₜ)}
     * @param coefM {@code −lr·μₜ₊₁/(1 − Πₜ·μₜ₊₁)}
     */
    void nadam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bc2,
            float eps,
            float coefG,
            float coefM);

    /**
     * RAdam (torch ≥ 2.0): {@code θ −= m/bc1·lr} and, when rectified, times {@code √bc2/(√v + ε)·r}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param m first moment, updated
     * @param v second moment, updated
     * @param from first index
     * @param to one past the last index
     * @param decay decoupled decay factor (1 for none)
     * @param l2 L2 coefficient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param oneMinusBeta1 {@code 1 − β1}
     * @param beta2 β2
     * @param oneMinusBeta2 {@code 1 − β2}
     * @param bc1 {@code 1 − β1ᵗ}
     * @param lr lr
     * @param rectified whether ρₜ is above the threshold
     * @param bc2Sqrt {@code √(1 − β2ᵗ)}
     * @param eps ε
     * @param rect the rectification term rₜ
     */
    void radam(
            float[] p,
            float[] g,
            float[] m,
            float[] v,
            int from,
            int to,
            float decay,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float oneMinusBeta2,
            float bc1,
            float lr,
            boolean rectified,
            float bc2Sqrt,
            float eps,
            float rect);

    /**
     * Adamax: {@code u = max(β2·u, |g| + ε)}, {@code θ += −clr·m/u}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param m first moment, updated
     * @param u infinity norm, updated
     * @param from first index
     * @param to one past the last index
     * @param l2 L2 coefficient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param oneMinusBeta1 {@code 1 − β1}
     * @param beta2 β2
     * @param eps ε
     * @param negClr {@code −lr/(1 − β1ᵗ)}
     */
    void adamax(
            float[] p,
            float[] g,
            float[] m,
            float[] u,
            int from,
            int to,
            float l2,
            boolean negate,
            float oneMinusBeta1,
            float beta2,
            float eps,
            float negClr);

    /**
     * Adagrad: {@code G += g²}, {@code θ += −clr·g/(√G + ε)}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param sum sum of squared gradients, updated
     * @param from first index
     * @param to one past the last index
     * @param l2 L2 coefficient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param eps ε
     * @param negClr {@code −lr/(1 + (t − 1)·lr_decay)}
     */
    void adagrad(
            float[] p, float[] g, float[] sum, int from, int to, float l2, boolean negate, float eps, float negClr);

    /**
     * Adadelta: {@code s = ρs + (1−ρ)g²}, {@code Δ = √(u + ε)/√(s + ε)·g}, {@code u = ρu + (1−ρ)Δ²}, {@code θ += −lr·Δ}.
     *
     * @param p parameters, updated
     * @param g gradients, read
     * @param sq square average s, updated
     * @param acc accumulated delta u, updated
     * @param from first index
     * @param to one past the last index
     * @param l2 L2 coefficient (0 for none)
     * @param negate whether to negate the gradient first (maximize)
     * @param rho ρ
     * @param oneMinusRho {@code 1 − ρ}
     * @param eps ε
     * @param negLr {@code −lr}
     */
    void adadelta(
            float[] p,
            float[] g,
            float[] sq,
            float[] acc,
            int from,
            int to,
            float l2,
            boolean negate,
            float rho,
            float oneMinusRho,
            float eps,
            float negLr);
}
