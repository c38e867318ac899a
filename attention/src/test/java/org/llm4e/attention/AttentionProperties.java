package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.positional.Alibi;
import org.llm4e.positional.AttentionBias;

/** Properties of scaled dot-product attention, GQA/MQA broadcasting, the KV cache and the backward pass. */
class AttentionProperties {

    /** A random attention problem; {@code maskKind}: 0 none, 1 causal, 2 padding, 3 causal + padding. */
    record Problem(Tensor q, Tensor k, Tensor v, AttentionMask mask, AttentionBias bias, double scale) {
        static Problem of(
                long seed, int batch, int kvHeads, int group, int qSeq, int kvSeq, int d, int maskKind, boolean alibi) {
            int heads = kvHeads * group;
            Tensor q = Tensor.randn(seed, batch, heads, qSeq, d);
            Tensor k = Tensor.randn(seed + 1, batch, kvHeads, kvSeq, d);
            Tensor v = Tensor.randn(seed + 2, batch, kvHeads, kvSeq, d + 1);
            AttentionMask mask = maskKind % 2 == 1 ? AttentionMask.causal() : AttentionMask.none();
            if (maskKind >= 2) {
                int[] lengths = new int[batch];
                for (int b = 0; b < batch; b++) {
                    lengths[b] = (int) Math.floorMod(seed * 31 + b * 7, kvSeq + 1L); // 0 allowed: fully masked
                }
                mask = mask.and(AttentionMask.keyLengths(lengths, kvSeq));
            }
            AttentionBias bias = alibi ? Alibi.bias(heads) : null;
            return new Problem(q, k, v, mask, bias, 0.3 + (seed & 7) * 0.1);
        }
    }

