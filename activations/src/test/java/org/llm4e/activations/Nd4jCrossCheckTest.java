package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.activations.BaseActivationFunction;
import org.nd4j.linalg.activations.impl.ActivationELU;
import org.nd4j.linalg.activations.impl.ActivationGELU;
import org.nd4j.linalg.activations.impl.ActivationHardSigmoid;
import org.nd4j.linalg.activations.impl.ActivationHardTanH;
import org.nd4j.linalg.activations.impl.ActivationLReLU;
import org.nd4j.linalg.activations.impl.ActivationMish;
import org.nd4j.linalg.activations.impl.ActivationReLU;
import org.nd4j.linalg.activations.impl.ActivationReLU6;
import org.nd4j.linalg.activations.impl.ActivationSELU;
import org.nd4j.linalg.activations.impl.ActivationSigmoid;
import org.nd4j.linalg.activations.impl.ActivationSoftPlus;
import org.nd4j.linalg.activations.impl.ActivationSoftSign;
import org.nd4j.linalg.activations.impl.ActivationSoftmax;
import org.nd4j.linalg.activations.impl.ActivationSwish;
import org.nd4j.linalg.activations.impl.ActivationTanH;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Cross-check with ND4J 1.0.0-M2.1 (DL4J's activations, float32) where the semantics match, and a record of where they
 * do not: ND4J's {@code ActivationGELU()} is the sigmoid approximation x·σ(1.702x) (this library's
 * {@link QuickGELU}), its "precise" GELU is not PyTorch's tanh form, and its hard sigmoid is 0.2x + 0.5.
 */
class Nd4jCrossCheckTest {
    private static float[] grid;

    @BeforeAll
    static void grid() {
        // avoid the kinks 0, ±1, ±3, 6 where conventions for derivatives differ
        grid = new float[160];
        for (int i = 0; i < grid.length; i++) {
            grid[i] = -7.9f + i * 0.1f + 0.0137f;
        }
    }

    private static float[] nd4jForward(BaseActivationFunction f, float[] x) {
        return f.getActivation(Nd4j.createFromArray(x.clone()), false).toFloatVector();
    }

    private static float[] nd4jBackward(BaseActivationFunction f, float[] x) {
        float[] ones = new float[x.length];
        java.util.Arrays.fill(ones, 1f);
        return f.backprop(Nd4j.createFromArray(x.clone()), Nd4j.createFromArray(ones))
                .getFirst()
                .toFloatVector();
    }

    private static double maxDiff(float[] nd4j, DoubleUnaryOperator ours) {
        double worst = 0;
        for (int i = 0; i < grid.length; i++) {
            double ref = ours.applyAsDouble(grid[i]);
            worst = Math.max(worst, Math.abs(nd4j[i] - ref) / (1 + Math.abs(ref)));
        }
        return worst;
    }

    @Test
    void matchingSemanticsAgreeToFloat32Tolerance() {
        Map<String, BaseActivationFunction> peers = Map.ofEntries(
                Map.entry("sigmoid", new ActivationSigmoid()),
                Map.entry("tanh", new ActivationTanH()),
                Map.entry("relu", new ActivationReLU()),
                Map.entry("leaky_relu", new ActivationLReLU(0.01)),
                Map.entry("relu6", new ActivationReLU6()),
                Map.entry("elu", new ActivationELU(1.0)),
                Map.entry("selu", new ActivationSELU()),
                Map.entry("softsign", new ActivationSoftSign()),
                Map.entry("silu", new ActivationSwish()),
                Map.entry("mish", new ActivationMish()),
                Map.entry("softplus", new ActivationSoftPlus()),
                Map.entry("hardtanh", new ActivationHardTanH()),
                Map.entry("quick_gelu", new ActivationGELU()));
        for (Map.Entry<String, BaseActivationFunction> e : peers.entrySet()) {
            Activation ours = Activations.create(e.getKey());
            double fwd = maxDiff(nd4jForward(e.getValue(), grid), ours::apply);
            double bwd = maxDiff(nd4jBackward(e.getValue(), grid), ours::derivative);
            assertTrue(fwd < 1e-5, e.getKey() + " forward differs from ND4J by " + fwd);
            assertTrue(bwd < 1e-4, e.getKey() + " derivative differs from ND4J by " + bwd);
        }
    }

    @Test
    void softmaxRowsAgree() {
        float[] row = grid.clone();
        row[3] = 50f;
        INDArray x = Nd4j.createFromArray(row).reshape(1, row.length);
        float[] nd = new ActivationSoftmax().getActivation(x.dup(), false).toFloatVector();
        float[] ours = Softmax.softmax(row);
        for (int i = 0; i < row.length; i++) {
            assertTrue(Math.abs(nd[i] - ours[i]) <= 1e-6 + 1e-5 * ours[i], "softmax at " + i);
        }
    }

    /** Where ND4J means something else by the same name; each line names the difference. */
    @Test
    void documentedDifferences() {
        // ND4J's default GELU is the sigmoid approximation, not PyTorch's exact erf GELU (up to ~0.02 apart)
        double geluGap = maxDiff(nd4jForward(new ActivationGELU(), grid), GELU.exact()::apply);
        assertTrue(geluGap > 5e-3, "ND4J GELU() is not the exact GELU: " + geluGap);
        // ND4J's "precise" GELU is neither the exact form nor PyTorch's tanh approximation: its cubic term is
        // (0.044715·x)³ instead of 0.044715·x³
        float[] precise = nd4jForward(new ActivationGELU(true), grid);
        double vsTanh = maxDiff(precise, GELU.tanh()::apply);
        double vsExact = maxDiff(precise, GELU.exact()::apply);
        assertTrue(vsTanh > 1e-3 && vsExact > 1e-3, "precise GELU vs tanh " + vsTanh + ", vs exact " + vsExact);
        double vsCubedCoefficient = maxDiff(precise, x -> {
            double c = 0.044715 * x;
            return 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + c * c * c)));
        });
        assertTrue(vsCubedCoefficient < 1e-5, "precise GELU = tanh form with (0.044715x)^3: " + vsCubedCoefficient);
        // ND4J's hard sigmoid is clip(0.2x + 0.5, 0, 1); PyTorch's is clip(x/6 + 0.5, 0, 1)
        double hs =
                maxDiff(nd4jForward(new ActivationHardSigmoid(), grid), x -> Math.max(0, Math.min(1, 0.2 * x + 0.5)));
        double ours = maxDiff(nd4jForward(new ActivationHardSigmoid(), grid), new Hardsigmoid()::apply);
        assertTrue(hs < 1e-6 && ours > 0.05, "hard sigmoid: vs 0.2x+0.5 " + hs + ", vs x/6+0.5 " + ours);
    }
}
