package org.llm4e.attention.estimate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * The worked numbers of the deployment articles (attention catalog §8–10, §15–21, checks 12–13 and 18–29), with the
 * corrected value where an article is wrong.
 */
class InferenceEstimatesArticleTest {
    static final ModelConfig QWEN = ModelConfig.qwen25_32b();

    // ---- check 12: KV-cache sizes ----

    @Test
    void qwen25_32bCaches256KiBPerToken() {
        assertEquals(262_144, KvCacheSize.bytesPerToken(QWEN)); // 64 layers · 2 · 8 kv heads · 128 · 2 B
        ModelConfig mhaEquivalent = ModelConfig.dense("Qwen2.5-32B as MHA", 5120, 27648, 64, 40, 40, 152064);
        assertEquals(1280 * 1024, KvCacheSize.bytesPerToken(mhaEquivalent));
        assertEquals(5, KvCacheSize.bytesPerToken(mhaEquivalent) / KvCacheSize.bytesPerToken(QWEN)); // 40 / 8
        assertEquals(512L << 20, KvCacheSize.bytes(QWEN, 1, 1024 + 1024));
    }

    @Test
    void llama13bTakes1Point68GBAt2048Tokens() {
        // The MLA article's 4·b·l·h·(s+n) (MHA, fp16) and VLLM's "up to 1.7 GB".
        assertEquals(1_677_721_600L, KvCacheSize.articleFormula(1, 40, 5120, 1024, 1024));
        assertEquals(1_677_721_600L, KvCacheSize.bytes(ModelConfig.llama13b(), 1, 2048)); // the general form agrees
    }

    @Test
    void gqaFigureReductions() {
        // MQA-GQA img 1: 8 query heads; GQA with 4 kv heads halves the cache, MQA divides it by 8.
        assertEquals(2, KvCacheSize.mhaElements(8, 64) / KvCacheSize.gqaElements(4, 64));
        assertEquals(8, KvCacheSize.mhaElements(8, 64) / KvCacheSize.mqaElements(64));
    }

    // ---- check 13: MLA (numbers from the DeepSeek-V2 paper the article cites) ----

    @Test
    void deepSeekV2Caches576InsteadOf32768Elements() {
        assertEquals(32_768, KvCacheSize.mhaElements(128, 128));
        assertEquals(576, KvCacheSize.mlaElements(512, 64)); // = kv_a_proj_with_mqa's 512 + 64 (DEPLOY3 img 1)
        assertEquals(56.89, 32_768.0 / 576, 0.005);
        assertEquals(2.25, KvCacheSize.equivalentGqaGroups(512, 64, 128), 0);
        assertEquals(4.5 * 128, KvCacheSize.mlaElements(512, 64), 0);
        ModelConfig dsv2 = ModelConfig.deepSeekV2();
        assertEquals(576, KvCacheSize.elementsPerTokenPerLayer(dsv2));
        assertEquals(60L * 576 * 2, KvCacheSize.bytesPerToken(dsv2));
    }

    // ---- check 18–20: parameters and FLOPs ----

    @Test
    void qwen25_32bHas31_98BParameters() {
        assertEquals(778_567_680L, FlopsEstimate.embeddingParameters(QWEN));
        assertEquals(487_587_840L, FlopsEstimate.layerParameters(QWEN));
        long n = FlopsEstimate.parameterCount(QWEN);
        assertEquals(31_984_189_440L, n);
        assertEquals("31.98 B", String.format(Locale.ROOT, "%.2f B", n / 1e9)); // what the article's script prints
    }

    @Test
    void prefillOf1024TokensIs65_28TFlops() {
        FlopsEstimate.Breakdown p = FlopsEstimate.prefill(QWEN, 1, 1024);
        assertEquals(65_283_502_899_200.0, p.total(), 0);
        assertEquals(p.total(), FlopsEstimate.prefillQuick(QWEN, 1, 1024), 0); // detailed == quick, exactly
        assertEquals(65.28, p.total() / 1e12, 0.005);
        assertEquals(8.246, p.projections() / 1e12, 0.0005);
        assertEquals(1.374, p.attention() / 1e12, 0.0005);
        assertEquals(55.663, p.ffn() / 1e12, 0.0005);
        assertEquals(2 * p.total(), FlopsEstimate.prefill(QWEN, 2, 1024).total(), 0);
    }

    @Test
    void decodeIs0_0644TFlopsPerToken() {
        double perToken = FlopsEstimate.decodePerToken(QWEN, 1, 1024, 1024).total();
        assertEquals(64_425_164_800.0, perToken, 0);
        // Erratum (rounding): the article prints 0.06 TFLOPs.
        assertEquals(0.06, perToken / 1e12, 0.005);
        assertEquals(
                63_766_528_000.0, FlopsEstimate.decodeStep(QWEN, 1, 1024, 10).total(), 0);
    }

    // ---- check 21–23: time estimates ----

