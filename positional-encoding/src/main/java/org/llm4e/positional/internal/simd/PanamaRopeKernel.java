package org.llm4e.positional.internal.simd;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.llm4e.positional.internal.RopeKernel;

/**
 * The Vector API RoPE inner loop. Loaded reflectively by {@code Simd.load}; nothing references this class directly.
 *
 * <p>HALF layout: the two halves of the head vector and the cos/sin rows are contiguous, so one lane-wise
 * {@code a·c − b·s}, {@code a·s + b·c} per vector of pairs does it. INTERLEAVED layout: a vector holds lanes/2 pairs;
 * the partner of each lane comes from a pair-swapping shuffle, and a vector of cos/sin values is duplicated
 * lane-wise ({@code c_0,c_0,c_1,c_1,…}) by a fixed in-register shuffle, so that both lanes of a pair see their pair's
 * values. Tails run the scalar loop; the arithmetic is
 * the same per element (no fused multiply-add), so results equal the scalar kernel's bit for bit.
 */
public final class PanamaRopeKernel implements RopeKernel {
    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = SPECIES.length();
    private static final VectorShuffle<Float> SWAP_PAIRS = VectorShuffle.fromOp(SPECIES, i -> i ^ 1);
    private static final VectorShuffle<Float> DUP_LOW = VectorShuffle.fromOp(SPECIES, i -> i / 2);
    private static final VectorShuffle<Float> DUP_HIGH = VectorShuffle.fromOp(SPECIES, i -> LANES / 2 + i / 2);
    private static final FloatVector ALTERNATING_SIGN = FloatVector.fromArray(SPECIES, alternatingSign(), 0);

    /** Creates the kernel (public for the reflective loader). */
    public PanamaRopeKernel() {}

    private static float[] alternatingSign() {
        float[] s = new float[LANES];
        for (int i = 0; i < LANES; i++) {
            s[i] = (i % 2 == 0) ? -1f : 1f;
        }
        return s;
    }

    @Override
    public void rotate(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            boolean interleaved,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse) {
        if (interleaved) {
            rotateInterleaved(src, srcOff, dst, dstOff, half, cos, sin, csOff, inverse);
        } else {
            rotateHalf(src, srcOff, dst, dstOff, half, cos, sin, csOff, inverse);
        }
    }

    private static void rotateHalf(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse) {
        int j = 0;
        int bound = SPECIES.loopBound(half);
        for (; j < bound; j += LANES) {
            FloatVector a = FloatVector.fromArray(SPECIES, src, srcOff + j);
            FloatVector b = FloatVector.fromArray(SPECIES, src, srcOff + j + half);
            FloatVector c = FloatVector.fromArray(SPECIES, cos, csOff + j);
            FloatVector s = FloatVector.fromArray(SPECIES, sin, csOff + j);
            if (inverse) {
                s = s.neg();
            }
            a.mul(c).sub(b.mul(s)).intoArray(dst, dstOff + j);
            a.mul(s).add(b.mul(c)).intoArray(dst, dstOff + j + half);
        }
        if (j < half) {
            tail(src, srcOff, dst, dstOff, half, false, cos, sin, csOff, inverse, j);
        }
    }

    private static void rotateInterleaved(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse) {
        // LANES pairs per step: one vector of cos (sin) values feeds two vectors of x (2·LANES elements); the
        // duplication c_j → (c_j, c_j) is a fixed in-register permutation, cheaper than a gather from memory
        int j = 0;
        int bound = SPECIES.loopBound(half);
        for (; j < bound; j += LANES) {
            FloatVector c = FloatVector.fromArray(SPECIES, cos, csOff + j);
            FloatVector s = FloatVector.fromArray(SPECIES, sin, csOff + j);
            if (inverse) {
                s = s.neg();
            }
            int off = 2 * j;
            rotatePairs(src, srcOff + off, dst, dstOff + off, c.rearrange(DUP_LOW), s.rearrange(DUP_LOW));
            rotatePairs(
                    src, srcOff + off + LANES, dst, dstOff + off + LANES, c.rearrange(DUP_HIGH), s.rearrange(DUP_HIGH));
        }
        if (j < half) {
            tail(src, srcOff, dst, dstOff, half, true, cos, sin, csOff, inverse, j);
        }
    }

    /** lane 2j: a·c − b·s ; lane 2j+1: b·c + a·s  ==  x·c + (swap(x)·(−1, +1, …))·s. */
    private static void rotatePairs(float[] src, int srcOff, float[] dst, int dstOff, FloatVector c, FloatVector s) {
        FloatVector x = FloatVector.fromArray(SPECIES, src, srcOff);
        FloatVector partner = x.rearrange(SWAP_PAIRS).mul(ALTERNATING_SIGN);
        x.mul(c).add(partner.mul(s)).intoArray(dst, dstOff);
    }

    private static void tail(
            float[] src,
            int srcOff,
            float[] dst,
            int dstOff,
            int half,
            boolean interleaved,
            float[] cos,
            float[] sin,
            int csOff,
            boolean inverse,
            int fromPair) {
        for (int j = fromPair; j < half; j++) {
            int ia = interleaved ? 2 * j : j;
            int ib = interleaved ? 2 * j + 1 : j + half;
            float a = src[srcOff + ia];
            float b = src[srcOff + ib];
            float c = cos[csOff + j];
            float s = inverse ? -sin[csOff + j] : sin[csOff + j];
            dst[dstOff + ia] = a * c - b * s;
            dst[dstOff + ib] = a * s + b * c;
        }
    }
}
