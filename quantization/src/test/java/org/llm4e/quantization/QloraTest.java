package org.llm4e.quantization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.llm4e.testsupport.TensorAssert.assertClose;
import static org.llm4e.testsupport.TensorAssert.assertIdentical;

import org.junit.jupiter.api.Test;
import org.llm4e.core.Kernels;
import org.llm4e.core.Tensor;
import org.llm4e.optimizers.AdamW;
import org.llm4e.optimizers.Optimizer;

/** A QLoRA layer: NF4 base with double quantization, float adapter, trained with the library's AdamW. */
class QloraTest {

    @Test
    void baseIsNf4WithDoubleQuantizedConstants() {
        Tensor w = GptqTest.weights(1, 64, 256);
        QloraLinear layer = new QloraLinear(w, new LoraAdapter(256, 64, 4, 8, 2));
        assertTrue(layer.base().doubleQuantized());
        assertEquals(64, layer.base().blockSize());
        assertEquals(256, layer.base().absmaxBlockSize());
        assertIdentical(
                Nf4.quantize(w.data(), 64, 256).dequantize(), layer.baseWeight().data(), "base");
        // B = 0: the layer computes with the NF4 weight alone
        Tensor x = Tensor.randn(3, 4, 256);
        assertClose(Kernels.matmul(x, false, layer.baseWeight(), true), layer.forward(x), 1e-6, 1e-6);
        // about 4.127 bits per base weight (QLoRA's 0.127 bit of constants)
        double bitsPerWeight = 8.0 * layer.base().storageBytes() / w.size();
        assertEquals(4.127, bitsPerWeight, 0.01);
    }

    @Test
    void adapterLearnsALowRankCorrectionOnAToyRegression() {
        int k = 64;
        int d = 32;
        int r = 4;
        Tensor w0 = GptqTest.weights(11, d, k);
        // target: W* = W₀ + a rank-r change the frozen NF4 base cannot express
        Tensor u = Tensor.randn(12, d, r);
        Tensor v = Tensor.randn(13, r, k);
        Tensor target = Kernels.matmul(u, v);
        for (int i = 0; i < target.size(); i++) {
            target.data()[i] = w0.data()[i] + 0.05f * target.data()[i];
        }
        QloraLinear layer = new QloraLinear(w0, new LoraAdapter(k, d, r, 2 * r, 14));
        Optimizer opt = AdamW.builder().lr(1e-2).weightDecay(0).build(layer.parameters());
        Tensor xTest = Tensor.randn(15, 256, k);
        Tensor yTest = Kernels.matmul(xTest, false, target, true);
        double initial = mse(yTest, layer.forward(xTest));
        for (int step = 0; step < 400; step++) {
            Tensor x = Tensor.randn(1000 + step, 64, k);
            Tensor y = Kernels.matmul(x, false, target, true);
            Tensor pred = layer.forward(x);
            float[] grad = new float[pred.size()];
            for (int i = 0; i < grad.length; i++) {
                grad[i] = 2f * (pred.data()[i] - y.data()[i]) / grad.length;
            }
            opt.zeroGrad();
            layer.backward(Tensor.of(grad, pred.shape()));
            opt.step();
        }
        double trained = mse(yTest, layer.forward(xTest));
        // what is left is (about) the NF4 error of W₀, which a rank-r adapter cannot undo
        double floor =
                mse(Kernels.matmul(xTest, false, w0, true), Kernels.matmul(xTest, false, layer.baseWeight(), true));
        assertTrue(trained < initial / 20, "loss " + initial + " -> " + trained);
        assertTrue(trained < 3 * floor, "loss " + trained + " vs the NF4 floor " + floor);
    }

    @Test
    void forwardAndBackwardEqualALoraLayerOnTheDequantizedBase() {
        Tensor w = GptqTest.weights(21, 16, 64);
        QloraLinear q = new QloraLinear(w, LoraArticleTest.trainedLookingAdapter(64, 16, 4, 8));
        LoraLinear l = new LoraLinear(q.baseWeight(), LoraArticleTest.trainedLookingAdapter(64, 16, 4, 8));
        Tensor x = Tensor.randn(22, 5, 64);
        Tensor dy = Tensor.randn(23, 5, 16);
        assertClose(l.forward(x), q.forward(x), 1e-5, 1e-6);
        assertClose(l.backward(dy), q.backward(dy), 1e-5, 1e-6);
        assertClose(l.adapter().a().grad(), q.adapter().a().grad(), 1e-5, 1e-6);
        assertClose(l.adapter().b().grad(), q.adapter().b().grad(), 1e-5, 1e-6);
        assertEquals(2, q.parameters().size()); // the NF4 base is frozen: only A and B train
    }

    @Test
    void badInput() {
        GptqTest.assertMessage(() -> new QloraLinear(Tensor.zeros(64), new LoraAdapter(8, 8, 2, 2, 1)), "w", "[64]");
        GptqTest.assertMessage(
                () -> new QloraLinear(Tensor.zeros(8, 8), new LoraAdapter(8, 4, 2, 2, 1)), "[8, 8]", "rank 2");
        GptqTest.assertMessage(
                () -> new QloraLinear(Tensor.zeros(8, 8), new LoraAdapter(8, 8, 2, 2, 1), 3, 256), "blockSize", "3");
    }

    private static double mse(Tensor a, Tensor b) {
        return QuantError.of(a, b).mse();
    }
}
