package org.llm4e.positional;

/**
 * A complex number {@code re + i·im} in double: the tool the articles use to derive RoPE in two dimensions.
 *
 * <pre>
 *   (a + bi) + (c + di) = (a + c) + (b + d)i
 *   (a + bi)(c + di)    = (ac − bd) + (ad + bc)i
 *   e^{ix}              = cos x + i sin x          (Euler; e^{iπ} + 1 = 0)
 *   conj(a + bi)        = a − bi
 * </pre>
 *
 * <p>Articles: 最美的数学公式-欧拉公式.md (EULER), 复变函数在大模型位置编码中的应用.md (COMPLEX), 从欧拉公式的美到旋转位置编码RoPE.md
 * (ROPE §1–2, img 10). A 2-D query {@code (q1, q2)} is read as {@code q1 + i q2}; multiplying it by {@code e^{imθ}}
 * rotates it by {@code mθ}, which is RoPE ({@link RotaryForms#rotateComplex(double[], int, double[], RopeLayout)}).
 *
 * @param re the real part
 * @param im the imaginary part
 */
public record Complex(double re, double im) {

    /** Zero. */
    public static final Complex ZERO = new Complex(0, 0);

    /** One. */
    public static final Complex ONE = new Complex(1, 0);

    /** The imaginary unit i. */
    public static final Complex I = new Complex(0, 1);

    /**
     * Euler's formula: the unit complex number at angle {@code x}.
     *
     * @param x the angle in radians
     * @return {@code e^{ix} = cos x + i sin x}
     */
    public static Complex expI(double x) {
        return new Complex(Math.cos(x), Math.sin(x));
    }

    /**
     * The sum.
     *
     * @param o the other addend
     * @return {@code this + o}
     */
    public Complex plus(Complex o) {
        return new Complex(re + o.re, im + o.im);
    }

    /**
     * The product.
     *
     * @param o the other factor
     * @return {@code (ac − bd) + (ad + bc)i}
     */
    public Complex times(Complex o) {
        return new Complex(re * o.re - im * o.im, re * o.im + im * o.re);
    }

    /**
     * The product with a real number.
     *
     * @param s the real factor
     * @return {@code s·re + i·s·im}
     */
    public Complex times(double s) {
        return new Complex(re * s, im * s);
    }

    /**
     * The quotient, by multiplying with the conjugate of the divisor.
     *
     * @param o the divisor, not zero
     * @return {@code this · conj(o) / |o|²}
     */
    public Complex divide(Complex o) {
        double n = o.re * o.re + o.im * o.im;
        Complex num = times(o.conjugate());
        return new Complex(num.re / n, num.im / n);
    }

    /**
     * The complex conjugate.
     *
     * @return {@code re − i·im}
     */
    public Complex conjugate() {
        return new Complex(re, -im);
    }

    /**
     * The modulus.
     *
     * @return {@code √(re² + im²)}
     */
    public double abs() {
        return Math.hypot(re, im);
    }
}
