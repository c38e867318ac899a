package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parallel;
import org.llm4e.core.Tensor;
import org.llm4e.testsupport.Golden;

class FlashAttentionTest {
    static final double ATOL = ScaledDotProductAttentionGoldenTest.ATOL;
    static final double RTOL = ScaledDotProductAttentionGoldenTest.RTOL;

    /** Catalog check 9: with block skipping, T blocks per side compute T(T+1)/2 tiles, e.g. 36 of 64 for T = 8. */
    @Test
    void causalBlockSkippingComputesTriangularNumberOfTiles() {
        Tensor q = Tensor.randn(1, 1, 2, 64, 8);
        Tensor k = Tensor.randn(2, 1, 1, 64, 8);
        for (FlashAttention.Version version : FlashAttention.Version.values()) {
            FlashAttention.Result causal = FlashAttention.forward(q, k, k, true, 8, 8, version);
            assertEquals(2 * 36, causal.blocksComputed(), version + ": 36 of 64 tiles per head");
            FlashAttention.Result full = FlashAttention.forward(q, k, k, false, 8, 8, version);
            assertEquals(2 * 64, full.blocksComputed(), version + ": all 64 tiles per head");
        }
    }

    /** Catalog check 7: v1 divides once per row per key block, v2 once per row; both give the same O. */
    @Test
    void v1DividesEveryStepV2OncePerRow() {
        Tensor q = Tensor.randn(3, 2, 3, 40, 16);
        Tensor k = Tensor.randn(4, 2, 3, 40, 16);
        Tensor v = Tensor.randn(5, 2, 3, 40, 16);
        FlashAttention.Result v1 = FlashAttention.forward(q, k, v, false, 16, 8, FlashAttention.Version.V1);
        FlashAttention.Result v2 = FlashAttention.forward(q, k, v, false, 16, 8, FlashAttention.Version.V2);
        int rows = 2 * 3 * 40;
        assertEquals((long) rows * 5, v1.divisions()); // 5 key blocks of 8
        assertEquals(rows, v2.divisions());
        assertClose(v1.output().data(), v2.output().data(), 1e-5, 1e-6, "v1 vs v2");
        assertClose(v1.logSumExp().data(), v2.logSumExp().data(), 1e-6, 1e-6, "lse");
    }

    /**
     * Catalog check 10, the two-block figure of FlashAttentionv2相比于v1有哪些更新？.md (img 2): with two key/value blocks,
     * {@code O^(2) = (ℓ^(1)/ℓ^(2)) O^(1) + A^(2)/ℓ^(2) · V^(2)} equals the full softmax output. The figure omits the
     * maximum; the log-sum-exps carry it here ({@code ℓ = e^{lse}}).
     */
    @Test
    void faTwoBlockFigure() {
        int b = 5;
        Tensor q = Tensor.randn(6, 1, 1, 3, 4);
        Tensor k = Tensor.randn(7, 1, 1, 2 * b, 4);
        Tensor v = Tensor.randn(8, 1, 1, 2 * b, 4);
        AttentionResult first = ScaledDotProductAttention.forwardWithStats(
                q, Slices.seq(k, 0, b), Slices.seq(v, 0, b), AttentionMask.none(), null, 0.5, false);
        AttentionResult second = ScaledDotProductAttention.forwardWithStats(
                q, Slices.seq(k, b, b), Slices.seq(v, b, b), AttentionMask.none(), null, 0.5, false);
        AttentionResult full =
                ScaledDotProductAttention.forwardWithStats(q, k, v, AttentionMask.none(), null, 0.5, false);
        float[] combined = new float[3 * 4];
        for (int i = 0; i < 3; i++) {
            double l1 = Math.exp(first.logSumExp().data()[i]);
            double sum2 = Math.exp(second.logSumExp().data()[i]); // Σ exp(S^(2))
            double l2 = l1 + sum2;
            for (int c = 0; c < 4; c++) {
                // A^(2)/ℓ^(2) · V^(2) = (Σ exp S^(2) / ℓ^(2)) · softmax(S^(2)) V^(2)
                combined[i * 4 + c] = (float) (l1 / l2 * first.output().data()[i * 4 + c]
                        + sum2 / l2 * second.output().data()[i * 4 + c]);
            }
            assertEquals(Math.log(l2), full.logSumExp().data()[i], 1e-5);
        }
        assertClose(full.output().data(), combined, 1e-5, 1e-6, "two-block rescaling");
        FlashAttention.Result v1 = FlashAttention.builder()
                .version(FlashAttention.Version.V1)
                .blockQ(3)
                .blockK(b)
                .build()
                .forward(q, k, v, AttentionMask.none(), 0.5);
        assertEquals(2 * 3, v1.divisions()); // one rescale per row per block
        assertClose(combined, v1.output().data(), 1e-5, 1e-6, "v1 with two blocks");
    }

