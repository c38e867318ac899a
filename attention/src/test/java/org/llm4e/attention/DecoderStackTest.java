package org.llm4e.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.llm4e.attention.MixtureOfExpertsTest.assertMessage;
import static org.llm4e.testsupport.TensorAssert.assertClose;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.llm4e.core.Parameter;
import org.llm4e.core.Tensor;

/** The decoder stack: HF names, cached generation equal to the full pass, and bad input. */
class DecoderStackTest {

    @Test
    void cachedPrefillAndDecodeGiveTheFullPassLogits() {
        DecoderStack model = TinyStackTrainingTest.tinyStack(3);
        int[][] tokens = {{1, 4, 2, 8, 5, 7, 0}, {3, 3, 9, 10, 1, 2, 6}};
        Tensor full = model.forward(tokens, 0);
        List<KvCache> caches = model.newCaches(2, 7);
        Tensor prefill = model.forward(new int[][] {{1, 4, 2, 8}, {3, 3, 9, 10}}, 0, caches);
        int v = model.vocabSize();
        for (int t = 0; t < 7; t++) {
            Tensor step = t < 4 ? null : model.forward(new int[][] {{tokens[0][t]}, {tokens[1][t]}}, t, caches);
            for (int b = 0; b < 2; b++) {
                for (int j = 0; j < v; j++) {
                    float got = t < 4 ? prefill.get(b, t, j) : step.get(b, 0, j);
                    assertEquals(full.get(b, t, j), got, 2e-5 + 2e-5 * Math.abs(full.get(b, t, j)), b + "," + t);
                }
            }
        }
        assertEquals(7, caches.get(1).length());
    }

    @Test
    void parametersCarryLlamaForCausalLmNames() {
        DecoderStack model = TinyStackTrainingTest.tinyStack(1);
        List<Parameter> ps = model.parameters();
        assertEquals("model.embed_tokens.weight", ps.get(0).name());
        assertEquals("model.layers.0.self_attn.q_proj.weight", ps.get(1).name());
        assertEquals(
                "model.layers.1.post_attention_layernorm.weight",
                ps.get(ps.size() - 3).name());
        assertEquals("model.norm.weight", ps.get(ps.size() - 2).name());
        assertEquals("lm_head.weight", ps.get(ps.size() - 1).name());
        assertEquals(2 + 9 * 2 + 1, ps.size());
        DecoderStack other = TinyStackTrainingTest.tinyStack(2);
        Map<String, Tensor> sd = new java.util.LinkedHashMap<>();
        for (Parameter p : ps) {
            sd.put(p.name(), Tensor.of(p.data().clone(), p.size()));
        }
        other.loadWeights(sd);
        int[][] tokens = {{1, 2, 3}};
        // The same function to the last bit or two: the two forwards may run at different JIT tiers, and a Vector API
        // lane reduction (reduceLanes) may add in another order once compiled. A misplaced weight is off by far more.
        assertClose(model.forward(tokens, 5), other.forward(tokens, 5), 1e-6, 1e-7);
    }

    @Test
    void badInputIsRejectedNamingTheParameter() {
        DecoderStack model = TinyStackTrainingTest.tinyStack(1);
        assertMessage(() -> model.forward(new int[][] {{1, 11}}, 0), "tokens[0][1]", "[0, 11)", "11");
        assertMessage(() -> model.forward(new int[][] {{1, 2}, {3}}, 0), "tokens[1]", "1", "2");
        assertMessage(() -> model.forward(new int[0][], 0), "tokens");
        assertMessage(() -> model.forward(new int[][] {{1}}, 0, List.of()), "caches", "2");
        assertMessage(() -> model.loadWeights(Map.of("model.foo", Tensor.zeros(1))), "model.foo");
        assertMessage(() -> model.loadWeights(Map.of("lm_head.weight", Tensor.zeros(3))), "lm_head.weight", "elements");
        assertMessage(() -> new DecoderStack(0, model.blocks(), 1), "vocabSize", "0");
        assertMessage(() -> new DecoderStack(5, List.of(), 1), "blocks");
        assertThrows(
                IllegalStateException.class,
                () -> TinyStackTrainingTest.tinyStack(4).backward(Tensor.zeros(1, 1, 11)));
        model.forward(new int[][] {{1, 2}}, 0);
        assertMessage(() -> model.backward(Tensor.zeros(1, 3, 11)), "dLogits", "[1, 2, 11]");
    }
}
