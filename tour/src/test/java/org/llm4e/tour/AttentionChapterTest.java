package org.llm4e.tour;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.llm4e.attention.FlashAttention;
import org.llm4e.attention.PagedKvCache;
import org.llm4e.attention.estimate.BatchingSimulation;
import org.llm4e.attention.estimate.Gpu;
import org.llm4e.attention.estimate.InferenceEstimate;
import org.llm4e.attention.estimate.KvCacheSize;
import org.llm4e.attention.estimate.ModelConfig;
import org.llm4e.core.Tensor;

class AttentionChapterTest {

    @Test
    void writesTheChartsAndTheLibrarysNumbers(@TempDir Path dir) throws Exception {
        TourContext[] ctx = new TourContext[1];
        String out = Pngs.run(new AttentionChapter(64, 128), ctx, dir);
        Pngs.assertRealPngs(
                ctx[0].written(),
                "attention-causal-weights.png",
                "attention-online-trace.png",
                "attention-flash.png",
                "attention-kv-cache.png",
                "attention-paged-waste.png");

        // the Qwen2.5-32B-on-H20 estimate: 441 ms to the first token, 2297 tokens/s (check 21)
        InferenceEstimate.Report r =
                InferenceEstimate.estimate(ModelConfig.qwen25_32b(), Gpu.h20(), 1.0, 1, 1024, 1024);
        assertTrue(out.contains(String.format(Locale.ROOT, "TTFT | %.2f ms |", r.ttftSeconds() * 1000)), out);
        assertEquals(441.1, r.ttftSeconds() * 1000, 0.05);
        assertTrue(
                out.contains(
                        String.format(Locale.ROOT, "decode tokens/s, compute-bound | %.1f |", r.tokensPerSecond())),
                out);
        assertTrue(out.contains("parameters | 31,984,189,440"), out);

        // KV cache per token: GQA-8 is the real Qwen2.5-32B, 256 KiB; MLA caches 576 elements per layer
        long gqa = KvCacheSize.bytesPerToken(ModelConfig.qwen25_32b());
        assertEquals(262_144, gqa);
        assertTrue(out.contains("GQA-8 | 2048 | " + AttentionChapter.bytes(gqa) + " |"), out);
        assertTrue(out.contains("256.00 KiB"), out);
        assertTrue(out.contains("MLA (d_c 512 + d_h^R 64) | 576 |"), out);
        assertTrue(out.contains("MLA ≈ GQA with 2.25 groups"), out);
        assertTrue(
                out.contains(String.format(
                        Locale.ROOT, "%.3f GB", KvCacheSize.bytes(ModelConfig.llama13b(), 1, 2048) / 1e9)),
                out);

        // batching: 400 forward calls static, 132 continuous (check 29)
        int[] requests = BatchingSimulation.articleRequests(32, 8);
        assertTrue(
                out.contains("static "
                        + BatchingSimulation.staticBatching(requests, 8).forwardCalls()
                        + " forward calls, continuous "
                        + BatchingSimulation.continuousBatching(requests, 8).forwardCalls()),
                out);

        // the paged replay ends in blocks 7, 1, 3 filled 4, 4, 2, as a cache driven the same way reports
        PagedKvCache cache = PagedKvCache.builder()
                .numBlocks(8)
                .blockSize(4)
                .kvHeads(1)
                .headDim(1)
                .freeBlockOrder(7, 1, 3, 0, 2, 4, 5, 6)
                .build();
        int seq = cache.addSequence();
        Tensor ten = Tensor.zeros(1, 1, 10, 1);
        cache.append(seq, ten, ten);
        String last = "decode: for | 10 | " + Arrays.toString(cache.blockTable(seq)) + " | "
                + Arrays.toString(cache.filledSlots(seq)) + " | " + cache.freeBlockCount() + " | "
                + cache.wastedSlots();
        assertTrue(out.contains(last), last + "\n" + out);
        assertTrue(out.contains("[7, 1, 3] | [4, 4, 2]"), out);
    }

    @Test
    void tiledStateEqualsTheOneLoopStateAtEveryTileEnd() {
        AttentionChapter.Road road = AttentionChapter.softmaxRoad();
        assertEquals(24, road.safe().scoreReads());
        assertEquals(16, road.online().scoreReads());
        String table = AttentionChapter.traceTable(road).render().replaceAll(" +", " ");
        List<String> rows = table.lines().skip(2).toList();
        assertEquals(8, rows.size());
        for (int t = 0; t < 4; t++) {
            String[] cells = rows.get(2 * t + 1).split(" \\| ");
            assertEquals(String.valueOf(t + 1), cells[5].trim());
            assertEquals(cells[2].trim(), cells[6].trim(), "m at the end of tile " + (t + 1));
            assertEquals(cells[3].trim(), cells[7].trim(), "d′ at the end of tile " + (t + 1));
            assertEquals(cells[4].trim(), cells[8].trim(), "o′ at the end of tile " + (t + 1));
        }
        for (int i = 0; i < road.safe().a().length; i++) {
            assertEquals(road.safe().a()[i], road.online().a()[i], 1e-12);
        }
    }

    @Test
    void causalWeightsAreMaskedAndNormalised() {
        Tensor w = AttentionChapter.causalWeights(12);
        for (int i = 0; i < 12; i++) {
            double sum = 0;
            for (int j = 0; j < 12; j++) {
                if (j > i) {
                    assertEquals(0f, w.get(0, 0, i, j), "query " + i + " must not see key " + j);
                }
                sum += w.get(0, 0, i, j);
            }
            assertEquals(1.0, sum, 1e-5);
        }
        assertEquals(1f, w.get(0, 0, 0, 0), 1e-6);
    }

    @Test
    void flashMatchesNaiveWithLessMemory() {
        List<AttentionChapter.Timing> timings = AttentionChapter.naiveVsFlash(new int[] {32, 256}, Progress.none());
        FlashAttention flash = FlashAttention.builder()
                .version(FlashAttention.Version.V2)
                .blockQ(64)
                .blockK(64)
                .build();
        for (AttentionChapter.Timing t : timings) {
            assertTrue(t.maxDiff() < 1e-4, "flash and naive differ by " + t.maxDiff() + " at T = " + t.t());
            assertEquals(
                    flash.workspaceBytes(1, AttentionChapter.HEADS, t.t(), AttentionChapter.HEAD_DIM), t.flashBytes());
            assertTrue(t.naiveMs() > 0 && t.flashMs() > 0);
        }
        assertTrue(timings.get(1).flashBytes() < timings.get(1).naiveBytes());
    }
}
