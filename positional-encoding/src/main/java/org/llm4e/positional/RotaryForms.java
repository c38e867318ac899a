package org.llm4e.positional;

import java.util.Objects;

/**
 * The three ways the articles compute RoPE, written out in double so that a learner can compare them: they give the
 * same vector (the tests check it), and {@link RotaryEmbedding} is the third one with a cos/sin cache.
 *
 * <pre>
 *   1. complex:     pair j as z_j = a + ib,   z_j' = z_j · e^{imθ_j}                           (ROPE img 3, 10–18)
 *   2. matrix:      x' = R^d_{Θ,m} x,  R^d_{Θ,m} = diag(R(mθ_0), …, R(mθ_{d/2−1}))              (ROPE img 7–8)
 *   3. elementwise: x' = x ⊙ cos(mΘ) + rot(x) ⊙ sin(mΘ),  rot(a, b) = (−b, a) per pair         (RoFormer eq. 34)
 * </pre>
 *
 * <p>Articles: 从欧拉公式的美到旋转位置编码RoPE.md, 复变函数在大模型位置编码中的应用.md, 什么是大模型的位置编码Position-Encoding.md.
 * The matrix form costs O(d²) per vector and exists only to be read; the element-wise form is O(d).
 *
 * <p>Each method takes the inverse frequencies and the pair layout explicitly (so the articles' one-frequency
 * examples, θ = 0.37, can be run), and has an overload that takes them, with the attention scaling, from a
 * {@link RotaryEmbedding}.
 */
public final class RotaryForms {
    private RotaryForms() {}

    private static void check(double[] x, double[] invFreq, RopeLayout layout, int position) {
        Objects.requireNonNull(x, "x");
        Objects.requireNonNull(invFreq, "invFreq");
        Objects.requireNonNull(layout, "layout");
        RotaryEmbedding.checkHeadDim(x.length);
        if (invFreq.length * 2 != x.length) {
            throw new IllegalArgumentException(
                    "invFreq.length must be x.length / 2 = " + x.length / 2 + ", got " + invFreq.length);
        }
        if (position < 0) {
            throw new IllegalArgumentException("position must be >= 0, got " + position);
        }
    }

    /**
     * Form 1: multiply each pair, read as a complex number, by {@code e^{imθ_j}}.
     *
     * @param x the head vector (even length d), unchanged
     * @param position m ≥ 0
     * @param invFreq θ_j, d/2 values
     * @param layout which dimensions form pair j
     * @return the rotated vector
     * @throws IllegalArgumentException if the lengths do not match or the position is negative
     */
    public static double[] rotateComplex(double[] x, int position, double[] invFreq, RopeLayout layout) {
        check(x, invFreq, layout, position);
        int d = x.length;
        double[] out = new double[d];
        for (int j = 0; j < d / 2; j++) {
            int ia = layout.first(j, d);
            int ib = layout.second(j, d);
            Complex z = new Complex(x[ia], x[ib]).times(Complex.expI(position * invFreq[j]));
            out[ia] = z.re();
            out[ib] = z.im();
        }
        return out;
    }

    /**
     * Form 1 with an embedding's frequencies, layout and attention scaling.
     *
     * @param rope the embedding
     * @param x the head vector of length {@code rope.headDim()}, unchanged
     * @param position m ≥ 0
     * @return the rotated vector
     * @throws IllegalArgumentException if the length does not match or the position is negative
     */
    public static double[] rotateComplex(RotaryEmbedding rope, double[] x, int position) {
        return scale(rotateComplex(x, position, rope.inverseFrequencies(), rope.layout()), rope.attentionScaling());
    }

    /**
     * The block-diagonal rotation matrix {@code R^d_{Θ,m}}, with its 2×2 blocks placed on the layout's pairs (adjacent
     * for INTERLEAVED, as the articles draw it; {@code (j, j + d/2)} for HALF).
     *
     * @param headDim d, positive and even
     * @param position m ≥ 0
     * @param invFreq θ_j, d/2 values
     * @param layout which dimensions form pair j
     * @return the d×d matrix, {@code r[row][col]}
     * @throws IllegalArgumentException if the lengths do not match or the position is negative
     */
    public static double[][] rotationMatrix(int headDim, int position, double[] invFreq, RopeLayout layout) {
        check(new double[headDim], invFreq, layout, position);
        double[][] r = new double[headDim][headDim];
        for (int j = 0; j < headDim / 2; j++) {
            int ia = layout.first(j, headDim);
            int ib = layout.second(j, headDim);
            double angle = position * invFreq[j];
            double c = Math.cos(angle);
            double s = Math.sin(angle);
            r[ia][ia] = c;
            r[ia][ib] = -s;
            r[ib][ia] = s;
            r[ib][ib] = c;
        }
        return r;
    }

    /**
     * The rotation matrix of an embedding (times its attention scaling).
     *
     * @param rope the embedding
     * @param position m ≥ 0
     * @return the d×d matrix
     * @throws IllegalArgumentException if the position is negative
     */
    public static double[][] rotationMatrix(RotaryEmbedding rope, int position) {
        double[][] r = rotationMatrix(rope.headDim(), position, rope.inverseFrequencies(), rope.layout());
        for (double[] row : r) {
            scaleInPlace(row, rope.attentionScaling());
        }
        return r;
    }