    @Property(tries = 120)
    void forwardEqualsDoubleReferenceIncludingFullyMaskedRows(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 2) int batch,
            @ForAll @IntRange(min = 1, max = 3) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 1, max = 40) int qSeq,
            @ForAll @IntRange(min = 1, max = 40) int kvSeq,
            @ForAll @IntRange(min = 1, max = 9) int d,
            @ForAll @IntRange(min = 0, max = 3) int maskKind,
            @ForAll boolean alibi) {
        Problem p = Problem.of(seed, batch, kvHeads, group, qSeq, kvSeq, d, maskKind, alibi);
        AttentionResult r =
                ScaledDotProductAttention.forwardWithStats(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), true);
        DoubleReference ref = DoubleReference.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
        assertClose(ref.out, r.output().data(), 1e-4, 1e-5, "out");
        assertClose(ref.p, r.weights().data(), 1e-4, 1e-6, "P");
        for (int row = 0; row < ref.lse.length; row++) {
            float lse = r.logSumExp().data()[row];
            if (ref.lse[row] == Double.NEGATIVE_INFINITY) {
                // A row with no allowed key: output 0 and lse −∞ (torch would give NaN).
                assertEquals(Float.NEGATIVE_INFINITY, lse, "lse of fully masked row " + row);
                int dv = p.v().dim(3);
                for (int c = 0; c < dv; c++) {
                    assertEquals(0f, r.output().data()[row * dv + c], "output of fully masked row " + row);
                }
            } else {
                assertEquals(ref.lse[row], lse, 1e-5 + 1e-5 * Math.abs(ref.lse[row]), "lse " + row);
            }
        }
    }

    @Property(tries = 80)
    void backwardEqualsDoubleReference(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 2) int batch,
            @ForAll @IntRange(min = 1, max = 2) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 1, max = 40) int qSeq,
            @ForAll @IntRange(min = 1, max = 40) int kvSeq,
            @ForAll @IntRange(min = 1, max = 8) int d,
            @ForAll @IntRange(min = 0, max = 3) int maskKind,
            @ForAll boolean alibi) {
        Problem p = Problem.of(seed, batch, kvHeads, group, qSeq, kvSeq, d, maskKind, alibi);
        Tensor dO = Tensor.randn(seed + 3, batch, kvHeads * group, qSeq, d + 1);
        AttentionGradients g =
                ScaledDotProductAttention.backward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), dO);
        DoubleReference ref = DoubleReference.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale());
        double[][] expected = ref.backward(p.q(), p.k(), p.v(), dO, p.scale());
        assertClose(expected[0], g.dQ().data(), 1e-4, 2e-5, "dQ");
        assertClose(expected[1], g.dK().data(), 1e-4, 2e-5, "dK");
        assertClose(expected[2], g.dV().data(), 1e-4, 2e-5, "dV");
    }

    /**
     * Catalog check 11: query head h uses kv head h / (H/G). Each head of a GQA call equals a single-head call
     * against its kv head — with G = H that is MHA, with G = 1 MQA — and repeating each kv head H/G times, then
     * running MHA, equals GQA.
     */
    @Property(tries = 60)
    void gqaEqualsPerHeadMhaAndRepeatedKvHeads(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 4) int kvHeads,
            @ForAll @IntRange(min = 1, max = 4) int group,
            @ForAll @IntRange(min = 1, max = 12) int seq,
            @ForAll @IntRange(min = 1, max = 8) int d,
            @ForAll @IntRange(min = 0, max = 1) int maskKind) {
        Problem p = Problem.of(seed, 2, kvHeads, group, seq, seq, d, maskKind, false);
        Tensor gqa = ScaledDotProductAttention.forward(p.q(), p.k(), p.v(), p.mask(), p.scale());
        Tensor mha = ScaledDotProductAttention.forward(
                p.q(), Slices.repeatKv(p.k(), group), Slices.repeatKv(p.v(), group), p.mask(), p.scale());
        assertClose(mha.data(), gqa.data(), 1e-6, 1e-7, "repeat_kv then MHA");
        int heads = kvHeads * group;
        for (int h = 0; h < heads; h++) {
            Tensor oneHead = ScaledDotProductAttention.forward(
                    head(p.q(), h), head(p.k(), h / group), head(p.v(), h / group), p.mask(), p.scale());
            assertClose(oneHead.data(), head(gqa, h).data(), 1e-6, 1e-7, "head " + h);
        }
    }

    /** Chunked prefill (two calls through the cache) equals one causal call over the whole sequence. */
    @Property(tries = 60)
    void chunkedPrefillEqualsOneCausalCall(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 3) int kvHeads,
            @ForAll @IntRange(min = 1, max = 3) int group,
            @ForAll @IntRange(min = 2, max = 45) int seq,
            @ForAll @IntRange(min = 1, max = 44) int split,
            @ForAll @IntRange(min = 1, max = 8) int d) {
        int first = Math.min(split, seq - 1);
        Problem p = Problem.of(seed, 2, kvHeads, group, seq, seq, d, 1, false);
        AttentionResult full =
                ScaledDotProductAttention.forwardWithStats(p.q(), p.k(), p.v(), p.mask(), null, p.scale(), false);
        KvCache cache = new KvCache(2, kvHeads, d, d + 1, seq);
        AttentionResult a = cache.attend(
                Slices.seq(p.q(), 0, first), Slices.seq(p.k(), 0, first), Slices.seq(p.v(), 0, first), p.scale(), null);
        int rest = seq - first;
        AttentionResult b = cache.attend(
                Slices.seq(p.q(), first, rest),
                Slices.seq(p.k(), first, rest),
                Slices.seq(p.v(), first, rest),
                p.scale(),
                null);
        float[] out = new float[full.output().size()];
        Slices.putSeq(a.output(), out, seq, 0);
        Slices.putSeq(b.output(), out, seq, first);
        assertClose(full.output().data(), out, 1e-5, 1e-6, "chunked vs full");
        float[] lse = new float[full.logSumExp().size()];
        int heads = kvHeads * group;
        Slices.putSeq(a.logSumExp().reshape(2, heads, first, 1), lse, seq, 0);
        Slices.putSeq(b.logSumExp().reshape(2, heads, rest, 1), lse, seq, first);
        assertClose(full.logSumExp().data(), lse, 1e-5, 1e-6, "chunked lse");
        assertEquals(seq, cache.length());
    }

    /**
     * The library pool never changes a result: the work is cut into blocks whose size does not depend on the thread
     * count. The comparison allows a last-ulp difference only because core's Vector API {@code expAndSum} uses
     * {@code VectorOperators.EXP}, whose interpreted and JIT-compiled forms may round differently, so a cold first call
     * and a warm second one can differ in the last bit whatever the thread count.
     */
    @Property(tries = 20)
    void resultsDoNotDependOnTheThreadCount(
            @ForAll long seed,
            @ForAll @IntRange(min = 1, max = 70) int seq,
            @ForAll @IntRange(min = 0, max = 3) int maskKind) {
        Problem p = Problem.of(seed, 2, 2, 2, seq, seq, 8, maskKind, true);
        Tensor dO = Tensor.randn(seed + 9, 2, 4, seq, 9);
        Tensor one = Parallel.withParallelism(
                1, () -> ScaledDotProductAttention.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale()));
        Tensor three = Parallel.withParallelism(
                3, () -> ScaledDotProductAttention.forward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale()));
        assertClose(one.data(), three.data(), 1e-6, 1e-7, "forward");
        AttentionGradients g1 = Parallel.withParallelism(
                1, () -> ScaledDotProductAttention.backward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), dO));
        AttentionGradients g3 = Parallel.withParallelism(
                3, () -> ScaledDotProductAttention.backward(p.q(), p.k(), p.v(), p.mask(), p.bias(), p.scale(), dO));
        assertClose(g1.dK().data(), g3.dK().data(), 1e-6, 1e-7, "dK");
        assertClose(g1.dQ().data(), g3.dQ().data(), 1e-6, 1e-7, "dQ");
    }

    static Tensor head(Tensor t, int h) {
        int b = t.dim(0);
        int heads = t.dim(1);
        int block = t.dim(2) * t.dim(3);
        Tensor r = Tensor.zeros(b, 1, t.dim(2), t.dim(3));
        for (int i = 0; i < b; i++) {
            System.arraycopy(t.data(), (i * heads + h) * block, r.data(), i * block, block);
        }
        return r;
    }
}
