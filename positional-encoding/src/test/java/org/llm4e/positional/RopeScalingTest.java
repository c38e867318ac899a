package org.llm4e.positional;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The RoPE scaling family (not in the articles; papers and reference code named in {@link RopeScaling}). */
class RopeScalingTest {
    private static final int D = 128;

    private static double[] theta(double base) {
        return RopeScaling.unscaledInverseFrequencies(base, D);
    }

    @Test
    void linearDividesEveryFrequency() {
        double[] t = theta(10000);
        double[] s = RopeScaling.linear(4).inverseFrequencies(10000, D);
        for (int j = 0; j < t.length; j++) {
            assertEquals(t[j] / 4, s[j], 0.0);
        }
        // the angle at position 4m equals the unscaled angle at m
        RotaryEmbedding pi =
                RotaryEmbedding.builder(D).scaling(RopeScaling.linear(4)).build();
        RotaryEmbedding plain = RotaryEmbedding.builder(D).build();
        assertEquals(plain.angle(1000, 5), pi.angle(4000, 5), 1e-12);
    }

    @Test
    void ntkAwareKeepsTheHighestAndDividesTheLowestFrequencyByTheFactor() {
        double[] t = theta(10000);
        double[] s = RopeScaling.ntkAware(8).inverseFrequencies(10000, D);
        assertEquals(1.0, s[0], 0.0);
        assertEquals(t[D / 2 - 1] / 8, s[D / 2 - 1], 1e-12 * t[D / 2 - 1]);
        for (int j = 1; j < t.length; j++) {
            // θ'_j / θ_j = s^(−2j/(d−2)): geometric in j
            assertEquals(Math.pow(8, -2.0 * j / (D - 2)), s[j] / t[j], 1e-12);
        }
        assertArrayEquals(new double[] {1.0}, RopeScaling.ntkAware(8).inverseFrequencies(10000, 2), 0.0);
    }

    @Test
    void dynamicNtkIsExactUpToTheTrainingContextAndNtkBeyond() {
        RotaryEmbedding rope = RotaryEmbedding.builder(D)
                .scaling(RopeScaling.dynamicNtk(2, 4096))
                .maxPosition(64)
                .build();
        assertArrayEquals(theta(10000), rope.inverseFrequencies(), 0.0);
        assertSame(rope, rope.forSequenceLength(1));
        assertSame(rope, rope.forSequenceLength(4096));
        RotaryEmbedding longer = rope.forSequenceLength(16384);
        assertNotSame(rope, longer);
        assertSame(longer, rope.forSequenceLength(16384), "memoized");
        double alpha = 2.0 * 16384 / 4096 - (2 - 1); // = 7
        assertEquals(7.0, alpha, 0.0);
        double[] expected = RopeScaling.ntkAware(alpha).inverseFrequencies(10000, D);
        assertArrayEquals(expected, longer.inverseFrequencies(), 1e-15);
        assertEquals(alpha, ((RopeScaling.DynamicNtk) longer.scaling()).effectiveFactor(), 0.0);
        assertEquals("dynamic", longer.scaling().type());
    }