    @Test
    void qwenOnH20Takes441MsToFirstTokenAnd2297TokensPerSecond() {
        Gpu h20 = Gpu.h20();
        double ttft = InferenceEstimate.ttftSeconds(
                FlopsEstimate.prefill(QWEN, 1, 1024).total(), h20.peakFlops(), 1);
        assertEquals(0.4411, ttft, 0.00005);
        double decode = FlopsEstimate.decodePerToken(QWEN, 1, 1024, 1024).total();
        assertEquals(2297.2, InferenceEstimate.decodeTokensPerSecond(h20.peakFlops(), 1, decode, 1), 0.05);
        // Erratum (rounding): the article's 2466 token/s divides by the rounded 0.06 TFLOPs.
        assertEquals(2466.7, InferenceEstimate.decodeTokensPerSecond(h20.peakFlops(), 1, 0.06e12, 1), 0.05);
        // Quick forms: the article's "64 TFLOPs" → 432 ms; 2·1024·32e9 is really 65.5 TFLOPs → 443 ms.
        assertEquals(0.432, InferenceEstimate.ttftSeconds(64e12, h20.peakFlops(), 1), 0.0005);
        double quick = FlopsEstimate.prefillRuleOfThumb(32e9, 1, 1024);
        assertEquals(65.536e12, quick, 0);
        assertEquals(0.443, InferenceEstimate.ttftSeconds(quick, h20.peakFlops(), 1), 0.0005);
        double quickDecode = FlopsEstimate.decodeStepRuleOfThumb(32e9, 1);
        assertEquals(0.064e12, quickDecode, 0);
        assertEquals(2312.5, InferenceEstimate.decodeTokensPerSecond(h20.peakFlops(), 1, quickDecode, 1), 1e-9);
    }

    @Test
    void llama31_70bOnTenA100sProcesses10Point3PromptsPerSecond() {
        // TTFT img 4: 10 × 312 TFLOPS × 46.2 % / (2 · 70B · 1K). Erratum: these are 1K-token prompts per second, not
        // output tokens per second, and 10.3 holds with 1K = 1000 (10.05 with 1024).
        assertEquals(10.296, InferenceEstimate.promptsPerSecond(10, 312e12, 0.462, 70e9, 1000), 0.0005);
        assertEquals(10.05, InferenceEstimate.promptsPerSecond(10, 312e12, 0.462, 70e9, 1024), 0.005);
    }

    @Test
    void latencyIdentitiesAndTheConcurrencyTable() {
        double ttft = 0.5;
        double tpot = 0.02;
        double latency =
                InferenceEstimate.latencySeconds(ttft, tpot, 100, InferenceEstimate.LatencyConvention.ARTICLE_N);
        assertEquals(2.5, latency, 1e-12);
        assertEquals(40, InferenceEstimate.tokensPerSecond(100, latency), 1e-9);
        // The article counts n decode steps; n − 1 is the other convention (TTFT already emitted token 1).
        assertEquals(
                2.48,
                InferenceEstimate.latencySeconds(ttft, tpot, 100, InferenceEstimate.LatencyConvention.N_MINUS_ONE),
                1e-12);
        // PERF img 0: per-session TPS = TPS / concurrency.
        double[][] rows = {{4, 85.205, 21.301}, {16, 256.316, 16.020}, {32, 294.349, 9.198}};
        for (double[] r : rows) {
            assertEquals(r[2], r[1] / r[0], 0.0005);
        }
        // LAT asset 3: three requests of 1, 1.2 and 1.4 s in a 3 s window: 1.2 s per request, 1 request per second.
        assertEquals(1.2, (1 + 1.2 + 1.4) / 3, 1e-12);
        assertEquals(1.0, 3 / 3.0, 0);
    }

    @Test
    void estimateReportOfQwenOnH20() {
        InferenceEstimate.Report r = InferenceEstimate.estimate(QWEN, Gpu.h20(), 1.0, 1, 1024, 1024);
        assertEquals(31_984_189_440L, r.parameters());
        assertEquals(0.4411, r.ttftSeconds(), 0.00005);
        assertEquals(2297.2, r.tokensPerSecond(), 0.05);
        assertEquals(r.ttftSeconds() + 1024 * r.tpotSeconds(), r.latencySeconds(), 1e-12);
        assertEquals(512L << 20, r.kvCacheBytes());
        assertTrue(r.bandwidthBoundTpotSeconds() > 0.016 && r.bandwidthBoundTpotSeconds() < 0.0161);
    }

    // ---- check 24–27: matmul FLOPs, memory, precision, bandwidth ----

    @Test
    void matmulFlopsRuleAndExactCount() {
        assertEquals(54, FlopsEstimate.matmul(3, 3, 3)); // 1 MAC = 2 FLOPs
        // DEPLOY3 counts 27 multiplications + 18 additions = 45 and blames "boundary handling": it is M·K·(2N − 1).
        assertEquals(45, FlopsEstimate.matmulExact(3, 3, 3));
    }

    @Test
    void weightsAndTrainingMemory() {
        assertEquals(1342e9, TrainingMemory.weightBytes(671e9, 2), 0); // DeepSeek-R1 in BF16
        assertEquals(671e9, TrainingMemory.weightBytes(671e9, 1), 0); // FP8
        assertEquals(700e9, TrainingMemory.weightBytes(175e9, 4), 0); // GPT-3 in FP32
        assertEquals(24, TrainingMemory.fp32Adam().bytesPerParameter(), 0); // 4 + 8 + 4 + 8
    }