    /**
     * Catalog check 6: measured on one thread, FlashAttention's allocation grows linearly in T (output, log-sum-exp
     * and fixed tiles), while attention that materialises the T×T weights grows quadratically.
     */
    @Test
    void flashAllocatesLinearlyNaiveQuadratically() {
        ThreadMXBean bean = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        if (!bean.isThreadAllocatedMemorySupported()) {
            return; // nothing to measure on this JVM
        }
        bean.setThreadAllocatedMemoryEnabled(true);
        long[] flash = {Long.MAX_VALUE, Long.MAX_VALUE};
        long[] naive = {Long.MAX_VALUE, Long.MAX_VALUE};
        int[] lengths = {256, 512};
        // The minimum over rounds: the first rounds also count class loading, one-time growth of per-thread scratch and
        // allocations made by code that the JIT has not compiled yet (Vector API code boxes vectors until C2 compiles
        // it, which takes a while on a loaded machine).
        // Keep measuring (up to 80 rounds) until both lengths are within the workspace bound and the naive path's
        // second difference shows its T² weights (uncompiled code's allocations at the short length can hide them), so
        // a slow JIT on a busy machine delays the test instead of failing it; an implementation that really allocates
        // per tile never gets there and fails below.
        for (int round = 0;
                round < 80 && (round < 4 || !withinWorkspace(flash, lengths) || !naiveLooksQuadratic(naive, lengths));
                round++) {
            for (int n = 0; n < 2; n++) {
                int t = lengths[n];
                Tensor q = Tensor.randn(1, 1, 2, t, 32);
                Tensor k = Tensor.randn(2, 1, 2, t, 32);
                FlashAttention fa =
                        FlashAttention.builder().blockQ(64).blockK(64).build();
                flash[n] = Math.min(
                        flash[n],
                        allocated(
                                bean,
                                () -> fa.forward(q, k, k, AttentionMask.causal(), 0.2)
                                        .output()));
                naive[n] = Math.min(
                        naive[n],
                        allocated(
                                bean,
                                () -> ScaledDotProductAttention.forwardWithStats(
                                                q, k, k, AttentionMask.causal(), null, 0.2, true)
                                        .output()));
            }
        }
        for (int n = 0; n < 2; n++) {
            long predicted = FlashAttention.builder().build().workspaceBytes(1, 2, lengths[n], 32);
            assertTrue(
                    flash[n] < 2 * predicted + 64 * 1024,
                    "T=" + lengths[n] + ": measured " + flash[n] + " bytes vs workspaceBytes " + predicted);
            // The weights alone are 4·T² bytes per head.
            assertTrue(naive[n] >= 2L * 4 * lengths[n] * lengths[n], "naive T=" + lengths[n] + ": " + naive[n]);
        }
        // Linear growth: f(2T) ≈ 2 f(T) (fixed costs make it less). Quadratic growth: the second difference
        // f(2T) − 2 f(T) cancels every linear term and leaves the T² part, 2 heads · 4 bytes · (4T² − 2T²) = 16 T².
        double flashRatio = (double) flash[1] / flash[0];
        assertTrue(flashRatio < 2.3, "flash allocation ratio for 2T/T: " + flashRatio);
        long t0 = lengths[0];
        long quadratic = naive[1] - 2 * naive[0];
        assertTrue(quadratic >= 0.75 * 16 * t0 * t0, "naive second difference " + quadratic + " bytes");
        assertTrue(
                flash[1] - 2 * flash[0] < 0.1 * quadratic,
                "flash second difference " + (flash[1] - 2 * flash[0]) + " vs naive " + quadratic);
    }