    @Test
    void yarnRampKeepsFastPairsInterpolatesSlowOnesAndBlendsBetween() {
        // Qwen2.5's YaRN: factor 4, original 32768, rope_theta 1e6, head_dim 128; β_fast 32, β_slow 1
        RopeScaling.Yarn yarn = (RopeScaling.Yarn) RopeScaling.yarn(4, 32768);
        double[] range = yarn.correctionRange(D, 1e6);
        // ⌊128·ln(32768/(2π·32))/(2 ln 10⁶)⌋ = ⌊23.6⌋ and ⌈128·ln(32768/(2π))/(2 ln 10⁶)⌉ = ⌈39.65⌉
        assertArrayEquals(new double[] {23, 40}, range, 0.0);
        double[] t = theta(1e6);
        double[] s = yarn.inverseFrequencies(1e6, D);
        for (int j = 0; j < t.length; j++) {
            if (j <= 23) {
                assertEquals(t[j], s[j], 0.0, "kept " + j);
            } else if (j >= 40) {
                assertEquals(t[j] / 4, s[j], 1e-15 * t[j], "interpolated " + j);
            } else {
                double ramp = (j - 23) / 17.0;
                assertEquals(t[j] / 4 * ramp + t[j] * (1 - ramp), s[j], 1e-15 * t[j], "blended " + j);
            }
        }
        assertEquals(0.1 * Math.log(4) + 1, yarn.attentionScaling(), 1e-15);
        RotaryEmbedding rope = RotaryEmbedding.builder(D)
                .base(1e6)
                .scaling(yarn)
                .maxPosition(8)
                .build();
        assertEquals(yarn.attentionScaling(), rope.attentionScaling(), 0.0);
        // the other worked range: base 10000, L = 4096 → [20, 46]
        assertArrayEquals(new double[] {20, 46}, yarn4096().correctionRange(D, 10000), 0.0);
    }

    private static RopeScaling.Yarn yarn4096() {
        return (RopeScaling.Yarn) RopeScaling.yarn(8, 4096, 32, 1);
    }

    @Test
    void yarnMscalePairAndFactorOne() {
        // DeepSeek-V3: mscale = mscale_all_dim = 1 → the ratio is 1 (DeepSeek scales the softmax instead)
        RopeScaling ds = new RopeScaling.Yarn(40, 4096, 32, 1, 1, 1, true);
        assertEquals(1.0, ds.attentionScaling(), 0.0);
        RopeScaling ds2 = new RopeScaling.Yarn(40, 4096, 32, 1, 1, 0.707, true);
        assertEquals((0.1 * Math.log(40) + 1) / (0.1 * 0.707 * Math.log(40) + 1), ds2.attentionScaling(), 1e-15);
        assertEquals(1.0, RopeScaling.yarn(1, 4096).attentionScaling(), 0.0);
        assertArrayEquals(theta(10000), RopeScaling.yarn(1, 4096).inverseFrequencies(10000, D), 1e-16);
    }

    @Test
    void llama3BandsAsMetasApplyScaling() {
        double[] t = theta(500000);
        double[] s = RopeScaling.llama3(8, 1, 4, 8192).inverseFrequencies(500000, D);
        int kept = 0;
        int divided = 0;
        int blended = 0;
        for (int j = 0; j < t.length; j++) {
            double wavelen = 2 * Math.PI / t[j];
            if (wavelen < 8192 / 4.0) {
                assertEquals(t[j], s[j], 0.0);
                kept++;
            } else if (wavelen > 8192) {
                assertEquals(t[j] / 8, s[j], 1e-15 * t[j]);
                divided++;
            } else {
                assertTrue(s[j] < t[j] && s[j] > t[j] / 8, "blended frequency between θ/8 and θ");
                blended++;
            }
        }
        assertTrue(kept > 0 && divided > 0 && blended > 0, kept + " " + divided + " " + blended);
        for (int j = 1; j < s.length; j++) {
            assertTrue(s[j] < s[j - 1], "scaled frequencies stay decreasing");
        }
    }

    @Test
    void typesAndNone() {
        assertEquals("default", RopeScaling.none().type());
        assertEquals("linear", RopeScaling.linear(2).type());
        assertEquals("ntk", RopeScaling.ntkAware(2).type());
        assertEquals("yarn", RopeScaling.yarn(2, 100).type());
        assertEquals("llama3", RopeScaling.llama3(8, 1, 4, 8192).type());
        assertSame(RopeScaling.none(), RopeScaling.none().forSequenceLength(100_000));
        assertEquals(1.0, RopeScaling.llama3(8, 1, 4, 8192).attentionScaling(), 0.0);
    }
}
