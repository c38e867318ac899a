package org.llm4e.attention.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.nio.file.Paths;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EstimatesTest {
    static Path resource(String name) throws URISyntaxException {
        return Paths.get(EstimatesTest.class.getResource("/configs/" + name).toURI());
    }

    @Test
    void readsQwenConfigJson() throws Exception {
        ModelConfig c = ModelConfig.fromConfigJson(resource("qwen2.5-32b-config.json"));
        assertEquals(ModelConfig.qwen25_32b().hiddenSize(), c.hiddenSize());
        assertEquals(
                new ModelConfig("Qwen2.5-32B", 5120, 27648, 64, 40, 8, 128, 152064, 0, 0, 2),
                new ModelConfig(
                        "Qwen2.5-32B",
                        c.hiddenSize(),
                        c.intermediateSize(),
                        c.numLayers(),
                        c.numHeads(),
                        c.numKvHeads(),
                        c.headDim(),
                        c.vocabSize(),
                        c.kvLoraRank(),
                        c.qkRopeHeadDim(),
                        c.bytesPerParam()));
        assertEquals("configs", c.name()); // no _name_or_path: the folder's name
        assertEquals(31_984_189_440L, FlopsEstimate.parameterCount(c));
    }

    @Test
    void readsDeepSeekConfigJsonWithNestedObjectsNullsAndEscapes() throws Exception {
        ModelConfig c = ModelConfig.fromConfigJson(resource("deepseek-v2-config.json"));
        assertTrue(c.isMla());
        assertEquals(512, c.kvLoraRank());
        assertEquals(64, c.qkRopeHeadDim());
        assertEquals(128, c.headDim());
        assertEquals(576, KvCacheSize.elementsPerTokenPerLayer(c));
        assertEquals(ModelConfig.deepSeekV2().numLayers(), c.numLayers());
    }

    @Test
    void corruptConfigNamesTheOffsetAndReason() {
        ModelConfig.FormatException e = assertThrows(
                ModelConfig.FormatException.class, () -> ModelConfig.fromConfigJson("{\"hidden_size\": 12,", "bad"));
        assertTrue(e.getMessage().contains("<bad>") && e.getMessage().contains("character 19"), e.getMessage());
        e = assertThrows(
                ModelConfig.FormatException.class,
                () -> ModelConfig.fromConfigJson("{\"hidden_size\": 8, \"num_attention_heads\": 2}", "m"));
        assertTrue(e.getMessage().contains("num_hidden_layers"), e.getMessage());
        e = assertThrows(ModelConfig.FormatException.class, () -> ModelConfig.fromConfigJson("[1, 2]", "arr"));
        assertTrue(e.getMessage().contains("object"), e.getMessage());
        e = assertThrows(
                ModelConfig.FormatException.class,
                () -> ModelConfig.fromConfigJson(
                        "{\"hidden_size\": 8, \"num_attention_heads\": 3, \"num_hidden_layers\": 1,"
                                + " \"intermediate_size\": 4, \"num_key_value_heads\": 2}",
                        "gqa"));
        assertTrue(e.getMessage().contains("numKvHeads") && e.getMessage().contains("2"), e.getMessage());
    }

    @Test
    void badArgumentsNameTheParameter() {
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> InferenceEstimate.ttftSeconds(1, 1, 1.5));
        assertTrue(e.getMessage().contains("utilization") && e.getMessage().contains("1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FlopsEstimate.prefill(ModelConfig.qwen25_32b(), 1, 0));
        assertTrue(e.getMessage().contains("promptTokens") && e.getMessage().contains("0"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> TrainingMemory.fp32Adam().zeroBytesPerGpu(4, 1, 1));
        assertTrue(e.getMessage().contains("stage") && e.getMessage().contains("4"), e.getMessage());
        e = assertThrows(
                IllegalArgumentException.class, () -> BatchingSimulation.continuousBatching(new int[] {3, 0}, 2));
        assertTrue(e.getMessage().contains("maxTokens[1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> KvCacheFragmentation.simulate(new int[] {5, 9}, 4, 8));
        assertTrue(e.getMessage().contains("lengths[1]") && e.getMessage().contains("9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ModelConfig.dense("x", 64, 64, 1, 4, 3, 10));
        assertTrue(e.getMessage().contains("numKvHeads") && e.getMessage().contains("3"), e.getMessage());
    }

    @Property(tries = 50)
    void detailedAndQuickPrefillAgree(
            @ForAll @IntRange(min = 1, max = 64) int headsPerKv,
            @ForAll @IntRange(min = 1, max = 16) int kvHeads,
            @ForAll @IntRange(min = 1, max = 128) int headDim,
            @ForAll @IntRange(min = 1, max = 4096) int intermediate,
            @ForAll @IntRange(min = 1, max = 100) int layers,
            @ForAll @IntRange(min = 1, max = 8) int batch,
            @ForAll @IntRange(min = 1, max = 8192) int prompt) {
        int heads = headsPerKv * kvHeads;
        ModelConfig c = ModelConfig.dense("p", heads * headDim, intermediate, layers, heads, kvHeads, 1000);
        double detailed = FlopsEstimate.prefill(c, batch, prompt).total();
        assertEquals(detailed, FlopsEstimate.prefillQuick(c, batch, prompt), detailed * 1e-14);
        // Decode of one step at cache length s equals the prefill of one token plus the extra attention.
        double step = FlopsEstimate.decodeStep(c, batch, prompt, 0).total();
        assertTrue(step > 0);
    }

    @Property(tries = 100)
    void continuousBatchingNeverDecodesFewerStepsThanTheLongestRequest(
            @ForAll @Size(min = 1, max = 40) int[] tokens, @ForAll @IntRange(min = 1, max = 9) int batchSize) {
        int[] maxTokens = new int[tokens.length];
        int longest = 0;
        for (int i = 0; i < tokens.length; i++) {
            maxTokens[i] = 1 + Math.floorMod(tokens[i], 50);
            longest = Math.max(longest, maxTokens[i]);
        }
        BatchingSimulation.Result c = BatchingSimulation.continuousBatching(maxTokens, batchSize);
        BatchingSimulation.Result s = BatchingSimulation.staticBatching(maxTokens, batchSize);
        assertTrue(c.decodeIterations() >= longest - 1);
        assertEquals((tokens.length + batchSize - 1) / batchSize, s.prefillCalls());
        // One request at a time: both schedules decode every token of every request.
        if (batchSize == 1) {
            long sum = 0;
            for (int t : maxTokens) {
                sum += t - 1;
            }
            assertEquals(sum, s.decodeIterations());
        }
    }

    @Test
    void kvBytesScaleLinearly() throws IOException {
        ModelConfig q = ModelConfig.qwen25_32b();
        assertEquals(3 * 7 * KvCacheSize.bytesPerToken(q), KvCacheSize.bytes(q, 3, 7));
        assertEquals(0, KvCacheSize.bytes(q, 0, 7));
    }
}
