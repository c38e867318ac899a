package org.llm4e.activations;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.llm4e.activations.norm.BatchNorm;
import org.llm4e.activations.norm.LayerNorm;
import org.llm4e.activations.norm.RMSNorm;
import org.llm4e.core.Tensor;

/** Bad input gets an IllegalArgumentException naming the parameter, the value and what was expected. */
class BadInputTest {

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    @Test
    void factoryRejectsUnknownNamesKeysTypesAndValues() {
        rejects(() -> Activations.create("relu7", Map.of()), "relu7", "sigmoid");
        rejects(() -> Activations.create("elu", Map.of("slope", 1.0)), "slope", "alpha");
        rejects(() -> Activations.create("relu", Map.of("alpha", 1.0)), "alpha", "none");
        rejects(() -> Activations.create("elu", Map.of("alpha", "big")), "alpha", "number");
        rejects(() -> Activations.create("elu", Map.of("alpha", Double.NaN)), "alpha", "NaN", "> 0");
        rejects(() -> Activations.create("elu", Map.of("alpha", -1.0)), "alpha", "-1.0");
        rejects(() -> Activations.create("celu", Map.of("alpha", 0.0)), "alpha", "0.0");
        rejects(
                () -> Activations.create("leaky_relu", Map.of("negative_slope", Double.POSITIVE_INFINITY)),
                "negative_slope",
                "Infinity");
        rejects(() -> Activations.create("gelu", Map.of("approximate", "sigmoid")), "approximate", "sigmoid", "tanh");
        rejects(() -> Activations.create("softplus", Map.of("beta", -2.0)), "beta", "-2.0");
        rejects(() -> Activations.create("softplus", Map.of("threshold", Double.NaN)), "threshold", "NaN");
        rejects(() -> Activations.create("hardtanh", Map.of("min_val", 2.0, "max_val", 1.0)), "max_val", "min_val");
        rejects(() -> Activations.create("rrelu", Map.of("lower", 0.5, "upper", 0.1)), "lower", "upper", "0.5");
        rejects(() -> Activations.create("swish", Map.of("beta", Double.NaN)), "beta", "NaN");
        rejects(() -> Activations.create("prelu", Map.of("weight", Double.NaN)), "weight", "NaN");
    }

    @Test
    void bulkMethodsRejectBadRanges() {
        Activation s = Activations.create("silu");
        rejects(() -> s.forward(new float[3], new float[4]), "x", "3", "y", "4");
        rejects(() -> s.forward(new float[4], 2, new float[4], 0, 3), "x", "[2, 5)", "4");
        rejects(() -> s.backward(new float[4], 0, new float[4], 0, new float[2], 0, 4), "dx", "2");
        rejects(() -> s.forward(new float[4], -1, new float[4], 0, 1), "x", "-1");
        rejects(() -> Softmax.softmax(new float[4], 0, new float[2], 0, 4), "y");
        rejects(() -> Softmax.backward(new float[3], new float[2]), "y", "dy", "3", "2");
        RReLU training = RReLU.training(1);
        training.forward(new float[] {-1, 2});
        rejects(() -> training.backward(new float[3], new float[3], new float[3]), "n", "2", "3");
    }

    @Test
    void gluAndFeedForwardRejectBadShapes() {
        rejects(() -> Glu.forward("swiglu", new float[5]), "even", "5");
        rejects(() -> Glu.forward("bilinear", new float[4]), "bilinear", "swiglu");
        rejects(() -> Glu.backward(GluVariant.GLU, new float[4], new float[3]), "dy", "3", "2");
        rejects(() -> Glu.forward(GluVariant.GEGLU, Tensor.zeros(2, 7)), "even", "7");
        rejects(
                () -> new SwiGluFeedForward(Tensor.zeros(8, 4), Tensor.zeros(4, 8), Tensor.zeros(8, 5)),
                "w3",
                "[8, 5]",
                "w1");
        rejects(
                () -> new SwiGluFeedForward(Tensor.zeros(8, 4), Tensor.zeros(8, 4), Tensor.zeros(8, 4)),
                "w2",
                "[4, 8]");
        SwiGluFeedForward ffn = new SwiGluFeedForward(Tensor.zeros(8, 4), Tensor.zeros(4, 8), Tensor.zeros(8, 4));
        rejects(() -> ffn.forward(Tensor.zeros(3, 5)), "x", "[3, 5]", "4");
        assertThrows(IllegalStateException.class, () -> ffn.backward(Tensor.zeros(3, 4)));
        ffn.forward(Tensor.zeros(3, 4));
        rejects(() -> ffn.backward(Tensor.zeros(2, 4)), "dy", "[2, 4]", "[3, 4]");
    }

    @Test
    void normsRejectBadArguments() {
        rejects(() -> new LayerNorm(0), "normalized_shape", "0");
        rejects(() -> new LayerNorm(4, -1e-5, true), "eps", "-1.0E-5");
        rejects(() -> new RMSNorm(4, Double.NaN), "eps", "NaN");
        rejects(() -> new BatchNorm(4, 1e-5, 1.5, true), "momentum", "1.5");
        rejects(() -> new LayerNorm(4).forward(Tensor.zeros(2, 3)), "x", "[2, 3]", "4");
        rejects(() -> new BatchNorm(3).forward(Tensor.zeros(1, 3)), "batch size", "1");
        rejects(() -> new BatchNorm(3).forward(Tensor.zeros(2, 2, 3)), "x", "[2, 2, 3]");
        LayerNorm ln = new LayerNorm(4);
        ln.forward(Tensor.zeros(2, 4));
        rejects(() -> ln.backward(Tensor.zeros(3, 4)), "dy", "[3, 4]", "[2, 4]");
    }
}