    /**
     * Form 2: the matrix–vector product {@code R^d_{Θ,m} x}.
     *
     * @param x the head vector (even length d), unchanged
     * @param position m ≥ 0
     * @param invFreq θ_j, d/2 values
     * @param layout which dimensions form pair j
     * @return the rotated vector
     * @throws IllegalArgumentException if the lengths do not match or the position is negative
     */
    public static double[] rotateMatrix(double[] x, int position, double[] invFreq, RopeLayout layout) {
        return multiply(rotationMatrix(x.length, position, invFreq, layout), x);
    }

    /**
     * Form 2 with an embedding's frequencies, layout and attention scaling.
     *
     * @param rope the embedding
     * @param x the head vector of length {@code rope.headDim()}, unchanged
     * @param position m ≥ 0
     * @return the rotated vector
     * @throws IllegalArgumentException if the length does not match or the position is negative
     */
    public static double[] rotateMatrix(RotaryEmbedding rope, double[] x, int position) {
        return multiply(rotationMatrix(rope, position), x);
    }

    /**
     * Form 3, written as the formula reads: full-length {@code cos} and {@code sin} vectors and {@code rot(x)}.
     *
     * @param x the head vector (even length d), unchanged
     * @param position m ≥ 0
     * @param invFreq θ_j, d/2 values
     * @param layout which dimensions form pair j
     * @return {@code x ⊙ cos + rot(x) ⊙ sin}
     * @throws IllegalArgumentException if the lengths do not match or the position is negative
     */
    public static double[] rotateElementwise(double[] x, int position, double[] invFreq, RopeLayout layout) {
        check(x, invFreq, layout, position);
        int d = x.length;
        double[] cos = new double[d];
        double[] sin = new double[d];
        double[] rot = new double[d];
        for (int j = 0; j < d / 2; j++) {
            int ia = layout.first(j, d);
            int ib = layout.second(j, d);
            double angle = position * invFreq[j];
            cos[ia] = cos[ib] = Math.cos(angle);
            sin[ia] = sin[ib] = Math.sin(angle);
            rot[ia] = -x[ib];
            rot[ib] = x[ia];
        }
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            out[i] = x[i] * cos[i] + rot[i] * sin[i];
        }
        return out;
    }

    /**
     * Form 3 with an embedding's frequencies, layout and attention scaling.
     *
     * @param rope the embedding
     * @param x the head vector of length {@code rope.headDim()}, unchanged
     * @param position m ≥ 0
     * @return the rotated vector
     * @throws IllegalArgumentException if the length does not match or the position is negative
     */
    public static double[] rotateElementwise(RotaryEmbedding rope, double[] x, int position) {
        return scale(rotateElementwise(x, position, rope.inverseFrequencies(), rope.layout()), rope.attentionScaling());
    }

    /**
     * RoFormer's relative upper bound of the score (§3.4.3, "long-term decay"; not derived in the articles, which only
     * list decay as a desirable property): with Abel summation,
     *
     * <pre>
     *   |Σ_j h_j e^{i(m−n)θ_j}| ≤ (max_j |h_{j+1} − h_j|) · Σ_j |S_{j+1}|,   S_j = Σ_{k&lt;j} e^{i(m−n)θ_k}
     * </pre>
     *
     * and this returns {@code (1/(d/2)) Σ_{j=1}^{d/2} |S_j|}, the curve RoFormer's Figure 2 plots, which trends
     * downward as the distance grows.
     *
     * @param invFreq θ_j, d/2 values
     * @param distance the relative distance m − n (its sign does not matter)
     * @return the average of {@code |S_j|} for j = 1 … d/2
     * @throws IllegalArgumentException if {@code invFreq} is empty
     */
    public static double relativeUpperBound(double[] invFreq, int distance) {
        Objects.requireNonNull(invFreq, "invFreq");
        if (invFreq.length == 0) {
            throw new IllegalArgumentException("invFreq must not be empty");
        }
        Complex s = Complex.ZERO;
        double sum = 0;
        for (double theta : invFreq) {
            s = s.plus(Complex.expI((double) distance * theta));
            sum += s.abs();
        }
        return sum / invFreq.length;
    }

    private static double[] multiply(double[][] m, double[] x) {
        if (m.length != x.length) {
            throw new IllegalArgumentException("x.length must be " + m.length + ", got " + x.length);
        }
        double[] out = new double[m.length];
        for (int r = 0; r < m.length; r++) {
            double acc = 0;
            for (int c = 0; c < x.length; c++) {
                acc += m[r][c] * x[c];
            }
            out[r] = acc;
        }
        return out;
    }

    private static double[] scale(double[] v, double s) {
        scaleInPlace(v, s);
        return v;
    }

    private static void scaleInPlace(double[] v, double s) {
        if (s != 1.0) {
            for (int i = 0; i < v.length; i++) {
                v[i] *= s;
            }
        }
    }
}