    @Test
    void zeroStagesShardTheModelStates() {
        // The ZeRO paper's example [C]: 7.5B parameters, 64 GPUs, mixed-precision Adam (2 + 2 + 12 bytes).
        TrainingMemory mp = TrainingMemory.mixedPrecisionAdam();
        assertEquals(120e9, mp.zeroBytesPerGpu(0, 7.5e9, 64), 1e-3);
        assertEquals(31.4e9, mp.zeroBytesPerGpu(1, 7.5e9, 64), 0.05e9);
        assertEquals(16.6e9, mp.zeroBytesPerGpu(2, 7.5e9, 64), 0.05e9);
        assertEquals(1.875e9, mp.zeroBytesPerGpu(3, 7.5e9, 64), 1e-3);
        // The article's FP32 table without activations: DDP keeps 16 B per parameter on every GPU, FSDP 16/N.
        TrainingMemory fp32 = TrainingMemory.fp32Adam();
        assertEquals(16e9, fp32.zeroBytesPerGpu(0, 1e9, 8), 0);
        assertEquals(2e9, fp32.zeroBytesPerGpu(3, 1e9, 8), 0);
    }

    @Test
    void floatDecodeExamples() {
        // Erratum: the article calls "0 101 1011" F8_E4M3; it is E3M4 with bias 3, and 1.6875 · 2^(5−3) = 6.75 (the
        // text writes 1.6875 · 2^5).
        assertEquals(6.75, MiniFloat.decode(0b0_101_1011, 3, 4, 3, MiniFloat.Specials.NONE), 0);
        // Real E4M3 (bias 7): 0 1111 110 is the largest normal, 448; 0 1111 111 is NaN.
        assertEquals(448, MiniFloat.decode(0b0_1111_110, 4, 3, 7, MiniFloat.Specials.E4M3), 0);
        assertTrue(Double.isNaN(MiniFloat.decode(0b0_1111_111, 4, 3, 7, MiniFloat.Specials.E4M3)));
        assertEquals(-Math.pow(2, -9), MiniFloat.decode(0b1_0000_001, 4, 3, 7, MiniFloat.Specials.E4M3), 0);
        assertEquals(Double.POSITIVE_INFINITY, MiniFloat.decode(0b0_11111_00, 5, 2, 15, MiniFloat.Specials.IEEE));
        assertEquals(57344, MiniFloat.decode(0b0_11110_11, 5, 2, 15, MiniFloat.Specials.IEEE), 0); // E5M2 max
    }

    @Test
    void decodeIsBandwidthBound() {
        // [derived] Qwen2.5-32B BF16 weights (63.97 GB) read once per token at 4.0 TB/s: ≥ 15.99 ms, ≤ 62.5 tok/s,
        // about 37× under the compute bound of 2297 tok/s.
        double weights = FlopsEstimate.parameterCount(QWEN) * 2.0;
        assertEquals(63.97e9, weights, 0.005e9);
        double t = InferenceEstimate.bandwidthBoundSecondsPerStep(
                weights, 0, Gpu.h20().bandwidthBytesPerSecond());
        assertEquals(0.01599, t, 0.000005);
        assertEquals(62.5, 1 / t, 0.05);
        assertEquals(37, InferenceEstimate.rooflineBatch(Gpu.h20(), 2), 1e-9);
        assertEquals(36.7, 2297.2 * t, 0.05);
    }

    // ---- check 28–29: paged waste and batching ----

    @Test
    void pagedCacheWastesUnder4PercentWhereReservationWastes60To80() {
        int[] lengths = KvCacheFragmentation.uniformLengths(42, 500, 256, 1024);
        KvCacheFragmentation.Result r = KvCacheFragmentation.simulate(lengths, 16, 2048);
        assertTrue(r.maxPagedWastePerSequence() < 16, "waste per sequence " + r.maxPagedWastePerSequence());
        assertTrue(r.pagedWaste() < 0.04, "paged waste " + r.pagedWaste());
        assertTrue(r.reservedWaste() > 0.60 && r.reservedWaste() < 0.80, "reserved waste " + r.reservedWaste());
        long expectedSlots = 0;
        for (int len : lengths) {
            expectedSlots += (len + 15) / 16 * 16L;
        }
        assertEquals(expectedSlots, r.pagedSlots());
    }

    @Test
    void continuousBatchingNeeds132ForwardCallsWhereStaticNeeds400() {
        int[] requests = BatchingSimulation.articleRequests(32, 8);
        BatchingSimulation.Result fixed = BatchingSimulation.staticBatching(requests, 8);
        assertEquals(400, fixed.forwardCalls()); // 4 batches, each waiting for its 100-token request
        BatchingSimulation.Result continuous = BatchingSimulation.continuousBatching(requests, 8);
        assertEquals(126, continuous.decodeIterations());
        assertEquals(6, continuous.prefillCalls());
        assertEquals(132, continuous.forwardCalls());
    }
}
