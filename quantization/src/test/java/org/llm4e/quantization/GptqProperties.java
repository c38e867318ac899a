package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;

/** Properties of the third-level schemes over random shapes and seeds (few tries: each one solves a layer). */
class GptqProperties {

    @Property(tries = 25)
    void gptqBlockSizeIsASpeedKnobAndCodesStayOnTheGrid(
            @ForAll @IntRange(min = 1, max = 12) int rows,
            @ForAll @IntRange(min = 1, max = 6) int groupsPerRow,
            @ForAll @IntRange(min = 1, max = 40) int blockSize,
            @ForAll boolean actOrder,
            @ForAll boolean symmetric,
            @ForAll long seed) {
        int gs = 8;
        int cols = gs * groupsPerRow;
        Tensor w = GptqTest.weights(seed, rows, cols);
        Tensor x = GptqTest.correlatedInputs(seed + 7, 3 * cols, cols);
        Gptq.Builder b = Gptq.builder().groupSize(gs).actOrder(actOrder).symmetric(symmetric);
        QuantizedTensor one = b.blockSize(1).build().quantize(w, x);
        QuantizedTensor q = b.blockSize(blockSize).build().quantize(w, x);
        assertArrayEquals(one.codes(), q.codes());
        for (int i = 0; i < q.size(); i++) {
            assertTrue(q.code(i) >= 0 && q.code(i) <= 15);
        }
        for (int z : q.zeroPoints()) {
            assertTrue(z >= 0 && z <= 15, "zero point " + z);
        }
        // every element is reconstructed on its own group's grid: requantizing gives the same codes
        assertArrayEquals(q.codes(), q.requantize(q.dequantize()).codes());
    }

    @Property(tries = 25)
    void awqNeverLosesToRoundToNearestOnItsCalibrationData(
            @ForAll @IntRange(min = 1, max = 8) int rows,
            @ForAll @IntRange(min = 1, max = 4) int groups,
            @ForAll @IntRange(min = 1, max = 30) int boost,
            @ForAll long seed) {
        int cols = 16 * groups;
        Tensor x = AwqTest.salientInputs(seed, 32, cols, new int[] {0, cols - 1}, boost);
        Tensor w = GptqTest.weights(seed + 1, rows, cols);
        // The scale search never loses (α = 0 is RTN); the clipping search compares each group's own error, and
        // Awq's row guard undoes it in any row whose whole error rises, so clipping keeps the guarantee.
        Awq awq = Awq.builder().groupSize(16).gridSize(10).build();
        Awq.Result r = awq.quantize(w, x);
        double awqSse = LayerError.outputSse(w, r.dequantize(), x);
        double rtnSse = LayerError.outputSse(w, awq.roundToNearest(w).dequantize(), x);
        assertTrue(awqSse <= rtnSse * (1 + 1e-9), "AWQ " + awqSse + " vs RTN " + rtnSse);
    }

    @Property(tries = 50)
    void smoothingLeavesTheProductUnchanged(
            @ForAll @IntRange(min = 1, max = 16) int n,
            @ForAll @IntRange(min = 1, max = 24) int in,
            @ForAll @IntRange(min = 1, max = 16) int out,
            @ForAll @IntRange(min = 0, max = 100) int alphaPercent,
            @ForAll long seed) {
        Tensor x = Tensor.randn(seed, n, in);
        Tensor w = Tensor.randn(seed + 1, out, in);
        SmoothQuant.Smoothed sm =
                SmoothQuant.builder().alpha(alphaPercent / 100.0).build().smooth(x, w);
        assertClose(Kernels.matmul(x, false, w, true), Kernels.matmul(sm.x(), false, sm.w(), true), 1e-4, 1e-4);
    }

    @Property(tries = 50)
    void loraMergedEqualsUnmerged(
            @ForAll @IntRange(min = 1, max = 8) int n,
            @ForAll @IntRange(min = 1, max = 24) int in,
            @ForAll @IntRange(min = 1, max = 24) int out,
            @ForAll @IntRange(min = 1, max = 8) int rank,
            @ForAll long seed) {
        Tensor w = Tensor.randn(seed, out, in);
        LoraLinear layer = new LoraLinear(w, LoraArticleTest.trainedLookingAdapter(in, out, rank, 2.0 * rank));
        Tensor x = Tensor.randn(seed + 1, n, in);
        Tensor unmerged = layer.forward(x);
        layer.merge();
        assertClose(unmerged, layer.forward(x), 1e-5, 1e-5);
        layer.unmerge();
        assertClose(w, layer.weight(), 0, 1e-5);
    }
}
