package org.llm4e.activations;

import java.util.Arrays;

/**
 * The plain-Java {@link ActivationKernels}: each element is evaluated with the double reference and rounded once,
 * reductions accumulate in double. Slow for exp-heavy functions but accurate to half a float ulp; the Vector API
 * kernels are measured and tested against it.
 */
final class ScalarActivationKernels implements ActivationKernels {
    static final ScalarActivationKernels INSTANCE = new ScalarActivationKernels();

    private ScalarActivationKernels() {}

    @Override
    public void sigmoid(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Sigmoid.sigmoid(x[xOff + i]);
        }
    }

    @Override
    public void sigmoidBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            dx[dxOff + i] = (float) (dy[dyOff + i] * Sigmoid.sigmoid(v) * Sigmoid.sigmoid(-v));
        }
    }

    @Override
    public void tanh(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Math.tanh(x[xOff + i]);
        }
    }

    @Override
    public void tanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            double t = Math.tanh(x[xOff + i]);
            dx[dxOff + i] = (float) (dy[dyOff + i] * (1.0 - t * t));
        }
    }

    @Override
    public void silu(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) SiLU.silu(x[xOff + i]);
        }
    }

    @Override
    public void siluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] * SiLU.siluDerivative(x[xOff + i]));
        }
    }

    @Override
    public void gelu(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) GELU.gelu(x[xOff + i]);
        }
    }

    @Override
    public void geluBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] * GELU.geluDerivative(x[xOff + i]));
        }
    }

    @Override
    public void geluTanh(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) GELU.geluTanh(x[xOff + i]);
        }
    }

    @Override
    public void geluTanhBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] * GELU.geluTanhDerivative(x[xOff + i]));
        }
    }

    @Override
    public void mish(float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) Mish.mish(x[xOff + i]);
        }
    }

    @Override
    public void mishBackward(float[] x, int xOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] * Mish.mishDerivative(x[xOff + i]));
        }
    }

    private static float rowMax(float[] x, int off, int n) {
        float m = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            m = Math.max(m, x[off + i]); // Math.max propagates NaN
        }
        return m;
    }

    @Override
    public void softmax(float[] x, int xOff, float[] y, int yOff, int n) {
        float m = rowMax(x, xOff, n);
        if (m == Float.NEGATIVE_INFINITY) {
            Arrays.fill(y, yOff, yOff + n, 0f); // no finite entry: the library's fully-masked rule
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            float e = (float) Math.exp((double) x[xOff + i] - m);
            y[yOff + i] = e;
            sum += e;
        }
        double inv = 1.0 / sum;
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (y[yOff + i] * inv);
        }
    }

    @Override
    public void logSoftmax(float[] x, int xOff, float[] y, int yOff, int n) {
        float m = rowMax(x, xOff, n);
        if (m == Float.NEGATIVE_INFINITY) {
            Arrays.fill(y, yOff, yOff + n, Float.NEGATIVE_INFINITY);
            return;
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp((double) x[xOff + i] - m);
        }
        double lse = m + Math.log(sum);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (x[xOff + i] - lse);
        }
    }

    @Override
    public void softmaxBackward(float[] y, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        double dot = 0;
        for (int i = 0; i < n; i++) {
            dot += (double) dy[dyOff + i] * y[yOff + i];
        }
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (y[yOff + i] * (dy[dyOff + i] - dot));
        }
    }

    @Override
    public void logSoftmaxBackward(float[] logY, int yOff, float[] dy, int dyOff, float[] dx, int dxOff, int n) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += dy[dyOff + i];
        }
        for (int i = 0; i < n; i++) {
            dx[dxOff + i] = (float) (dy[dyOff + i] - Math.exp(logY[yOff + i]) * sum);
        }
    }

    @Override
    public float rmsNorm(float[] x, int xOff, float[] weight, float[] y, int yOff, int n, float eps) {
        double ss = 0;
        for (int i = 0; i < n; i++) {
            double v = x[xOff + i];
            ss += v * v;
        }
        double r = 1.0 / Math.sqrt(ss / n + eps);
        for (int i = 0; i < n; i++) {
            y[yOff + i] = (float) (x[xOff + i] * r * weight[i]);
        }
        return (float) r;
    }
}
