package org.llm4e.quantization;

import org.llm4e.core.Tensor;

/**
 * How far a reconstruction x̂ is from the original x, computed in double.
 *
 * <pre>
 *   MSE     = (1/n) Σ (xᵢ − x̂ᵢ)²
 *   maxAbs  = maxᵢ |xᵢ − x̂ᵢ|
 *   SNR(dB) = 10 · log₁₀( Σ xᵢ² / Σ (xᵢ − x̂ᵢ)² )      (also called SQNR for quantization noise)
 *   cosine  = Σ xᵢ x̂ᵢ / (‖x‖ · ‖x̂‖)
 * </pre>
 *
 * <p>{@code 大模型量化认知的三重境界.md} (level 1) asks for error metrics to compare bit widths and granularities; the
 * articles print no formula, so these are the standard definitions, the same as the golden files' {@code metrics}
 * (mean squared error, max abs error, SNR in dB, all float64 functions of the float32 data).
 *
 * @param mse mean squared error
 * @param maxAbsError largest absolute error
 * @param snrDb signal-to-noise ratio in decibels; +∞ for an exact reconstruction of a non-zero signal, NaN when
 *     both signal and noise are zero
 * @param cosine cosine similarity; 1 when both vectors are zero, 0 when exactly one of them is
 */
public record QuantError(double mse, double maxAbsError, double snrDb, double cosine) {

    /**
     * Compares a reconstruction with the original.
     *
     * @param x the original values
     * @param xHat the reconstruction, same length
     * @return the four metrics
     * @throws IllegalArgumentException if the lengths differ
     */
    public static QuantError of(float[] x, float[] xHat) {
        if (x.length != xHat.length) {
            throw new IllegalArgumentException("xHat.length must equal x.length " + x.length + ", got " + xHat.length);
        }
        double se = 0;
        double sx = 0;
        double sxh = 0;
        double dot = 0;
        double maxAbs = 0;
        for (int i = 0; i < x.length; i++) {
            double a = x[i];
            double b = xHat[i];
            double e = a - b;
            se += e * e;
            sx += a * a;
            sxh += b * b;
            dot += a * b;
            maxAbs = Math.max(maxAbs, Math.abs(e));
            if (Double.isNaN(e)) {
                maxAbs = Double.NaN;
            }
        }
        double mse = x.length == 0 ? 0 : se / x.length;
        double snr = 10.0 * Math.log10(sx / se);
        double cosine;
        if (sx == 0 && sxh == 0) {
            cosine = 1;
        } else if (sx == 0 || sxh == 0) {
            cosine = 0;
        } else {
            cosine = dot / (Math.sqrt(sx) * Math.sqrt(sxh));
        }
        return new QuantError(mse, maxAbs, snr, cosine);
    }

    /**
     * Compares two tensors element by element.
     *
     * @param x the original
     * @param xHat the reconstruction, same shape
     * @return the four metrics
     * @throws IllegalArgumentException if the shapes differ
     */
    public static QuantError of(Tensor x, Tensor xHat) {
        if (!java.util.Arrays.equals(x.shape(), xHat.shape())) {
            throw new IllegalArgumentException("xHat shape " + java.util.Arrays.toString(xHat.shape())
                    + " must equal x shape " + java.util.Arrays.toString(x.shape()));
        }
        return of(x.data(), xHat.data());
    }
}