    private static boolean naiveLooksQuadratic(long[] naive, int[] lengths) {
        long t0 = lengths[0];
        return naive[1] - 2 * naive[0] >= 0.75 * 16 * t0 * t0;
    }

    private static boolean withinWorkspace(long[] flash, int[] lengths) {
        for (int n = 0; n < lengths.length; n++) {
            long predicted = FlashAttention.builder().build().workspaceBytes(1, 2, lengths[n], 32);
            if (flash[n] >= 2 * predicted + 64 * 1024) {
                return false;
            }
        }
        return true;
    }

    private static long allocated(ThreadMXBean bean, Supplier<Tensor> call) {
        long id = Thread.currentThread().getId();
        long before = bean.getThreadAllocatedBytes(id);
        Tensor out = Parallel.withParallelism(1, call);
        long after = bean.getThreadAllocatedBytes(id);
        assertTrue(out.size() > 0);
        return after - before;
    }

    /** The public golden SDPA cases (PyTorch, float64) through both versions, and the causal case's gradients. */
    @Test
    void goldenCasesThroughFlashAttention() {
        ScaledDotProductAttentionGoldenTest.sdpaCases().forEach(c -> {
            Tensor q = Golden.tensor(c.get("q"));
            Tensor k = Golden.tensor(c.get("k"));
            Tensor v = Golden.tensor(c.get("v"));
            double scale = c.get("scale").asDouble();
            AttentionMask mask = ScaledDotProductAttentionGoldenTest.maskOf(c);
            String id = c.get("id").asText();
            for (FlashAttention.Version version : FlashAttention.Version.values()) {
                FlashAttention fa = FlashAttention.builder()
                        .version(version)
                        .blockQ(4)
                        .blockK(3)
                        .build();
                FlashAttention.Result r = fa.forward(q, k, v, mask, scale);
                assertClose(Golden.doubles(c.get("out")), r.output().data(), RTOL, ATOL, id + " " + version);
                assertClose(Golden.doubles(c.get("lse")), r.logSumExp().data(), RTOL, ATOL, id + " lse " + version);
                if (c.has("grad") && c.get("grad").isObject()) {
                    JsonNode g = c.get("grad");
                    AttentionGradients grads = fa.backward(q, k, v, r, Golden.tensor(g.get("dO")), mask, null, scale);
                    assertClose(Golden.doubles(g.get("dQ")), grads.dQ().data(), RTOL, ATOL, id + " dQ");
                    assertClose(Golden.doubles(g.get("dK")), grads.dK().data(), RTOL, ATOL, id + " dK");
                    assertClose(Golden.doubles(g.get("dV")), grads.dV().data(), RTOL, ATOL, id + " dV");
                    assertClose(Golden.doubles(g.get("delta")), grads.delta().data(), RTOL, ATOL, id + " delta");
                }
            }
        });
    }

    @Test
    void badArguments() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> FlashAttention.builder().blockQ(0).build());
        assertTrue(e.getMessage().contains("blockQ") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class,
                () -> FlashAttention.builder().blockK(-2).build());
        assertTrue(e.getMessage().contains("blockK") && e.getMessage().contains("-2"), e.getMessage());
        Tensor q = Tensor.zeros(1, 3, 4, 8);
        Tensor k = Tensor.zeros(1, 2, 4, 8);
        e = assertThrows(
                IllegalArgumentException.class,
                () -> FlashAttention.forward(q, k, k, true, 4, 4, FlashAttention.Version.V2));
        assertTrue(e.getMessage().contains("[1, 3, 4, 8]") && e.getMessage().contains("[1, 2, 4, 8]"), e.getMessage());
    }
}
