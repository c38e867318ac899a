package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;

/** FlashAttention v1 == v2 == SDPA for random shapes, block sizes, masks and biases. */
class FlashAttentionProperties {

    @Property(tries = 150)
    void v1EqualsV2EqualsSdpa(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 2) int batch,
            @ForAll @IntRange(min = 1, max = 3) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 1, max = 37) int qSeq,
            @ForAll @IntRange(min = 1, max = 37) int kvSeq,
            @ForAll @IntRange(min = 1, max = 9) int d,
            @ForAll @IntRange(min = 1, max = 45) int blockQ,
            @ForAll @IntRange(min = 1, max = 45) int blockK,
            @ForAll @IntRange(min = 0, max = 3) int maskKind,
            @ForAll boolean alibi) {
        AttentionProperties.Problem p =
                AttentionProperties.Problem.of(seed, batch, kvHeads, group, qSeq, kvSeq, d, maskKind, alibi);
        AttentionResult ref =
                ScaledDotProductAttention.forwardWithStats(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), false);
        for (FlashAttention.Version version : FlashAttention.Version.values()) {
            FlashAttention fa = FlashAttention.builder()
                    .version(version)
                    .blockQ(blockQ)
                    .blockK(blockK)
                    .build();
            FlashAttention.Result r = fa.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
            assertClose(ref.output().data(), r.output().data(), 1e-5, 2e-6, version + " out");
            float[] el = ref.logSumExp().data();
            float[] al = r.logSumExp().data();
            for (int i = 0; i < el.length; i++) {
                if (el[i] == Float.NEGATIVE_INFINITY) {
                    assertEquals(Float.NEGATIVE_INFINITY, al[i], version + " lse of fully masked row " + i);
                } else {
                    assertEquals(el[i], al[i], 2e-6 + 1e-5 * Math.abs(el[i]), version + " lse " + i);
                }
            }
        }
    }

    /** FlashAttention-2's backward (recomputed from the saved log-sum-exp) equals the SDPA backward. */
    @Property(tries = 80)
    void backwardEqualsSdpaBackward(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 2) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 1, max = 30) int qSeq,
            @ForAll @IntRange(min = 1, max = 30) int kvSeq,
            @ForAll @IntRange(min = 1, max = 8) int d,
            @ForAll @IntRange(min = 1, max = 33) int blockQ,
            @ForAll @IntRange(min = 1, max = 33) int blockK,
            @ForAll @IntRange(min = 0, max = 3) int maskKind,
            @ForAll boolean alibi) {
        AttentionProperties.Problem p =
                AttentionProperties.Problem.of(seed, 2, kvHeads, group, qSeq, kvSeq, d, maskKind, alibi);
        Tensor dO = Tensor.randn(seed + 5, 2, kvHeads * group, qSeq, d + 1);
        AttentionGradients ref =
                ScaledDotProductAttention.backward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), dO);
        FlashAttention fa =
                FlashAttention.builder().blockQ(blockQ).blockK(blockK).build();
        FlashAttention.Result fwd = fa.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
        AttentionGradients g = fa.backward(p.q(), p.k(), p.v(), fwd, dO, p.mask(), p.bias(), p.scale());
        assertClose(ref.dQ().data(), g.dQ().data(), 1e-4, 2e-5, "dQ");
        assertClose(ref.dK().data(), g.dK().data(), 1e-4, 2e-5, "dK");
        assertClose(ref.dV().data(), g.dV().data(), 1e-4, 2e-5, "dV");
        assertClose(ref.delta().data(), g.delta().data(), 1e-4, 2e-5, "delta");
    }

    @Property(tries = 40)
    void staticFormEqualsBuilderForm(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 30) int seq,
            @ForAll @IntRange(min = 1, max = 12) int block,
            @ForAll boolean causal) {
        AttentionProperties.Problem p =
                AttentionProperties.Problem.of(seed, 1, 2, 2, seq, seq, 8, causal ? 1 : 0, false);
        for (FlashAttention.Version version : FlashAttention.Version.values()) {
            FlashAttention.Result a = FlashAttention.forward(p.q(), p.k(), p.v(), causal, block, block + 1, version);
            FlashAttention.Result b = FlashAttention.builder()
                    .version(version)
                    .blockQ(block)
                    .blockK(block + 1)
                    .build()
                    .forward(p.q(), p.k(), p.v(), p.mask(), ScaledDotProductAttention.defaultScale(p.q()));
            assertClose(a.output().data(), b.output().data(), 0, 0, "static vs builder");
        }
    }

    /**
     * Catalog check 8: FA2's query blocks are independent, so any number of threads gives bit-identical output and
     * log-sum-exp (each tile's arithmetic depends only on the tile; see also TileKernelsProperties); the same holds for
     * v1, which is parallel over (batch, head).
     */
    @Property(tries = 20)
    void resultsDoNotDependOnTheThreadCount(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 90) int seq,
            @ForAll @IntRange(min = 1, max = 20) int block,
            @ForAll @IntRange(min = 0, max = 3) int maskKind) {
        AttentionProperties.Problem p = AttentionProperties.Problem.of(seed, 2, 2, 2, seq, seq, 8, maskKind, true);
        FlashAttention fa = FlashAttention.builder().blockQ(block).blockK(block).build();
        Tensor one = Parallel.withParallelism(1, () -> fa.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale()))
                .output();
        Tensor three = Parallel.withParallelism(3, () -> fa.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale()))
                .output();
        assertClose(one.data(), three.data(), 1e-6, 1e-7, "1 vs 3 threads");
    }
}
