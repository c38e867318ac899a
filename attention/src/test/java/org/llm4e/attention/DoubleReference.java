package org.llm4e.attention;

import org.llm4e.core.Tensor;
import org.llm4e.positional.AttentionBias;

/** Plain-loop attention in double precision: the oracle for the float32 kernels' forward and backward passes. */
final class DoubleReference {
    final double[] out;
    final double[] lse;
    final double[] p;
    final int batch;
    final int heads;
    final int kvHeads;
    final int qSeq;
    final int kvSeq;
    final int d;
    final int dv;

    private DoubleReference(int batch, int heads, int kvHeads, int qSeq, int kvSeq, int d, int dv) {
        this.batch = batch;
        this.heads = heads;
        this.kvHeads = kvHeads;
        this.qSeq = qSeq;
        this.kvSeq = kvSeq;
        this.d = d;
        this.dv = dv;
        out = new double[batch * heads * qSeq * dv];
        lse = new double[batch * heads * qSeq];
        p = new double[batch * heads * qSeq * kvSeq];
    }

    static DoubleReference forward(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale) {
        DoubleReference r = new DoubleReference(q.dim(0), q.dim(1), k.dim(1), q.dim(2), k.dim(2), q.dim(3), v.dim(3));
        float[] qa = q.data();
        float[] ka = k.data();
        float[] va = v.data();
        int group = r.heads / r.kvHeads;
        for (int b = 0; b < r.batch; b++) {
            for (int h = 0; h < r.heads; h++) {
                int kvh = h / group;
                for (int i = 0; i < r.qSeq; i++) {
                    double[] s = new double[r.kvSeq];
                    double m = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < r.kvSeq; j++) {
                        if (!mask.allowed(b, i, j, r.qSeq, r.kvSeq)) {
                            s[j] = Double.NEGATIVE_INFINITY;
                            continue;
                        }
                        double dot = 0;
                        for (int c = 0; c < r.d; c++) {
                            dot += (double) qa[(((b * r.heads + h) * r.qSeq) + i) * r.d + c]
                                    * ka[(((b * r.kvHeads + kvh) * r.kvSeq) + j) * r.d + c];
                        }
                        s[j] = scale * dot + (bias == null ? 0 : bias.bias(h, i + r.kvSeq - r.qSeq, j));
                        m = Math.max(m, s[j]);
                    }
                    int row = (b * r.heads + h) * r.qSeq + i;
                    if (m == Double.NEGATIVE_INFINITY) {
                        r.lse[row] = Double.NEGATIVE_INFINITY;
                        continue;
                    }
                    double sum = 0;
                    for (int j = 0; j < r.kvSeq; j++) {
                        sum += Math.exp(s[j] - m);
                    }
                    r.lse[row] = m + Math.log(sum);
                    for (int j = 0; j < r.kvSeq; j++) {
                        double pj = Math.exp(s[j] - m) / sum;
                        r.p[row * r.kvSeq + j] = pj;
                        for (int c = 0; c < r.dv; c++) {
                            r.out[row * r.dv + c] += pj * va[(((b * r.kvHeads + kvh) * r.kvSeq) + j) * r.dv + c];
                        }
                    }
                }
            }
        }
        return r;
    }

    /** Returns {dQ, dK, dV} in double. */
    double[][] backward(Tensor q, Tensor k, Tensor v, Tensor dO, double scale) {
        double[] dq = new double[q.size()];
        double[] dk = new double[k.size()];
        double[] dvv = new double[v.size()];
        float[] qa = q.data();
        float[] ka = k.data();
        float[] va = v.data();
        float[] g = dO.data();
        int group = heads / kvHeads;
        for (int b = 0; b < batch; b++) {
            for (int h = 0; h < heads; h++) {
                int kvh = h / group;
                for (int i = 0; i < qSeq; i++) {
                    int row = (b * heads + h) * qSeq + i;
                    double[] dp = new double[kvSeq];
                    double delta = 0;
                    for (int j = 0; j < kvSeq; j++) {
                        int kv = ((b * kvHeads + kvh) * kvSeq) + j;
                        for (int c = 0; c < dv; c++) {
                            dp[j] += g[row * dv + c] * (double) va[kv * dv + c];
                            dvv[kv * dv + c] += p[row * kvSeq + j] * g[row * dv + c];
                        }
                        delta += p[row * kvSeq + j] * dp[j];
                    }
                    for (int j = 0; j < kvSeq; j++) {
                        int kv = ((b * kvHeads + kvh) * kvSeq) + j;
                        double ds = p[row * kvSeq + j] * (dp[j] - delta);
                        for (int c = 0; c < d; c++) {
                            dq[row * d + c] += scale * ds * ka[kv * d + c];
                            dk[kv * d + c] += scale * ds * qa[row * d + c];
                        }
                    }
                }
            }
        }
        return new double[][] {dq, dk, dvv};
    }
}
