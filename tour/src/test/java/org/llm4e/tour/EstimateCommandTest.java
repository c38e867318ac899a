package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.attention.estimate.FlopsEstimate;
import org.llm4e.attention.estimate.Gpu;
import org.llm4e.attention.estimate.InferenceEstimate;
import org.llm4e.attention.estimate.KvCacheSize;
import org.llm4e.attention.estimate.ModelConfig;

class EstimateCommandTest {

    @Test
    void builtInModelOnBuiltInGpuPrintsTheLibrarysEstimate() {
        String[] r = CommandsTest.run(
                "estimate",
                "--model",
                "Qwen2.5-32B",
                "--gpu",
                "H20",
                "--batch",
                "2",
                "--prompt",
                "1000",
                "--output",
                "100");
        assertEquals("0", r[0], r[2]);
        String out = r[1];
        ModelConfig c = ModelConfig.qwen25_32b();
        Gpu g = Gpu.h20();
        InferenceEstimate.Report e = InferenceEstimate.estimate(c, g, 1.0, 2, 1000, 100);
        assertTrue(out.contains("Qwen2.5-32B (GQA, 64 layers, 40 heads, 8 kv heads of 128"), out);
        assertTrue(out.contains(EstimateCommand.bytes(FlopsEstimate.parameterCount(c) * 2.0)), out);
        assertTrue(out.contains(EstimateCommand.bytes(KvCacheSize.bytesPerToken(c))), out);
        assertTrue(out.contains(EstimateCommand.bytes(e.kvCacheBytes())), out);
        assertTrue(out.contains(EstimateCommand.seconds(e.ttftSeconds())), out);
        assertTrue(out.contains(EstimateCommand.seconds(e.tpotSeconds())), out);
        assertTrue(out.contains(EstimateCommand.seconds(e.bandwidthBoundTpotSeconds())), out);
        // about 65 GB of bf16 weights and a cache of 2 × 1100 tokens fit in the H20's 96 GB
        assertTrue(out.contains("fits in H20"), out);
        // a 32B model at batch 2 reads 64 GB per step: bandwidth-bound
        assertTrue(e.bandwidthBoundTpotSeconds() > e.tpotSeconds());
        assertTrue(out.contains("bandwidth-bound here"), out);
    }

    @Test
    void configJsonAndCustomAcceleratorByFlopsAndBandwidth(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(
                config,
                "{\"_name_or_path\": \"tiny-llama\", \"hidden_size\": 512, \"intermediate_size\": 1376,"
                        + " \"num_hidden_layers\": 4, \"num_attention_heads\": 8, \"num_key_value_heads\": 1,"
                        + " \"vocab_size\": 32000, \"torch_dtype\": \"float32\"}");
        String[] r = CommandsTest.run(
                "estimate", "--config", config.toString(), "--flops", "10T", "--bandwidth", "100G", "--memory", "1G");
        assertEquals("0", r[0], r[2]);
        ModelConfig c = ModelConfig.fromConfigJson(config);
        Gpu g = new Gpu("x", 10e12, 1e9, 100e9);
        InferenceEstimate.Report e = InferenceEstimate.estimate(c, g, 1.0, 1, 1024, 256);
        String out = r[1];
        assertTrue(out.contains("tiny-llama (MQA, 4 layers, 8 heads, 1 kv heads of 64, 4 bytes per parameter)"), out);
        assertTrue(out.contains("10.00 TFLOP/s, 100.0 GB/s"), out);
        assertTrue(out.contains(EstimateCommand.seconds(e.ttftSeconds())), out);
        assertTrue(out.contains(EstimateCommand.seconds(e.bandwidthBoundTpotSeconds())), out);
        assertTrue(out.contains(EstimateCommand.bytes(FlopsEstimate.parameterCount(c) * 4.0)), out);
    }

    @Test
    void aModelTooLargeForOneGpuSaysHowManyItNeeds() {
        String[] r = CommandsTest.run("estimate", "--model", "llama-3.1-70b", "--gpu", "a100-40gb");
        assertEquals("0", r[0], r[2]);
        // 70.6 B parameters in bf16 are 141 GB: four 40 GB cards
        assertTrue(r[1].contains("needs 4 × A100-40GB"), r[1]);
    }

    @Test
    void listShowsTheTables() {
        String[] r = CommandsTest.run("estimate", "--list");
        assertEquals("0", r[0], r[2]);
        for (String name : EstimateCommand.MODELS.keySet()) {
            assertTrue(r[1].contains(name), r[1]);
        }
        assertTrue(r[1].contains("deepseek-v2") && r[1].contains("MLA"), r[1]);
        assertTrue(r[1].contains("a100-80gb") && r[1].contains("2000"), r[1]);
    }

    @Test
    void badInputIsAUsageErrorNamingTheOptionAndTheValue() {
        String[] r = CommandsTest.run("estimate", "--model", "gpt-5");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown model 'gpt-5'") && r[2].contains("qwen2.5-32b"), r[2]);
        r = CommandsTest.run("estimate", "--gpu", "tpu");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("unknown gpu 'tpu'") && r[2].contains("h800"), r[2]);
        r = CommandsTest.run("estimate", "--flops", "100T");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--flops and --bandwidth go together"), r[2]);
        r = CommandsTest.run("estimate", "--flops", "fast", "--bandwidth", "1T");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--flops must be a positive number") && r[2].contains("'fast'"), r[2]);
        r = CommandsTest.run("estimate", "--utilization", "1.5");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--utilization must be in (0, 1], got 1.5"), r[2]);
        r = CommandsTest.run("estimate", "--batch", "0");
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--batch must be >= 1, got 0"), r[2]);
    }

    @Test
    void lookupIgnoresCaseAndPunctuation() {
        assertNotNull(EstimateCommand.lookup(EstimateCommand.MODELS, "QWEN25_32B"));
        assertNotNull(EstimateCommand.lookup(EstimateCommand.GPUS, "A100 80GB"));
        assertNull(EstimateCommand.lookup(EstimateCommand.GPUS, "A100"));
    }
}
